namespace Recurrent;

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
    public static void GatherColumns(ReadOnlySpan<float> weightIH, int inputSize, ReadOnlySpan<int> tokens,
        ReadOnlySpan<float> bias, Span<float> xp)
    {
        int width = bias.Length;
        for (int r = 0; r < tokens.Length; r++)
        {
            int token = tokens[r];
            if ((uint)token >= (uint)inputSize)
                throw new ArgumentOutOfRangeException(nameof(tokens), $"Token {token} is outside 0..{inputSize - 1}.");
            var row = xp.Slice(r * width, width);
            for (int j = 0; j < width; j++) row[j] = weightIH[j * inputSize + token] + bias[j];
        }
    }

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
    /// <paramref name="sumsByToken"/>, I x G), then each token seen is scattered into its column once.
    /// </summary>
    public static void ScatterColumns(ReadOnlySpan<float> dxp, ReadOnlySpan<int> tokens, int inputSize,
        Span<float> dWeightIH, Span<float> sumsByToken, Span<bool> seen)
    {
        int width = dWeightIH.Length / inputSize;
        seen.Clear();
        for (int r = 0; r < tokens.Length; r++)
        {
            int token = tokens[r];
            var acc = sumsByToken.Slice(token * width, width);
            if (!seen[token]) { seen[token] = true; acc.Clear(); }
            Kernels.Add(acc, dxp.Slice(r * width, width), acc);
        }
        for (int token = 0; token < inputSize; token++)
        {
            if (!seen[token]) continue;
            var acc = sumsByToken.Slice(token * width, width);
            for (int j = 0; j < width; j++) dWeightIH[j * inputSize + token] += acc[j];
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
