using System.Text.Json.Serialization;
namespace Recurrent.Data;

/// <summary>
/// The text a run learns from and how it becomes tokens. The defaults are the book's: the first 10,000 characters
/// of the Jay Chou lyrics, one token per character.
/// </summary>
public sealed record DataOptions
{
    /// <summary>The option keys of this group, as messages and checkpoints name them.</summary>
    public static class Keys
    {
        public const string Corpus = "corpus", MaxChars = "max_chars", Tokens = "tokens", Lowercase = "lowercase", Punctuation = "punctuation", MinCount = "min_count",
            ValidationFraction = "validation_fraction", TrainPath = "train_path", ValidPath = "valid_path", TestPath = "test_path";
    }

    /// <summary>Built-in corpus name (jaychou, timemachine) or a path to a text or zip file.</summary>
    [JsonPropertyName(Keys.Corpus)]
    public string Corpus { get; init; } = "jaychou";

    /// <summary>Keep only the first N characters (null: the corpus default, 10,000 for jaychou, else all).</summary>
    [JsonPropertyName(Keys.MaxChars)]
    public int? MaxChars { get; init; }

    /// <summary>Characters (the book) or whitespace-separated words with &lt;eos&gt; at line ends.</summary>
    [JsonPropertyName(Keys.Tokens)]
    public TokenKind Tokens { get; init; } = TokenKind.Char;

    /// <summary>In word mode, whether words are lower-cased (null: yes, so that <c>The</c> and <c>the</c> are one word).</summary>
    [JsonPropertyName(Keys.Lowercase)]
    public bool? Lowercase { get; init; }

    /// <summary>In word mode, whether punctuation is split off as tokens of its own, dropped or kept in the words (null: split).</summary>
    [JsonPropertyName(Keys.Punctuation)]
    public Punctuation? Punctuation { get; init; }

    /// <summary>How word mode normalises words: <see cref="Lowercase"/> and <see cref="Punctuation"/>, with their defaults.</summary>
    [JsonIgnore]
    public WordNormalization Words => new(Lowercase ?? true, Punctuation ?? Data.Punctuation.Split);

    /// <summary>In word mode, words seen fewer times than this in the training text become &lt;unk&gt;.</summary>
    [JsonPropertyName(Keys.MinCount)]
    public int MinCount { get; init; } = 1;

    /// <summary>Hold out this last fraction of the corpus for validation (null: no validation).</summary>
    [JsonPropertyName(Keys.ValidationFraction)]
    public double? ValidationFraction { get; init; }

    /// <summary>A separate training text (replaces <see cref="Corpus"/>), for corpora that come split.</summary>
    [JsonPropertyName(Keys.TrainPath)]
    public string? TrainPath { get; init; }

    /// <summary>A separate validation text.</summary>
    [JsonPropertyName(Keys.ValidPath)]
    public string? ValidPath { get; init; }

    /// <summary>A separate test text, evaluated once at the end of training.</summary>
    [JsonPropertyName(Keys.TestPath)]
    public string? TestPath { get; init; }

    /// <summary>Rejects values that cannot make a data set, naming the option by its key.</summary>
    /// <exception cref="OptionException">A value is out of range or options contradict each other.</exception>
    public void Validate()
    {
        if (MaxChars is < 1) throw new OptionException($"{{{Keys.MaxChars}}} must be at least 1, not {MaxChars}.");
        if (MinCount < 1) throw new OptionException($"{{{Keys.MinCount}}} must be at least 1, not {MinCount}.");
        if (ValidationFraction is { } f && !(f > 0 && f < 1)) throw new OptionException($"{{{Keys.ValidationFraction}}} must be between 0 and 1, not {f}.");
        if (Tokens != TokenKind.Word && (Lowercase is not null || Punctuation is not null))
            throw new OptionException($"{{{(Lowercase is not null ? Keys.Lowercase : Keys.Punctuation)}}} applies to word tokens only: give {{{Keys.Tokens}}} word, or leave it out.");
        if (ValidationFraction is not null && ValidPath is not null)
            throw new OptionException($"{{{Keys.ValidationFraction}}} and {{{Keys.ValidPath}}} both choose a validation text: give one.");
    }
}
