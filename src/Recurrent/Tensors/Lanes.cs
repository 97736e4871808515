using System.Numerics;

namespace Recurrent.Tensors;

/// <summary>
/// What a point-wise formula is written over: one float (<see cref="Lane"/>) or a vector of floats
/// (<see cref="Lanes"/>). A formula written once against this interface serves the vector body of a loop and its
/// scalar remainder, so the two cannot drift apart (the pattern of <c>System.Numerics.Tensors</c>' operator structs).
/// </summary>
/// <remarks>
/// The operators are plain IEEE multiplies and adds, evaluated in the order written: no fused multiply-add, so the
/// vector and scalar paths round alike and a formula gives the same bits on every machine.
/// </remarks>
public interface ILanes<TSelf> where TSelf : struct, ILanes<TSelf>
{
    /// <summary>How many floats one value holds.</summary>
    static abstract int Count { get; }

    /// <summary>1 in every lane.</summary>
    static abstract TSelf One { get; }

    /// <summary>Reads <see cref="Count"/> floats starting at <paramref name="index"/>.</summary>
    static abstract TSelf Load(ReadOnlySpan<float> source, int index);

    /// <summary>Writes the lanes to <paramref name="destination"/> starting at <paramref name="index"/>.</summary>
    void Store(Span<float> destination, int index);

    /// <summary>Lane-wise sum.</summary>
    static abstract TSelf operator +(TSelf a, TSelf b);

    /// <summary>Lane-wise difference.</summary>
    static abstract TSelf operator -(TSelf a, TSelf b);

    /// <summary>Lane-wise product.</summary>
    static abstract TSelf operator *(TSelf a, TSelf b);
}

/// <summary>One float as <see cref="ILanes{TSelf}"/>: the remainder of a vector loop.</summary>
public readonly struct Lane(float value) : ILanes<Lane>
{
    private readonly float _value = value;

    /// <inheritdoc />
    public static int Count => 1;

    /// <inheritdoc />
    public static Lane One => new(1f);

    /// <inheritdoc />
    public static Lane Load(ReadOnlySpan<float> source, int index) => new(source[index]);

    /// <inheritdoc />
    public void Store(Span<float> destination, int index) => destination[index] = _value;

    /// <inheritdoc />
    public static Lane operator +(Lane a, Lane b) => new(a._value + b._value);

    /// <inheritdoc />
    public static Lane operator -(Lane a, Lane b) => new(a._value - b._value);

    /// <inheritdoc />
    public static Lane operator *(Lane a, Lane b) => new(a._value * b._value);
}

/// <summary><see cref="Vector{T}"/> of floats as <see cref="ILanes{TSelf}"/>: the body of a vector loop.</summary>
public readonly struct Lanes(Vector<float> value) : ILanes<Lanes>
{
    private readonly Vector<float> _value = value;

    /// <inheritdoc />
    public static int Count => Vector<float>.Count;

    /// <inheritdoc />
    public static Lanes One => new(Vector<float>.One);

    /// <inheritdoc />
    public static Lanes Load(ReadOnlySpan<float> source, int index) => new(new Vector<float>(source[index..]));

    /// <inheritdoc />
    public void Store(Span<float> destination, int index) => _value.CopyTo(destination[index..]);

    /// <inheritdoc />
    public static Lanes operator +(Lanes a, Lanes b) => new(a._value + b._value);

    /// <inheritdoc />
    public static Lanes operator -(Lanes a, Lanes b) => new(a._value - b._value);

    /// <inheritdoc />
    public static Lanes operator *(Lanes a, Lanes b) => new(a._value * b._value);
}

/// <summary>A point-wise operation over n elements, written once for any <see cref="ILanes{TSelf}"/>.</summary>
public interface IPointwiseOperation
{
    /// <summary>Computes elements [index, index + T.Count).</summary>
    void Invoke<T>(int index) where T : struct, ILanes<T>;
}

/// <summary>The loop of every point-wise operation: whole vectors first, then the remainder one float at a time.</summary>
public static class Pointwise
{
    /// <summary>Runs <paramref name="operation"/> over elements 0 .. <paramref name="length"/> - 1.</summary>
    public static void Run<TOperation>(ref TOperation operation, int length)
        where TOperation : IPointwiseOperation, allows ref struct
    {
        int k = 0;
        if (Vector.IsHardwareAccelerated)
        {
            for (; k <= length - Lanes.Count; k += Lanes.Count) operation.Invoke<Lanes>(k);
        }
        for (; k < length; k++) operation.Invoke<Lane>(k);
    }
}
