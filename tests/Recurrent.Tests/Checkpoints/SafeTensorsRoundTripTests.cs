using System.Text;

namespace Recurrent.Tests.Checkpoints;

public class SafeTensorsRoundTripTests
{
    private static KeyValuePair<string, Tensor> Pair(string name, Tensor tensor) => new(name, tensor);

    private static Tensor Sequence(float start, params int[] shape)
    {
        var t = Tensor.Zeros(shape);
        for (int i = 0; i < t.Length; i++) t.Span[i] = start + 0.25f * i;
        return t;
    }

    private static void AssertSameBits(Tensor expected, Tensor actual)
    {
        Assert.Equal(expected.Shape.ToArray(), actual.Shape.ToArray());
        Assert.Equal(
            expected.ToArray().Select(BitConverter.SingleToInt32Bits),
            actual.ToArray().Select(BitConverter.SingleToInt32Bits));
    }

    [Fact]
    public void TensorsOfEveryRankAndMetadataComeBackBitForBit()
    {
        var special = new Tensor([float.NaN, -0f, float.PositiveInfinity, float.NegativeInfinity,
            float.Epsilon, float.MaxValue, BitConverter.Int32BitsToSingle(0x7FC01234)], 7);
        var tensors = new[]
        {
            Pair("embedding", Sequence(-3f, 5, 4)),
            Pair("empty", Tensor.Zeros(0)),
            Pair("cube", Sequence(1f, 2, 3, 4)),
            Pair("special", special),
            Pair("empty.matrix", Tensor.Zeros(3, 0)),
            Pair("bias", Sequence(7f, 6)),
        };
        var metadata = new Dictionary<string, string>
        {
            ["format"] = "pt",
            ["config"] = "{\"hidden\": 256, \"note\": \"quotes \\\" and \\\\ and ü\"}",
            ["empty"] = "",
        };
        using var dir = new TempFolder();
        string path = dir.File("model.safetensors");

        SafeTensors.Write(path, tensors, metadata);
        var file = SafeTensors.Read(path);

        Assert.Equal(path, file.Source);
        Assert.Equal(tensors.Select(p => p.Key), file.Tensors.Select(p => p.Key));
        for (int i = 0; i < tensors.Length; i++) AssertSameBits(tensors[i].Value, file.Tensors[i].Value);
        Assert.Equal(metadata.OrderBy(p => p.Key), file.Metadata.OrderBy(p => p.Key));
        Assert.Equal(["model.safetensors"], dir.FileNames());
    }

    [Fact]
    public void AViewIsWrittenAsItsOwnElements()
    {
        var parent = Sequence(0f, 4, 3);
        var view = parent.RowRange(1, 2); // rows 1 and 2: elements 3..8 of the parent
        var stream = new MemoryStream();

        SafeTensors.Write(stream, [Pair("view", view)]);
        stream.Position = 0;
        var read = SafeTensors.Read(stream, "memory");

        AssertSameBits(view, read.Get("view", 2, 3));
        Assert.Equal(3f * 0.25f, read.Get("view", 2, 3)[0, 0]);
    }

    [Fact]
    public void NoTensorsAndNoMetadataIsAValidFile()
    {
        var stream = new MemoryStream();
        SafeTensors.Write(stream, []);
        byte[] bytes = stream.ToArray();

        Assert.Equal(16, bytes.Length); // length prefix + "{}" padded to 8
        Assert.Equal("{}      ", Encoding.UTF8.GetString(bytes, 8, 8));
        var read = SafeTensors.Read(new MemoryStream(bytes), "empty");
        Assert.Empty(read.Tensors);
        Assert.Empty(read.Metadata);
    }

    [Fact]
    public void NonAsciiNamesRoundTrip()
    {
        var stream = new MemoryStream();
        SafeTensors.Write(stream, [Pair("couche.poids_é", Sequence(1f, 2)), Pair("层/\"quoted\"\\", Sequence(2f, 1))]);
        stream.Position = 0;
        var read = SafeTensors.Read(stream, "memory");
        Assert.Equal(["couche.poids_é", "层/\"quoted\"\\"], read.Tensors.Select(p => p.Key));
    }

    [Fact]
    public void ReaderFromAStreamStartsAtItsPosition()
    {
        var stream = new MemoryStream();
        stream.Write("junk"u8);
        SafeTensors.Write(stream, [Pair("a", Sequence(1f, 3))]);
        stream.Position = 4;
        AssertSameBits(Sequence(1f, 3), SafeTensors.Read(stream, "memory").Get("a", 3));
    }

    [Fact]
    public void GetChecksTheShapeAndNamesTheTensor()
    {
        var stream = new MemoryStream();
        SafeTensors.Write(stream, [Pair("dense.bias", Sequence(0f, 10))]);
        stream.Position = 0;
        var file = SafeTensors.Read(stream, "model.safetensors");

        Assert.Equal(10, file.Get("dense.bias", 10).Length);
        var wrongShape = Assert.Throws<RecurrentException>(() => file.Get("dense.bias", 12));
        Assert.Equal("Checkpoint model.safetensors has tensor 'dense.bias' of shape (10), but shape (12) was expected.",
            wrongShape.Message);
        var wrongRank = Assert.Throws<RecurrentException>(() => file.Get("dense.bias", 10, 1));
        Assert.Contains("(10, 1)", wrongRank.Message);
        var missing = Assert.Throws<RecurrentException>(() => file.Get("dense.weight", 10, 4));
        Assert.Equal("Checkpoint model.safetensors has no tensor 'dense.weight'.", missing.Message);
        Assert.True(file.Contains("dense.bias"));
        Assert.False(file.TryGet("dense.weight", out _));
    }

    [Fact]
    public void InvalidNamesAreRejectedBeforeAnythingIsWritten()
    {
        using var dir = new TempFolder();
        string path = dir.File("model.safetensors");
        var a = Sequence(0f, 2);

        Assert.Throws<ArgumentException>(() => SafeTensors.Write(path, [Pair("a", a), Pair("a", a)]));
        Assert.Throws<ArgumentException>(() => SafeTensors.Write(path, [Pair("", a)]));
        Assert.Throws<ArgumentException>(() => SafeTensors.Write(path, [Pair("__metadata__", a)]));
        Assert.Throws<ArgumentException>(() => SafeTensors.Write(path, [Pair("a", null!)]));
        Assert.Throws<ArgumentException>(() =>
            SafeTensors.Write(path, [Pair("a", a)], new Dictionary<string, string> { ["k"] = null! }));
        Assert.Empty(dir.FileNames());
    }

    [Fact]
    public void AMissingFileIsAUserError()
    {
        using var dir = new TempFolder();
        string path = dir.File("absent.safetensors");
        var e = Assert.Throws<RecurrentException>(() => SafeTensors.Read(path));
        Assert.Equal($"Checkpoint {path} does not exist.", e.Message);
        Assert.Throws<RecurrentException>(() => SafeTensors.Read(dir.File("no/such/dir/model.safetensors")));
    }

    [Fact]
    public void ADirectoryIsNotACheckpoint()
    {
        using var dir = new TempFolder();
        var e = Assert.Throws<RecurrentException>(() => SafeTensors.Read(dir.Path));
        Assert.Contains(dir.Path, e.Message);
    }
}
