using Recurrent.Tensors;

namespace Recurrent.Training;

/// <summary>Plain stochastic gradient descent, the book's <c>sgd(params, lr, batch_size)</c>, as an <see cref="IOptimizer"/>.</summary>
/// <remarks>
/// p ← p − lr · (g + λ·p), PyTorch's <c>torch.optim.SGD(lr, weight_decay=λ)</c>. With λ = 0 it is the book's step
/// p ← p − lr · g (the book passes a batch size of 1, since its loss is already a mean over the batch). No state.
/// </remarks>
public sealed class SgdOptimizer : Optimizer
{
    /// <summary>Creates the optimizer.</summary>
    /// <param name="weightDecay">λ, L2 weight decay (0: the book).</param>
    public SgdOptimizer(float weightDecay = 0f) : base(weightDecay) { }

    /// <inheritdoc />
    public override string Name => "sgd";

    /// <inheritdoc />
    protected override IReadOnlyList<string> StateKinds => [];

    /// <inheritdoc />
    protected override void Update(Span<float> parameter, ReadOnlySpan<float> gradient, Tensor[] state, float learningRate) =>
        Kernels.AddScaled(parameter, -learningRate, gradient);
}
