using System.Text;
using System.Text.Json.Serialization;

namespace Recurrent.Data;

/// <summary>What word tokens do with punctuation and symbols (Unicode categories P and S).</summary>
public enum Punctuation
{
    /// <summary>Each run of one punctuation character becomes a token of its own: <c>traveller,</c> gives <c>traveller</c> and <c>,</c>.</summary>
    [JsonStringEnumMemberName("split")]
    Split,

    /// <summary>Punctuation is removed: <c>traveller,</c> gives <c>traveller</c>, a word of punctuation only gives nothing.</summary>
    [JsonStringEnumMemberName("drop")]
    Drop,

    /// <summary>Words are the whitespace-separated runs as they are (a pre-tokenised corpus such as Penn Treebank).</summary>
    [JsonStringEnumMemberName("keep")]
    Keep,
}

/// <summary>
/// How each whitespace-separated word of a text becomes word tokens: lower-cased or not, its punctuation split off,
/// dropped or kept.
/// </summary>
/// <remarks>
/// Lower-casing is Unicode's invariant one. With <see cref="Punctuation.Split"/> or <see cref="Punctuation.Drop"/>,
/// an apostrophe or hyphen between two letters or digits stays inside its word (<c>don't</c>, <c>twenty-one</c>);
/// every other punctuation or symbol character ends the word. The literal tokens <c>&lt;unk&gt;</c> and
/// <c>&lt;eos&gt;</c> are never changed. <see cref="None"/> (no lower-casing, punctuation kept) is Python's
/// <c>str.split()</c>, which leaves a pre-tokenised corpus unchanged.
/// </remarks>
/// <param name="Lowercase">Whether words are lower-cased, so that <c>The</c> and <c>the</c> are one token.</param>
/// <param name="Punctuation">Whether punctuation becomes tokens of its own, is dropped, or stays in the words.</param>
public sealed record WordNormalization(bool Lowercase, Punctuation Punctuation)
{
    /// <summary>Words exactly as whitespace separates them.</summary>
    public static WordNormalization None { get; } = new(false, Punctuation.Keep);

    /// <summary>Adds the tokens of one whitespace-separated word to <paramref name="tokens"/>.</summary>
    internal void AddTokens(string word, List<string> tokens)
    {
        if (word is WordTokenizer.Unknown or WordTokenizer.EndOfSentence)
        {
            tokens.Add(word);
            return;
        }
        if (Lowercase) word = word.ToLowerInvariant();
        if (Punctuation == Punctuation.Keep)
        {
            tokens.Add(word);
            return;
        }

        var runes = word.EnumerateRunes().ToArray();
        var current = new StringBuilder();
        for (int i = 0; i < runes.Length; i++)
        {
            Rune rune = runes[i];
            if (!IsPunctuation(rune) || IsJoiner(runes, i))
            {
                current.Append(rune.ToString());
                continue;
            }
            Flush(current, tokens);
            int end = i;
            while (end + 1 < runes.Length && runes[end + 1] == rune) end++;   // "..." and "--" are one token each
            if (Punctuation == Punctuation.Split) tokens.Add(string.Concat(runes[i..(end + 1)].Select(r => r.ToString())));
            i = end;
        }
        Flush(current, tokens);
    }

    /// <summary>Whether a rune is punctuation or a symbol, the characters <see cref="Punctuation"/> treats.</summary>
    internal static bool IsPunctuation(Rune rune) => Rune.IsPunctuation(rune) || Rune.IsSymbol(rune);

    // An apostrophe or hyphen with a letter or digit on both sides: part of the word.
    private static bool IsJoiner(Rune[] runes, int i) =>
        runes[i].Value is '\'' or '\u2019' or '-'
        && i > 0 && i + 1 < runes.Length && Rune.IsLetterOrDigit(runes[i - 1]) && Rune.IsLetterOrDigit(runes[i + 1]);

    private static void Flush(StringBuilder current, List<string> tokens)
    {
        if (current.Length == 0) return;
        tokens.Add(current.ToString());
        current.Clear();
    }
}
