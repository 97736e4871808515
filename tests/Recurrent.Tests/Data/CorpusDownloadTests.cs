using System.Text;
using Recurrent;

namespace Recurrent.Tests.Data;

/// <summary>Downloads from a server of the test's own on loopback: verified, cached atomically, or refused.</summary>
public class CorpusDownloadTests : IDisposable
{
    private readonly TempFolder _root = new();

    public void Dispose() => _root.Dispose();

    private string CacheDir => Path.Combine(_root.Path, "cache");

    // No data directory, a working directory with no shared/data above it, an empty cache.
    private CorpusLoader Loader(Uri baseAddress, List<string>? log = null) => new(new CorpusLoaderOptions
    {
        WorkingDirectory = _root.Folder("work"),
        CacheDirectory = CacheDir,
        DownloadBaseAddress = baseAddress,
        DownloadTimeout = TimeSpan.FromSeconds(20),
        Log = log is null ? null : log.Add,
    });

    private void AssertNothingCached() =>
        Assert.True(!Directory.Exists(CacheDir) || Directory.GetFileSystemEntries(CacheDir).Length == 0,
            "The cache should be empty.");

    [Fact]
    public void RightFileIsDownloadedVerifiedCachedAndThenReused()
    {
        byte[] zip = SharedData.Read("jaychou_lyrics.txt.zip");
        using var server = LoopbackServer.Serving(zip);
        var log = new List<string>();

        Corpus first = Loader(server.BaseAddress, log).Load("jaychou");

        Assert.Equal(["/jaychou_lyrics.txt.zip"], server.Paths);
        Assert.Equal(10_000, first.Length);
        Assert.Equal(1_027, first.Vocabulary.Size);
        // Only the final file is left in the cache: no temporary file.
        Assert.Equal([Path.Combine(CacheDir, "jaychou_lyrics.txt.zip")], Directory.GetFileSystemEntries(CacheDir));
        Assert.Equal(zip, File.ReadAllBytes(Path.Combine(CacheDir, "jaychou_lyrics.txt.zip")));
        Assert.Equal(2, log.Count);
        Assert.Contains($"{server.BaseAddress}jaychou_lyrics.txt.zip", log[0]);

        Corpus second = Loader(server.BaseAddress).Load("jaychou");

        Assert.Single(server.Paths);
        Assert.Equal(first.Text, second.Text);
    }

    [Fact]
    public void BaseAddressWithoutAFinalSlashKeepsItsPath()
    {
        byte[] text = SharedData.Read("timemachine.txt");
        using var server = LoopbackServer.Serving(text);

        Loader(new Uri(server.BaseAddress, "mirror/d2l")).Load("timemachine");

        Assert.Equal(["/mirror/d2l/timemachine.txt"], server.Paths);
    }

    [Fact]
    public void WrongFileIsRejectedAndNotCached()
    {
        using var server = LoopbackServer.Serving(Encoding.ASCII.GetBytes("<html>Rate limited</html>"));

        var error = Assert.Throws<RecurrentException>(() => Loader(server.BaseAddress).Load("timemachine"));

        Assert.StartsWith($"The timemachine.txt downloaded from {server.BaseAddress}timemachine.txt does not match the SHA-256", error.Message);
        Assert.EndsWith("so it was neither used nor cached.", error.Message);
        AssertNothingCached();
    }

    [Fact]
    public void ServerErrorIsReportedAndNothingIsCached()
    {
        using var server = new LoopbackServer(_ => (500, Encoding.ASCII.GetBytes("oops")));

        var error = Assert.Throws<RecurrentException>(() => Loader(server.BaseAddress).Load("timemachine"));

        Assert.StartsWith($"Could not download timemachine.txt from {server.BaseAddress}timemachine.txt (HTTP 500 Internal Server Error);", error.Message);
        Assert.Contains(CacheDir, error.Message);
        AssertNothingCached();
    }

    [Fact]
    public void RefusedConnectionIsReportedAndNothingIsCached()
    {
        Uri refusing = LoopbackServer.RefusingAddress();

        var error = Assert.Throws<RecurrentException>(() => Loader(refusing).Load("jaychou"));

        Assert.StartsWith($"Could not download jaychou_lyrics.txt.zip from {refusing}jaychou_lyrics.txt.zip (", error.Message);
        Assert.Contains("refused", error.Message, StringComparison.OrdinalIgnoreCase);
        AssertNothingCached();
    }

    [Fact]
    public void SlowServerTimesOutAndNothingIsCached()
    {
        byte[] text = SharedData.Read("timemachine.txt");
        using var server = new LoopbackServer(_ => { Thread.Sleep(3000); return (200, text); });
        var loader = new CorpusLoader(new CorpusLoaderOptions
        {
            WorkingDirectory = _root.Folder("work"),
            CacheDirectory = CacheDir,
            DownloadBaseAddress = server.BaseAddress,
            DownloadTimeout = TimeSpan.FromMilliseconds(300),
        });

        var error = Assert.Throws<RecurrentException>(() => loader.Load("timemachine"));

        Assert.Contains("(no complete answer within 0.3 seconds)", error.Message);
        AssertNothingCached();
    }

    [Fact]
    public void ResolveDownloadsIntoTheCache()
    {
        using var server = LoopbackServer.Serving(SharedData.Read("timemachine.txt"));

        string path = Loader(server.BaseAddress).Resolve(BuiltInCorpus.TimeMachine);

        Assert.Equal(Path.Combine(CacheDir, "timemachine.txt"), path);
        Assert.True(File.Exists(path));
    }
}
