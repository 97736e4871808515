using System.Buffers.Binary;
using System.Text;

namespace Recurrent.Tests.Checkpoints;

/// <summary>The bytes on disk, checked without the library's reader.</summary>
public class SafeTensorsLayoutTests
{
    [Fact]
    public void AnLstmModelIsLaidOutAsPyTorchNamesAndTheReferenceLayoutExpect()
    {
        const int V = 7, H = 5, I = 7; // vocabulary, hidden size, input size (one-hot input)
        var rng = new Random(12345);
        Tensor Random(params int[] shape)
        {
            var t = Tensor.Zeros(shape);
            for (int i = 0; i < t.Length; i++) t.Span[i] = (float)(rng.NextDouble() * 2 - 1);
            return t;
        }
        var tensors = new List<KeyValuePair<string, Tensor>>
        {
            new("rnn.weight_ih_l0", Random(4 * H, I)),
            new("rnn.weight_hh_l0", Random(4 * H, H)),
            new("rnn.bias_ih_l0", Random(4 * H)),
            new("rnn.bias_hh_l0", Random(4 * H)),
            new("dense.weight", Random(V, H)),
            new("dense.bias", Random(V)),
        };
        using var dir = new TempFolder();
        string path = dir.File("model.safetensors");

        SafeTensors.Write(path, tensors, new Dictionary<string, string> { ["format"] = "pt" });
        byte[] bytes = File.ReadAllBytes(path);
        var file = MinimalSafeTensorsReader.Parse(bytes);

        Assert.Equal(0, file.HeaderLength % 8);
        Assert.Equal(0, (8 + file.HeaderLength) % 8);
        string header = Encoding.UTF8.GetString(file.Header);
        Assert.StartsWith("{", header);
        Assert.Equal(header.TrimEnd(' ').Length, header.LastIndexOf('}') + 1); // only spaces pad the JSON
        Assert.True(header.Length - header.TrimEnd(' ').Length < 8);
        Assert.Equal(new Dictionary<string, string> { ["format"] = "pt" }, file.Metadata);

        Assert.Equal(tensors.Select(p => p.Key), file.Tensors.Select(t => t.Name));
        long offset = 0;
        for (int i = 0; i < tensors.Count; i++)
        {
            var (expected, actual) = (tensors[i].Value, file.Tensors[i]);
            Assert.Equal("F32", actual.DType);
            Assert.Equal(expected.Shape.ToArray().Select(d => (long)d), actual.Shape);
            Assert.Equal(offset, actual.Begin);
            Assert.Equal(offset + 4L * expected.Length, actual.End);
            Assert.Equal(expected.ToArray(), actual.Values);
            offset = actual.End;
        }
        Assert.Equal([4 * H, I], file.Tensors[0].Shape);
        Assert.Equal([4 * H, H], file.Tensors[1].Shape);
        Assert.Equal([V, H], file.Tensors[4].Shape);
        Assert.Equal(8 + file.HeaderLength + offset, bytes.Length); // contiguous, nothing after the last tensor
    }

    [Fact]
    public void ASmallFileMatchesTheReferenceBytes()
    {
        // What safetensors.torch.save_file({"a": torch.tensor([1.0, 2.0])}) writes: compact JSON, metadata first,
        // fields in the order dtype, shape, data_offsets, padded with spaces to 8 bytes.
        const string json = "{\"__metadata__\":{\"format\":\"pt\"},\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";
        var expected = new List<byte>();
        string padded = json.PadRight((json.Length + 7) / 8 * 8);
        expected.AddRange(BitConverter.GetBytes((ulong)padded.Length).Select(b => b)); // little-endian host in CI
        if (!BitConverter.IsLittleEndian) expected.Reverse(0, 8);
        expected.AddRange(Encoding.UTF8.GetBytes(padded));
        expected.AddRange([0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x00, 0x40]); // 1.0f, 2.0f little-endian

        var stream = new MemoryStream();
        SafeTensors.Write(stream, [new("a", new Tensor([1f, 2f], 2))], new Dictionary<string, string> { ["format"] = "pt" });

        Assert.Equal(expected.ToArray(), stream.ToArray());
    }

    [Fact]
    public void FilesFromOtherWritersAreReadInDataOrder()
    {
        // Whitespace, another field order, metadata last, header order unlike data order, a gap, trailing bytes.
        const string json = """
            {
              "second": { "data_offsets": [12, 20], "shape": [1, 2], "dtype": "F32" },
              "first":  { "dtype": "F32", "shape": [3], "data_offsets": [0, 12] },
              "nothing": { "dtype": "F32", "shape": [0, 4], "data_offsets": [12, 12] },
              "third":  { "dtype": "F32", "shape": [1, 1, 1], "data_offsets": [24, 28] },
              "__metadata__": { "a": "b" }
            }
            """;
        var data = new float[] { 1, 2, 3, 4, 5, -1, 6, 99 };
        byte[] bytes = Build(json, data);

        var file = SafeTensors.Read(new MemoryStream(bytes), "other.safetensors");

        Assert.Equal(["first", "nothing", "second", "third"], file.Tensors.Select(p => p.Key));
        Assert.Equal([1f, 2f, 3f], file.Get("first", 3).ToArray());
        Assert.Equal([4f, 5f], file.Get("second", 1, 2).ToArray());
        Assert.Equal(0, file.Get("nothing", 0, 4).Length);
        Assert.Equal([6f], file.Get("third", 1, 1, 1).ToArray());
        Assert.Equal("b", file.Metadata["a"]);
    }

    /// <summary>A file with the given header text (unpadded) and data.</summary>
    internal static byte[] Build(string json, float[] data)
    {
        byte[] header = Encoding.UTF8.GetBytes(json);
        var bytes = new byte[8 + header.Length + 4 * data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)header.Length);
        header.CopyTo(bytes, 8);
        for (int i = 0; i < data.Length; i++)
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(8 + header.Length + 4 * i), data[i]);
        return bytes;
    }
}
