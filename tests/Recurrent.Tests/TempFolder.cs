namespace Recurrent.Tests;

/// <summary>
/// A fresh folder of its own under the system's temporary folder, for one test or one test class; deleted with
/// everything in it on dispose. Every test that needs files on disk takes one.
/// </summary>
public sealed class TempFolder : IDisposable
{
    public TempFolder() => Path = Directory.CreateTempSubdirectory("recurrent-tests-").FullName;

    public string Path { get; }

    /// <summary>The full path of <paramref name="relativePath"/> in the folder; nothing is created.</summary>
    public string File(string relativePath) => System.IO.Path.Combine(Path, relativePath);

    /// <summary>Writes a file (creating its folder) and returns its full path.</summary>
    public string File(string relativePath, byte[] bytes)
    {
        string path = WithFolder(relativePath);
        System.IO.File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>Writes a text file in UTF-8 without byte order mark (creating its folder) and returns its full path.</summary>
    public string File(string relativePath, string text)
    {
        string path = WithFolder(relativePath);
        System.IO.File.WriteAllText(path, text);
        return path;
    }

    /// <summary>The full path of a sub-folder, created.</summary>
    public string Folder(params string[] parts)
    {
        string folder = System.IO.Path.Combine([Path, .. parts]);
        Directory.CreateDirectory(folder);
        return folder;
    }

    /// <summary>The names of the files and folders directly in the folder, sorted.</summary>
    public string[] FileNames() =>
        Directory.GetFileSystemEntries(Path).Select(System.IO.Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;

    // A test may have deleted the folder itself (to see a write fail).
    public void Dispose()
    {
        if (Directory.Exists(Path)) Directory.Delete(Path, recursive: true);
    }

    private string WithFolder(string relativePath)
    {
        string path = File(relativePath);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        return path;
    }
}
