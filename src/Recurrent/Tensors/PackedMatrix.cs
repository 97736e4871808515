namespace Recurrent.Tensors;

/// <summary>
/// A right-hand operand op(B) of <see cref="Gemm"/> packed once into the micro-kernel's strips, for a weight that
/// multiplies many left operands in a row: the recurrent weight W_hh at every step of a sequence. Multiplying
/// by it gives bit-identical results to <see cref="Gemm.Multiply(bool, bool, int, int, int, float, ReadOnlySpan{float}, int, ReadOnlySpan{float}, int, float, Span{float}, int)"/>
/// on the original matrix, without packing it again each time.
/// </summary>
/// <remarks>
/// Layout: for each K slab of the blocked path (depth kc), all N columns in strips of NR, each strip kc x NR,
/// zero-padded. Packing happens on the first product that takes the blocked path after <see cref="Set"/>, for the
/// SIMD path current then (another path packs again); a product of a few rows takes the direct path and reads the
/// original matrix, which must therefore stay unchanged while it is bound.
/// </remarks>
internal sealed unsafe class PackedMatrix
{
    private float[] _data = [];

    /// <summary>The SIMD path the strips are laid out for.</summary>
    public GemmPath Path { get; private set; }

    /// <summary>op(B)'s rows K and columns N.</summary>
    public int K { get; private set; }

    /// <inheritdoc cref="K"/>
    public int N { get; private set; }

    /// <summary>Whether B is stored transposed (N x K).</summary>
    public bool TransB { get; private set; }

    /// <summary>The original matrix and its row stride, used when the packing cannot serve.</summary>
    internal float[] Source { get; private set; } = [];
    internal int SourceOffset { get; private set; }
    internal int Ldb { get; private set; }

    /// <summary>The first packed float (the array is pinned).</summary>
    internal float* Pointer => (float*)System.Runtime.CompilerServices.Unsafe.AsPointer(ref _data[0]);

    private bool _stale = true;

    /// <summary>
    /// Binds op(B) (K x N), stored in <paramref name="source"/> from <paramref name="offset"/> with row stride
    /// <paramref name="ldb"/>. Nothing is packed yet: the first product that takes the blocked path packs it (a
    /// product of a few rows reads B as it is, so generation never pays for packing).
    /// </summary>
    public void Set(bool transB, int k, int n, float[] source, int offset, int ldb)
    {
        Gemm.Validate(false, transB, 1, n, k, k, k, source.Length - offset, ldb, n, n);
        (K, N, TransB, Source, SourceOffset, Ldb) = (k, n, transB, source, offset, ldb);
        _stale = true;
    }

    /// <summary>Packs the bound matrix for the current SIMD path, unless that is already done.</summary>
    internal void EnsurePacked()
    {
        var path = Gemm.CurrentPath;
        if (!_stale && path == Path) return;
        int k = K, n = N, ldb = Ldb, offset = SourceOffset;
        bool transB = TransB;
        var source = Source;
        var (kc, nr) = Gemm.PackingOf(path, k);
        int nPad = (n + nr - 1) / nr * nr;
        int floats = Math.Max(1, nPad * k + 32);
        if (_data.Length < floats) _data = GC.AllocateUninitializedArray<float>(floats, pinned: true);
        fixed (float* b = &source[offset])
        {
            float* dst = Pointer;
            for (int pc = 0; pc < k; pc += kc)
            {
                int depth = Math.Min(kc, k - pc);
                float* first = transB ? b + pc : b + (nint)pc * ldb;
                GemmPacking.Pack(first, n, depth, nr, transB ? ldb : 1, transB ? 1 : ldb, dst + (nint)pc * nPad,
                    path is GemmPath.Avx512 or GemmPath.Avx2);
            }
        }
        (Path, _stale) = (path, false);
    }
}
