using Recurrent.Models;
using Recurrent.Tensors;

namespace Recurrent.Tests.Serving;

public class GenerationBatchTests
{
    /// <summary>A model whose weights are large enough that its logits are far from uniform (N(0, 0.5²)).</summary>
    internal static RnnModel SharpModel(CellKind cell, int vocabulary = 13, int hidden = 21, int layers = 1, int embedding = 0)
    {
        var rng = new Rng(7);
        var model = new RnnModel(cell, vocabulary, hidden, rng, layers, embedding);
        foreach (var p in model.Parameters)
            foreach (ref float x in p.Value.Span) x = (float)(rng.NextDouble() - 0.5) * 1.5f;
        return model;
    }

    public static TheoryData<CellKind, int, int> Models => new()
    {
        { CellKind.Lstm, 1, 0 }, { CellKind.Gru, 1, 0 }, { CellKind.Rnn, 1, 0 }, { CellKind.Lstm, 2, 5 }, { CellKind.Gru, 2, 0 },
    };

    [Theory]
    [MemberData(nameof(Models))]
    public void Every_sequence_of_a_batch_gets_the_tokens_it_gets_alone(CellKind cell, int layers, int embedding)
    {
        var model = SharpModel(cell, layers: layers, embedding: embedding);
        // Different prefixes, lengths, seeds and ways of choosing, joining at different steps: rows 1..12 at once.
        var requests = Enumerable.Range(0, 12).Select(i => (
            Prefix: Enumerable.Range(0, 1 + i % 4).Select(j => (i * 5 + j) % 13).ToArray(),
            Options: new GenerationOptions
            {
                Length = 10 + 3 * i, Seed = (ulong)(100 + i), Temperature = i % 5 == 4 ? 0f : 0.7f + 0.1f * (i % 3),
                TopK = i % 5 == 1 ? 4 : 0, TopP = i % 5 == 2 ? 0.8f : 1f,
            },
            Joins: i % 3 * 2)).ToList();
        var alone = requests.Select(r => model.Generate(r.Prefix, r.Options).ToArray()).ToList();

        var batch = new GenerationBatch(model);
        var sequences = new GenerationSequence?[requests.Count];
        var tokens = requests.Select(_ => new List<int>()).ToList();
        int largest = 0;
        for (int step = 0; step < 200; step++)
        {
            for (int i = 0; i < requests.Count; i++)
                if (requests[i].Joins == step) sequences[i] = batch.Add(requests[i].Prefix, requests[i].Options);
            largest = Math.Max(largest, batch.Sequences.Count);
            foreach (var (sequence, token) in batch.Step()) tokens[Array.IndexOf(sequences, sequence)].Add(token);
        }
        Assert.True(largest >= 10, $"at most {largest} sequences were stepped together");
        Assert.Empty(batch.Sequences);
        for (int i = 0; i < requests.Count; i++) Assert.Equal(alone[i], tokens[i]);
        // The tokens are not all the same, so that equal lists say something.
        Assert.True(alone.Select(a => string.Join(",", a)).Distinct().Count() > 10);
    }

    [Theory]
    [InlineData(CellKind.Lstm, 21, 13, 1)]
    [InlineData(CellKind.Gru, 256, 60, 2)]
    [InlineData(CellKind.Rnn, 300, 1000, 1)]
    public void A_forward_pass_of_the_batch_gives_each_row_the_bits_of_the_row_alone(CellKind cell, int hidden, int vocabulary, int layers)
    {
        var model = SharpModel(cell, vocabulary, hidden, layers);
        var batch = new GenerationBatch(model);
        var options = new GenerationOptions { Length = 5 };
        var rows = Enumerable.Range(0, 13).Select(i => batch.Add([i % vocabulary, (3 * i + 1) % vocabulary], options)).ToList();
        batch.Forward(rows);   // a second step, so that the states are not zero
        float[] together = batch.Forward(rows);
        for (int b = 0; b < rows.Count; b++)
        {
            var alone = new GenerationBatch(model);
            var row = alone.Add([b % vocabulary, (3 * b + 1) % vocabulary], options);
            alone.Forward([row]);
            float[] logits = alone.Forward([row]);
            for (int j = 0; j < vocabulary; j++)
                Assert.Equal(BitConverter.SingleToInt32Bits(logits[j]), BitConverter.SingleToInt32Bits(together[b * vocabulary + j]));
        }
    }

    [Fact]
    public void A_sequence_that_leaves_early_does_not_change_the_others()
    {
        var model = SharpModel(CellKind.Lstm);
        var options = new GenerationOptions { Length = 30, Seed = 3 };
        var batch = new GenerationBatch(model);
        var kept = batch.Add([1, 2], options);
        var dropped = batch.Add([3], options with { Seed = 4 });
        var tokens = new List<int>();
        for (int step = 0; step < 40; step++)
        {
            if (step == 5) Assert.True(batch.Remove(dropped));
            tokens.AddRange(batch.Step().Where(p => p.Sequence == kept).Select(p => p.Token));
        }
        Assert.Equal(model.Generate([1, 2], options), tokens);
        Assert.True(kept.IsFinished);
    }

    [Fact]
    public void A_batch_checks_its_requests_as_generate_does()
    {
        var model = SharpModel(CellKind.Gru);
        var batch = new GenerationBatch(model);
        Assert.Throws<OptionException>(() => batch.Add([1], new GenerationOptions { TopP = 0 }));
        Assert.Throws<ArgumentException>(() => batch.Add([], new GenerationOptions()));
        Assert.Throws<ArgumentException>(() => batch.Add([13], new GenerationOptions()));
        Assert.Throws<ArgumentException>(() => batch.Add([1], new GenerationOptions { Beam = 2, Temperature = 1 }));
        var empty = batch.Add([1], new GenerationOptions { Length = 0 });
        Assert.True(empty.IsFinished);
        Assert.Empty(batch.Sequences);
    }
}
