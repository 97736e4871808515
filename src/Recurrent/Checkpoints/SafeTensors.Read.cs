using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Unicode;
using Recurrent.Tensors;

namespace Recurrent.Checkpoints;

public static partial class SafeTensors
{
    // A valid header nests three levels (header, tensor entry, shape); the cap only stops hostile nesting early.
    private const int MaxJsonDepth = 8;

    // Names and values from a file are shortened in messages, so a hostile header cannot flood the console.
    private const int MaxQuotedLength = 80;

    /// <summary>One tensor of the header, validated against the data section.</summary>
    internal readonly record struct Entry(string Name, int[] Shape, int Count, long Begin, long End, int Index);

    /// <summary>
    /// The most tensor data, in bytes, that a checkpoint read from a stream that cannot seek (a pipe) may declare: nothing
    /// shows that its data exists before it arrives, and its tensors are allocated as its header declares them.
    /// </summary>
    public const long MaxForwardDataLength = 1L << 30;

    /// <summary>Reads and validates the safetensors file at <paramref name="path"/>: a regular file, or a pipe (read forward).</summary>
    /// <exception cref="RecurrentException">The file is missing, unreadable, a device, or not a valid float32 checkpoint.</exception>
    public static SafeTensorsFile Read(string path)
    {
        using var stream = Open(path);
        return Read(stream, path);
    }

    /// <summary>
    /// Reads and validates a safetensors file from <paramref name="stream"/>, starting at its current position and
    /// running to its end; <paramref name="source"/> names it in error messages. A stream that cannot seek is read
    /// forward, and may declare at most <see cref="MaxForwardDataLength"/> bytes of tensors.
    /// </summary>
    /// <exception cref="RecurrentException">The content is not a valid float32 checkpoint or could not be read.</exception>
    public static SafeTensorsFile Read(Stream stream, string source) => ReadTensors(stream, ReadHeader(stream, source));

    /// <summary>Opens the file at <paramref name="path"/> for <see cref="ReadHeader"/>; a missing, unreadable or device file is one sentence.</summary>
    internal static FileStream Open(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        // .NET reports a folder as "access denied", which would send the user looking at permissions.
        if (Directory.Exists(path)) throw new RecurrentException($"Checkpoint {path} is a folder, not a file.");
        // A pipe, such as a shell's <(curl ...), is read forward; a device such as /dev/zero or a terminal is no checkpoint.
        if (InputFile.KindOf(path) is not (FileKind.Pipe or FileKind.Missing)) InputFile.CheckRegular(path, $"Checkpoint {path}");
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new RecurrentException($"Checkpoint {path} does not exist.", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new RecurrentException($"Checkpoint {path} could not be opened: {Clause(e.Message)}.", e);
        }
    }

    /// <summary>
    /// Reads and validates the header of a safetensors file from <paramref name="stream"/> (its current position on),
    /// leaving the data unread: every tensor is checked to lie inside the data section, so that a reader can check
    /// names and shapes before <see cref="ReadTensors"/> allocates their storage.
    /// </summary>
    /// <exception cref="RecurrentException">The header is not valid or could not be read.</exception>
    internal static SafeTensorsHeader ReadHeader(Stream stream, string source)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(source);
        if (!stream.CanRead) throw new ArgumentException("Reading a checkpoint needs a readable stream.", nameof(stream));
        try
        {
            return ReadValidatedHeader(stream, source);
        }
        catch (IOException e)
        {
            throw new RecurrentException($"Checkpoint {source} could not be read: {Clause(e.Message)}.", e);
        }
    }

    /// <summary>
    /// Reads the data of every tensor of <paramref name="header"/> from the stream it was read from, just after it: by
    /// position in a stream that seeks, in file order in one that does not.
    /// </summary>
    /// <exception cref="RecurrentException">The data is cut short or could not be read.</exception>
    internal static SafeTensorsFile ReadTensors(Stream stream, SafeTensorsHeader header)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(header);
        string source = header.Source;
        CheckMemory(header);
        try
        {
            bool seekable = stream.CanSeek;
            var tensors = new List<KeyValuePair<string, Tensor>>(header.Entries.Count);
            long position = 0;   // in the data section, for a stream read forward
            foreach (var entry in header.Entries)
            {
                var data = new float[entry.Count];
                // An empty tensor reads nothing; it may sit anywhere, even inside another tensor's bytes.
                if (entry.Count > 0)
                {
                    if (seekable) stream.Position = header.DataStart + entry.Begin;
                    else Skip(stream, entry.Begin - position, source, entry.Name);
                    if (!ReadFloats(stream, data)) throw Invalid(source, $"it ends inside the data of tensor {Quote(entry.Name)}");
                    position = entry.End;
                }
                tensors.Add(new(entry.Name, new Tensor(data, entry.Shape)));
            }
            return new SafeTensorsFile(source, header.Metadata, tensors.AsReadOnly());
        }
        catch (IOException e)
        {
            throw new RecurrentException($"Checkpoint {source} could not be read: {Clause(e.Message)}.", e);
        }
    }

    /// <summary>
    /// Refuses, before anything is allocated, tensors that together need more memory than this process may have
    /// (a model too large for the machine, or a heap limit), which would otherwise end in an out-of-memory error
    /// part way through reading them.
    /// </summary>
    private static void CheckMemory(SafeTensorsHeader header)
    {
        long bytes = 0;
        foreach (var entry in header.Entries) bytes += (long)entry.Count * sizeof(float);
        long available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        if (available > 0 && bytes > available)
            throw new RecurrentException(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"Checkpoint {header.Source} holds {bytes / 1e6:N0} MB of tensors, more than the {available / 1e6:N0} MB of memory this process may use."));
    }

    private static SafeTensorsHeader ReadValidatedHeader(Stream stream, string source)
    {
        // A stream that cannot seek tells no length: what it holds is checked as it arrives instead of against its size.
        bool seekable = stream.CanSeek;
        long start = seekable ? stream.Position : 0;
        long fileLength = seekable ? stream.Length - start : long.MaxValue;

        Span<byte> prefix = stackalloc byte[sizeof(ulong)];
        int read = stream.ReadAtLeast(prefix, prefix.Length, throwOnEndOfStream: false);
        if (read < prefix.Length)
            throw Invalid(source, $"it has {read} bytes, fewer than the 8 that hold the header length");
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (headerLength > MaxHeaderLength)
            throw Invalid(source, $"its header length {headerLength} exceeds the limit of {MaxHeaderLength} bytes");
        long available = fileLength - sizeof(ulong);
        if (headerLength > (ulong)available)
            throw Invalid(source, $"its header length {headerLength} is more than the {available} bytes that follow it");

        // Bounded by the cap and, in a file, by its real size, so a hostile length cannot exhaust memory.
        var header = new byte[headerLength];
        read = stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
        if (read < header.Length)
            throw Invalid(source, $"it ends {read} bytes into its header of {headerLength} bytes");
        long dataStart = start + sizeof(ulong) + (long)headerLength;
        long dataLength = seekable ? available - (long)headerLength : long.MaxValue;
        var entries = ParseHeader(header, dataLength, source, out var metadata);
        long dataEnd = entries.Count == 0 ? 0 : entries.Max(e => e.End);
        if (!seekable && dataEnd > MaxForwardDataLength)
            throw new RecurrentException(
                $"Checkpoint {source} cannot seek (a pipe) and declares {dataEnd:N0} bytes of tensors, more than the {MaxForwardDataLength:N0} read from a pipe: save it to a file and give that.");
        // Storage is allocated only by ReadTensors, once every entry is checked to lie inside the data section without overlap.
        return new SafeTensorsHeader(source, metadata.AsReadOnly(), entries.AsReadOnly(), dataStart);
    }

    /// <summary>Reads and drops the bytes between two tensors of a stream read forward.</summary>
    private static void Skip(Stream stream, long count, string source, string next)
    {
        Span<byte> scratch = stackalloc byte[4096];
        for (long left = count; left > 0;)
        {
            int read = stream.Read(scratch[..(int)Math.Min(left, scratch.Length)]);
            if (read == 0) throw Invalid(source, $"it ends before the data of tensor {Quote(next)}");
            left -= read;
        }
    }

    /// <summary>Fills <paramref name="values"/> from the stream; false when the stream ends first.</summary>
    private static bool ReadFloats(Stream stream, Span<float> values)
    {
        Span<byte> bytes = MemoryMarshal.AsBytes(values);
        if (stream.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false) < bytes.Length) return false;
        // The format is little-endian: a big-endian host swaps the bytes of each value after reading.
        if (!BitConverter.IsLittleEndian)
        {
            var bits = MemoryMarshal.Cast<float, uint>(values);
            BinaryPrimitives.ReverseEndianness(bits, bits);
        }
        return true;
    }

    /// <summary>The validated entries, in the order of their data in the file, and the metadata.</summary>
    private static List<Entry> ParseHeader(byte[] header, long dataLength, string source,
        out Dictionary<string, string> metadata)
    {
        if (!Utf8.IsValid(header))
            throw Invalid(source, "its header is not valid UTF-8");
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(header, new JsonDocumentOptions { MaxDepth = MaxJsonDepth });
        }
        catch (JsonException e)
        {
            throw Invalid(source, $"its header is not valid JSON (error at line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1})", e);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw Invalid(source, $"its header is {Describe(root.ValueKind)}, not an object");

            metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            var names = new HashSet<string>(StringComparer.Ordinal);
            var entries = new List<Entry>();
            foreach (var property in root.EnumerateObject())
            {
                string name = NameOf(property, source);
                if (!names.Add(name))
                    throw Invalid(source, name == MetadataKey
                        ? $"its header has two {MetadataKey} objects"
                        : $"tensor {Quote(name)} appears twice in its header");
                if (name == MetadataKey)
                    metadata = ParseMetadata(property.Value, source);
                else
                    entries.Add(ParseEntry(name, property.Value, entries.Count, dataLength, source));
            }

            // File order; an empty tensor sorts before a tensor that starts where it is, as the writer places them.
            entries.Sort((a, b) => (a.Begin, a.End, a.Index).CompareTo((b.Begin, b.End, b.Index)));
            Entry? previous = null;
            foreach (var entry in entries)
            {
                if (entry.Begin == entry.End) continue; // an empty tensor occupies no bytes
                if (previous is { } p && entry.Begin < p.End)
                    throw Invalid(source, $"tensors {Quote(p.Name)} and {Quote(entry.Name)} overlap in the data section");
                previous = entry;
            }
            return entries;
        }
    }

    private static Entry ParseEntry(string name, JsonElement value, int index, long dataLength, string source)
    {
        string tensor = $"tensor {Quote(name)}";
        if (value.ValueKind != JsonValueKind.Object)
            throw Invalid(source, $"{tensor} is described by {Describe(value.ValueKind)}, not an object");

        JsonElement dtype = default, shape = default, offsets = default; // Undefined until seen
        foreach (var field in value.EnumerateObject())
        {
            string key = NameOf(field, source);
            switch (key)
            {
                case "dtype" when dtype.ValueKind == JsonValueKind.Undefined: dtype = field.Value; break;
                case "shape" when shape.ValueKind == JsonValueKind.Undefined: shape = field.Value; break;
                case "data_offsets" when offsets.ValueKind == JsonValueKind.Undefined: offsets = field.Value; break;
                case "dtype" or "shape" or "data_offsets": throw Invalid(source, $"{tensor} has the field '{key}' twice");
                default: throw Invalid(source, $"{tensor} has an unexpected field {Quote(key)}");
            }
        }
        if (dtype.ValueKind == JsonValueKind.Undefined) throw Invalid(source, $"{tensor} has no 'dtype'");
        if (shape.ValueKind == JsonValueKind.Undefined) throw Invalid(source, $"{tensor} has no 'shape'");
        if (offsets.ValueKind == JsonValueKind.Undefined) throw Invalid(source, $"{tensor} has no 'data_offsets'");

        if (dtype.ValueKind != JsonValueKind.String)
            throw Invalid(source, $"{tensor} has a dtype that is {Describe(dtype.ValueKind)}, not a string");
        string type = StringOf(dtype, source);
        if (type != F32)
            throw Invalid(source, $"{tensor} has dtype {Quote(type)}, but only F32 is supported");

        if (shape.ValueKind != JsonValueKind.Array)
            throw Invalid(source, $"{tensor} has a shape that is {Describe(shape.ValueKind)}, not an array");
        int rank = shape.GetArrayLength();
        if (rank is < 1 or > 3)
            throw Invalid(source, $"{tensor} has rank {rank}, but only ranks 1 to 3 are supported");
        var dims = new int[rank];
        int i = 0;
        foreach (var dim in shape.EnumerateArray())
        {
            // Unsigned parsing also refuses "-0"; fractions and exponents are refused by both.
            if (dim.ValueKind != JsonValueKind.Number || !dim.TryGetUInt32(out uint size) || size > int.MaxValue)
                throw Invalid(source, $"{tensor} has the dimension {Raw(dim)}, which is not an integer from 0 to {int.MaxValue}");
            dims[i++] = (int)size;
        }
        Int128 count = 1; // three dimensions below 2^31 cannot overflow 128 bits
        foreach (int dim in dims) count *= dim;
        if (count > Array.MaxLength)
            throw Invalid(source, $"{tensor} has {count} elements, more than the {Array.MaxLength} a tensor can hold");

        if (offsets.ValueKind != JsonValueKind.Array || offsets.GetArrayLength() != 2)
            throw Invalid(source, $"{tensor} has data_offsets {Raw(offsets)}, which is not a pair [begin, end]");
        if (!TryGetOffset(offsets[0], out ulong begin) || !TryGetOffset(offsets[1], out ulong end))
            throw Invalid(source, $"{tensor} has data_offsets {Raw(offsets)}, which are not two non-negative integers");
        if (begin > end)
            throw Invalid(source, $"{tensor} begins at byte {begin} but ends before that, at byte {end}");
        if (end > (ulong)dataLength)
            throw Invalid(source, $"{tensor} ends at byte {end} but the data section has {dataLength} bytes");
        long bytes = (long)(end - begin);
        if (bytes % sizeof(float) != 0)
            throw Invalid(source, $"{tensor} spans {bytes} bytes, which is not a whole number of 4-byte floats");
        if (bytes != count * sizeof(float))
            throw Invalid(source, $"{tensor} has shape {Tensor.ShapeString(dims)} of {count} floats, but its data_offsets span {bytes / sizeof(float)} floats");
        return new Entry(name, dims, (int)count, (long)begin, (long)end, index);
    }

    private static bool TryGetOffset(JsonElement element, out ulong value)
    {
        value = 0;
        return element.ValueKind == JsonValueKind.Number && element.TryGetUInt64(out value);
    }

    private static Dictionary<string, string> ParseMetadata(JsonElement value, string source)
    {
        if (value.ValueKind != JsonValueKind.Object)
            throw Invalid(source, $"its {MetadataKey} is {Describe(value.ValueKind)}, not an object of strings");
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in value.EnumerateObject())
        {
            string key = NameOf(property, source);
            if (property.Value.ValueKind != JsonValueKind.String)
                throw Invalid(source, $"its {MetadataKey} entry {Quote(key)} is {Describe(property.Value.ValueKind)}, not a string");
            if (!metadata.TryAdd(key, StringOf(property.Value, source)))
                throw Invalid(source, $"its {MetadataKey} has the key {Quote(key)} twice");
        }
        return metadata;
    }

    // JSON escapes can spell lone UTF-16 surrogates, which System.Text.Json refuses to turn into a string.
    private static string NameOf(JsonProperty property, string source)
    {
        try
        {
            return property.Name;
        }
        catch (InvalidOperationException)
        {
            throw Invalid(source, "its header has a name that is not valid Unicode text");
        }
    }

    private static string StringOf(JsonElement element, string source)
    {
        try
        {
            return element.GetString()!;
        }
        catch (InvalidOperationException)
        {
            throw Invalid(source, "its header has a string that is not valid Unicode text");
        }
    }

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "missing",
    };

    private static string Quote(string text) =>
        "'" + (text.Length <= MaxQuotedLength ? text : text[..MaxQuotedLength] + "...") + "'";

    private static string Raw(JsonElement element)
    {
        string text = element.GetRawText();
        return text.Length <= MaxQuotedLength ? text : text[..MaxQuotedLength] + "...";
    }

    private static RecurrentException Invalid(string source, string problem, Exception? inner = null) =>
        inner is null
            ? new RecurrentException($"{source} is not a valid checkpoint: {problem}.")
            : new RecurrentException($"{source} is not a valid checkpoint: {problem}.", inner);
}
