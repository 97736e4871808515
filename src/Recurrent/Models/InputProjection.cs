using Recurrent.Autograd;
using Recurrent.Tensors;

namespace Recurrent.Models;

/// <summary>
/// The input side of a fused recurrent layer, Xp = X W_ihᵀ + bias for all T steps at once, and its backward;
/// shared by <see cref="GruLayer"/> and <see cref="TanhRnnLayer"/>.
/// </summary>
/// <remarks>
/// Conventions: N = T·B rows (time-major), I input size, G the width of the projection (3H for a GRU, H for an RNN);
/// W_ih is G x I, as in PyTorch. For one-hot input the product is a gather of W_ih's columns and its weight
/// gradient a scatter-add by token; for dense input each is one GEMM, and dX = dXp W_ih is one more.
/// </remarks>
internal static class InputProjection
{
    /// <summary>Xp[r] = W_ih[:, tokens[r]] + bias (N x G), for one-hot input.</summary>
    /// <remarks>
    /// W_ih is G x I, so a column is G values I apart: read one by one they miss the cache at every step. For
    /// more than a few rows, W_ih is first transposed into <paramref name="scratch"/> (I x G) by cache-sized
    /// blocks, and each row of Xp is then a contiguous copy. A handful of rows (generation) are gathered directly.
    /// </remarks>
    public static void GatherColumns(ReadOnlySpan<float> weightIH, int inputSize, ReadOnlySpan<int> tokens,
        ReadOnlySpan<float> bias, Span<float> xp, Span<float> scratch)
    {
        int width = bias.Length;
        foreach (int token in tokens)
            if ((uint)token >= (uint)inputSize)
                throw new ArgumentOutOfRangeException(nameof(tokens), $"Token {token} is outside 0..{inputSize - 1}.");
        if (tokens.Length * 8 < inputSize)
        {
            for (int r = 0; r < tokens.Length; r++)
            {
                var row = xp.Slice(r * width, width);
                for (int j = 0; j < width; j++) row[j] = weightIH[j * inputSize + tokens[r]] + bias[j];
            }
            return;
        }
        Transpose(weightIH, width, inputSize, scratch);
        for (int r = 0; r < tokens.Length; r++)
            Kernels.Add(scratch.Slice(tokens[r] * width, width), bias, xp.Slice(r * width, width));
    }

    /// <summary>transposed (cols x rows) = source (rows x cols)ᵀ, by blocks of rows that stay in cache, on the worker pool.</summary>
    private static unsafe void Transpose(ReadOnlySpan<float> source, int rows, int cols, Span<float> transposed)
    {
        fixed (float* src = source, dst = transposed)
        {
            float* s = src, d = dst;   // captured as addresses: the spans are pinned for the duration of the call
            new RowJob((start, end) =>
            {
                for (int j0 = start * Block; j0 < Math.Min(rows, end * Block); j0 += Block)
                {
                    int j1 = Math.Min(rows, j0 + Block);
                    for (int i = 0; i < cols; i++)
                        for (int j = j0; j < j1; j++) d[(nint)i * rows + j] = s[(nint)j * cols + i];
                }
            }).Run((rows + Block - 1) / Block, 4);
        }
    }

    /// <summary>Rows of W_ih handled together by the blocked transposes: 32 rows of a few KB each stay in the L2 cache.</summary>
    private const int Block = 32;

    /// <summary>Xp = X W_ihᵀ + bias (N x G) for dense input X (N x I): the bias in every row, then one GEMM.</summary>
    public static void Dense(ReadOnlySpan<float> x, int rows, int inputSize, ReadOnlySpan<float> weightIH,
        ReadOnlySpan<float> bias, Span<float> xp)
    {
        int width = bias.Length;
        for (int r = 0; r < rows; r++) bias.CopyTo(xp.Slice(r * width, width));
        Gemm.Multiply(false, true, rows, width, inputSize, 1f, x, inputSize, weightIH, inputSize, 1f, xp, width);
    }

    /// <summary>
    /// dW_ih[:, tokens[r]] += dXp[r]: rows of the same token are summed contiguously first (into
    /// <paramref name="sumsByToken"/>, I x G), then added into dW_ih's columns by cache-sized blocks of its rows.
    /// </summary>
    public static unsafe void ScatterColumns(ReadOnlySpan<float> dxp, ReadOnlySpan<int> tokens, int inputSize,
        Span<float> dWeightIH, Span<float> sumsByToken, Span<bool> seen)
    {
        int width = dWeightIH.Length / inputSize;
        seen.Clear();
        int distinct = 0;
        for (int r = 0; r < tokens.Length; r++)
        {
            int token = tokens[r];
            var acc = sumsByToken.Slice(token * width, width);
            if (!seen[token]) { seen[token] = true; acc.Clear(); distinct++; }
            Kernels.Add(acc, dxp.Slice(r * width, width), acc);
        }
        var seenTokens = new int[distinct];
        for (int token = 0, n = 0; token < inputSize; token++)
            if (seen[token]) seenTokens[n++] = token;
        fixed (float* sums = sumsByToken, dw = dWeightIH)
        {
            float* s = sums, d = dw;
            new RowJob((start, end) =>
            {
                for (int j0 = start * Block; j0 < Math.Min(width, end * Block); j0 += Block)
                {
                    int j1 = Math.Min(width, j0 + Block);
                    foreach (int token in seenTokens)
                        for (int j = j0; j < j1; j++) d[(nint)j * inputSize + token] += s[(nint)token * width + j];
                }
            }).Run((width + Block - 1) / Block, 4);
        }
    }

    /// <summary>For dense input: dW_ih += dXpᵀ X (G x I) and dX += dXp W_ih (N x I), each one GEMM; either may be skipped (null).</summary>
    public static void DenseBackward(ReadOnlySpan<float> dxp, int rows, int width, ReadOnlySpan<float> x, int inputSize,
        ReadOnlySpan<float> weightIH, Tensor? dWeightIH, Tensor? dX)
    {
        if (dWeightIH is not null)
            Gemm.Multiply(true, false, width, inputSize, rows, 1f, dxp, width, x, inputSize, 1f, dWeightIH.Span, inputSize);
        if (dX is not null)
            Gemm.Multiply(false, false, rows, inputSize, width, 1f, dxp, width, weightIH, inputSize, 1f, dX.Span, inputSize);
    }

    /// <summary>Throws unless <paramref name="inputs"/> is (T·B) x I.</summary>
    public static void CheckDense(Var inputs, int rows, int inputSize)
    {
        var v = inputs.Value;
        if (v.Rank != 2 || v.Rows != rows || v.Columns != inputSize)
            throw new ArgumentException($"Dense input must be (T·B) x I = ({rows}, {inputSize}), not {Tensor.ShapeString(v.Shape)}.", nameof(inputs));
    }

    /// <summary>Throws unless <paramref name="state"/> holds <paramref name="parts"/> tensors of B x H.</summary>
    public static void CheckState(RecurrentState state, int parts, int batchSize, int hiddenSize)
    {
        bool ok = state.Parts.Count == parts;
        for (int i = 0; ok && i < parts; i++) ok = state.Parts[i].Value.Length == batchSize * hiddenSize;
        if (!ok) throw new ArgumentException($"The state must be {parts} tensor(s) of B x H = {batchSize} x {hiddenSize}.", nameof(state));
    }
}
