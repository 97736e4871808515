using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Recurrent.Bench;

/// <summary>
/// The machine's own limit for the GEMM: single-precision FMA throughput measured with a loop that keeps everything in
/// registers, on the vectors of a given path, with one thread or several at once. Every GEMM figure is a fraction of it.
/// </summary>
/// <remarks>
/// Sixteen independent accumulators per thread hide the FMA latency (4 cycles at 2 per cycle needs 8 in flight) on
/// every x86 core this runs on; the loop has no loads or stores, so the figure is what the FMA units give and no more.
/// </remarks>
internal static class FmaPeak
{
    private const int Iterations = 1 << 20;

    /// <summary>GFLOP/s of <paramref name="threads"/> threads running the loop at once on <paramref name="path"/>: the median of several runs.</summary>
    public static double Measure(GemmPath path, int threads)
    {
        Func<float, float> loop = path switch
        {
            GemmPath.Avx512 => Loop512,
            GemmPath.Avx2 => Loop256,
            GemmPath.Vector128 => Loop128,
            _ => LoopScalar,
        };
        int lanes = path switch { GemmPath.Avx512 => 16, GemmPath.Avx2 => 8, GemmPath.Vector128 => 4, _ => 1 };
        double flopPerThread = 2.0 * 16 * lanes * Iterations;
        for (int i = 0; i < 3; i++) loop(1f);   // compiled and warm
        var figures = new List<double>();
        for (int run = 0; run < 7; run++)
        {
            using var start = new Barrier(threads + 1);
            var workers = Enumerable.Range(0, threads).Select(_ => new Thread(() =>
            {
                start.SignalAndWait();
                loop(1f);
            })).ToList();
            workers.ForEach(w => w.Start());
            start.SignalAndWait();
            long t0 = Stopwatch.GetTimestamp();
            workers.ForEach(w => w.Join());
            figures.Add(threads * flopPerThread / Stopwatch.GetElapsedTime(t0).TotalSeconds / 1e9);
        }
        figures.Sort();
        return figures[figures.Count / 2];
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Loop512(float seed)
    {
        var m = Vector512.Create(0.999999f);
        var a = Vector512.Create(1e-7f);
        Vector512<float> c0 = Vector512.Create(seed), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0;
        Vector512<float> c8 = c0, c9 = c0, c10 = c0, c11 = c0, c12 = c0, c13 = c0, c14 = c0, c15 = c0;
        for (int i = 0; i < Iterations; i++)
        {
            c0 = Avx512F.FusedMultiplyAdd(c0, m, a); c1 = Avx512F.FusedMultiplyAdd(c1, m, a);
            c2 = Avx512F.FusedMultiplyAdd(c2, m, a); c3 = Avx512F.FusedMultiplyAdd(c3, m, a);
            c4 = Avx512F.FusedMultiplyAdd(c4, m, a); c5 = Avx512F.FusedMultiplyAdd(c5, m, a);
            c6 = Avx512F.FusedMultiplyAdd(c6, m, a); c7 = Avx512F.FusedMultiplyAdd(c7, m, a);
            c8 = Avx512F.FusedMultiplyAdd(c8, m, a); c9 = Avx512F.FusedMultiplyAdd(c9, m, a);
            c10 = Avx512F.FusedMultiplyAdd(c10, m, a); c11 = Avx512F.FusedMultiplyAdd(c11, m, a);
            c12 = Avx512F.FusedMultiplyAdd(c12, m, a); c13 = Avx512F.FusedMultiplyAdd(c13, m, a);
            c14 = Avx512F.FusedMultiplyAdd(c14, m, a); c15 = Avx512F.FusedMultiplyAdd(c15, m, a);
        }
        // The sum keeps every chain live, so that none is optimised away.
        return Vector512.Sum(c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9 + c10 + c11 + c12 + c13 + c14 + c15);
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Loop256(float seed)
    {
        var m = Vector256.Create(0.999999f);
        var a = Vector256.Create(1e-7f);
        Vector256<float> c0 = Vector256.Create(seed), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0;
        Vector256<float> c8 = c0, c9 = c0, c10 = c0, c11 = c0, c12 = c0, c13 = c0, c14 = c0, c15 = c0;
        for (int i = 0; i < Iterations; i++)
        {
            c0 = Fma.MultiplyAdd(c0, m, a); c1 = Fma.MultiplyAdd(c1, m, a);
            c2 = Fma.MultiplyAdd(c2, m, a); c3 = Fma.MultiplyAdd(c3, m, a);
            c4 = Fma.MultiplyAdd(c4, m, a); c5 = Fma.MultiplyAdd(c5, m, a);
            c6 = Fma.MultiplyAdd(c6, m, a); c7 = Fma.MultiplyAdd(c7, m, a);
            c8 = Fma.MultiplyAdd(c8, m, a); c9 = Fma.MultiplyAdd(c9, m, a);
            c10 = Fma.MultiplyAdd(c10, m, a); c11 = Fma.MultiplyAdd(c11, m, a);
            c12 = Fma.MultiplyAdd(c12, m, a); c13 = Fma.MultiplyAdd(c13, m, a);
            c14 = Fma.MultiplyAdd(c14, m, a); c15 = Fma.MultiplyAdd(c15, m, a);
        }
        return Vector256.Sum(c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9 + c10 + c11 + c12 + c13 + c14 + c15);
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Loop128(float seed)
    {
        var m = Vector128.Create(0.999999f);
        var a = Vector128.Create(1e-7f);
        Vector128<float> c0 = Vector128.Create(seed), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0;
        Vector128<float> c8 = c0, c9 = c0, c10 = c0, c11 = c0, c12 = c0, c13 = c0, c14 = c0, c15 = c0;
        for (int i = 0; i < Iterations; i++)
        {
            c0 = Vector128.FusedMultiplyAdd(c0, m, a); c1 = Vector128.FusedMultiplyAdd(c1, m, a);
            c2 = Vector128.FusedMultiplyAdd(c2, m, a); c3 = Vector128.FusedMultiplyAdd(c3, m, a);
            c4 = Vector128.FusedMultiplyAdd(c4, m, a); c5 = Vector128.FusedMultiplyAdd(c5, m, a);
            c6 = Vector128.FusedMultiplyAdd(c6, m, a); c7 = Vector128.FusedMultiplyAdd(c7, m, a);
            c8 = Vector128.FusedMultiplyAdd(c8, m, a); c9 = Vector128.FusedMultiplyAdd(c9, m, a);
            c10 = Vector128.FusedMultiplyAdd(c10, m, a); c11 = Vector128.FusedMultiplyAdd(c11, m, a);
            c12 = Vector128.FusedMultiplyAdd(c12, m, a); c13 = Vector128.FusedMultiplyAdd(c13, m, a);
            c14 = Vector128.FusedMultiplyAdd(c14, m, a); c15 = Vector128.FusedMultiplyAdd(c15, m, a);
        }
        return Vector128.Sum(c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9 + c10 + c11 + c12 + c13 + c14 + c15);
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float LoopScalar(float seed)
    {
        float c0 = seed, c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0;
        float c8 = c0, c9 = c0, c10 = c0, c11 = c0, c12 = c0, c13 = c0, c14 = c0, c15 = c0;
        const float m = 0.999999f, a = 1e-7f;
        for (int i = 0; i < Iterations; i++)
        {
            c0 = MathF.FusedMultiplyAdd(c0, m, a); c1 = MathF.FusedMultiplyAdd(c1, m, a);
            c2 = MathF.FusedMultiplyAdd(c2, m, a); c3 = MathF.FusedMultiplyAdd(c3, m, a);
            c4 = MathF.FusedMultiplyAdd(c4, m, a); c5 = MathF.FusedMultiplyAdd(c5, m, a);
            c6 = MathF.FusedMultiplyAdd(c6, m, a); c7 = MathF.FusedMultiplyAdd(c7, m, a);
            c8 = MathF.FusedMultiplyAdd(c8, m, a); c9 = MathF.FusedMultiplyAdd(c9, m, a);
            c10 = MathF.FusedMultiplyAdd(c10, m, a); c11 = MathF.FusedMultiplyAdd(c11, m, a);
            c12 = MathF.FusedMultiplyAdd(c12, m, a); c13 = MathF.FusedMultiplyAdd(c13, m, a);
            c14 = MathF.FusedMultiplyAdd(c14, m, a); c15 = MathF.FusedMultiplyAdd(c15, m, a);
        }
        return c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9 + c10 + c11 + c12 + c13 + c14 + c15;
    }
}
