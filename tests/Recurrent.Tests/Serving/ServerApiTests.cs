using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Recurrent.Cli;
using Recurrent.Serve;
using static Recurrent.Tests.Serving.ServerFixture;

namespace Recurrent.Tests.Serving;

/// <summary>The HTTP API against the real server on a loopback port: every endpoint and the answers of good requests.</summary>
public class ServerApiTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private HttpClient Client => fixture.Client;

    /// <summary>What <c>recurrent generate</c> prints for one prefix: the prefix, its continuation, a line break.</summary>
    private static string Cli(string checkpoint, string prefix, params string[] options)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = CliApp.Run(["generate", "--checkpoint", checkpoint, "--prefix", prefix, .. options], TextReader.Null, stdout, stderr);
        Assert.True(code == 0, stderr.ToString());
        return stdout.ToString().ReplaceLineEndings("\n");
    }

    public static TheoryData<string, string, string[], object> SameAsGenerate => new()
    {
        { "lstm", "the time", ["--length", "60"], new { length = 60 } },
        { "lstm", "a rec", ["--length", "80", "--seed", "42", "--temperature", "0.8"], new { length = 80, seed = 42, temperature = 0.8 } },
        { "gru", "it will", ["--length", "50", "--top-k", "3", "--seed", "7"], new { length = 50, top_k = 3, seed = 7 } },
        { "gru", "so", ["--length", "50", "--top-p", "0.7", "--seed", "9", "--temperature", "1.3"], new { length = 50, top_p = 0.7, seed = 9, temperature = 1.3 } },
        { "lstm", "him", ["--length", "40", "--temperature", "0"], new { length = 40, temperature = 0 } },
        { "gru", "matter", ["--length", "30", "--beam", "4"], new { length = 30, beam = 4 } },
        { "words", "the time traveller", ["--length", "25", "--seed", "5"], new { length = 25, seed = 5 } },
    };

    [Theory]
    [MemberData(nameof(SameAsGenerate))]
    public async Task Generate_answers_the_text_recurrent_generate_prints(string model, string prefix, string[] cliOptions, object options)
    {
        var request = JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(options))!.AsObject();
        request["model"] = model;
        request["prefix"] = prefix;
        var (status, body) = await Generate(Client, request);
        Assert.Equal(200, status);
        Assert.Equal(Cli(Path.Combine(fixture.Folder, model + ".safetensors"), prefix, cliOptions), prefix + (string)body["text"]! + "\n");
        Assert.Equal(model, (string)body["model"]!);
        Assert.Equal(prefix, (string)body["prefix"]!);
        Assert.Equal((int)request["length"]!, (int)body["tokens"]!);
    }

    [Fact]
    public async Task Without_options_a_request_takes_the_defaults_of_generate()
    {
        var (status, body) = await Generate(Client, new { model = "lstm", prefix = "the" });
        Assert.Equal(200, status);
        Assert.Equal(Cli(fixture.Lstm, "the"), "the" + (string)body["text"]! + "\n");
        Assert.Equal(new GenerationOptions().Length, (int)body["tokens"]!);
    }

    [Fact]
    public async Task A_stream_sends_the_same_text_token_by_token_then_done()
    {
        var request = new { model = "gru", prefix = "the time", length = 70, seed = 3, stream = true };
        using var response = await Client.PostAsJsonAsync("/v1/generate", request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType!.MediaType);
        var events = Events(await response.Content.ReadAsStringAsync());
        Assert.Equal("done", events[^1].Event);
        Assert.Equal(70, (int)events[^1].Data["tokens"]!);
        var tokens = events[..^1];
        Assert.Equal(70, tokens.Count);   // one event per token, each with one character
        Assert.All(tokens, e => Assert.Equal(("message", 1), (e.Event, ((string)e.Data["text"]!).Length)));
        var (_, whole) = await Generate(Client, request with { stream = false });
        Assert.Equal((string)whole["text"]!, string.Concat(tokens.Select(e => (string)e.Data["text"]!)));
    }

    private async Task<JsonObject> Health() => JsonNode.Parse(await Client.GetStringAsync("/health"))!.AsObject();

    [Fact]
    public async Task Health_says_ok_and_names_the_models()
    {
        var health = await Health();
        Assert.Equal("ok", (string)health["status"]!);
        Assert.Equal(["lstm", "gru", "words"], health["models"]!.AsArray().Select(n => (string)n!));
        Assert.False((bool)health["api_key"]!);
        Assert.True((bool)health["training_log"]!);
    }

    [Fact]
    public async Task Models_lists_the_facts_of_each_checkpoint()
    {
        var models = JsonNode.Parse(await Client.GetStringAsync("/v1/models"))!["models"]!.AsArray();
        Assert.Equal(3, models.Count);
        var lstm = models[0]!;
        Assert.Equal(("lstm", "lstm", "concise", 24, 1, "char", 3), ((string)lstm["name"]!, (string)lstm["cell"]!, (string)lstm["model"]!,
            (int)lstm["hidden_size"]!, (int)lstm["layers"]!, (string)lstm["tokens"]!, (int)lstm["epoch"]!));
        Assert.Equal(Recurrent.Data.Vocabulary.FromCharacters(Text).Size, (int)lstm["vocabulary_size"]!);
        Assert.Equal(24, (int)lstm["training"]!["model"]!["hidden"]!);   // the training options it was saved with
        var gru = models[1]!;
        Assert.Equal(("gru", 20), ((string)gru["cell"]!, (int)gru["hidden_size"]!));
        Assert.Null(gru["epoch"]);
        Assert.Null(gru["training"]);
        Assert.Equal(("rnn", "word"), ((string)models[2]!["cell"]!, (string)models[2]!["tokens"]!));
        var one = JsonNode.Parse(await Client.GetStringAsync("/v1/models/gru"))!;
        Assert.Equal(gru.ToJsonString(), one.ToJsonString());
    }

    [Fact]
    public async Task The_training_log_is_served_epoch_by_epoch()
    {
        var log = JsonNode.Parse(await Client.GetStringAsync("/v1/log"))!;
        var epochs = log["epochs"]!.AsArray();
        Assert.Equal([1, 2], epochs.Select(e => (int)e!["epoch"]!));
        Assert.Equal([20.5, 12.5], epochs.Select(e => (double)e!["perplexity"]!));
        Assert.Equal(14.5, (double)epochs[1]!["validation_perplexity"]!);
        File.AppendAllText(fixture.Log, "{\"epoch\":3,\"perplexity\":9.5,\"validation_perplexity\":null,\"seconds\":1.5,\"learning_rate\":1}\n");
        var later = JsonNode.Parse(await Client.GetStringAsync("/v1/log"))!["epochs"]!.AsArray();
        Assert.Equal(3, later.Count);
        Assert.Null(later[2]!["validation_perplexity"]);
    }

    [Fact]
    public async Task The_OpenAPI_description_names_every_route()
    {
        var document = JsonNode.Parse(await Client.GetStringAsync("/openapi/v1.json"))!;
        var paths = document["paths"]!.AsObject().Select(p => p.Key).Order().ToArray();
        Assert.Equal(["/health", "/v1/generate", "/v1/log", "/v1/models", "/v1/models/{name}"], paths);
        Assert.NotNull(document["paths"]!["/v1/generate"]!["post"]!["requestBody"]);
        var body = document["paths"]!["/v1/generate"]!["post"]!["requestBody"]!["content"]!["application/json"]!["schema"]!["properties"]!.AsObject();
        Assert.Equal(["model", "prefix", "length", "temperature", "top_k", "top_p", "beam", "seed", "stream"], body.Select(p => p.Key));
        Assert.Contains("\"error\"", document["components"]!["schemas"]!["ErrorResponse"]!.ToJsonString());
    }

    [Theory]
    [InlineData("/", "<button id=\"generate\"")]
    [InlineData("/train", "<canvas id=\"chart\"")]
    [InlineData("/style.css", "body")]
    [InlineData("/generate.js", "/v1/generate")]
    [InlineData("/train.js", "/v1/log")]
    public async Task The_pages_are_served(string path, string content)
    {
        using var response = await Client.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(content, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Concurrent_requests_share_forward_steps_and_each_gets_its_text_alone()
    {
        const int clients = 12;
        var before = await Health();
        var requests = Enumerable.Range(0, clients).Select(i => new { model = "lstm", prefix = i % 2 == 0 ? "the" : "a matter", length = 150 + 10 * i, seed = 100 + i }).ToList();
        var answers = await Task.WhenAll(requests.Select(r => Generate(Client, r)));
        var after = await Health();
        long steps = (long)after["forward_steps"]! - (long)before["forward_steps"]!, rows = (long)after["batched_rows"]! - (long)before["batched_rows"]!;
        Assert.True(rows > 2 * steps, $"{rows} rows in {steps} steps: the requests were not batched");
        var batch = new GenerationBatch(Recurrent.Checkpoints.Checkpoint.Load(fixture.Lstm).Model);
        for (int i = 0; i < clients; i++)
        {
            Assert.Equal(200, answers[i].Status);
            var solo = await Generate(Client, requests[i]);   // alone: nothing else runs now
            Assert.Equal((string)solo.Body["text"]!, (string)answers[i].Body["text"]!);
            Assert.Equal(Cli(fixture.Lstm, requests[i].prefix, "--length", requests[i].length.ToString(), "--seed", requests[i].seed.ToString()),
                requests[i].prefix + (string)answers[i].Body["text"]! + "\n");
        }
        Assert.Equal(clients, answers.Select(a => (string)a.Body["text"]!).Distinct().Count());
    }
}
