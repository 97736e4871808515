using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using Recurrent.Data;
using Recurrent.Models;
using Recurrent.Training;

namespace Recurrent.Checkpoints;

/// <summary>
/// Reads what layout 1 stored differently from today's: the token kind inside the model's JSON, and the training
/// options as one flat object. Layout 1 is frozen, so this file never changes when an option is added.
/// </summary>
internal static class LegacyLayout1
{
    private const string TokensKey = "tokens";

    /// <summary>The model's JSON without its <c>tokens</c> entry, and that entry (characters when absent).</summary>
    public static (string ModelJson, TokenKind Tokens) SplitModel(string json, string source)
    {
        var model = ParseObject(json, "model", source);
        var tokens = TokenKind.Char;
        if (model.Remove(TokensKey, out var node))
        {
            tokens = node?.GetValueKind() == JsonValueKind.String && node.GetValue<string>() is "word" ? TokenKind.Word
                : node?.GetValueKind() == JsonValueKind.String && node.GetValue<string>() is "char" ? TokenKind.Char
                : throw new RecurrentException($"{source} is not a valid checkpoint: its model's token kind is neither 'char' nor 'word'.");
        }
        return (model.ToJsonString(), tokens);
    }

    /// <summary>The flat training options of layout 1 as today's object of groups, each key moved to the group that declares it.</summary>
    public static string GroupTrainingOptions(string json, string source)
    {
        var flat = ParseObject(json, "training", source);
        (string Name, HashSet<string> Keys)[] groups =
        [
            ("model", KeysOf(typeof(ModelOptions.Keys))), ("data", KeysOf(typeof(DataOptions.Keys))),
            ("optimization", KeysOf(typeof(OptimizationOptions.Keys))), ("report", KeysOf(typeof(ReportOptions.Keys))),
        ];
        var grouped = new JsonObject();
        foreach (var (name, _) in groups) grouped[name] = new JsonObject();
        foreach (var (key, value) in flat.ToList())
        {
            // An unknown key lands at the top, where reading the object refuses it as it refuses any unknown key.
            var target = groups.FirstOrDefault(g => g.Keys.Contains(key)).Name is { } group ? (JsonObject)grouped[group]! : grouped;
            flat.Remove(key);
            target[key] = value;
        }
        return grouped.ToJsonString();
    }

    private static HashSet<string> KeysOf(Type keys) =>
        keys.GetFields(BindingFlags.Public | BindingFlags.Static).Select(f => (string)f.GetRawConstantValue()!).ToHashSet(StringComparer.Ordinal);

    private static JsonObject ParseObject(string json, string key, string source)
    {
        try
        {
            return JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { MaxDepth = 8 }) as JsonObject
                ?? throw new RecurrentException($"{source} is not a valid checkpoint: its '{key}' metadata is not a JSON object.");
        }
        catch (Exception e) when (e is JsonException or ArgumentException or InvalidOperationException)
        {
            throw new RecurrentException($"{source} is not a valid checkpoint: its '{key}' metadata is not valid JSON.", e);
        }
    }
}
