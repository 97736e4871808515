namespace Recurrent.Data;

/// <summary>Where a <see cref="CorpusLoader"/> reads paths from, and a folder that replaces the built-in files.</summary>
public sealed record CorpusLoaderOptions
{
    /// <summary>
    /// A folder holding corpus files by their file names, used instead of the built-in copies (each must have its
    /// built-in SHA-256); null for none.
    /// </summary>
    public string? DataDirectory { get; init; }

    /// <summary>The folder relative paths start from; null for the process's current directory.</summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>Receives a line when a large file starts and finishes loading (the CLI prints it); null to stay quiet.</summary>
    public Action<string>? Log { get; init; }
}
