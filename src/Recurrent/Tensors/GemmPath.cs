using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Recurrent.Tensors;

/// <summary>The instruction set a GEMM call runs on; each has its own micro-kernel and tile shape.</summary>
internal enum GemmPath
{
    /// <summary>Plain C#, 4 x 4 tiles: the reference every SIMD kernel is checked against.</summary>
    Scalar,

    /// <summary>Portable 128-bit vectors (SSE, ARM64 AdvSimd), 4 x 8 tiles.</summary>
    Vector128,

    /// <summary>AVX2 + FMA, 6 x 16 tiles in 12 ymm accumulators.</summary>
    Avx2,

    /// <summary>AVX-512F, 8 x 32 tiles in 16 zmm accumulators.</summary>
    Avx512,
}

public static partial class Gemm
{
    [ThreadStatic] private static GemmPath? t_forcedPath;

    /// <summary>
    /// When set, calls made from this thread run on this path (tests use it to cover every kernel the machine
    /// supports). Per thread so that a test forcing the scalar path does not slow down or change the bits of
    /// another test running beside it; the workers of a call follow the caller's path.
    /// </summary>
    internal static GemmPath? ForcedPath
    {
        get => t_forcedPath;
        set
        {
            if (value is { } path && !IsSupported(path))
                throw new PlatformNotSupportedException($"This machine cannot run the {path} GEMM path.");
            t_forcedPath = value;
        }
    }

    /// <summary>The fastest path this machine supports.</summary>
    internal static GemmPath BestPath { get; } = DetectBestPath();

    /// <summary>The path a call runs on now.</summary>
    internal static GemmPath CurrentPath => ForcedPath ?? BestPath;

    /// <summary>Every path this machine can run, slowest first.</summary>
    internal static IReadOnlyList<GemmPath> SupportedPaths { get; } =
        Enum.GetValues<GemmPath>().Where(IsSupported).ToArray();

    internal static bool IsSupported(GemmPath path) => path switch
    {
        GemmPath.Scalar => true,
        GemmPath.Vector128 => Vector128.IsHardwareAccelerated,
        GemmPath.Avx2 => Avx2.IsSupported && Fma.IsSupported,
        GemmPath.Avx512 => Avx512F.IsSupported,
        _ => false,
    };

    private static GemmPath DetectBestPath()
    {
        // Vector512.IsHardwareAccelerated is false where the runtime judges 512-bit code to downclock the core;
        // there the 256-bit kernel is the better choice even though AVX-512 instructions exist.
        if (Avx512F.IsSupported && Vector512.IsHardwareAccelerated) return GemmPath.Avx512;
        if (IsSupported(GemmPath.Avx2)) return GemmPath.Avx2;
        if (IsSupported(GemmPath.Vector128)) return GemmPath.Vector128;
        return GemmPath.Scalar;
    }
}
