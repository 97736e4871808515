namespace Recurrent.Tests.Training;

public class LossScaleTests
{
    [Fact]
    public void MeanIsTheBooksLossAndSumStepsIsTTimesIt()
    {
        Assert.Equal(1f, LossScale.Mean.Factor(35));
        Assert.Equal(35f, LossScale.SumSteps.Factor(35));
        Assert.Throws<ArgumentOutOfRangeException>(() => LossScale.SumSteps.Factor(0));
    }

    [Fact]
    public void SumStepsIsTheSumOverStepsOfTheMeanOverTheBatch()
    {
        const int T = 3, B = 2, V = 4;
        var logits = Tensor.RandomNormal(new Rng(5), 1f, T * B, V);   // time-major rows t·B + b
        int[] targets = [0, 3, 1, 1, 2, 0];
        double expected = 0;
        for (int t = 0; t < T; t++)
        {
            var rows = Var.Constant(logits.RowRange(t * B, B).Clone());
            expected += Ops.SoftmaxCrossEntropy(rows, targets.AsSpan(t * B, B)).Value[0];
        }
        float mean = Ops.SoftmaxCrossEntropy(Var.Constant(logits), targets).Value[0];
        Assert.Equal(expected, LossScale.SumSteps.Factor(T) * mean, 5);
    }
}
