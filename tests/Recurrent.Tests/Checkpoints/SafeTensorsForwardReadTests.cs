using static Recurrent.Tests.Checkpoints.CheckpointFixtures;

namespace Recurrent.Tests.Checkpoints;

/// <summary>
/// A checkpoint from a stream that cannot seek, as a pipe gives it (<c>--checkpoint &lt;(curl ...)</c>): read forward,
/// with the same tensors as from a file, and bounded by what its header may declare.
/// </summary>
public class SafeTensorsForwardReadTests
{
    private const string Name = "pipe";

    /// <summary>Reads forward only, and a few bytes at a time, as a pipe delivers what has been written so far.</summary>
    private sealed class PipeStream(byte[] bytes) : Stream
    {
        private readonly MemoryStream _inner = new(bytes, writable: false);

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, Math.Min(count, 7));
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override void Flush() { }
    }

    private static string Error(byte[] bytes) =>
        Assert.Throws<RecurrentException>(() => SafeTensors.Read(new PipeStream(bytes), Name)).Message;

    [Fact]
    public void ACheckpointReadForwardIsTheCheckpointReadFromAFile()
    {
        var model = Model(ModelKind.Concise);
        byte[] bytes = Bytes(model, TrainingAt(ModelKind.Concise));

        var fromFile = SafeTensors.Read(new MemoryStream(bytes), Name);
        var fromPipe = SafeTensors.Read(new PipeStream(bytes), Name);

        Assert.Equal(fromFile.Metadata, fromPipe.Metadata);
        Assert.Equal(fromFile.Tensors.Select(t => t.Key), fromPipe.Tensors.Select(t => t.Key));
        foreach (var (file, pipe) in fromFile.Tensors.Zip(fromPipe.Tensors))
            Assert.Equal(Bits(file.Value), Bits(pipe.Value));
        Assert.Equal(Bits(model.Parameters[0].Value), Bits(Checkpoint.Load(new PipeStream(bytes), Name).Model.Parameters[0].Value));
    }

    [Fact]
    public void GapsAndEmptyTensorsAreReadInFileOrder()
    {
        // b comes first in the file, then a gap of one float, then a; e is empty and sits inside b.
        string json = """{"a":{"dtype":"F32","shape":[2],"data_offsets":[12,20]},"e":{"dtype":"F32","shape":[0],"data_offsets":[4,4]},"b":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""";
        byte[] bytes = SafeTensorsLayoutTests.Build(json, [1, 2, 99, 3, 4]);

        var file = SafeTensors.Read(new PipeStream(bytes), Name);

        Assert.Equal([3f, 4f], file.Get("a", 2).ToArray());
        Assert.Equal([1f, 2f], file.Get("b", 2).ToArray());
        Assert.Empty(file.Get("e", 0).ToArray());
    }

    [Fact]
    public void AStreamThatEndsEarlyIsOneSentence()
    {
        byte[] bytes = Bytes(Model(ModelKind.Concise));
        int headerEnd = 8 + (int)BitConverter.ToUInt64(bytes, 0);

        Assert.Equal($"{Name} is not a valid checkpoint: it has 5 bytes, fewer than the 8 that hold the header length.", Error(bytes[..5]));
        Assert.Equal($"{Name} is not a valid checkpoint: it ends 92 bytes into its header of {headerEnd - 8} bytes.", Error(bytes[..100]));
        Assert.Matches($"^{Name} is not a valid checkpoint: it ends inside the data of tensor '[^']+'\\.$", Error(bytes[..^1]));
    }

    [Fact]
    public void WhatAPipeMayDeclareIsBoundedBeforeAnythingIsAllocated()
    {
        // 600 million floats (2.4 GB) declared in a header of a few bytes, and no data at all.
        string json = """{"t":{"dtype":"F32","shape":[600000000],"data_offsets":[0,2400000000]}}""";
        byte[] bytes = SafeTensorsLayoutTests.Build(json, []);

        long before = GC.GetAllocatedBytesForCurrentThread();
        string message = Error(bytes);

        Assert.Equal($"Checkpoint {Name} cannot seek (a pipe) and declares 2,400,000,000 bytes of tensors, more than the 1,073,741,824 read from a pipe: save it to a file and give that.", message);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20);
    }

    [Fact]
    public void ZerosAndTextAreRefusedAtTheirHeader()
    {
        // What <(cat /dev/zero) and <(yes) give: a header of length 0, and one of eight bytes of "y\n".
        Assert.Contains("its header is not valid JSON", Error(new byte[4096]));
        Assert.Contains("exceeds the limit", Error(System.Text.Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("y\n", 100)))));
    }
}
