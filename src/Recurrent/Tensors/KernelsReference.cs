namespace Recurrent.Tensors;

/// <summary>
/// Plain scalar versions of <see cref="Kernels"/>: one obvious loop each, computed in double where it helps,
/// kept as the oracle the vectorized kernels are tested against.
/// </summary>
public static class KernelsReference
{
    public static void Sigmoid(ReadOnlySpan<float> x, Span<float> y)
    {
        for (int i = 0; i < x.Length; i++) y[i] = (float)(1.0 / (1.0 + Math.Exp(-x[i])));
    }

    public static void Tanh(ReadOnlySpan<float> x, Span<float> y)
    {
        for (int i = 0; i < x.Length; i++) y[i] = (float)Math.Tanh(x[i]);
    }

    public static void Exp(ReadOnlySpan<float> x, Span<float> y)
    {
        for (int i = 0; i < x.Length; i++) y[i] = (float)Math.Exp(x[i]);
    }

    public static void MultiplyAdd(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> z, Span<float> w)
    {
        for (int i = 0; i < x.Length; i++) w[i] = x[i] * y[i] + z[i];
    }

    public static float Sum(ReadOnlySpan<float> x)
    {
        double s = 0;
        foreach (float v in x) s += v;
        return (float)s;
    }

    public static void AccumulateColumnSums(ReadOnlySpan<float> m, int rows, int cols, Span<float> acc)
    {
        for (int j = 0; j < cols; j++)
        {
            double s = acc[j];
            for (int i = 0; i < rows; i++) s += m[i * cols + j];
            acc[j] = (float)s;
        }
    }

    public static void SoftmaxRows(ReadOnlySpan<float> m, int rows, int cols, Span<float> y)
    {
        for (int i = 0; i < rows; i++)
        {
            var row = m.Slice(i * cols, cols);
            double max = double.NegativeInfinity, sum = 0;
            foreach (float v in row) max = Math.Max(max, v);
            foreach (float v in row) sum += Math.Exp(v - max);
            for (int j = 0; j < cols; j++) y[i * cols + j] = (float)(Math.Exp(row[j] - max) / sum);
        }
    }

    public static void AccumulateSigmoidBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
    {
        for (int i = 0; i < y.Length; i++) dx[i] = (float)(dx[i] + (double)dy[i] * y[i] * (1.0 - y[i]));
    }

    public static void AccumulateTanhBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
    {
        for (int i = 0; i < y.Length; i++) dx[i] = (float)(dx[i] + (double)dy[i] * (1.0 - (double)y[i] * y[i]));
    }
}
