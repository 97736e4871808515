namespace Recurrent.Tests.Training;

public class OptimizationTests
{
    private static Var Param(params float[] values) => Var.Parameter(new Tensor(values, values.Length));

    [Fact]
    public void ClippingScalesAllGradientsByThetaOverTheGlobalNorm()
    {
        var a = Param(0f, 0f);
        var b = Param(0f);
        new Tensor([3f, 0f], 2).Span.CopyTo(a.Grad!.Span);
        new Tensor([4f], 1).Span.CopyTo(b.Grad!.Span);   // global norm 5
        double norm = GradientClipping.ClipByGlobalNorm([a, b], 0.5f);
        Assert.Equal(5.0, norm, 6);
        Assert.Equal([0.3f, 0f], a.Grad.ToArray());
        Assert.Equal(0.4f, b.Grad[0], 6);
    }

    [Fact]
    public void HugeGradientsAreClippedNotZeroed()
    {
        var a = Param(0f, 0f);
        a.Grad![0] = 3e19f; a.Grad[1] = 4e19f;   // their squares overflow float
        double norm = GradientClipping.ClipByGlobalNorm([a], 1f);
        Assert.Equal(5e19, norm, 1e14);
        Assert.Equal(0.6f, a.Grad[0], 5);
        Assert.Equal(0.8f, a.Grad[1], 5);
    }

    [Fact]
    public void ClippingLeavesSmallGradientsAlone()
    {
        var a = Param(0f, 0f);
        a.Grad![0] = 0.3f; a.Grad[1] = 0.4f;
        GradientClipping.ClipByGlobalNorm([a], 1f);
        Assert.Equal([0.3f, 0.4f], a.Grad.ToArray());
    }

    [Fact]
    public void SgdStepsAgainstTheGradient()
    {
        var a = Param(1f, 2f);
        a.Grad![0] = 0.5f; a.Grad[1] = -1f;
        new SgdOptimizer().Step([a], 0.1f);
        Assert.Equal(0.95f, a.Value[0], 6);
        Assert.Equal(2.1f, a.Value[1], 6);
    }
}
