using Recurrent.Tensors;

namespace Recurrent.Autograd;

/// <summary>
/// The differentiable operations. Each op computes its forward value and, right below it, a backward function
/// that adds its contribution into the inputs' gradients (accumulates, never overwrites).
/// </summary>
/// <remarks>Matrices are row-major rank-2 tensors; "rows" of a rank-3 tensor are its first dimension.</remarks>
public static partial class Ops
{
    /// <summary>Matrix product C = op(A) · op(B), where op transposes when asked.</summary>
    /// <remarks>
    /// Backward, with dC the gradient of C: for C = A B, dA += dC Bᵀ and dB += Aᵀ dC; the transposed forms follow
    /// by transposing the right factor. When A is a one-hot constant (<see cref="OneHot"/>) the product is a
    /// row gather, C[r] = B[hot(r)], and dB[hot(r)] += dC[r]: the same numbers without multiplying by zeros.
    /// </remarks>
    public static Var MatMul(Var a, Var b, bool transposeA = false, bool transposeB = false)
    {
        RequireRank2(a, "MatMul"); RequireRank2(b, "MatMul");
        int m = transposeA ? a.Value.Columns : a.Value.Rows;
        int k = transposeA ? a.Value.Rows : a.Value.Columns;
        int kb = transposeB ? b.Value.Columns : b.Value.Rows;
        int n = transposeB ? b.Value.Rows : b.Value.Columns;
        if (k != kb)
            throw new ArgumentException($"MatMul: inner dimensions differ, {a}{(transposeA ? "ᵀ" : "")} · {b}{(transposeB ? "ᵀ" : "")}.");

        if (a.OneHotIndices is { } hot && !transposeA && !transposeB && !a.RequiresGrad)
            return GatherRows(b, hot);

        var c = Tensor.Zeros(m, n);
        Gemm.Multiply(a.Value, transposeA, b.Value, transposeB, c);
        return Var.FromOp(c, [a, b], output =>
        {
            var dC = output.Grad!;
            if (Var.GradFor(a) is { } dA)
            {
                if (!transposeA) Gemm.Multiply(dC, false, b.Value, !transposeB, dA, beta: 1f);   // (M x N)(N x K)
                else Gemm.Multiply(b.Value, transposeB, dC, true, dA, beta: 1f);                // (K x N)(N x M)
            }
            if (Var.GradFor(b) is { } dB)
            {
                if (!transposeB) Gemm.Multiply(a.Value, !transposeA, dC, false, dB, beta: 1f);   // (K x M)(M x N)
                else Gemm.Multiply(dC, true, a.Value, transposeA, dB, beta: 1f);                // (N x M)(M x K)
            }
        });
    }

    /// <summary>
    /// A dense layer, y = x Wᵀ + b, fused into one op: x is N x I, W is O x I and b has O entries (PyTorch's
    /// <c>nn.Linear</c> layout). The same numbers as <c>x.MatMul(W, transposeOther: true) + b</c> with one GEMM
    /// writing onto the bias rows and no intermediate N x O value.
    /// </summary>
    /// <remarks>Backward: dx += dy W; dW += dyᵀ x; db += the column sums of dy.</remarks>
    public static Var Linear(Var x, Var weight, Var bias)
    {
        RequireRank2(x, "Linear"); RequireRank2(weight, "Linear");
        int n = x.Value.Rows, inputs = x.Value.Columns, outputs = weight.Value.Rows;
        if (weight.Value.Columns != inputs || bias.Value.Length != outputs)
            throw new ArgumentException($"Linear: {x} · {weight}ᵀ + {bias} do not fit.");
        var y = Tensor.Uninitialized(n, outputs);
        for (int r = 0; r < n; r++) bias.Value.Span.CopyTo(y.Span.Slice(r * outputs, outputs));
        Gemm.Multiply(false, true, n, outputs, inputs, 1f, x.Value.Span, inputs, weight.Value.Span, inputs, 1f, y.Span, outputs);
        return Var.FromOp(y, [x, weight, bias], output =>
        {
            var dY = output.Grad!.Span;
            if (Var.GradFor(x) is { } dX)
                Gemm.Multiply(false, false, n, inputs, outputs, 1f, dY, outputs, weight.Value.Span, inputs, 1f, dX.Span, inputs);
            if (Var.GradFor(weight) is { } dW)
                Gemm.Multiply(true, false, outputs, inputs, n, 1f, dY, outputs, x.Value.Span, inputs, 1f, dW.Span, inputs);
            if (Var.GradFor(bias) is { } db) Kernels.AccumulateColumnSums(dY, n, outputs, db.Span);
        });
    }

    /// <summary>Elementwise a + b; when b is rank 1 and a is not, b is added to every row of a.</summary>
    /// <remarks>Backward: da += dC; db += dC, or, when broadcast, db += the column sums of dC.</remarks>
    public static Var Add(Var a, Var b) => AddScaled(a, b, 1f);

    /// <summary>Elementwise a - b; when b is rank 1 and a is not, b is subtracted from every row of a.</summary>
    /// <remarks>Backward: da += dC; db -= dC (column sums when broadcast).</remarks>
    public static Var Subtract(Var a, Var b) => AddScaled(a, b, -1f);

    /// <summary>a + s·b with s = ±1, shared by <see cref="Add"/> and <see cref="Subtract"/>.</summary>
    private static Var AddScaled(Var a, Var b, float s)
    {
        bool broadcast = b.Value.Rank == 1 && a.Value.Rank > 1;
        if (broadcast ? b.Value.Length != a.Value.Columns : !a.Value.SameShape(b.Value))
            throw new ArgumentException($"Cannot add {a} and {b}: shapes differ.");
        var c = Tensor.Zeros(a.Value.Shape.ToArray());
        if (broadcast)
        {
            int rows = a.Value.Length / a.Value.Columns;
            if (s == 1f) Kernels.AddRowVector(a.Value.Span, rows, a.Value.Columns, b.Value.Span, c.Span);
            else
            {
                var negated = new float[b.Value.Length];
                Kernels.Scale(b.Value.Span, -1f, negated);
                Kernels.AddRowVector(a.Value.Span, rows, a.Value.Columns, negated, c.Span);
            }
        }
        else if (s == 1f) Kernels.Add(a.Value.Span, b.Value.Span, c.Span);
        else Kernels.Subtract(a.Value.Span, b.Value.Span, c.Span);
        return Var.FromOp(c, [a, b], output =>
        {
            var dC = output.Grad!.Span;
            if (Var.GradFor(a) is { } dA) Kernels.Add(dA.Span, dC, dA.Span);
            if (Var.GradFor(b) is { } dB)
            {
                if (!broadcast) Kernels.AddScaled(dB.Span, s, dC);
                else if (s == 1f) Kernels.AccumulateColumnSums(dC, dC.Length / dB.Length, dB.Length, dB.Span);
                else
                {
                    var sums = new float[dB.Length];
                    Kernels.AccumulateColumnSums(dC, dC.Length / dB.Length, dB.Length, sums);
                    Kernels.AddScaled(dB.Span, s, sums);
                }
            }
        });
    }

    internal static void RequireRank2(Var v, string op)
    {
        if (v.Value.Rank != 2) throw new ArgumentException($"{op} needs rank-2 operands, not {v}.");
    }
}
