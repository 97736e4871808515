namespace Recurrent.Data;

/// <summary>A token sequence cut in two: the text to train on, then the held-out text to validate on.</summary>
/// <param name="Train">The first tokens, in order.</param>
/// <param name="Validation">The last tokens, in order, right after <paramref name="Train"/>.</param>
public sealed record CorpusSplit(int[] Train, int[] Validation)
{
    /// <summary>Holds out the last fraction F of a sequence for validation (the data option <c>validation_fraction</c>).</summary>
    /// <remarks>The boundary is <see cref="TrainLength"/>'s; the parts are copies.</remarks>
    /// <exception cref="RecurrentException">F is not in (0, 1), or a part would have fewer than 2 tokens.</exception>
    public static CorpusSplit HoldOutLast(ReadOnlySpan<int> tokens, double fraction)
    {
        int train = TrainLength(tokens.Length, fraction);
        return new CorpusSplit(tokens[..train].ToArray(), tokens[train..].ToArray());
    }

    /// <summary>
    /// The number of tokens kept for training when the last fraction F of <paramref name="length"/> tokens is held
    /// out; for splitting anything token-aligned, such as the words of a text before its vocabulary is built.
    /// </summary>
    /// <remarks>
    /// The validation part is the last n_valid = round(n·F) tokens (to nearest, halves away from zero; rounding
    /// rather than truncating keeps products such as 100 × 0.29 = 28.999… at 29) and the training part the first
    /// n − n_valid: 10,000 tokens with F = 0.1 give 9,000 and 1,000. The cut is at a token, not a line, and the
    /// parts do not overlap: the first validation token is predicted from a fresh state, not from the end of the
    /// training text. Each part must have at least 2 tokens, the least that makes one prediction.
    /// </remarks>
    /// <exception cref="RecurrentException">F is not in (0, 1), or a part would have fewer than 2 tokens.</exception>
    public static int TrainLength(int length, double fraction)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if (!(fraction > 0 && fraction < 1)) throw new OptionException($"{{{DataOptions.Keys.ValidationFraction}}} must be in (0, 1), not {fraction}.");
        int validation = (int)Math.Round(length * fraction, MidpointRounding.AwayFromZero);
        int train = length - validation;
        if (validation < 2 || train < 2)
            throw new OptionException(
                $"{{{DataOptions.Keys.ValidationFraction}}} {fraction} of {length} tokens leaves {train} to train on and {validation} to validate on; each part needs at least 2.");
        return train;
    }
}
