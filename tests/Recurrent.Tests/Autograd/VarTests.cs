namespace Recurrent.Tests.Autograd;

public class VarTests
{
    private static Var Scalar(float x) => Var.Parameter(new Tensor([x], 1));

    [Fact]
    public void GradientsAccumulateAcrossUsesAndBackwardCalls()
    {
        var x = Scalar(3f);
        (x * x + x).Backward();            // d/dx (x² + x) = 2x + 1 = 7
        Assert.Equal(7f, x.Grad![0]);
        (x * x).Backward();                // accumulates 2x = 6
        Assert.Equal(13f, x.Grad[0]);
        x.ZeroGrad();
        Assert.Equal(0f, x.Grad[0]);
    }

    [Fact]
    public void DetachStopsGradients()
    {
        var x = Scalar(2f);
        var y = x * x;
        (y.Detach() * x).Backward();       // y treated as the constant 4
        Assert.Equal(4f, x.Grad![0]);
    }

    [Fact]
    public void NoGradRecordsNothing()
    {
        var x = Scalar(2f);
        Var y;
        using (Var.NoGrad()) y = x * x;
        Assert.False(y.RequiresGrad);
        Assert.False(Var.IsRecordingDisabled);
        Assert.Throws<InvalidOperationException>(() => y.Backward());
    }

    [Fact]
    public void BackwardReleasesTheGraph()
    {
        var x = Scalar(2f);
        var y = x * x;
        y.Backward();
        Assert.Equal(4f, x.Grad![0]);
        y.Backward();                      // the graph is gone: only the seed, nothing reaches x
        Assert.Equal(4f, x.Grad[0]);
    }

    [Fact]
    public void LongChainsDoNotOverflowTheStack()
    {
        var x = Scalar(1f);
        var y = x;
        for (int i = 0; i < 100_000; i++) y = y * 1f;
        y.Backward();
        Assert.Equal(1f, x.Grad![0]);
    }

    [Fact]
    public void BackwardNeedsAScalar()
    {
        var x = Var.Parameter(Tensor.Zeros(2, 2));
        Assert.Throws<InvalidOperationException>(() => (x * x).Backward());
    }
}
