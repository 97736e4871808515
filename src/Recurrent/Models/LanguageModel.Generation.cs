using Recurrent.Autograd;
using Recurrent.Tensors;

namespace Recurrent.Models;

// Text generation. Conventions: B batch (here the beams), V vocabulary, H hidden units.
public abstract partial class LanguageModel
{
    /// <summary>
    /// Continues <paramref name="prefix"/> by <see cref="GenerationOptions.Length"/> tokens and returns them one by
    /// one as they are chosen (the prefix is not repeated), so that a caller can show text as it comes.
    /// </summary>
    /// <remarks>
    /// The prefix is fed one token at a time from a zero state, as in the book's <c>predict_rnn</c>; each next token
    /// then comes from the logits of the last one. With <see cref="GenerationOptions.Temperature"/> 0 the tokens are
    /// exactly those of <see cref="PredictGreedy"/>. Beam search returns each token once every beam agrees on it (at
    /// the latest <see cref="GenerationOptions.BeamHorizon"/> steps later), and the rest at the end. Nothing is
    /// recorded for backpropagation.
    /// </remarks>
    /// <param name="prefix">The priming tokens, at least one.</param>
    /// <param name="options">How to choose each token; validated before this method returns.</param>
    /// <exception cref="RecurrentException">The options are invalid.</exception>
    /// <exception cref="ArgumentException">The prefix is empty or has a token outside 0..V-1.</exception>
    public IEnumerable<int> Generate(IReadOnlyList<int> prefix, GenerationOptions options) =>
        GenerateWithBeamHorizon(prefix, options, GenerationOptions.BeamHorizon);

    /// <summary><see cref="Generate"/> with another beam horizon, so that tests can reach it in a few steps.</summary>
    internal IEnumerable<int> GenerateWithBeamHorizon(IReadOnlyList<int> prefix, GenerationOptions options, int beamHorizon)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(beamHorizon, 1);
        ArgumentNullException.ThrowIfNull(prefix);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (prefix.Count == 0) throw new ArgumentException("The prefix needs at least one token.", nameof(prefix));
        foreach (int token in prefix)
            if ((uint)token >= (uint)VocabularySize)
                throw new ArgumentException($"Token {token} is outside 0..{VocabularySize - 1}.", nameof(prefix));
        int[] copy = [.. prefix];   // the caller may change its list while the tokens are being read
        return options.Beam > 0 ? BeamSearch(copy, options, beamHorizon) : SampleOrArgMax(copy, options);
    }

    private IEnumerable<int> SampleOrArgMax(int[] prefix, GenerationOptions options)
    {
        if (options.Length == 0) yield break;
        var sampler = options.IsSampling ? new TokenSampler(VocabularySize, options.Temperature, options.TopK, options.TopP) : null;
        var rng = new Rng(options.Seed);
        var (logits, state) = Prime(prefix);
        for (int i = 0; i < options.Length; i++)
        {
            int next = sampler is null ? Kernels.ArgMax(logits) : sampler.Sample(logits, rng);
            yield return next;
            if (i < options.Length - 1) (logits, state) = Step([next], 1, state);
        }
    }

    /// <summary>
    /// Beam search: each step extends every kept continuation by every token, scores it by its total
    /// log-probability, and keeps the best <see cref="GenerationOptions.Beam"/> (ties: earlier beam, then lower
    /// token, so a beam of 1 is greedy decoding). All beams advance together as one batch.
    /// </summary>
    /// <remarks>
    /// A token is returned as soon as every kept beam descends from the same beam of its step: it is then the best
    /// continuation's token whatever comes later. Only the steps after it are kept (<see cref="BeamHistory"/>), so
    /// memory does not grow with the length. Beams can disagree for ever (two lines that settle into the same cycle
    /// a few tokens apart): once more than <see cref="GenerationOptions.BeamHorizon"/> steps are unsettled, the best
    /// beam decides the older half of them and the beams that disagree with it there are dropped.
    /// </remarks>
    private IEnumerable<int> BeamSearch(int[] prefix, GenerationOptions options, int horizon)
    {
        int n = options.Length, V = VocabularySize;
        if (n == 0) yield break;
        var (logits, state) = Prime(prefix);   // one row: B = 1 until the first choice
        double[] scores = [0];
        var history = new BeamHistory(Math.Min(n, horizon) + 1, options.Beam);
        var settled = new List<int>();
        var logProbabilities = new double[V];
        int[] tokens = new int[options.Beam], parents = new int[options.Beam];   // the step being chosen
        // Worst first, so the queue drops the worst candidate when it grows past the beam.
        var best = new PriorityQueue<(int Beam, int Token), (double Score, long Index)>(options.Beam + 1,
            Comparer<(double Score, long Index)>.Create((x, y) => x.Score != y.Score ? x.Score.CompareTo(y.Score) : y.Index.CompareTo(x.Index)));
        for (int t = 0; t < n; t++)
        {
            int beams = scores.Length;
            for (int b = 0; b < beams; b++)
            {
                LogSoftmax(logits.AsSpan(b * V, V), logProbabilities);
                for (int j = 0; j < V; j++)
                {
                    var candidate = (scores[b] + logProbabilities[j], (long)b * V + j);
                    if (best.Count < options.Beam) best.Enqueue((b, j), candidate);
                    else best.EnqueueDequeue((b, j), candidate);
                }
            }
            int kept = best.Count;
            var newScores = new double[kept];
            for (int k = kept - 1; k >= 0; k--)   // the queue gives the worst first: fill from the back
            {
                best.TryDequeue(out var choice, out var priority);
                (parents[k], tokens[k], newScores[k]) = (choice.Beam, choice.Token, priority.Score);
            }
            scores = newScores;
            history.Add(tokens.AsSpan(0, kept), parents.AsSpan(0, kept));
            if (history.Count > horizon)
            {
                int[] survivors = history.DecideOlderHalf(0);
                scores = [.. survivors.Select(k => scores[k])];
            }
            history.TakeSettled(settled);
            foreach (int token in settled) yield return token;
            settled.Clear();
            if (t < n - 1)
            {
                kept = history.LastCount;
                (logits, state) = Step(history.LastTokens.AsSpan(0, kept), kept, Reorder(state, history.LastParents.AsSpan(0, kept)));
            }
        }

        history.TakePath(0, settled);   // beam 0 is the best: the queue gave it last and it was filled in first
        foreach (int token in settled) yield return token;
    }

    /// <summary>Feeds the prefix one token at a time from a zero state; returns the last logits (V) and the state.</summary>
    private (float[] Logits, RecurrentState State) Prime(int[] prefix)
    {
        var state = BeginState(1);
        float[] logits = [];
        foreach (int token in prefix) (logits, state) = Step([token], 1, state);
        return (logits, state);
    }

    /// <summary>One step for B sequences: B tokens in, B x V logits (a copy) and the next state out.</summary>
    private (float[] Logits, RecurrentState State) Step(ReadOnlySpan<int> tokens, int batchSize, RecurrentState state)
    {
        // Scoped to the step, not the whole enumeration, so the caller's code between tokens records as usual.
        using var _ = Var.NoGrad();
        var (logits, next) = Forward(tokens, batchSize, 1, state);
        return (logits.Value.ToArray(), next);
    }

    /// <summary>The state of the beams that were kept: row b of each part is row <c>parents[b]</c> of the old one.</summary>
    /// <remarks>A part is B x H, or L x B x H for stacked layers: the batch is the second to last dimension.</remarks>
    private static RecurrentState Reorder(RecurrentState state, ReadOnlySpan<int> parents)
    {
        var parts = new Var[state.Parts.Count];
        for (int p = 0; p < parts.Length; p++)
        {
            var value = state.Parts[p].Value;
            var shape = value.Shape.ToArray();
            int batchDim = shape.Length - 2, inner = shape[^1], outer = value.Length / (shape[batchDim] * inner);
            shape[batchDim] = parents.Length;
            var reordered = Tensor.Zeros(shape);
            for (int o = 0; o < outer; o++)
                for (int b = 0; b < parents.Length; b++)
                    value.Span.Slice((o * value.Shape[batchDim] + parents[b]) * inner, inner)
                        .CopyTo(reordered.Span.Slice((o * parents.Length + b) * inner, inner));
            parts[p] = Var.Constant(reordered);
        }
        return new RecurrentState(parts);
    }

    /// <summary>log p_j = z_j - max z - log Σ_k exp(z_k - max z), in double.</summary>
    private static void LogSoftmax(ReadOnlySpan<float> logits, Span<double> logProbabilities)
    {
        double max = double.NegativeInfinity;
        foreach (float z in logits) max = Math.Max(max, z);
        double sum = 0;
        foreach (float z in logits) sum += Math.Exp(z - max);
        double shift = max + Math.Log(sum);
        for (int j = 0; j < logits.Length; j++) logProbabilities[j] = logits[j] - shift;
    }
}
