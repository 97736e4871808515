using Recurrent.Data;

namespace Recurrent.Training;

/// <summary>
/// The token streams of a run: the training text, an optional validation text (held out from the end of the
/// corpus, or a file of its own) and an optional test text, all encoded with one tokenizer.
/// </summary>
/// <remarks>
/// Characters: the vocabulary is every character of all the texts (sorted by code point), so that each of them
/// encodes. Words: the words are normalised as the options say, the vocabulary comes from the training part only,
/// words seen fewer than min-count times become &lt;unk&gt;, and unseen words of the other parts too. With a
/// tokenizer given (a checkpoint's), every text is encoded with it (and its normalisation); a character it lacks is
/// an error that lists them. A training text with fewer than two distinct tokens, or whose every word becomes
/// &lt;unk&gt;, is an error: there is nothing for a model to learn.
/// </remarks>
public sealed record TrainingData(ITokenizer Tokenizer, int[] Train, int[]? Validation, int[]? Test, string Fingerprint)
{
    /// <summary>Prefixes that fit the training text, for a run given none (see <see cref="Data.DefaultPrefixes.For"/>).</summary>
    public required DefaultPrefixes DefaultPrefixes { get; init; }

    /// <summary>Loads and encodes the texts the options name.</summary>
    /// <param name="options">Corpus or train/valid/test paths, max-chars, token kind, min-count, validation fraction.</param>
    /// <param name="loader">Resolves built-in names and paths.</param>
    /// <param name="tokenizer">A fixed tokenizer (fine-tuning or resuming a checkpoint), or null to build one.</param>
    /// <param name="source">Names the fixed tokenizer's origin in messages.</param>
    public static TrainingData Load(TrainingOptions options, CorpusLoader loader, ITokenizer? tokenizer = null, string source = "the checkpoint")
    {
        var train = loader.Load(options.Data.TrainPath ?? options.Data.Corpus, options.Data.MaxChars);
        var valid = options.Data.ValidPath is null ? null : loader.Load(options.Data.ValidPath);
        var test = options.Data.TestPath is null ? null : loader.Load(options.Data.TestPath);
        string fingerprint = Corpus.Fingerprint(train.Text);
        if (tokenizer is not null && tokenizer.Kind != options.Data.Tokens)
            throw new OptionException($"{{{DataOptions.Keys.Tokens}}} {options.Data.Tokens.ToString().ToLowerInvariant()} differs from the {tokenizer.Kind.ToString().ToLowerInvariant()} tokens of {source}.");

        string name = options.Data.TrainPath ?? options.Data.Corpus;
        if (options.Data.Tokens == TokenKind.Word)
        {
            var normalization = (tokenizer as WordTokenizer)?.Normalization ?? options.Data.Words;
            var words = WordTokenizer.Split(train.Text, normalization).ToArray();
            int trainLength = options.Data.ValidationFraction is double f ? CorpusSplit.TrainLength(words.Length, f) : words.Length;
            var wordTokenizer = (WordTokenizer?)tokenizer ?? WordTokenizer.Build(words[..trainLength], options.Data.MinCount, normalization);
            int[] trainWords = wordTokenizer.Encode(words[..trainLength], out _);
            if (tokenizer is null) CheckWords(name, words[..trainLength], wordTokenizer, trainWords, options.Data.MinCount);
            int[]? held = options.Data.ValidationFraction is null ? null : wordTokenizer.Encode(words[trainLength..], out _);
            return new TrainingData(wordTokenizer, trainWords,
                valid is null ? held : wordTokenizer.Encode(valid.Text), test is null ? null : wordTokenizer.Encode(test.Text), fingerprint)
            {
                DefaultPrefixes = DefaultPrefixes.For(name, wordTokenizer, trainWords),
            };
        }

        var characters = tokenizer ?? new CharacterTokenizer(Vocabulary.FromCharacters(
            string.Concat(train.Text, valid?.Text ?? "", test?.Text ?? "")));
        if (tokenizer is null && train.Vocabulary.Size < 2)
            throw new RecurrentException(
                $"The corpus {name} has a single distinct character ({Vocabulary.Describe(train.Vocabulary.Tokens[0])}): a model needs at least two to choose between.");
        int[] all = Encode(characters, train, source, tokenizer is not null);
        int[] trainPart = all;
        int[]? validPart = valid is null ? null : Encode(characters, valid, source, tokenizer is not null);
        if (options.Data.ValidationFraction is double fraction)
        {
            var split = CorpusSplit.HoldOutLast(all, fraction);
            (trainPart, validPart) = (split.Train, split.Validation);
        }
        return new TrainingData(characters, trainPart, validPart, test is null ? null : Encode(characters, test, source, tokenizer is not null), fingerprint)
        {
            DefaultPrefixes = DefaultPrefixes.For(name, characters, trainPart),
        };
    }

    /// <summary>Refuses a word training text that leaves a model nothing to learn: every word rare, or one token in all.</summary>
    private static void CheckWords(string name, string[] words, WordTokenizer tokenizer, int[] encoded, int minCount)
    {
        bool anyWord = words.Any(w => w != WordTokenizer.EndOfSentence && w != WordTokenizer.Unknown);
        if (anyWord && tokenizer.Vocabulary.Size == 2)
            throw new OptionException(
                $"Every word of the corpus {name} is seen fewer than {{{DataOptions.Keys.MinCount}}} {minCount} times, so all of them would become {WordTokenizer.Unknown}: lower {{{DataOptions.Keys.MinCount}}}.");
        if (encoded.Distinct().Take(2).Count() < 2)
        {
            string only = encoded.Length == 0 ? "no token" : $"only the token {Vocabulary.Describe(tokenizer.Vocabulary.Tokens[encoded[0]])}";
            throw new RecurrentException($"The corpus {name} has {only} in word mode: a model needs at least two distinct tokens to choose between.");
        }
    }

    /// <summary>A text encoded character by character; with a checkpoint's vocabulary, the characters it lacks are listed (the first 20).</summary>
    private static int[] Encode(ITokenizer tokenizer, Corpus text, string source, bool fixedVocabulary)
    {
        if (fixedVocabulary)
        {
            var unknown = text.Vocabulary.Tokens.Where(t => !tokenizer.Vocabulary.TryIndexOf(t, out _)).ToList();
            if (unknown.Count > 0)
            {
                const int shown = 20;
                string list = string.Join(", ", unknown.Take(shown).Select(Vocabulary.Describe)) + (unknown.Count > shown ? $" and {unknown.Count - shown} more" : "");
                throw new RecurrentException($"The corpus {text.Name} has {unknown.Count} character{(unknown.Count > 1 ? "s" : "")} not in the vocabulary of {source}: {list}.");
            }
        }
        // The corpus is already encoded with its own vocabulary: when that is the run's, reuse it rather than encode
        // (and hold) a large text twice.
        return tokenizer.Vocabulary.Tokens.SequenceEqual(text.Vocabulary.Tokens) ? text.Indices : tokenizer.Vocabulary.Encode(text.Text, "corpus");
    }
}
