using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Recurrent.Tensors;

// Packed layout shared by every micro-kernel: an A strip holds op(A)[i0 .. i0+MR-1, p0 .. p0+kc-1] as
// a[p * MR + i], a B strip holds op(B)[p0 .. p0+kc-1, j0 .. j0+NR-1] as b[p * NR + j]; rows or columns
// beyond the matrix are zero. The kernel keeps the MR x NR tile acc[i, j] = sum_p a[p, i] * b[p, j] in
// registers, then writes c[i, j] = alpha * acc + beta * c (or alpha * acc when beta is 0, so NaN in C is
// ignored) for the rows x cols corner that lies inside C.
//
// The hot loops of the GEMM (kernels, packing, direct rows) are marked AggressiveOptimization: they run
// long from their first call, and tier-0 code there would make the first products of a run (and every
// product in the tests) several times slower.

/// <summary>An MR x NR register-tiled micro-kernel over packed strips (layout at the top of GemmKernels.cs).</summary>
internal unsafe interface IGemmKernel
{
    /// <summary>Rows of C per tile.</summary>
    static abstract int Mr { get; }

    /// <summary>Columns of C per tile.</summary>
    static abstract int Nr { get; }

    /// <summary>Computes one tile and writes its rows x cols corner into C.</summary>
    static abstract void Run(int kc, float* a, float* b, float* c, int ldc, int rows, int cols, float alpha, float beta);
}

/// <summary>Shared pieces of the micro-kernels: the scalar reference and the edge write-back.</summary>
internal static unsafe class GemmKernel
{
    /// <summary>
    /// The plain scalar micro-kernel for any tile shape: the reference each SIMD kernel is tested against,
    /// and the kernel of the scalar path.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Reference(int mr, int nr, int kc, float* a, float* b, float* c, int ldc,
        int rows, int cols, float alpha, float beta)
    {
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < cols; j++)
            {
                float acc = 0f;
                for (int p = 0; p < kc; p++) acc += a[p * mr + i] * b[p * nr + j];
                float* cij = c + (long)i * ldc + j;
                *cij = beta == 0f ? alpha * acc : alpha * acc + beta * *cij;
            }
        }
    }

    /// <summary>
    /// Writes the rows x cols corner of a tile spilled to memory (row stride <paramref name="nr"/>), with the
    /// same fused multiply-add the vector write-back uses, so an element's bits do not depend on whether
    /// it sits in an edge tile.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void WriteEdge(float* tile, int nr, float* c, int ldc, int rows, int cols, float alpha, float beta)
    {
        for (int i = 0; i < rows; i++)
        {
            float* ci = c + (long)i * ldc;
            float* ti = tile + i * nr;
            if (beta == 0f)
                for (int j = 0; j < cols; j++) ci[j] = alpha * ti[j];
            else
                for (int j = 0; j < cols; j++) ci[j] = MathF.FusedMultiplyAdd(ti[j], alpha, beta * ci[j]);
        }
    }
}

/// <summary>The scalar path: <see cref="GemmKernel.Reference"/> on 4 x 4 tiles.</summary>
internal readonly unsafe struct ScalarKernel : IGemmKernel
{
    public static int Mr => 4;
    public static int Nr => 4;

    public static void Run(int kc, float* a, float* b, float* c, int ldc, int rows, int cols, float alpha, float beta) =>
        GemmKernel.Reference(4, 4, kc, a, b, c, ldc, rows, cols, alpha, beta);
}

/// <summary>
/// Portable 128-bit kernel, 4 x 8 tiles in 8 accumulators: few enough registers for SSE's 16 and for ARM64.
/// </summary>
[SkipLocalsInit]
internal readonly unsafe struct Vector128Kernel : IGemmKernel
{
    public static int Mr => 4;
    public static int Nr => 8;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(int kc, float* a, float* b, float* c, int ldc, int rows, int cols, float alpha, float beta)
    {
        Vector128<float> c00 = default, c01 = default, c10 = default, c11 = default;
        Vector128<float> c20 = default, c21 = default, c30 = default, c31 = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector128.Load(b);
            var b1 = Vector128.Load(b + 4);
            var a0 = Vector128.Create(a[0]);
            c00 = Vector128.MultiplyAddEstimate(a0, b0, c00);
            c01 = Vector128.MultiplyAddEstimate(a0, b1, c01);
            var a1 = Vector128.Create(a[1]);
            c10 = Vector128.MultiplyAddEstimate(a1, b0, c10);
            c11 = Vector128.MultiplyAddEstimate(a1, b1, c11);
            var a2 = Vector128.Create(a[2]);
            c20 = Vector128.MultiplyAddEstimate(a2, b0, c20);
            c21 = Vector128.MultiplyAddEstimate(a2, b1, c21);
            var a3 = Vector128.Create(a[3]);
            c30 = Vector128.MultiplyAddEstimate(a3, b0, c30);
            c31 = Vector128.MultiplyAddEstimate(a3, b1, c31);
            a += 4;
            b += 8;
        }

        if (rows == 4 && cols == 8)
        {
            var va = Vector128.Create(alpha);
            var vb = Vector128.Create(beta);
            bool overwrite = beta == 0f;
            Put(c, c00, va, vb, overwrite); Put(c + 4, c01, va, vb, overwrite); c += ldc;
            Put(c, c10, va, vb, overwrite); Put(c + 4, c11, va, vb, overwrite); c += ldc;
            Put(c, c20, va, vb, overwrite); Put(c + 4, c21, va, vb, overwrite); c += ldc;
            Put(c, c30, va, vb, overwrite); Put(c + 4, c31, va, vb, overwrite);
            return;
        }

        float* tile = stackalloc float[4 * 8];
        c00.Store(tile); c01.Store(tile + 4);
        c10.Store(tile + 8); c11.Store(tile + 12);
        c20.Store(tile + 16); c21.Store(tile + 20);
        c30.Store(tile + 24); c31.Store(tile + 28);
        WriteEdge(tile, c, ldc, rows, cols, alpha, beta);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Put(float* c, Vector128<float> acc, Vector128<float> alpha, Vector128<float> beta, bool overwrite) =>
        (overwrite ? acc * alpha : Vector128.MultiplyAddEstimate(acc, alpha, Vector128.Load(c) * beta)).Store(c);

    // MultiplyAddEstimate fuses only where the hardware has FMA; the edge must round the same way as Put.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void WriteEdge(float* tile, float* c, int ldc, int rows, int cols, float alpha, float beta)
    {
        for (int i = 0; i < rows; i++)
        {
            float* ci = c + (long)i * ldc;
            float* ti = tile + i * 8;
            for (int j = 0; j < cols; j++)
                ci[j] = beta == 0f ? alpha * ti[j] : float.MultiplyAddEstimate(ti[j], alpha, beta * ci[j]);
        }
    }
}
