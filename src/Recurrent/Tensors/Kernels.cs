using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace Recurrent.Tensors;

/// <summary>
/// Element-wise and row-wise kernels on spans of float32, the building blocks of the autograd ops and the
/// fused LSTM. Where <see cref="TensorPrimitives"/> has the operation it does the work; the rest are
/// <see cref="Vector{T}"/> loops with a scalar remainder, each with a plain twin in <see cref="KernelsReference"/>.
/// </summary>
/// <remarks>Matrices are row-major: element (i, j) of a rows x cols matrix is at i * cols + j.</remarks>
public static class Kernels
{
    /// <summary>y = 1 / (1 + exp(-x)).</summary>
    public static void Sigmoid(ReadOnlySpan<float> x, Span<float> y) => TensorPrimitives.Sigmoid(x, y);

    /// <summary>y = tanh(x).</summary>
    public static void Tanh(ReadOnlySpan<float> x, Span<float> y) => TensorPrimitives.Tanh(x, y);

    /// <summary>y = exp(x).</summary>
    public static void Exp(ReadOnlySpan<float> x, Span<float> y) => TensorPrimitives.Exp(x, y);

    /// <summary>z = x + y.</summary>
    public static void Add(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> z) => TensorPrimitives.Add(x, y, z);

    /// <summary>z = x - y.</summary>
    public static void Subtract(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> z) => TensorPrimitives.Subtract(x, y, z);

    /// <summary>z = x * y.</summary>
    public static void Multiply(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> z) => TensorPrimitives.Multiply(x, y, z);

    /// <summary>z = x * s.</summary>
    public static void Scale(ReadOnlySpan<float> x, float s, Span<float> z) => TensorPrimitives.Multiply(x, s, z);

    /// <summary>w = x * y + z.</summary>
    public static void MultiplyAdd(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> z, Span<float> w)
        => TensorPrimitives.MultiplyAdd(x, y, z, w);

    /// <summary>acc += a * x (the BLAS axpy).</summary>
    public static void AddScaled(Span<float> acc, float a, ReadOnlySpan<float> x) => TensorPrimitives.MultiplyAdd(x, a, acc, acc);

    /// <summary>The sum of the elements.</summary>
    public static float Sum(ReadOnlySpan<float> x) => TensorPrimitives.Sum(x);

    /// <summary>The sum of the squares of the elements.</summary>
    public static float SumOfSquares(ReadOnlySpan<float> x) => TensorPrimitives.SumOfSquares(x);

    /// <summary>sums[i] = Σ_j m[i, j] for a rows x cols matrix.</summary>
    public static void RowSums(ReadOnlySpan<float> m, int rows, int cols, Span<float> sums)
    {
        for (int i = 0; i < rows; i++) sums[i] = TensorPrimitives.Sum(m.Slice(i * cols, cols));
    }

    /// <summary>acc[j] += Σ_i m[i, j] for a rows x cols matrix (the gradient of a row-broadcast bias).</summary>
    /// <remarks>
    /// Rows are added in order into each column; a large matrix is split by columns among threads, so every column
    /// is still summed by one thread in the same order and the result does not depend on the thread count.
    /// </remarks>
    public static unsafe void AccumulateColumnSums(ReadOnlySpan<float> m, int rows, int cols, Span<float> acc)
    {
        if ((long)rows * cols < ParallelColumnSums || cols < 2 * ColumnBlock)
        {
            for (int i = 0; i < rows; i++) TensorPrimitives.Add(acc[..cols], m.Slice(i * cols, cols), acc);
            return;
        }
        fixed (float* pm = m, pa = acc)
        {
            float* source = pm, sums = pa;   // pinned for the duration of the call, which waits for every part
            new RowJob((start, end) =>
            {
                int c0 = start * ColumnBlock, c1 = Math.Min(cols, end * ColumnBlock);
                var part = new Span<float>(sums + c0, c1 - c0);
                for (int i = 0; i < rows; i++) TensorPrimitives.Add(part, new ReadOnlySpan<float>(source + (nint)i * cols + c0, c1 - c0), part);
            }).Run((cols + ColumnBlock - 1) / ColumnBlock, 1);
        }
    }

    // Column sums of at least this many elements are worth sharing among threads, in blocks of this many columns.
    private const long ParallelColumnSums = 1 << 18;
    private const int ColumnBlock = 64;

    /// <summary>y[i, :] = m[i, :] + bias for a rows x cols matrix.</summary>
    public static void AddRowVector(ReadOnlySpan<float> m, int rows, int cols, ReadOnlySpan<float> bias, Span<float> y)
    {
        for (int i = 0; i < rows; i++) TensorPrimitives.Add(m.Slice(i * cols, cols), bias[..cols], y.Slice(i * cols, cols));
    }

    /// <summary>Softmax of each row of a rows x cols matrix: y[i, j] = exp(m[i, j] - max_i) / Σ_k exp(m[i, k] - max_i).</summary>
    public static void SoftmaxRows(ReadOnlySpan<float> m, int rows, int cols, Span<float> y)
    {
        for (int i = 0; i < rows; i++) TensorPrimitives.SoftMax(m.Slice(i * cols, cols), y.Slice(i * cols, cols));
    }

    /// <summary>dx += dy * y * (1 - y), the sigmoid's backward given its output y.</summary>
    public static void AccumulateSigmoidBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
    {
        CheckLengths(y.Length, dy.Length, dx.Length);
        var operation = new SigmoidBackward(y, dy, dx);
        Pointwise.Run(ref operation, dx.Length);
    }

    /// <summary>dx += dy * (1 - y²), the tanh's backward given its output y.</summary>
    public static void AccumulateTanhBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
    {
        CheckLengths(y.Length, dy.Length, dx.Length);
        var operation = new TanhBackward(y, dy, dx);
        Pointwise.Run(ref operation, dx.Length);
    }

    private readonly ref struct SigmoidBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx) : IPointwiseOperation
    {
        private readonly ReadOnlySpan<float> _y = y, _dy = dy;
        private readonly Span<float> _dx = dx;

        public void Invoke<T>(int k) where T : struct, ILanes<T>
        {
            T yk = T.Load(_y, k);
            (T.Load(_dx, k) + T.Load(_dy, k) * yk * (T.One - yk)).Store(_dx, k);
        }
    }

    private readonly ref struct TanhBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx) : IPointwiseOperation
    {
        private readonly ReadOnlySpan<float> _y = y, _dy = dy;
        private readonly Span<float> _dx = dx;

        public void Invoke<T>(int k) where T : struct, ILanes<T>
        {
            T yk = T.Load(_y, k);
            (T.Load(_dx, k) + T.Load(_dy, k) * (T.One - yk * yk)).Store(_dx, k);
        }
    }

    /// <summary>The index of the largest element (the first one on ties).</summary>
    public static int ArgMax(ReadOnlySpan<float> x) => TensorPrimitives.IndexOfMax(x);

    private static void CheckLengths(int a, int b, int c)
    {
        if (a != b || a != c) throw new ArgumentException("Spans must have the same length.");
    }
}
