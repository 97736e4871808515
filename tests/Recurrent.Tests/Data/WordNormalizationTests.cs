namespace Recurrent.Tests.Data;

/// <summary>Word tokens people can read: lower-casing and punctuation split off, dropped or kept.</summary>
public class WordNormalizationTests
{
    private static readonly WordNormalization Split = new(Lowercase: true, Punctuation.Split);
    private static readonly WordNormalization Drop = new(Lowercase: true, Punctuation.Drop);

    private static string Tokens(string text, WordNormalization normalization) => string.Join(' ', WordTokenizer.Split(text, normalization));

    [Theory]
    [InlineData("'It is,' said the Time Traveller.", "' it is , ' said the time traveller . <eos>")]
    [InlineData("traveller, Traveller TRAVELLER", "traveller , traveller traveller <eos>")]
    [InlineData("Wait... no--never!", "wait ... no -- never ! <eos>")]       // a run of one mark is one token
    [InlineData("don't twenty-one rock'n'roll", "don't twenty-one rock'n'roll <eos>")]   // joiners between letters stay
    [InlineData("-x x- 'quoted'", "- x x - ' quoted ' <eos>")]
    [InlineData("$5 100% a+b", "$ 5 100 % a + b <eos>")]                    // symbols are split off too
    [InlineData("a <unk> b <eos>", "a <unk> b <eos> <eos>")]               // the reserved tokens are left whole
    public void SplitLowerCasesAndMakesPunctuationTokens(string text, string expected) =>
        Assert.Equal(expected, Tokens(text, Split));

    [Theory]
    [InlineData("'It is,' said the Time Traveller.", "it is said the time traveller <eos>")]
    [InlineData("... -- !", "<eos>")]
    [InlineData("don't stop", "don't stop <eos>")]
    public void DropRemovesPunctuation(string text, string expected) =>
        Assert.Equal(expected, Tokens(text, Drop));

    [Fact]
    public void NoneLeavesAPreTokenisedCorpusUnchanged()
    {
        // Penn Treebank lines: lower case, <unk>, N for numbers, and tokens such as n't, 's, mr. and $.
        const string ptb = " aer banknote berlitz <unk> N years old mr. <unk> is n't $ 's chairman\n the N stock-index\n";
        string[] expected = [.. ptb.Split('\n', StringSplitOptions.RemoveEmptyEntries).SelectMany(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries).Append("<eos>"))];

        Assert.Equal(expected, WordTokenizer.Split(ptb, WordNormalization.None));
        Assert.Equal(expected, WordTokenizer.Split(ptb, new WordNormalization(false, Punctuation.Keep)));
        Assert.NotEqual(expected, WordTokenizer.Split(ptb, Split));   // the defaults would change it
    }

    [Fact]
    public void ThePrefixIsNormalisedAsTheTrainingTextWas()
    {
        var tokenizer = WordTokenizer.Build("the time traveller, said he.\n", normalization: Split);

        int[] prefix = tokenizer.EncodeStrict("The Time Traveller", "prefix");

        Assert.Equal(["the", "time", "traveller"], prefix.Select(i => tokenizer.Vocabulary.Tokens[i]));
        var error = Assert.Throws<RecurrentException>(() => tokenizer.EncodeStrict("The Time Machine!", "prefix 'The Time Machine!'"));
        Assert.Equal("The prefix 'The Time Machine!' has words not in the vocabulary: 'machine', '!'.", error.Message);
    }

    [Fact]
    public void ClosingPunctuationIsDecodedAgainstItsWord()
    {
        var tokenizer = WordTokenizer.Build("' it is , ' said the time traveller . ( yes ) \n", normalization: Split);
        string text = "'It is,' said the Time Traveller. (yes)\n";

        Assert.Equal("' it is, ' said the time traveller. ( yes)\n", tokenizer.Decode(tokenizer.Encode(text)));
        // Token by token, as generate writes them after a prefix: the same text.
        bool lineStart = false;
        string streamed = string.Concat(tokenizer.Encode(text).Select(i => tokenizer.DecodeNext(i, ref lineStart)));
        Assert.Equal(" ' it is, ' said the time traveller. ( yes)\n", streamed);
        Assert.True(lineStart);
        // Kept punctuation is part of its word, and words are joined by spaces as before.
        var kept = WordTokenizer.Build("a , b .\n");
        Assert.Equal("a , b .\n", kept.Decode(kept.Encode("a , b .\n")));
    }
}
