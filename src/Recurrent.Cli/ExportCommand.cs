using System.CommandLine;

namespace Recurrent.Cli;

/// <summary>
/// <c>recurrent export</c>: writes a checkpoint's model as an ONNX model (<see cref="OnnxExport"/>) that ONNX Runtime
/// runs without Recurrent, with the vocabulary and tokenizer in its metadata.
/// </summary>
internal static class ExportCommand
{
    public static Command Create(TextWriter stdout)
    {
        var checkpoint = new Option<string>("--checkpoint") { Description = "the checkpoint to export (written by 'recurrent train --save' or 'recurrent import')", Required = true, HelpName = "path" };
        var output = new Option<string>("--out") { Description = "the ONNX model to write (opset 14: tokens [T, B] and state in, logits [T, B, V] and state out)", Required = true, HelpName = "path" };
        var command = CommonOptions.Command("export", "Write a trained model as an ONNX model, for ONNX Runtime and other tools.", checkpoint, output);
        command.SetAction(parse =>
        {
            string source = parse.GetValue(checkpoint)!, target = parse.GetValue(output)!;
            OutputPaths.CheckDistinct([new(target, "--out")], [new(source, "--checkpoint")]);
            var loaded = Checkpoint.Load(source);
            OnnxExport.Save(loaded, target);
            stdout.WriteLine($"wrote {Terminal.Visible(target)}: {Summary(loaded.Configuration)} (ONNX opset {OnnxExport.Opset})");
            return 0;
        });
        return command;
    }

    /// <summary>The model in a few words: "2 layers of GRU with 256 units, an embedding of 64, 1027 tokens".</summary>
    internal static string Summary(ModelConfiguration c) =>
        $"{(c.Layers == 1 ? "" : $"{c.Layers} layers of ")}{(c.Model == ModelKind.Scratch ? "from-scratch " : "")}{c.Cell.ToString().ToUpperInvariant()} " +
        $"with {c.HiddenSize} units, {(c.Embedding > 0 ? $"an embedding of {c.Embedding}" : "one-hot input")}, {c.VocabularySize} tokens";
}
