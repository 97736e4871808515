namespace Recurrent.Data;

/// <summary>The book's tokenizer: one token per character.</summary>
public sealed class CharacterTokenizer(Vocabulary vocabulary) : ITokenizer
{
    /// <inheritdoc />
    public TokenKind Kind => TokenKind.Char;

    /// <inheritdoc />
    public Vocabulary Vocabulary { get; } = vocabulary;

    /// <inheritdoc />
    public int[] EncodeStrict(string text, string what) => Vocabulary.Encode(text, what);

    /// <inheritdoc />
    public string Decode(ReadOnlySpan<int> indices) => Vocabulary.Decode(indices);
}
