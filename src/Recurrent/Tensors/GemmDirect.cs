using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Recurrent.Tensors;

/// <summary>
/// GEMM without packing, a few rows of C at a time, for products with so few rows that packing B would cost
/// more than it saves (a batch of one at generation time).
/// </summary>
/// <remarks>
/// With B plain, rows of C are accumulated as sum_p op(A)[i, p] * B[p, :], vectorized along N. With B
/// transposed, C[i, j] is the dot product of op(A) row i and B row j, vectorized along K and summed
/// across lanes in a fixed order. Either way each element's arithmetic depends only on the shape, not on
/// which columns a thread was given. Columns past the last full vector use the scalar form of the same
/// fused multiply-add, so they round exactly as a vector lane would.
/// </remarks>
internal static unsafe class GemmDirect
{
    /// <summary>C[:, n0..n1] on the given path.</summary>
    public static void Run(GemmPath path, in GemmArgs g, int n0, int n1, float* scratch)
    {
        switch (path)
        {
            case GemmPath.Avx512: Run<Vec512, Vector512<float>>(g, n0, n1, scratch); break;
            case GemmPath.Avx2: Run<Vec256, Vector256<float>>(g, n0, n1, scratch); break;
            case GemmPath.Vector128: Run<Vec128, Vector128<float>>(g, n0, n1, scratch); break;
            default: Run<Scalar, float>(g, n0, n1, scratch); break;
        }
    }

    // Columns of C accumulated at once in scratch when B is plain: 4 rows of them fill half of a 32 KB L1.
    private const int AxpyBlock = 1024;
    private const int AxpyRows = 4;

    /// <summary>Floats of scratch a call needs: the accumulators of the plain-B form, or a gathered row of op(A).</summary>
    public static int ScratchFloats(in GemmArgs g) => g.TransB ? (g.TransA ? g.K : 0) : AxpyRows * AxpyBlock;

    private static void Run<TOps, TVec>(in GemmArgs g, int n0, int n1, float* scratch)
        where TOps : struct, IVectorOps<TVec> where TVec : struct
    {
        if (!g.TransB)
        {
            for (int r = 0; r < g.M; r += AxpyRows)
                for (int j = n0; j < n1; j += AxpyBlock)
                    AxpyBlockOf<TOps, TVec>(g, r, Math.Min(AxpyRows, g.M - r), j, Math.Min(n1, j + AxpyBlock), scratch);
            return;
        }
        int i = 0;
        if (!g.TransA)
            for (; i + DotRows <= g.M; i += DotRows)
                DotRowBlock<TOps, TVec>(g.OpA(i, 0), g.Lda, g.B, g.Ldb, g.K, g.C + (nint)i * g.Ldc, g.Ldc, n0, n1, g.Alpha, g.Beta);
        for (; i < g.M; i++)
        {
            float* a = g.OpA(i, 0);
            if (g.TransA)
            {
                for (int p = 0; p < g.K; p++) scratch[p] = a[(nint)p * g.Lda];
                a = scratch;
            }
            DotRow<TOps, TVec>(a, g.B, g.Ldb, g.K, g.C + (nint)i * g.Ldc, n0, n1, g.Alpha, g.Beta);
        }
    }

    // C[i0 .. i0+rows-1, j0 .. j1-1] with B plain: acc[t, j] = sum_p op(A)[i0+t, p] * B[p, j], one fused
    // multiply-add per p in order. The accumulators live in scratch rather than registers so that B is
    // read a row at a time, sequentially (prefetch-friendly, one page at a time), each load serving every row.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AxpyBlockOf<TOps, TVec>(in GemmArgs g, int i0, int rows, int j0, int j1, float* acc)
        where TOps : struct, IVectorOps<TVec> where TVec : struct
    {
        int w = TOps.Count, cols = j1 - j0, vectorEnd = cols / w * w;
        new Span<float>(acc, rows * AxpyBlock).Clear();
        nint aStep = g.AStepStride;
        float* a0 = g.OpA(i0, 0);
        nint aRow = g.ALaneStride;
        for (int p = 0; p < g.K; p++)
        {
            float* b = g.B + (nint)p * g.Ldb + j0;
            float* ap = a0 + p * aStep;
            if (rows == 1)
            {
                var av = TOps.Broadcast(*ap);
                for (int j = 0; j < vectorEnd; j += w)
                    TOps.Store(TOps.MultiplyAdd(av, TOps.Load(b + j), TOps.Load(acc + j)), acc + j);
                for (int j = vectorEnd; j < cols; j++) acc[j] = TOps.ScalarMultiplyAdd(*ap, b[j], acc[j]);
                continue;
            }
            for (int t = 0; t < rows; t++)
            {
                float at = ap[t * aRow];
                var av = TOps.Broadcast(at);
                float* accT = acc + t * AxpyBlock;
                for (int j = 0; j < vectorEnd; j += w)
                    TOps.Store(TOps.MultiplyAdd(av, TOps.Load(b + j), TOps.Load(accT + j)), accT + j);
                for (int j = vectorEnd; j < cols; j++) accT[j] = TOps.ScalarMultiplyAdd(at, b[j], accT[j]);
            }
        }
        for (int t = 0; t < rows; t++)
        {
            float* c = g.C + (nint)(i0 + t) * g.Ldc + j0;
            float* accT = acc + t * AxpyBlock;
            for (int j = 0; j < vectorEnd; j += w) Put<TOps, TVec>(c + j, TOps.Load(accT + j), g.Alpha, g.Beta);
            for (int j = vectorEnd; j < cols; j++)
                c[j] = g.Beta == 0f ? g.Alpha * accT[j] : TOps.ScalarMultiplyAdd(accT[j], g.Alpha, g.Beta * c[j]);
        }
    }

    // c[j] = alpha * dot(a[0..k], b[j * ldb ..]) + beta * c[j], for j in n0..n1; four columns share each load of a.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void DotRow<TOps, TVec>(float* a, float* b, int ldb, int k, float* c, int n0, int n1, float alpha, float beta)
        where TOps : struct, IVectorOps<TVec> where TVec : struct
    {
        int j = n0;
        for (; j + 4 <= n1; j += 4)
        {
            float* b0 = b + (nint)j * ldb, b1 = b0 + ldb, b2 = b1 + ldb, b3 = b2 + ldb;
            TVec s0 = TOps.Zero, s1 = TOps.Zero, s2 = TOps.Zero, s3 = TOps.Zero;
            int p = 0;
            for (; p + TOps.Count <= k; p += TOps.Count)
            {
                var ap = TOps.Load(a + p);
                s0 = TOps.MultiplyAdd(ap, TOps.Load(b0 + p), s0);
                s1 = TOps.MultiplyAdd(ap, TOps.Load(b1 + p), s1);
                s2 = TOps.MultiplyAdd(ap, TOps.Load(b2 + p), s2);
                s3 = TOps.MultiplyAdd(ap, TOps.Load(b3 + p), s3);
            }
            PutDot<TOps, TVec>(c + j, s0, a, b0, p, k, alpha, beta);
            PutDot<TOps, TVec>(c + j + 1, s1, a, b1, p, k, alpha, beta);
            PutDot<TOps, TVec>(c + j + 2, s2, a, b2, p, k, alpha, beta);
            PutDot<TOps, TVec>(c + j + 3, s3, a, b3, p, k, alpha, beta);
        }
        for (; j < n1; j++)
        {
            float* bj = b + (nint)j * ldb;
            TVec s = TOps.Zero;
            int p = 0;
            for (; p + TOps.Count <= k; p += TOps.Count) s = TOps.MultiplyAdd(TOps.Load(a + p), TOps.Load(bj + p), s);
            PutDot<TOps, TVec>(c + j, s, a, bj, p, k, alpha, beta);
        }
    }

    // Rows of C that DotRowBlock computes together, sharing each load of B.
    private const int DotRows = 4;

    // DotRow for DotRows rows of A at once, two columns at a time: every element gets exactly DotRow's arithmetic (the
    // same vector chain over K, lane sum and tail), so a row's results do not depend on how many rows came with it.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void DotRowBlock<TOps, TVec>(float* a, nint lda, float* b, int ldb, int k, float* c, nint ldc, int n0, int n1, float alpha, float beta)
        where TOps : struct, IVectorOps<TVec> where TVec : struct
    {
        float* a0 = a, a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda;
        int j = n0;
        for (; j + 2 <= n1; j += 2)
        {
            float* b0 = b + (nint)j * ldb, b1 = b0 + ldb;
            TVec s00 = TOps.Zero, s01 = TOps.Zero, s10 = TOps.Zero, s11 = TOps.Zero;
            TVec s20 = TOps.Zero, s21 = TOps.Zero, s30 = TOps.Zero, s31 = TOps.Zero;
            int p = 0;
            for (; p + TOps.Count <= k; p += TOps.Count)
            {
                var v0 = TOps.Load(b0 + p);
                var v1 = TOps.Load(b1 + p);
                var x = TOps.Load(a0 + p);
                s00 = TOps.MultiplyAdd(x, v0, s00);
                s01 = TOps.MultiplyAdd(x, v1, s01);
                x = TOps.Load(a1 + p);
                s10 = TOps.MultiplyAdd(x, v0, s10);
                s11 = TOps.MultiplyAdd(x, v1, s11);
                x = TOps.Load(a2 + p);
                s20 = TOps.MultiplyAdd(x, v0, s20);
                s21 = TOps.MultiplyAdd(x, v1, s21);
                x = TOps.Load(a3 + p);
                s30 = TOps.MultiplyAdd(x, v0, s30);
                s31 = TOps.MultiplyAdd(x, v1, s31);
            }
            PutDot<TOps, TVec>(c + j, s00, a0, b0, p, k, alpha, beta);
            PutDot<TOps, TVec>(c + j + 1, s01, a0, b1, p, k, alpha, beta);
            PutDot<TOps, TVec>(c + ldc + j, s10, a1, b0, p, k, alpha, beta);
            PutDot<TOps, TVec>(c + ldc + j + 1, s11, a1, b1, p, k, alpha, beta);
            PutDot<TOps, TVec>(c + 2 * ldc + j, s20, a2, b0, p, k, alpha, beta);
            PutDot<TOps, TVec>(c + 2 * ldc + j + 1, s21, a2, b1, p, k, alpha, beta);
            PutDot<TOps, TVec>(c + 3 * ldc + j, s30, a3, b0, p, k, alpha, beta);
            PutDot<TOps, TVec>(c + 3 * ldc + j + 1, s31, a3, b1, p, k, alpha, beta);
        }
        for (int r = 0; r < DotRows; r++)
            if (j < n1) DotRow<TOps, TVec>(a + r * lda, b, ldb, k, c + r * ldc, j, n1, alpha, beta);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Put<TOps, TVec>(float* c, TVec acc, float alpha, float beta)
        where TOps : struct, IVectorOps<TVec> where TVec : struct =>
        TOps.Store(beta == 0f
            ? TOps.Multiply(acc, TOps.Broadcast(alpha))
            : TOps.MultiplyAdd(acc, TOps.Broadcast(alpha), TOps.Multiply(TOps.Load(c), TOps.Broadcast(beta))), c);

    // Lanes summed in a fixed order, then the K tail (p .. k-1) added one product at a time.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PutDot<TOps, TVec>(float* c, TVec acc, float* a, float* b, int p, int k, float alpha, float beta)
        where TOps : struct, IVectorOps<TVec> where TVec : struct
    {
        float s = TOps.Sum(acc);
        for (; p < k; p++) s = TOps.ScalarMultiplyAdd(a[p], b[p], s);
        *c = beta == 0f ? alpha * s : TOps.ScalarMultiplyAdd(s, alpha, beta * *c);
    }

    /// <summary>The vector operations the direct loops need, for one vector width (or plain floats).</summary>
    private interface IVectorOps<TVec> where TVec : struct
    {
        static abstract int Count { get; }
        static abstract TVec Zero { get; }
        static abstract TVec Load(float* p);
        static abstract void Store(TVec v, float* p);
        static abstract TVec Broadcast(float x);
        static abstract TVec Multiply(TVec x, TVec y);

        /// <summary>x * y + z, rounded the way a lane of this width rounds it.</summary>
        static abstract TVec MultiplyAdd(TVec x, TVec y, TVec z);

        /// <summary>The scalar twin of the vector MultiplyAdd (same fusion, hence same bits per lane).</summary>
        static abstract float ScalarMultiplyAdd(float x, float y, float z);

        /// <summary>Sum of the lanes, in a fixed order.</summary>
        static abstract float Sum(TVec v);
    }

    private readonly struct Vec512 : IVectorOps<Vector512<float>>
    {
        public static int Count => 16;
        public static Vector512<float> Zero => Vector512<float>.Zero;
        public static Vector512<float> Load(float* p) => Vector512.Load(p);
        public static void Store(Vector512<float> v, float* p) => v.Store(p);
        public static Vector512<float> Broadcast(float x) => Vector512.Create(x);
        public static Vector512<float> Multiply(Vector512<float> x, Vector512<float> y) => x * y;
        public static Vector512<float> MultiplyAdd(Vector512<float> x, Vector512<float> y, Vector512<float> z) => Avx512F.FusedMultiplyAdd(x, y, z);
        public static float ScalarMultiplyAdd(float x, float y, float z) => MathF.FusedMultiplyAdd(x, y, z);
        public static float Sum(Vector512<float> v) => Vec256.Sum(v.GetLower() + v.GetUpper());
    }

    private readonly struct Vec256 : IVectorOps<Vector256<float>>
    {
        public static int Count => 8;
        public static Vector256<float> Zero => Vector256<float>.Zero;
        public static Vector256<float> Load(float* p) => Vector256.Load(p);
        public static void Store(Vector256<float> v, float* p) => v.Store(p);
        public static Vector256<float> Broadcast(float x) => Vector256.Create(x);
        public static Vector256<float> Multiply(Vector256<float> x, Vector256<float> y) => x * y;
        public static Vector256<float> MultiplyAdd(Vector256<float> x, Vector256<float> y, Vector256<float> z) => Fma.MultiplyAdd(x, y, z);
        public static float ScalarMultiplyAdd(float x, float y, float z) => MathF.FusedMultiplyAdd(x, y, z);
        public static float Sum(Vector256<float> v) => Vec128.Sum(v.GetLower() + v.GetUpper());
    }

    private readonly struct Vec128 : IVectorOps<Vector128<float>>
    {
        public static int Count => 4;
        public static Vector128<float> Zero => Vector128<float>.Zero;
        public static Vector128<float> Load(float* p) => Vector128.Load(p);
        public static void Store(Vector128<float> v, float* p) => v.Store(p);
        public static Vector128<float> Broadcast(float x) => Vector128.Create(x);
        public static Vector128<float> Multiply(Vector128<float> x, Vector128<float> y) => x * y;
        public static Vector128<float> MultiplyAdd(Vector128<float> x, Vector128<float> y, Vector128<float> z) => Vector128.MultiplyAddEstimate(x, y, z);
        public static float ScalarMultiplyAdd(float x, float y, float z) => float.MultiplyAddEstimate(x, y, z);
        public static float Sum(Vector128<float> v) => (v.GetElement(0) + v.GetElement(2)) + (v.GetElement(1) + v.GetElement(3));
    }

    /// <summary>Plain floats: the scalar reference of the direct loops (no fusion, like the scalar kernel).</summary>
    private readonly struct Scalar : IVectorOps<float>
    {
        public static int Count => 1;
        public static float Zero => 0f;
        public static float Load(float* p) => *p;
        public static void Store(float v, float* p) => *p = v;
        public static float Broadcast(float x) => x;
        public static float Multiply(float x, float y) => x * y;
        public static float MultiplyAdd(float x, float y, float z) => x * y + z;
        public static float ScalarMultiplyAdd(float x, float y, float z) => x * y + z;
        public static float Sum(float v) => v;
    }
}
