namespace Recurrent.Tests.Models;

/// <summary>
/// The fused LSTM against the from-scratch one on the same weights: logits, final (H, C) and every gradient;
/// both against finite differences.
/// </summary>
[Collection("Parallelism")]
public class LstmEquivalenceTests
{
    private const int V = 7, H = 5, B = 3, T = 4;

    /// <summary>A scratch model with weights large enough that every non-linearity matters, and non-zero biases.</summary>
    private static ScratchLstm Scratch(ulong seed, CellOutput cellOutput)
    {
        var rng = new Rng(seed);
        var p = ScratchLstm.GetParams(V, H, rng);
        foreach (var v in p) rng.FillNormal(v.Value.Span, 0f, 0.5f);
        return new ScratchLstm(p, cellOutput);
    }

    private static int[] Tokens(ulong seed, int n)
    {
        var rng = new Rng(seed);
        return Enumerable.Range(0, n).Select(_ => rng.NextInt(V)).ToArray();
    }

    private static RecurrentState RandomState(ulong seed) => new([
        Var.Constant(Tensor.RandomNormal(new Rng(seed), 0.5f, B, H)),
        Var.Constant(Tensor.RandomNormal(new Rng(seed + 1), 0.5f, B, H))]);

    private static void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, string what, double rtol = 1e-4)
    {
        Assert.Equal(expected.Length, actual.Length);
        double scale = 0;
        foreach (float e in expected) scale = Math.Max(scale, Math.Abs(e));
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= rtol * scale + 1e-7,
                $"{what}[{i}]: scratch {expected[i]}, fused {actual[i]} (scale {scale})");
    }

    [Theory]
    [InlineData(CellOutput.Tanh)]
    [InlineData(CellOutput.Linear)]
    public void FusedMatchesScratchInOutputsStatesAndGradients(CellOutput cellOutput)
    {
        var scratch = Scratch(1, cellOutput);
        var fused = RnnModel.FromScratch(scratch);
        var inputs = Tokens(2, B * T);
        var targets = Tokens(3, B * T);
        var state = RandomState(4);

        var (ls, ss) = scratch.Forward(inputs, B, T, state);
        var (lf, sf) = fused.Forward(inputs, B, T, state);
        AssertClose(ls.Value.Span, lf.Value.Span, "logits");
        AssertClose(ss.Parts[0].Value.Span, sf.Parts[0].Value.Span, "H");
        AssertClose(ss.Parts[1].Value.Span, sf.Parts[1].Value.Span, "C");

        Ops.SoftmaxCrossEntropy(ls, targets).Backward();
        Ops.SoftmaxCrossEntropy(lf, targets).Backward();
        // Map the scratch gradients into the fused layout the same way the weights were mapped.
        var gradsAsModel = new ScratchLstm(scratch.Parameters.Select(p => Var.Parameter(p.Grad!.Clone())).ToArray(), cellOutput);
        var expected = RnnModel.FromScratch(gradsAsModel);
        var names = new[] { "W_ih", "W_hh", "b_ih", "b_hh", "dense.weight", "dense.bias" };
        for (int i = 0; i < names.Length; i++)
        {
            var want = expected.Parameters[i].Value.Span;
            if (i == 3) want = expected.Parameters[2].Value.Span;   // the book's one bias: b_hh gets the same gradient as b_ih
            AssertClose(want, fused.Parameters[i].Grad!.Span, names[i]);
        }
    }

    [Theory]
    [InlineData(17)]
    [InlineData(33)]
    public void FusedMatchesScratchWithTheBatchesTheBookRunUses(int batch)
    {
        // B > 4 takes the packed W_hh, B >= 16 splits each step's cell updates among threads, and 33·T rows of
        // logits share the softmax among threads: the paths of the book's run (B = 32), checked against the oracle.
        int saved = Parallelism.MaxThreads;
        Parallelism.MaxThreads = 2;
        try { CompareAtBatch(batch); }
        finally { Parallelism.MaxThreads = saved; }
    }

    private static void CompareAtBatch(int batch)
    {
        var scratch = Scratch(21, CellOutput.Tanh);
        var fused = RnnModel.FromScratch(scratch);
        var inputs = Tokens(22, batch * T);
        var targets = Tokens(23, batch * T);
        var state = new RecurrentState([Var.Constant(Tensor.RandomNormal(new Rng(24), 0.5f, batch, H)), Var.Constant(Tensor.RandomNormal(new Rng(25), 0.5f, batch, H))]);
        var (ls, ss) = scratch.Forward(inputs, batch, T, state);
        var (lf, sf) = fused.Forward(inputs, batch, T, state);
        AssertClose(ls.Value.Span, lf.Value.Span, "logits");
        AssertClose(ss.Parts[1].Value.Span, sf.Parts[1].Value.Span, "C");
        Ops.SoftmaxCrossEntropy(ls, targets).Backward();
        Ops.SoftmaxCrossEntropy(lf, targets).Backward();
        var expected = RnnModel.FromScratch(new ScratchLstm(scratch.Parameters.Select(p => Var.Parameter(p.Grad!.Clone())).ToArray()));
        for (int i = 0; i < 6; i++)
            AssertClose(expected.Parameters[i == 3 ? 2 : i].Value.Span, fused.Parameters[i].Grad!.Span, $"gradient {i}");
    }

    [Fact]
    public void ScratchModelPassesGradCheck()
    {
        var scratch = Scratch(5, CellOutput.Tanh);
        var inputs = Tokens(6, 2 * 3);
        var targets = Tokens(7, 2 * 3);
        var report = GradCheck.Run(v =>
        {
            var model = new ScratchLstm(v, CellOutput.Tanh);
            return Ops.SoftmaxCrossEntropy(model.Forward(inputs, 2, 3, model.BeginState(2)).Logits, targets);
        }, scratch.Parameters.Select(p => p.Value).ToArray(), rtol: 1e-2, atol: 1e-4);
        Assert.True(report.Passes, report.ToString());
    }

    [Theory]
    [InlineData(CellOutput.Tanh)]
    [InlineData(CellOutput.Linear)]
    public void FusedModelPassesGradCheck(CellOutput cellOutput)
    {
        var fused = RnnModel.FromScratch(Scratch(8, cellOutput));
        foreach (var p in fused.Parameters) new Rng(9).FillNormal(p.Value.Span, 0f, 0.5f);   // b_hh non-zero too
        var inputs = Tokens(10, 2 * 3);
        var targets = Tokens(11, 2 * 3);
        var report = GradCheck.Run(v =>
        {
            var model = new RnnModel(new LstmLayer(v[0], v[1], v[2], v[3], cellOutput), v[4], v[5]);
            return Ops.SoftmaxCrossEntropy(model.Forward(inputs, 2, 3, model.BeginState(2)).Logits, targets);
        }, fused.Parameters.Select(p => p.Value).ToArray(), rtol: 1e-2, atol: 1e-4);
        Assert.True(report.Passes, report.ToString());
    }

    [Fact]
    public void ASecondForwardBeforeBackwardIsAnError()
    {
        var fused = RnnModel.FromScratch(Scratch(12, CellOutput.Tanh));
        var inputs = Tokens(13, B * T);
        var (first, _) = fused.Forward(inputs, B, T, fused.BeginState(B));
        fused.Forward(inputs, B, T, fused.BeginState(B));
        Assert.Throws<InvalidOperationException>(() => Ops.SoftmaxCrossEntropy(first, Tokens(14, B * T)).Backward());
    }

    [Fact]
    public void GreedyPredictionIsTheSameForBothModels()
    {
        var scratch = Scratch(15, CellOutput.Tanh);
        var fused = RnnModel.FromScratch(scratch);
        Assert.Equal(scratch.PredictGreedy([1, 2], 20), fused.PredictGreedy([1, 2], 20));
        Assert.Equal([1, 2], scratch.PredictGreedy([1, 2], 20)[..2]);
    }

    [Fact]
    public void DenseInputPassesGradCheckIncludingTheInputGradient()
    {
        const int inputSize = 4, hidden = 3, batch = 2, steps = 3;
        var rng = new Rng(16);
        var inputs = Tensor.RandomNormal(rng, 1f, steps * batch, inputSize);
        var weights = new[] { Tensor.RandomNormal(rng, 0.5f, 4 * hidden, inputSize), Tensor.RandomNormal(rng, 0.5f, 4 * hidden, hidden),
            Tensor.RandomNormal(rng, 0.5f, 4 * hidden), Tensor.RandomNormal(rng, 0.5f, 4 * hidden) };
        var report = GradCheck.Run(v =>
        {
            var layer = new LstmLayer(v[1], v[2], v[3], v[4]);
            return layer.Forward(v[0], batch, steps, ScratchLstm.InitLstmState(batch, hidden)).Outputs;
        }, [inputs, .. weights], rtol: 1e-2, atol: 1e-4);
        Assert.True(report.Passes, report.ToString());
    }

    [Fact]
    public void OneHotRowsAsDenseInputGiveTheSameOutputsAndWeightGradients()
    {
        var fused = RnnModel.FromScratch(Scratch(17, CellOutput.Tanh));
        var layer = fused.Rnn;
        var tokens = Tokens(18, B * T);
        var dY = Tensor.RandomNormal(new Rng(19), 1f, T * B, H);
        var (byToken, _) = layer.Forward(tokens, B, T, RandomState(20));
        Ops.Sum(byToken * Var.Constant(dY)).Backward();
        var expected = layer.Parameters.Select(p => p.Grad!.ToArray()).ToArray();
        var expectedOutputs = byToken.Value.ToArray();
        foreach (var p in layer.Parameters) p.ZeroGrad();

        var (byDense, _) = layer.Forward(Ops.OneHot(tokens, V), B, T, RandomState(20));
        AssertClose(expectedOutputs, byDense.Value.Span, "outputs", 1e-6);
        Ops.Sum(byDense * Var.Constant(dY)).Backward();
        for (int i = 0; i < 4; i++) AssertClose(expected[i], layer.Parameters[i].Grad!.Span, $"parameter {i}", 1e-5);
    }
}
