using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Recurrent.Tensors;

/// <summary>
/// AVX2 + FMA micro-kernel: 6 x 16 tiles in 12 ymm accumulators, two B vectors and one broadcast,
/// 15 of the 16 ymm registers. The scalar reference is <see cref="GemmKernel.Reference"/>.
/// </summary>
[SkipLocalsInit]
internal readonly unsafe struct Avx2Kernel : IGemmKernel
{
    public static int Mr => 6;
    public static int Nr => 16;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(int kc, float* a, float* b, float* c, int ldc, int rows, int cols, float alpha, float beta)
    {
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default;
        Vector256<float> c20 = default, c21 = default, c30 = default, c31 = default;
        Vector256<float> c40 = default, c41 = default, c50 = default, c51 = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector256.Load(b);
            var b1 = Vector256.Load(b + 8);
            var a0 = Vector256.Create(a[0]);
            c00 = Fma.MultiplyAdd(a0, b0, c00);
            c01 = Fma.MultiplyAdd(a0, b1, c01);
            var a1 = Vector256.Create(a[1]);
            c10 = Fma.MultiplyAdd(a1, b0, c10);
            c11 = Fma.MultiplyAdd(a1, b1, c11);
            var a2 = Vector256.Create(a[2]);
            c20 = Fma.MultiplyAdd(a2, b0, c20);
            c21 = Fma.MultiplyAdd(a2, b1, c21);
            var a3 = Vector256.Create(a[3]);
            c30 = Fma.MultiplyAdd(a3, b0, c30);
            c31 = Fma.MultiplyAdd(a3, b1, c31);
            var a4 = Vector256.Create(a[4]);
            c40 = Fma.MultiplyAdd(a4, b0, c40);
            c41 = Fma.MultiplyAdd(a4, b1, c41);
            var a5 = Vector256.Create(a[5]);
            c50 = Fma.MultiplyAdd(a5, b0, c50);
            c51 = Fma.MultiplyAdd(a5, b1, c51);
            a += 6;
            b += 16;
        }

        if (rows == 6 && cols == 16)
        {
            var va = Vector256.Create(alpha);
            var vb = Vector256.Create(beta);
            bool overwrite = beta == 0f;
            Put(c, c00, va, vb, overwrite); Put(c + 8, c01, va, vb, overwrite); c += ldc;
            Put(c, c10, va, vb, overwrite); Put(c + 8, c11, va, vb, overwrite); c += ldc;
            Put(c, c20, va, vb, overwrite); Put(c + 8, c21, va, vb, overwrite); c += ldc;
            Put(c, c30, va, vb, overwrite); Put(c + 8, c31, va, vb, overwrite); c += ldc;
            Put(c, c40, va, vb, overwrite); Put(c + 8, c41, va, vb, overwrite); c += ldc;
            Put(c, c50, va, vb, overwrite); Put(c + 8, c51, va, vb, overwrite);
            return;
        }

        float* tile = stackalloc float[6 * 16];
        c00.Store(tile); c01.Store(tile + 8);
        c10.Store(tile + 16); c11.Store(tile + 24);
        c20.Store(tile + 32); c21.Store(tile + 40);
        c30.Store(tile + 48); c31.Store(tile + 56);
        c40.Store(tile + 64); c41.Store(tile + 72);
        c50.Store(tile + 80); c51.Store(tile + 88);
        GemmKernel.WriteEdge(tile, 16, c, ldc, rows, cols, alpha, beta);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Put(float* c, Vector256<float> acc, Vector256<float> alpha, Vector256<float> beta, bool overwrite) =>
        (overwrite ? acc * alpha : Fma.MultiplyAdd(acc, alpha, Vector256.Load(c) * beta)).Store(c);
}
