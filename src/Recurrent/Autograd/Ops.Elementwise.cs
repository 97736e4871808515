using Recurrent.Tensors;

namespace Recurrent.Autograd;

public static partial class Ops
{
    /// <summary>Elementwise (Hadamard) product c = a * b of two values of the same shape.</summary>
    /// <remarks>Backward: da += dc * b; db += dc * a.</remarks>
    public static Var Multiply(Var a, Var b)
    {
        if (!a.Value.SameShape(b.Value)) throw new ArgumentException($"Cannot multiply {a} and {b} elementwise: shapes differ.");
        var c = Tensor.Zeros(a.Value.Shape.ToArray());
        Kernels.Multiply(a.Value.Span, b.Value.Span, c.Span);
        return Var.FromOp(c, [a, b], output =>
        {
            var dC = output.Grad!.Span;
            if (Var.GradFor(a) is { } dA) Kernels.MultiplyAdd(dC, b.Value.Span, dA.Span, dA.Span);
            if (Var.GradFor(b) is { } dB) Kernels.MultiplyAdd(dC, a.Value.Span, dB.Span, dB.Span);
        });
    }

    /// <summary>Product with a constant, c = s * a.</summary>
    /// <remarks>Backward: da += s * dc.</remarks>
    public static Var Scale(Var a, float s)
    {
        var c = Tensor.Zeros(a.Value.Shape.ToArray());
        Kernels.Scale(a.Value.Span, s, c.Span);
        return Var.FromOp(c, [a], output =>
        {
            if (Var.GradFor(a) is { } dA) Kernels.AddScaled(dA.Span, s, output.Grad!.Span);
        });
    }

    /// <summary>Elementwise logistic sigmoid, y = 1 / (1 + exp(-x)).</summary>
    /// <remarks>Backward: dx += dy * y * (1 - y).</remarks>
    public static Var Sigmoid(Var x)
    {
        var y = Tensor.Zeros(x.Value.Shape.ToArray());
        Kernels.Sigmoid(x.Value.Span, y.Span);
        return Var.FromOp(y, [x], output =>
        {
            if (Var.GradFor(x) is { } dX) Kernels.AccumulateSigmoidBackward(y.Span, output.Grad!.Span, dX.Span);
        });
    }

    /// <summary>Elementwise hyperbolic tangent, y = tanh(x).</summary>
    /// <remarks>Backward: dx += dy * (1 - y²).</remarks>
    public static Var Tanh(Var x)
    {
        var y = Tensor.Zeros(x.Value.Shape.ToArray());
        Kernels.Tanh(x.Value.Span, y.Span);
        return Var.FromOp(y, [x], output =>
        {
            if (Var.GradFor(x) is { } dX) Kernels.AccumulateTanhBackward(y.Span, output.Grad!.Span, dX.Span);
        });
    }

    /// <summary>Elementwise exponential, y = exp(x).</summary>
    /// <remarks>Backward: dx += dy * y.</remarks>
    public static Var Exp(Var x)
    {
        var y = Tensor.Zeros(x.Value.Shape.ToArray());
        Kernels.Exp(x.Value.Span, y.Span);
        return Var.FromOp(y, [x], output =>
        {
            if (Var.GradFor(x) is { } dX) Kernels.MultiplyAdd(output.Grad!.Span, y.Span, dX.Span, dX.Span);
        });
    }
}
