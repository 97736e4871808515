using System.Text.Json.Serialization;
using Recurrent.Data;

namespace Recurrent.Checkpoints;

/// <summary>
/// How a checkpoint's text becomes tokens: what <c>generate</c> and <c>evaluate</c> must do as training did (metadata key
/// <c>tokenizer</c>), e.g. <c>{"tokens":"char"}</c> or <c>{"tokens":"word","lowercase":true,"punctuation":"split"}</c>.
/// </summary>
/// <remarks>
/// The word settings are written for word tokens only. A word checkpoint without them was written before they existed,
/// when words were split on whitespace alone: it reads as no lower-casing and punctuation kept.
/// </remarks>
public sealed record TokenizerSettings
{
    /// <summary>Characters or words.</summary>
    [JsonPropertyName("tokens")]
    public TokenKind Tokens { get; init; } = TokenKind.Char;

    /// <summary>Word tokens: whether words are lower-cased; null for characters.</summary>
    [JsonPropertyName("lowercase")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? Lowercase { get; init; }

    /// <summary>Word tokens: what happens to punctuation; null for characters.</summary>
    [JsonPropertyName("punctuation")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Punctuation? Punctuation { get; init; }

    /// <summary>The settings of a tokenizer.</summary>
    public static TokenizerSettings Of(TokenKind tokens, WordNormalization? words) => tokens == TokenKind.Word
        ? new TokenizerSettings { Tokens = tokens, Lowercase = (words ?? WordNormalization.None).Lowercase, Punctuation = (words ?? WordNormalization.None).Punctuation }
        : new TokenizerSettings { Tokens = tokens };

    /// <summary>The word normalisation these settings describe: null for characters, whitespace only when a word checkpoint predates the settings.</summary>
    [JsonIgnore]
    public WordNormalization? Words => Tokens == TokenKind.Word
        ? new WordNormalization(Lowercase ?? WordNormalization.None.Lowercase, Punctuation ?? WordNormalization.None.Punctuation)
        : null;
}
