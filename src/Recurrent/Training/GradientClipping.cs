using Recurrent.Autograd;
using Recurrent.Tensors;

namespace Recurrent.Training;

/// <summary>Gradient clipping by global norm, the book's <c>grad_clipping</c>.</summary>
public static class GradientClipping
{
    private const int Chunk = 4096;

    /// <summary>The L2 norm of all gradients taken together, ‖g‖ = sqrt(Σ_p Σ_i g_pi²), summed in double.</summary>
    public static double GlobalNorm(IReadOnlyList<Var> parameters)
    {
        double sum = 0;
        foreach (var p in parameters)
        {
            if (p.Grad is not { } g) continue;
            // Vectorised float sums over chunks, added up in double; a chunk whose float sum overflows (gradients
            // beyond ~1e17) is summed again in double, so a huge gradient is clipped rather than zeroed.
            var span = g.Span;
            for (int start = 0; start < span.Length; start += Chunk)
            {
                var chunk = span.Slice(start, Math.Min(Chunk, span.Length - start));
                float partial = Kernels.SumOfSquares(chunk);
                if (float.IsFinite(partial)) sum += partial;
                else foreach (float x in chunk) sum += (double)x * x;
            }
        }
        return Math.Sqrt(sum);
    }

    /// <summary>Scales every gradient by θ/‖g‖ when the global norm ‖g‖ exceeds θ; returns the norm before clipping.</summary>
    /// <remarks>g ← min(1, θ/‖g‖) · g, which keeps the direction and bounds the step of SGD by lr · θ.</remarks>
    public static double ClipByGlobalNorm(IReadOnlyList<Var> parameters, float theta)
    {
        double norm = GlobalNorm(parameters);
        if (norm > theta)
        {
            float scale = (float)(theta / norm);
            foreach (var p in parameters)
                if (p.Grad is { } g) Kernels.Scale(g.Span, scale, g.Span);
        }
        return norm;
    }
}
