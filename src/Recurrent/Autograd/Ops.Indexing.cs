using Recurrent.Tensors;

namespace Recurrent.Autograd;

public static partial class Ops
{
    /// <summary>
    /// A constant N x <paramref name="depth"/> matrix whose row r is 1 at column indices[r] and 0 elsewhere
    /// (the book's <c>nd.one_hot</c>).
    /// </summary>
    public static Var OneHot(ReadOnlySpan<int> indices, int depth)
    {
        var value = Tensor.Zeros(indices.Length, depth);
        for (int r = 0; r < indices.Length; r++)
        {
            if ((uint)indices[r] >= (uint)depth)
                throw new ArgumentOutOfRangeException(nameof(indices), $"Index {indices[r]} is outside 0..{depth - 1}.");
            value[r, indices[r]] = 1f;
        }
        return Var.OneHot(value, indices.ToArray());
    }

    /// <summary>Row lookup (an embedding): y[r] = table[indices[r]], an N x D matrix from a V x D table.</summary>
    /// <remarks>Backward: dtable[indices[r]] += dy[r] (a scatter-add: repeated indices accumulate).</remarks>
    public static Var GatherRows(Var table, ReadOnlySpan<int> indices)
    {
        RequireRank2(table, "GatherRows");
        int d = table.Value.Columns;
        var rows = indices.ToArray();
        var y = Tensor.Zeros(rows.Length, d);
        for (int r = 0; r < rows.Length; r++)
        {
            if ((uint)rows[r] >= (uint)table.Value.Rows)
                throw new ArgumentOutOfRangeException(nameof(indices), $"Index {rows[r]} is outside 0..{table.Value.Rows - 1}.");
            table.Value.Span.Slice(rows[r] * d, d).CopyTo(y.Span.Slice(r * d, d));
        }
        return Var.FromOp(y, [table], output =>
        {
            if (Var.GradFor(table) is not { } dTable) return;
            var dY = output.Grad!.Span;
            for (int r = 0; r < rows.Length; r++)
            {
                var target = dTable.Span.Slice(rows[r] * d, d);
                Kernels.Add(target, dY.Slice(r * d, d), target);
            }
        });
    }

    /// <summary>Stacks values along their first dimension (the book's <c>nd.concat(*outputs, dim=0)</c>).</summary>
    /// <remarks>Backward: each input receives its own slice of the output gradient.</remarks>
    public static Var ConcatRows(IReadOnlyList<Var> parts)
    {
        if (parts.Count == 0) throw new ArgumentException("ConcatRows needs at least one value.");
        var first = parts[0].Value;
        int rows = 0;
        foreach (var p in parts)
        {
            if (p.Value.Rank != first.Rank || !p.Value.Shape[1..].SequenceEqual(first.Shape[1..]))
                throw new ArgumentException($"ConcatRows: {p} does not match {parts[0]} beyond the first dimension.");
            rows += p.Value.Rows;
        }
        var shape = first.Shape.ToArray();
        shape[0] = rows;
        var y = Tensor.Zeros(shape);
        int offset = 0;
        foreach (var p in parts)
        {
            p.Value.Span.CopyTo(y.Span.Slice(offset));
            offset += p.Value.Length;
        }
        var inputs = parts.ToArray();
        return Var.FromOp(y, inputs, output =>
        {
            var dY = output.Grad!.Span;
            int at = 0;
            foreach (var p in inputs)
            {
                if (Var.GradFor(p) is { } dP) Kernels.Add(dP.Span, dY.Slice(at, p.Value.Length), dP.Span);
                at += p.Value.Length;
            }
        });
    }

    /// <summary>Rows <paramref name="start"/> .. start+count-1 of a value.</summary>
    /// <remarks>Backward: the slice of dx at those rows += dy.</remarks>
    public static Var SliceRows(Var x, int start, int count)
    {
        var view = x.Value.RowRange(start, count);
        var y = view.Clone();
        return Var.FromOp(y, [x], output =>
        {
            if (Var.GradFor(x) is not { } dX) return;
            var target = dX.RowRange(start, count).Span;
            Kernels.Add(target, output.Grad!.Span, target);
        });
    }

    /// <summary>The same elements in another shape (row-major order is kept).</summary>
    /// <remarks>Backward: dx += dy read in x's shape.</remarks>
    public static Var Reshape(Var x, params int[] shape)
    {
        var y = x.Value.Clone().Reshape(shape);
        return Var.FromOp(y, [x], output =>
        {
            if (Var.GradFor(x) is { } dX) Kernels.Add(dX.Span, output.Grad!.Span, dX.Span);
        });
    }

    /// <summary>The transpose of a matrix, yᵀ[j, i] = x[i, j].</summary>
    /// <remarks>Backward: dx += dyᵀ.</remarks>
    public static Var Transpose(Var x)
    {
        RequireRank2(x, "Transpose");
        int rows = x.Value.Rows, cols = x.Value.Columns;
        var y = Tensor.Zeros(cols, rows);
        Transpose(x.Value.Span, rows, cols, y.Span, accumulate: false);
        return Var.FromOp(y, [x], output =>
        {
            if (Var.GradFor(x) is { } dX) Transpose(output.Grad!.Span, cols, rows, dX.Span, accumulate: true);
        });
    }

    private static void Transpose(ReadOnlySpan<float> src, int rows, int cols, Span<float> dst, bool accumulate)
    {
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++)
            {
                if (accumulate) dst[j * rows + i] += src[i * cols + j];
                else dst[j * rows + i] = src[i * cols + j];
            }
    }
}
