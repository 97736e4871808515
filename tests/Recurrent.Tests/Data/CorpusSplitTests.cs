namespace Recurrent.Tests.Data;

public class CorpusSplitTests
{
    [Fact]
    public void TenThousandTokensAtOneTenthGiveNineThousandAndOneThousand()
    {
        int[] tokens = Enumerable.Range(0, 10_000).Select(i => i % 97).ToArray();
        var split = CorpusSplit.HoldOutLast(tokens, 0.1);
        Assert.Equal(9_000, split.Train.Length);
        Assert.Equal(1_000, split.Validation.Length);
        Assert.Equal(tokens, split.Train.Concat(split.Validation));
    }

    [Theory]
    [InlineData(100, 0.29, 29)]    // 100 × 0.29 = 28.999… in double: rounded, not truncated
    [InlineData(7, 0.5, 4)]        // 3.5 rounds away from zero
    [InlineData(4, 0.5, 2)]
    [InlineData(10, 0.8, 8)]
    [InlineData(1_000_001, 0.05, 50_000)]
    public void TheValidationPartIsTheLastRoundedNTimesFTokens(int n, double fraction, int validation)
    {
        int[] tokens = Enumerable.Range(0, n).ToArray();
        var split = CorpusSplit.HoldOutLast(tokens, fraction);
        Assert.Equal(validation, split.Validation.Length);
        Assert.Equal(n - validation, split.Train.Length);
        Assert.Equal(n - validation, split.Validation[0]);
    }

    [Theory]
    [InlineData(100, 0.0)]
    [InlineData(100, 1.0)]
    [InlineData(100, -0.1)]
    [InlineData(100, 1.5)]
    [InlineData(100, double.NaN)]
    [InlineData(10, 0.1)]          // one validation token: no prediction
    [InlineData(20, 0.95)]         // one training token
    [InlineData(0, 0.5)]
    public void FMustLeaveTwoTokensInEachPart(int n, double fraction)
    {
        var e = Assert.Throws<OptionException>(() => CorpusSplit.HoldOutLast(new int[n], fraction));
        Assert.StartsWith("{validation_fraction} ", e.Template);
    }
}

public class WordCorpusSplitTests
{
    [Fact]
    public void AWordTextIsSplitBeforeItsVocabularyIsBuiltFromTheTrainingPart()
    {
        // 10 lines of "the cat sat": 40 tokens; the last line is replaced by one with unseen words.
        string text = string.Concat(Enumerable.Repeat("the cat sat\n", 9)) + "a dog ran\n";
        string[] words = WordTokenizer.Split(text).ToArray();
        int train = CorpusSplit.TrainLength(words.Length, 0.1);
        Assert.Equal(36, train);
        var tokenizer = WordTokenizer.Build(words[..train]);
        Assert.Equal(["<unk>", "<eos>", "the", "cat", "sat"], tokenizer.Vocabulary.Tokens);
        Assert.Equal([0, 0, 0, 1], tokenizer.Encode(words[train..], out int unknown));
        Assert.Equal(3, unknown);
    }
}
