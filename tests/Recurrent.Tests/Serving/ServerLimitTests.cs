using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Recurrent.Serve;
using static Recurrent.Tests.Serving.ServerFixture;

namespace Recurrent.Tests.Serving;

/// <summary>Every error status of the API, the limits, a client that goes away, and draining on shutdown, on real servers.</summary>
public class ServerLimitTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private HttpClient Client => fixture.Client;

    private static async Task<(int Status, string Error)> Post(HttpClient client, string body, string contentType = "application/json")
    {
        using var response = await client.PostAsync("/v1/generate", new StringContent(body, Encoding.UTF8, contentType));
        var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
        Assert.Single(answer);   // {"error": "..."} and nothing else
        return ((int)response.StatusCode, (string)answer["error"]!);
    }

    [Theory]
    [InlineData("{\"model\":\"lstm\",\"prefix\":\"the\",\"top_p\":0}", "top_p must be above 0 and at most 1, not 0.")]
    [InlineData("{\"model\":\"lstm\",\"prefix\":\"the\",\"length\":-1}", "length cannot be negative, not -1.")]
    [InlineData("{\"model\":\"lstm\",\"prefix\":\"the\",\"length\":401}", "length can be at most 400 on this server, not 401.")]
    [InlineData("{\"model\":\"lstm\",\"prefix\":\"the\",\"beam\":3,\"seed\":2}", "beam searches for the most likely continuation and draws nothing at random: it takes no temperature or seed.")]
    [InlineData("{\"model\":\"lstm\",\"prefix\":\"the\",\"beam\":17}", "beam can be at most 16 on this server, not 17.")]
    [InlineData("{\"model\":\"lstm\",\"prefix\":\"the\",\"beam\":2000}", "beam can be at most 16 on this server, not 2000.")]
    [InlineData("{\"model\":\"lstm\",\"prefix\":\"the\",\"beam\":2,\"length\":2147483647}", "length can be at most 400 on this server, not 2147483647.")]
    [InlineData("{\"model\":\"lstm\",\"prefix\":\"the\",\"top_k\":3,\"temperature\":0}", "top_k and top_p filter samples, and temperature 0 does not sample: give a temperature above 0.")]
    [InlineData("{\"model\":\"lstm\",\"prefix\":\"\"}", "Give a 'prefix' to continue: it cannot be empty.")]
    [InlineData("{\"model\":\"lstm\"}", "Give a 'prefix' to continue: it cannot be empty.")]
    [InlineData("{\"prefix\":\"the\"}", "Give 'model': this server has 'lstm', 'gru', 'words'.")]
    public async Task A_bad_request_gets_400_and_the_sentence_of_the_library(string body, string error)
    {
        Assert.Equal((400, error), await Post(Client, body));
    }

    [Fact]
    public void A_server_cannot_allow_more_tokens_than_a_generation_makes()
    {
        var e = Assert.Throws<OptionException>(new ServeOptions { MaxLength = GenerationOptions.MaxLength + 1 }.Validate);
        Assert.Equal("{max_length} must be from 1 to 1000000000 tokens, not 1000000001.", e.Template);
        new ServeOptions { MaxLength = GenerationOptions.MaxLength }.Validate();
    }

    [Theory]
    [InlineData("{\"model\":\"lstm\",\"prefix\":\"the\",\"topk\":3}", "'topk'")]
    [InlineData("{\"model\":\"lstm\",\"prefix\":\"the\"", "not a generation request in JSON")]
    [InlineData("[1,2]", "not a generation request in JSON")]
    [InlineData("null", "it is null")]
    [InlineData("{\"model\":\"lstm\",\"prefix\":\"the\",\"length\":\"ten\"}", "not a generation request in JSON")]
    [InlineData("{\"model\":\"lstm\",\"prefix\":\"THE\"}", "'T'")]
    public async Task A_body_that_is_not_a_request_gets_400_naming_the_problem(string body, string part)
    {
        var (status, error) = await Post(Client, body);
        Assert.Equal(400, status);
        Assert.Contains(part, error);
        Assert.EndsWith(".", error);
    }

    [Fact]
    public async Task A_prefix_above_the_limit_gets_400()
    {
        var (status, error) = await Post(Client, $"{{\"model\":\"lstm\",\"prefix\":\"{new string('a', 301)}\"}}");
        Assert.Equal((400, "The prefix has 301 characters; this server takes at most 300."), (status, error));
    }

    [Fact]
    public async Task An_unknown_model_or_path_gets_404()
    {
        Assert.Equal((404, "There is no model named 'nope': this server has 'lstm', 'gru', 'words'."), await Post(Client, "{\"model\":\"nope\",\"prefix\":\"the\"}"));
        using var model = await Client.GetAsync("/v1/models/nope");
        Assert.Equal(HttpStatusCode.NotFound, model.StatusCode);
        Assert.Contains("no model named 'nope'", await model.Content.ReadAsStringAsync());
        using var path = await Client.GetAsync("/v2/anything");
        Assert.Equal(HttpStatusCode.NotFound, path.StatusCode);
        Assert.Equal("{\"error\":\"There is nothing at GET /v2/anything.\"}", await path.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_body_above_the_limit_gets_413_whether_its_length_is_announced_or_not()
    {
        string body = $"{{\"model\":\"lstm\",\"prefix\":\"{new string('a', 2500)}\"}}";
        Assert.Equal((413, "The request body is larger than the 2000 bytes this server takes."), await Post(Client, body));
        // Chunked: no Content-Length, so Kestrel stops reading at the limit. Sent on a bare socket, since the server
        // answers and closes before the body ends, which HttpClient reports as a failure to send.
        using var socket = new System.Net.Sockets.TcpClient();
        await socket.ConnectAsync(fixture.Server.Address.Host, fixture.Server.Address.Port);
        var stream = socket.GetStream();
        byte[] bytes = Encoding.UTF8.GetBytes(body);
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"POST /v1/generate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n{bytes.Length:x}\r\n"));
        try
        {
            await stream.WriteAsync(bytes);
            await stream.WriteAsync(Encoding.ASCII.GetBytes("\r\n0\r\n\r\n"));
        }
        catch (IOException)
        {
            // The server may close before the whole body is written: its answer is already on the way.
        }
        string answer = await new StreamReader(stream).ReadToEndAsync();
        Assert.StartsWith("HTTP/1.1 413 ", answer);
        Assert.Contains("{\"error\":\"The request body is larger than the 2000 bytes this server takes.\"}", answer.Replace("\r\n4d\r\n", ""));
    }

    [Fact]
    public async Task A_request_without_a_JSON_content_type_is_read_as_JSON()
    {
        var (status, body) = await PostText(Client, "{\"model\":\"lstm\",\"prefix\":\"the\",\"length\":3}", "application/x-www-form-urlencoded");
        Assert.Equal(200, status);
        Assert.Equal(3, (int)JsonNode.Parse(body)!["tokens"]!);
    }

    private static async Task<(int, string)> PostText(HttpClient client, string body, string contentType)
    {
        using var response = await client.PostAsync("/v1/generate", new StringContent(body, Encoding.UTF8, contentType));
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Starts a long stream on 'big' and returns once its first token has arrived.</summary>
    private static async Task<(HttpResponseMessage Response, StreamReader Reader)> LongStream(HttpClient client, int length = 100_000)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/generate") { Content = JsonContent.Create(new { prefix = "the", length, stream = true }) };
        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        Assert.StartsWith("data: {\"text\":", await reader.ReadLineAsync());
        return (response, reader);
    }

    private async Task<(GenerationServer, HttpClient)> Big(ServeOptions options) =>
        await fixture.Start(options with { Port = 0, MaxLength = 100_000 }, fixture.Big);

    [Fact]
    public async Task Generations_above_the_limit_get_429_until_one_finishes()
    {
        var (server, client) = await Big(new ServeOptions { MaxConcurrent = 1 });
        await using (server)
        using (client)
        {
            var (response, reader) = await LongStream(client);
            var (status, error) = await Post(client, "{\"prefix\":\"the\",\"length\":5}");
            Assert.Equal((429, "This server is running the 1 generations it takes at once: try again shortly."), (status, error));
            response.Dispose();
            reader.Dispose();
            await WaitUntil(() => server.InFlight == 0);
            Assert.Equal(200, (await Generate(client, new { prefix = "the", length = 5 })).Status);
        }
    }

    [Fact]
    public async Task A_client_that_goes_away_leaves_the_batch_at_once()
    {
        var (server, client) = await Big(new ServeOptions());
        await using (server)
        using (client)
        {
            var (response, reader) = await LongStream(client);
            response.Dispose();
            reader.Dispose();
            await WaitUntil(() => server.InFlight == 0);
            var health = JsonNode.Parse(await client.GetStringAsync("/health"))!;
            Assert.True((long)health["tokens"]! < 50_000, $"{health["tokens"]} tokens: the generation went on without its client");
        }
    }

    [Fact]
    public async Task A_request_out_of_time_gets_503_or_an_error_event()
    {
        var (server, client) = await Big(new ServeOptions { RequestSeconds = 0.3 });
        await using (server)
        using (client)
        {
            var (status, error) = await Post(client, "{\"prefix\":\"the\",\"length\":100000}");
            Assert.Equal((503, "The generation did not finish within the 0.3 seconds a request may take."), (status, error));
            var (response, reader) = await LongStream(client);
            using (response)
            using (reader)
            {
                var events = Events(await reader.ReadToEndAsync());
                Assert.Equal("error", events[^1].Event);
                Assert.Equal("The generation did not finish within the 0.3 seconds a request may take.", (string)events[^1].Data["error"]!);
            }
            await WaitUntil(() => server.InFlight == 0);
        }
    }

    [Fact]
    public async Task The_API_key_guards_the_API_but_not_the_health_check()
    {
        var (server, client) = await fixture.Start(new ServeOptions { Port = 0, ApiKey = "s3cret" }, fixture.Gru);
        await using (server)
        using (client)
        {
            var (status, error) = await Post(client, "{\"prefix\":\"the\",\"length\":5}");
            Assert.Equal((401, "This server needs its API key: send the header 'Authorization: Bearer <key>'."), (status, error));
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "wrong");
            Assert.Equal(401, (await Post(client, "{\"prefix\":\"the\",\"length\":5}")).Status);
            using (var models = await client.GetAsync("/v1/models")) Assert.Equal(HttpStatusCode.Unauthorized, models.StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health")).StatusCode);
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "s3cret");
            Assert.Equal(200, (await Generate(client, new { prefix = "the", length = 5 })).Status);
        }
    }

    [Fact]
    public async Task Stopping_drains_the_generations_in_flight_and_refuses_new_ones_with_503()
    {
        var (server, client) = await Big(new ServeOptions { DrainSeconds = 20 });
        using (client)
        {
            // A generation long enough to be running when the stop comes, short enough to finish within the drain.
            var (response, reader) = await LongStream(client, length: 1000);
            var stopping = server.StopAsync();
            await WaitUntil(() => true);
            using var other = new HttpClient { BaseAddress = server.Address };
            var (status, error) = await Post(other, "{\"prefix\":\"the\",\"length\":5}");
            Assert.Equal((503, "The server is shutting down."), (status, error));
            var events = Events(await reader.ReadToEndAsync());
            Assert.Equal("done", events[^1].Event);
            Assert.Equal(1000, (int)events[^1].Data["tokens"]!);
            await stopping;
            response.Dispose();
            await server.DisposeAsync();
        }
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition() && DateTime.UtcNow < deadline) await Task.Delay(10);
        Assert.True(condition());
    }
}
