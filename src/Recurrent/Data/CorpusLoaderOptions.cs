namespace Recurrent.Data;

/// <summary>Where a <see cref="CorpusLoader"/> looks for corpus files and how it downloads them.</summary>
/// <remarks>
/// A built-in corpus is looked for in this order: <see cref="DataDirectory"/>; a <c>shared/data</c>
/// folder in the working directory or one of its parents; <see cref="CacheDirectory"/>; else it is
/// downloaded and saved in the cache. Every property can be set so that tests use temporary folders and
/// a server of their own.
/// </remarks>
public sealed record CorpusLoaderOptions
{
    /// <summary>A folder holding corpus files by their file names ; null for none.</summary>
    public string? DataDirectory { get; init; }

    /// <summary>
    /// Where downloads are kept; null for <c>$XDG_CACHE_HOME/recurrent</c>, else <c>~/.cache/recurrent</c>.
    /// </summary>
    public string? CacheDirectory { get; init; }

    /// <summary>
    /// The folder relative paths start from and where the search for <c>shared/data</c> begins; null for
    /// the process's current directory.
    /// </summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>
    /// When set, every built-in file is downloaded from this address followed by its file name (a mirror,
    /// or a test's own server) instead of its public address.
    /// </summary>
    public Uri? DownloadBaseAddress { get; init; }

    /// <summary>The HTTP handler used for downloads (not disposed by the loader); null for the default one.</summary>
    public HttpMessageHandler? HttpHandler { get; init; }

    /// <summary>How long a download may take before it fails.</summary>
    public TimeSpan DownloadTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Receives a line about each download (the CLI prints it); null to stay quiet.</summary>
    public Action<string>? Log { get; init; }
}
