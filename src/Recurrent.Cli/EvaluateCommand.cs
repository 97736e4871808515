using System.CommandLine;

namespace Recurrent.Cli;

/// <summary>
/// <c>recurrent evaluate</c>: the perplexity of a saved model on a text, with the state carried across the whole
/// text (and, for a character model, bits per character).
/// </summary>
internal static class EvaluateCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var checkpoint = new Option<string>("--checkpoint") { Description = "the checkpoint to load (written by 'recurrent train --save')", Required = true, HelpName = "path" };
        var corpus = new Option<string>("--corpus") { Description = "built-in corpus (jaychou, timemachine) or a path to a UTF-8 text or zip file", Required = true };
        var maxChars = new Option<int?>("--max-chars") { Description = "keep only the first N characters (default: 10000 for jaychou, the whole file otherwise)" };
        var dataDir = CommonOptions.DataDirectory();
        var batch = new Option<int>("--batch-size") { Description = "rows read side by side (1: the text as one sequence)", DefaultValueFactory = _ => 1 };
        var threads = CommonOptions.Threads();
        var command = CommonOptions.Command("evaluate", "Print the perplexity of a saved model on a text (and bits per character for a character model).",
            checkpoint, corpus, maxChars, dataDir, batch, threads);
        command.SetAction(parse =>
        {
            int threadCount = CommonOptions.AtLeast(parse, threads, 1), batchSize = CommonOptions.AtLeast(parse, batch, 1);
            CommonOptions.AtLeast(parse, maxChars, 1);
            Parallelism.MaxThreads = threadCount;
            string path = parse.GetValue(checkpoint)!;
            var loaded = Checkpoint.Load(path);
            var loader = new CorpusLoader(new CorpusLoaderOptions { DataDirectory = parse.GetValue(dataDir), Log = m => stderr.WriteLine(Terminal.Visible(m)) });
            var options = new TrainingOptions { Data = new() { Corpus = parse.GetValue(corpus)!, MaxChars = parse.GetValue(maxChars), Tokens = loaded.Tokens } };
            var tokens = TrainingData.Load(options, loader, loaded.Tokenizer, path).Train;
            var result = Evaluator.Evaluate(loaded.Model, tokens, batchSize);
            stdout.WriteLine(FormattableString.Invariant($"perplexity {result.Perplexity:F6}"));
            if (loaded.Tokens == TokenKind.Char)
                stdout.WriteLine(FormattableString.Invariant($"bits per character {result.BitsPerToken:F6}"));
            return 0;
        });
        return command;
    }
}
