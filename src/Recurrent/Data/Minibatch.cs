namespace Recurrent.Data;

/// <summary>
/// One minibatch of B examples of T steps: the book's X (inputs) and Y (targets, the next character of
/// each input).
/// </summary>
/// <remarks>
/// Both arrays are B x T, row-major: example b, step t is at <c>b * Steps + t</c>, and
/// <c>Targets[b * Steps + t]</c> is the corpus index that follows <c>Inputs[b * Steps + t]</c>.
/// </remarks>
public sealed class Minibatch
{
    /// <summary>Wraps B x T inputs and targets (row-major); the arrays are kept, not copied.</summary>
    public Minibatch(int[] inputs, int[] targets, int batchSize, int steps)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        if (inputs.Length != batchSize * steps) throw new ArgumentException($"Inputs has {inputs.Length} values, not {batchSize} x {steps}.", nameof(inputs));
        if (targets.Length != batchSize * steps) throw new ArgumentException($"Targets has {targets.Length} values, not {batchSize} x {steps}.", nameof(targets));
        Inputs = inputs;
        Targets = targets;
        BatchSize = batchSize;
        Steps = steps;
    }

    /// <summary>Token indices of the inputs, B x T row-major (the book's X).</summary>
    public int[] Inputs { get; }

    /// <summary>Token indices of the targets, B x T row-major (the book's Y): each input's next token.</summary>
    public int[] Targets { get; }

    /// <summary>B, the number of examples (rows).</summary>
    public int BatchSize { get; }

    /// <summary>T, the number of time steps (columns).</summary>
    public int Steps { get; }
}
