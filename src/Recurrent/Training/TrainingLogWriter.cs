using System.Text;

namespace Recurrent.Training;

/// <summary>
/// Writes a training log as the run goes: each <see cref="Append"/> writes one whole line and flushes it, so a run
/// that crashes or is stopped keeps the lines of the epochs it finished.
/// </summary>
/// <remarks>
/// A new run (<c>firstEpoch</c> 1) replaces the file. A resumed run keeps the lines of the epochs before
/// <c>firstEpoch</c> and drops the later ones: a run resumed from a checkpoint older than its last logged epoch
/// repeats those epochs, and the log then holds each epoch once, as the resumed run computed it.
/// </remarks>
public sealed class TrainingLogWriter : IDisposable
{
    private readonly FileStream _stream;
    private int _lastEpoch;

    /// <summary>Opens the log for a run whose next epoch is <paramref name="firstEpoch"/>.</summary>
    /// <param name="path">The log file; its folder must exist.</param>
    /// <param name="firstEpoch">1 for a new run; the epoch a resumed run starts with otherwise.</param>
    /// <exception cref="RecurrentException">
    /// The folder does not exist, the file cannot be written, or (when resuming) the existing log is not valid.
    /// </exception>
    public TrainingLogWriter(string path, int firstEpoch = 1)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentOutOfRangeException.ThrowIfLessThan(firstEpoch, 1);
        Path = path;
        if (System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path)) is { } folder && !Directory.Exists(folder))
            throw new RecurrentException($"The folder {folder} of the training log does not exist.");
        long keep = 0;
        bool terminated = true;
        if (firstEpoch > 1 && File.Exists(path)) (keep, terminated, _lastEpoch) = Kept(path, firstEpoch);
        try
        {
            // Unbuffered: each line goes to the operating system as it is written, and a write that failed leaves nothing
            // behind for Dispose to try again (and fail again, in place of the first error).
            _stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.Write, FileShare.Read, bufferSize: 0);
            _stream.SetLength(keep);
            _stream.Seek(keep, SeekOrigin.Begin);
            if (!terminated) _stream.Write("\n"u8);   // a last line written by hand without its line break
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw new RecurrentException($"The training log {path} could not be written: {e.Message.TrimEnd('.')}.", e);
        }
    }

    /// <summary>The log file.</summary>
    public string Path { get; }

    /// <summary>Writes the line of an epoch and flushes it to the operating system.</summary>
    /// <exception cref="ArgumentException">The epoch does not follow the last one written.</exception>
    /// <exception cref="RecurrentException">The file could not be written (a full disk).</exception>
    public void Append(EpochLogEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (entry.Epoch <= _lastEpoch)
            throw new ArgumentException($"Epoch {entry.Epoch} does not follow epoch {_lastEpoch} in {Path}.", nameof(entry));
        // One write per line, so that a crash leaves whole lines.
        byte[] line = Encoding.UTF8.GetBytes(TrainingLog.Format(entry) + "\n");
        try
        {
            _stream.Write(line);
            _stream.Flush();
        }
        catch (IOException e)
        {
            // A full disk or a removed drive: the run's user can fix it, it is not a bug.
            throw new RecurrentException($"The training log {Path} could not be written: {e.Message.TrimEnd('.')}.", e);
        }
        _lastEpoch = entry.Epoch;
    }

    /// <summary>Closes the file.</summary>
    public void Dispose() => _stream.Dispose();

    // The bytes holding the lines of epochs before firstEpoch (the file is cut there), whether they end with a line
    // break, and the last epoch they hold.
    private static (long Length, bool Terminated, int LastEpoch) Kept(string path, int firstEpoch)
    {
        (long Length, bool Terminated, int LastEpoch) kept = (0, true, 0);
        foreach (var (entry, end, terminated) in TrainingLog.ReadWithOffsets(path))
        {
            if (entry.Epoch >= firstEpoch) break;
            kept = (end, terminated, entry.Epoch);
        }
        return kept;
    }
}
