using System.IO.Compression;
using System.Text;
using Recurrent;

namespace Recurrent.Tests.Data;

/// <summary>Corpora given by path: decoding, limits, zips and the errors a person sees.</summary>
public class CorpusFileTests : IDisposable
{
    private readonly TempFolder _temp = new();
    private readonly CorpusLoader _loader;

    public CorpusFileTests()
    {
        _loader = new CorpusLoader(new CorpusLoaderOptions { WorkingDirectory = _temp.Folder("work") });
    }

    public void Dispose() => _temp.Dispose();

    private string Write(string name, byte[] bytes) => _temp.File(Path.Combine("work", name), bytes);

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    private static byte[] Zip(params (string Name, string Text)[] members)
    {
        var buffer = new MemoryStream();
        using (var archive = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, text) in members)
            {
                using Stream stream = archive.CreateEntry(name).Open();
                stream.Write(Utf8(text));
            }
        }
        return buffer.ToArray();
    }

    [Fact]
    public void TextFileIsUsedAsIs()
    {
        string path = Write("corpus.txt", Utf8("ab\r\nc\U0001D11E"));

        Corpus corpus = _loader.Load("corpus.txt");

        Assert.Equal("corpus.txt", corpus.Name);
        Assert.Equal(path, corpus.Source);
        Assert.Equal("ab\r\nc\U0001D11E", corpus.Text);
        Assert.Equal(6, corpus.Length);
        // Vocabulary by code point: '\n', '\r', 'a', 'b', 'c', U+1D11E.
        Assert.Equal([2, 3, 1, 0, 4, 5], corpus.Indices);
    }

    [Fact]
    public void AbsolutePathWorksFromAnyWorkingDirectory()
    {
        string path = Write("corpus.txt", Utf8("hello"));

        Assert.Equal("hello", _loader.Load(path).Text);
    }

    [Fact]
    public void MaxCharsCountsCodePoints()
    {
        Write("corpus.txt", Utf8("a\U0001D11Ebcd"));

        Assert.Equal("a\U0001D11E", _loader.Load("corpus.txt", maxChars: 2).Text);
        Assert.Equal("a\U0001D11Ebcd", _loader.Load("corpus.txt", maxChars: 100).Text);
    }

    [Fact]
    public void MaxCharsMustBePositive()
    {
        Write("corpus.txt", Utf8("abc"));

        var error = Assert.Throws<OptionException>(() => _loader.Load("corpus.txt", maxChars: 0));
        Assert.Contains("{max_chars}", error.Template);
    }

    [Fact]
    public void ReadingStopsAtMaxCharsSoBytesAfterThemDoNotMatter()
    {
        Write("corpus.txt", [.. Utf8("ab\U0001D11E"), 0xFF, 0xE4]);   // an invalid byte, then a sequence cut by the end

        Assert.Equal("ab\U0001D11E", _loader.Load("corpus.txt", maxChars: 3).Text);
        Assert.Contains("(byte offset 6)", Assert.Throws<RecurrentException>(() => _loader.Load("corpus.txt", maxChars: 4)).Message);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void CharactersCutByTheReadsDecodeWhole(int before)
    {
        // Reads are 64 KiB long: put each byte of a three-byte character, and of a four-byte one, at the seam.
        string head = new('a', (1 << 16) - before);
        Write("corpus.txt", Utf8(head + "丁\U0001D11Eb"));

        Assert.Equal(head + "丁\U0001D11Eb", _loader.Load("corpus.txt").Text);
        Assert.Equal(head + "丁\U0001D11E", _loader.Load("corpus.txt", maxChars: head.Length + 2).Text);
    }

    [Fact]
    public void ByteOffsetsCountEveryRead()
    {
        Write("corpus.txt", [.. Utf8(new string('a', 200_000)), 0xC0, 0x80]);

        Assert.Equal("corpus.txt is not valid UTF-8 (byte offset 200000).", Assert.Throws<RecurrentException>(() => _loader.Load("corpus.txt")).Message);
    }

    [Fact]
    public void AZipMemberIsInflatedOnlyAsFarAsMaxChars()
    {
        // 32 MB of one character, which deflates to a few tens of kilobytes.
        var buffer = new MemoryStream();
        using (var archive = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            using Stream stream = archive.CreateEntry("bomb.txt", CompressionLevel.Fastest).Open();
            byte[] chunk = Utf8(new string('a', 1 << 20));
            for (int i = 0; i < 32; i++) stream.Write(chunk);
        }
        Write("bomb.zip", buffer.ToArray());

        long before = GC.GetAllocatedBytesForCurrentThread();
        Corpus corpus = _loader.Load("bomb.zip", maxChars: 100);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(new string('a', 100), corpus.Text);
        Assert.True(allocated < 4 << 20, $"loading 100 characters allocated {allocated:N0} bytes");
    }

    [Fact]
    public void ADeviceIsNotACorpus()
    {
        // /dev/null ends at once; /dev/zero, which never does, is refused the same way before it is opened.
        var error = Assert.Throws<RecurrentException>(() => _loader.Load("/dev/null"));

        Assert.Equal("/dev/null is a device, not a corpus file.", error.Message);
    }

    [Fact]
    public void ByteOrderMarkIsSkipped()
    {
        Write("bom.txt", [0xEF, 0xBB, 0xBF, .. Utf8("héllo")]);

        Corpus corpus = _loader.Load("bom.txt");

        Assert.Equal("héllo", corpus.Text);
        Assert.Equal(5, corpus.Length);
    }

    [Fact]
    public void InvalidUtf8GivesTheByteOffset()
    {
        Write("corpus.txt", [.. Utf8("héllo"), 0xFF, .. Utf8("world")]);

        var error = Assert.Throws<RecurrentException>(() => _loader.Load("corpus.txt"));

        Assert.Equal("corpus.txt is not valid UTF-8 (byte offset 6).", error.Message);
    }

    [Fact]
    public void InvalidUtf8OffsetCountsTheByteOrderMark()
    {
        Write("corpus.txt", [0xEF, 0xBB, 0xBF, .. Utf8("ab"), 0xC0, 0x80]);  // an overlong NUL

        var error = Assert.Throws<RecurrentException>(() => _loader.Load("corpus.txt"));

        Assert.Contains("(byte offset 5)", error.Message);
    }

    [Fact]
    public void SequenceCutAtTheEndIsInvalid()
    {
        Write("corpus.txt", [.. Utf8("ab"), 0xE4, 0xB8]);  // the first two bytes of 丁

        var error = Assert.Throws<RecurrentException>(() => _loader.Load("corpus.txt"));

        Assert.Contains("(byte offset 2)", error.Message);
    }

    [Fact]
    public void EncodedSurrogateIsInvalid()
    {
        Write("corpus.txt", [.. Utf8("a"), 0xED, 0xA0, 0x80]);  // U+D800 written as UTF-8 (CESU)

        var error = Assert.Throws<RecurrentException>(() => _loader.Load("corpus.txt"));

        Assert.Contains("(byte offset 1)", error.Message);
    }

    [Fact]
    public void EmptyFileIsAnError()
    {
        Write("empty.txt", []);

        var error = Assert.Throws<RecurrentException>(() => _loader.Load("empty.txt"));

        Assert.Equal("empty.txt is empty.", error.Message);
    }

    [Fact]
    public void FileWithOnlyAByteOrderMarkIsAnError()
    {
        Write("bom.txt", [0xEF, 0xBB, 0xBF]);

        var error = Assert.Throws<RecurrentException>(() => _loader.Load("bom.txt"));

        Assert.Contains("bom.txt has no text", error.Message);
    }

    [Fact]
    public void MissingFileIsAnErrorListingTheBuiltInNames()
    {
        var error = Assert.Throws<RecurrentException>(() => _loader.Load("nowhere.txt"));

        Assert.Equal("nowhere.txt is neither a built-in corpus (jaychou, timemachine) nor an existing file.", error.Message);
    }

    [Fact]
    public void EmptyNameIsAnError()
    {
        var error = Assert.Throws<RecurrentException>(() => _loader.Load(" "));

        Assert.Contains("jaychou, timemachine", error.Message);
    }

    [Fact]
    public void FolderIsAnError()
    {
        _temp.Folder("work", "texts");

        var error = Assert.Throws<RecurrentException>(() => _loader.Load("texts"));

        Assert.Contains("texts is a folder", error.Message);
    }

    [Fact]
    public void ZipWithOneMemberUsesIt()
    {
        string path = Write("one.zip", Zip(("lyrics/song.md", "la la\nla")));

        Corpus corpus = _loader.Load("one.zip");

        Assert.Equal("la la\nla", corpus.Text);
        Assert.Equal($"lyrics/song.md in {path}", corpus.Source);
    }

    [Fact]
    public void ZipWithSeveralMembersUsesTheOnlyTextFile()
    {
        Write("several.zip", Zip(("README.md", "read me"), ("corpus.txt", "the text"), ("LICENSE", "free")));

        Assert.Equal("the text", _loader.Load("several.zip").Text);
    }

    [Fact]
    public void ZipWithSeveralTextFilesIsAnErrorNamingThem()
    {
        Write("two.zip", Zip(("a.txt", "one"), ("b.txt", "two")));

        var error = Assert.Throws<RecurrentException>(() => _loader.Load("two.zip"));

        Assert.Equal("two.zip holds 2 files (a.txt, b.txt); give a zip with one file, or with a single .txt file.", error.Message);
    }

    [Fact]
    public void ZipErrorsNameTheZip()
    {
        Write("none.zip", Zip());
        Write("broken.zip", Utf8("not a zip at all"));

        Assert.Contains("none.zip has no file", Assert.Throws<RecurrentException>(() => _loader.Load("none.zip")).Message);
        Assert.StartsWith("broken.zip is not a valid zip file", Assert.Throws<RecurrentException>(() => _loader.Load("broken.zip")).Message);
    }

    [Fact]
    public void InvalidUtf8InAZipNamesTheMember()
    {
        var buffer = new MemoryStream();
        using (var archive = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            using Stream stream = archive.CreateEntry("song.txt").Open();
            stream.Write([.. Utf8("abc"), 0x80]);
        }
        Write("songs.zip", buffer.ToArray());

        var error = Assert.Throws<RecurrentException>(() => _loader.Load("songs.zip"));

        Assert.Equal("song.txt in songs.zip is not valid UTF-8 (byte offset 3).", error.Message);
    }

    [Fact]
    public void BuiltInNameWinsOverAFileOfThatName()
    {
        Write("timemachine", Utf8("not the book"));

        Assert.Equal("not the book", _loader.Load("./timemachine").Text);
        // The bare name is the built-in corpus, not the file of that name in the working directory.
        Assert.StartsWith("The Time Machine, by H. G. Wells", _loader.Load("timemachine").Text);
    }
}
