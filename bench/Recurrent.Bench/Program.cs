using Recurrent.Bench;

// Benchmarks live outside the library and the tests: each is a subcommand, run in Release.
//   dotnet run --project bench/Recurrent.Bench -c Release -- peak
//   dotnet run --project bench/Recurrent.Bench -c Release -- gemm [options]
//   dotnet run --project bench/Recurrent.Bench -c Release -- book [epochs]
//   dotnet run --project bench/Recurrent.Bench -c Release -- words|charrnn|scale [epochs]
//   dotnet run --project bench/Recurrent.Bench -c Release -- serve --checkpoint run.safetensors
var commands = new Dictionary<string, (string Help, Func<string[], int> Run)>
{
    ["peak"] = ("the machine's FMA peak, GFLOP/s, on each vector path it has, 1 and 2 threads", PeakBench.Run),
    ["gemm"] = ("GEMM GFLOP/s on the LSTM's shapes, 1 and 2 threads, beside OpenBLAS through numpy", GemmBench.Run),
    ["gemm-cutoff"] = ("microseconds per GEMM on 1 and 2 threads around the parallel threshold", GemmCutoffBench.Run),
    ["book"] = ("the book's run and generation, ours beside PyTorch's: s/epoch, tokens/s, GFLOP/s, peak memory", BookRunBench.Run),
    ["words"] = ("Zaremba-small word LSTM on The Time Machine, ours beside PyTorch's: s/epoch, tokens/s, GFLOP/s, peak memory", WorkloadBench.RunWords),
    ["charrnn"] = ("char-rnn's 2x512 LSTM with Adam on The Time Machine, ours beside PyTorch's", WorkloadBench.RunCharRnn),
    ["scale"] = ("the book's run at 128, 256, 512 and 1024 hidden units: s/epoch, ours beside PyTorch's", WorkloadBench.RunScale),
    ["serve"] = ("load test of recurrent serve: 1, 8, 32, 128 clients; req/s, tokens/s, latency, errors, server peak memory", ServeBench.Run),
    ["book-one"] = ("one of our training runs in its own process (used by 'book')", BookRunBench.RunOne),
    ["workload-one"] = ("our side of one workload in its own process (used by 'words', 'charrnn' and 'scale')", WorkloadBench.RunOne),
};

if (args.Length == 0 || !commands.TryGetValue(args[0], out var command))
{
    Console.Error.WriteLine(args.Length == 0 ? "Name a benchmark." : $"Unknown benchmark '{args[0]}'.");
    foreach (var (name, (help, _)) in commands) Console.Error.WriteLine($"  {name,-12} {help}");
    return 2;
}
return command.Run(args[1..]);
