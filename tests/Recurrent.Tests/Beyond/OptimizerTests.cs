namespace Recurrent.Tests.Beyond;

/// <summary>
/// Each update rule against the formula computed by hand in double, weight decay, and state that survives a
/// checkpoint round trip.
/// </summary>
public class OptimizerTests
{
    private static Var Param(string name, params float[] values) => Var.Parameter(new Tensor(values, values.Length), name);

    private static void SetGrad(Var p, params float[] g) => g.CopyTo(p.Grad!.Span);

    private static void AssertClose(double expected, float actual, double tolerance = 1e-6) =>
        Assert.True(Math.Abs(expected - actual) <= tolerance * Math.Max(1, Math.Abs(expected)), $"expected {expected:R}, got {actual:R}");

    [Fact]
    public void SgdWithoutDecayIsExactlyTheBooksStep()
    {
        float[] value = [1f, -2f, 0.3f], gradient = [0.7f, 0.1f, -3f];
        var b = Param("b", [.. value]);   // a copy: the step changes the tensor in place
        SetGrad(b, gradient);
        new SgdOptimizer().Step([b], 0.37f);
        // The book's sgd: param[:] = param - lr * param.grad / batch_size, with a batch size of 1, in float.
        Assert.Equal(value.Zip(gradient, (p, g) => p + g * -0.37f), b.Value.ToArray());
        Assert.Empty(new SgdOptimizer().State);
    }

    [Fact]
    public void MomentumTwoStepsMatchTheFormula()
    {
        // v1 = g1 (v starts at 0), p1 = p0 - lr v1; v2 = μ v1 + g2, p2 = p1 - lr v2.
        double mu = 0.9, lr = 0.1;
        double[] p0 = [1, -2], g1 = [0.5, 0.25], g2 = [-1, 2];
        var p = Param("w", 1f, -2f);
        var optimizer = new MomentumOptimizer(0.9f);

        SetGrad(p, 0.5f, 0.25f);
        optimizer.Step([p], 0.1f);
        double[] v1 = [g1[0], g1[1]];
        double[] p1 = [p0[0] - lr * v1[0], p0[1] - lr * v1[1]];
        AssertClose(p1[0], p.Value[0]);
        AssertClose(p1[1], p.Value[1]);

        SetGrad(p, -1f, 2f);
        optimizer.Step([p], 0.1f);
        double[] v2 = [mu * v1[0] + g2[0], mu * v1[1] + g2[1]];
        AssertClose(p1[0] - lr * v2[0], p.Value[0]);
        AssertClose(p1[1] - lr * v2[1], p.Value[1]);
        var state = Assert.Single(optimizer.State);
        Assert.Equal("optimizer.momentum_buffer.w", state.Key);
        AssertClose(v2[0], state.Value[0]);
        AssertClose(v2[1], state.Value[1]);
    }

    /// <summary>Adam in double, PyTorch's formulation: ε added after the bias correction of √v.</summary>
    private static double[] AdamReference(double[] p, double[][] grads, double lr, double b1, double b2, double eps, double wd = 0)
    {
        p = (double[])p.Clone();
        var m = new double[p.Length];
        var v = new double[p.Length];
        for (int t = 1; t <= grads.Length; t++)
            for (int i = 0; i < p.Length; i++)
            {
                double g = grads[t - 1][i] + wd * p[i];
                m[i] = b1 * m[i] + (1 - b1) * g;
                v[i] = b2 * v[i] + (1 - b2) * g * g;
                double mHat = m[i] / (1 - Math.Pow(b1, t));
                double vHat = v[i] / (1 - Math.Pow(b2, t));
                p[i] -= lr * mHat / (Math.Sqrt(vHat) + eps);
            }
        return p;
    }

    [Fact]
    public void AdamOneStepMovesEachWeightByLrTimesTheSignOfItsGradient()
    {
        // At t = 1, m̂ = g and √v̂ = |g|, so the step is lr · g / (|g| + ε): lr against the gradient's sign, 0 for g = 0.
        var p = Param("w", 1f, -2f, 0.5f);
        SetGrad(p, 0.1f, -30f, 0f);
        new AdamOptimizer().Step([p], 0.01f);
        AssertClose(1 - 0.01 * 0.1 / (0.1 + 1e-8), p.Value[0]);
        AssertClose(-2 + 0.01 * 30 / (30 + 1e-8), p.Value[1]);
        Assert.Equal(0.5f, p.Value[2]);
    }

    [Fact]
    public void AdamThreeStepsMatchTheFormula()
    {
        double[] p0 = [1, -2, 0.5, 3];
        double[][] grads = [[0.1, -0.3, 0.02, 1], [-0.2, -0.1, 0.02, 0.5], [0.05, 0.4, -0.01, -2]];
        var p = Param("w", p0.Select(x => (float)x).ToArray());
        var optimizer = new AdamOptimizer(0.8f, 0.99f, 1e-8f);
        foreach (var g in grads)
        {
            SetGrad(p, g.Select(x => (float)x).ToArray());
            optimizer.Step([p], 0.05f);
        }
        var expected = AdamReference(p0, grads, 0.05, 0.8f, 0.99f, 1e-8f);
        for (int i = 0; i < p0.Length; i++) AssertClose(expected[i], p.Value[i], 2e-6);
        var step = optimizer.State.Single(s => s.Key == "optimizer.step.w").Value;
        Assert.Equal(3f, step[0]);
    }

    [Fact]
    public void AdamAddsEpsilonAfterTheBiasCorrection()
    {
        // g = ε = 1e-3: PyTorch's √v̂ + ε = 2e-3 halves the unit step; the paper's √v + ε̂ would not (√v ≈ 3.2e-5).
        var p = Param("w", 0f);
        SetGrad(p, 1e-3f);
        new AdamOptimizer(0.9f, 0.999f, 1e-3f).Step([p], 1f);
        AssertClose(-0.5, p.Value[0], 1e-5);
    }

    [Fact]
    public void WeightDecayAddsLambdaTimesTheWeightToTheGradient()
    {
        double lr = 0.1, wd = 0.01;
        double[] p0 = [2, -4], g = [0.5, 0.25];

        var sgd = Param("w", 2f, -4f);
        SetGrad(sgd, 0.5f, 0.25f);
        new SgdOptimizer(0.01f).Step([sgd], 0.1f);
        for (int i = 0; i < 2; i++) AssertClose(p0[i] - lr * (g[i] + wd * p0[i]), sgd.Value[i]);
        Assert.Equal([0.5f, 0.25f], sgd.Grad!.ToArray());   // the gradient itself is left alone

        var momentum = Param("w", 2f, -4f);
        var m = new MomentumOptimizer(0.5f, 0.01f);
        SetGrad(momentum, 0.5f, 0.25f);
        m.Step([momentum], 0.1f);
        m.Step([momentum], 0.1f);
        for (int i = 0; i < 2; i++)
        {
            double v1 = g[i] + wd * p0[i], p1 = p0[i] - lr * v1;
            double v2 = 0.5 * v1 + g[i] + wd * p1;
            AssertClose(p1 - lr * v2, momentum.Value[i]);
        }

        var adam = Param("w", 2f, -4f);
        var a = new AdamOptimizer(weightDecay: 0.01f);
        SetGrad(adam, 0.5f, 0.25f);
        a.Step([adam], 0.1f);
        a.Step([adam], 0.1f);
        var expected = AdamReference(p0, [g, g], lr, 0.9f, 0.999f, 1e-8f, wd);
        for (int i = 0; i < 2; i++) AssertClose(expected[i], adam.Value[i], 2e-6);
    }

    private static Var[] Model() =>
    [
        Var.Parameter(new Tensor([0.5f, -1f, 2f, 0.25f, 1f, -0.5f], 2, 3), "rnn.weight_hh_l0"),
        Var.Parameter(new Tensor([0.1f, -0.2f, 0.3f], 3), "dense.bias"),
    ];

    // A gradient that depends on the weights and the step, so the trajectory depends on every piece of state.
    private static void Train(IOptimizer optimizer, Var[] parameters, int firstStep, int count)
    {
        for (int s = firstStep; s < firstStep + count; s++)
        {
            foreach (var p in parameters)
                for (int i = 0; i < p.Value.Length; i++)
                    p.Grad!.Span[i] = (float)(Math.Sin(s + 1.7 * i) + 0.3 * p.Value.Span[i]);
            optimizer.Step(parameters, 0.05f);
        }
    }

    [Theory]
    [InlineData(OptimizerKind.Momentum, new[] { "momentum_buffer" })]
    [InlineData(OptimizerKind.Adam, new[] { "exp_avg", "exp_avg_sq", "step" })]
    public void StateSavedToACheckpointContinuesIdentically(OptimizerKind kind, string[] kinds)
    {
        var original = Optimizer.Create(kind, weightDecay: 0.01f);
        var weights = Model();
        Train(original, weights, 0, 3);

        // Save weights and state to one safetensors file, as a checkpoint would, then read it back.
        var stream = new MemoryStream();
        SafeTensors.Write(stream, [.. weights.Select(p => new KeyValuePair<string, Tensor>(p.Name!, p.Value)), .. original.State]);
        stream.Position = 0;
        var file = SafeTensors.Read(stream, "checkpoint");
        Assert.Equal(
            weights.SelectMany(p => kinds.Select(k => $"optimizer.{k}.{p.Name}")).Order(),
            original.State.Select(s => s.Key).Order());

        Train(original, weights, 3, 2);

        var resumedWeights = Model();
        foreach (var p in resumedWeights) file.Get(p.Name!, p.Value.Shape.ToArray()).Span.CopyTo(p.Value.Span);
        var resumed = Optimizer.Create(kind, weightDecay: 0.01f);
        resumed.LoadState(file.Tensors, resumedWeights);   // the weights in the same file are ignored
        Train(resumed, resumedWeights, 3, 2);

        var freshWeights = Model();
        foreach (var p in freshWeights) file.Get(p.Name!, p.Value.Shape.ToArray()).Span.CopyTo(p.Value.Span);
        Train(Optimizer.Create(kind, weightDecay: 0.01f), freshWeights, 3, 2);

        for (int i = 0; i < weights.Length; i++)
        {
            Assert.Equal(weights[i].Value.ToArray(), resumedWeights[i].Value.ToArray());
            Assert.NotEqual(weights[i].Value.ToArray(), freshWeights[i].Value.ToArray());   // the state mattered
        }
        Assert.Equal(original.State.Select(s => s.Value.ToArray()), resumed.State.Select(s => s.Value.ToArray()));
    }

    [Fact]
    public void StateIsASnapshot()
    {
        var optimizer = new MomentumOptimizer();
        var weights = Model();
        Train(optimizer, weights, 0, 1);
        var snapshot = optimizer.State;
        float before = snapshot[0].Value[0];
        Train(optimizer, weights, 1, 1);
        Assert.Equal(before, snapshot[0].Value[0]);
        snapshot[0].Value.Span.Fill(42f);
        Assert.NotEqual(42f, optimizer.State[0].Value[0]);
    }

    private static KeyValuePair<string, Tensor> Entry(string key, params float[] values) => new(key, new Tensor(values, values.Length));

    public static TheoryData<string, KeyValuePair<string, Tensor>[], string> BadStates => new()
    {
        { "momentum", [Entry("optimizer.exp_avg.dense.bias", 0, 0, 0)], "does not keep" },
        { "adam", [Entry("optimizer.momentum_buffer.dense.bias", 0, 0, 0)], "does not keep" },
        { "adam", [Entry("optimizer.exp_avg", 0, 0, 0)], "does not keep" },
        { "momentum", [Entry("optimizer.momentum_buffer.decoder.bias", 0, 0, 0)], "does not have" },
        { "momentum", [Entry("optimizer.momentum_buffer.dense.bias", 0, 0)], "shape (2)" },
        { "momentum", [Entry("optimizer.momentum_buffer.dense.bias", 0, float.NaN, 0)], "finite" },
        { "adam", [Entry("optimizer.exp_avg.dense.bias", 0, 0, 0), Entry("optimizer.exp_avg_sq.dense.bias", 0, 0, 0)], "optimizer.step.dense.bias is missing" },
        { "adam", [Entry("optimizer.exp_avg.dense.bias", 0, 0, 0), Entry("optimizer.exp_avg_sq.dense.bias", 0, 0, 0), Entry("optimizer.step.dense.bias", 2.5f)], "whole number" },
        { "momentum", [Entry("optimizer.momentum_buffer.dense.bias", 0, 0, 0), Entry("optimizer.momentum_buffer.dense.bias", 0, 0, 0)], "twice" },
    };

    [Theory]
    [MemberData(nameof(BadStates))]
    public void ABadStateIsRejectedInOneSentenceAndChangesNothing(string kind, KeyValuePair<string, Tensor>[] state, string expected)
    {
        var optimizer = Optimizer.Create(Enum.Parse<OptimizerKind>(kind, ignoreCase: true));
        var weights = Model();
        Train(optimizer, weights, 0, 1);
        var before = optimizer.State.Select(s => (s.Key, Values: s.Value.ToArray())).ToArray();
        var e = Assert.Throws<RecurrentException>(() => optimizer.LoadState(state, weights));
        Assert.Contains(expected, e.Message);
        Assert.EndsWith(".", e.Message);
        Assert.Equal(before, optimizer.State.Select(s => (s.Key, Values: s.Value.ToArray())));
    }

    [Fact]
    public void SgdAcceptsACheckpointWithoutOptimizerState()
    {
        var weights = Model();
        new SgdOptimizer().LoadState(weights.Select(p => new KeyValuePair<string, Tensor>(p.Name!, p.Value)), weights);
        Assert.Throws<RecurrentException>(() => new SgdOptimizer().LoadState([Entry("optimizer.momentum_buffer.dense.bias", 0, 0, 0)], weights));
    }

    [Theory]
    [InlineData(OptimizerKind.Momentum, 1f, 0.9f, 0.999f, 1e-8f, 0f, "{momentum}")]
    [InlineData(OptimizerKind.Momentum, -0.1f, 0.9f, 0.999f, 1e-8f, 0f, "{momentum}")]
    [InlineData(OptimizerKind.Adam, 0.9f, 1f, 0.999f, 1e-8f, 0f, "{beta1}")]
    [InlineData(OptimizerKind.Adam, 0.9f, 0.9f, float.NaN, 1e-8f, 0f, "{beta2}")]
    [InlineData(OptimizerKind.Adam, 0.9f, 0.9f, 0.999f, 0f, 0f, "{epsilon}")]
    [InlineData(OptimizerKind.Sgd, 0.9f, 0.9f, 0.999f, 1e-8f, -1e-4f, "{weight_decay}")]
    [InlineData(OptimizerKind.Adam, 0.9f, 0.9f, 0.999f, 1e-8f, float.PositiveInfinity, "{weight_decay}")]
    public void HyperParametersOutOfRangeAreNamed(OptimizerKind kind, float momentum, float beta1, float beta2, float eps, float wd, string option)
    {
        var e = Assert.Throws<OptionException>(() => Optimizer.Create(kind, wd, momentum, beta1, beta2, eps));
        Assert.StartsWith(option, e.Template);
    }

    [Fact]
    public void StatefulOptimizersNeedUniqueParameterNames()
    {
        var unnamed = Var.Parameter(Tensor.Zeros(2));
        Assert.Throws<ArgumentException>(() => new AdamOptimizer().Step([unnamed], 0.1f));
        Assert.Throws<ArgumentException>(() => new MomentumOptimizer().Step([Param("w", 1f), Param("w", 2f)], 0.1f));
        new SgdOptimizer().Step([unnamed], 0.1f);
    }
}
