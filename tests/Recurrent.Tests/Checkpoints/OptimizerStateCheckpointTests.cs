using static Recurrent.Tests.Training.OptimizerTests;

namespace Recurrent.Tests.Checkpoints;

/// <summary>The optimizer state saved to a safetensors file beside the weights, as a checkpoint holds it, continues identically.</summary>
public class OptimizerStateCheckpointTests
{
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
}
