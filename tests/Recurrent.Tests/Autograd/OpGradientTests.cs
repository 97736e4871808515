namespace Recurrent.Tests.Autograd;

/// <summary>One gradient check per op: autograd's backward against central finite differences.</summary>
public class OpGradientTests
{
    private static Tensor Random(ulong seed, params int[] shape) => Tensor.RandomNormal(new Rng(seed), 1f, shape);

    private static void Check(Func<IReadOnlyList<Var>, Var> f, params Tensor[] inputs)
    {
        var report = GradCheck.Run(f, inputs, rtol: 1e-2, atol: 1e-3);
        Assert.True(report.Passes, report.ToString());
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public void MatMul(bool ta, bool tb)
    {
        int m = 3, k = 4, n = 5;
        Check(v => Ops.MatMul(v[0], v[1], ta, tb), Random(1, ta ? k : m, ta ? m : k), Random(2, tb ? n : k, tb ? k : n));
    }

    [Fact]
    public void MatMulByOneHotGathersAndScatters()
    {
        int[] hot = [2, 0, 2, 3];
        Check(v => Ops.MatMul(Ops.OneHot(hot, 4), v[0]), Random(3, 4, 5));
    }

    [Fact] public void Linear() => Check(v => Ops.Linear(v[0], v[1], v[2]), Random(31, 3, 4), Random(32, 5, 4), Random(33, 5));

    [Fact]
    public void LinearEqualsMatMulPlusBias()
    {
        Tensor x = Random(34, 6, 7), w = Random(35, 9, 7), b = Random(36, 9);
        var fused = Ops.Linear(Var.Constant(x), Var.Constant(w), Var.Constant(b)).Value.ToArray();
        var plain = (Var.Constant(x).MatMul(Var.Constant(w), transposeOther: true) + Var.Constant(b)).Value.ToArray();
        for (int i = 0; i < plain.Length; i++) Assert.Equal(plain[i], fused[i], 5);
    }

    [Fact] public void Add() => Check(v => v[0] + v[1], Random(4, 3, 4), Random(5, 3, 4));
    [Fact] public void AddBroadcastsBiasOverRows() => Check(v => v[0] + v[1], Random(6, 3, 4), Random(7, 4));
    [Fact] public void Subtract() => Check(v => v[0] - v[1], Random(8, 3, 4), Random(9, 3, 4));
    [Fact] public void SubtractBroadcast() => Check(v => v[0] - v[1], Random(10, 3, 4), Random(11, 4));
    [Fact] public void Multiply() => Check(v => v[0] * v[1], Random(12, 3, 4), Random(13, 3, 4));
    [Fact] public void Scale() => Check(v => v[0] * 2.5f, Random(14, 3, 4));
    [Fact] public void Sigmoid() => Check(v => v[0].Sigmoid(), Random(15, 3, 4));
    [Fact] public void Tanh() => Check(v => v[0].Tanh(), Random(16, 3, 4));
    [Fact] public void Exp() => Check(v => Ops.Exp(v[0]), Random(17, 3, 4));
    [Fact] public void GatherRowsScatterAddsRepeatedIndices() => Check(v => Ops.GatherRows(v[0], [1, 1, 0, 3]), Random(18, 4, 3));
    [Fact] public void ConcatRows() => Check(v => Ops.ConcatRows([v[0], v[1], v[0]]), Random(19, 2, 3), Random(20, 1, 3));
    [Fact] public void SliceRows() => Check(v => Ops.SliceRows(v[0], 1, 2), Random(21, 4, 3));
    [Fact] public void Reshape() => Check(v => Ops.Reshape(v[0], 2, 6) * v[1], Random(22, 3, 4), Random(23, 2, 6));
    [Fact] public void Transpose() => Check(v => Ops.Transpose(v[0]) * v[1], Random(24, 3, 4), Random(25, 4, 3));
    [Fact] public void Sum() => Check(v => Ops.Sum(v[0] * v[0]), Random(26, 3, 4));
    [Fact] public void Mean() => Check(v => Ops.Mean(v[0] * v[0]), Random(27, 2, 3, 2));

    [Fact]
    public void SoftmaxCrossEntropy()
    {
        Check(v => Ops.SoftmaxCrossEntropy(v[0], [0, 3, 3, 1, 4]), Random(28, 5, 6));
    }

    [Fact]
    public void SoftmaxCrossEntropyOfLogitsThatFeedAnotherOpToo()
    {
        // The loss gives its softmax to the logits as their gradient when it is their only consumer, and adds it
        // into the gradient when another consumer got there first: whichever order backward takes, both sum up.
        int[] targets = [2, 0, 5, 1];
        Check(v => { var z = v[0] * v[1]; return Ops.SoftmaxCrossEntropy(z, targets) + Ops.Mean(z * z); }, Random(31, 4, 6), Random(32, 4, 6));
        Check(v => { var z = v[0] * v[1]; return Ops.Mean(z * z) + Ops.SoftmaxCrossEntropy(z, targets); }, Random(33, 4, 6), Random(34, 4, 6));
    }

    [Fact]
    public void SoftmaxCrossEntropyIsStableForHugeLogits()
    {
        var logits = new Tensor([1000f, 0f, -1000f, 0f, 1000f, 1000f], 2, 3);
        var loss = Ops.SoftmaxCrossEntropy(Var.Constant(logits), [0, 1]).Value[0];
        // Row 0: log(1 + e^-1000 + e^-2000) ≈ 0; row 1: log(2 e^1000) - 1000 ... against target 1 (value 1000) = log 2.
        Assert.Equal((0 + Math.Log(2)) / 2, loss, 5);
    }

    [Fact]
    public void SoftmaxCrossEntropyMatchesTheDefinition()
    {
        var logits = Random(29, 3, 4);
        int[] targets = [1, 0, 3];
        double expected = 0;
        for (int r = 0; r < 3; r++)
        {
            double sum = 0;
            for (int j = 0; j < 4; j++) sum += Math.Exp(logits[r, j]);
            expected -= Math.Log(Math.Exp(logits[r, targets[r]]) / sum);
        }
        Assert.Equal(expected / 3, Ops.SoftmaxCrossEntropy(Var.Constant(logits), targets).Value[0], 5);
    }

    [Fact]
    public void AGradientCheckerCatchesAWrongBackward()
    {
        // A deliberately wrong op (backward doubles the gradient) must fail the check: the checker can fail.
        static Var Wrong(Var x) => Var.FromOp(x.Value.Clone(), [x], o =>
        {
            if (Var.GradFor(x) is { } dx) Kernels.AddScaled(dx.Span, 2f, o.Grad!.Span);
        });
        var report = GradCheck.Run(v => Wrong(v[0]), [Random(30, 2, 3)]);
        Assert.False(report.Passes);
    }
}
