namespace Recurrent.Bench;

/// <summary><c>peak</c>: the FMA peak (<see cref="FmaPeak"/>) of every vector path this machine has, with 1 and 2 threads.</summary>
internal static class PeakBench
{
    public static int Run(string[] args)
    {
        Console.WriteLine($"FMA peak, single precision, GFLOP/s (median of 7 runs); {Environment.ProcessorCount} logical cores, GEMM path {Gemm.CurrentPath}");
        Console.WriteLine("path        1 thread  2 threads");
        foreach (var path in Enum.GetValues<GemmPath>().Where(Gemm.IsSupported))
            Console.WriteLine($"{path,-10} {FmaPeak.Measure(path, 1),9:F1} {FmaPeak.Measure(path, 2),10:F1}");
        return 0;
    }
}
