using System.Runtime.InteropServices;

namespace Recurrent.Cli;

/// <summary>
/// Writes to a file descriptor with write(2), as C programs write to their standard streams: at the descriptor's
/// shared offset (so that standard output and standard error redirected to one file, or a file opened for appending,
/// interleave rather than overwrite each other) and with every failure reported, a closed pipe included.
/// </summary>
/// <remarks>
/// .NET's console stream drops writes to a closed pipe without a word, and a <see cref="FileStream"/> on a descriptor
/// writes at positions of its own; neither fits a standard stream that must fail like any other output.
/// </remarks>
internal sealed partial class DescriptorStream(int descriptor) : Stream
{
    private const int Interrupted = 4, BadDescriptor = 9, WouldBlock = 11;   // EINTR, EBADF, EAGAIN

    /// <inheritdoc />
    public override bool CanRead => false;

    /// <inheritdoc />
    public override bool CanSeek => false;

    /// <inheritdoc />
    public override bool CanWrite => true;

    /// <inheritdoc />
    public override long Length => throw new NotSupportedException();

    /// <inheritdoc />
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    /// <inheritdoc />
    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    /// <inheritdoc />
    public override unsafe void Write(ReadOnlySpan<byte> buffer)
    {
        fixed (byte* start = buffer)
        {
            int done = 0;
            while (done < buffer.Length)
            {
                nint written = write(descriptor, start + done, buffer.Length - done);
                if (written >= 0)
                {
                    done += (int)written;
                    continue;
                }
                int error = Marshal.GetLastPInvokeError();
                if (error == Interrupted) continue;
                if (error == WouldBlock)
                {
                    Thread.Sleep(1);   // a descriptor left non-blocking by whoever started the process
                    continue;
                }
                // A descriptor closed before the process started ('>&-') is "Bad file descriptor" to the system.
                throw new IOException(error == BadDescriptor ? "it is closed" : Marshal.GetPInvokeErrorMessage(error), error);
            }
        }
    }

    /// <inheritdoc />
    public override void Flush()
    {
    }

    /// <inheritdoc />
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    /// <inheritdoc />
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    /// <inheritdoc />
    public override void SetLength(long value) => throw new NotSupportedException();

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial nint write(int fd, byte* buffer, nint count);
}
