namespace Recurrent.Checkpoints;

/// <summary>
/// The validated header of a safetensors file, its data not read yet: the metadata, and each tensor's name, shape and
/// place in the data section (in file order). A checkpoint checks these cheap facts against its configuration before
/// <see cref="SafeTensors.ReadTensors"/> reads the data.
/// </summary>
internal sealed class SafeTensorsHeader(string source, IReadOnlyDictionary<string, string> metadata,
    IReadOnlyList<SafeTensors.Entry> entries, long dataStart)
{
    /// <summary>The path (or the name given for a stream), for messages.</summary>
    public string Source { get; } = source;

    /// <summary>The string pairs of the header's <c>__metadata__</c> object.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; } = metadata;

    /// <summary>The tensors, ordered by where their data starts.</summary>
    public IReadOnlyList<SafeTensors.Entry> Entries { get; } = entries;

    /// <summary>Where the data section starts in the stream.</summary>
    public long DataStart { get; } = dataStart;
}
