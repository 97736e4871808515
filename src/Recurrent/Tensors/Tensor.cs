namespace Recurrent.Tensors;

/// <summary>
/// A dense, row-major block of float32 values with a shape of rank 1 to 3.
/// </summary>
/// <remarks>
/// A tensor is a window (<see cref="Offset"/>, <see cref="Length"/>) on a float array, so rows and row ranges
/// are cheap views that share storage with their parent. The type knows nothing of gradients: automatic
/// differentiation lives in <see cref="Recurrent.Autograd.Var"/>, which holds tensors.
/// </remarks>
public sealed class Tensor
{
    private readonly int[] _shape;

    /// <summary>The storage this tensor is a window on (shared with views).</summary>
    public float[] Data { get; }

    /// <summary>Index of the first element in <see cref="Data"/>.</summary>
    public int Offset { get; }

    /// <summary>Number of elements: the product of the shape.</summary>
    public int Length { get; }

    /// <summary>A tensor over existing storage, starting at <paramref name="offset"/>; the window must lie inside <paramref name="data"/>.</summary>
    public static Tensor Window(float[] data, int offset, int[] shape) => new(data, offset, shape);

    private Tensor(float[] data, int offset, int[] shape)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(shape);
        if (shape.Length is < 1 or > 3)
            throw new ArgumentException($"A tensor has rank 1 to 3, not {shape.Length}.", nameof(shape));
        long length = 1;
        foreach (int d in shape)
        {
            if (d < 0) throw new ArgumentException("Dimensions cannot be negative.", nameof(shape));
            length *= d;
        }
        if (offset < 0 || offset + length > data.Length)
            throw new ArgumentException($"A window of {length} elements at offset {offset} does not fit in {data.Length}.");
        Data = data;
        Offset = offset;
        Length = (int)length;
        _shape = (int[])shape.Clone();
    }

    /// <summary>Creates a tensor that owns <paramref name="data"/> (no copy).</summary>
    public Tensor(float[] data, params int[] shape) : this(data, 0, shape) { }

    /// <summary>A tensor of zeros.</summary>
    /// <remarks>
    /// The zeros are written rather than left to the runtime, which hands out large arrays on pages fresh from the
    /// operating system without touching them. Such a page is first mapped to the shared zero page when read; a
    /// gradient is read before it is written (it is accumulated into), so its first write would then copy the page
    /// and flush it from every core's TLB, an inter-processor interrupt per 4 KiB that cost a third of a small
    /// model's epoch. Written first, each page is simply faulted in.
    /// </remarks>
    public static Tensor Zeros(params int[] shape)
    {
        var data = GC.AllocateUninitializedArray<float>(Product(shape));
        data.AsSpan().Clear();
        return new(data, 0, (int[])shape.Clone());
    }

    /// <summary>A tensor whose elements are not cleared: for outputs that are written in full before they are read.</summary>
    internal static Tensor Uninitialized(params int[] shape) =>
        new(GC.AllocateUninitializedArray<float>(Product(shape)), 0, (int[])shape.Clone());

    /// <summary>A tensor filled with <paramref name="value"/>.</summary>
    public static Tensor Full(float value, params int[] shape)
    {
        var t = Zeros(shape);
        t.Span.Fill(value);
        return t;
    }

    /// <summary>A tensor of independent draws from N(0, std²).</summary>
    public static Tensor RandomNormal(Rng rng, float std, params int[] shape)
    {
        var t = Zeros(shape);
        rng.FillNormal(t.Span, 0f, std);
        return t;
    }

    /// <summary>A tensor of independent draws from U(-limit, limit).</summary>
    public static Tensor RandomUniform(Rng rng, float limit, params int[] shape)
    {
        var t = Zeros(shape);
        rng.FillUniform(t.Span, -limit, limit);
        return t;
    }

    /// <summary>The dimensions, outermost first.</summary>
    public ReadOnlySpan<int> Shape => _shape;

    /// <summary>Number of dimensions (1 to 3).</summary>
    public int Rank => _shape.Length;

    /// <summary>Size of the outermost dimension.</summary>
    public int Rows => _shape[0];

    /// <summary>Size of the innermost dimension.</summary>
    public int Columns => _shape[^1];

    /// <summary>The elements, row-major.</summary>
    public Span<float> Span => Data.AsSpan(Offset, Length);

    /// <summary>Element of a rank-1 tensor.</summary>
    public ref float this[int i] => ref Data[Offset + CheckedIndex(i, 0)];

    /// <summary>Element of a rank-2 tensor.</summary>
    public ref float this[int i, int j]
    {
        get
        {
            if (Rank != 2) throw new InvalidOperationException("Two indices need a rank-2 tensor.");
            return ref Data[Offset + CheckedIndex(i, 0) * _shape[1] + CheckedIndex(j, 1)];
        }
    }

    /// <summary>Element of a rank-3 tensor.</summary>
    public ref float this[int i, int j, int k]
    {
        get
        {
            if (Rank != 3) throw new InvalidOperationException("Three indices need a rank-3 tensor.");
            return ref Data[Offset + (CheckedIndex(i, 0) * _shape[1] + CheckedIndex(j, 1)) * _shape[2] + CheckedIndex(k, 2)];
        }
    }

    /// <summary>Number of elements in one slice of the outermost dimension.</summary>
    public int RowLength => Length == 0 ? Product(_shape.AsSpan(1)) : Length / _shape[0];

    /// <summary>A view of row <paramref name="i"/> (one rank lower; a rank-1 tensor gives a 1-element view).</summary>
    public Tensor Row(int i)
    {
        CheckedIndex(i, 0);
        return Rank == 1
            ? new Tensor(Data, Offset + i, [1])
            : new Tensor(Data, Offset + i * RowLength, _shape[1..]);
    }

    /// <summary>A view of rows <paramref name="start"/> .. start+count-1 (same rank).</summary>
    public Tensor RowRange(int start, int count)
    {
        if (start < 0 || count < 0 || start + count > Rows)
            throw new ArgumentOutOfRangeException(nameof(start), $"Rows {start}..{start + count} are outside 0..{Rows}.");
        var shape = (int[])_shape.Clone();
        shape[0] = count;
        return new Tensor(Data, Offset + start * RowLength, shape);
    }

    /// <summary>A view with another shape of the same number of elements.</summary>
    public Tensor Reshape(params int[] shape)
    {
        if (Product(shape) != Length)
            throw new ArgumentException($"Cannot reshape {ShapeString(_shape)} to {ShapeString(shape)}.");
        return new Tensor(Data, Offset, shape);
    }

    /// <summary>A copy with its own storage.</summary>
    public Tensor Clone() => new(Span.ToArray(), 0, _shape);

    /// <summary>Copies the elements into a new array.</summary>
    public float[] ToArray() => Span.ToArray();

    /// <summary>True when both have the same dimensions.</summary>
    public bool SameShape(Tensor other) => Shape.SequenceEqual(other.Shape);

    /// <inheritdoc />
    public override string ToString() => $"Tensor{ShapeString(_shape)}";

    internal static string ShapeString(ReadOnlySpan<int> shape) => "(" + string.Join(", ", shape.ToArray()) + ")";

    internal static int Product(ReadOnlySpan<int> shape)
    {
        long p = 1;
        foreach (int d in shape) p *= d;
        if (p > int.MaxValue) throw new ArgumentException("Tensor too large.");
        return (int)p;
    }

    private int CheckedIndex(int i, int dim)
    {
        if ((uint)i >= (uint)_shape[dim])
            throw new IndexOutOfRangeException($"Index {i} is outside 0..{_shape[dim] - 1} in dimension {dim}.");
        return i;
    }
}
