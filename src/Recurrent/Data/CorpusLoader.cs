using System.Security.Cryptography;

namespace Recurrent.Data;

/// <summary>
/// Loads a corpus by built-in name (<c>jaychou</c>, <c>timemachine</c>) or by path (a UTF-8 text file or
/// a zip holding one).
/// </summary>
/// <remarks>
/// A built-in corpus is read from the copy compiled into Recurrent, unless a data directory holds a file of
/// its name: that file is used instead, and its SHA-256 must be the one compiled into Recurrent (a file that
/// differs is an error, never used silently). Text is decoded as strict UTF-8 and counted in code points, as
/// the book counts the characters of a Python <c>str</c>.
/// </remarks>
public sealed class CorpusLoader
{
    private readonly CorpusLoaderOptions _options;

    /// <summary>Creates a loader; with no options it reads paths from the current directory and has no data directory.</summary>
    public CorpusLoader(CorpusLoaderOptions? options = null)
    {
        _options = options ?? new CorpusLoaderOptions();
        WorkingDirectory = Path.GetFullPath(_options.WorkingDirectory ?? Environment.CurrentDirectory);
        DataDirectory = _options.DataDirectory is { } data ? Path.GetFullPath(data, WorkingDirectory) : null;
    }

    /// <summary>The folder relative paths start from.</summary>
    public string WorkingDirectory { get; }

    /// <summary>The folder whose files replace the built-in ones of the same name, or null.</summary>
    public string? DataDirectory { get; }

    /// <summary>Loads a built-in corpus by name, or a text file or zip by path.</summary>
    /// <param name="nameOrPath">
    /// A built-in name (which wins over a file of the same name; write <c>./jaychou</c> for the file), or
    /// a path, relative to the working directory. A path ending in <c>.zip</c> is read as a zip.
    /// </param>
    /// <param name="maxChars">
    /// How many characters (code points) to keep from the start; null for the corpus's default: 10,000
    /// for <c>jaychou</c>, the whole text otherwise.
    /// </param>
    /// <exception cref="RecurrentException">
    /// The name or path is unknown, a file is missing, unreadable, not valid UTF-8 or empty, or a data
    /// directory's copy of a built-in file does not have its SHA-256.
    /// </exception>
    public Corpus Load(string nameOrPath, int? maxChars = null)
    {
        if (string.IsNullOrWhiteSpace(nameOrPath))
            throw new RecurrentException($"Give a corpus: a built-in name ({BuiltInNames}) or the path of a text file or zip.");
        if (maxChars is < 1) throw new OptionException($"{{{DataOptions.Keys.MaxChars}}} must be at least 1 (got {maxChars}).");
        return BuiltInCorpus.Find(nameOrPath) is { } builtIn
            ? LoadBuiltIn(builtIn, maxChars)
            : LoadPath(nameOrPath, maxChars);
    }

    private Corpus LoadBuiltIn(BuiltInCorpus corpus, int? maxChars)
    {
        (string file, byte[] bytes) = Fetch(corpus);
        string source = file;
        if (corpus.ZipMember is not null)
        {
            (string member, bytes) = CorpusText.ReadZipMember(bytes, file, corpus.ZipMember);
            source = $"{member} in {file}";
        }
        string text = CorpusText.DecodeUtf8(bytes, source);
        // The book: corpus_chars.replace('\n', ' ').replace('\r', ' '), then corpus_chars[0:10000].
        if (corpus.NewlinesToSpaces) text = text.Replace('\n', ' ').Replace('\r', ' ');
        text = CorpusText.FirstCharacters(text, maxChars ?? corpus.DefaultMaxChars);
        return new Corpus(corpus.Name, source, text);
    }

    // A file given by path is used as is: no line-break replacement, the whole text unless maxChars is given.
    private Corpus LoadPath(string path, int? maxChars)
    {
        string fullPath = Path.GetFullPath(path, WorkingDirectory);
        if (!File.Exists(fullPath))
        {
            if (Directory.Exists(fullPath)) throw new RecurrentException($"{path} is a folder, not a corpus file.");
            throw new RecurrentException($"{path} is neither a built-in corpus ({BuiltInNames}) nor an existing file.");
        }
        byte[] bytes = ReadFile(fullPath, path);
        string what = path, source = fullPath;
        if (fullPath.EndsWith(".zip", StringComparison.OrdinalIgnoreCase))
        {
            (string member, bytes) = CorpusText.ReadZipMember(bytes, path, member: null);
            what = $"{member} in {path}";
            source = $"{member} in {fullPath}";
        }
        if (bytes.Length == 0) throw new RecurrentException($"{what} is empty.");
        bool large = bytes.Length >= LargeFile;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        if (large) _options.Log?.Invoke($"reading {what} ({bytes.Length / 1e6:F0} MB)");
        string text = CorpusText.DecodeUtf8(bytes, what);
        bytes = [];   // the text is all that is needed from here on: let the bytes go before the indices are made
        if (text.Length == 0) throw new RecurrentException($"{what} has no text after its byte order mark.");
        var result = new Corpus(path, source, CorpusText.FirstCharacters(text, maxChars));
        if (large) _options.Log?.Invoke($"read {result.Length:N0} characters, {result.Vocabulary.Size:N0} distinct, in {clock.Elapsed.TotalSeconds:F1} s");
        return result;
    }

    /// <summary>Files from this size on get a line on the log when they start and finish loading.</summary>
    private const int LargeFile = 16 << 20;

    private static string BuiltInNames => string.Join(", ", BuiltInCorpus.All.Select(c => c.Name));

    /// <summary>The file as messages name it (a path, or the file name followed by "(built in)") and its bytes.</summary>
    private (string File, byte[] Bytes) Fetch(BuiltInCorpus corpus)
    {
        if (DataDirectory is not null)
        {
            // A mistyped data directory would otherwise go unnoticed, the built-in file being used instead.
            if (!Directory.Exists(DataDirectory))
                throw new RecurrentException($"The data directory {DataDirectory} does not exist.");
            string inData = Path.Combine(DataDirectory, corpus.FileName);
            if (File.Exists(inData)) return (inData, ReadVerified(corpus, inData));
        }
        return ($"{corpus.FileName} (built in)", corpus.ReadEmbedded());
    }

    private static byte[] ReadVerified(BuiltInCorpus corpus, string path)
    {
        byte[] bytes = ReadFile(path, path);
        string actual = Convert.ToHexStringLower(SHA256.HashData(bytes));
        if (actual != corpus.Sha256)
            throw new RecurrentException(
                $"{corpus.FileName} in the data directory {Path.GetDirectoryName(path)} does not match the SHA-256 built into Recurrent " +
                $"(expected {corpus.Sha256}, got {actual}): remove it to use the built-in copy.");
        return bytes;
    }

    private static byte[] ReadFile(string path, string what)
    {
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new RecurrentException($"Could not read {what} ({e.Message.TrimEnd('.')}).", e);
        }
    }
}
