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
/// the book counts the characters of a Python <c>str</c>. A file or zip member is read as a stream, and reading stops
/// at the character limit, so that the memory a corpus takes is that of the text kept; only regular files are read.
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
    /// The name or path is unknown, a file is missing, unreadable, a device or a pipe, not valid UTF-8 (as far as it is
    /// read) or empty, its text would not fit in the memory this process may use, or a data directory's copy of a
    /// built-in file does not have its SHA-256.
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
        (string file, Stream stream) = Fetch(corpus);
        using (stream)
        {
            int? limit = maxChars ?? corpus.DefaultMaxChars;
            string source = file, text;
            if (corpus.ZipMember is not null)
            {
                (string member, text, _) = CorpusText.ReadZipMember(stream, file, corpus.ZipMember, limit);
                source = $"{member} in {file}";
            }
            else text = CorpusText.ReadUtf8(stream, source, limit, out _);
            // The book: corpus_chars.replace('\n', ' ').replace('\r', ' '), then corpus_chars[0:10000]. Cutting first
            // gives the same text: a line break is one character before and after.
            if (corpus.NewlinesToSpaces) text = text.Replace('\n', ' ').Replace('\r', ' ');
            return new Corpus(corpus.Name, source, text);
        }
    }

    // A file given by path is used as is: no line-break replacement, the whole text unless maxChars is given.
    private Corpus LoadPath(string path, int? maxChars)
    {
        string fullPath = Path.GetFullPath(path, WorkingDirectory);
        switch (InputFile.KindOf(fullPath))
        {
            case FileKind.Missing: throw new RecurrentException($"{path} is neither a built-in corpus ({BuiltInNames}) nor an existing file.");
            case FileKind.Directory: throw new RecurrentException($"{path} is a folder, not a corpus file.");
        }
        using FileStream file = Open(fullPath, path);
        string what = path, source = fullPath, text;
        long bytes;
        bool large = false;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        // Called with the size of the text to decode (the file's, or the zip member's) before any of it is read.
        void Check(string name, long size)
        {
            CheckMemory(name, size, maxChars);
            // A code point takes at most four bytes: with a limit, that much of the file is read at most.
            large = (maxChars is int max ? Math.Min(size, 4L * max) : size) >= LargeFile;
            if (large) _options.Log?.Invoke(maxChars is int kept && 4L * kept < size
                ? $"reading the first {kept:N0} characters of {name} ({size / 1e6:F0} MB)"
                : $"reading {name} ({size / 1e6:F0} MB)");
        }
        try
        {
            if (fullPath.EndsWith(".zip", StringComparison.OrdinalIgnoreCase))
            {
                (string member, text, bytes) = CorpusText.ReadZipMember(file, path, member: null, maxChars, Check);
                what = $"{member} in {path}";
                source = $"{member} in {fullPath}";
            }
            else
            {
                Check(path, file.Length);
                text = CorpusText.ReadUtf8(file, path, maxChars, out bytes);
            }
        }
        catch (IOException e)
        {
            throw new RecurrentException($"Could not read {path} ({e.Message.TrimEnd('.')}).", e);
        }
        if (bytes == 0) throw new RecurrentException($"{what} is empty.");
        if (text.Length == 0) throw new RecurrentException($"{what} has no text after its byte order mark.");
        var result = new Corpus(path, source, text);
        if (large) _options.Log?.Invoke($"read {result.Length:N0} characters, {result.Vocabulary.Size:N0} distinct, in {clock.Elapsed.TotalSeconds:F1} s");
        return result;
    }

    /// <summary>Files from this size on get a line on the log when they start and finish loading.</summary>
    private const int LargeFile = 16 << 20;

    private static string BuiltInNames => string.Join(", ", BuiltInCorpus.All.Select(c => c.Name));

    /// <summary>
    /// Bytes of memory a loaded corpus takes per UTF-16 char of its text, at the peak: the text (2) and, beside it, the
    /// index of each character (4), after the text has been copied out of the buffer it was read into (2 more, briefly).
    /// </summary>
    internal const int BytesPerChar = 8;

    /// <summary>
    /// Refuses, before reading it, a text that could not be held in the memory this process may use, rather than
    /// failing part way through with an out-of-memory error.
    /// </summary>
    /// <param name="what">The file or zip member as messages name it.</param>
    /// <param name="bytes">Its size in bytes.</param>
    /// <param name="maxChars">The characters to keep, or null for all.</param>
    private static void CheckMemory(string what, long bytes, int? maxChars)
    {
        // UTF-8 takes at least one byte per UTF-16 char, and a code point is at most two chars.
        long chars = maxChars is int max ? Math.Min(bytes, 2L * max) : bytes;
        long needed = chars * BytesPerChar, available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        if (available > 0 && needed > available)
            throw new OptionException(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"{what} holds {bytes / 1e6:N0} MB of text, which would take about {needed / 1e9:N1} GB of memory to load, more than the {available / 1e9:N1} GB here: keep less of it with {{{DataOptions.Keys.MaxChars}}}."));
    }

    /// <summary>The file as messages name it (a path, or the file name followed by "(built in)"), open at its start.</summary>
    private (string File, Stream Stream) Fetch(BuiltInCorpus corpus)
    {
        if (DataDirectory is not null)
        {
            // A mistyped data directory would otherwise go unnoticed, the built-in file being used instead.
            if (!Directory.Exists(DataDirectory))
                throw new RecurrentException($"The data directory {DataDirectory} does not exist.");
            string inData = Path.Combine(DataDirectory, corpus.FileName);
            if (File.Exists(inData)) return (inData, OpenVerified(corpus, inData));
        }
        return ($"{corpus.FileName} (built in)", corpus.OpenEmbedded());
    }

    private static FileStream OpenVerified(BuiltInCorpus corpus, string path)
    {
        FileStream stream = Open(path, path);
        try
        {
            // Hashed as it is read, so that a large file of that name is refused without being held.
            string actual = Convert.ToHexStringLower(SHA256.HashData(stream));
            if (actual != corpus.Sha256)
                throw new RecurrentException(
                    $"{corpus.FileName} in the data directory {Path.GetDirectoryName(path)} does not match the SHA-256 built into Recurrent " +
                    $"(expected {corpus.Sha256}, got {actual}): remove it to use the built-in copy.");
            stream.Position = 0;
            return stream;
        }
        catch (IOException e)
        {
            stream.Dispose();
            throw new RecurrentException($"Could not read {path} ({e.Message.TrimEnd('.')}).", e);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>Opens a regular file; a device (such as /dev/zero, which never ends) or a pipe is refused in one sentence.</summary>
    private static FileStream Open(string path, string what)
    {
        InputFile.CheckRegular(path, what, "corpus file");
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new RecurrentException($"Could not read {what} ({e.Message.TrimEnd('.')}).", e);
        }
    }
}
