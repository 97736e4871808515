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
        var dataDir = new Option<string?>("--data-dir") { Description = "folder whose jaychou_lyrics.txt.zip or timemachine.txt replaces the built-in copy (same SHA-256)" };
        var batch = new Option<int>("--batch-size") { Description = "rows read side by side (1: the text as one sequence)", DefaultValueFactory = _ => 1 };
        var threads = new Option<int>("--threads") { Description = "compute threads (default: all cores)", DefaultValueFactory = _ => Environment.ProcessorCount };
        var verbose = new Option<bool>("--verbose") { Description = "show the stack trace of an internal error" };
        var command = new Command("evaluate", "Print the perplexity of a saved model on a text (and bits per character for a character model).")
        {
            checkpoint, corpus, maxChars, dataDir, batch, threads, verbose,
        };
        command.SetAction(parse =>
        {
            int threadCount = parse.GetValue(threads), batchSize = parse.GetValue(batch);
            if (threadCount < 1) throw new RecurrentException($"--threads must be at least 1, not {threadCount}.");
            if (batchSize < 1) throw new RecurrentException($"--batch-size must be at least 1, not {batchSize}.");
            if (parse.GetValue(maxChars) is < 1) throw new RecurrentException($"--max-chars must be at least 1, not {parse.GetValue(maxChars)}.");
            Parallelism.MaxThreads = threadCount;
            string path = parse.GetValue(checkpoint)!;
            var loaded = Checkpoint.Load(path);
            var loader = new CorpusLoader(new CorpusLoaderOptions { DataDirectory = parse.GetValue(dataDir), Log = m => stderr.WriteLine(m) });
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
