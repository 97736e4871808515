namespace Recurrent.Tests.Models;

public class InitializerTests
{
    [Theory]
    [InlineData("normal:0.01", InitDistribution.Normal, 0.01f)]
    [InlineData("uniform:0.1", InitDistribution.Uniform, 0.1f)]
    [InlineData("Normal:1e-2", InitDistribution.Normal, 0.01f)]
    [InlineData("uniform:0", InitDistribution.Uniform, 0f)]
    public void SpecsAreParsed(string text, InitDistribution distribution, float scale)
    {
        var spec = Initializer.Parse(text);
        Assert.Equal(new Initializer(distribution, scale), spec);
        Assert.Equal(spec, Initializer.Parse(spec.ToString()));
    }

    [Fact]
    public void TheBooksSpecPrintsAsItIsWritten()
    {
        Assert.Equal("normal:0.01", Initializer.Book.ToString());
        Assert.Equal("uniform:0.1", Initializer.Parse("uniform:0.1").ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("normal")]
    [InlineData("normal:")]
    [InlineData("gauss:0.1")]
    [InlineData("normal:-0.01")]
    [InlineData("normal:abc")]
    [InlineData("uniform:NaN")]
    [InlineData("uniform:Infinity")]
    [InlineData("normal:0.01:2")]
    [InlineData("normal:0,01")]
    public void InvalidSpecsAreRejectedInOneSentence(string text)
    {
        var e = Assert.Throws<OptionException>(() => Initializer.Parse(text));
        Assert.StartsWith("{init} ", e.Template);
        Assert.Contains($"'{text}'", e.Message);
        Assert.Single(e.Message.Split(". "));
    }

    [Theory]
    [InlineData("b_i", true)]
    [InlineData("b_q", true)]
    [InlineData("rnn.bias_ih_l0", true)]
    [InlineData("dense.bias", true)]
    [InlineData("W_xi", false)]
    [InlineData("rnn.weight_hh_l0", false)]
    [InlineData("emb_b", false)]
    [InlineData(null, false)]
    public void BiasesAreRecognisedByName(string? name, bool isBias)
    {
        Assert.Equal(isBias, Initializer.IsBias(name));
    }

    [Fact]
    public void TheBooksSpecReproducesTheConstructorsOfBothModels()
    {
        var scratch = new ScratchLstm(7, 5, new Rng(3));
        var concise = new RnnModel(7, 5, new Rng(3));
        foreach (var model in new LanguageModel[] { scratch, concise })
        {
            var expected = model.Parameters.Select(p => p.Value.ToArray()).ToArray();
            foreach (var p in model.Parameters) p.Value.Span.Fill(1f);
            Initializer.Book.Apply(model.Parameters, new Rng(3));
            Assert.Equal(expected, model.Parameters.Select(p => p.Value.ToArray()));
        }
    }

    [Fact]
    public void UniformDrawsWeightsInsideTheLimitAndZeroesBiases()
    {
        var weight = Var.Parameter(Tensor.Zeros(200, 100), "W_hq");
        var bias = Var.Parameter(Tensor.Full(3f, 100), "b_q");
        new Initializer(InitDistribution.Uniform, 0.1f).Apply([weight, bias], new Rng(9));
        var w = weight.Value.ToArray();
        Assert.All(w, x => Assert.InRange(x, -0.1f, 0.1f));
        double mean = w.Average(x => (double)x);
        double std = Math.Sqrt(w.Average(x => (x - mean) * (x - mean)));
        Assert.InRange(mean, -0.002, 0.002);                      // σ of the mean: 0.1/√3/√20000 ≈ 0.0004
        Assert.InRange(std, 0.1 / Math.Sqrt(3) * 0.98, 0.1 / Math.Sqrt(3) * 1.02);
        Assert.All(bias.Value.ToArray(), x => Assert.Equal(0f, x));
    }

    [Fact]
    public void NormalDrawsWithTheGivenStandardDeviation()
    {
        var weight = Var.Parameter(Tensor.Zeros(200, 100), "w");
        new Initializer(InitDistribution.Normal, 0.5f).Apply([weight], new Rng(10));
        var w = weight.Value.ToArray();
        double mean = w.Average(x => (double)x);
        double std = Math.Sqrt(w.Average(x => (x - mean) * (x - mean)));
        Assert.InRange(mean, -0.02, 0.02);                        // σ of the mean: 0.5/√20000 ≈ 0.0035
        Assert.InRange(std, 0.49, 0.51);
    }
}
