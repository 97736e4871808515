namespace Recurrent.Tests.Data;

public class WordTokenizerTests
{
    [Theory]
    [InlineData("a b\nc\n", "a b <eos> c <eos>")]
    [InlineData("a b\nc", "a b <eos> c <eos>")]         // the last line ends at the end of the text
    [InlineData("a\r\nb\rc\n", "a <eos> b <eos> c <eos>")]
    [InlineData("x\n\ny\n", "x <eos> <eos> y <eos>")]  // an empty line is a lone <eos>
    [InlineData("  the\tcat  sat \n", "the cat sat <eos>")]
    [InlineData("\n", "<eos>")]
    [InlineData("", "")]
    public void LinesEndWithEos(string text, string expected)
    {
        Assert.Equal(expected, string.Join(' ', WordTokenizer.Split(text)));
    }

    [Fact]
    public void TheVocabularyIsUnkEosThenWordsByFrequencyTiesByFirstAppearance()
    {
        var tokenizer = WordTokenizer.Build("the cat\nthe dog\na dog\n");
        // counts: <eos> 3, the 2, dog 2, cat 1, a 1.
        Assert.Equal(["<unk>", "<eos>", "the", "dog", "cat", "a"], tokenizer.Vocabulary.Tokens);
        Assert.Equal(0, tokenizer.UnknownIndex);
        Assert.Equal(1, tokenizer.EndOfSentenceIndex);
        Assert.Equal(["<unk>", "<eos>", "b", "a"], WordTokenizer.Build("b a\na b\n").Vocabulary.Tokens);
    }

    [Fact]
    public void WordsSeenFewerThanMinCountTimesBecomeUnk()
    {
        string text = "the cat\nthe dog\n";
        var tokenizer = WordTokenizer.Build(text, minCount: 2);
        Assert.Equal(["<unk>", "<eos>", "the"], tokenizer.Vocabulary.Tokens);
        Assert.Equal([2, 0, 1, 2, 0, 1], tokenizer.Encode(text, out int unknown));
        Assert.Equal(2, unknown);
        Assert.Equal("the <unk>\nthe <unk>\n", tokenizer.Decode(tokenizer.Encode(text)));
    }

    [Fact]
    public void UnseenWordsOfValidationTextAreUnk()
    {
        var tokenizer = WordTokenizer.Build("the cat sat\n");
        var valid = tokenizer.Encode("the dog sat on the mat", out int unknown);
        Assert.Equal(["the", "<unk>", "sat", "<unk>", "the", "<unk>", "<eos>"], valid.Select(i => tokenizer.Vocabulary.Tokens[i]));
        Assert.Equal(3, unknown);
    }

    [Fact]
    public void LiteralUnkAndEosInTheTextAreTheReservedTokens()
    {
        var tokenizer = WordTokenizer.Build("a <unk> b <eos> a\n");
        Assert.Equal(["<unk>", "<eos>", "a", "b"], tokenizer.Vocabulary.Tokens);
        Assert.Equal([2, 0, 3, 1, 2, 1], tokenizer.Encode("a <unk> b <eos> a\n"));
    }

    [Fact]
    public void DecodeWritesWordsAndLines()
    {
        string text = "the cat sat\non the mat\n";
        var tokenizer = WordTokenizer.Build(text);
        Assert.Equal(text, tokenizer.Decode(tokenizer.Encode(text)));
        Assert.Throws<ArgumentOutOfRangeException>(() => tokenizer.Decode([99]));
    }

    [Fact]
    public void AVocabularyReadBackGivesTheSameIndices()
    {
        var built = WordTokenizer.Build("x y z\ny z\nz\n");
        var reloaded = new WordTokenizer(new Vocabulary(built.Vocabulary.Tokens));
        Assert.Equal(built.Encode("z y x w\n"), reloaded.Encode("z y x w\n"));
        Assert.Throws<RecurrentException>(() => new WordTokenizer(new Vocabulary(["<unk>", "a"])));
        Assert.Throws<RecurrentException>(() => new WordTokenizer(new Vocabulary(["<eos>", "a"])));
    }

    [Fact]
    public void MinCountBelowOneIsNamed()
    {
        var e = Assert.Throws<OptionException>(() => WordTokenizer.Build("a\n", minCount: 0));
        Assert.StartsWith("{min_count} ", e.Template);
    }
}
