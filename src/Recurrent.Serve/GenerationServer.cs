using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Recurrent.Checkpoints;
using Recurrent.Training;

namespace Recurrent.Serve;

/// <summary>
/// The generation server: Kestrel serving the JSON API (<c>POST /v1/generate</c>, <c>GET /v1/models</c>,
/// <c>GET /v1/log</c>, <c>GET /health</c>), its OpenAPI description (<c>/openapi/v1.json</c>) and the pages
/// (<c>/</c> and <c>/train</c>), with one batching thread per model.
/// </summary>
/// <remarks>
/// Every error is <c>{"error": "one sentence"}</c> with its status: 400 bad request, 401 missing API key, 404 unknown
/// model or path, 413 body too large, 429 too many generations in flight, 503 shutting down or out of time.
/// </remarks>
public sealed partial class GenerationServer : IAsyncDisposable
{
    internal static readonly JsonSerializerOptions Json = new()
    {
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
        AllowDuplicateProperties = false,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,   // answers are JSON, never inlined in HTML
        MaxDepth = 8,
    };

    private readonly WebApplication _app;
    private readonly ServeOptions _options;
    private readonly IReadOnlyList<ServedModel> _models;
    private readonly CancellationTokenSource _cut = new();   // cancelled when draining runs out of time
    private int _inFlight, _draining, _stopped;

    private GenerationServer(WebApplication app, ServeOptions options, IReadOnlyList<ServedModel> models)
    {
        (_app, _options, _models) = (app, options, models);
    }

    /// <summary>The address the server listens on (with the port chosen when <see cref="ServeOptions.Port"/> is 0).</summary>
    public Uri Address { get; private set; } = null!;

    /// <summary>The names of the models served, in the order of the checkpoints.</summary>
    public IReadOnlyList<string> ModelNames => _models.Select(m => m.Name).ToList();

    /// <summary>Generations running now.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Loads the checkpoints, starts the batchers and starts listening.</summary>
    /// <param name="checkpoints">Checkpoint files, served under their file names without the extension.</param>
    /// <param name="options">Address and limits.</param>
    /// <exception cref="RecurrentException">An option is invalid, a checkpoint cannot be loaded, two have the same name, or the address is taken.</exception>
    public static async Task<GenerationServer> StartAsync(IReadOnlyList<string> checkpoints, ServeOptions options)
    {
        ArgumentNullException.ThrowIfNull(checkpoints);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (checkpoints.Count == 0) throw new RecurrentException("Give at least one checkpoint to serve.");
        var endpoint = ParseHost(options.Host, options.Port);
        if (options.LogPath is { } log && !File.Exists(log)) throw new RecurrentException($"The training log {log} does not exist.");
        var models = new List<ServedModel>();
        try
        {
            foreach (string path in checkpoints)
            {
                string name = System.IO.Path.GetFileNameWithoutExtension(path);
                if (models.Any(m => m.Name == name))
                    throw new RecurrentException($"Two checkpoints are named '{name}': rename one, since requests choose a model by its file name.");
                models.Add(new ServedModel(name, path, Checkpoint.Load(path)));
            }
            var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
            builder.Logging.ClearProviders();
            builder.WebHost.UseKestrel(kestrel =>
            {
                kestrel.Listen(endpoint);
                kestrel.Limits.MaxRequestBodySize = options.MaxBodyBytes;
                kestrel.AddServerHeader = false;
            });
            builder.Services.Configure<HostOptions>(h => h.ShutdownTimeout = TimeSpan.FromSeconds(5));
            builder.Services.AddOpenApi(openApi =>
            {
                openApi.AddDocumentTransformer((document, _, _) =>
                {
                    document.Info.Title = "Recurrent generation server";
                    document.Info.Description = "Continue text with recurrent language models (LSTM, GRU, RNN) trained by recurrent train.";
                    return Task.CompletedTask;
                });
                // The generate handler reads its body itself (to answer size and syntax errors in the API's own words), so
                // the description of that body is added here: declaring it on the route would also refuse other content types.
                openApi.AddOperationTransformer(async (operation, context, cancellation) =>
                {
                    if (context.Description.RelativePath != "v1/generate") return;
                    var schema = await context.GetOrCreateSchemaAsync(typeof(GenerateRequest), null, cancellation);
                    operation.RequestBody = new Microsoft.OpenApi.OpenApiRequestBody
                    {
                        Required = true,
                        Content = new Dictionary<string, Microsoft.OpenApi.OpenApiMediaType> { ["application/json"] = new() { Schema = schema } },
                    };
                });
            });
            var app = builder.Build();
            var server = new GenerationServer(app, options, models);
            server.Map(app);
            try
            {
                await app.StartAsync();
            }
            catch (IOException e)
            {
                throw new RecurrentException($"Cannot listen on {options.Host}:{options.Port}: {e.Message.TrimEnd('.')}.", e);
            }
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            server.Address = new Uri(address.Replace("//[::]", "//localhost").Replace("//0.0.0.0", "//localhost"));
            return server;
        }
        catch
        {
            foreach (var model in models) model.Dispose();
            throw;
        }
    }

    private static IPEndPoint ParseHost(string host, int port)
    {
        if (host == "localhost") return new IPEndPoint(IPAddress.Loopback, port);
        if (host == "*") return new IPEndPoint(IPAddress.IPv6Any, port);
        if (IPAddress.TryParse(host, out var address)) return new IPEndPoint(address, port);
        throw new OptionException($"{{{ServeOptions.Keys.Host}}} must be an IP address, 'localhost' or '*' (every address), not '{host}'.");
    }

    private void Map(WebApplication app)
    {
        app.Use(Guard);
        app.MapOpenApi();
        app.MapGet("/health", Endpoint(Health)).WithSummary("Whether the server runs, and its counters.").Produces<JsonObject>();
        app.MapGet("/v1/models", Endpoint(ListModels)).WithSummary("The models served and their facts.").Produces<JsonObject>();
        app.MapGet("/v1/models/{name}", Endpoint(OneModel)).WithSummary("One model's facts.").Produces<JsonObject>().Produces<ErrorResponse>(404);
        app.MapPost("/v1/generate", Endpoint(Generate))
            .WithSummary("Continue a prefix; with stream true, as Server-Sent Events (one 'data' event per token, then 'done').")
            .Produces<GenerateResponse>(200).Produces(200, contentType: "text/event-stream")
            .Produces<ErrorResponse>(400).Produces<ErrorResponse>(401).Produces<ErrorResponse>(404).Produces<ErrorResponse>(413)
            .Produces<ErrorResponse>(429).Produces<ErrorResponse>(503);
        app.MapGet("/v1/log", Endpoint(TrainingLogEntries)).WithSummary("The epochs of the training log given to the server.")
            .Produces<JsonObject>().Produces<ErrorResponse>(404);
        Pages.Map(app);
        app.MapFallback(Endpoint(http => WriteError(http, 404, $"There is nothing at {http.Request.Method} {http.Request.Path}."))).ExcludeFromDescription();
    }

    /// <summary>A handler as a <see cref="Delegate"/>, which the OpenAPI description includes (a bare request delegate it skips).</summary>
    private static Delegate Endpoint(Func<HttpContext, Task> handler) => handler;

    /// <summary>Refuses requests while draining (503) and, with an API key, <c>/v1/</c> requests without it (401).</summary>
    private async Task Guard(HttpContext http, RequestDelegate next)
    {
        if (Volatile.Read(ref _draining) != 0)
        {
            http.Response.Headers.Connection = "close";
            await WriteError(http, 503, "The server is shutting down.");
            return;
        }
        if (_options.ApiKey is { } key && http.Request.Path.StartsWithSegments("/v1") && !Authorized(http, key))
        {
            http.Response.Headers.WWWAuthenticate = "Bearer";
            await WriteError(http, 401, "This server needs its API key: send the header 'Authorization: Bearer <key>'.");
            return;
        }
        await next(http);
    }

    private static bool Authorized(HttpContext http, string key)
    {
        string header = http.Request.Headers.Authorization.ToString();
        const string scheme = "Bearer ";
        if (!header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase)) return false;
        return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(header[scheme.Length..].Trim()), Encoding.UTF8.GetBytes(key));
    }

    private Task Health(HttpContext http) => WriteJson(http, 200, new JsonObject
    {
        ["status"] = "ok",
        ["models"] = new JsonArray([.. _models.Select(m => (JsonNode)m.Name)]),
        ["in_flight"] = InFlight,
        ["api_key"] = _options.ApiKey is not null,
        ["training_log"] = _options.LogPath is not null,
        ["forward_steps"] = _models.Sum(m => m.Batcher.Steps),
        ["batched_rows"] = _models.Sum(m => m.Batcher.Rows),
        ["tokens"] = _models.Sum(m => m.Batcher.Tokens),
    });

    private Task ListModels(HttpContext http) =>
        WriteJson(http, 200, new JsonObject { ["models"] = new JsonArray([.. _models.Select(m => (JsonNode)m.Facts())]) });

    private Task OneModel(HttpContext http)
    {
        string name = (string)http.Request.RouteValues["name"]!;
        return _models.FirstOrDefault(m => m.Name == name) is { } model
            ? WriteJson(http, 200, model.Facts())
            : WriteError(http, 404, UnknownModel(name));
    }

    private string UnknownModel(string name) =>
        $"There is no model named '{Shorten(name)}': this server has {string.Join(", ", _models.Select(m => $"'{m.Name}'"))}.";

    private Task TrainingLogEntries(HttpContext http)
    {
        if (_options.LogPath is not { } path) return WriteError(http, 404, "This server was started without a training log.");
        IReadOnlyList<EpochLogEntry> entries;
        try
        {
            entries = TrainingLog.Read(path);
        }
        catch (RecurrentException e)
        {
            // A line half written by a run in progress reads as broken until its end arrives: the page asks again.
            return WriteError(http, 503, e.Message);
        }
        return WriteJson(http, 200, new JsonObject
        {
            ["path"] = path,
            ["epochs"] = new JsonArray([.. entries.Select(e => (JsonNode)new JsonObject
            {
                ["epoch"] = e.Epoch,
                ["perplexity"] = Number(e.Perplexity),
                ["validation_perplexity"] = e.ValidationPerplexity is double v ? Number(v) : null,
                ["seconds"] = e.Seconds,
                ["learning_rate"] = e.LearningRate,
            })]),
        });
    }

    // JSON has no infinity or NaN: a diverged epoch's perplexity is null here.
    private static JsonNode? Number(double x) => double.IsFinite(x) ? JsonValue.Create(x) : null;

    internal static Task WriteJson<T>(HttpContext http, int status, T value)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "application/json; charset=utf-8";
        return http.Response.WriteAsync(JsonSerializer.Serialize(value, Json), http.RequestAborted);
    }

    internal static Task WriteError(HttpContext http, int status, string message) => WriteJson(http, status, new ErrorResponse(message));

    internal static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";

    /// <summary>
    /// Stops taking requests (they get 503), lets the generations in flight finish for up to
    /// <see cref="ServeOptions.DrainSeconds"/>, cuts those still running, then stops listening.
    /// </summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0) return;
        Volatile.Write(ref _draining, 1);
        var deadline = DateTime.UtcNow.AddSeconds(_options.DrainSeconds);
        while (InFlight > 0 && DateTime.UtcNow < deadline) await Task.Delay(20);
        await _cut.CancelAsync();
        await _app.StopAsync();
        foreach (var model in _models) model.Dispose();
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await _app.DisposeAsync();
        _cut.Dispose();
    }
}
