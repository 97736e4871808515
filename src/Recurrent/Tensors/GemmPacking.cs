using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Recurrent.Tensors;

/// <summary>
/// Copies a block of op(A) or op(B) into the strip layout the micro-kernels read (see GemmKernels.cs).
/// </summary>
/// <remarks>
/// Both operands pack the same way: a strip has <c>width</c> lanes (MR rows of op(A), or NR columns of op(B))
/// and <c>kc</c> steps along K, stored step-major as dst[p * width + lane]. Element (lane l, step p) of the
/// source is at src[l * laneStride + p * stepStride], so the transposes are absorbed here: lanes are
/// contiguous (laneStride 1) for a transposed A or a plain B, and steps are contiguous (stepStride 1) for a
/// plain A or a transposed B, which needs a real transpose.
/// </remarks>
internal static unsafe class GemmPacking
{
    /// <summary>
    /// Packs <paramref name="lanes"/> lanes into ceil(lanes / width) strips, zero-padding the last one; with
    /// <paramref name="vectorized"/> full strips use the SIMD copy and transpose (x86 with AVX).
    /// </summary>
    public static void Pack(float* src, int lanes, int kc, int width, nint laneStride, nint stepStride, float* dst,
        bool vectorized)
    {
        // The SIMD loops move lanes 8 at a time, so a strip whose width is not a multiple of 8 (AVX2's 6-row
        // strips) reads a few lanes of the next strip and stores only its own: possible while that many lanes exist.
        int span = (width + 7) & ~7;
        int vectorStrips = vectorized && Avx.IsSupported && lanes >= span ? (lanes - span) / width + 1 : 0;
        if (laneStride != 1 && stepStride != 1) vectorStrips = 0;
        int done = vectorStrips * width;
        if (vectorStrips > 0 && laneStride == 1)
            CopyStrips(src, done, kc, width, stepStride, dst);
        else if (vectorStrips > 0)
            for (int l0 = 0; l0 < done; l0 += width)
                TransposeStrip(src + l0 * laneStride, kc, width, laneStride, dst + (nint)l0 * kc);
        for (int l0 = done; l0 < lanes; l0 += width)
            PackStripScalar(src + l0 * laneStride, Math.Min(width, lanes - l0), kc, width, laneStride, stepStride,
                dst + (nint)l0 * kc);
    }

    /// <summary>The plain strip packing: the reference for the SIMD variants, and the edge-strip path.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackStripScalar(float* src, int count, int kc, int width, nint laneStride, nint stepStride, float* dst)
    {
        for (int p = 0; p < kc; p++)
        {
            float* d = dst + (nint)p * width;
            float* s = src + p * stepStride;
            int l = 0;
            for (; l < count; l++) d[l] = s[l * laneStride];
            for (; l < width; l++) d[l] = 0f;
        }
    }

    // Lanes contiguous: each step of the source is a run of `lanes` floats, dealt out `width` at a time to
    // the strips; walking the source in order keeps its reads sequential, whatever its row stride.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CopyStrips(float* src, int lanes, int kc, int width, nint stepStride, float* dst)
    {
        nint stripSize = (nint)width * kc;
        for (int p = 0; p < kc; p++, src += stepStride)
        {
            float* d = dst + (nint)p * width;
            for (int l0 = 0; l0 < lanes; l0 += width, d += stripSize)
                for (int l = 0; l < width; l += 8)
                    Store(Avx.LoadVector256(src + l0 + l), d + l, Math.Min(8, width - l));
        }
    }

    // Steps contiguous: transpose 8 x 8 blocks (8 lanes by 8 steps) into the step-major strip.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TransposeStrip(float* src, int kc, int width, nint laneStride, float* dst)
    {
        int p = 0;
        for (; p + 8 <= kc; p += 8)
        {
            for (int l = 0; l < width; l += 8)
                Transpose8x8(src + l * laneStride + p, laneStride, dst + (nint)p * width + l, width, Math.Min(8, width - l));
        }
        for (; p < kc; p++)
        {
            float* d = dst + (nint)p * width;
            for (int l = 0; l < width; l++) d[l] = src[l * laneStride + p];
        }
    }

    /// <summary>Stores the first <paramref name="count"/> (1 to 8) floats of <paramref name="v"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(Vector256<float> v, float* dst, int count)
    {
        if (count == 8)
        {
            Avx.Store(dst, v);
            return;
        }
        var part = v.GetLower();
        if (count >= 4)
        {
            Sse.Store(dst, part);
            part = v.GetUpper();
            dst += 4;
            count -= 4;
        }
        if (count >= 2)
        {
            Sse.StoreLow(dst, part);
            part = Sse.MoveHighToLow(part, part);
            dst += 2;
            count -= 2;
        }
        if (count == 1) Sse.StoreScalar(dst, part);
    }

    /// <summary>dst[c * dstStride + r] = src[r * srcStride + c] for an 8 x 8 block, storing only rows r &lt; <paramref name="count"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8x8(float* src, nint srcStride, float* dst, nint dstStride, int count)
    {
        var r0 = Avx.LoadVector256(src);
        var r1 = Avx.LoadVector256(src + srcStride);
        var r2 = Avx.LoadVector256(src + 2 * srcStride);
        var r3 = Avx.LoadVector256(src + 3 * srcStride);
        var r4 = Avx.LoadVector256(src + 4 * srcStride);
        var r5 = Avx.LoadVector256(src + 5 * srcStride);
        var r6 = Avx.LoadVector256(src + 6 * srcStride);
        var r7 = Avx.LoadVector256(src + 7 * srcStride);

        // Interleave pairs of rows, then pairs of pairs (within 128-bit halves), then swap halves.
        var t0 = Avx.UnpackLow(r0, r1);
        var t1 = Avx.UnpackHigh(r0, r1);
        var t2 = Avx.UnpackLow(r2, r3);
        var t3 = Avx.UnpackHigh(r2, r3);
        var t4 = Avx.UnpackLow(r4, r5);
        var t5 = Avx.UnpackHigh(r4, r5);
        var t6 = Avx.UnpackLow(r6, r7);
        var t7 = Avx.UnpackHigh(r6, r7);

        var u0 = Avx.Shuffle(t0, t2, 0x44);
        var u1 = Avx.Shuffle(t0, t2, 0xEE);
        var u2 = Avx.Shuffle(t1, t3, 0x44);
        var u3 = Avx.Shuffle(t1, t3, 0xEE);
        var u4 = Avx.Shuffle(t4, t6, 0x44);
        var u5 = Avx.Shuffle(t4, t6, 0xEE);
        var u6 = Avx.Shuffle(t5, t7, 0x44);
        var u7 = Avx.Shuffle(t5, t7, 0xEE);

        Store(Avx.Permute2x128(u0, u4, 0x20), dst, count);
        Store(Avx.Permute2x128(u1, u5, 0x20), dst + dstStride, count);
        Store(Avx.Permute2x128(u2, u6, 0x20), dst + 2 * dstStride, count);
        Store(Avx.Permute2x128(u3, u7, 0x20), dst + 3 * dstStride, count);
        Store(Avx.Permute2x128(u0, u4, 0x31), dst + 4 * dstStride, count);
        Store(Avx.Permute2x128(u1, u5, 0x31), dst + 5 * dstStride, count);
        Store(Avx.Permute2x128(u2, u6, 0x31), dst + 6 * dstStride, count);
        Store(Avx.Permute2x128(u3, u7, 0x31), dst + 7 * dstStride, count);
    }
}
