using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text.Encodings.Web;
using System.Text.Json;
using Recurrent.Tensors;

namespace Recurrent.Checkpoints;

/// <summary>
/// Reads and writes checkpoints in the safetensors format (float32 tensors only).
/// </summary>
/// <remarks>
/// Layout: an 8-byte little-endian unsigned header length N; N bytes of UTF-8 JSON mapping each tensor name to
/// <c>{"dtype":"F32","shape":[...],"data_offsets":[begin,end]}</c>, offsets relative to the start of the data
/// section, plus an optional <c>"__metadata__"</c> object of strings; then the data section, little-endian float32,
/// row-major. Files are written as the reference implementation writes them (header padded with spaces to a multiple
/// of 8 bytes, tensors contiguous in the given order from offset 0), so Python's <c>safetensors</c> loads them.
/// Reading validates the whole header before any tensor storage is allocated.
/// </remarks>
public static partial class SafeTensors
{
    /// <summary>The header key of the optional metadata object; no tensor can have this name.</summary>
    public const string MetadataKey = "__metadata__";

    /// <summary>The largest header accepted, in bytes (the limit of the reference implementation).</summary>
    public const int MaxHeaderLength = 100_000_000;

    private const string F32 = "F32";

    /// <summary>
    /// Writes <paramref name="tensors"/>, in the given order, and <paramref name="metadata"/> to
    /// <paramref name="path"/> atomically: the file is written beside the target under a temporary name, flushed
    /// to disk and renamed over the target, so a failed write leaves an existing file untouched.
    /// </summary>
    /// <exception cref="ArgumentException">A name is empty, repeated or reserved, or a tensor or value is null.</exception>
    /// <exception cref="RecurrentException">The file could not be written.</exception>
    public static void Write(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors,
        IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var snapshot = Snapshot(tensors, metadata);
        byte[] header = BuildHeader(snapshot, metadata);
        WriteAtomically(path, stream => WriteContent(stream, header, snapshot));
    }

    /// <summary>
    /// Writes <paramref name="tensors"/>, in the given order, and <paramref name="metadata"/> to
    /// <paramref name="destination"/> from its current position.
    /// </summary>
    /// <exception cref="ArgumentException">A name is empty, repeated or reserved, or a tensor or value is null.</exception>
    public static void Write(Stream destination, IEnumerable<KeyValuePair<string, Tensor>> tensors,
        IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var snapshot = Snapshot(tensors, metadata);
        WriteContent(destination, BuildHeader(snapshot, metadata), snapshot);
    }

    /// <summary>
    /// Creates <paramref name="path"/> with the bytes that <paramref name="writeContent"/> writes, or leaves it as it
    /// was (and no temporary file behind) if anything fails; <paramref name="what"/> names the file in messages.
    /// </summary>
    /// <remarks>
    /// A process killed while it writes leaves its temporary file: each write first deletes those of earlier writes to
    /// the same target that no process holds open (a writer holds its own exclusively, which on Unix is an advisory
    /// lock), and a program about to end at once calls <see cref="DeleteUnfinishedWrites"/>.
    /// </remarks>
    internal static void WriteAtomically(string path, Action<Stream> writeContent, string what = "checkpoint")
    {
        string target = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(target)
            ?? throw new RecurrentException($"Could not write {what} {path}: it names a directory, not a file.");
        DeleteAbandoned(directory, Path.GetFileName(target));
        // Same directory as the target, so the final rename stays on one file system and is atomic.
        string temporary = Path.Combine(directory, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}.tmp");
        Unfinished.TryAdd(temporary, 0);
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                writeContent(stream);
                // The bytes must be on disk before the rename makes them the checkpoint, or a crash could leave
                // a renamed but empty file.
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, target, overwrite: true);
        }
        catch (Exception e)
        {
            TryDelete(temporary);
            if (e is IOException or UnauthorizedAccessException)
                throw new RecurrentException($"Could not write {what} {path}: {Clause(e.Message)}.", e);
            throw;
        }
        finally
        {
            Unfinished.TryRemove(temporary, out _);
        }
    }

    /// <summary>
    /// Deletes the temporary files of the writes under way in this process, for a program that is about to end at once
    /// (a second Ctrl-C): the files they would replace stay as they were, and nothing is left beside them.
    /// </summary>
    public static void DeleteUnfinishedWrites()
    {
        foreach (string temporary in Unfinished.Keys) TryDelete(temporary);
    }

    // The temporary files of the writes under way in this process.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte> Unfinished = new(StringComparer.Ordinal);

    // Deletes the temporary files that earlier writes to `name` left in `directory`: those of this naming (the name, a
    // GUID's 32 hexadecimal digits, .tmp) that can be opened exclusively, which a write under way would prevent.
    private static void DeleteAbandoned(string directory, string name)
    {
        string[] candidates;
        try
        {
            candidates = Directory.GetFiles(directory, "*.tmp");   // not a pattern with the name, which may hold * or ?
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return;   // the write itself will say what is wrong with the folder
        }
        foreach (string candidate in candidates)
        {
            string file = Path.GetFileName(candidate);   // "." + name + "." + 32 hexadecimal digits + ".tmp"
            bool ours = file.Length == name.Length + 38 && file.StartsWith($".{name}.", StringComparison.Ordinal)
                && !file.AsSpan(name.Length + 2, 32).ContainsAnyExcept("0123456789abcdef");
            if (!ours) continue;
            try
            {
                using (new FileStream(candidate, FileMode.Open, FileAccess.ReadWrite, FileShare.None)) { }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue;   // held by a write under way, or not ours to delete
            }
            TryDelete(candidate);
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Cleaning up must not hide the error that made it necessary.
        }
    }

    /// <summary>Copies the pairs once, so the header and the data are written from the same list, and checks them.</summary>
    private static KeyValuePair<string, Tensor>[] Snapshot(IEnumerable<KeyValuePair<string, Tensor>> tensors,
        IReadOnlyDictionary<string, string>? metadata)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        var snapshot = tensors.ToArray();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, tensor) in snapshot)
        {
            if (string.IsNullOrEmpty(name))
                throw new ArgumentException("Every tensor needs a non-empty name.", nameof(tensors));
            if (name == MetadataKey)
                throw new ArgumentException($"'{MetadataKey}' is reserved for metadata and cannot name a tensor.", nameof(tensors));
            if (tensor is null)
                throw new ArgumentException($"Tensor '{name}' is null.", nameof(tensors));
            if (!names.Add(name))
                throw new ArgumentException($"The name '{name}' is given to two tensors.", nameof(tensors));
        }
        if (metadata is not null)
        {
            foreach (var (key, value) in metadata)
            {
                if (key is null || value is null)
                    throw new ArgumentException("Metadata keys and values cannot be null.", nameof(metadata));
            }
        }
        return snapshot;
    }

    /// <summary>The 8-byte length followed by the JSON header, padded with spaces to a multiple of 8 bytes.</summary>
    private static byte[] BuildHeader(IReadOnlyList<KeyValuePair<string, Tensor>> tensors,
        IReadOnlyDictionary<string, string>? metadata)
    {
        var json = new ArrayBufferWriter<byte>();
        // Relaxed escaping keeps non-ASCII names and quotes in metadata readable; the output is still strict JSON.
        using (var writer = new Utf8JsonWriter(json, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                writer.WriteStartObject(MetadataKey);
                foreach (var (key, value) in metadata) writer.WriteString(key, value);
                writer.WriteEndObject();
            }
            long offset = 0;
            foreach (var (name, tensor) in tensors)
            {
                long end = offset + sizeof(float) * (long)tensor.Length;
                writer.WriteStartObject(name);
                writer.WriteString("dtype", F32);
                writer.WriteStartArray("shape");
                foreach (int dim in tensor.Shape) writer.WriteNumberValue(dim);
                writer.WriteEndArray();
                writer.WriteStartArray("data_offsets");
                writer.WriteNumberValue(offset);
                writer.WriteNumberValue(end);
                writer.WriteEndArray();
                writer.WriteEndObject();
                offset = end;
            }
            writer.WriteEndObject();
        }

        // Spaces are JSON whitespace; the padding aligns the data section to 8 bytes, as the reference does.
        int length = (json.WrittenCount + 7) / 8 * 8;
        if (length > MaxHeaderLength)
            throw new ArgumentException($"The checkpoint header would have {length} bytes, more than the {MaxHeaderLength} the format allows.");
        var header = new byte[sizeof(ulong) + length];
        BinaryPrimitives.WriteUInt64LittleEndian(header, (ulong)length);
        json.WrittenSpan.CopyTo(header.AsSpan(sizeof(ulong)));
        header.AsSpan(sizeof(ulong) + json.WrittenCount).Fill((byte)' ');
        return header;
    }

    private static void WriteContent(Stream stream, byte[] header, IReadOnlyList<KeyValuePair<string, Tensor>> tensors)
    {
        stream.Write(header);
        foreach (var (_, tensor) in tensors) WriteFloats(stream, tensor.Span);
    }

    private static void WriteFloats(Stream stream, ReadOnlySpan<float> values)
    {
        if (BitConverter.IsLittleEndian)
        {
            stream.Write(MemoryMarshal.AsBytes(values));
            return;
        }
        // The format is little-endian: a big-endian host swaps the bytes of each value on the way out.
        Span<uint> chunk = stackalloc uint[1024];
        var bits = MemoryMarshal.Cast<float, uint>(values);
        for (int i = 0; i < bits.Length; i += chunk.Length)
        {
            var part = bits.Slice(i, Math.Min(chunk.Length, bits.Length - i));
            BinaryPrimitives.ReverseEndianness(part, chunk);
            stream.Write(MemoryMarshal.AsBytes(chunk[..part.Length]));
        }
    }

    /// <summary>An exception message as a clause that can end one of our sentences.</summary>
    private static string Clause(string message) => message.Trim().TrimEnd('.');
}
