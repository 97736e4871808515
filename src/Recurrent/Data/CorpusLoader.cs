using System.Security.Cryptography;

namespace Recurrent.Data;

/// <summary>
/// Loads a corpus by built-in name (<c>jaychou</c>, <c>timemachine</c>) or by path (a UTF-8 text file or
/// a zip holding one), and finds or downloads the files of the built-in corpora.
/// </summary>
/// <remarks>
/// A built-in file is looked for in the data directory, then in a <c>shared/data</c> folder of the working
/// directory or one of its parents, then in the cache, and is otherwise downloaded and cached. Wherever it
/// is found, its SHA-256 must be the one compiled into Recurrent: a file that differs is an error, never
/// used silently. Text is decoded as strict UTF-8 and counted in code points, as the book counts the
/// characters of a Python <c>str</c>.
/// </remarks>
public sealed class CorpusLoader
{
    // The built-in files are a few hundred kilobytes; the limit only stops a wrong server from filling memory.
    private const int MaxDownloadBytes = 64 << 20;

    private readonly CorpusLoaderOptions _options;

    /// <summary>Creates a loader; with no options it uses the current directory and the user's cache.</summary>
    public CorpusLoader(CorpusLoaderOptions? options = null)
    {
        _options = options ?? new CorpusLoaderOptions();
        WorkingDirectory = Path.GetFullPath(_options.WorkingDirectory ?? Environment.CurrentDirectory);
        CacheDirectory = Path.GetFullPath(_options.CacheDirectory ?? DefaultCacheDirectory(), WorkingDirectory);
        DataDirectory = _options.DataDirectory is { } data ? Path.GetFullPath(data, WorkingDirectory) : null;
    }

    /// <summary>The folder relative paths start from and the search for <c>shared/data</c> begins.</summary>
    public string WorkingDirectory { get; }

    /// <summary>The folder downloads are saved in.</summary>
    public string CacheDirectory { get; }

    /// <summary>The folder searched first for built-in files, or null.</summary>
    public string? DataDirectory { get; }

    /// <summary><c>$XDG_CACHE_HOME/recurrent</c>, or <c>~/.cache/recurrent</c> when that variable is unset.</summary>
    public static string DefaultCacheDirectory() =>
        DefaultCacheDirectory(Environment.GetEnvironmentVariable("XDG_CACHE_HOME"),
            Environment.GetFolderPath(Environment.SpecialFolder.UserProfile));

    // The XDG specification says to ignore a relative or empty XDG_CACHE_HOME.
    internal static string DefaultCacheDirectory(string? xdgCacheHome, string home) =>
        !string.IsNullOrEmpty(xdgCacheHome) && Path.IsPathFullyQualified(xdgCacheHome)
            ? Path.Combine(xdgCacheHome, "recurrent")
            : Path.Combine(home, ".cache", "recurrent");

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
    /// The name or path is unknown, a file is missing, unreadable, not valid UTF-8, empty or does not have
    /// its expected SHA-256, or a download fails.
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

    /// <summary>The path of a built-in corpus's verified file, downloading and caching it when needed.</summary>
    /// <exception cref="RecurrentException">The file found has the wrong SHA-256, or the download fails.</exception>
    public string Resolve(BuiltInCorpus corpus) => Fetch(corpus).Path;

    private Corpus LoadBuiltIn(BuiltInCorpus corpus, int? maxChars)
    {
        (string path, byte[] bytes) = Fetch(corpus);
        string source = path;
        if (corpus.ZipMember is not null)
        {
            (string member, bytes) = CorpusText.ReadZipMember(bytes, path, corpus.ZipMember);
            source = $"{member} in {path}";
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

    private (string Path, byte[] Bytes) Fetch(BuiltInCorpus corpus)
    {
        if (DataDirectory is not null)
        {
            // A mistyped --data-dir would otherwise go unnoticed when the file is found elsewhere.
            if (!Directory.Exists(DataDirectory))
                throw new RecurrentException($"The data directory {DataDirectory} does not exist.");
            string inData = Path.Combine(DataDirectory, corpus.FileName);
            if (File.Exists(inData)) return (inData, ReadVerified(corpus, inData, "the data directory"));
        }

        if (FindInSharedData(corpus.FileName) is { } shared)
            return (shared, ReadVerified(corpus, shared, "the shared data folder"));

        // The cache only ever receives verified files (written whole, then renamed), so a mismatch there means
        // something else changed the file: report it rather than replace it behind the user's back.
        string cached = Path.Combine(CacheDirectory, corpus.FileName);
        if (File.Exists(cached))
            return (cached, ReadVerified(corpus, cached, "the cache", "; delete it to download it again"));

        return (cached, Download(corpus, cached));
    }

    // Development and CI keep the files in a shared/data folder beside the clone of the repository.
    private string? FindInSharedData(string fileName)
    {
        for (DirectoryInfo? dir = new(WorkingDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "shared", "data", fileName);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }

    private static byte[] ReadVerified(BuiltInCorpus corpus, string path, string where, string advice = "")
    {
        byte[] bytes = ReadFile(path, path);
        string actual = Sha256Hex(bytes);
        if (actual != corpus.Sha256)
            throw new RecurrentException(
                $"{corpus.FileName} in {Path.GetDirectoryName(path)} ({where}) does not match the SHA-256 built into Recurrent " +
                $"(expected {corpus.Sha256}, got {actual}){advice}.");
        return bytes;
    }

    private byte[] Download(BuiltInCorpus corpus, string cachePath)
    {
        Uri address = DownloadAddress(corpus);
        _options.Log?.Invoke($"Downloading {corpus.FileName} from {address}");
        byte[] bytes;
        using (HttpClient client = CreateClient())
        {
            try
            {
                // Blocking on the task is safe here (a console program or a test, no synchronization context to
                // deadlock on) and works with any handler, unlike HttpClient.Send.
                using HttpResponseMessage response = client.GetAsync(address).GetAwaiter().GetResult();
                if (!response.IsSuccessStatusCode)
                    throw Failed($"HTTP {(int)response.StatusCode} {response.ReasonPhrase}", null);
                bytes = response.Content.ReadAsByteArrayAsync().GetAwaiter().GetResult();
            }
            catch (HttpRequestException e)
            {
                throw Failed(e.Message.TrimEnd('.'), e);
            }
            catch (TaskCanceledException e)
            {
                throw Failed($"no complete answer within {_options.DownloadTimeout.TotalSeconds:0.#} seconds", e);
            }
        }

        string actual = Sha256Hex(bytes);
        if (actual != corpus.Sha256)
            throw new RecurrentException(
                $"The {corpus.FileName} downloaded from {address} does not match the SHA-256 built into Recurrent " +
                $"(expected {corpus.Sha256}, got {actual}), so it was neither used nor cached.");
        SaveAtomically(bytes, cachePath);
        _options.Log?.Invoke($"Saved {corpus.FileName} in {CacheDirectory}");
        return bytes;

        RecurrentException Failed(string reason, Exception? inner)
        {
            string message = $"Could not download {corpus.FileName} from {address} ({reason}); " +
                $"without a network, put the file in a --data-dir or in {CacheDirectory}.";
            return inner is null ? new RecurrentException(message) : new RecurrentException(message, inner);
        }
    }

    private Uri DownloadAddress(BuiltInCorpus corpus)
    {
        if (_options.DownloadBaseAddress is not { } baseAddress) return corpus.Address;
        // Without a final slash, a relative Uri would replace the base's last segment instead of following it.
        string withSlash = baseAddress.AbsoluteUri.EndsWith('/') ? baseAddress.AbsoluteUri : baseAddress.AbsoluteUri + "/";
        return new Uri(new Uri(withSlash), Uri.EscapeDataString(corpus.FileName));
    }

    private HttpClient CreateClient()
    {
        HttpClient client = _options.HttpHandler is { } handler
            ? new HttpClient(handler, disposeHandler: false)
            : new HttpClient();
        client.Timeout = _options.DownloadTimeout;
        client.MaxResponseContentBufferSize = MaxDownloadBytes;
        return client;
    }

    // Written to a temporary file in the same folder, then renamed: a reader (another run, a crash
    // halfway) sees either no file or the whole verified file, never a partial one.
    private static void SaveAtomically(byte[] bytes, string path)
    {
        string directory = Path.GetDirectoryName(path)!;
        string temp = Path.Combine(directory, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            Directory.CreateDirectory(directory);
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
            {
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            try { File.Delete(temp); } catch (Exception) { /* the original error matters more */ }
            throw new RecurrentException(
                $"Could not save {Path.GetFileName(path)} in the cache {directory} ({e.Message.TrimEnd('.')}); " +
                "set XDG_CACHE_HOME to a writable folder or use --data-dir.", e);
        }
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

    private static string Sha256Hex(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}
