using System.Runtime.CompilerServices;

namespace Recurrent.Tensors;

/// <summary>Cache blocking of the packed GEMM: K slabs of <see cref="Kc"/>, A blocks of <see cref="Mc"/> rows, B panels of <see cref="Nc"/> columns.</summary>
/// <param name="Kc">Target slab depth; K is cut into equal slabs of about this size (a multiple of 8).</param>
/// <param name="Mc">Rows of op(A) packed at once (a multiple of MR): the block stays in L2 while B strips stream past.</param>
/// <param name="Nc">Columns of op(B) packed at once (a multiple of NR).</param>
internal readonly record struct GemmBlocking(int Kc, int Mc, int Nc);

/// <summary>One GEMM call's operands, as raw pointers (the spans are pinned by the caller).</summary>
internal unsafe readonly struct GemmArgs
{
    public readonly bool TransA, TransB;
    public readonly int M, N, K, Lda, Ldb, Ldc;
    public readonly float Alpha, Beta;
    public readonly float* A, B, C;

    public GemmArgs(bool transA, bool transB, int m, int n, int k, float alpha,
        float* a, int lda, float* b, int ldb, float beta, float* c, int ldc)
    {
        TransA = transA; TransB = transB; M = m; N = n; K = k; Alpha = alpha; Beta = beta;
        A = a; Lda = lda; B = b; Ldb = ldb; C = c; Ldc = ldc;
    }

    /// <summary>Where op(A)[i, p] is, and the strides between lanes (rows i) and steps (p).</summary>
    public float* OpA(int i, int p) => TransA ? A + (nint)p * Lda + i : A + (nint)i * Lda + p;
    public nint ALaneStride => TransA ? 1 : Lda;
    public nint AStepStride => TransA ? Lda : 1;

    /// <summary>Where op(B)[p, j] is, and the strides between lanes (columns j) and steps (p).</summary>
    public float* OpB(int p, int j) => TransB ? B + (nint)j * Ldb + p : B + (nint)p * Ldb + j;
    public nint BLaneStride => TransB ? Ldb : 1;
    public nint BStepStride => TransB ? 1 : Ldb;
}

/// <summary>
/// The packed, cache-blocked GEMM (BLIS loop order) over one rectangle of C, for any micro-kernel.
/// </summary>
/// <remarks>
/// Loops, outermost first: N in panels of NC; K in slabs of KC (pack the B slab into NR-wide strips);
/// M in blocks of MC (pack the A block into MR-tall strips); then every NR strip of B against every MR
/// strip of A. The first slab applies beta, later ones add with beta = 1. Slab boundaries depend on K
/// alone, so an element's arithmetic is the same whatever rectangle (thread) it falls in.
/// </remarks>
internal static unsafe class GemmBlocked
{
    /// <summary>Splits K into equal slabs no deeper than about <paramref name="kc"/>, rounded up to a multiple of 8.</summary>
    public static int SlabDepth(int k, int kc)
    {
        int slabs = (k + kc - 1) / kc;
        int depth = (k + slabs - 1) / slabs;
        return Math.Min(k, (depth + 7) & ~7);
    }

    /// <summary>Floats of packing buffer one thread needs: an A block and a B panel, each 64-byte aligned.</summary>
    public static int BufferFloats<TKernel>(in GemmBlocking blocking) where TKernel : IGemmKernel =>
        (RoundUp(blocking.Mc, TKernel.Mr) + RoundUp(blocking.Nc, TKernel.Nr)) * RoundUp(blocking.Kc, 8) + 32;

    /// <summary>C[m0..m1, n0..n1] of the product, packing into <paramref name="buffer"/> (<see cref="BufferFloats{TKernel}"/> floats).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run<TKernel>(in GemmArgs g, in GemmBlocking blocking, int m0, int m1, int n0, int n1,
        float* buffer, bool vectorizedPacking, float* prepackedB = null) where TKernel : IGemmKernel
    {
        int mr = TKernel.Mr, nr = TKernel.Nr;
        int kcMax = SlabDepth(g.K, blocking.Kc);
        int mcMax = RoundUp(blocking.Mc, mr), ncMax = RoundUp(blocking.Nc, nr);
        float* packA = Align64(buffer);
        float* packB = Align64(packA + (nint)mcMax * kcMax);

        for (int jc = n0; jc < n1; jc += ncMax)
        {
            int nc = Math.Min(ncMax, n1 - jc);
            for (int pc = 0; pc < g.K; pc += kcMax)
            {
                int kc = Math.Min(kcMax, g.K - pc);
                float beta = pc == 0 ? g.Beta : 1f;
                // A pre-packed B (see PackedMatrix) holds every slab for all N columns: slab pc starts at pc·Npad
                // and strip jc of it at jc·kc, exactly where packing it here would have put it.
                if (prepackedB != null) packB = prepackedB + (nint)pc * RoundUp(g.N, nr) + (nint)jc * kc;
                else GemmPacking.Pack(g.OpB(pc, jc), nc, kc, nr, g.BLaneStride, g.BStepStride, packB, vectorizedPacking);
                for (int ic = m0; ic < m1; ic += mcMax)
                {
                    int mc = Math.Min(mcMax, m1 - ic);
                    GemmPacking.Pack(g.OpA(ic, pc), mc, kc, mr, g.ALaneStride, g.AStepStride, packA, vectorizedPacking);
                    for (int jr = 0; jr < nc; jr += nr)
                    {
                        float* b = packB + (nint)jr * kc;
                        float* c = g.C + (nint)ic * g.Ldc + jc + jr;
                        int cols = Math.Min(nr, nc - jr);
                        for (int ir = 0; ir < mc; ir += mr)
                        {
                            TKernel.Run(kc, packA + (nint)ir * kc, b, c + (nint)ir * g.Ldc, g.Ldc,
                                Math.Min(mr, mc - ir), cols, g.Alpha, beta);
                        }
                    }
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int RoundUp(int x, int multiple) => (x + multiple - 1) / multiple * multiple;

    private static float* Align64(float* p) => (float*)(((nint)p + 63) & ~(nint)63);
}
