using System.Text;

namespace Recurrent.Data;

/// <summary>
/// Word-level tokens for a word language model (the PTB setting of Zaremba et al. and of PyTorch's
/// <c>word_language_model</c>): words split on whitespace, <c>&lt;eos&gt;</c> at the end of each line, rare and
/// unseen words mapped to <c>&lt;unk&gt;</c>.
/// </summary>
/// <remarks>
/// A line ends at <c>\n</c>, <c>\r\n</c> or <c>\r</c>, and also at the end of the text; a text that ends with a
/// line break has no empty line after it (as Python's <c>for line in file</c>), and an empty line gives a lone
/// <c>&lt;eos&gt;</c>. Words are the runs of non-whitespace characters (<see cref="char.IsWhiteSpace(char)"/>, like
/// Python's <c>str.split()</c>); a <see cref="WordNormalization"/> may then lower-case each word and split off or drop
/// its punctuation.
/// <para>
/// Vocabulary order, built from the training text only: <c>&lt;unk&gt;</c> is 0, <c>&lt;eos&gt;</c> is 1, then
/// every other token seen at least min-count times, most frequent first, ties in order of first appearance
/// (the order of d2l's <c>Vocab</c>). The same text and min-count always give the same indices. A literal
/// <c>&lt;unk&gt;</c> in the text (PTB has them) is the unknown token.
/// </para>
/// </remarks>
public sealed class WordTokenizer : ITokenizer
{
    /// <summary>The token that stands for every word not in the vocabulary.</summary>
    public const string Unknown = "<unk>";

    /// <summary>The token that ends every line.</summary>
    public const string EndOfSentence = "<eos>";

    /// <summary>Wraps an existing word vocabulary (one read back from a checkpoint) and the normalisation it was built with.</summary>
    /// <param name="vocabulary">The words, <c>&lt;unk&gt;</c> and <c>&lt;eos&gt;</c> among them.</param>
    /// <param name="normalization">How words are normalised; null for <see cref="WordNormalization.None"/>.</param>
    /// <exception cref="RecurrentException">The vocabulary lacks <c>&lt;unk&gt;</c> or <c>&lt;eos&gt;</c>.</exception>
    public WordTokenizer(Vocabulary vocabulary, WordNormalization? normalization = null)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        if (!vocabulary.TryIndexOf(Unknown, out int unknown) || !vocabulary.TryIndexOf(EndOfSentence, out int eos))
            throw new RecurrentException($"A word vocabulary must hold {Unknown} and {EndOfSentence}.");
        (Vocabulary, UnknownIndex, EndOfSentenceIndex) = (vocabulary, unknown, eos);
        Normalization = normalization ?? WordNormalization.None;
    }

    /// <summary>How the words of a text are lower-cased and their punctuation treated before they are looked up.</summary>
    public WordNormalization Normalization { get; }

    /// <summary>The vocabulary: token i is the word of index i.</summary>
    public Vocabulary Vocabulary { get; }

    /// <summary>The index of <c>&lt;unk&gt;</c>.</summary>
    public int UnknownIndex { get; }

    /// <summary>The index of <c>&lt;eos&gt;</c>.</summary>
    public int EndOfSentenceIndex { get; }

    /// <summary>Builds the vocabulary of a training text, in the order described on the type.</summary>
    /// <param name="trainingText">The text the model is trained on (never the validation or test text).</param>
    /// <param name="minCount">Words seen fewer times than this become <c>&lt;unk&gt;</c>; 1 keeps every word.</param>
    /// <param name="normalization">How words are normalised; null for <see cref="WordNormalization.None"/>.</param>
    /// <exception cref="RecurrentException"><paramref name="minCount"/> is below 1.</exception>
    public static WordTokenizer Build(string trainingText, int minCount = 1, WordNormalization? normalization = null) =>
        Build(Split(trainingText, normalization), minCount, normalization);

    /// <summary>Builds the vocabulary of the tokens of a training text (as <see cref="Split"/> gives them), in the order described on the type.</summary>
    /// <param name="trainingTokens">The tokens the model is trained on, such as the first part of a split.</param>
    /// <param name="minCount">Tokens seen fewer times than this become <c>&lt;unk&gt;</c>; 1 keeps every one.</param>
    /// <param name="normalization">The normalisation the tokens were split with, which the tokenizer applies to other texts.</param>
    /// <exception cref="RecurrentException"><paramref name="minCount"/> is below 1.</exception>
    public static WordTokenizer Build(IEnumerable<string> trainingTokens, int minCount = 1, WordNormalization? normalization = null)
    {
        ArgumentNullException.ThrowIfNull(trainingTokens);
        if (minCount < 1) throw new OptionException($"{{{DataOptions.Keys.MinCount}}} must be at least 1, not {minCount}.");
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        var firstSeen = new List<string>();
        foreach (string token in trainingTokens)
        {
            if (counts.TryGetValue(token, out int n)) counts[token] = n + 1;
            else
            {
                counts[token] = 1;
                firstSeen.Add(token);
            }
        }
        // OrderByDescending is a stable sort, so equal counts keep their order of first appearance.
        var words = firstSeen
            .Where(w => w != Unknown && w != EndOfSentence && counts[w] >= minCount)
            .OrderByDescending(w => counts[w]);
        return new WordTokenizer(new Vocabulary([Unknown, EndOfSentence, .. words]), normalization);
    }

    /// <summary>The tokens of a text: its words, normalised, with <c>&lt;eos&gt;</c> after each line.</summary>
    /// <param name="text">The text.</param>
    /// <param name="normalization">How each word is normalised; null for <see cref="WordNormalization.None"/>.</param>
    public static IEnumerable<string> Split(string text, WordNormalization? normalization = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        normalization ??= WordNormalization.None;
        var tokens = new List<string>();
        int start = 0;
        while (start < text.Length)
        {
            int end = text.AsSpan(start).IndexOfAny('\n', '\r');
            int lineEnd = end < 0 ? text.Length : start + end;
            foreach (string word in text[start..lineEnd].Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
            {
                normalization.AddTokens(word, tokens);
                foreach (string token in tokens) yield return token;
                tokens.Clear();
            }
            yield return EndOfSentence;
            start = lineEnd + 1;
            if (lineEnd + 1 < text.Length && text[lineEnd] == '\r' && text[lineEnd + 1] == '\n') start++;
        }
    }

    /// <inheritdoc />
    public TokenKind Kind => TokenKind.Word;

    /// <inheritdoc />
    public int[] EncodeStrict(string text, string what)
    {
        var words = Split(text, Normalization).ToList();
        var unknown = words.Where(w => !Vocabulary.TryIndexOf(w, out _)).Distinct().ToList();
        if (unknown.Count > 0)
            throw new RecurrentException($"The {what} has words not in the vocabulary: {string.Join(", ", unknown.Select(w => $"'{w}'"))}.");
        // A prefix typed on one line should not end the sentence: drop the <eos> that Split adds at its end.
        if (words.Count > 0 && words[^1] == EndOfSentence && !text.EndsWith('\n')) words.RemoveAt(words.Count - 1);
        if (words.Count == 0) throw new RecurrentException($"The {what} has no words.");
        return Encode(words, out _);
    }

    /// <summary>The indices of the tokens of a text; words not in the vocabulary get <see cref="UnknownIndex"/>.</summary>
    public int[] Encode(string text) => Encode(text, out _);

    /// <summary>The indices of the tokens of a text, and how many of them are <c>&lt;unk&gt;</c> (the out-of-vocabulary count, literal <c>&lt;unk&gt;</c> included).</summary>
    public int[] Encode(string text, out int unknownCount) => Encode(Split(text, Normalization), out unknownCount);

    /// <summary>The indices of tokens (as <see cref="Split"/> gives them), and how many of them are <c>&lt;unk&gt;</c>.</summary>
    public int[] Encode(IEnumerable<string> tokens, out int unknownCount)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        var indices = new List<int>();
        unknownCount = 0;
        foreach (string token in tokens)
        {
            int index = Vocabulary.TryIndexOf(token, out int i) ? i : UnknownIndex;
            if (index == UnknownIndex) unknownCount++;
            indices.Add(index);
        }
        return [.. indices];
    }

    /// <summary>
    /// The text of token indices: words separated by spaces, a line break for each <c>&lt;eos&gt;</c>; when punctuation
    /// is split off, closing punctuation (<c>. , ; : ! ? ) ] }</c>) follows the word before it without a space.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">An index is not in the vocabulary.</exception>
    public string Decode(ReadOnlySpan<int> indices)
    {
        var text = new StringBuilder();
        bool lineStart = true;
        foreach (int index in indices) text.Append(DecodeNext(index, ref lineStart));
        return text.ToString();
    }

    /// <summary>
    /// The text one more token adds to a decoded text, for writing tokens as they are generated: the word with the
    /// space before it (none at the start of a line or before closing punctuation), or a line break for <c>&lt;eos&gt;</c>.
    /// </summary>
    /// <param name="index">The token.</param>
    /// <param name="lineStart">Whether the text so far ends a line (or is empty); updated for the next token.</param>
    /// <exception cref="ArgumentOutOfRangeException">The index is not in the vocabulary.</exception>
    public string DecodeNext(int index, ref bool lineStart)
    {
        if ((uint)index >= (uint)Vocabulary.Size)
            throw new ArgumentOutOfRangeException(nameof(index), $"Index {index} is not in [0, {Vocabulary.Size}).");
        if (index == EndOfSentenceIndex)
        {
            lineStart = true;
            return "\n";
        }
        string token = Vocabulary.Tokens[index];
        bool attached = lineStart || (Normalization.Punctuation == Punctuation.Split && ".,;:!?)]}".Contains(token[0]));
        lineStart = false;
        return attached ? token : " " + token;
    }
}
