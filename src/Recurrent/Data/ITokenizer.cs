using System.Text.Json.Serialization;

namespace Recurrent.Data;

/// <summary>Turns text into token indices of a vocabulary and back, at the character or the word level.</summary>
public interface ITokenizer
{
    /// <summary>Characters or words.</summary>
    TokenKind Kind { get; }

    /// <summary>The tokens, index by index.</summary>
    Vocabulary Vocabulary { get; }

    /// <summary>The indices of a text typed by a person (a prefix): a token outside the vocabulary is an error naming it.</summary>
    /// <param name="text">The text.</param>
    /// <param name="what">What the text is, for the message ("prefix '分开'").</param>
    int[] EncodeStrict(string text, string what);

    /// <summary>The text of token indices.</summary>
    string Decode(ReadOnlySpan<int> indices);
}

/// <summary>Creates the tokenizer of a saved vocabulary.</summary>
public static class Tokenizers
{
    /// <summary>A character or word tokenizer over <paramref name="vocabulary"/>.</summary>
    /// <param name="kind">Characters or words.</param>
    /// <param name="vocabulary">The tokens.</param>
    /// <param name="words">How a word tokenizer normalises words; null for <see cref="WordNormalization.None"/>.</param>
    public static ITokenizer For(TokenKind kind, Vocabulary vocabulary, WordNormalization? words = null) =>
        kind == TokenKind.Word ? new WordTokenizer(vocabulary, words) : new CharacterTokenizer(vocabulary);

    /// <summary>
    /// The text a generated token adds to what comes before it: a character as it is; a word as
    /// <see cref="WordTokenizer.DecodeNext"/> writes it (the space before it, none at a line start or before closing
    /// punctuation, a line break for the end-of-line token).
    /// </summary>
    /// <param name="tokenizer">The tokenizer of the model.</param>
    /// <param name="token">The token generated.</param>
    /// <param name="lineStart">Whether the text so far ends a line (false after a prefix); updated for the next token.</param>
    public static string Continuation(this ITokenizer tokenizer, int token, ref bool lineStart)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        return tokenizer is WordTokenizer words ? words.DecodeNext(token, ref lineStart) : tokenizer.Decode([token]);
    }
}
