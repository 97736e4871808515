using static Recurrent.Tests.Cells.CellTestSupport;

namespace Recurrent.Tests.Cells;

/// <summary>
/// The fused tanh RNN against the from-scratch one on the same weights (outputs, final state, every gradient, with
/// one-hot and with dense input); both against finite differences.
/// </summary>
public class TanhRnnEquivalenceTests
{
    private const int V = 7, H = 5, B = 3, T = 4;

    /// <summary>A scratch model with weights large enough that the tanh matters, and a non-zero bias.</summary>
    private static ScratchRnn Scratch(ulong seed, int inputSize = V)
    {
        var p = ScratchRnn.GetParams(inputSize, H, new Rng(seed));
        Randomize(p, seed + 100);
        return new ScratchRnn(p);
    }

    /// <summary>
    /// Compares every gradient. The scratch gradients are mapped into the fused layout the way the weights were; the
    /// book's one bias maps to b_ih, and b_hh, a second bias of the same sum, receives the same gradient.
    /// </summary>
    private static void AssertSameGradients(ScratchRnn scratch, TanhRnnLayer fused, Var fusedWhq, Var fusedBq)
    {
        var grads = new ScratchRnn(scratch.Parameters.Select(p => Var.Parameter(p.Grad!.Clone())).ToArray());
        var expected = TanhRnnLayer.FromScratch(grads).Parameters.Select(p => p.Value.ToArray()).ToArray();
        expected[3] = expected[2];
        string[] names = ["W_ih", "W_hh", "b_ih", "b_hh"];
        for (int i = 0; i < 4; i++) AssertClose(expected[i], fused.Parameters[i].Grad!.Span, names[i]);
        AssertClose(scratch.Parameters[3].Grad!.Span, fusedWhq.Grad!.Span, "W_hq");
        AssertClose(scratch.Parameters[4].Grad!.Span, fusedBq.Grad!.Span, "b_q");
    }

    [Fact]
    public void FusedMatchesScratchOnOneHotInput()
    {
        var scratch = Scratch(1);
        var fused = TanhRnnLayer.FromScratch(scratch);
        var (wHq, bQ) = (CopyOf(scratch.Parameters[3]), CopyOf(scratch.Parameters[4]));
        var inputs = Tokens(2, B * T, V);
        var targets = Tokens(3, B * T, V);
        var state = RandomState(4, B, H);

        var (ls, ss) = scratch.Forward(inputs, B, T, state);
        var (hf, sf) = fused.Forward(TimeMajor(inputs, B, T), B, T, state);
        var lf = hf.MatMul(wHq) + bQ;
        AssertClose(ls.Value.Span, lf.Value.Span, "logits");
        AssertClose(ss.Parts[0].Value.Span, sf.Parts[0].Value.Span, "H");

        Ops.SoftmaxCrossEntropy(ls, targets).Backward();
        Ops.SoftmaxCrossEntropy(lf, targets).Backward();
        AssertSameGradients(scratch, fused, wHq, bQ);
    }

    [Fact]
    public void FusedMatchesScratchOnDenseInputIncludingTheInputGradient()
    {
        const int I = 4;
        var scratch = Scratch(5, I);
        var fused = TanhRnnLayer.FromScratch(scratch);
        var (wHq, bQ) = (CopyOf(scratch.Parameters[3]), CopyOf(scratch.Parameters[4]));
        var x = Tensor.RandomNormal(new Rng(6), 1f, T * B, I);
        var (xs, xf) = (Var.Parameter(x.Clone()), Var.Parameter(x.Clone()));
        var targets = Tokens(7, B * T, I);
        var state = RandomState(8, B, H);

        var steps = Enumerable.Range(0, T).Select(t => Ops.SliceRows(xs, t * B, B)).ToList();
        var (ys, ss) = ScratchRnn.Rnn(steps, state, scratch.Parameters);
        var ls = Ops.ConcatRows(ys);
        var (hf, sf) = fused.Forward(xf, B, T, state);
        var lf = hf.MatMul(wHq) + bQ;
        AssertClose(ls.Value.Span, lf.Value.Span, "logits");
        AssertClose(ss.Parts[0].Value.Span, sf.Parts[0].Value.Span, "H");

        Ops.SoftmaxCrossEntropy(ls, targets).Backward();
        Ops.SoftmaxCrossEntropy(lf, targets).Backward();
        AssertSameGradients(scratch, fused, wHq, bQ);
        AssertClose(xs.Grad!.Span, xf.Grad!.Span, "dX");
    }

    [Fact]
    public void ScratchModelPassesGradCheck()
    {
        var scratch = Scratch(9);
        var inputs = Tokens(10, 2 * 3, V);
        var targets = Tokens(11, 2 * 3, V);
        var state = RandomState(12, 2, H);
        var report = GradCheck.Run(v =>
        {
            var model = new ScratchRnn(v);
            return Ops.SoftmaxCrossEntropy(model.Forward(inputs, 2, 3, state).Logits, targets);
        }, scratch.Parameters.Select(p => p.Value).ToArray(), rtol: 1e-2, atol: 1e-4);
        Assert.True(report.Passes, report.ToString());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void FusedLayerPassesGradCheck(bool denseInput)
    {
        const int I = 4, b = 2, t = 3;
        var layer = new TanhRnnLayer(I, H, new Rng(13));
        Randomize(layer.Parameters, 14);
        var tokens = Tokens(15, t * b, I);
        var state = RandomState(16, b, H);
        var point = layer.Parameters.Select(p => p.Value).ToList();
        if (denseInput) point.Add(Tensor.RandomNormal(new Rng(17), 1f, t * b, I));
        var report = GradCheck.Run(v =>
        {
            var l = new TanhRnnLayer(v[0], v[1], v[2], v[3]);
            return denseInput ? l.Forward(v[4], b, t, state).Outputs : l.Forward(tokens, b, t, state).Outputs;
        }, point, rtol: 1e-2, atol: 1e-4);
        Assert.True(report.Passes, report.ToString());
        Assert.Equal(point.Count, report.Results.Count);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ASecondForwardBeforeBackwardIsAnError(bool denseInput)
    {
        var layer = new TanhRnnLayer(V, H, new Rng(18));
        var tokens = Tokens(19, B * T, V);
        var x = Var.Parameter(Tensor.RandomNormal(new Rng(20), 1f, T * B, V));
        Var Run() => denseInput ? layer.Forward(x, B, T, layer.BeginState(B)).Outputs : layer.Forward(tokens, B, T, layer.BeginState(B)).Outputs;

        var first = Run();
        var second = Run();
        Assert.Throws<InvalidOperationException>(() => Ops.Sum(first).Backward());
        Ops.Sum(second).Backward();   // the latest forward still has its activations
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ForwardAllocatesNothingPerStep(bool denseInput)
    {
        // Two layers on the same parameters, so each keeps its buffers for its own T: what a forward allocates
        // besides them (the result, the final state, the backward closure) must not depend on T.
        var one = new TanhRnnLayer(V, H, new Rng(23));
        var five = new TanhRnnLayer(one.WeightIH, one.WeightHH, one.BiasIH, one.BiasHH);
        long Bytes(TanhRnnLayer layer, int steps)
        {
            var tokens = Tokens(24, steps * B, V);
            var x = Var.Parameter(Tensor.RandomNormal(new Rng(25), 1f, steps * B, V));
            var state = layer.BeginState(B);
            return BytesAllocatedBy(() => _ = denseInput ? layer.Forward(x, B, steps, state) : layer.Forward(tokens, B, steps, state));
        }
        Assert.Equal(Bytes(one, 1), Bytes(five, 5));
    }

    [Fact]
    public void ParametersHavePyTorchNamesAndShapes()
    {
        var layer = new TanhRnnLayer(4, 3, new Rng(21), layerIndex: 1);
        Assert.Equal(["rnn.weight_ih_l1", "rnn.weight_hh_l1", "rnn.bias_ih_l1", "rnn.bias_hh_l1"], layer.Parameters.Select(p => p.Name));
        Assert.Equal([3, 4], layer.WeightIH.Value.Shape.ToArray());
        Assert.Equal([3, 3], layer.WeightHH.Value.Shape.ToArray());
        Assert.Equal([3], layer.BiasIH.Value.Shape.ToArray());
        Assert.Equal([3], layer.BiasHH.Value.Shape.ToArray());
        var state = Assert.Single(layer.BeginState(5).Parts);
        Assert.Equal([5, 3], state.Value.Shape.ToArray());
        Assert.All(state.Value.ToArray(), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void RejectsBadTokensStatesAndInputShapes()
    {
        var layer = new TanhRnnLayer(V, H, new Rng(22));
        Assert.Throws<ArgumentOutOfRangeException>(() => layer.Forward([0, V], 2, 1, layer.BeginState(2)));
        Assert.Throws<ArgumentException>(() => layer.Forward([0, 1, 2], 2, 1, layer.BeginState(2)));
        Assert.Throws<ArgumentException>(() => layer.Forward([0, 1], 2, 1, layer.BeginState(3)));
        Assert.Throws<ArgumentException>(() => layer.Forward(Var.Constant(Tensor.Zeros(2, V + 1)), 2, 1, layer.BeginState(2)));
    }
}
