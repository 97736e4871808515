using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Recurrent.Bench;

/// <summary>
/// <c>serve</c>: a load test of <c>recurrent serve</c> on loopback. The server runs in its own process (so its peak
/// memory is its own); for each number of clients, every client sends generation requests one after another for a
/// fixed time, each with its own seed. Reports requests/s, tokens/s, median and 99th-percentile latency, errors,
/// the mean batch (rows per forward step) and the server's peak resident memory so far.
/// </summary>
/// <remarks>
/// Usage: <c>serve --checkpoint PATH [--seconds 10] [--length 100] [--clients 1,8,32,128] [--threads 1]</c>. The server
/// computes on one thread by default: its HTTP threads and the clients share the machine with it.
/// </remarks>
internal static class ServeBench
{
    public static int Run(string[] args)
    {
        string? checkpoint = null;
        double seconds = 10;
        int length = 100;
        string threads = "1";
        int[] levels = [1, 8, 32, 128];
        for (int i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--checkpoint": checkpoint = args[i + 1]; break;
                case "--seconds": seconds = double.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--threads": threads = args[i + 1]; break;
                case "--length": length = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--clients": levels = args[i + 1].Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray(); break;
                default: Console.Error.WriteLine($"Unknown option {args[i]}."); return 2;
            }
        }
        if (checkpoint is null || !File.Exists(checkpoint))
        {
            Console.Error.WriteLine("Give --checkpoint PATH, a checkpoint written by 'recurrent train --save'.");
            return 2;
        }

        string cli = Path.Combine(AppContext.BaseDirectory, "Recurrent.Cli.dll");
        var start = new ProcessStartInfo("dotnet", [cli, "serve", "--checkpoint", checkpoint, "--port", "0", "--max-concurrent", "1000", "--threads", threads])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        using var server = Process.Start(start)!;
        try
        {
            string line = server.StandardOutput.ReadLine() ?? throw new InvalidOperationException("The server ended: " + server.StandardError.ReadToEnd());
            var address = new Uri(line.Split(" at ")[1].Split(' ')[0]);
            // A request still unanswered after 30 s is lost, and counts as an error; the first three errors are printed.
            using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1000 }) { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
            var facts = JsonNode.Parse(http.GetStringAsync("/v1/models").GetAwaiter().GetResult())!["models"]![0]!;
            string prefix = PrefixOf(checkpoint);
            Console.WriteLine($"recurrent serve, {facts["cell"]} {facts["hidden_size"]} hidden, V = {facts["vocabulary_size"]}; {length} tokens per request, " +
                $"{seconds:0.#} s per level; {Environment.ProcessorCount} cores, {System.Runtime.Intrinsics.X86.Avx512F.IsSupported switch { true => "AVX-512", _ => "AVX2" }}");
            Measure(http, 1, 2, length, prefix);   // warm-up: JIT and first requests
            Console.WriteLine("| clients | requests | req/s | tokens/s | median ms | p99 ms | errors | rows/step | server peak MB |");
            Console.WriteLine("|--------:|---------:|------:|---------:|----------:|-------:|-------:|----------:|---------------:|");
            foreach (int clients in levels)
            {
                var before = JsonNode.Parse(http.GetStringAsync("/health").GetAwaiter().GetResult())!;
                var r = Measure(http, clients, seconds, length, prefix);
                var after = JsonNode.Parse(http.GetStringAsync("/health").GetAwaiter().GetResult())!;
                double rows = (long)after["batched_rows"]! - (long)before["batched_rows"]!, steps = (long)after["forward_steps"]! - (long)before["forward_steps"]!;
                Console.WriteLine(FormattableString.Invariant(
                    $"| {clients,7} | {r.Latencies.Count,8} | {r.Latencies.Count / r.Seconds,5:F1} | {r.Tokens / r.Seconds,8:F0} | {Percentile(r.Latencies, 0.5),9:F1} | {Percentile(r.Latencies, 0.99),6:F1} | {r.Errors,6} | {rows / Math.Max(1, steps),9:F1} | {PeakMegabytes(server.Id),14:F0} |"));
            }
        }
        finally
        {
            server.Kill();
            server.WaitForExit();
        }
        return 0;
    }

    private sealed record Result(List<double> Latencies, long Tokens, int Errors, double Seconds);

    private static Result Measure(HttpClient http, int clients, double seconds, int length, string prefix)
    {
        var latencies = new List<double>();
        long tokens = 0;
        int errors = 0, seed = 0;
        var clock = Stopwatch.StartNew();
        var deadline = TimeSpan.FromSeconds(seconds);
        async Task Client()
        {
            while (clock.Elapsed < deadline)
            {
                var sent = Stopwatch.StartNew();
                try
                {
                    using var response = await http.PostAsJsonAsync("/v1/generate", new { prefix, length, seed = Interlocked.Increment(ref seed) });
                    var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
                    if (!response.IsSuccessStatusCode || (int)body["tokens"]! != length)
                    {
                        if (Interlocked.Increment(ref errors) <= 3) Console.Error.WriteLine($"after {sent.Elapsed.TotalSeconds:F1} s: {(int)response.StatusCode} {body.ToJsonString()}");
                        continue;
                    }
                    lock (latencies) latencies.Add(sent.Elapsed.TotalMilliseconds);
                    Interlocked.Add(ref tokens, length);
                }
                catch (Exception e)
                {
                    if (Interlocked.Increment(ref errors) <= 3) Console.Error.WriteLine($"after {sent.Elapsed.TotalSeconds:F1} s: {e.GetType().Name}: {e.Message}");
                }
            }
        }
        Task.WaitAll(Enumerable.Range(0, clients).Select(_ => Task.Run(Client)).ToArray());
        return new Result(latencies, tokens, errors, clock.Elapsed.TotalSeconds);
    }

    private static double Percentile(List<double> values, double p)
    {
        if (values.Count == 0) return double.NaN;
        var sorted = values.Order().ToList();
        return sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
    }

    // VmHWM: the peak resident set of the server process so far, from /proc (Linux).
    private static double PeakMegabytes(int pid)
    {
        string? line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return line is null ? double.NaN : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0;
    }

    /// <summary>A prefix every vocabulary knows: the first token of the checkpoint's own vocabulary.</summary>
    private static string PrefixOf(string checkpoint)
    {
        var vocabulary = Recurrent.Checkpoints.Checkpoint.Load(checkpoint).Vocabulary;
        return vocabulary.TryIndexOf("t", out _) && vocabulary.TryIndexOf("h", out _) && vocabulary.TryIndexOf("e", out _) ? "the" : vocabulary.Tokens[0];
    }
}
