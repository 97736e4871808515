using static Recurrent.Tests.Models.CellTestSupport;

namespace Recurrent.Tests.Models;

/// <summary>
/// A fused layer against its from-scratch twin on the same weights (outputs, final state, every gradient, with
/// one-hot and with dense input), both against finite differences, and the layer's contracts. One fixture serves
/// every cell; each cell says how to build its two models.
/// </summary>
/// <typeparam name="TScratch">The from-scratch model on autograd.</typeparam>
/// <typeparam name="TLayer">The fused layer.</typeparam>
public abstract class CellEquivalenceTests<TScratch, TLayer>
    where TScratch : LanguageModel where TLayer : IRecurrentLayer
{
    protected const int V = 7, H = 5, B = 3, T = 4;

    /// <summary>The book's parameters of the scratch model (get_params).</summary>
    protected abstract Var[] GetParams(int inputSize, int hiddenSize, Rng rng);

    /// <summary>The scratch model on given parameters.</summary>
    protected abstract TScratch Scratch(IReadOnlyList<Var> parameters);

    /// <summary>The scratch model's step loop over dense inputs (the book's gru/rnn function).</summary>
    protected abstract (List<Var> Outputs, RecurrentState State) Steps(IReadOnlyList<Var> inputs, RecurrentState state, IReadOnlyList<Var> parameters);

    /// <summary>The fused layer holding the scratch model's function.</summary>
    protected abstract TLayer FromScratch(TScratch scratch);

    /// <summary>A fresh fused layer.</summary>
    protected abstract TLayer Layer(int inputSize, int hiddenSize, Rng rng, int layerIndex = 0);

    /// <summary>A fused layer on given W_ih, W_hh, b_ih, b_hh.</summary>
    protected abstract TLayer Layer(Var weightIH, Var weightHH, Var biasIH, Var biasHH);

    /// <summary>Rows of the fused weights per hidden unit: 4 for an LSTM (i, f, g, o), 3 for a GRU (r, z, n), 1 for an RNN.</summary>
    protected abstract int Gates { get; }

    /// <summary>Tensors of the state: 2 for an LSTM (H, C), 1 otherwise (H).</summary>
    protected virtual int StateParts => 1;

    /// <summary>A state of every part drawn from N(0, 0.5²), so that step 0 depends on it.</summary>
    private RecurrentState RandomState(ulong seed, int batchSize, int hiddenSize) =>
        new(Enumerable.Range(0, StateParts).Select(k => CellTestSupport.RandomState(seed + (ulong)k, batchSize, hiddenSize).Parts[0]).ToArray());

    private void AssertSameState(RecurrentState expected, RecurrentState actual)
    {
        Assert.Equal(StateParts, actual.Parts.Count);
        for (int k = 0; k < StateParts; k++) AssertClose(expected.Parts[k].Value.Span, actual.Parts[k].Value.Span, k == 0 ? "H" : "C");
    }

    /// <summary>
    /// The gradient b_hh must receive, given the scratch gradients mapped into the fused layout (W_ih, W_hh, b_ih,
    /// b_hh): wherever b_hh is a plain second bias of the same sum as b_ih, it receives b_ih's gradient.
    /// </summary>
    protected abstract void MapBiasGradient(float[][] expected);

    private TScratch Scratch(ulong seed, int inputSize = V)
    {
        // Weights large enough that every non-linearity matters, and non-zero biases.
        var p = GetParams(inputSize, H, new Rng(seed));
        Randomize(p, seed + 100);
        return Scratch(p);
    }

    private (Var Whq, Var Bq) OutputLayerOf(TScratch scratch) => (scratch.Parameters[^2], scratch.Parameters[^1]);

    private void AssertSameGradients(TScratch scratch, TLayer fused, Var fusedWhq, Var fusedBq)
    {
        var grads = Scratch(scratch.Parameters.Select(p => Var.Parameter(p.Grad!.Clone())).ToArray());
        var expected = FromScratch(grads).Parameters.Select(p => p.Value.ToArray()).ToArray();
        MapBiasGradient(expected);
        string[] names = ["W_ih", "W_hh", "b_ih", "b_hh"];
        for (int i = 0; i < 4; i++) AssertClose(expected[i], fused.Parameters[i].Grad!.Span, names[i]);
        var (whq, bq) = OutputLayerOf(scratch);
        AssertClose(whq.Grad!.Span, fusedWhq.Grad!.Span, "W_hq");
        AssertClose(bq.Grad!.Span, fusedBq.Grad!.Span, "b_q");
    }

    [Fact]
    public void FusedMatchesScratchOnOneHotInput()
    {
        var scratch = Scratch(1);
        var fused = FromScratch(scratch);
        var (wHq, bQ) = (CopyOf(OutputLayerOf(scratch).Whq), CopyOf(OutputLayerOf(scratch).Bq));
        var inputs = Tokens(2, B * T, V);
        var targets = Tokens(3, B * T, V);
        var state = RandomState(4, B, H);

        var (ls, ss) = scratch.Forward(inputs, B, T, state);
        var (hf, sf) = fused.Forward(TimeMajor(inputs, B, T), B, T, state);
        var lf = hf.MatMul(wHq) + bQ;
        AssertClose(ls.Value.Span, lf.Value.Span, "logits");
        AssertSameState(ss, sf);

        Ops.SoftmaxCrossEntropy(ls, targets).Backward();
        Ops.SoftmaxCrossEntropy(lf, targets).Backward();
        AssertSameGradients(scratch, fused, wHq, bQ);
    }

    [Fact]
    public void FusedMatchesScratchOnDenseInputIncludingTheInputGradient()
    {
        const int I = 4;
        var scratch = Scratch(5, I);
        var fused = FromScratch(scratch);
        var (wHq, bQ) = (CopyOf(OutputLayerOf(scratch).Whq), CopyOf(OutputLayerOf(scratch).Bq));
        var x = Tensor.RandomNormal(new Rng(6), 1f, T * B, I);
        var (xs, xf) = (Var.Parameter(x.Clone()), Var.Parameter(x.Clone()));
        var targets = Tokens(7, B * T, I);
        var state = RandomState(8, B, H);

        var steps = Enumerable.Range(0, T).Select(t => Ops.SliceRows(xs, t * B, B)).ToList();
        var (ys, ss) = Steps(steps, state, scratch.Parameters);
        var ls = Ops.ConcatRows(ys);
        var (hf, sf) = fused.Forward(xf, B, T, state);
        var lf = hf.MatMul(wHq) + bQ;
        AssertClose(ls.Value.Span, lf.Value.Span, "logits");
        AssertSameState(ss, sf);

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
            var model = Scratch(v);
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
        var layer = Layer(I, H, new Rng(13));
        Randomize(layer.Parameters, 14);
        var tokens = Tokens(15, t * b, I);
        var state = RandomState(16, b, H);
        var point = layer.Parameters.Select(p => p.Value).ToList();
        if (denseInput) point.Add(Tensor.RandomNormal(new Rng(17), 1f, t * b, I));
        var report = GradCheck.Run(v =>
        {
            var l = Layer(v[0], v[1], v[2], v[3]);
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
        var layer = Layer(V, H, new Rng(18));
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
        var one = Layer(V, H, new Rng(23));
        var p = one.Parameters;
        var five = Layer(p[0], p[1], p[2], p[3]);
        long Bytes(TLayer layer, int steps)
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
        var layer = Layer(4, 3, new Rng(21), layerIndex: 2);
        Assert.Equal(["rnn.weight_ih_l2", "rnn.weight_hh_l2", "rnn.bias_ih_l2", "rnn.bias_hh_l2"], layer.Parameters.Select(p => p.Name));
        Assert.Equal([Gates * 3, 4], layer.Parameters[0].Value.Shape.ToArray());
        Assert.Equal([Gates * 3, 3], layer.Parameters[1].Value.Shape.ToArray());
        Assert.Equal([Gates * 3], layer.Parameters[2].Value.Shape.ToArray());
        Assert.Equal([Gates * 3], layer.Parameters[3].Value.Shape.ToArray());
        var parts = layer.BeginState(5).Parts;
        Assert.Equal(StateParts, parts.Count);
        foreach (var state in parts)
        {
            Assert.Equal([5, 3], state.Value.Shape.ToArray());
            Assert.All(state.Value.ToArray(), v => Assert.Equal(0f, v));
        }
    }

    [Fact]
    public void RejectsBadTokensStatesAndInputShapes()
    {
        var layer = Layer(V, H, new Rng(22));
        Assert.Throws<ArgumentOutOfRangeException>(() => layer.Forward([0, V], 2, 1, layer.BeginState(2)));
        Assert.Throws<ArgumentException>(() => layer.Forward([0, 1, 2], 2, 1, layer.BeginState(2)));
        Assert.Throws<ArgumentException>(() => layer.Forward([0, 1], 2, 1, layer.BeginState(3)));
        Assert.Throws<ArgumentException>(() => layer.Forward(Var.Constant(Tensor.Zeros(2, V + 1)), 2, 1, layer.BeginState(2)));
    }
}

/// <summary>The fused LSTM against the book's from-scratch one.</summary>
public class LstmCellEquivalenceTests : CellEquivalenceTests<ScratchLstm, LstmLayer>
{
    protected override Var[] GetParams(int inputSize, int hiddenSize, Rng rng) => ScratchLstm.GetParams(inputSize, hiddenSize, rng);
    protected override ScratchLstm Scratch(IReadOnlyList<Var> parameters) => new(parameters);
    protected override (List<Var> Outputs, RecurrentState State) Steps(IReadOnlyList<Var> inputs, RecurrentState state, IReadOnlyList<Var> parameters) =>
        ScratchLstm.Lstm(inputs, state, parameters);
    protected override LstmLayer FromScratch(ScratchLstm scratch) => LstmLayer.FromScratch(scratch);
    protected override LstmLayer Layer(int inputSize, int hiddenSize, Rng rng, int layerIndex = 0) => new(inputSize, hiddenSize, rng, layerIndex: layerIndex);
    protected override LstmLayer Layer(Var weightIH, Var weightHH, Var biasIH, Var biasHH) => new(weightIH, weightHH, biasIH, biasHH);
    protected override int Gates => 4;
    protected override int StateParts => 2;

    // The book's one bias per gate maps to b_ih; b_hh, a second bias of the same sum, receives the same gradient.
    protected override void MapBiasGradient(float[][] expected) => expected[3] = expected[2];
}

/// <summary>The fused GRU against the from-scratch one.</summary>
public class GruEquivalenceTests : CellEquivalenceTests<ScratchGru, GruLayer>
{
    protected override Var[] GetParams(int inputSize, int hiddenSize, Rng rng) => ScratchGru.GetParams(inputSize, hiddenSize, rng);
    protected override ScratchGru Scratch(IReadOnlyList<Var> parameters) => new(parameters);
    protected override (List<Var> Outputs, RecurrentState State) Steps(IReadOnlyList<Var> inputs, RecurrentState state, IReadOnlyList<Var> parameters) =>
        ScratchGru.Gru(inputs, state, parameters);
    protected override GruLayer FromScratch(ScratchGru scratch) => GruLayer.FromScratch(scratch);
    protected override GruLayer Layer(int inputSize, int hiddenSize, Rng rng, int layerIndex = 0) => new(inputSize, hiddenSize, rng, layerIndex: layerIndex);
    protected override GruLayer Layer(Var weightIH, Var weightHH, Var biasIH, Var biasHH) => new(weightIH, weightHH, biasIH, biasHH);
    protected override int Gates => 3;

    // The r and z parts of b_hh are plain biases of the same sums as b_ih's; its n part sits inside r ⊙ (…) and is the scratch model's own b_hh.
    protected override void MapBiasGradient(float[][] expected) => Array.Copy(expected[2], expected[3], 2 * H);
}

/// <summary>The fused tanh RNN against the from-scratch one.</summary>
public class TanhRnnEquivalenceTests : CellEquivalenceTests<ScratchRnn, TanhRnnLayer>
{
    protected override Var[] GetParams(int inputSize, int hiddenSize, Rng rng) => ScratchRnn.GetParams(inputSize, hiddenSize, rng);
    protected override ScratchRnn Scratch(IReadOnlyList<Var> parameters) => new(parameters);
    protected override (List<Var> Outputs, RecurrentState State) Steps(IReadOnlyList<Var> inputs, RecurrentState state, IReadOnlyList<Var> parameters) =>
        ScratchRnn.Rnn(inputs, state, parameters);
    protected override TanhRnnLayer FromScratch(ScratchRnn scratch) => TanhRnnLayer.FromScratch(scratch);
    protected override TanhRnnLayer Layer(int inputSize, int hiddenSize, Rng rng, int layerIndex = 0) => new(inputSize, hiddenSize, rng, layerIndex: layerIndex);
    protected override TanhRnnLayer Layer(Var weightIH, Var weightHH, Var biasIH, Var biasHH) => new(weightIH, weightHH, biasIH, biasHH);
    protected override int Gates => 1;

    // The book's one bias maps to b_ih; b_hh, a second bias of the same sum, receives the same gradient.
    protected override void MapBiasGradient(float[][] expected) => expected[3] = expected[2];
}
