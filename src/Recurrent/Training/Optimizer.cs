using System.Text.Json.Serialization;
using System.Numerics.Tensors;
using Tensor = Recurrent.Tensors.Tensor;
using Recurrent.Autograd;
using Recurrent.Tensors;

namespace Recurrent.Training;

/// <summary>
/// What every optimizer shares: L2 weight decay added to the gradient, and the bookkeeping of per-parameter
/// state tensors keyed by parameter name (created as zeros on a parameter's first step, listed and restored
/// for checkpoints).
/// </summary>
/// <remarks>
/// Weight decay follows PyTorch's <c>weight_decay</c> for SGD, momentum and Adam: the update uses
/// g' = g + λ·p in place of g (an L2 penalty λ/2·‖p‖² added to the loss, not AdamW's decoupled decay).
/// <see cref="Var.Grad"/> itself is left unchanged, as in PyTorch.
/// </remarks>
public abstract class Optimizer : IOptimizer
{
    /// <summary>The prefix of every state name, so that state and weights can share one checkpoint.</summary>
    public const string StatePrefix = "optimizer.";

    private readonly Dictionary<string, Tensor[]> _state = new(StringComparer.Ordinal);
    private readonly List<string> _order = [];                       // parameter names, in the order first seen
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private float[] _decayed = [];                                    // g + λ·p of the current parameter

    /// <summary>Sets the weight decay λ shared by every method.</summary>
    /// <exception cref="RecurrentException">λ is negative or not finite.</exception>
    protected Optimizer(float weightDecay)
    {
        if (!(weightDecay >= 0) || float.IsInfinity(weightDecay))
            throw new OptionException($"{{{OptimizationOptions.Keys.WeightDecay}}} must be a non-negative number, not {weightDecay}.");
        WeightDecay = weightDecay;
    }

    /// <summary>λ, the L2 weight decay added to each gradient (0: none).</summary>
    public float WeightDecay { get; }

    /// <inheritdoc />
    public abstract string Name { get; }

    /// <summary>The kinds of state kept per parameter (PyTorch's names), in a fixed order; empty for none.</summary>
    protected abstract IReadOnlyList<string> StateKinds { get; }

    /// <summary>The shape of one kind of state for a parameter: the parameter's own shape unless overridden.</summary>
    protected virtual int[] StateShape(string kind, Tensor parameter) => parameter.Shape.ToArray();

    /// <summary>Checks a loaded state tensor beyond its shape and finiteness; returns an error sentence, or null when it is valid.</summary>
    protected virtual string? CheckLoadedState(string kind, string key, Tensor value) => null;

    /// <summary>The update of one parameter.</summary>
    /// <param name="parameter">The parameter's values, updated in place.</param>
    /// <param name="gradient">Its gradient, weight decay already added.</param>
    /// <param name="state">Its state tensors in the order of <see cref="StateKinds"/> (zeros at the first step).</param>
    /// <param name="learningRate">The rate of this step.</param>
    protected abstract void Update(Span<float> parameter, ReadOnlySpan<float> gradient, Tensor[] state, float learningRate);

    /// <summary>Creates an optimizer; the hyper-parameters a method does not use are ignored.</summary>
    /// <param name="kind">The update rule.</param>
    /// <param name="weightDecay">λ, L2 weight decay (PyTorch's <c>weight_decay</c>).</param>
    /// <param name="momentum">μ, for <see cref="OptimizerKind.Momentum"/>.</param>
    /// <param name="beta1">β1, for <see cref="OptimizerKind.Adam"/>.</param>
    /// <param name="beta2">β2, for <see cref="OptimizerKind.Adam"/>.</param>
    /// <param name="epsilon">ε, for <see cref="OptimizerKind.Adam"/>.</param>
    /// <exception cref="RecurrentException">A hyper-parameter the method uses is out of its range.</exception>
    public static IOptimizer Create(OptimizerKind kind, float weightDecay = 0f, float momentum = 0.9f,
        float beta1 = 0.9f, float beta2 = 0.999f, float epsilon = 1e-8f) => kind switch
    {
        OptimizerKind.Sgd => new SgdOptimizer(weightDecay),
        OptimizerKind.Momentum => new MomentumOptimizer(momentum, weightDecay),
        OptimizerKind.Adam => new AdamOptimizer(beta1, beta2, epsilon, weightDecay),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>The checkpoint name of one state tensor, <c>optimizer.{kind}.{parameter}</c>.</summary>
    public static string StateKey(string kind, string parameterName) => $"{StatePrefix}{kind}.{parameterName}";

    /// <inheritdoc />
    public void Step(IReadOnlyList<Var> parameters, float learningRate)
    {
        if (!(learningRate >= 0) || float.IsInfinity(learningRate))
            throw new ArgumentOutOfRangeException(nameof(learningRate), $"The learning rate must be a non-negative number, not {learningRate}.");
        bool stateful = StateKinds.Count > 0;
        if (stateful) CheckNames(parameters);
        foreach (var p in parameters)
        {
            if (p.Grad is not { } g) continue;
            ReadOnlySpan<float> gradient = g.Span;
            if (WeightDecay != 0)
            {
                if (_decayed.Length < g.Length) _decayed = new float[g.Length];
                var decayed = _decayed.AsSpan(0, g.Length);
                TensorPrimitives.MultiplyAdd(p.Value.Span, WeightDecay, g.Span, decayed);   // g + λ·p
                gradient = decayed;
            }
            Update(p.Value.Span, gradient, stateful ? StateOf(p) : [], learningRate);
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<KeyValuePair<string, Tensor>> State
    {
        get
        {
            var list = new List<KeyValuePair<string, Tensor>>(_order.Count * StateKinds.Count);
            foreach (string name in _order)
            {
                var tensors = _state[name];
                for (int k = 0; k < StateKinds.Count; k++)
                    list.Add(new(StateKey(StateKinds[k], name), tensors[k].Clone()));
            }
            return list;
        }
    }

    /// <inheritdoc />
    public void LoadState(IEnumerable<KeyValuePair<string, Tensor>> state, IReadOnlyList<Var> parameters)
    {
        ArgumentNullException.ThrowIfNull(state);
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < parameters.Count; i++)
            if (parameters[i].Name is { } name && !index.TryAdd(name, i))
                throw new ArgumentException($"Two parameters are named {name}.", nameof(parameters));

        var loaded = new Dictionary<string, Tensor?[]>(StringComparer.Ordinal);
        foreach (var (key, value) in state)
        {
            if (!key.StartsWith(StatePrefix, StringComparison.Ordinal)) continue;
            string rest = key[StatePrefix.Length..];
            int dot = rest.IndexOf('.');
            int k = dot < 0 ? -1 : IndexOfKind(rest[..dot]);
            if (k < 0)
                throw new RecurrentException($"The checkpoint holds optimizer state {key}, which {Name} does not keep: resume with the optimizer it was trained with.");
            string name = rest[(dot + 1)..];
            if (!index.TryGetValue(name, out int at))
                throw new RecurrentException($"The checkpoint holds optimizer state {key} for a parameter the model does not have.");
            var expected = StateShape(StateKinds[k], parameters[at].Value);
            if (!value.Shape.SequenceEqual(expected))
                throw new RecurrentException(
                    $"The optimizer state {key} has shape {Tensor.ShapeString(value.Shape)}, but the parameter needs {Tensor.ShapeString(expected)}.");
            foreach (float x in value.Span)
                if (!float.IsFinite(x)) throw new RecurrentException($"The optimizer state {key} holds a value that is not a finite number.");
            if (CheckLoadedState(StateKinds[k], key, value) is { } problem) throw new RecurrentException(problem);
            if (!loaded.TryGetValue(name, out var slots)) loaded[name] = slots = new Tensor?[StateKinds.Count];
            if (slots[k] is not null) throw new RecurrentException($"The optimizer state {key} appears twice.");
            slots[k] = value.Clone();
        }
        foreach (var (name, slots) in loaded)
            for (int k = 0; k < slots.Length; k++)
                if (slots[k] is null)
                    throw new RecurrentException($"The optimizer state of {name} is incomplete: {StateKey(StateKinds[k], name)} is missing.");

        // Only now, with everything checked, is the current state replaced: a failed load changes nothing.
        _state.Clear();
        _order.Clear();
        foreach (string name in loaded.Keys.OrderBy(n => index[n]))
        {
            _state[name] = loaded[name]!;
            _order.Add(name);
        }
    }

    private int IndexOfKind(string kind)
    {
        for (int k = 0; k < StateKinds.Count; k++)
            if (StateKinds[k] == kind) return k;
        return -1;
    }

    // State is found by name, so two parameters with one name would silently share a velocity.
    private void CheckNames(IReadOnlyList<Var> parameters)
    {
        _names.Clear();
        for (int i = 0; i < parameters.Count; i++)
        {
            string name = parameters[i].Name
                ?? throw new ArgumentException($"Parameter {i} has no name, and {Name} keeps its state by parameter name.", nameof(parameters));
            if (!_names.Add(name)) throw new ArgumentException($"Two parameters are named {name}.", nameof(parameters));
        }
    }

    private Tensor[] StateOf(Var parameter)
    {
        string name = parameter.Name!;
        if (_state.TryGetValue(name, out var tensors))
        {
            for (int k = 0; k < tensors.Length; k++)
                if (!tensors[k].Shape.SequenceEqual(StateShape(StateKinds[k], parameter.Value)))
                    throw new ArgumentException($"The {StateKinds[k]} of {name} has shape {Tensor.ShapeString(tensors[k].Shape)}, not that of {parameter}.");
            return tensors;
        }
        tensors = new Tensor[StateKinds.Count];
        for (int k = 0; k < tensors.Length; k++) tensors[k] = Tensor.Zeros(StateShape(StateKinds[k], parameter.Value));
        _state[name] = tensors;
        _order.Add(name);
        return tensors;
    }
}
