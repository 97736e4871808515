using System.Runtime.CompilerServices;

namespace Recurrent.Tensors;

public static partial class Gemm
{
    /// <summary>
    /// Products with at most this many rows skip packing (<see cref="GemmDirect"/>): with 256 x 1024 operands
    /// the direct loops win up to 4 rows for every transpose and lose from 5 or 6, where packing B pays.
    /// </summary>
    internal const int DirectMaxRows = 4;

    /// <summary>
    /// Below this many multiply-adds a call stays on one thread. Measured with gemm-cutoff on a 2-core Zen 4
    /// (median of single calls, rounds disturbed by other processes dropped): from 2^17 on (32 x 256 x 16,
    /// 1 x 256 x 512) two threads gain 1.2 to 1.5x in every run; at 2^16 the gain ranged from none (1 x 256 x 256)
    /// to 1.4x (32 x 256 x 8), and below it the hand-off costs about what it saves.
    /// </summary>
    internal static long ParallelThreshold { get; set; } = 1L << 17;

    /// <summary>The cache blocking of each path on this machine (<see cref="BlockingFor"/> of its tile and <see cref="CacheSizes.Machine"/>).</summary>
    internal static GemmBlocking BlockingOf(GemmPath path) => path switch
    {
        GemmPath.Avx512 => Avx512Blocking,
        GemmPath.Avx2 => Avx2Blocking,
        _ => PortableBlocking,
    };

    /// <summary>The K slab depth and strip width that the blocked path packs B with for a product of depth k.</summary>
    internal static (int Kc, int Nr) PackingOf(GemmPath path, int k) =>
        (GemmBlocked.SlabDepth(k, BlockingOf(path).Kc), TileOf(path).Nr);

    internal static GemmBlocking Avx512Blocking { get; set; } = BlockingFor(TileOf(GemmPath.Avx512), CacheSizes.Machine);
    internal static GemmBlocking Avx2Blocking { get; set; } = BlockingFor(TileOf(GemmPath.Avx2), CacheSizes.Machine);
    internal static GemmBlocking PortableBlocking { get; set; } = BlockingFor(TileOf(GemmPath.Vector128), CacheSizes.Machine);

    /// <summary>
    /// Cache blocking for an Mr x Nr micro-kernel on a core with the given caches, in Goto's scheme: the packed
    /// Kc x Nr strip of B stays in L1 while the kernel streams the Mc x Kc block of A from L2, and the Kc x Nc
    /// panel of B stays in L3.
    /// <list type="bullet">
    /// <item>Kc: the B strip fills L1d, Kc = L1d / (4·Nr), a power of two from 128 to 512: 256 for AVX-512's 32-wide
    /// strips and 512 for AVX2's 16-wide ones on a 32 KiB L1d. On a Zen 4 core the AVX2 path's square 1024³ product
    /// ran about 15% faster at 512 than at 256; the other LSTM shapes were level. Kc decides the order of each sum over
    /// K, so it is what makes the paths' results differ in their last bits; it does not depend on the thread count.</item>
    /// <item>Mc: the A block takes a quarter of L2, leaving the rest to the B strips passing through and to C; a
    /// multiple of Mr, at most 512. On a Zen 4 core (1 MiB L2) that is 256 rows at Kc = 256, 126 at 512.</item>
    /// <item>Nc: the B panel takes half the core's share of L3, a multiple of Nr from 512 up to a 2 MiB panel (2048
    /// columns at Kc = 256, 1024 at 512). The cap bounds each thread's pinned packing buffer: with AVX2's Kc = 512 and
    /// 2048 columns the char-rnn benchmark peaked 58 MB higher, above PyTorch's, for no gain in speed.</item>
    /// </list>
    /// Beyond that, the sweeps of <c>bench gemm --blocking</c> on that core measured the LSTM's shapes level within
    /// their noise for Mc 96 to 384 on both vector paths, and for Kc 128 to 512 on the AVX-512 path.
    /// </summary>
    internal static GemmBlocking BlockingFor((int Mr, int Nr) tile, CacheSizes caches)
    {
        int kc = (int)Math.Clamp(FloorPowerOfTwo(caches.L1 / (4L * tile.Nr)), 128, 512);
        int mc = (int)Math.Clamp(caches.L2 / 4 / (4L * kc) / tile.Mr * tile.Mr, tile.Mr, 512 / tile.Mr * tile.Mr);
        int maxNc = MaxPanelBytes / (4 * kc) / tile.Nr * tile.Nr;
        int nc = (int)Math.Clamp(caches.L3PerCore / 2 / (4L * kc) / tile.Nr * tile.Nr, 512 / tile.Nr * tile.Nr, maxNc);
        return new GemmBlocking(kc, mc, nc);
    }

    private const int MaxPanelBytes = 2 << 20;

    private static long FloorPowerOfTwo(long x) => x < 1 ? 1 : 1L << (int)(63 - long.LeadingZeroCount(x));

    [ThreadStatic] private static bool t_rowStable;

    /// <summary>
    /// When set, products called from this thread run on the unpacked path (<see cref="GemmDirect"/>) whatever their
    /// number of rows, so that each row of C gets the bits it gets in a product of that row alone. Batched generation
    /// sets it: each sequence of a batch then generates exactly what it generates alone. Per thread, as <see cref="ForcedPath"/>.
    /// </summary>
    internal static bool RowStable
    {
        get => t_rowStable;
        set => t_rowStable = value;
    }

    [ThreadStatic] private static float[]? t_buffer;
    [ThreadStatic] private static GemmJob? t_job;

    /// <summary>Runs a validated, non-empty product on <see cref="CurrentPath"/>, on as many threads as it is worth.</summary>
    private static unsafe void Run(in GemmArgs g, PackedMatrix? packedB = null)
    {
        if (g.K == 0)
        {
            ScaleC(g);
            return;
        }
        var job = t_job ??= new GemmJob();
        job.Prepare(g, CurrentPath, packedB);
        int parts = job.Parts;
        // More parts than cores (MaxThreads set above the core count) are shared out among one thread per
        // core rather than run on spinning threads that would take turns on the cores.
        int workers = Math.Min(parts, Environment.ProcessorCount) - 1;
        if (parts == 1 || !WorkerPool.Shared.TryRun(job, parts, workers))
            job.ExecuteAll();
    }

    // C = beta * C: the product of an empty sum (K = 0).
    private static unsafe void ScaleC(in GemmArgs g)
    {
        for (int i = 0; i < g.M; i++)
        {
            var row = new Span<float>(g.C + (nint)i * g.Ldc, g.N);
            if (g.Beta == 0f) row.Clear();
            else foreach (ref float x in row) x *= g.Beta;
        }
    }

    /// <summary>The calling thread's packing buffer, pinned and grown on demand, never shrunk.</summary>
    private static unsafe float* ThreadBuffer(int floats)
    {
        var buffer = t_buffer;
        if (buffer == null || buffer.Length < floats)
            t_buffer = buffer = GC.AllocateUninitializedArray<float>(Math.Max(floats, 4096), pinned: true);
        return (float*)Unsafe.AsPointer(ref buffer[0]);
    }

    /// <summary>
    /// One call split into rectangles of C, one per thread. Boundaries fall on multiples of MR rows and NR
    /// columns of the whole matrix and K is never split, so every element is computed by the same
    /// instructions whatever the number of parts.
    /// </summary>
    private sealed unsafe class GemmJob : IParallelJob
    {
        private GemmArgs _args;
        private GemmPath _path;
        private bool _direct;
        private int _mr, _nr, _rowParts, _colParts;
        private PackedMatrix? _packedB;

        public int Parts => _rowParts * _colParts;

        public void Prepare(in GemmArgs g, GemmPath path, PackedMatrix? packedB)
        {
            _args = g;
            _path = path;
            (_direct, _mr, _nr, _rowParts, _colParts) = Plan(g.M, g.N, g.K, path, Parallelism.MaxThreads);
            // The direct path reads B as it is; a packed B only serves the blocked path it was packed for.
            _packedB = !_direct && packedB is not null && packedB.Path == path ? packedB : null;
        }

        public void Execute(int part)
        {
            ref readonly var g = ref _args;
            int rowUnits = (g.M + _mr - 1) / _mr, colUnits = (g.N + _nr - 1) / _nr;
            int pi = part / _colParts, pj = part % _colParts;
            int m0 = Math.Min(g.M, rowUnits * pi / _rowParts * _mr), m1 = Math.Min(g.M, rowUnits * (pi + 1) / _rowParts * _mr);
            int n0 = Math.Min(g.N, colUnits * pj / _colParts * _nr), n1 = Math.Min(g.N, colUnits * (pj + 1) / _colParts * _nr);
            if (m0 < m1 && n0 < n1) Execute(m0, m1, n0, n1);
        }

        public void ExecuteAll() => Execute(0, _args.M, 0, _args.N);

        private void Execute(int m0, int m1, int n0, int n1)
        {
            ref readonly var g = ref _args;
            if (_direct)
            {
                GemmDirect.Run(_path, g, n0, n1, ThreadBuffer(GemmDirect.ScratchFloats(g)));
                return;
            }
            switch (_path)
            {
                case GemmPath.Avx512: Blocked<Avx512Kernel>(g, m0, m1, n0, n1, vectorizedPacking: true); break;
                case GemmPath.Avx2: Blocked<Avx2Kernel>(g, m0, m1, n0, n1, vectorizedPacking: true); break;
                case GemmPath.Vector128: Blocked<Vector128Kernel>(g, m0, m1, n0, n1, vectorizedPacking: false); break;
                default: Blocked<ScalarKernel>(g, m0, m1, n0, n1, vectorizedPacking: false); break;
            }
        }

        private void Blocked<TKernel>(in GemmArgs g, int m0, int m1, int n0, int n1, bool vectorizedPacking)
            where TKernel : IGemmKernel
        {
            var blocking = BlockingOf(_path);
            float* buffer = ThreadBuffer(GemmBlocked.BufferFloats<TKernel>(blocking));
            GemmBlocked.Run<TKernel>(g, blocking, m0, m1, n0, n1, buffer, vectorizedPacking, _packedB is null ? null : _packedB.Pointer);
        }
    }

    /// <summary>
    /// How a product is run: directly or packed, the units its partition boundaries fall on (MR x NR, or
    /// 64 columns for the direct path) and the grid of rectangles, one per thread.
    /// </summary>
    internal static (bool Direct, int RowUnit, int ColUnit, int RowParts, int ColParts) Plan(int m, int n, int k,
        GemmPath path, int maxThreads)
    {
        bool direct = m <= DirectMaxRows || RowStable;
        var (mr, nr) = direct ? (1, 64) : TileOf(path);
        int threads = (long)m * n * k < ParallelThreshold ? 1 : Math.Min(maxThreads, 64);
        if (threads == 1) return (direct, mr, nr, 1, 1);
        int rowUnits = direct ? 1 : (m + mr - 1) / mr, colUnits = (n + nr - 1) / nr;
        // Splitting rows makes each thread pack all of B (K x N), splitting columns all of A (M x K):
        // pick the grid that duplicates the least packing.
        for (; threads > 1; threads--)
        {
            var (rowParts, colParts) = (0, 0);
            long best = long.MaxValue;
            for (int rows = 1; rows <= threads; rows++)
            {
                if (threads % rows != 0) continue;
                int cols = threads / rows;
                if (rows > rowUnits || cols > colUnits) continue;
                long cost = (long)rows * n + (long)cols * m;
                if (cost < best) (best, rowParts, colParts) = (cost, rows, cols);
            }
            if (rowParts > 0) return (direct, mr, nr, rowParts, colParts);
        }
        return (direct, mr, nr, 1, 1);
    }

    internal static (int Mr, int Nr) TileOf(GemmPath path) => path switch
    {
        GemmPath.Avx512 => (Avx512Kernel.Mr, Avx512Kernel.Nr),
        GemmPath.Avx2 => (Avx2Kernel.Mr, Avx2Kernel.Nr),
        GemmPath.Vector128 => (Vector128Kernel.Mr, Vector128Kernel.Nr),
        _ => (ScalarKernel.Mr, ScalarKernel.Nr),
    };
}
