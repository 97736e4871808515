using System.Diagnostics;

namespace Recurrent.Tests.Data;

/// <summary>What a path names before it is opened: the check that keeps devices and pipes out of the commands' inputs.</summary>
public class InputFileTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    /// <summary>A named pipe in the temporary folder; nothing opens it, so nothing waits on it.</summary>
    private string Fifo(string name)
    {
        string path = _temp.File(name);
        using var mkfifo = Process.Start("mkfifo", [path]);
        mkfifo.WaitForExit();
        Assert.Equal(0, mkfifo.ExitCode);
        return path;
    }

    [Fact]
    public void KindsOfPaths()
    {
        if (OperatingSystem.IsWindows()) return;
        string file = _temp.File("text.txt", "text");
        string link = _temp.File("link.txt");
        File.CreateSymbolicLink(link, file);
        string broken = _temp.File("broken.txt");
        File.CreateSymbolicLink(broken, _temp.File("nowhere.txt"));

        Assert.Equal(FileKind.Regular, InputFile.KindOf(file));
        Assert.Equal(FileKind.Regular, InputFile.KindOf(link));
        Assert.Equal(FileKind.Missing, InputFile.KindOf(broken));
        Assert.Equal(FileKind.Missing, InputFile.KindOf(_temp.File("nowhere.txt")));
        Assert.Equal(FileKind.Directory, InputFile.KindOf(_temp.Path));
        Assert.Equal(FileKind.Device, InputFile.KindOf("/dev/zero"));
        Assert.Equal(FileKind.Device, InputFile.KindOf("/dev/null"));
        Assert.Equal(FileKind.Pipe, InputFile.KindOf(Fifo("fifo")));
    }

    [Fact]
    public void OnlyRegularAndMissingFilesPass()
    {
        if (OperatingSystem.IsWindows()) return;
        InputFile.CheckRegular(_temp.File("text.txt", "text"), "The text");
        InputFile.CheckRegular(_temp.File("nowhere.txt"), "The text");   // the caller's open says it is missing

        string fifo = Fifo("fifo");
        Assert.Equal("The text /dev/zero is a device, not a file.",
            Assert.Throws<RecurrentException>(() => InputFile.CheckRegular("/dev/zero", "The text /dev/zero")).Message);
        Assert.Equal($"{fifo} is a pipe, not a corpus file: save what it gives to a file and give that.",
            Assert.Throws<RecurrentException>(() => InputFile.CheckRegular(fifo, fifo, "corpus file")).Message);
        Assert.Equal($"The text {_temp.Path} is a folder, not a file.",
            Assert.Throws<RecurrentException>(() => InputFile.CheckRegular(_temp.Path, $"The text {_temp.Path}")).Message);
    }
}
