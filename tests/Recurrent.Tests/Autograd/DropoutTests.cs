namespace Recurrent.Tests.Autograd;

public class DropoutTests
{
    [Fact]
    public void DropsAboutPAndKeepsTheMean()
    {
        const float p = 0.3f;
        var x = Var.Constant(Tensor.Full(1f, 200, 500));   // 100,000 elements
        var y = Ops.Dropout(x, p, new Rng(1), training: true).Value.ToArray();
        float kept = 1f / (1f - p);
        Assert.All(y, v => Assert.True(v == 0f || v == kept, $"{v} is neither 0 nor 1/(1-p)"));
        double dropped = y.Count(v => v == 0f) / (double)y.Length;
        Assert.InRange(dropped, p - 0.01, p + 0.01);        // σ = √(p(1-p)/n) ≈ 0.0014
        Assert.InRange(y.Average(v => (double)v), 0.985, 1.015);
    }

    [Fact]
    public void TheMaskIsAFunctionOfTheGeneratorState()
    {
        var x = Var.Constant(Tensor.RandomNormal(new Rng(2), 1f, 8, 16));
        var a = Ops.Dropout(x, 0.5f, new Rng(3), true).Value.ToArray();
        var b = Ops.Dropout(x, 0.5f, new Rng(3), true).Value.ToArray();
        Assert.Equal(a, b);
        var rng = new Rng(3);
        Ops.Dropout(x, 0.5f, rng, true);
        Assert.NotEqual(a, Ops.Dropout(x, 0.5f, rng, true).Value.ToArray());   // the next call draws a new mask
    }

    [Theory]
    [InlineData(false, 0.5f)]
    [InlineData(true, 0f)]
    public void WithoutTrainingOrWithPZeroItIsTheIdentityAndDrawsNothing(bool training, float p)
    {
        var x = Var.Parameter(Tensor.RandomNormal(new Rng(4), 1f, 3, 5), "x");
        var rng = new Rng(5);
        var before = rng.GetState();
        var y = Ops.Dropout(x, p, rng, training);
        Assert.Same(x, y);
        Assert.Equal(before, rng.GetState());
        var weights = Tensor.RandomNormal(new Rng(6), 1f, 3, 5);
        Ops.Sum(Ops.Dropout(x, p, rng, training) * Var.Constant(weights)).Backward();
        Assert.Equal(weights.ToArray(), x.Grad!.ToArray());
    }

    [Fact]
    public void BackwardMultipliesByTheSameMask()
    {
        var x = Var.Parameter(Tensor.Full(2f, 4, 25), "x");
        var y = Ops.Dropout(x, 0.4f, new Rng(7), true);
        Ops.Sum(y).Backward();
        var values = y.Value.ToArray();
        var grad = x.Grad!.ToArray();
        for (int i = 0; i < values.Length; i++) Assert.Equal(values[i] / 2f, grad[i]);
        Assert.Contains(0f, grad);
    }

    [Fact]
    public void GradientCheckWithAFixedMask()
    {
        // GradCheck calls the function many times: a generator seeded inside it gives the same mask every time.
        var report = GradCheck.Run(v => Ops.Dropout(v[0] * v[1], 0.4f, new Rng(8), true),
            [Tensor.RandomNormal(new Rng(9), 1f, 3, 4), Tensor.RandomNormal(new Rng(10), 1f, 3, 4)]);
        Assert.True(report.Passes, report.ToString());
    }

    [Theory]
    [InlineData(-0.1f)]
    [InlineData(1f)]
    [InlineData(float.NaN)]
    public void PMustBeInZeroToOne(float p)
    {
        var x = Var.Constant(Tensor.Zeros(2));
        Assert.Throws<ArgumentOutOfRangeException>(() => Ops.Dropout(x, p, new Rng(1), true));
        Assert.Throws<ArgumentOutOfRangeException>(() => Ops.Dropout(x, p, new Rng(1), false));
    }
}
