using System.Text;

namespace Recurrent.Data;

/// <summary>The prefixes a run predicts from when it is given none: ones that belong to its corpus, so that no default fails.</summary>
/// <param name="Prefixes">One or two prefixes, each made only of tokens of the vocabulary.</param>
/// <param name="FromText">
/// True when they were taken from the training text (a corpus of the user's, or a built-in one cut so short that its
/// own prefixes do not fit); false for a built-in corpus's own (the book's 分开 and 不分开 for the lyrics).
/// </param>
public sealed record DefaultPrefixes(IReadOnlyList<string> Prefixes, bool FromText)
{
    /// <summary>The longest word, in characters, taken from a text as a character-level prefix.</summary>
    public const int MaxWordLength = 12;

    // The first tokens of the text are enough to find two words; a large corpus is not decoded whole.
    private const int Scanned = 4096;

    /// <summary>
    /// The built-in corpus's prefixes when it is one and every token of them is in the vocabulary; otherwise the first
    /// two distinct words of the training tokens (for characters: whitespace-separated, each cut to
    /// <see cref="MaxWordLength"/> characters; for words: tokens with a letter or digit, other than &lt;unk&gt;).
    /// </summary>
    /// <param name="corpusName">The corpus as the run names it: a built-in name or a path.</param>
    /// <param name="tokenizer">The run's tokenizer.</param>
    /// <param name="train">The training tokens (at least one).</param>
    public static DefaultPrefixes For(string corpusName, ITokenizer tokenizer, ReadOnlySpan<int> train)
    {
        if (BuiltInCorpus.Find(corpusName) is { } builtIn && builtIn.Prefixes.All(p => Encodes(tokenizer, p)))
            return new DefaultPrefixes(builtIn.Prefixes, FromText: false);
        var words = new List<string>(2);
        ReadOnlySpan<int> start = train[..Math.Min(train.Length, Scanned)];
        if (tokenizer is WordTokenizer wordTokenizer)
        {
            foreach (int index in start)
            {
                string token = tokenizer.Vocabulary.Tokens[index];
                if (index != wordTokenizer.UnknownIndex && index != wordTokenizer.EndOfSentenceIndex && token.EnumerateRunes().Any(Rune.IsLetterOrDigit)
                    && !words.Contains(token)) words.Add(token);
                if (words.Count == 2) break;
            }
        }
        else
        {
            foreach (string word in tokenizer.Decode(start).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
            {
                string cut = string.Concat(word.EnumerateRunes().Take(MaxWordLength).Select(r => r.ToString()));
                if (!words.Contains(cut)) words.Add(cut);
                if (words.Count == 2) break;
            }
        }
        // A text of whitespace or punctuation only: its first token.
        if (words.Count == 0) words.Add(tokenizer.Decode(train[..1]));
        return new DefaultPrefixes(words, FromText: true);
    }

    private static bool Encodes(ITokenizer tokenizer, string prefix)
    {
        try
        {
            tokenizer.EncodeStrict(prefix, "prefix");
            return true;
        }
        catch (RecurrentException)
        {
            return false;
        }
    }
}
