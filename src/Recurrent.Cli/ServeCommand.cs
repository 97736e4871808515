using System.CommandLine;
using Recurrent.Serve;

namespace Recurrent.Cli;

/// <summary>
/// <c>recurrent serve</c>: serves checkpoints over HTTP (<see cref="GenerationServer"/>) until Ctrl-C or SIGTERM,
/// which drain the generations in flight before the process ends.
/// </summary>
internal static class ServeCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr, Interruption interruption)
    {
        var d = new ServeOptions();
        var checkpoint = new Option<string[]>("--checkpoint") { Description = "a checkpoint to serve, named by its file name without the extension (repeatable)", Required = true, HelpName = "path", AllowMultipleArgumentsPerToken = false };
        var host = new Option<string>("--host") { Description = "the address to listen on: an IP address, 'localhost' or '*' for every address", DefaultValueFactory = _ => d.Host };
        var port = new Option<int>("--port") { Description = "the TCP port (0: any free port)", DefaultValueFactory = _ => d.Port };
        var apiKey = new Option<string?>("--api-key") { Description = "require 'Authorization: Bearer <key>' on the API (default: the environment variable RECURRENT_API_KEY, if set)", HelpName = "key" };
        var log = new Option<string?>("--log") { Description = "a training log (written by 'recurrent train --log') that the /train page charts live", HelpName = "path" };
        var maxBody = new Option<int>("--max-body-bytes") { Description = "largest request body, in bytes", DefaultValueFactory = _ => d.MaxBodyBytes };
        var maxPrefix = new Option<int>("--max-prefix-length") { Description = "longest prefix, in characters", DefaultValueFactory = _ => d.MaxPrefixLength };
        var maxLength = new Option<int>("--max-length") { Description = "most tokens a request may generate", DefaultValueFactory = _ => d.MaxLength };
        var maxBeam = new Option<int>("--max-beam") { Description = "widest beam search a request may ask for (0: none)", DefaultValueFactory = _ => d.MaxBeam };
        var maxConcurrent = new Option<int>("--max-concurrent") { Description = "generations in flight at once, streamed or not (more get 429)", DefaultValueFactory = _ => d.MaxConcurrent };
        var requestSeconds = new Option<double>("--request-seconds") { Description = "time a request may take", DefaultValueFactory = _ => d.RequestSeconds };
        var drainSeconds = new Option<double>("--drain-seconds") { Description = "on Ctrl-C or SIGTERM, time the generations in flight get to finish", DefaultValueFactory = _ => d.DrainSeconds };
        var threads = CommonOptions.Threads();

        var command = CommonOptions.Command("serve", "Serve checkpoints over HTTP: a JSON API (batched generation, streaming), its OpenAPI description, and a page to try them.",
            checkpoint, host, port, apiKey, log, maxBody, maxPrefix, maxLength, maxBeam, maxConcurrent, requestSeconds, drainSeconds, threads);
        command.SetAction(parse =>
        {
            var options = new ServeOptions
            {
                Host = parse.GetValue(host)!,
                Port = parse.GetValue(port),
                ApiKey = parse.GetValue(apiKey) ?? (Environment.GetEnvironmentVariable("RECURRENT_API_KEY") is { Length: > 0 } key ? key : null),
                LogPath = parse.GetValue(log),
                MaxBodyBytes = parse.GetValue(maxBody),
                MaxPrefixLength = parse.GetValue(maxPrefix),
                MaxLength = parse.GetValue(maxLength),
                MaxBeam = parse.GetValue(maxBeam),
                MaxConcurrent = parse.GetValue(maxConcurrent),
                RequestSeconds = parse.GetValue(requestSeconds),
                DrainSeconds = parse.GetValue(drainSeconds),
            };
            Parallelism.MaxThreads = CommonOptions.AtLeast(parse, threads, 1);

            using var stop = interruption.Handle();
            var server = GenerationServer.StartAsync(parse.GetValue(checkpoint)!, options).GetAwaiter().GetResult();
            stdout.WriteLine($"serving {Terminal.Visible(string.Join(", ", server.ModelNames))} at {server.Address} (page at /, API at /v1/, OpenAPI at /openapi/v1.json); Ctrl-C stops");
            stdout.Flush();
            try
            {
                interruption.Token.WaitHandle.WaitOne();
                stderr.WriteLine($"stopping: letting {server.InFlight} generation(s) in flight finish");
            }
            finally
            {
                server.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
            stdout.WriteLine("stopped");
            return 0;
        });
        return command;
    }
}
