using System.CommandLine;
using System.Text;

namespace Recurrent.Cli;

/// <summary>
/// <c>recurrent generate</c>: loads a checkpoint (either model) and continues text with
/// <see cref="LanguageModel.Generate"/>, writing each character as soon as it is chosen.
/// </summary>
internal static class GenerateCommand
{
    public static Command Create(TextReader stdin, TextWriter stdout, TextWriter stderr)
    {
        var defaults = new GenerationOptions();
        var checkpoint = new Option<string>("--checkpoint") { Description = "the checkpoint to load (written by 'recurrent train --save')", Required = true, HelpName = "path" };
        var prefix = new Option<string[]>("--prefix") { Description = "text to continue; repeatable, one line per prefix (the prefix, then its continuation)", AllowMultipleArgumentsPerToken = false };
        var prefixFile = new Option<string?>("--prefix-file") { Description = "a UTF-8 file of at most 1 MiB whose whole text primes the model; only the continuation is printed", HelpName = "path" };
        var interactive = new Option<bool>("--interactive") { Description = "read a prefix per line (of at most 1,048,576 characters) from standard input and print its continuation" };
        var length = new Option<int>("--length") { Description = "characters to generate after each prefix", DefaultValueFactory = _ => defaults.Length };
        var temperature = new Option<float>("--temperature") { Description = "divides the logits: 0 is greedy (the book's predictor), below 1 surer, above 1 more varied", DefaultValueFactory = _ => defaults.Temperature };
        var topK = new Option<int>("--top-k") { Description = "sample only among the k most likely characters (0: all)", DefaultValueFactory = _ => defaults.TopK };
        var topP = new Option<float>("--top-p") { Description = "sample only among the most likely characters that hold this much probability (1: all)", DefaultValueFactory = _ => defaults.TopP };
        var beam = new Option<int>("--beam") { Description = "beam search with N beams for the most likely continuation (0: off)", DefaultValueFactory = _ => defaults.Beam };
        var seed = new Option<ulong>("--seed") { Description = "seed of the sampling: the same seed gives the same text", DefaultValueFactory = _ => defaults.Seed };
        var threads = CommonOptions.Threads();

        var command = CommonOptions.Command("generate", "Continue text with a trained model: greedy, sampled (temperature, top-k, top-p) or by beam search.",
            checkpoint, prefix, prefixFile, interactive, length, temperature, topK, topP, beam, seed, threads);
        command.SetAction(parse =>
        {
            var options = new GenerationOptions
            {
                Length = parse.GetValue(length),
                Temperature = parse.GetValue(temperature),
                TopK = parse.GetValue(topK),
                TopP = parse.GetValue(topP),
                Beam = parse.GetValue(beam),
                Seed = parse.GetValue(seed),
            };
            if (options.Beam > 0 && (TrainCommand.Given(parse, temperature) || TrainCommand.Given(parse, seed)))
                throw new RecurrentException("--beam searches for the most likely continuation and draws nothing at random: it takes no --temperature or --seed.");
            options.Validate();
            int threadCount = CommonOptions.AtLeast(parse, threads, 1);
            string[] prefixes = parse.GetValue(prefix) ?? [];
            string? file = parse.GetValue(prefixFile);
            bool isInteractive = parse.GetValue(interactive);
            if (prefixes.Length == 0 && file is null && !isInteractive)
                throw new RecurrentException("Give the text to continue with --prefix, --prefix-file or --interactive.");
            if (prefixes.Any(p => p.Length == 0)) throw new RecurrentException("--prefix cannot be empty.");
            Parallelism.MaxThreads = threadCount;

            var loaded = Checkpoint.Load(parse.GetValue(checkpoint)!);
            var vocabulary = loaded.Vocabulary;
            var tokenizer = loaded.Tokenizer;
            // Every given prefix is checked before anything is printed, so an unknown character stops the command cleanly.
            var encoded = prefixes.Select(p => tokenizer.EncodeStrict(p, $"prefix '{p}'")).ToList();
            int[]? fileTokens = file is null ? null : tokenizer.EncodeStrict(ReadPrefixFile(file, tokenizer), $"prefix file {file}");

            for (int i = 0; i < prefixes.Length; i++)
            {
                stdout.Write(prefixes[i]);
                Continue(loaded.Model, encoded[i], options, tokenizer, stdout);
            }
            if (fileTokens is not null) Continue(loaded.Model, fileTokens, options, tokenizer, stdout);
            if (isInteractive) Interact(loaded.Model, options, tokenizer, stdin, stdout, stderr);
            return 0;
        });
        return command;
    }

    /// <summary>Writes the continuation of <paramref name="prefix"/> token by token, then ends the line.</summary>
    private static void Continue(LanguageModel model, int[] prefix, GenerationOptions options, ITokenizer tokenizer, TextWriter output)
    {
        bool lineStart = false;   // the prefix was written on this line
        foreach (int token in model.Generate(prefix, options))
        {
            // Words are written with the space before them (or a line break for <eos>), characters as they are.
            output.Write(tokenizer.Continuation(token, ref lineStart));
            output.Flush();
        }
        output.WriteLine();
        output.Flush();
    }

    /// <summary>
    /// The most a prefix read from a file may hold, in bytes, and from a line of <c>--interactive</c>, in characters: a
    /// mistaken file or an endless line is refused in one sentence rather than read into memory without end.
    /// </summary>
    internal const int MaxPrefix = 1 << 20;

    /// <summary>
    /// A prefix per line until the end of the input; a line with unknown characters, or longer than
    /// <see cref="MaxPrefix"/> characters, gets an error and the loop goes on.
    /// </summary>
    private static void Interact(LanguageModel model, GenerationOptions options, ITokenizer tokenizer, TextReader input, TextWriter output, TextWriter errors)
    {
        var lines = new BoundedLineReader(input, MaxPrefix);
        while (true)
        {
            errors.Write("> ");
            errors.Flush();
            string? line = lines.ReadLine(out bool tooLong);
            if (line is null) break;
            if (tooLong)
            {
                errors.WriteLine($"error: the line has more than {MaxPrefix:N0} characters, the most a prefix may have; it is skipped.");
                continue;
            }
            if (line.Length == 0) continue;
            int[] tokens;
            try
            {
                tokens = tokenizer.EncodeStrict(line, "line");
            }
            catch (RecurrentException e)
            {
                errors.WriteLine($"error: {Terminal.Visible(e.Message)}");
                continue;
            }
            Continue(model, tokens, options, tokenizer, output);
        }
        errors.WriteLine();
    }

    /// <summary>
    /// The text of a prefix file: strict UTF-8 without its byte order mark and final line breaks; other line breaks
    /// become spaces when the vocabulary has none, as the book prepares its corpus.
    /// </summary>
    private static string ReadPrefixFile(string path, ITokenizer tokenizer)
    {
        // A device such as /dev/zero never ends, and a pipe with no writer would wait for ever.
        InputFile.CheckRegular(path, $"The prefix file {path}");
        byte[] bytes;
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1);
            // One byte more than the limit tells a file over it, whatever size it claims (a file of /proc claims 0).
            bytes = new byte[MaxPrefix + 1];
            int read = stream.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false);
            if (read > MaxPrefix)
                throw new RecurrentException($"The prefix file {path} holds more than {MaxPrefix:N0} bytes (1 MiB), the most a prefix may have: give a shorter text.");
            bytes = bytes[..read];
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new RecurrentException($"The prefix file {path} does not exist.", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new RecurrentException($"The prefix file {path} could not be read: {e.Message.TrimEnd('.')}.", e);
        }
        string text;
        try
        {
            text = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException e)
        {
            throw new RecurrentException($"The prefix file {path} is not valid UTF-8.", e);
        }
        text = text.TrimStart('\uFEFF').TrimEnd('\r', '\n');
        // Characters: line breaks become spaces when the vocabulary has none, as the book prepares its corpus. Words:
        // line breaks are the <eos> tokens the model was trained with, so they stay.
        if (tokenizer.Kind == TokenKind.Char && !tokenizer.Vocabulary.TryIndexOf("\n", out _)) text = text.Replace('\n', ' ').Replace('\r', ' ');
        if (text.Length == 0) throw new RecurrentException($"The prefix file {path} has no text.");
        return text;
    }
}
