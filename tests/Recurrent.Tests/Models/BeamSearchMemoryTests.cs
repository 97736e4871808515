using static Recurrent.Tests.Checkpoints.CheckpointFixtures;

namespace Recurrent.Tests.Models;

/// <summary>What a beam search holds while it runs, measured alone: no other test allocates meanwhile.</summary>
[Collection(nameof(AloneCollection))]
public class BeamSearchMemoryTests
{
    [Fact]
    [Trait("Category", "Slow")]
    public void TokensComeWithinTheHorizonAndMemoryStaysTheSame()
    {
        // Random weights whose two beams never agree: every step stays unsettled until the horizon decides it.
        var model = new StepCountingModel(Model(ModelKind.Concise, hidden: 6, seed: 11));
        int H = GenerationOptions.BeamHorizon;
        var options = new GenerationOptions { Beam = 2, Length = 12 * H };
        int[] prefix = Vocab.Encode("分开");
        long before = GC.GetTotalMemory(forceFullCollection: true), early = 0, late = 0;
        int count = 0;
        foreach (int _ in model.Generate(prefix, options))
        {
            count++;
            // Token k is chosen at step k after the prefix; it may wait for the horizon, not for the end.
            if (model.Steps - prefix.Length > count + H) Assert.Fail($"token {count} came after {model.Steps - prefix.Length} steps");
            if (count == 2 * H) early = GC.GetTotalMemory(forceFullCollection: true);
            if (count == 11 * H) late = GC.GetTotalMemory(forceFullCollection: true);
        }
        Assert.Equal(options.Length, count);
        // The horizon's tokens and back-pointers for two beams are about a megabyte; a search that kept every step
        // would hold some 30 bytes more per step, and return nothing before its last step.
        Assert.True(early - before < 2_000_000, $"{early - before:N0} bytes held after {2 * H:N0} tokens");
        Assert.True(late - early < 100_000, $"{late - early:N0} more bytes held after {11 * H:N0} tokens");
    }
}
