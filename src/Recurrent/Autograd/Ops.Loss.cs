using Recurrent.Tensors;

namespace Recurrent.Autograd;

public static partial class Ops
{
    /// <summary>
    /// Mean softmax cross-entropy of N rows of logits against integer targets, fused and numerically stable
    /// (the book's <c>gloss.SoftmaxCrossEntropyLoss</c> followed by <c>.mean()</c>).
    /// </summary>
    /// <remarks>
    /// loss = (1/N) Σ_r [log Σ_j exp(z[r, j] - m_r) + m_r - z[r, target_r]], with m_r the row maximum (log-sum-exp).
    /// Backward: dz[r, j] += dloss * (softmax(z[r])[j] - [j = target_r]) / N.
    /// </remarks>
    public static Var SoftmaxCrossEntropy(Var logits, ReadOnlySpan<int> targets)
    {
        RequireRank2(logits, "SoftmaxCrossEntropy");
        int n = logits.Value.Rows, v = logits.Value.Columns;
        if (targets.Length != n) throw new ArgumentException($"{targets.Length} targets for {n} rows of logits.");
        var target = targets.ToArray();
        foreach (int t in target)
            if ((uint)t >= (uint)v) throw new ArgumentOutOfRangeException(nameof(targets), $"Target {t} is outside 0..{v - 1}.");

        // The softmax is kept for backward: it is exactly the gradient up to the one-hot and the scale. Rows are
        // independent, so they are shared among threads; the row losses are summed in order afterwards.
        var probabilities = GC.AllocateUninitializedArray<float>(n * v);
        var rowLoss = new double[n];
        var z = logits.Value;
        new RowJob((start, end) =>
        {
            for (int r = start; r < end; r++)
            {
                var row = z.Span.Slice(r * v, v);
                var p = probabilities.AsSpan(r * v, v);
                float max = System.Numerics.Tensors.TensorPrimitives.Max(row);
                System.Numerics.Tensors.TensorPrimitives.Subtract(row, max, p);
                Kernels.Exp(p, p);
                float sum = Kernels.Sum(p);
                rowLoss[r] = Math.Log(sum) + max - row[target[r]];
                Kernels.Scale(p, 1f / sum, p);
            }
        }).Run(n, 16);
        double total = 0;
        foreach (double l in rowLoss) total += l;
        var loss = new Tensor([(float)(total / n)], 1);

        return Var.FromOp(loss, [logits], output =>
        {
            if (!logits.RequiresGrad) return;
            float scale = output.Grad!.Span[0] / n;
            // Usually the loss is the logits' only consumer: the softmax then becomes their gradient in place, with
            // the same roundings as adding it into zeros (p * scale + 0 is p * scale).
            var own = new Tensor(probabilities, n, v);
            bool given = logits.Grad is null;
            var dZ = given ? own : Var.GradFor(logits)!;
            new RowJob((start, end) =>
            {
                var d = dZ.Span;
                var p = probabilities.AsSpan(start * v, (end - start) * v);
                if (given) Kernels.Scale(p, scale, p);
                else Kernels.AddScaled(d.Slice(start * v, (end - start) * v), scale, p);
                for (int r = start; r < end; r++) d[r * v + target[r]] -= scale;
            }).Run(n, 16);
            if (given) Var.TryGiveGrad(logits, own);
        });
    }
}
