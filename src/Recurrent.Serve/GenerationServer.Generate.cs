using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Recurrent.Serve;

// POST /v1/generate: read and check the request, hand it to its model's batcher, answer the text or stream it.
public sealed partial class GenerationServer
{
    private async Task Generate(HttpContext http)
    {
        var clock = Stopwatch.StartNew();
        if (http.Request.ContentLength > _options.MaxBodyBytes)
        {
            await WriteError(http, 413, TooLarge());
            return;
        }
        GenerateRequest? request;
        try
        {
            request = await JsonSerializer.DeserializeAsync<GenerateRequest>(http.Request.Body, Json, http.RequestAborted);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            await WriteError(http, 413, TooLarge());
            return;
        }
        catch (JsonException e)
        {
            await WriteError(http, 400, $"The body is not a generation request in JSON: {e.Message.Split(" Path:")[0].TrimEnd('.')}.");
            return;
        }
        if (request is null)
        {
            await WriteError(http, 400, "The body is not a generation request in JSON: it is null.");
            return;
        }

        ServedModel? model;
        if (request.Model is null)
        {
            model = _models.Count == 1 ? _models[0] : null;
            if (model is null)
            {
                await WriteError(http, 400, $"Give 'model': this server has {string.Join(", ", _models.Select(m => $"'{m.Name}'"))}.");
                return;
            }
        }
        else if ((model = _models.FirstOrDefault(m => m.Name == request.Model)) is null)
        {
            await WriteError(http, 404, UnknownModel(request.Model));
            return;
        }

        GenerationOptions options;
        int[] prefix;
        try
        {
            if (string.IsNullOrEmpty(request.Prefix)) throw new RecurrentException("Give a 'prefix' to continue: it cannot be empty.");
            if (request.Prefix.Length > _options.MaxPrefixLength)
                throw new RecurrentException($"The prefix has {request.Prefix.Length} characters; this server takes at most {_options.MaxPrefixLength}.");
            options = request.ToOptions(_options);
            prefix = model.Tokenizer.EncodeStrict(request.Prefix, $"prefix '{Shorten(request.Prefix)}'");
        }
        catch (RecurrentException e)
        {
            await WriteError(http, 400, e.Render(key => key));
            return;
        }

        if (Interlocked.Increment(ref _inFlight) > _options.MaxConcurrent)
        {
            Interlocked.Decrement(ref _inFlight);
            http.Response.Headers.RetryAfter = "1";
            await WriteError(http, 429, $"This server is running the {_options.MaxConcurrent} generations it takes at once: try again shortly.");
            return;
        }
        try
        {
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, _cut.Token);
            limit.CancelAfter(TimeSpan.FromSeconds(_options.RequestSeconds));
            var job = model.Batcher.Start(prefix, options, limit.Token);
            if (request.Stream == true) await Stream(http, model, job, clock, limit.Token);
            else await Whole(http, model, request.Prefix, job, clock, limit.Token);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    private string TooLarge() => $"The request body is larger than the {_options.MaxBodyBytes} bytes this server takes.";

    /// <summary>Why a generation stopped early, when it did not finish.</summary>
    private string Stopped(HttpContext http) => _cut.IsCancellationRequested
        ? "The server is shutting down and this generation did not finish in time."
        : $"The generation did not finish within the {_options.RequestSeconds:0.###} seconds a request may take.";

    private async Task Whole(HttpContext http, ServedModel model, string prefix, GenerationJob job, Stopwatch clock, CancellationToken cancellation)
    {
        var text = new StringBuilder();
        int count = 0;
        bool lineStart = false;   // the continuation follows the prefix on its line
        try
        {
            // The read ends when the job completes and throws the failure of a job that ended early. Completion is not
            // awaited: a read that races the writer's completion can leave it pending for good (dotnet/runtime#123544).
            await foreach (int token in job.Tokens.ReadAllAsync(cancellation))
            {
                text.Append(model.Tokenizer.Continuation(token, ref lineStart));
                count++;
            }
        }
        catch (OperationCanceledException)
        {
            if (!http.RequestAborted.IsCancellationRequested) await WriteError(http, 503, Stopped(http));
            return;
        }
        await WriteJson(http, 200, new GenerateResponse(model.Name, prefix, text.ToString(), count, clock.Elapsed.TotalSeconds));
    }

    /// <summary>
    /// Server-Sent Events: <c>data: {"text": "…"}</c> per token (the tokens waiting are written together, then
    /// flushed), then <c>event: done</c> with the count and time, or <c>event: error</c> with the reason.
    /// </summary>
    private async Task Stream(HttpContext http, ServedModel model, GenerationJob job, Stopwatch clock, CancellationToken cancellation)
    {
        http.Response.StatusCode = 200;
        http.Response.ContentType = "text/event-stream; charset=utf-8";
        http.Response.Headers.CacheControl = "no-cache";
        http.Response.Headers["X-Accel-Buffering"] = "no";
        await http.Response.StartAsync(cancellation);
        int count = 0;
        bool lineStart = false;   // the continuation follows the prefix on its line
        try
        {
            while (await job.Tokens.WaitToReadAsync(cancellation))
            {
                var events = new StringBuilder();
                while (job.Tokens.TryRead(out int token))
                {
                    events.Append("data: ").Append(JsonSerializer.Serialize(new { text = model.Tokenizer.Continuation(token, ref lineStart) }, Json)).Append("\n\n");
                    count++;
                }
                await http.Response.WriteAsync(events.ToString(), cancellation);
                await http.Response.Body.FlushAsync(cancellation);
            }
            // As in Whole, the loop's end is the job's end (or its failure, thrown by WaitToReadAsync), not Completion.
            await http.Response.WriteAsync($"event: done\ndata: {JsonSerializer.Serialize(new { tokens = count, seconds = clock.Elapsed.TotalSeconds }, Json)}\n\n", cancellation);
        }
        catch (OperationCanceledException)
        {
            if (http.RequestAborted.IsCancellationRequested) return;   // nobody is listening any more
            await http.Response.WriteAsync($"event: error\ndata: {JsonSerializer.Serialize(new ErrorResponse(Stopped(http)), Json)}\n\n", http.RequestAborted);
        }
    }
}
