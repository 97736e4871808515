using System.Diagnostics;
using Recurrent.Interop;
using Recurrent.Tests.Checkpoints;
using static Recurrent.Tests.Checkpoints.CheckpointFixtures;
using static Recurrent.Tests.Cli.CliHarness;

namespace Recurrent.Tests.Interop;

/// <summary>
/// The deployment sample (<c>samples/OnnxGenerate</c>, which references ONNX Runtime and not Recurrent) is built and
/// run on models trained and exported here: its greedy text is the text of <c>recurrent generate --temperature 0</c>,
/// it samples with a temperature, and a file that is not an export of ours is one sentence with exit code 2.
/// </summary>
[Trait("Category", "Slow")]
public class SampleAppTests(SampleAppTests.BuiltSample sample) : FolderTests, IClassFixture<SampleAppTests.BuiltSample>
{

    /// <summary>The sample, built once for the class into a folder of its own.</summary>
    public sealed class BuiltSample : IDisposable
    {
        private readonly TempFolder _output = new();

        public BuiltSample()
        {
            var (code, output, errors) = Dotnet(["build", Path.Combine(Repository.Root, "samples", "OnnxGenerate", "OnnxGenerate.csproj"), "-c", "Release", "-o", _output.Path, "-nologo", "-v", "q"]);
            Assert.True(code == 0, $"the sample did not build:\n{output}\n{errors}");
            Dll = _output.File("OnnxGenerate.dll");
        }

        public string Dll { get; }

        public (int Code, string Out, string Err) Run(params string[] args) => Dotnet([Dll, .. args]);

        public void Dispose() => _output.Dispose();
    }

    private static (int Code, string Out, string Err) Dotnet(string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in args) start.ArgumentList.Add(arg);
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"dotnet {string.Join(' ', args)} did not finish in 5 minutes.");
        }
        return (process.ExitCode, output.Result, errors.Result);
    }

    private const string Words = "the time traveller was one of them\nthe time machine was there\nthe traveller said one more time\n";

    private string TrainAndExport(string cell, string text = Text, params string[] more)
    {
        string corpus = Dir.File("corpus.txt"), checkpoint = Dir.File($"{cell}.safetensors"), model = Dir.File($"{cell}.onnx");
        File.WriteAllText(corpus, string.Concat(Enumerable.Repeat(text, 3)));
        var trained = Run(["train", "--corpus", corpus, "--cell", cell, "--hidden", "8", "--batch-size", "2", "--steps", "4",
            "--clip", "1", "--init", "uniform:0.3", "--quiet", "--threads", "1", "--save", checkpoint, .. more.Length > 0 ? more : ["--epochs", "3", "--lr", "1"]]);
        Assert.True(trained.Code == 0, trained.Err);
        Assert.Equal(0, Run("export", "--checkpoint", checkpoint, "--out", model).Code);
        return checkpoint;
    }

    [Theory]
    [InlineData("lstm")]
    [InlineData("gru")]
    [InlineData("rnn")]
    public void TheSampleWritesTheGreedyTextOfGenerate(string cell)
    {
        string checkpoint = TrainAndExport(cell);
        var generated = Run("generate", "--checkpoint", checkpoint, "--prefix", "分开", "--length", "40", "--temperature", "0");
        Assert.Equal(0, generated.Code);
        var ran = sample.Run(Path.ChangeExtension(checkpoint, ".onnx"), "--prefix", "分开", "--length", "40", "--temperature", "0");
        Assert.True(ran.Code == 0, ran.Err);
        Assert.Equal(generated.Out, ran.Out);
    }

    [Fact]
    public void TheSampleWritesTheGreedyTextOfAWordModel()
    {
        string checkpoint = TrainAndExport("lstm", Words, "--tokens", "word", "--prefix", "the time", "--embedding", "4", "--layers", "2",
            "--optimizer", "adam", "--lr", "0.05", "--epochs", "30");
        var generated = Run("generate", "--checkpoint", checkpoint, "--prefix", "the time", "--length", "25", "--temperature", "0");
        Assert.Equal(0, generated.Code);
        Assert.Contains(' ', generated.Out[8..]);
        var ran = sample.Run(Path.ChangeExtension(checkpoint, ".onnx"), "--prefix", "the time", "--length", "25", "--temperature", "0");
        Assert.True(ran.Code == 0, ran.Err);
        Assert.Equal(generated.Out, ran.Out);
    }

    [Fact]
    public void TheSampleSamplesWithATemperature()
    {
        string checkpoint = TrainAndExport("lstm");
        var ran = sample.Run(Path.ChangeExtension(checkpoint, ".onnx"), "--prefix", "不分开", "--length", "30", "--temperature", "1.5", "--seed", "3");
        Assert.True(ran.Code == 0, ran.Err);
        var runes = ran.Out.TrimEnd('\n').EnumerateRunes().Select(r => r.ToString()).ToArray();
        Assert.Equal(3 + 30, runes.Length);
        Assert.Equal("不分开", string.Concat(runes.Take(3)));
        Assert.All(runes, r => Assert.Contains(r, Vocab.Tokens));
        Assert.Equal(ran.Out, sample.Run(Path.ChangeExtension(checkpoint, ".onnx"), "--prefix", "不分开", "--length", "30", "--temperature", "1.5", "--seed", "3").Out);
    }

    [Fact]
    public void AFileThatIsNotAnExportOfOursIsOneSentence()
    {
        // A valid ONNX model (y = x) without our metadata.
        var graph = new OnnxGraph();
        graph.Input("x", TensorProto.Types.DataType.Float, "", 1);
        graph.Output("y", TensorProto.Types.DataType.Float, "", 1);
        graph.Node("Identity", ["x"], ["y"]);
        var model = new ModelProto { IrVersion = OnnxExport.IrVersion, Graph = graph.Proto };
        model.OpsetImport.Add(new OperatorSetIdProto { Version = OnnxExport.Opset });
        string other = Dir.File("identity.onnx");
        using (var file = File.Create(other)) Google.Protobuf.MessageExtensions.WriteTo(model, file);
        string garbage = Dir.File("text.onnx");
        File.WriteAllText(garbage, "not a model");

        foreach (var (path, fragment) in new[] { (other, "is not a language model written by 'recurrent export'"), (garbage, "is not an ONNX model that ONNX Runtime loads"),
                     (Dir.File("missing.onnx"), "does not exist") })
        {
            var ran = sample.Run(path);
            Assert.Equal(2, ran.Code);
            Assert.Equal("", ran.Out);
            Assert.StartsWith("error: ", ran.Err);
            Assert.Contains(fragment, ran.Err);
            Assert.Single(ran.Err.TrimEnd('\n').Split('\n'));
        }
    }
}
