using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Recurrent.Checkpoints;

namespace Recurrent.Serve;

/// <summary>A checkpoint served under a name: its model, tokenizer, the facts <c>GET /v1/models</c> shows, and its batcher.</summary>
internal sealed class ServedModel : IDisposable
{
    private static readonly JsonSerializerOptions FactsJson = new()
    {
        Converters = { new JsonStringEnumConverter(namingPolicy: null, allowIntegerValues: false) },
    };

    public ServedModel(string name, string path, Checkpoint checkpoint)
    {
        (Name, Path, Checkpoint) = (name, path, checkpoint);
        Tokenizer = checkpoint.Tokenizer;
        Batcher = new GenerationBatcher(checkpoint.Model, name);
    }

    /// <summary>The name requests give in <c>model</c>: the checkpoint's file name without its extension.</summary>
    public string Name { get; }

    public string Path { get; }

    public Checkpoint Checkpoint { get; }

    public ITokenizer Tokenizer { get; }

    public GenerationBatcher Batcher { get; }

    /// <summary>The model's facts: name, cell, sizes, vocabulary, tokens, epoch and the training options, as the checkpoint keeps them.</summary>
    public JsonObject Facts()
    {
        var c = Checkpoint.Configuration;
        return new JsonObject
        {
            ["name"] = Name,
            ["model"] = JsonSerializer.SerializeToNode(c.Model, FactsJson),
            ["cell"] = JsonSerializer.SerializeToNode(c.Cell, FactsJson),
            ["hidden_size"] = c.HiddenSize,
            ["layers"] = c.Layers,
            ["embedding"] = c.Embedding,
            ["vocabulary_size"] = c.VocabularySize,
            ["tokens"] = JsonSerializer.SerializeToNode(Checkpoint.Tokens, FactsJson),
            ["parameters"] = Checkpoint.Model.Parameters.Sum(p => (long)p.Value.Length),
            ["epoch"] = Checkpoint.Training?.Epoch,
            ["training"] = Checkpoint.Training is { } t ? JsonSerializer.SerializeToNode(t.Options, FactsJson) : null,
        };
    }

    public void Dispose() => Batcher.Dispose();
}
