using Recurrent.Autograd;
using Recurrent.Models;

namespace Recurrent.Training;

/// <summary>How well a model predicts a text: the summed negative log-likelihood of its predictions.</summary>
/// <param name="TotalNegativeLogLikelihood">−Σ log p(token | the tokens before it), natural log, summed in double.</param>
/// <param name="Tokens">The number of predictions summed (tokens minus the first of each row).</param>
public sealed record Evaluation(double TotalNegativeLogLikelihood, long Tokens)
{
    /// <summary>The mean cross-entropy per prediction, in nats.</summary>
    public double MeanNegativeLogLikelihood => TotalNegativeLogLikelihood / Tokens;

    /// <summary>exp(mean cross-entropy), the book's perplexity.</summary>
    public double Perplexity => Math.Exp(MeanNegativeLogLikelihood);

    /// <summary>log₂ perplexity = mean cross-entropy / ln 2: bits per character (bpc) for a character model, bits per word for a word model.</summary>
    public double BitsPerToken => MeanNegativeLogLikelihood / Math.Log(2);
}

/// <summary>
/// Perplexity of a <see cref="LanguageModel"/> on a held-out token sequence, reading it from start to end with
/// the state carried across the whole text.
/// </summary>
/// <remarks>
/// Conventions: B batch, T steps, V vocabulary. The n tokens are laid out as B rows of L = ⌊n / B⌋ consecutive tokens
/// (the first B·L; consecutive sampling's layout, and PyTorch's <c>batchify</c>); the last n − B·L are left out.
/// Each row is read from a zero state in chunks of at most T steps, the state carried from chunk to chunk, so
/// every token but the first of each row is predicted from everything before it in its row: B·(L − 1)
/// predictions, the same for any T. With B = 1 that is all n − 1 tokens after the first. Nothing is recorded for
/// gradients (<see cref="Var.NoGrad"/>), and the log-softmax is computed in double from the logits:
/// <code>NLL = Σ_predictions [log Σ_j exp(z_j − m) + m − z_target],  m = max_j z_j</code>
/// </remarks>
public static class Evaluator
{
    /// <summary>Evaluates <paramref name="model"/> on <paramref name="tokens"/>.</summary>
    /// <param name="model">The model; it must not apply dropout while evaluating.</param>
    /// <param name="tokens">Token indices, each in [0, V).</param>
    /// <param name="batchSize">B, the number of rows read side by side (1: the whole text as one sequence).</param>
    /// <param name="steps">T, the number of steps per forward call; it bounds memory, not the context.</param>
    /// <exception cref="RecurrentException">The text has fewer than 2 tokens per row, so nothing would be predicted.</exception>
    public static Evaluation Evaluate(LanguageModel model, ReadOnlySpan<int> tokens, int batchSize = 1, int steps = 35)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        int V = model.VocabularySize;
        foreach (int token in tokens)
            if ((uint)token >= (uint)V) throw new ArgumentOutOfRangeException(nameof(tokens), $"Token {token} is outside 0..{V - 1}.");
        int rowLength = tokens.Length / batchSize;
        if (rowLength < 2)
            throw new RecurrentException(
                $"{(tokens.Length == 1 ? "1 token is" : $"{tokens.Length} tokens are")} too few to evaluate with a batch of {batchSize}: each row needs at least 2 tokens.");

        using var _ = Var.NoGrad();
        int B = batchSize;
        var state = model.BeginState(B);
        double total = 0;
        var inputs = new int[B * steps];
        for (int start = 0; start < rowLength - 1; start += steps)
        {
            int T = Math.Min(steps, rowLength - 1 - start);
            for (int b = 0; b < B; b++)
                tokens.Slice(b * rowLength + start, T).CopyTo(inputs.AsSpan(b * T, T));   // (B, T)
            var (logits, next) = model.Forward(inputs.AsSpan(0, B * T), B, T, state);      // (T·B, V), time-major
            state = next;
            var z = logits.Value.Span;
            for (int t = 0; t < T; t++)
                for (int b = 0; b < B; b++)
                {
                    int target = tokens[b * rowLength + start + t + 1];
                    total += NegativeLogSoftmax(z.Slice((t * B + b) * V, V), target);
                }
        }
        return new Evaluation(total, (long)B * (rowLength - 1));
    }

    // −log softmax(z)[target], with the row maximum subtracted first so exp cannot overflow.
    private static double NegativeLogSoftmax(ReadOnlySpan<float> z, int target)
    {
        double max = double.NegativeInfinity;
        foreach (float x in z) max = Math.Max(max, x);
        double sum = 0;
        for (int j = 0; j < z.Length; j++) sum += Math.Exp(z[j] - max);
        return Math.Log(sum) + max - z[target];
    }
}
