using System.Text.Json.Serialization;
using Recurrent.Data;

namespace Recurrent.Checkpoints;

/// <summary>How a checkpoint's text becomes tokens: what <c>generate</c> and <c>evaluate</c> must do as training did (metadata key <c>tokenizer</c>).</summary>
public sealed record TokenizerSettings
{
    /// <summary>Characters or words.</summary>
    [JsonPropertyName("tokens")]
    public TokenKind Tokens { get; init; } = TokenKind.Char;
}
