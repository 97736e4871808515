using Recurrent.Tensors;

namespace Recurrent.Checkpoints;

/// <summary>
/// The content of a safetensors file: its metadata and its tensors, in the order their data lies in the file.
/// </summary>
/// <remarks>
/// Produced by <see cref="SafeTensors.Read(string)"/>, which has already validated the whole file; every tensor
/// owns its storage.
/// </remarks>
public sealed class SafeTensorsFile
{
    private readonly Dictionary<string, Tensor> _byName;

    internal SafeTensorsFile(string source, IReadOnlyDictionary<string, string> metadata,
        IReadOnlyList<KeyValuePair<string, Tensor>> tensors)
    {
        Source = source;
        Metadata = metadata;
        Tensors = tensors;
        _byName = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, tensor) in tensors) _byName.Add(name, tensor);
    }

    /// <summary>The path (or the name given for a stream) that was read; used in error messages.</summary>
    public string Source { get; }

    /// <summary>The string pairs of the header's <c>__metadata__</c> object (empty when it has none).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>The tensors by name, ordered by where their data starts in the file.</summary>
    public IReadOnlyList<KeyValuePair<string, Tensor>> Tensors { get; }

    /// <summary>True when the file has a tensor called <paramref name="name"/>.</summary>
    public bool Contains(string name) => _byName.ContainsKey(name);

    /// <summary>The tensor called <paramref name="name"/>, or false when the file has none.</summary>
    public bool TryGet(string name, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out Tensor tensor) =>
        _byName.TryGetValue(name, out tensor);

    /// <summary>
    /// The tensor called <paramref name="name"/>, which must have exactly the shape <paramref name="expectedShape"/>.
    /// </summary>
    /// <exception cref="RecurrentException">The tensor is missing or has another shape.</exception>
    public Tensor Get(string name, params int[] expectedShape)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(expectedShape);
        if (expectedShape.Length == 0)
            throw new ArgumentException("Give the expected shape of the tensor.", nameof(expectedShape));
        if (!_byName.TryGetValue(name, out var tensor))
            throw new RecurrentException($"Checkpoint {Source} has no tensor '{name}'.");
        if (!tensor.Shape.SequenceEqual(expectedShape))
            throw new RecurrentException(
                $"Checkpoint {Source} has tensor '{name}' of shape {Tensor.ShapeString(tensor.Shape)}, " +
                $"but shape {Tensor.ShapeString(expectedShape)} was expected.");
        return tensor;
    }
}
