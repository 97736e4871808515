using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Recurrent.Checkpoints;
using Recurrent.Models;
using Recurrent.Serve;
using Recurrent.Tensors;
using Recurrent.Training;

namespace Recurrent.Tests.Serving;

/// <summary>
/// Checkpoints in a temporary folder and servers on loopback ports chosen by the system: 'lstm' (characters, with a
/// training state), 'gru' (characters, no training state) and 'words' (an RNN over words); 'big' only where a test
/// starts its own server.
/// </summary>
public sealed class ServerFixture : IAsyncLifetime
{
    public const string Text = "the time traveller for so it will be convenient to speak of him was expounding a recondite matter to us";

    public string Folder { get; } = Path.Combine(Path.GetTempPath(), "recurrent-serve-" + Guid.NewGuid().ToString("N"));

    public GenerationServer Server { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    public string Lstm => Path.Combine(Folder, "lstm.safetensors");

    public string Gru => Path.Combine(Folder, "gru.safetensors");

    public string Words => Path.Combine(Folder, "words.safetensors");

    /// <summary>A model slow enough (H = 384) that a long generation is still running when a test looks.</summary>
    public string Big => Path.Combine(Folder, "big.safetensors");

    public string Log => Path.Combine(Folder, "run.jsonl");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Folder);
        var characters = Vocabulary.FromCharacters(Text);
        var training = new TrainingState { Options = new TrainingOptions { Model = new() { Hidden = 24 } }, Epoch = 3, RngState = new Rng(1).GetState() };
        new Checkpoint(GenerationBatchTests.SharpModel(CellKind.Lstm, characters.Size, 24), characters, training).Save(Lstm);
        new Checkpoint(GenerationBatchTests.SharpModel(CellKind.Gru, characters.Size, 20), characters).Save(Gru);
        var words = new Vocabulary(["<unk>", "<eos>", .. Text.Split(' ').Distinct()]);
        new Checkpoint(GenerationBatchTests.SharpModel(CellKind.Rnn, words.Size, 16), words, tokens: TokenKind.Word).Save(Words);
        new Checkpoint(GenerationBatchTests.SharpModel(CellKind.Lstm, characters.Size, 384), characters).Save(Big);
        File.WriteAllText(Log, "{\"epoch\":1,\"perplexity\":20.5,\"validation_perplexity\":22.25,\"seconds\":1.5,\"learning_rate\":1}\n" +
            "{\"epoch\":2,\"perplexity\":12.5,\"validation_perplexity\":14.5,\"seconds\":1.5,\"learning_rate\":1}\n");
        (Server, Client) = await Start(new ServeOptions { Port = 0, MaxLength = 400, MaxBodyBytes = 2000, MaxPrefixLength = 300, LogPath = Log });
    }

    /// <summary>A server on a free loopback port serving the three checkpoints, and a client whose base address is that server.</summary>
    public async Task<(GenerationServer Server, HttpClient Client)> Start(ServeOptions options, params string[] checkpoints)
    {
        var server = await GenerationServer.StartAsync(checkpoints.Length > 0 ? checkpoints : [Lstm, Gru, Words], options);
        return (server, new HttpClient { BaseAddress = server.Address, Timeout = TimeSpan.FromSeconds(30) });
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await Server.DisposeAsync();
        Directory.Delete(Folder, recursive: true);
    }

    /// <summary>POSTs a JSON body to /v1/generate and returns the status and the parsed answer.</summary>
    public static async Task<(int Status, JsonObject Body)> Generate(HttpClient client, object request)
    {
        using var response = await client.PostAsJsonAsync("/v1/generate", request);
        return ((int)response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject());
    }

    /// <summary>The events of a Server-Sent Events answer, in order: (event name, data).</summary>
    public static List<(string Event, JsonObject Data)> Events(string stream)
    {
        var events = new List<(string, JsonObject)>();
        foreach (string block in stream.Split("\n\n", StringSplitOptions.RemoveEmptyEntries))
        {
            string name = "message";
            string data = "";
            foreach (string line in block.Split('\n'))
            {
                if (line.StartsWith("event: ", StringComparison.Ordinal)) name = line["event: ".Length..];
                else if (line.StartsWith("data: ", StringComparison.Ordinal)) data += line["data: ".Length..];
            }
            events.Add((name, JsonNode.Parse(data)!.AsObject()));
        }
        return events;
    }
}
