namespace Recurrent.Cli;

/// <summary>What a train command writes to and listens to; compare also names the variant and watches the epochs.</summary>
/// <param name="Stdout">The report lines (and the progress display, when it is the terminal).</param>
/// <param name="Stderr">Notes and errors.</param>
/// <param name="Interruption">Ctrl-C: the run stops between minibatches, saves and draws what it has.</param>
internal sealed record TrainHost(TextWriter Stdout, TextWriter Stderr, Interruption Interruption)
{
    /// <summary>The variant's name, shown in the progress display (compare).</summary>
    public string? Variant { get; init; }

    /// <summary>Called with each epoch's log entry, the diverged one included (compare).</summary>
    public Action<EpochLogEntry>? OnEpoch { get; init; }

    /// <summary>Whether a run stopped by Ctrl-C says so itself (compare says it for all its runs).</summary>
    public bool ReportStop { get; init; } = true;
}
