namespace Recurrent.Data;

/// <summary>
/// A corpus known by name: its file, which ships inside the Recurrent assembly, the SHA-256 a copy of that file
/// must have, how the book prepares its text, and the prefixes a run predicts from by default.
/// </summary>
public sealed class BuiltInCorpus
{
    private BuiltInCorpus(string name, string fileName, string? zipMember, string sha256, int? defaultMaxChars,
        bool newlinesToSpaces, IReadOnlyList<string> prefixes)
    {
        Name = name;
        FileName = fileName;
        ZipMember = zipMember;
        Sha256 = sha256;
        DefaultMaxChars = defaultMaxChars;
        NewlinesToSpaces = newlinesToSpaces;
        Prefixes = prefixes;
    }

    /// <summary>
    /// The Jay Chou lyrics of the Chinese edition of the book (63,282 characters), from the d2l-zh repository.
    /// As in the book, line breaks become spaces and the first 10,000 characters are kept, which gives 1,027
    /// distinct characters; the book predicts from 分开 and 不分开.
    /// </summary>
    public static BuiltInCorpus JayChou { get; } = new(
        name: "jaychou",
        fileName: "jaychou_lyrics.txt.zip",
        zipMember: "jaychou_lyrics.txt",
        sha256: "3cfedd7d174111cdad5a27eaffaa6a2432a2842cf2590a03dd8a97610ea07043",
        defaultMaxChars: 10_000,
        newlinesToSpaces: true,
        prefixes: ["分开", "不分开"]);

    /// <summary>
    /// H. G. Wells' <i>The Time Machine</i> (public domain), as used by the English edition; the whole file, as is.
    /// Runs predict from "time traveller" and "the", as the English edition does.
    /// </summary>
    public static BuiltInCorpus TimeMachine { get; } = new(
        name: "timemachine",
        fileName: "timemachine.txt",
        zipMember: null,
        sha256: "8424dbd9532ac81f7e5f0b6add90e6952baea29158309d7d1bf3884f4e12c516",
        defaultMaxChars: null,
        newlinesToSpaces: false,
        prefixes: ["time traveller", "the"]);

    /// <summary>Every built-in corpus.</summary>
    public static IReadOnlyList<BuiltInCorpus> All { get; } = [JayChou, TimeMachine];

    /// <summary>The built-in corpus with this name (exact, lower case), or null.</summary>
    public static BuiltInCorpus? Find(string name) => All.FirstOrDefault(c => c.Name == name);

    /// <summary>The name a run gives for the corpus.</summary>
    public string Name { get; }

    /// <summary>The file's name, inside the assembly and in a data directory that replaces it.</summary>
    public string FileName { get; }

    /// <summary>The member holding the text when the file is a zip, else null.</summary>
    public string? ZipMember { get; }

    /// <summary>The SHA-256 of the file, lower-case hex: a copy in a data directory must have it too.</summary>
    public string Sha256 { get; }

    /// <summary>How many characters are kept when the caller gives no limit; null keeps them all.</summary>
    public int? DefaultMaxChars { get; }

    /// <summary>Whether line feeds and carriage returns become spaces (the book's preprocessing of the lyrics).</summary>
    public bool NewlinesToSpaces { get; }

    /// <summary>The prefixes a run on this corpus predicts from unless it is given others.</summary>
    public IReadOnlyList<string> Prefixes { get; }

    /// <summary>The file's bytes, as compiled into the assembly.</summary>
    public byte[] ReadEmbedded()
    {
        using Stream stream = OpenEmbedded();
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        return bytes;
    }

    /// <summary>The file as compiled into the assembly, as a stream that reads and seeks it in place.</summary>
    public Stream OpenEmbedded()
    {
        string resource = $"Recurrent.Data.Corpora.{FileName}";
        return typeof(BuiltInCorpus).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"The assembly has no resource {resource}.");
    }
}
