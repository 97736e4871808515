using System.Buffers.Binary;
using System.Text;

namespace Recurrent.Tests.Checkpoints;

/// <summary>Each rule of the reader, broken on purpose, gives its own one-sentence message.</summary>
public class SafeTensorsValidationTests
{
    private const string Name = "model.safetensors";

    private static string Error(byte[] bytes)
    {
        var e = Assert.Throws<RecurrentException>(() => SafeTensors.Read(new MemoryStream(bytes), Name));
        Assert.StartsWith($"{Name} is not a valid checkpoint: ", e.Message);
        Assert.EndsWith(".", e.Message);
        Assert.DoesNotContain("\n", e.Message);
        Assert.Null(MinimalSafeTensorsReader.TryParse(bytes)); // the oracle agrees that it is invalid
        return e.Message[$"{Name} is not a valid checkpoint: ".Length..];
    }

    private static string Error(string json, int floats = 4) => Error(SafeTensorsLayoutTests.Build(json, new float[floats]));

    private static string Entry(string dtype = "\"F32\"", string shape = "[2]", string offsets = "[0,8]") =>
        $"{{\"dtype\":{dtype},\"shape\":{shape},\"data_offsets\":{offsets}}}";

    private static byte[] WithLength(ulong length, int totalBytes)
    {
        var bytes = new byte[totalBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, length);
        return bytes;
    }

    [Fact]
    public void TheExampleMessageIsProducedWordForWord()
    {
        string json = $"{{\"dense.bias\":{Entry(shape: "[1025]", offsets: "[0,4100]")}}}";
        var e = Assert.Throws<RecurrentException>(() =>
            SafeTensors.Read(new MemoryStream(SafeTensorsLayoutTests.Build(json, new float[1024])), Name));
        Assert.Equal("model.safetensors is not a valid checkpoint: tensor 'dense.bias' ends at byte 4100 but the data section has 4096 bytes.",
            e.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    public void TooShortForTheLengthPrefix(int length) =>
        Assert.Contains($"it has {length} bytes", Error(new byte[length]));

    [Theory]
    [InlineData(1UL << 63)]
    [InlineData(ulong.MaxValue)]
    [InlineData(1UL << 40)]
    [InlineData(100_000_001UL)]
    public void AHeaderLengthOverTheCapIsRefusedWithoutAllocating(ulong length) =>
        Assert.Contains("exceeds the limit", Error(WithLength(length, 64)));

    [Fact]
    public void AHeaderLengthPastTheEndOfTheFile() =>
        Assert.Contains("header length 57 is more than the 56 bytes", Error(WithLength(57, 64)));

    [Fact]
    public void HeaderNotUtf8()
    {
        byte[] bytes = SafeTensorsLayoutTests.Build("{\"a\":1}", []);
        bytes[10] = 0xC3; // a lead byte followed by an ASCII byte
        Assert.Contains("not valid UTF-8", Error(bytes));
    }

    [Theory]
    [InlineData("")]
    [InlineData("{")]
    [InlineData("{\"a\":}")]
    [InlineData("{}{}")]
    [InlineData("{} x")]
    [InlineData("{\"a\":1,}")]
    [InlineData("{/*c*/}")]
    [InlineData("\uFEFF{}")]
    public void HeaderNotJson(string json) => Assert.Contains("not valid JSON", Error(json));

    [Fact]
    public void DeepNestingIsRefusedAsJson() =>
        Assert.Contains("not valid JSON", Error("{\"a\":" + new string('[', 10_000) + new string(']', 10_000) + "}"));

    [Theory]
    [InlineData("[]", "its header is an array, not an object")]
    [InlineData("\"s\"", "its header is a string, not an object")]
    [InlineData("null", "its header is null, not an object")]
    public void HeaderNotAnObject(string json, string problem) => Assert.Equal(problem + ".", Error(json));

    [Fact]
    public void WrongDtypeNamesTheDtypeAndTheTensor() =>
        Assert.Equal("tensor 'emb' has dtype 'BF16', but only F32 is supported.",
            Error($"{{\"emb\":{Entry(dtype: "\"BF16\"", offsets: "[0,4]")}}}"));

    [Theory]
    [InlineData("[]", "rank 0")]
    [InlineData("[1,1,1,2]", "rank 4")]
    [InlineData("[-1]", "dimension -1")]
    [InlineData("[-0]", "dimension -0")]
    [InlineData("[2.0]", "dimension 2.0")]
    [InlineData("[2e0]", "dimension 2e0")]
    [InlineData("[\"2\"]", "dimension \"2\"")]
    [InlineData("[2147483648]", "dimension 2147483648")]
    [InlineData("[65536,65536,65536]", "more than the")]
    [InlineData("[3]", "span 2 floats")]
    [InlineData("{}", "shape that is an object")]
    public void BadShapes(string shape, string fragment) =>
        Assert.Contains(fragment, Error($"{{\"t\":{Entry(shape: shape)}}}"));

    [Theory]
    [InlineData("[0]", "not a pair")]
    [InlineData("[0,8,8]", "not a pair")]
    [InlineData("{}", "not a pair")]
    [InlineData("[-8,0]", "not two non-negative integers")]
    [InlineData("[0,8.0]", "not two non-negative integers")]
    [InlineData("[0,18446744073709551616]", "not two non-negative integers")]
    [InlineData("[8,0]", "begins at byte 8 but ends before that")]
    [InlineData("[12,20]", "ends at byte 20 but the data section has 16 bytes")]
    [InlineData("[0,18446744073709551615]", "ends at byte 18446744073709551615")]
    [InlineData("[0,6]", "not a whole number of 4-byte floats")]
    [InlineData("[0,12]", "shape (2) of 2 floats, but its data_offsets span 3 floats")]
    public void BadOffsets(string offsets, string fragment) =>
        Assert.Contains(fragment, Error($"{{\"t\":{Entry(offsets: offsets)}}}"));

    [Fact]
    public void OverlappingTensors() =>
        Assert.Equal("tensors 'a' and 'b' overlap in the data section.",
            Error($"{{\"a\":{Entry(offsets: "[0,8]")},\"b\":{Entry(offsets: "[4,12]")}}}"));

    [Fact]
    public void TheSameRangeTwiceOverlaps() =>
        Assert.Contains("overlap", Error($"{{\"a\":{Entry()},\"b\":{Entry()}}}"));

    [Fact]
    public void AnEmptyTensorInsideAnotherIsNotAnOverlap()
    {
        var bytes = SafeTensorsLayoutTests.Build(
            $"{{\"a\":{Entry(offsets: "[0,8]")},\"e\":{Entry(shape: "[0]", offsets: "[4,4]")}}}", new float[2]);
        Assert.Equal(["a", "e"], SafeTensors.Read(new MemoryStream(bytes), Name).Tensors.Select(p => p.Key));
        Assert.NotNull(MinimalSafeTensorsReader.TryParse(bytes));
    }

    [Theory]
    [InlineData("{\"a\":ENTRY,\"a\":ENTRY}", "tensor 'a' appears twice")]
    [InlineData("{\"a\":ENTRY,\"\\u0061\":ENTRY}", "tensor 'a' appears twice")]
    [InlineData("{\"a\":1}", "tensor 'a' is described by a number, not an object")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2]}}", "tensor 'a' has no 'data_offsets'")]
    [InlineData("{\"a\":{\"shape\":[2],\"data_offsets\":[0,8]}}", "tensor 'a' has no 'dtype'")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"data_offsets\":[0,8]}}", "tensor 'a' has no 'shape'")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", "the field 'dtype' twice")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8],\"x\":1}}", "unexpected field 'x'")]
    [InlineData("{\"a\":{\"dtype\":32,\"shape\":[2],\"data_offsets\":[0,8]}}", "dtype that is a number")]
    [InlineData("{\"\\ud800\":ENTRY}", "not valid Unicode")]
    public void BadEntries(string json, string fragment) =>
        Assert.Contains(fragment, Error(json.Replace("ENTRY", Entry())));

    [Theory]
    [InlineData("[]", "its __metadata__ is an array, not an object of strings")]
    [InlineData("null", "its __metadata__ is null, not an object of strings")]
    [InlineData("{\"k\":1}", "its __metadata__ entry 'k' is a number, not a string")]
    [InlineData("{\"k\":\"v\",\"k\":\"w\"}", "its __metadata__ has the key 'k' twice")]
    [InlineData("{\"k\":\"\\udc00\"}", "not valid Unicode")]
    public void BadMetadata(string metadata, string fragment) =>
        Assert.Contains(fragment, Error($"{{\"__metadata__\":{metadata}}}"));

    [Fact]
    public void TwoMetadataObjects() =>
        Assert.Contains("two __metadata__ objects", Error("{\"__metadata__\":{},\"__metadata__\":{}}"));

    [Fact]
    public void HostileNamesAreShortenedInTheMessage()
    {
        string name = new('n', 5000);
        string problem = Error($"{{\"{name}\":{Entry(dtype: "\"F64\"")}}}");
        Assert.True(problem.Length < 300, problem);
    }

    [Fact]
    public void ATruncatedStreamIsAUserError()
    {
        // A stream that claims more bytes than it delivers, as a file shrinking under the reader would.
        var bytes = SafeTensorsLayoutTests.Build($"{{\"t\":{Entry()}}}", new float[2]);
        var e = Assert.Throws<RecurrentException>(() => SafeTensors.Read(new ShortStream(bytes, bytes.Length - 3), Name));
        Assert.Equal($"{Name} is not a valid checkpoint: it ends inside the data of tensor 't'.", e.Message);
    }

    /// <summary>Reports the full length but ends early.</summary>
    private sealed class ShortStream(byte[] bytes, int available) : MemoryStream(bytes)
    {
        // A derived MemoryStream routes span reads through this overload.
        public override int Read(byte[] buffer, int offset, int count) =>
            base.Read(buffer, offset, (int)Math.Clamp(available - Position, 0, count));
    }

    [Fact]
    public void TheHeaderStringIsNotRequiredToBeAscii()
    {
        var bytes = SafeTensorsLayoutTests.Build($"{{\"é\":{Entry()}}}", new float[2]);
        Assert.True(SafeTensors.Read(new MemoryStream(bytes), Name).Contains("é"));
    }
}
