namespace Recurrent.Tests.Models;

/// <summary>
/// Beam search as it was first written, the oracle for the streaming one: every step's tokens and back-pointers kept
/// to the end, the best beam's line read back from them. With a horizon, the rule that bounds the streaming search,
/// written out plainly: when more than <c>horizon</c> steps are unsettled, the best beam decides the older half of
/// them, and the beams that descend from another beam there are dropped.
/// </summary>
internal static class BeamSearchReference
{
    public static int[] Search(LanguageModel model, int[] prefix, int beam, int length, int horizon = int.MaxValue)
    {
        using var _ = Var.NoGrad();
        int V = model.VocabularySize;
        var state = model.BeginState(1);
        float[] logits = [];
        foreach (int token in prefix) (logits, state) = Step(model, [token], state);
        var beams = new List<(double Score, int Token, int Parent)> { (0, -1, -1) };
        var tokens = new List<int[]>();    // tokens[t][b]: the token beam b chose at step t
        var parents = new List<int[]>();   // parents[t][b]: the beam of step t - 1 it extends
        int settled = 0;                   // the steps every beam agrees on
        for (int t = 0; t < length; t++)
        {
            var candidates = new List<(double Score, int Token, int Parent)>();
            for (int b = 0; b < beams.Count; b++)
            {
                var row = logits.AsSpan(b * V, V);
                double max = double.NegativeInfinity;
                foreach (float z in row) max = Math.Max(max, z);
                double sum = 0;
                foreach (float z in row) sum += Math.Exp(z - max);
                for (int j = 0; j < V; j++) candidates.Add((beams[b].Score + (row[j] - (max + Math.Log(sum))), j, b));
            }
            // Best first; ties: earlier beam, then lower token.
            beams = candidates.OrderByDescending(c => c.Score).ThenBy(c => c.Parent).ThenBy(c => c.Token).Take(beam).ToList();
            tokens.Add(beams.Select(c => c.Token).ToArray());
            parents.Add(beams.Select(c => c.Parent).ToArray());

            if (t + 1 - settled > horizon)
            {
                int decided = settled + (t + 1 - settled) / 2 - 1;
                int stands = Ancestor(parents, t, 0, decided);
                var kept = Enumerable.Range(0, beams.Count).Where(b => Ancestor(parents, t, b, decided) == stands).ToList();
                beams = kept.Select(b => beams[b]).ToList();
                tokens[t] = kept.Select(b => tokens[t][b]).ToArray();
                parents[t] = kept.Select(b => parents[t][b]).ToArray();
            }
            while (settled <= t && Enumerable.Range(0, beams.Count).Select(b => Ancestor(parents, t, b, settled)).Distinct().Count() == 1)
                settled++;
            if (t < length - 1) (logits, state) = Step(model, tokens[t], Reorder(state, parents[t]));
        }

        var path = new int[length];
        for (int t = length - 1, b = 0; t >= 0; b = parents[t][b], t--) path[t] = tokens[t][b];
        return path;
    }

    // The beam of step `at` that beam `beam` of step `from` descends from.
    private static int Ancestor(List<int[]> parents, int from, int beam, int at)
    {
        for (int t = from; t > at; t--) beam = parents[t][beam];
        return beam;
    }

    private static (float[] Logits, RecurrentState State) Step(LanguageModel model, int[] tokens, RecurrentState state)
    {
        var (logits, next) = model.Forward(tokens, tokens.Length, 1, state);
        return (logits.Value.ToArray(), next);
    }

    // Row b of each part (B x H, or L x B x H) is row parents[b] of the old one.
    private static RecurrentState Reorder(RecurrentState state, int[] parents) => new(state.Parts.Select(part =>
    {
        var value = part.Value;
        var shape = value.Shape.ToArray();
        int rows = shape[^2], inner = shape[^1], outer = value.Length / (rows * inner);
        shape[^2] = parents.Length;
        var reordered = Tensor.Zeros(shape);
        for (int o = 0; o < outer; o++)
            for (int b = 0; b < parents.Length; b++)
                value.Span.Slice((o * rows + parents[b]) * inner, inner).CopyTo(reordered.Span.Slice((o * parents.Length + b) * inner, inner));
        return Var.Constant(reordered);
    }).ToArray());
}
