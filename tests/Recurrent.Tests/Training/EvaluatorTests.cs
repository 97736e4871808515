namespace Recurrent.Tests.Training;

public class EvaluatorTests
{
    private static readonly int[] Text = [0, 3, 1, 4, 4, 2, 5, 0, 1, 3, 3, 5, 2, 0, 4, 1, 2, 2, 5];

    /// <summary>A from-scratch LSTM with large random weights and biases, so that predictions are far from uniform.</summary>
    private static ScratchLstm RandomModel(int v = 6, int h = 4)
    {
        var model = new ScratchLstm(v, h, new Rng(11));
        var rng = new Rng(12);
        foreach (var p in model.Parameters) rng.FillNormal(p.Value.Span, 0f, 0.8f);
        return model;
    }

    /// <summary>The book's LSTM equations in double, one token at a time from a zero state: Σ −log softmax(Y)[next token].</summary>
    private static double ReferenceNll(ScratchLstm model, ReadOnlySpan<int> tokens)
    {
        var p = model.Parameters.Select(x => x.Value).ToArray();
        int V = model.VocabularySize, H = model.HiddenSize;
        var h = new double[H];
        var c = new double[H];
        double nll = 0;
        for (int t = 0; t + 1 < tokens.Length; t++)
        {
            int x = tokens[t];
            double[] Gate(int first, Func<double, double> activation)
            {
                var (wx, wh, b) = (p[first], p[first + 1], p[first + 2]);
                var g = new double[H];
                for (int j = 0; j < H; j++)
                {
                    double s = wx[x, j] + b[j];                       // one-hot X times W_x picks row x
                    for (int k = 0; k < H; k++) s += h[k] * wh[k, j];
                    g[j] = activation(s);
                }
                return g;
            }
            static double Sigmoid(double s) => 1 / (1 + Math.Exp(-s));
            var (i, f, o, cTilde) = (Gate(0, Sigmoid), Gate(3, Sigmoid), Gate(6, Sigmoid), Gate(9, Math.Tanh));
            for (int j = 0; j < H; j++)
            {
                c[j] = f[j] * c[j] + i[j] * cTilde[j];
                h[j] = o[j] * Math.Tanh(c[j]);
            }
            var y = new double[V];
            for (int v = 0; v < V; v++)
            {
                y[v] = p[13][v];
                for (int k = 0; k < H; k++) y[v] += h[k] * p[12][k, v];
            }
            double max = y.Max();
            nll += Math.Log(y.Sum(z => Math.Exp(z - max))) + max - y[tokens[t + 1]];
        }
        return nll;
    }

    [Fact]
    public void AModelWithZeroWeightsHasPerplexityV()
    {
        var model = new ScratchLstm(5, 3, new Rng(1));
        new Initializer(InitDistribution.Normal, 0f).Apply(model.Parameters, new Rng(1));
        int[] tokens = [0, 1, 2, 3, 4, 4, 3, 2, 1, 0, 2];
        var result = Evaluator.Evaluate(model, tokens, batchSize: 1, steps: 4);
        Assert.Equal(tokens.Length - 1, result.Tokens);
        Assert.Equal(5.0, result.Perplexity, 9);
        Assert.Equal(Math.Log2(5), result.BitsPerToken, 9);
        Assert.Equal((tokens.Length - 1) * Math.Log(5), result.TotalNegativeLogLikelihood, 9);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]    // the last chunk is shorter (18 predictions)
    [InlineData(35)]   // one chunk
    public void TheStateIsCarriedAcrossTheWholeTextWhateverT(int steps)
    {
        var model = RandomModel();
        double expected = ReferenceNll(model, Text);
        var result = Evaluator.Evaluate(model, Text, batchSize: 1, steps: steps);
        Assert.Equal(Text.Length - 1, result.Tokens);
        Assert.Equal(expected, result.TotalNegativeLogLikelihood, 1e-4 * expected);
        Assert.Equal(Math.Exp(expected / (Text.Length - 1)), result.Perplexity, 1e-4);
        Assert.True(Math.Abs(result.Perplexity - 6) > 0.5, "the test model should not be near uniform");
    }

    [Fact]
    public void ABatchReadsBRowsEachFromAZeroState()
    {
        // 19 tokens, B = 3: rows of L = 6 tokens (the 19th is left out), 3 × 5 predictions.
        var model = RandomModel();
        double expected = ReferenceNll(model, Text.AsSpan(0, 6)) + ReferenceNll(model, Text.AsSpan(6, 6)) + ReferenceNll(model, Text.AsSpan(12, 6));
        var result = Evaluator.Evaluate(model, Text, batchSize: 3, steps: 4);
        Assert.Equal(15, result.Tokens);
        Assert.Equal(expected, result.TotalNegativeLogLikelihood, 1e-4 * expected);
    }

    [Fact]
    public void TheFusedModelGivesTheSameEvaluation()
    {
        var scratch = RandomModel();
        var concise = RnnModel.FromScratch(scratch);
        var a = Evaluator.Evaluate(scratch, Text, 2, 3);
        var b = Evaluator.Evaluate(concise, Text, 2, 3);
        Assert.Equal(a.TotalNegativeLogLikelihood, b.TotalNegativeLogLikelihood, 1e-4 * a.TotalNegativeLogLikelihood);
    }

    [Fact]
    public void EvaluationLeavesTheModelAndRecordingAsTheyWere()
    {
        var model = RandomModel();
        var before = model.Parameters.Select(p => p.Value.ToArray()).ToArray();
        Evaluator.Evaluate(model, Text, 1, 5);
        Assert.False(Var.IsRecordingDisabled);
        Assert.Equal(before, model.Parameters.Select(p => p.Value.ToArray()));
        Assert.All(model.Parameters, p => Assert.All(p.Grad!.ToArray(), g => Assert.Equal(0f, g)));
    }

    [Fact]
    public void TooShortATextIsRejected()
    {
        var model = RandomModel();
        Assert.StartsWith("1 token is too few", Assert.Throws<RecurrentException>(() => Evaluator.Evaluate(model, [3])).Message);
        Assert.Throws<RecurrentException>(() => Evaluator.Evaluate(model, [3, 1, 2], batchSize: 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => Evaluator.Evaluate(model, [3, 6]));
    }
}
