using System.Buffers.Binary;
using System.Numerics;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Recurrent.Tests.Checkpoints;

/// <summary>One tensor as the minimal reader sees it.</summary>
internal sealed record MinimalTensor(string Name, string DType, long[] Shape, long Begin, long End, float[] Values);

/// <summary>A whole file as the minimal reader sees it; tensors in header order.</summary>
internal sealed record MinimalFile(long HeaderLength, byte[] Header, List<MinimalTensor> Tensors,
    Dictionary<string, string>? Metadata);

/// <summary>
/// A second, deliberately plain implementation of the safetensors rules, written from the format description
/// rather than from the library: it checks the library's output on disk and serves as the validity oracle of the
/// fuzz tests. Any rule broken makes it throw; it does not care which exception.
/// </summary>
internal static partial class MinimalSafeTensorsReader
{
    [GeneratedRegex("^(0|[1-9][0-9]*)$")]
    private static partial Regex NonNegativeInteger();

    public static MinimalFile Parse(byte[] file)
    {
        Check(file.Length >= 8, "shorter than the length prefix");
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(file);
        Check(n <= 100_000_000 && n <= (ulong)(file.Length - 8), "header length out of range");
        byte[] header = file[8..(8 + (int)n)];
        long dataStart = 8 + (long)n;
        long dataLength = file.Length - dataStart;

        // Strict decoding: invalid UTF-8 throws.
        new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(header);
        using var document = JsonDocument.Parse(header);
        var root = document.RootElement;
        Check(root.ValueKind == JsonValueKind.Object, "header is not an object");

        var seen = new HashSet<string>();
        var tensors = new List<MinimalTensor>();
        Dictionary<string, string>? metadata = null;
        foreach (var property in root.EnumerateObject())
        {
            Check(seen.Add(property.Name), "duplicate name");
            if (property.Name == "__metadata__")
            {
                Check(property.Value.ValueKind == JsonValueKind.Object, "metadata is not an object");
                metadata = new Dictionary<string, string>();
                foreach (var pair in property.Value.EnumerateObject())
                {
                    Check(pair.Value.ValueKind == JsonValueKind.String, "metadata value is not a string");
                    Check(metadata.TryAdd(pair.Name, pair.Value.GetString()!), "duplicate metadata key");
                }
                continue;
            }

            var entry = property.Value;
            Check(entry.ValueKind == JsonValueKind.Object, "entry is not an object");
            var fields = entry.EnumerateObject().Select(f => f.Name).ToList();
            Check(fields.Count == 3 && fields.Distinct().Count() == 3
                && fields.All(f => f is "dtype" or "shape" or "data_offsets"), "entry fields");
            var dtype = entry.GetProperty("dtype");
            Check(dtype.ValueKind == JsonValueKind.String && dtype.GetString() == "F32", "dtype");
            var shapeJson = entry.GetProperty("shape");
            Check(shapeJson.ValueKind == JsonValueKind.Array, "shape is not an array");
            var shape = shapeJson.EnumerateArray().Select(Integer).ToArray();
            Check(shape.Length is >= 1 and <= 3, "rank");
            Check(shape.All(d => d <= int.MaxValue), "dimension too large");
            var offsetsJson = entry.GetProperty("data_offsets");
            Check(offsetsJson.ValueKind == JsonValueKind.Array && offsetsJson.GetArrayLength() == 2, "offsets");
            BigInteger begin = Integer(offsetsJson[0]), end = Integer(offsetsJson[1]);
            Check(begin <= end && end <= dataLength, "offsets out of range");
            BigInteger count = shape.Aggregate(BigInteger.One, (p, d) => p * d);
            Check(count <= Array.MaxLength && count * 4 == end - begin, "size does not match shape");

            var values = new float[(int)count];
            for (int i = 0; i < values.Length; i++)
                values[i] = BinaryPrimitives.ReadSingleLittleEndian(file.AsSpan((int)(dataStart + (long)begin + 4 * i), 4));
            tensors.Add(new MinimalTensor(property.Name, "F32", shape.Select(d => (long)d).ToArray(),
                (long)begin, (long)end, values));
        }

        // Empty tensors occupy no bytes; any two others must not share one.
        foreach (var a in tensors)
            foreach (var b in tensors)
                Check(ReferenceEquals(a, b) || a.Begin == a.End || b.Begin == b.End || a.End <= b.Begin || b.End <= a.Begin,
                    "overlap");
        return new MinimalFile((long)n, header, tensors, metadata);
    }

    /// <summary>The parsed file, or null when any rule is broken.</summary>
    public static MinimalFile? TryParse(byte[] file)
    {
        try
        {
            return Parse(file);
        }
        catch (Exception)
        {
            return null;
        }
    }

    private static BigInteger Integer(JsonElement element)
    {
        Check(element.ValueKind == JsonValueKind.Number, "not a number");
        string raw = element.GetRawText();
        Check(NonNegativeInteger().IsMatch(raw), "not a non-negative integer");
        return BigInteger.Parse(raw);
    }

    private static void Check(bool condition, string rule)
    {
        if (!condition) throw new InvalidDataException(rule);
    }
}
