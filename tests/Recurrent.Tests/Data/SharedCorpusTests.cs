using Recurrent;

namespace Recurrent.Tests.Data;

/// <summary>The real built-in corpora, found in the shared/data folder beside the repository.</summary>
public class SharedCorpusTests
{
    // Starts from the test binaries, inside the clone; downloads would go to a refused port, so a
    // missing shared folder fails the test instead of reaching the internet.
    private static CorpusLoader SharedLoader(TempFolder temp) => new(new CorpusLoaderOptions
    {
        WorkingDirectory = AppContext.BaseDirectory,
        CacheDirectory = temp.Folder("cache"),
        DownloadBaseAddress = LoopbackServer.RefusingAddress(),
    });

    [Fact]
    public void JayChouIsTheBooksFirstTenThousandCharacters()
    {
        using var temp = new TempFolder();

        Corpus corpus = SharedLoader(temp).Load("jaychou");

        Assert.Equal("jaychou", corpus.Name);
        Assert.Equal($"jaychou_lyrics.txt in {Path.Combine(SharedData.Folder, "jaychou_lyrics.txt.zip")}", corpus.Source);
        Assert.Equal(10_000, corpus.Length);
        Assert.Equal(1_027, corpus.Vocabulary.Size);
        Assert.DoesNotContain('\n', corpus.Text);
        Assert.DoesNotContain('\r', corpus.Text);
        Assert.StartsWith("想要有直升机 想要和你飞到宇宙去 ", corpus.Text);
        Assert.Equal(corpus.Text, corpus.Vocabulary.Decode(corpus.Indices));
        Assert.Empty(Directory.GetFileSystemEntries(temp.Folder("cache")));
    }

    [Fact]
    public void JayChouWholeTextWithALargerLimit()
    {
        using var temp = new TempFolder();

        Corpus corpus = SharedLoader(temp).Load("jaychou", maxChars: int.MaxValue);

        Assert.Equal(63_282, corpus.Length);
        Assert.DoesNotContain('\n', corpus.Text);
    }

    [Fact]
    public void DefaultRunHasEightMinibatchesPerEpoch()
    {
        using var temp = new TempFolder();
        Corpus corpus = SharedLoader(temp).Load("jaychou");

        Assert.Equal(8, Minibatches.PerEpoch(Sampling.Random, corpus.Length, 32, 35));
        Assert.Equal(8, Minibatches.Epoch(corpus.Indices, Sampling.Consecutive, 32, 35, new Rng(0)).Count());
    }

    [Fact]
    public void TimeMachineIsTheWholeFileAsIs()
    {
        using var temp = new TempFolder();

        Corpus corpus = SharedLoader(temp).Load("timemachine");

        Assert.Equal("timemachine", corpus.Name);
        Assert.Equal(Path.Combine(SharedData.Folder, "timemachine.txt"), corpus.Source);
        Assert.Equal(178_979, corpus.Length);  // ASCII: one character per byte
        Assert.Equal(70, corpus.Vocabulary.Size);
        Assert.Contains('\n', corpus.Text);
        Assert.StartsWith("The Time Machine, by H. G. Wells", corpus.Text);
    }

    [Fact]
    public void ResolveGivesTheSharedFile()
    {
        using var temp = new TempFolder();

        Assert.Equal(Path.Combine(SharedData.Folder, "timemachine.txt"), SharedLoader(temp).Resolve(BuiltInCorpus.TimeMachine));
    }
}
