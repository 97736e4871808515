using Recurrent.Autograd;
using Recurrent.Tensors;

namespace Recurrent.Training;

/// <summary>Minibatch stochastic gradient descent, the book's <c>sgd(params, lr, batch_size)</c>.</summary>
public static class Sgd
{
    /// <summary>p ← p − lr · grad / batchSize for every parameter (the book passes a batch size of 1 because its loss is already a mean).</summary>
    public static void Step(IReadOnlyList<Var> parameters, float learningRate, float batchSize = 1f)
    {
        foreach (var p in parameters)
            if (p.Grad is { } g) Kernels.AddScaled(p.Value.Span, -learningRate / batchSize, g.Span);
    }
}
