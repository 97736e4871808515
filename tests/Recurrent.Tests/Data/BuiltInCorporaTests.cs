using System.Security.Cryptography;
using System.Text;
using Recurrent.Tests.Data;

namespace Recurrent.Tests.Data;

/// <summary>The book's corpora as compiled into the library, and a data directory that replaces them.</summary>
public class BuiltInCorporaTests : IDisposable
{
    // The SHA-256 sums published with the corpora (shared/data/SHA256SUMS), held here so that no test reads a folder
    // outside the repository.
    private const string JayChouSha256 = "3cfedd7d174111cdad5a27eaffaa6a2432a2842cf2590a03dd8a97610ea07043";
    private const string TimeMachineSha256 = "8424dbd9532ac81f7e5f0b6add90e6952baea29158309d7d1bf3884f4e12c516";

    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private CorpusLoader Loader(string? dataDirectory = null) =>
        new(new CorpusLoaderOptions { WorkingDirectory = _temp.Folder("work"), DataDirectory = dataDirectory });

    [Theory]
    [InlineData("jaychou", JayChouSha256, 52_607)]
    [InlineData("timemachine", TimeMachineSha256, 178_979)]
    public void TheEmbeddedBytesAreThePublishedFiles(string name, string sha256, int length)
    {
        byte[] bytes = BuiltInCorpus.Find(name)!.ReadEmbedded();

        Assert.Equal(length, bytes.Length);
        Assert.Equal(sha256, Convert.ToHexStringLower(SHA256.HashData(bytes)));
        Assert.Equal(sha256, BuiltInCorpus.Find(name)!.Sha256);
    }

    [Fact]
    public void JayChouIsTheBooksFirstTenThousandCharacters()
    {
        Corpus corpus = Loader().Load("jaychou");

        Assert.Equal("jaychou", corpus.Name);
        Assert.Equal("jaychou_lyrics.txt in jaychou_lyrics.txt.zip (built in)", corpus.Source);
        Assert.Equal(10_000, corpus.Length);
        Assert.Equal(1_027, corpus.Vocabulary.Size);
        Assert.DoesNotContain('\n', corpus.Text);
        Assert.DoesNotContain('\r', corpus.Text);
        Assert.StartsWith("想要有直升机 想要和你飞到宇宙去 ", corpus.Text);
        Assert.Equal(corpus.Text, corpus.Vocabulary.Decode(corpus.Indices));
        Assert.Equal(8, Minibatches.PerEpoch(Sampling.Consecutive, corpus.Length, 32, 35));
    }

    [Fact]
    public void JayChouWholeTextWithALargerLimit()
    {
        Corpus corpus = Loader().Load("jaychou", maxChars: int.MaxValue);

        Assert.Equal(63_282, corpus.Length);
        Assert.DoesNotContain('\n', corpus.Text);
    }

    [Fact]
    public void TimeMachineIsTheWholeFileAsIs()
    {
        Corpus corpus = Loader().Load("timemachine");

        Assert.Equal("timemachine.txt (built in)", corpus.Source);
        Assert.Equal(178_979, corpus.Length);  // ASCII: one character per byte
        Assert.Equal(70, corpus.Vocabulary.Size);
        Assert.Contains('\n', corpus.Text);
        Assert.StartsWith("The Time Machine, by H. G. Wells", corpus.Text);
    }

    [Fact]
    public void AFileInTheDataDirectoryReplacesTheBuiltInOne()
    {
        string data = _temp.Folder("data");
        string path = _temp.File("data/timemachine.txt", BuiltInCorpus.TimeMachine.ReadEmbedded());

        Corpus corpus = Loader(data).Load("timemachine");

        Assert.Equal(path, corpus.Source);
        Assert.Equal(178_979, corpus.Length);
    }

    [Fact]
    public void ADataDirectoryWithoutTheFileLeavesTheBuiltInOne()
    {
        Corpus corpus = Loader(_temp.Folder("data")).Load("timemachine");

        Assert.Equal("timemachine.txt (built in)", corpus.Source);
    }

    [Fact]
    public void AChangedFileInTheDataDirectoryIsAnErrorNotUsedSilently()
    {
        string data = _temp.Folder("data");
        _temp.File("data/timemachine.txt", Encoding.ASCII.GetBytes("The Time Machine, abridged"));

        var error = Assert.Throws<RecurrentException>(() => Loader(data).Load("timemachine"));

        Assert.StartsWith($"timemachine.txt in the data directory {data} does not match the SHA-256 built into Recurrent", error.Message);
        Assert.Contains(TimeMachineSha256, error.Message);
        Assert.EndsWith("remove it to use the built-in copy.", error.Message);
    }

    [Fact]
    public void ADeviceInTheDataDirectoryIsRefusedByName()
    {
        if (OperatingSystem.IsWindows()) return;
        string data = _temp.Folder("data");
        File.CreateSymbolicLink(Path.Combine(data, "timemachine.txt"), "/dev/null");

        var error = Assert.Throws<RecurrentException>(() => Loader(data).Load("timemachine"));

        Assert.Equal($"{Path.Combine(data, "timemachine.txt")} is a device, not a corpus file.", error.Message);
    }

    [Fact]
    public void TheFingerprintIsTheSha256OfTheTextsUtf8()
    {
        // The text is hashed in pieces of 16,384 chars: a surrogate pair across the seam, and a lone surrogate (which
        // UTF-8 writes as U+FFFD), must give the bytes of one whole encoding.
        foreach (string text in new[] { "", "分开", new string('a', 16_383) + "\U0001D11E" + "b", new string('a', 40_000) + "\uD800" })
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text))), Corpus.Fingerprint(text));
        // The book's text, as every checkpoint of the book's run records it: a resumed run must find the same.
        Assert.Equal("b054e3e41c43ca4694807907e8ba39588da9e0ac4f24d28655bccedb526753cf", Corpus.Fingerprint(Loader().Load("jaychou").Text));
        Assert.Equal(TimeMachineSha256, Corpus.Fingerprint(Loader().Load("timemachine").Text));
    }

    [Fact]
    public void AMissingDataDirectoryIsAnError()
    {
        var error = Assert.Throws<RecurrentException>(() => Loader("no-such-dir").Load("jaychou"));

        Assert.Equal($"The data directory {Path.Combine(_temp.Path, "work", "no-such-dir")} does not exist.", error.Message);
    }
}
