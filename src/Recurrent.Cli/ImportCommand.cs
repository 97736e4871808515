using System.CommandLine;

namespace Recurrent.Cli;

/// <summary>
/// <c>recurrent import</c>: turns a PyTorch model saved as safetensors (<c>embedding</c>, <c>rnn</c>, <c>dense</c>) and
/// its vocabulary into a checkpoint that <c>generate</c>, <c>evaluate</c>, <c>export</c> and <c>train --init-from</c> take
/// (<see cref="PyTorchImport"/>).
/// </summary>
internal static class ImportCommand
{
    public static Command Create(TextWriter stdout)
    {
        var weights = new Option<string>("--weights") { Description = "a safetensors file of a PyTorch state_dict: rnn (nn.LSTM, nn.GRU or nn.RNN), dense (nn.Linear), optionally embedding (nn.Embedding)", Required = true, HelpName = "path" };
        var vocabulary = new Option<string>("--vocabulary") { Description = "the tokens in index order: a JSON array (.json) or one token per line", Required = true, HelpName = "path" };
        var tokens = new Option<string>("--tokens") { Description = "char: a token is a character; word: whitespace-separated words with <eos> and <unk>", DefaultValueFactory = _ => "char", HelpName = "char|word" };
        var output = new Option<string>("--out") { Description = "the checkpoint to write", Required = true, HelpName = "path" };
        var command = CommonOptions.Command("import", "Make a checkpoint of a model trained with PyTorch (safetensors weights and a vocabulary).",
            weights, vocabulary, tokens, output);
        command.SetAction(parse =>
        {
            var kind = parse.GetValue(tokens) switch
            {
                "char" => TokenKind.Char,
                "word" => TokenKind.Word,
                var other => throw new RecurrentException($"--tokens takes char or word, not '{other}'."),
            };
            string target = parse.GetValue(output)!;
            OutputPaths.CheckDistinct([new(target, "--out")], [new(parse.GetValue(weights), "--weights"), new(parse.GetValue(vocabulary), "--vocabulary")]);
            var checkpoint = PyTorchImport.Load(parse.GetValue(weights)!, parse.GetValue(vocabulary)!, kind);
            checkpoint.Save(target);
            stdout.WriteLine($"wrote {Terminal.Visible(target)}: {ExportCommand.Summary(checkpoint.Configuration)}");
            return 0;
        });
        return command;
    }
}
