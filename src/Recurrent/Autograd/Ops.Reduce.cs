using Recurrent.Tensors;

namespace Recurrent.Autograd;

public static partial class Ops
{
    /// <summary>The sum of all elements, as a one-element value.</summary>
    /// <remarks>Backward: dx += dy (the same scalar for every element).</remarks>
    public static Var Sum(Var x)
    {
        var y = new Tensor([Kernels.Sum(x.Value.Span)], 1);
        return Var.FromOp(y, [x], output =>
        {
            if (Var.GradFor(x) is { } dX) Kernels.AddScaled(dX.Span, 1f, FilledWith(output.Grad!.Span[0], dX.Length));
        });
    }

    /// <summary>The mean of all elements, as a one-element value.</summary>
    /// <remarks>Backward: dx += dy / N.</remarks>
    public static Var Mean(Var x) => Scale(Sum(x), 1f / x.Value.Length);

    private static float[] FilledWith(float value, int length)
    {
        var a = new float[length];
        Array.Fill(a, value);
        return a;
    }
}
