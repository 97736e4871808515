using System.Text.Json.Serialization;

namespace Recurrent.Data;

/// <summary>What a token is: a character (the book) or a whitespace-separated word.</summary>
public enum TokenKind
{
    /// <summary>One Unicode code point per token.</summary>
    [JsonStringEnumMemberName("char")]
    Char,

    /// <summary>Words split on whitespace (and normalised), with &lt;eos&gt; at each line end and &lt;unk&gt; for rare words.</summary>
    [JsonStringEnumMemberName("word")]
    Word,
}
