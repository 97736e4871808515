namespace Recurrent.Tests.Models;

/// <summary>The sampler on hand-made logits: the sets of top-k and top-p, and frequencies that follow the softmax.</summary>
public class TokenSamplerTests
{
    // Probabilities at τ = 1: softmax of ln(p) is p itself.
    private static readonly double[] P = [0.05, 0.4, 0.1, 0.25, 0.2];
    private static readonly float[] Logits = P.Select(p => (float)Math.Log(p)).ToArray();

    [Theory]
    [InlineData(0, 1f, new[] { 0, 1, 2, 3, 4 })]
    [InlineData(1, 1f, new[] { 1 })]
    [InlineData(3, 1f, new[] { 1, 3, 4 })]
    [InlineData(9, 1f, new[] { 0, 1, 2, 3, 4 })]   // k above V keeps all, in the order of k = 0, so that both draw alike
    [InlineData(0, 0.39f, new[] { 1 })]
    [InlineData(0, 0.41f, new[] { 1, 3 })]
    [InlineData(0, 0.84f, new[] { 1, 3, 4 })]
    [InlineData(0, 0.86f, new[] { 1, 3, 4, 2 })]
    [InlineData(2, 0.9f, new[] { 1, 3 })]
    [InlineData(3, 0.6f, new[] { 1, 3 })]   // renormalised over the top 3 (0.85): 0.4 / 0.85 < 0.6 <= 0.65 / 0.85
    public void TheCandidatesAreTheTopKThenTheNucleus(int topK, float topP, int[] expected)
    {
        var sampler = new TokenSampler(P.Length, 1f, topK, topP);
        Assert.Equal(expected, sampler.Candidates(Logits).ToArray());
    }

    [Fact]
    public void TiesKeepTheLowerIndexFirst()
    {
        var sampler = new TokenSampler(4, 1f, 2, 1f);
        Assert.Equal([1, 2], sampler.Candidates([0f, 1f, 1f, 1f]).ToArray());
    }

    [Theory]
    [InlineData(0, 1f)]
    [InlineData(3, 1f)]
    [InlineData(0, 0.7f)]
    public void DrawsFollowTheRenormalisedProbabilitiesAndStayInTheSet(int topK, float topP)
    {
        var sampler = new TokenSampler(P.Length, 1f, topK, topP);
        var allowed = sampler.Candidates(Logits).ToArray();
        double mass = allowed.Sum(j => P[j]);
        var rng = new Rng(11);
        const int draws = 40_000;
        var counts = new int[P.Length];
        for (int n = 0; n < draws; n++) counts[sampler.Sample(Logits, rng)]++;
        for (int j = 0; j < P.Length; j++)
        {
            double expected = allowed.Contains(j) ? P[j] / mass : 0;
            if (expected == 0) Assert.Equal(0, counts[j]);
            else Assert.InRange(counts[j] / (double)draws, expected - 0.015, expected + 0.015);   // ~6 standard deviations
        }
    }

    [Fact]
    public void TemperatureSharpensAndFlattens()
    {
        var cold = new TokenSampler(P.Length, 0.25f, 0, 1f);
        cold.Candidates(Logits);
        Assert.True(cold.Probabilities[1] > 0.8);
        var hot = new TokenSampler(P.Length, 100f, 0, 1f);
        hot.Candidates(Logits);
        Assert.All(hot.Probabilities.ToArray(), p => Assert.InRange(p, 0.19, 0.21));
    }

    [Fact]
    public void BrokenLogitsStillGiveATokenOfTheVocabulary()
    {
        var rng = new Rng(3);
        foreach (float[] logits in (float[][])[[float.NaN, 1f, 2f], [float.PositiveInfinity, 0f, 0f], [float.NegativeInfinity, float.NegativeInfinity, 1f]])
        {
            foreach (var (k, p) in ((int, float)[])[(0, 1f), (2, 0.5f)])
                Assert.InRange(new TokenSampler(3, 1f, k, p).Sample(logits, rng), 0, 2);
        }
    }
}
