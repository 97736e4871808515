namespace Recurrent.Cli;

/// <summary>Where a train run writes its results besides the report: checkpoints, the log, the chart.</summary>
internal sealed record TrainOutputs
{
    /// <summary>--save (or the --resume file): the checkpoint after the last epoch, every --save-every epochs, and on Ctrl-C.</summary>
    public string? Save { get; init; }

    /// <summary>The option that gave <see cref="Save"/>, for messages: --save, or --resume when the run saves where it was saved.</summary>
    public string SaveOption { get; init; } = "--save";

    /// <summary>--save-every.</summary>
    public int? SaveEvery { get; init; }

    /// <summary>--save-best: the checkpoint with the best validation perplexity.</summary>
    public string? SaveBest { get; init; }

    /// <summary>--log: one JSON line per epoch.</summary>
    public string? Log { get; init; }

    /// <summary>--plot: the chart of perplexity per epoch.</summary>
    public string? Plot { get; init; }

    /// <summary>--quiet: no report lines, notes or display.</summary>
    public bool Quiet { get; init; }

    /// <summary>
    /// Refuses outputs that could not be written, before the corpus is loaded or a checkpoint read: a run should not
    /// train for an hour and then find that it cannot save.
    /// </summary>
    public void Check()
    {
        if (SaveEvery is not null && Save is null) throw new RecurrentException("--save-every needs --save, the path of the checkpoint to write.");
        if (SaveEvery is < 1) throw new RecurrentException($"--save-every must be at least 1, not {SaveEvery}.");
        CheckFile(Save, SaveOption);
        CheckFile(SaveBest, "--save-best");
        CheckFile(Log, "--log");
        if (Plot is not null)
        {
            Charts.CheckPath(Plot, "--plot");
            CheckFile(Plot, "--plot");
        }
    }

    /// <summary>Refuses --save-best without a validation text, once the options are final (a resumed run's come from its checkpoint).</summary>
    public void Check(TrainingOptions options)
    {
        if (SaveBest is not null && options.Data.ValidationFraction is null && options.Data.ValidPath is null)
            throw new RecurrentException("--save-best needs a validation text: give --val-fraction or --valid.");
    }

    // An existing device or kernel file. A checkpoint is saved by renaming a new file over the old one, which would
    // replace a device node such as /dev/null for a user allowed to; .NET does not tell a device from a file, so this
    // goes by where the file lives (through symbolic links). /dev/shm holds ordinary files.
    private static bool IsSystemFile(string full)
    {
        if (OperatingSystem.IsWindows() || !File.Exists(full)) return false;
        string target = full;
        try
        {
            if (File.ResolveLinkTarget(full, returnFinalTarget: true) is { } link) target = link.FullName;
        }
        catch (IOException)
        {
        }
        return new[] { target, full }.Any(p =>
            (p.StartsWith("/dev/", StringComparison.Ordinal) && !p.StartsWith("/dev/shm/", StringComparison.Ordinal))
            || p.StartsWith("/proc/", StringComparison.Ordinal) || p.StartsWith("/sys/", StringComparison.Ordinal));
    }

    private static void CheckFile(string? path, string option)
    {
        if (path is null) return;
        if (path.Length == 0) throw new RecurrentException($"{option} needs a path, not an empty text.");
        string full;
        try
        {
            full = Path.GetFullPath(path);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw new RecurrentException($"{option} {path} is not a valid path: {e.Message.TrimEnd('.')}.", e);
        }
        if (Directory.Exists(full)) throw new RecurrentException($"{option} {path} is a folder: give the path of a file in it.");
        if (IsSystemFile(full)) throw new RecurrentException($"{option} {path} is a device or system file, not a file to write: give the path of an ordinary file.");
        if (Path.GetDirectoryName(full) is { } folder && !Directory.Exists(folder))
            throw new RecurrentException($"The folder {folder} of {option} does not exist.");
        OutputPaths.CheckWritable(path, option);
    }

    /// <summary>Holds the checkpoints, log and chart for the run, so that no other run writes them meanwhile (<see cref="OutputPaths.Hold"/>).</summary>
    public IDisposable Hold() =>
        OutputPaths.Hold([new(Save, SaveOption), new(SaveBest, "--save-best"), new(Log, "--log"), new(Plot, "--plot")]);

    /// <summary>Refuses an output that is an input of the run (the corpus files, the checkpoint it starts from) or another output.</summary>
    public void CheckDistinct(TrainingOptions options, string? resumePath, string? initPath)
    {
        // A run may save over the checkpoint it starts from (a resumed run does by default): that file is read whole
        // before training and replaced atomically. The log and the chart are written in place, and must not be it.
        bool savesIntoStart = Save is not null && new[] { resumePath, initPath }.Any(p => p is not null && Path.GetFullPath(Save) == Path.GetFullPath(p));
        OutputPaths.CheckDistinct(
            [new(savesIntoStart ? null : Save, SaveOption), new(SaveBest, "--save-best"), new(Log, "--log"), new(Plot, "--plot")],
            [new(options.Data.Corpus, "--corpus"), new(options.Data.TrainPath, "--train"), new(options.Data.ValidPath, "--valid"),
             new(options.Data.TestPath, "--test"), new(initPath, "--init-from"), new(resumePath, "--resume")]);
    }
}
