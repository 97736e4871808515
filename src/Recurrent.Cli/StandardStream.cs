using System.Text;

namespace Recurrent.Cli;

/// <summary>
/// Standard output or standard error as an output like any other: a write that fails (a full disk, a closed pipe, a
/// closed stream) is remembered in <see cref="Failure"/> and the writes after it are dropped. For standard output the
/// first failure also asks the running command to stop as Ctrl-C does, so that a training run saves its last epoch;
/// when no command can stop, the write throws <see cref="StandardStreamException"/> and the command ends there.
/// </summary>
/// <remarks>
/// The stream is the file descriptor itself (<see cref="DescriptorStream"/>), not .NET's console stream, which drops
/// writes to a closed pipe without a word and so lets a run whose reader is gone go on to the end.
/// </remarks>
internal sealed class StandardStream : TextWriter
{
    private const int BrokenPipeErrno = 32;   // EPIPE: the reading end of the pipe is closed

    private readonly TextWriter _inner;
    private readonly Func<bool>? _stop;
    private IOException? _failure;
    private bool _absorbed;

    private StandardStream(TextWriter inner, Func<bool>? stop) => (_inner, _stop) = (inner, stop);

    /// <summary>
    /// Opens descriptor 1 or 2. <paramref name="stop"/> asks the running command to stop and says whether one took the
    /// request; null for standard error, whose failures are only dropped (there is nowhere left to report them).
    /// </summary>
    public static StandardStream Open(int descriptor, Func<bool>? stop)
    {
        Stream stream = OperatingSystem.IsWindows()
            ? (descriptor == 1 ? Console.OpenStandardOutput() : Console.OpenStandardError())
            : new DescriptorStream(descriptor);
        return new StandardStream(new StreamWriter(stream, new UTF8Encoding(false)) { AutoFlush = true }, stop);
    }

    /// <summary>The first failed write's error, or null while every write has succeeded.</summary>
    public IOException? Failure => Volatile.Read(ref _failure);

    /// <summary>True when the failure is a closed pipe (the reader, such as <c>head</c>, has all it wanted).</summary>
    public bool BrokenPipe => Failure?.HResult == BrokenPipeErrno;

    /// <inheritdoc />
    public override Encoding Encoding => _inner.Encoding;

    /// <inheritdoc />
    public override void Write(char value) => Guard(() => _inner.Write(value));

    /// <inheritdoc />
    public override void Write(string? value) => Guard(() => _inner.Write(value));

    /// <inheritdoc />
    public override void Write(char[] buffer, int index, int count) => Guard(() => _inner.Write(buffer, index, count));

    /// <inheritdoc />
    public override void WriteLine(string? value) => Guard(() => _inner.WriteLine(value));

    /// <inheritdoc />
    public override void Flush() => Guard(_inner.Flush);

    private void Guard(Action write)
    {
        lock (_inner) Write(write);
    }

    private void Write(Action write)
    {
        if (Failure is null)
        {
            try
            {
                write();
                return;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Volatile.Write(ref _failure, e as IOException ?? new IOException(e.Message, e));
                _absorbed = _stop is null || _stop();
            }
        }
        if (!_absorbed) throw new StandardStreamException(Failure!);
    }
}
