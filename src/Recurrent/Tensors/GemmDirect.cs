using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Recurrent;

/// <summary>
/// GEMM without packing, one row of C at a time, for products with so few rows that packing B would cost
/// more than it saves (a batch of one at generation time).
/// </summary>
/// <remarks>
/// With B plain, a row of C is accumulated as sum_p op(A)[i, p] * B[p, :], vectorized along N. With B
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

    /// <summary>Floats of scratch a call needs: one row of op(A) when it has to be gathered.</summary>
    public static int ScratchFloats(in GemmArgs g) => g.TransA && g.TransB ? g.K : 0;

    private static void Run<TOps, TVec>(in GemmArgs g, int n0, int n1, float* scratch)
        where TOps : struct, IVectorOps<TVec> where TVec : struct
    {
        for (int i = 0; i < g.M; i++)
        {
            float* c = g.C + (nint)i * g.Ldc;
            if (g.TransB)
            {
                float* a = g.OpA(i, 0);
                if (g.TransA)
                {
                    for (int p = 0; p < g.K; p++) scratch[p] = a[(nint)p * g.Lda];
                    a = scratch;
                }
                DotRow<TOps, TVec>(a, g.B, g.Ldb, g.K, c, n0, n1, g.Alpha, g.Beta);
            }
            else
            {
                AxpyRow<TOps, TVec>(g.OpA(i, 0), g.AStepStride, g.B, g.Ldb, g.K, c, n0, n1, g.Alpha, g.Beta);
            }
        }
    }

    // c[j] = alpha * sum_p a[p * aStride] * b[p * ldb + j] + beta * c[j], for j in n0..n1.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AxpyRow<TOps, TVec>(float* a, nint aStride, float* b, int ldb, int k, float* c,
        int n0, int n1, float alpha, float beta)
        where TOps : struct, IVectorOps<TVec> where TVec : struct
    {
        int w = TOps.Count;
        int j = n0;
        for (; j + 4 * w <= n1; j += 4 * w)
        {
            TVec s0 = TOps.Zero, s1 = TOps.Zero, s2 = TOps.Zero, s3 = TOps.Zero;
            float* bp = b + j;
            for (int p = 0; p < k; p++, bp += ldb)
            {
                var ap = TOps.Broadcast(a[p * aStride]);
                s0 = TOps.MultiplyAdd(ap, TOps.Load(bp), s0);
                s1 = TOps.MultiplyAdd(ap, TOps.Load(bp + w), s1);
                s2 = TOps.MultiplyAdd(ap, TOps.Load(bp + 2 * w), s2);
                s3 = TOps.MultiplyAdd(ap, TOps.Load(bp + 3 * w), s3);
            }
            Put<TOps, TVec>(c + j, s0, alpha, beta);
            Put<TOps, TVec>(c + j + w, s1, alpha, beta);
            Put<TOps, TVec>(c + j + 2 * w, s2, alpha, beta);
            Put<TOps, TVec>(c + j + 3 * w, s3, alpha, beta);
        }
        for (; j + w <= n1; j += w)
        {
            TVec s = TOps.Zero;
            float* bp = b + j;
            for (int p = 0; p < k; p++, bp += ldb) s = TOps.MultiplyAdd(TOps.Broadcast(a[p * aStride]), TOps.Load(bp), s);
            Put<TOps, TVec>(c + j, s, alpha, beta);
        }
        for (; j < n1; j++)
        {
            float s = 0f;
            float* bp = b + j;
            for (int p = 0; p < k; p++, bp += ldb) s = TOps.ScalarMultiplyAdd(a[p * aStride], *bp, s);
            c[j] = beta == 0f ? alpha * s : TOps.ScalarMultiplyAdd(s, alpha, beta * c[j]);
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
