using static Recurrent.Tests.Tensors.GemmTestData;

namespace Recurrent.Tests.Tensors;

/// <summary>Threads take disjoint rectangles of C and never split K, so the thread count cannot change a bit.</summary>
[Collection("Parallelism")]
public class GemmParallelTests
{
    private static readonly (int M, int K, int N, bool TransA, bool TransB)[] Shapes =
    [
        (32, 256, 1024, false, true),
        (1120, 256, 1027, false, true),
        (256, 1120, 1024, true, false),
        (1120, 1027, 256, false, false),
        (77, 300, 333, true, true),   // edges in every direction, two K slabs
        (2, 300, 1500, false, true),  // direct path, split by columns
        (3, 300, 1500, true, false),
    ];

    public static TheoryData<string> SimdPaths()
    {
        var data = new TheoryData<string>();
        foreach (var path in Gemm.SupportedPaths)
            if (path is GemmPath.Avx512 or GemmPath.Avx2 or GemmPath.Vector128) data.Add(path.ToString());
        return data;
    }

    [Theory]
    [MemberData(nameof(SimdPaths))]
    public void ThreadCountDoesNotChangeBits(string pathName)
    {
        var path = Path(pathName);
        int saved = Parallelism.MaxThreads;
        var savedPath = Gemm.ForcedPath;
        try
        {
            Gemm.ForcedPath = path;
            foreach (var (m, k, n, ta, tb) in Shapes)
            {
                var rng = new Rng((ulong)(m * 31 + n));
                var a = Matrix(rng, ta ? k : m, ta ? m : k, ta ? m : k);
                var b = Matrix(rng, tb ? n : k, tb ? k : n, tb ? k : n);
                var c0 = Matrix(rng, m, n, n);
                float[] Run(int threads)
                {
                    Parallelism.MaxThreads = threads;
                    var c = (float[])c0.Clone();
                    Gemm.Multiply(ta, tb, m, n, k, 1.5f, a, ta ? m : k, b, tb ? k : n, -0.5f, c, n);
                    return c;
                }

                var one = Run(1);
                Assert.Equal(one, Run(1)); // and the same again: no state carried from call to call
                foreach (int threads in new[] { 2, 3, 4 })
                {
                    var plan = Gemm.Plan(m, n, k, path, threads);
                    Assert.True(plan.RowParts * plan.ColParts > 1, $"{m}x{k}x{n} is not split on {threads} threads");
                    var many = Run(threads);
                    for (int i = 0; i < one.Length; i++)
                    {
                        if (BitConverter.SingleToInt32Bits(one[i]) != BitConverter.SingleToInt32Bits(many[i]))
                            Assert.Fail($"{path} {m}x{k}x{n} on {threads} threads differs at {i}: {many[i]} vs {one[i]}");
                    }
                }
            }
        }
        finally
        {
            Parallelism.MaxThreads = saved;
            Gemm.ForcedPath = savedPath;
        }
    }

    [Fact]
    public void PartitionsFallOnWholeTiles()
    {
        foreach (var path in Gemm.SupportedPaths)
        {
            foreach (var (m, k, n, _, _) in Shapes)
            {
                var plan = Gemm.Plan(m, n, k, path, 4);
                Assert.True(plan.RowParts * plan.ColParts <= 4);
                if (!plan.Direct)
                {
                    Assert.Equal(TileRows(path), plan.RowUnit);
                    Assert.Equal(TileCols(path), plan.ColUnit);
                }
            }
            // Too little work for a hand-off to pay: one thread.
            var small = Gemm.Plan(16, 16, 16, path, 4);
            Assert.Equal(1, small.RowParts * small.ColParts);
        }
    }

    private static int TileRows(GemmPath path) => path switch
    {
        GemmPath.Avx512 => Avx512Kernel.Mr,
        GemmPath.Avx2 => Avx2Kernel.Mr,
        GemmPath.Vector128 => Vector128Kernel.Mr,
        _ => ScalarKernel.Mr,
    };

    private static int TileCols(GemmPath path) => path switch
    {
        GemmPath.Avx512 => Avx512Kernel.Nr,
        GemmPath.Avx2 => Avx2Kernel.Nr,
        GemmPath.Vector128 => Vector128Kernel.Nr,
        _ => ScalarKernel.Nr,
    };

    [Fact]
    public void ConcurrentCallersGetTheSameBits()
    {
        // Four threads at once: one gets the pool, the others find it busy and run alone, all alike.
        const int M = 200, K = 300, N = 400;
        var rng = new Rng(3);
        var a = Matrix(rng, M, K, K);
        var b = Matrix(rng, N, K, K);
        var expected = new float[M * N];
        int saved = Parallelism.MaxThreads;
        try
        {
            Parallelism.MaxThreads = 1;
            Gemm.Multiply(false, true, M, N, K, 1f, a, K, b, K, 0f, expected, N);
            Parallelism.MaxThreads = 2;
            var results = new float[4][];
            var threads = Enumerable.Range(0, 4).Select(t => new Thread(() =>
            {
                var c = new float[M * N];
                for (int r = 0; r < 20; r++) Gemm.Multiply(false, true, M, N, K, 1f, a, K, b, K, 0f, c, N);
                results[t] = c;
            })).ToArray();
            foreach (var t in threads) t.Start();
            foreach (var t in threads) t.Join();
            foreach (var c in results) Assert.Equal(expected, c);
        }
        finally
        {
            Parallelism.MaxThreads = saved;
        }
    }

    [Fact]
    public void SteadyStateCallsDoNotAllocate()
    {
        int saved = Parallelism.MaxThreads;
        try
        {
            foreach (var (m, k, n, ta, tb) in new[] { (32, 256, 1024, false, true), (1, 256, 1024, false, false), (70, 70, 70, true, true) })
            {
                var a = new float[m * k];
                var b = new float[k * n];
                var c = new float[m * n];
                void Call() => Gemm.Multiply(ta, tb, m, n, k, 1f, a, ta ? m : k, b, tb ? k : n, 0f, c, n);
                // Warm both ways first: when another test holds the worker pool, a two-thread call runs whole on this
                // thread, so its packing buffer must already be sized for the single-thread product. The workers are
                // started here too, since a warm-up that found the pool busy would leave their start to a measured call.
                WorkerPool.Shared.EnsureWorkers(Environment.ProcessorCount - 1);
                foreach (int threads in new[] { 1, 2 })
                {
                    Parallelism.MaxThreads = threads;
                    Call();
                    Call();
                }
                foreach (int threads in new[] { 1, 2 })
                {
                    Parallelism.MaxThreads = threads;
                    long before = GC.GetAllocatedBytesForCurrentThread();
                    for (int r = 0; r < 10; r++) Call();
                    Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
                }
            }
        }
        finally
        {
            Parallelism.MaxThreads = saved;
        }
    }

    [Fact]
    public void PoolRunsEveryPartOnceAndReportsFailures()
    {
        var pool = WorkerPool.Shared;
        var counting = new CountingJob(37);
        Assert.True(pool.TryRun(counting, 37, workers: 2));
        Assert.All(counting.Runs, runs => Assert.Equal(1, runs));

        var nested = new NestedJob(pool);
        Assert.True(pool.TryRun(nested, 2, workers: 1));
        Assert.False(nested.InnerRan, "a job started from inside a part must find the pool busy");

        var failure = Assert.Throws<AggregateException>(() => pool.TryRun(new FailingJob(), 4, workers: 1));
        Assert.IsType<InvalidOperationException>(failure.InnerException);
        Assert.True(pool.TryRun(counting, 37, workers: 1), "the pool is usable after a failure");
    }

    private sealed class CountingJob(int parts) : IParallelJob
    {
        public int[] Runs { get; } = new int[parts];
        public void Execute(int part) => Interlocked.Increment(ref Runs[part]);
    }

    private sealed class NestedJob(WorkerPool pool) : IParallelJob
    {
        public bool InnerRan { get; private set; }
        public void Execute(int part)
        {
            if (part == 0 && pool.TryRun(new CountingJob(2), 2, workers: 1)) InnerRan = true;
        }
    }

    private sealed class FailingJob : IParallelJob
    {
        public void Execute(int part)
        {
            if (part == 3) throw new InvalidOperationException("part 3");
        }
    }
}
