using Recurrent.Tensors;

namespace Recurrent.Models;

/// <summary>
/// Draws the next token from one row of V logits: softmax with a temperature, then the top-k and top-p
/// (nucleus) filters, then one draw from what is left. Buffers are allocated once per generation.
/// </summary>
/// <remarks>
/// p_j = exp((z_j - max z) / τ) / Σ_k exp((z_k - max z) / τ), in double. Candidates are ordered by p descending
/// (ties: lower index first); top-k keeps the first k; top-p then keeps the first m whose probabilities, renormalised
/// over the top-k set, reach p (at least one). The draw walks the cumulative sum of the kept candidates only, so a
/// token outside the set can never come out, whatever the rounding.
/// </remarks>
internal sealed class TokenSampler
{
    private readonly double[] _probabilities;
    private readonly int[] _candidates;
    private readonly float _temperature, _topP;
    private readonly int _topK;

    public TokenSampler(int vocabularySize, float temperature, int topK, float topP)
    {
        if (!(temperature > 0)) throw new ArgumentOutOfRangeException(nameof(temperature), "Sampling needs a positive temperature.");
        _probabilities = new double[vocabularySize];
        _candidates = new int[vocabularySize];
        (_temperature, _topK, _topP) = (temperature, topK, topP);
    }

    /// <summary>The probabilities of the last call to <see cref="Candidates"/> (before filtering, summing to 1).</summary>
    public ReadOnlySpan<double> Probabilities => _probabilities;

    /// <summary>The tokens that may be drawn from <paramref name="logits"/>, most likely first when a filter is on.</summary>
    public ReadOnlySpan<int> Candidates(ReadOnlySpan<float> logits)
    {
        int V = _probabilities.Length;
        if (logits.Length != V) throw new ArgumentException($"{logits.Length} logits for a vocabulary of {V}.", nameof(logits));
        var p = _probabilities;
        double max = double.NegativeInfinity;
        foreach (float z in logits) max = Math.Max(max, z);
        double sum = 0;
        for (int j = 0; j < V; j++) sum += p[j] = Math.Exp((logits[j] - max) / _temperature);
        for (int j = 0; j < V; j++) p[j] /= sum;
        for (int j = 0; j < V; j++) _candidates[j] = j;
        // A k of V or more keeps every token, as 0 does: the same candidates in the same order, so the same draws.
        if ((_topK == 0 || _topK >= V) && _topP >= 1) return _candidates;

        // double.CompareTo orders NaN too, so the sort stays consistent even on a broken model's logits.
        Array.Sort(_candidates, (a, b) => p[a] != p[b] ? p[b].CompareTo(p[a]) : a.CompareTo(b));
        int kept = _topK > 0 ? Math.Min(_topK, V) : V;
        if (_topP < 1)
        {
            double total = 0;
            for (int i = 0; i < kept; i++) total += p[_candidates[i]];
            double target = _topP * total, cumulative = 0;
            for (int i = 0; i < kept; i++)
            {
                cumulative += p[_candidates[i]];
                if (cumulative >= target)
                {
                    kept = i + 1;
                    break;
                }
            }
        }
        return _candidates.AsSpan(0, kept);
    }

    /// <summary>One token drawn from the candidates of <paramref name="logits"/>, in proportion to their probabilities.</summary>
    public int Sample(ReadOnlySpan<float> logits, Rng rng)
    {
        var candidates = Candidates(logits);
        double total = 0;
        foreach (int j in candidates) total += _probabilities[j];
        double u = rng.NextDouble() * total, cumulative = 0;
        int last = candidates[0];
        foreach (int j in candidates)
        {
            if (!(_probabilities[j] > 0)) continue;
            cumulative += _probabilities[j];
            last = j;
            if (u < cumulative) return j;
        }
        return last;   // u reached the total through rounding: the last candidate with any probability
    }
}
