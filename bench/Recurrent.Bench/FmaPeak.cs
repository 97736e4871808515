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
/// Twelve independent accumulators per thread hide the FMA latency (4 cycles at 2 per cycle needs 8 in flight) on
/// every x86 core this runs on; the loop has no loads or stores, so the figure is what the FMA units give and no more.
/// </remarks>
internal static class FmaPeak
{
    // About 30 ms a run: long enough for the scheduler to move a second thread onto the second core (a run of a
    // few milliseconds may finish with both threads on the core that started them, reading as one thread's figure).
    private const int Iterations = 1 << 24;

    /// <summary>GFLOP/s of <paramref name="threads"/> threads running the loop at once on <paramref name="path"/>: the median of several runs.</summary>
    public static double Measure(GemmPath path, int threads)
    {
        Func<float, float> loop = path switch
        {
            GemmPath.Avx512 => Loop<Lanes512, Vector512<float>>,
            GemmPath.Avx2 => Loop<Lanes256, Vector256<float>>,
            GemmPath.Vector128 => Loop<Lanes128, Vector128<float>>,
            _ => Loop<Lanes1, float>,
        };
        int lanes = path switch { GemmPath.Avx512 => 16, GemmPath.Avx2 => 8, GemmPath.Vector128 => 4, _ => 1 };
        double flopPerThread = 2.0 * 12 * lanes * Iterations;
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

    private interface ILanes<TVec> where TVec : struct
    {
        static abstract TVec Create(float x);
        static abstract TVec Fma(TVec x, TVec y, TVec z);
        static abstract float Sum(TVec v);
    }

    private readonly struct Lanes512 : ILanes<Vector512<float>>
    {
        public static Vector512<float> Create(float x) => Vector512.Create(x);
        public static Vector512<float> Fma(Vector512<float> x, Vector512<float> y, Vector512<float> z) => Avx512F.FusedMultiplyAdd(x, y, z);
        public static float Sum(Vector512<float> v) => Vector512.Sum(v);
    }

    private readonly struct Lanes256 : ILanes<Vector256<float>>
    {
        public static Vector256<float> Create(float x) => Vector256.Create(x);
        public static Vector256<float> Fma(Vector256<float> x, Vector256<float> y, Vector256<float> z) => System.Runtime.Intrinsics.X86.Fma.MultiplyAdd(x, y, z);
        public static float Sum(Vector256<float> v) => Vector256.Sum(v);
    }

    private readonly struct Lanes128 : ILanes<Vector128<float>>
    {
        public static Vector128<float> Create(float x) => Vector128.Create(x);
        public static Vector128<float> Fma(Vector128<float> x, Vector128<float> y, Vector128<float> z) => Vector128.FusedMultiplyAdd(x, y, z);
        public static float Sum(Vector128<float> v) => Vector128.Sum(v);
    }

    private readonly struct Lanes1 : ILanes<float>
    {
        public static float Create(float x) => x;
        public static float Fma(float x, float y, float z) => MathF.FusedMultiplyAdd(x, y, z);
        public static float Sum(float v) => v;
    }

    // Twelve chains c = c * m + a, each its own register; the JIT compiles one copy per vector type. With m and a that
    // is 14 registers, within the 16 of AVX2 and SSE (sixteen chains would spill there).
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Loop<TLanes, TVec>(float seed) where TLanes : struct, ILanes<TVec> where TVec : struct
    {
        TVec m = TLanes.Create(0.999999f), a = TLanes.Create(1e-7f);
        TVec c0 = TLanes.Create(seed), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0, c8 = c0, c9 = c0, c10 = c0, c11 = c0;
        for (int i = 0; i < Iterations; i++)
        {
            c0 = TLanes.Fma(c0, m, a); c1 = TLanes.Fma(c1, m, a); c2 = TLanes.Fma(c2, m, a); c3 = TLanes.Fma(c3, m, a);
            c4 = TLanes.Fma(c4, m, a); c5 = TLanes.Fma(c5, m, a); c6 = TLanes.Fma(c6, m, a); c7 = TLanes.Fma(c7, m, a);
            c8 = TLanes.Fma(c8, m, a); c9 = TLanes.Fma(c9, m, a); c10 = TLanes.Fma(c10, m, a); c11 = TLanes.Fma(c11, m, a);
        }
        // The sum keeps every chain live, so that none is optimised away. It makes no call: a chain live across one
        // (an array allocation, say) is stored to the stack at every iteration, which halves the figure.
        return TLanes.Sum(c0) + TLanes.Sum(c1) + TLanes.Sum(c2) + TLanes.Sum(c3) + TLanes.Sum(c4) + TLanes.Sum(c5) + TLanes.Sum(c6) + TLanes.Sum(c7)
            + TLanes.Sum(c8) + TLanes.Sum(c9) + TLanes.Sum(c10) + TLanes.Sum(c11);
    }
}
