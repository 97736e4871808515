using System.Text;
using Recurrent;

namespace Recurrent.Tests.Data;

/// <summary>
/// Where a built-in corpus is found: the data directory, then a shared/data folder above the working
/// directory, then the cache, then a download; and the SHA-256 check wherever it is found.
/// </summary>
public class CorpusResolutionTests : IDisposable
{
    private static readonly byte[] TimeMachine = SharedData.Read("timemachine.txt");
    private static readonly byte[] Tampered = Encoding.ASCII.GetBytes("The Time Machine, abridged");

    // Layout in a temporary root: data/, shared/data/, cache/, and work/inner as the working directory,
    // so that the search for shared/data walks up from work/inner and finds the root's shared/data.
    private readonly TempFolder _root = new();
    private readonly LoopbackServer _server = LoopbackServer.Serving(TimeMachine);

    public void Dispose()
    {
        _server.Dispose();
        _root.Dispose();
    }

    private string DataDir => Path.Combine(_root.Path, "data");
    private string SharedDir => Path.Combine(_root.Path, "shared", "data");
    private string CacheDir => Path.Combine(_root.Path, "cache");

    private CorpusLoader Loader(bool withDataDir = true) => new(new CorpusLoaderOptions
    {
        DataDirectory = withDataDir ? _root.Folder("data") : null,
        WorkingDirectory = _root.Folder("work", "inner"),
        CacheDirectory = CacheDir,
        DownloadBaseAddress = _server.BaseAddress,
    });

    private void Put(string folder, byte[] bytes) => _root.File(Path.Combine(folder, "timemachine.txt"), bytes);

    [Fact]
    public void DataDirectoryComesFirst()
    {
        Put("data", TimeMachine);
        Put("shared/data", TimeMachine);
        Put("cache", TimeMachine);

        Corpus corpus = Loader().Load("timemachine");

        Assert.Equal(Path.Combine(DataDir, "timemachine.txt"), corpus.Source);
        Assert.Empty(_server.Paths);
    }

    [Fact]
    public void SharedFolderComesBeforeTheCache()
    {
        Put("shared/data", TimeMachine);
        Put("cache", TimeMachine);

        Corpus corpus = Loader().Load("timemachine");  // the data directory exists but lacks the file

        Assert.Equal(Path.Combine(SharedDir, "timemachine.txt"), corpus.Source);
        Assert.Empty(_server.Paths);
    }

    [Fact]
    public void SharedFolderIsFoundInTheWorkingDirectoryItself()
    {
        Put("work/inner/shared/data", TimeMachine);
        Put("shared/data", Tampered);  // farther up: must not be reached

        Corpus corpus = Loader().Load("timemachine");

        Assert.Equal(Path.Combine(_root.Path, "work", "inner", "shared", "data", "timemachine.txt"), corpus.Source);
    }

    [Fact]
    public void CacheComesBeforeADownload()
    {
        Put("cache", TimeMachine);

        Corpus corpus = Loader(withDataDir: false).Load("timemachine");

        Assert.Equal(Path.Combine(CacheDir, "timemachine.txt"), corpus.Source);
        Assert.Empty(_server.Paths);
    }

    [Fact]
    public void DownloadWhenTheFileIsNowhere()
    {
        Corpus corpus = Loader().Load("timemachine");

        Assert.Equal(Path.Combine(CacheDir, "timemachine.txt"), corpus.Source);
        Assert.Equal(["/timemachine.txt"], _server.Paths);
        Assert.Equal(TimeMachine, File.ReadAllBytes(Path.Combine(CacheDir, "timemachine.txt")));
    }

    [Fact]
    public void MismatchInTheDataDirectoryIsAnErrorEvenWithAGoodFileElsewhere()
    {
        Put("data", Tampered);
        Put("shared/data", TimeMachine);

        var error = Assert.Throws<RecurrentException>(() => Loader().Load("timemachine"));

        Assert.StartsWith($"timemachine.txt in {DataDir} (the data directory) does not match the SHA-256", error.Message);
        Assert.Contains("8424dbd9532ac81f7e5f0b6add90e6952baea29158309d7d1bf3884f4e12c516", error.Message);
        Assert.Empty(_server.Paths);
    }

    [Fact]
    public void MismatchInTheSharedFolderIsAnError()
    {
        Put("shared/data", Tampered);

        var error = Assert.Throws<RecurrentException>(() => Loader(withDataDir: false).Load("timemachine"));

        Assert.StartsWith($"timemachine.txt in {SharedDir} (the shared data folder) does not match", error.Message);
    }

    [Fact]
    public void MismatchInTheCacheIsAnErrorThatSaysHowToFixIt()
    {
        Put("cache", Tampered);

        var error = Assert.Throws<RecurrentException>(() => Loader(withDataDir: false).Load("timemachine"));

        Assert.StartsWith($"timemachine.txt in {CacheDir} (the cache) does not match", error.Message);
        Assert.EndsWith("; delete it to download it again.", error.Message);
        Assert.Empty(_server.Paths);
        Assert.Equal(Tampered, File.ReadAllBytes(Path.Combine(CacheDir, "timemachine.txt")));
    }

    [Fact]
    public void MissingDataDirectoryIsAnError()
    {
        Put("shared/data", TimeMachine);
        var loader = new CorpusLoader(new CorpusLoaderOptions
        {
            DataDirectory = "no-such-dir",
            WorkingDirectory = _root.Folder("work", "inner"),
            CacheDirectory = CacheDir,
            DownloadBaseAddress = _server.BaseAddress,
        });

        var error = Assert.Throws<RecurrentException>(() => loader.Load("timemachine"));

        Assert.Equal($"The data directory {Path.Combine(_root.Path, "work", "inner", "no-such-dir")} does not exist.", error.Message);
    }

    [Fact]
    public void DefaultCacheDirectoryFollowsXdg()
    {
        Assert.Equal(Path.Combine("/x/cache", "recurrent"), CorpusLoader.DefaultCacheDirectory("/x/cache", "/home/me"));
        Assert.Equal(Path.Combine("/home/me", ".cache", "recurrent"), CorpusLoader.DefaultCacheDirectory(null, "/home/me"));
        Assert.Equal(Path.Combine("/home/me", ".cache", "recurrent"), CorpusLoader.DefaultCacheDirectory("", "/home/me"));
        // The XDG specification: a relative path is invalid and ignored.
        Assert.Equal(Path.Combine("/home/me", ".cache", "recurrent"), CorpusLoader.DefaultCacheDirectory("rel/cache", "/home/me"));
    }
}
