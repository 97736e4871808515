using System.Runtime.InteropServices;

namespace Recurrent;

/// <summary>
/// What a path names before it is opened, so that the commands read regular files only: a device such as
/// <c>/dev/zero</c> gives data without end, and opening a named pipe waits until something writes to it.
/// </summary>
/// <remarks>
/// .NET tells a folder from a file but not a device or a pipe from a file: <c>File.Exists("/dev/zero")</c> is true
/// and its length is 0. The kind comes from stat(2), through the runtime's own native library (libSystem.Native,
/// which .NET's file APIs call on every Unix and whose structure has one layout on every platform, unlike libc's).
/// Where that is not available (Windows), a path that exists is taken as a regular file or a folder.
/// </remarks>
public static partial class InputFile
{
    /// <summary>What <paramref name="path"/> names, following symbolic links.</summary>
    public static FileKind KindOf(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!OperatingSystem.IsWindows())
        {
            try
            {
                // A path stat(2) cannot follow (nothing there, a broken link, a folder that may not be searched) is
                // missing here, and the caller's open says why in its own words.
                return Stat(path, out FileStatus status) == 0 ? FromMode(status.Mode) : FileKind.Missing;
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
                // A runtime without the function: the managed checks below still tell a file from a folder.
            }
        }
        return Directory.Exists(path) ? FileKind.Directory : File.Exists(path) ? FileKind.Regular : FileKind.Missing;
    }

    /// <summary>
    /// Refuses a path that names a folder, a device, a pipe or a socket, in one sentence that starts with
    /// <paramref name="what"/>; a regular file passes, and so does a missing one, which the caller's open reports in
    /// its own words.
    /// </summary>
    /// <param name="path">The path to check.</param>
    /// <param name="what">The file as messages name it, such as <c>"The prefix file notes.txt"</c>.</param>
    /// <param name="noun">What the file should have been, for the message.</param>
    /// <exception cref="RecurrentException">The path names something other than a regular file.</exception>
    public static void CheckRegular(string path, string what, string noun = "file")
    {
        string? problem = KindOf(path) switch
        {
            FileKind.Directory => $"{what} is a folder, not a {noun}.",
            FileKind.Device => $"{what} is a device, not a {noun}.",
            FileKind.Pipe => $"{what} is a pipe, not a {noun}: save what it gives to a file and give that.",
            FileKind.Other => $"{what} is a socket or another special file, not a {noun}.",
            _ => null,
        };
        if (problem is not null) throw new RecurrentException(problem);
    }

    private static FileKind FromMode(int mode) => (mode & TypeMask) switch
    {
        RegularType => FileKind.Regular,
        DirectoryType => FileKind.Directory,
        CharacterDeviceType or BlockDeviceType => FileKind.Device,
        PipeType => FileKind.Pipe,
        _ => FileKind.Other,
    };

    // The file type bits of st_mode, the same on every Unix (POSIX gives the values; the runtime asserts them).
    private const int TypeMask = 0xF000, PipeType = 0x1000, CharacterDeviceType = 0x2000, DirectoryType = 0x4000,
        BlockDeviceType = 0x6000, RegularType = 0x8000;

    /// <summary>
    /// The start of the runtime's FileStatus (Flags, then Mode); the size leaves room for the fields after them, of
    /// which there are fewer than 256 bytes in every version.
    /// </summary>
    [StructLayout(LayoutKind.Sequential, Size = 256)]
    private struct FileStatus
    {
        public int Flags;
        public int Mode;
    }

    [LibraryImport("libSystem.Native", EntryPoint = "SystemNative_Stat", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Stat(string path, out FileStatus status);
}
