using System.Numerics.Tensors;
using Tensor = Recurrent.Tensors.Tensor;
using Recurrent.Tensors;

namespace Recurrent.Training;

/// <summary>SGD with (heavy-ball) momentum, in PyTorch's convention.</summary>
/// <remarks>
/// v ← μ·v + g', p ← p − lr·v, with g' = g + λ·p and v = 0 before the first step (so v₁ = g'), which is
/// <c>torch.optim.SGD(lr, momentum=μ, weight_decay=λ)</c> with no dampening and no Nesterov. The other common
/// convention, v ← μ·v + lr·g, p ← p − v, gives the same steps only while lr is constant; this one keeps v
/// independent of lr, so a decayed learning rate takes effect at once. State: <c>momentum_buffer</c> (v).
/// </remarks>
public sealed class MomentumOptimizer : Optimizer
{
    private static readonly string[] Kinds = ["momentum_buffer"];

    /// <summary>Creates the optimizer.</summary>
    /// <param name="momentum">μ, in [0, 1).</param>
    /// <param name="weightDecay">λ, L2 weight decay.</param>
    /// <exception cref="RecurrentException">μ or λ is out of range.</exception>
    public MomentumOptimizer(float momentum = 0.9f, float weightDecay = 0f) : base(weightDecay)
    {
        if (!(momentum >= 0 && momentum < 1)) throw new OptionException($"{{{OptimizationOptions.Keys.Momentum}}} must be in [0, 1), not {momentum}.");
        Momentum = momentum;
    }

    /// <summary>μ, the fraction of the velocity kept from one step to the next.</summary>
    public float Momentum { get; }

    /// <inheritdoc />
    public override string Name => "momentum";

    /// <inheritdoc />
    protected override IReadOnlyList<string> StateKinds => Kinds;

    /// <inheritdoc />
    protected override void Update(Span<float> parameter, ReadOnlySpan<float> gradient, Tensor[] state, float learningRate)
    {
        var velocity = state[0].Span;
        TensorPrimitives.MultiplyAdd(velocity, Momentum, gradient, velocity);   // v = μ·v + g'
        Kernels.AddScaled(parameter, -learningRate, velocity);                 // p -= lr·v
    }
}
