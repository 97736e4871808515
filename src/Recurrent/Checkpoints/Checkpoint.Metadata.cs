using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Recurrent.Data;
using Recurrent.Models;
using Recurrent.Tensors;
using Recurrent.Training;

namespace Recurrent.Checkpoints;

// The checkpoint's __metadata__: strings, the structured ones JSON. Every JSON key is declared explicitly on the
// records (JsonPropertyName, JsonStringEnumMemberName, the option keys of each group), so renaming a C# property
// changes no file; Python reads them as they are (json.loads(meta["model"])["hidden_size"]).
public sealed partial class Checkpoint
{
    private const string FormatKey = "format";
    private const string VersionKey = "recurrent_checkpoint";
    private const string ModelKey = "model";
    private const string TokenizerKey = "tokenizer";
    private const string VocabularyKey = "vocabulary";
    private const string TrainingKey = "training";
    private const string EpochKey = "epoch";
    private const string RngStateKey = "rng_state";
    private const string CorpusKey = "corpus_sha256";
    private const string EarlyStoppingKey = "early_stopping";

    // Names and values from a file are shortened in messages, so a hostile header cannot flood the console.
    private const int MaxQuotedLength = 80;

    /// <summary>
    /// How records become metadata JSON: the keys and enum words their declarations name, and on reading no unknown,
    /// repeated, missing required or null fields (nanoGPT's rule: an unknown key is an error, not a silent default).
    /// </summary>
    private static readonly JsonSerializerOptions Json = new()
    {
        Converters = { new JsonStringEnumConverter(namingPolicy: null, allowIntegerValues: false) },
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        RespectNullableAnnotations = true,
        AllowDuplicateProperties = false,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        MaxDepth = 8,
    };

    internal static string ToJson<T>(T value) => JsonSerializer.Serialize(value, Json);

    private static string Required(IReadOnlyDictionary<string, string> metadata, string key, string source) =>
        metadata.TryGetValue(key, out var value) ? value : throw Invalid(source, $"its metadata has no '{key}' entry");

    private static T ParseJson<T>(string json, string key, string source) where T : class
    {
        try
        {
            return JsonSerializer.Deserialize<T>(json, Json) ?? throw Invalid(source, $"its '{key}' metadata is null");
        }
        catch (JsonException e)
        {
            throw Invalid(source, $"its '{key}' metadata is not valid ({Problem(e)})", e);
        }
        catch (InvalidOperationException e)   // text that is not valid Unicode, such as a lone surrogate escape
        {
            throw Invalid(source, $"its '{key}' metadata is not valid ({Clause(e.Message)})", e);
        }
    }

    /// <summary>A JSON error as a short clause: where it is, and the first sentence of what the serializer said, without namespaces.</summary>
    private static string Problem(JsonException e)
    {
        string message = e.Message;
        foreach (string end in (string[])[" Path:", ". "])   // the position suffix, then any advice after the first sentence
        {
            int cut = message.IndexOf(end, StringComparison.Ordinal);
            if (cut > 0) message = message[..cut];
        }
        message = message.Replace("Recurrent.", "", StringComparison.Ordinal).Replace("System.", "", StringComparison.Ordinal);
        string where = string.IsNullOrEmpty(e.Path) || e.Path == "$" ? "" : $"at {e.Path}: ";
        return Shorten(where + Clause(message), 200);
    }

    /// <summary>The vocabulary; a character-level one must hold one character (code point) per token.</summary>
    private static Vocabulary ParseVocabulary(string json, TokenKind kind, string source)
    {
        var tokens = ParseJson<string[]>(json, VocabularyKey, source);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < tokens.Length; i++)
        {
            if (string.IsNullOrEmpty(tokens[i])) throw Invalid(source, $"its vocabulary has an empty or null token at index {i}");
            if (!seen.Add(tokens[i])) throw Invalid(source, $"its vocabulary has the token {Quote(tokens[i])} twice");
        }
        var vocabulary = new Vocabulary(tokens);
        if (kind == TokenKind.Char && vocabulary.FirstNonCharacter() is int at and >= 0)
            throw Invalid(source, $"its vocabulary has the token {Quote(tokens[at])} at index {at}, which is not one character, and its tokens are characters");
        return vocabulary;
    }

    /// <summary>
    /// The number of strings in a JSON array of strings, counted without building them; -1 when the text is not such an
    /// array, for the parser to say what is wrong with it.
    /// </summary>
    private static int CountTokens(string json)
    {
        int i = SkipSpace(json, 0), count = 0;
        if (i == json.Length || json[i] != '[') return -1;
        i = SkipSpace(json, i + 1);
        if (i < json.Length && json[i] == ']') return SkipSpace(json, i + 1) == json.Length ? 0 : -1;
        while (i < json.Length && json[i] == '"')
        {
            for (i++; i < json.Length && json[i] != '"'; i++)
                if (json[i] == '\\') i++;   // an escape: the next character is part of it, a quote included
            if (i >= json.Length) return -1;
            count++;
            i = SkipSpace(json, i + 1);
            if (i < json.Length && json[i] == ']') return SkipSpace(json, i + 1) == json.Length ? count : -1;
            if (i == json.Length || json[i] != ',') return -1;
            i = SkipSpace(json, i + 1);
        }
        return -1;
    }

    private static int SkipSpace(string json, int i)
    {
        while (i < json.Length && json[i] is ' ' or '\t' or '\n' or '\r') i++;
        return i;
    }

    private static string TokenCount(int count) => count == 1 ? "1 token" : $"{count} tokens";

    /// <summary>The training state, or null when the metadata has none; checked against the model configuration.</summary>
    /// <remarks>Its optimizer state is left empty: the caller adds it once the tensors are read.</remarks>
    private static TrainingState? ParseTraining(IReadOnlyDictionary<string, string> metadata, string layout, ModelConfiguration configuration,
        List<string> optimizerTensors, string source)
    {
        if (!metadata.TryGetValue(TrainingKey, out var json))
        {
            foreach (var key in (string[])[EpochKey, RngStateKey, CorpusKey, EarlyStoppingKey])
                if (metadata.ContainsKey(key)) throw Invalid(source, $"its metadata has '{key}' but no '{TrainingKey}'");
            if (optimizerTensors.Count > 0)
                throw Invalid(source, $"it has the optimizer tensor {Quote(optimizerTensors[0])} but no '{TrainingKey}' metadata");
            return null;
        }

        var options = layout == LegacyLayout
            ? ParseJson<TrainingOptions>(LegacyLayout1.GroupTrainingOptions(json, source), TrainingKey, source)
            : ParseJson<TrainingOptions>(json, TrainingKey, source);
        if (options.Model is null || options.Data is null || options.Optimization is null || options.Report is null
            || options.Data.Corpus is null || options.Report.Prefixes is null || options.Report.Prefixes.Any(p => p is null))
            throw Invalid(source, $"its '{TrainingKey}' metadata has a null corpus or prefix");
        try
        {
            options.Validate();
        }
        catch (RecurrentException e)
        {
            throw Invalid(source, $"its training options are not valid ({Clause(e.Message)})", e);
        }
        if (options.ModelFor(configuration.VocabularySize) != configuration)
            throw Invalid(source, $"its training options describe another model than its model configuration");

        string epochText = Required(metadata, EpochKey, source);
        if (!int.TryParse(epochText, NumberStyles.None, CultureInfo.InvariantCulture, out int epoch) || epoch > options.Optimization.Epochs)
            throw Invalid(source, $"its epoch {Quote(epochText)} is not a whole number from 0 to the run's {options.Optimization.Epochs} epochs");

        string corpus = metadata.GetValueOrDefault(CorpusKey) ?? "";
        if (metadata.ContainsKey(CorpusKey) && (corpus.Length != 64 || !corpus.All(char.IsAsciiHexDigitLower)))
            throw Invalid(source, $"its {CorpusKey} {Quote(corpus)} is not 64 lowercase hexadecimal digits");

        var stopping = metadata.TryGetValue(EarlyStoppingKey, out var stoppingJson)
            ? ParseJson<EarlyStopping>(stoppingJson, EarlyStoppingKey, source)
            : EarlyStopping.None;
        if (stopping.ReportsSinceBest < 0 || (stopping.Best is double best && !(best >= 1 && double.IsFinite(best)))
            || (stopping.Best is null && stopping.ReportsSinceBest != 0))
            throw Invalid(source, $"its '{EarlyStoppingKey}' metadata is not a best perplexity (a finite number of at least 1) and a count of reports since it");

        return new TrainingState
        {
            Stopping = stopping,
            Options = options,
            Epoch = epoch,
            RngState = ParseRngState(Required(metadata, RngStateKey, source), source),
            CorpusSha256 = metadata.ContainsKey(CorpusKey) ? corpus : null,
        };
    }

    /// <summary>Six words of 16 hexadecimal digits: the generator's four (not all zero), a flag (0 or 1) and a cached normal draw.</summary>
    private static ulong[] ParseRngState(string text, string source)
    {
        string[] words = text.Split(' ');
        var state = new ulong[words.Length == 6 ? 6 : 0];
        for (int i = 0; i < state.Length; i++)
        {
            if (words[i].Length != 16 || !words[i].All(char.IsAsciiHexDigitLower)
                || !ulong.TryParse(words[i], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out state[i]))
            {
                state = [];
                break;
            }
        }
        if (state.Length != 6 || (state[0] | state[1] | state[2] | state[3]) == 0 || state[4] > 1)
            throw Invalid(source, $"its {RngStateKey} {Quote(text)} is not the state of a random generator");
        return state;
    }

    // Control and other invisible characters are shown as U+XXXX, long text is cut.
    private static string Quote(string text)
    {
        var quoted = new StringBuilder("'");
        foreach (Rune rune in Shorten(text, MaxQuotedLength).EnumerateRunes())
        {
            if (Rune.IsControl(rune) || (Rune.IsWhiteSpace(rune) && rune.Value != ' ')) quoted.Append($"U+{rune.Value:X4}");
            else quoted.Append(rune.ToString());
        }
        return quoted.Append('\'').ToString();
    }

    private static string Shorten(string text, int length)
    {
        if (text.Length <= length) return text;
        int cut = char.IsHighSurrogate(text[length - 1]) ? length - 1 : length;
        return text[..cut] + "...";
    }

    private static string Clause(string message) => message.Trim().TrimEnd('.');

    private static RecurrentException Invalid(string source, string problem, Exception? inner = null) =>
        inner is null
            ? new RecurrentException($"{source} is not a valid checkpoint: {problem}.")
            : new RecurrentException($"{source} is not a valid checkpoint: {problem}.", inner);
}
