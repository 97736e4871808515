namespace Recurrent.Tests.Models;

/// <summary>The general concise model: any cell, stacked layers, embeddings, dropout.</summary>
public class RnnModelTests
{
    private const int V = 6, H = 4, B = 2, T = 3;

    private static int[] Tokens(ulong seed) { var r = new Rng(seed); return Enumerable.Range(0, B * T).Select(_ => r.NextInt(V)).ToArray(); }

    /// <summary>Builds a model whose parameters are the GradCheck variables, in the model's own order.</summary>
    private static Func<IReadOnlyList<Var>, RnnModel> Rebuild(RnnModel template, CellKind cell)
    {
        return v =>
        {
            int i = 0;
            Var? embedding = template.Embedding is null ? null : v[i++];
            var layers = new List<IRecurrentLayer>();
            foreach (var _ in template.Layers)
            {
                var (wih, whh, bih, bhh) = (v[i], v[i + 1], v[i + 2], v[i + 3]);
                i += 4;
                layers.Add(cell switch
                {
                    CellKind.Gru => new GruLayer(wih, whh, bih, bhh),
                    CellKind.Rnn => new TanhRnnLayer(wih, whh, bih, bhh),
                    _ => new LstmLayer(wih, whh, bih, bhh),
                });
            }
            return new RnnModel(layers, v[i], v[i + 1], embedding);
        };
    }

    [Theory]
    [InlineData(CellKind.Lstm, 2, 0)]
    [InlineData(CellKind.Lstm, 1, 3)]
    [InlineData(CellKind.Gru, 2, 3)]
    [InlineData(CellKind.Rnn, 2, 0)]
    public void StackedAndEmbeddedModelsPassGradCheck(CellKind cell, int layers, int embedding)
    {
        var rng = new Rng(1);
        var template = new RnnModel(cell, V, H, rng, layers, embedding);
        foreach (var p in template.Parameters) rng.FillNormal(p.Value.Span, 0f, 0.5f);
        var inputs = Tokens(2);
        var targets = Tokens(3);
        var build = Rebuild(template, cell);
        var report = GradCheck.Run(v =>
        {
            var model = build(v);
            return Ops.SoftmaxCrossEntropy(model.Forward(inputs, B, T, model.BeginState(B)).Logits, targets);
        }, template.Parameters.Select(p => p.Value).ToArray(), rtol: 1e-2, atol: 1e-4);
        Assert.True(report.Passes, report.ToString());
    }

    [Fact]
    public void ParameterNamesFollowPyTorch()
    {
        var model = new RnnModel(CellKind.Gru, V, H, new Rng(4), layers: 2, embedding: 3);
        Assert.Equal(["embedding.weight", "rnn.weight_ih_l0", "rnn.weight_hh_l0", "rnn.bias_ih_l0", "rnn.bias_hh_l0",
            "rnn.weight_ih_l1", "rnn.weight_hh_l1", "rnn.bias_ih_l1", "rnn.bias_hh_l1", "dense.weight", "dense.bias"],
            model.Parameters.Select(p => p.Name));
        Assert.Equal([3 * H, 3], model.Parameters[1].Value.Shape.ToArray());
        Assert.Equal([3 * H, H], model.Parameters[5].Value.Shape.ToArray());
    }

    [Fact]
    public void TheStateHoldsEveryLayersParts()
    {
        Assert.Equal(4, new RnnModel(CellKind.Lstm, V, H, new Rng(5), layers: 2).BeginState(B).Parts.Count);
        Assert.Equal(3, new RnnModel(CellKind.Gru, V, H, new Rng(5), layers: 3).BeginState(B).Parts.Count);
    }

    [Fact]
    public void DropoutActsOnlyWhileTraining()
    {
        var model = new RnnModel(CellKind.Lstm, V, H, new Rng(6), layers: 2, dropout: 0.5f);
        foreach (var p in model.Parameters) new Rng(7).FillNormal(p.Value.Span, 0f, 0.5f);
        var twin = new RnnModel(CellKind.Lstm, V, H, new Rng(6), layers: 2);
        for (int i = 0; i < model.Parameters.Count; i++) model.Parameters[i].Value.Span.CopyTo(twin.Parameters[i].Value.Span);
        var inputs = Tokens(8);
        using var _ = Var.NoGrad();

        float[] Logits(RnnModel m) => m.Forward(inputs, B, T, m.BeginState(B)).Logits.Value.ToArray();
        Assert.Equal(Logits(twin), Logits(model));                    // evaluation: dropout is the identity
        model.Training = true;
        var first = Logits(model);
        Assert.NotEqual(Logits(twin), first);                        // training: units are dropped
        Assert.NotEqual(first, Logits(model));                       // with a fresh mask each time
    }
}
