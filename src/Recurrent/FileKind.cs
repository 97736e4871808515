namespace Recurrent;

/// <summary>What a path names, as far as reading it goes (see <see cref="InputFile.KindOf"/>).</summary>
public enum FileKind
{
    /// <summary>Nothing: the path does not exist, or is a symbolic link to nothing.</summary>
    Missing,

    /// <summary>An ordinary file: its size is known before it is read, and it ends.</summary>
    Regular,

    /// <summary>A folder.</summary>
    Directory,

    /// <summary>A device, such as <c>/dev/zero</c>, <c>/dev/urandom</c>, a terminal or a disk: it may never end.</summary>
    Device,

    /// <summary>
    /// A pipe: a named pipe (FIFO), a shell's process substitution <c>&lt;(command)</c>, or standard input from a
    /// pipe. It can be read once, forward only, and opening one waits until something writes to it.
    /// </summary>
    Pipe,

    /// <summary>A Unix domain socket, or anything else that is neither a file nor a folder.</summary>
    Other,
}
