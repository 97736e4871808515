using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Recurrent.Tensors;

/// <summary>
/// AVX-512 micro-kernel: 8 x 32 tiles in 16 zmm accumulators, two B vectors and one broadcast per row.
/// </summary>
/// <remarks>
/// 8 rows divide the LSTM's M (32, 256, 1120) and 32 columns divide its N (1024, 256) with little waste on 1027;
/// per k step it issues 16 FMAs against 10 loads, well within what two load ports sustain. The scalar
/// reference is <see cref="GemmKernel.Reference"/>.
/// </remarks>
[SkipLocalsInit]
internal readonly unsafe struct Avx512Kernel : IGemmKernel
{
    public static int Mr => 8;
    public static int Nr => 32;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(int kc, float* a, float* b, float* c, int ldc, int rows, int cols, float alpha, float beta)
    {
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default;
        Vector512<float> c20 = default, c21 = default, c30 = default, c31 = default;
        Vector512<float> c40 = default, c41 = default, c50 = default, c51 = default;
        Vector512<float> c60 = default, c61 = default, c70 = default, c71 = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector512.Load(b);
            var b1 = Vector512.Load(b + 16);
            var a0 = Vector512.Create(a[0]);
            c00 = Avx512F.FusedMultiplyAdd(a0, b0, c00);
            c01 = Avx512F.FusedMultiplyAdd(a0, b1, c01);
            var a1 = Vector512.Create(a[1]);
            c10 = Avx512F.FusedMultiplyAdd(a1, b0, c10);
            c11 = Avx512F.FusedMultiplyAdd(a1, b1, c11);
            var a2 = Vector512.Create(a[2]);
            c20 = Avx512F.FusedMultiplyAdd(a2, b0, c20);
            c21 = Avx512F.FusedMultiplyAdd(a2, b1, c21);
            var a3 = Vector512.Create(a[3]);
            c30 = Avx512F.FusedMultiplyAdd(a3, b0, c30);
            c31 = Avx512F.FusedMultiplyAdd(a3, b1, c31);
            var a4 = Vector512.Create(a[4]);
            c40 = Avx512F.FusedMultiplyAdd(a4, b0, c40);
            c41 = Avx512F.FusedMultiplyAdd(a4, b1, c41);
            var a5 = Vector512.Create(a[5]);
            c50 = Avx512F.FusedMultiplyAdd(a5, b0, c50);
            c51 = Avx512F.FusedMultiplyAdd(a5, b1, c51);
            var a6 = Vector512.Create(a[6]);
            c60 = Avx512F.FusedMultiplyAdd(a6, b0, c60);
            c61 = Avx512F.FusedMultiplyAdd(a6, b1, c61);
            var a7 = Vector512.Create(a[7]);
            c70 = Avx512F.FusedMultiplyAdd(a7, b0, c70);
            c71 = Avx512F.FusedMultiplyAdd(a7, b1, c71);
            a += 8;
            b += 32;
        }

        if (rows == 8 && cols == 32)
        {
            var va = Vector512.Create(alpha);
            var vb = Vector512.Create(beta);
            bool overwrite = beta == 0f;
            Put(c, c00, va, vb, overwrite); Put(c + 16, c01, va, vb, overwrite); c += ldc;
            Put(c, c10, va, vb, overwrite); Put(c + 16, c11, va, vb, overwrite); c += ldc;
            Put(c, c20, va, vb, overwrite); Put(c + 16, c21, va, vb, overwrite); c += ldc;
            Put(c, c30, va, vb, overwrite); Put(c + 16, c31, va, vb, overwrite); c += ldc;
            Put(c, c40, va, vb, overwrite); Put(c + 16, c41, va, vb, overwrite); c += ldc;
            Put(c, c50, va, vb, overwrite); Put(c + 16, c51, va, vb, overwrite); c += ldc;
            Put(c, c60, va, vb, overwrite); Put(c + 16, c61, va, vb, overwrite); c += ldc;
            Put(c, c70, va, vb, overwrite); Put(c + 16, c71, va, vb, overwrite);
            return;
        }

        float* tile = stackalloc float[8 * 32];
        c00.Store(tile); c01.Store(tile + 16);
        c10.Store(tile + 32); c11.Store(tile + 48);
        c20.Store(tile + 64); c21.Store(tile + 80);
        c30.Store(tile + 96); c31.Store(tile + 112);
        c40.Store(tile + 128); c41.Store(tile + 144);
        c50.Store(tile + 160); c51.Store(tile + 176);
        c60.Store(tile + 192); c61.Store(tile + 208);
        c70.Store(tile + 224); c71.Store(tile + 240);
        GemmKernel.WriteEdge(tile, 32, c, ldc, rows, cols, alpha, beta);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Put(float* c, Vector512<float> acc, Vector512<float> alpha, Vector512<float> beta, bool overwrite) =>
        (overwrite ? acc * alpha : Avx512F.FusedMultiplyAdd(acc, alpha, Vector512.Load(c) * beta)).Store(c);
}
