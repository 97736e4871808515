using System.IO.Compression;
using static Recurrent.Tests.Checkpoints.CheckpointFixtures;
using static Recurrent.Tests.Cli.CliHarness;

namespace Recurrent.Tests.Cli;

/// <summary>
/// Hostile inputs, each given to the built command with 256 MB of managed heap (DOTNET_GCHeapHardLimit): a zip bomb
/// read with --max-chars stops early; devices and pipes are refused as corpora and prefix files in one sentence; an
/// endless --interactive line is skipped; a checkpoint from a pipe is read forward or refused. None of them may end in
/// an out-of-memory error.
/// </summary>
[Trait("Category", "Slow")]
public class InputBoundsTests : FolderTests
{
    private const string HeapLimit = "export DOTNET_GCHeapHardLimit=0x10000000\n";

    private readonly string _checkpoint, _corpus;

    public InputBoundsTests()
    {
        _checkpoint = Dir.File("model.safetensors");
        new Checkpoint(Model(ModelKind.Concise), Vocab).Save(_checkpoint);
        _corpus = SmallCorpus(Dir);
    }

    /// <summary>Runs a bash line under the heap limit, with {ck}, {corpus} and {dir} standing for the test's files.</summary>
    private (int Code, string Out, string Err) Limited(string line) =>
        CliProcess.Shell(HeapLimit + "cd '" + Dir.Path + "'\n" + line.Replace("{ck}", $"'{_checkpoint}'").Replace("{corpus}", $"'{_corpus}'"));

    /// <summary>A zip whose one member is <paramref name="megabytes"/> MB of 'a', written as it is deflated.</summary>
    private string ZipBomb(int megabytes)
    {
        string path = Dir.File("bomb.zip");
        using var file = File.Create(path);
        using var archive = new ZipArchive(file, ZipArchiveMode.Create);
        using Stream member = archive.CreateEntry("bomb.txt", CompressionLevel.Optimal).Open();
        var chunk = new byte[1 << 20];
        chunk.AsSpan().Fill((byte)'a');
        for (int i = 0; i < megabytes; i++) member.Write(chunk);
        return path;
    }

    [Fact]
    public void AZipBombIsInflatedOnlyAsFarAsMaxChars()
    {
        string bomb = ZipBomb(300);
        Assert.True(new FileInfo(bomb).Length < 1 << 20);

        var (code, output, errors) = Limited($"recurrent corpus info '{bomb}' --max-chars 100 --top 0");

        Assert.True(code == 0, errors);
        Assert.Contains("characters  100\n", output);
        // Without a limit the text would not fit: refused before it is read, naming the option that keeps less of it.
        AssertUserError(Limited($"recurrent corpus info '{bomb}' --top 0"), "bomb.txt in ", "of memory to load", "keep less of it with --max-chars.");
    }

    [Theory]
    [InlineData("recurrent corpus info /dev/zero", "/dev/zero is a device, not a corpus file.")]
    [InlineData("recurrent train --corpus /dev/urandom --epochs 1", "/dev/urandom is a device, not a corpus file.")]
    [InlineData("recurrent corpus info <(cat {corpus})", "is a pipe, not a corpus file: save what it gives to a file and give that.")]
    [InlineData("mkfifo fifo && timeout 60 dotnet \"$RECURRENT_DLL\" corpus info fifo", "fifo is a pipe, not a corpus file")]
    [InlineData("recurrent generate --checkpoint {ck} --prefix-file /dev/zero", "The prefix file /dev/zero is a device, not a file.")]
    [InlineData("recurrent generate --checkpoint {ck} --prefix-file <(echo 分开)", "is a pipe, not a file")]
    [InlineData("recurrent import --weights {ck} --vocabulary /dev/zero --out imported.safetensors", "The vocabulary file /dev/zero is a device, not a file.")]
    [InlineData("recurrent generate --checkpoint /dev/zero --prefix 分开", "Checkpoint /dev/zero is a device, not a file.")]
    public void DevicesAndPipesAreRefusedInOneSentence(string line, string message) => AssertUserError(Limited(line), message);

    [Fact]
    public void AnEndlessInteractiveLineIsSkippedAndTheSessionGoesOn()
    {
        string expected = Run(["generate", "--checkpoint", _checkpoint, "--prefix", "分开", "--length", "5", "--temperature", "0"]).Out[2..];

        // 200 MB on one line, then a line to continue.
        var (code, output, errors) = Limited(
            "{ head -c 200000000 /dev/zero | tr '\\0' a; printf '\\n分开\\n'; } | recurrent generate --checkpoint {ck} --interactive --length 5 --temperature 0");

        Assert.True(code == 0, errors);
        Assert.Equal(expected, output);
        Assert.Contains("error: the line has more than 1,048,576 characters, the most a prefix may have; it is skipped.", errors);
    }

    [Fact]
    public void ACheckpointFromAPipeIsReadForwardOrRefused()
    {
        string generate = "--prefix 分开 --length 20 --temperature 0";
        var fromFile = Limited($"recurrent generate --checkpoint {{ck}} {generate}");
        Assert.True(fromFile.Code == 0, fromFile.Err);

        Assert.Equal(fromFile, Limited($"recurrent generate --checkpoint <(cat {{ck}}) {generate}"));
        Assert.Equal(fromFile, Limited($"cat {{ck}} | recurrent generate --checkpoint /dev/stdin {generate}"));
        long length = new FileInfo(_checkpoint).Length;
        AssertUserError(Limited($"recurrent generate --checkpoint <(head -c {length - 1} {{ck}}) {generate}"), "is not a valid checkpoint: it ends inside the data of tensor");
        AssertUserError(Limited($"recurrent generate --checkpoint <(cat /dev/zero 2>/dev/null) {generate}"), "is not a valid checkpoint: its header is not valid JSON");
        AssertUserError(Limited($"recurrent generate --checkpoint <(yes 2>/dev/null) {generate}"), "is not a valid checkpoint: its header length", "exceeds the limit");
    }

    [Fact]
    public void WeightsLargerThanTheMemoryAllowedAreRefusedBeforeTheyAreRead()
    {
        // A PyTorch LSTM's state_dict with H = 8192 over two tokens: about 1.1 GB of float32, against a 256 MB heap.
        // The file is sparse, so it takes no disk; only its header is ever read.
        const int H = 8192, V = 2;
        (string Name, long[] Shape)[] tensors =
        [
            ("rnn.weight_ih_l0", [4 * H, V]), ("rnn.weight_hh_l0", [4 * H, H]), ("rnn.bias_ih_l0", [4 * H]),
            ("rnn.bias_hh_l0", [4 * H]), ("dense.weight", [V, H]), ("dense.bias", [V]),
        ];
        long offset = 0;
        var entries = new List<string>();
        foreach (var (name, shape) in tensors)
        {
            long bytes = shape.Aggregate(4L, (a, b) => a * b);
            entries.Add($"\"{name}\":{{\"dtype\":\"F32\",\"shape\":[{string.Join(',', shape)}],\"data_offsets\":[{offset},{offset + bytes}]}}");
            offset += bytes;
        }
        byte[] header = System.Text.Encoding.UTF8.GetBytes("{" + string.Join(',', entries) + "}");
        string weights = Dir.File("huge.safetensors");
        using (var file = File.Create(weights))
        {
            file.Write(BitConverter.GetBytes((ulong)header.Length));
            file.Write(header);
            file.SetLength(8 + header.Length + offset);
        }
        Dir.File("vocab.txt", "a\nb\n");

        AssertUserError(Limited($"recurrent import --weights '{weights}' --vocabulary vocab.txt --out imported.safetensors"),
            "huge.safetensors holds 1,074 MB of tensors, more than the", "MB of memory this process may use.");
        Assert.False(File.Exists(Dir.File("imported.safetensors")));
    }
}
