using Recurrent.Tensors;

namespace Recurrent.Autograd;

/// <summary>
/// A value in a computation that records how it was made, so that <see cref="Backward"/> can compute the
/// gradient of a scalar loss with respect to every input that requires one (reverse-mode automatic
/// differentiation, as in the book's <c>autograd</c>).
/// </summary>
/// <remarks>
/// Each op (see <see cref="Ops"/>) makes a new <see cref="Var"/> whose backward function adds (accumulates) the
/// op's contribution into its inputs' <see cref="Grad"/>. <see cref="Backward"/> orders the graph topologically
/// and calls those functions from the loss back to the leaves, then releases the graph.
/// Inside <see cref="NoGrad"/> nothing is recorded.
/// </remarks>
public sealed class Var
{
    [ThreadStatic] private static int _noGradDepth;

    private Var[] _parents;
    private Action? _backward;

    /// <summary>The value computed in the forward pass.</summary>
    public Tensor Value { get; }

    /// <summary>
    /// d(loss)/d(this), same shape as <see cref="Value"/>; null until a gradient reaches this value
    /// (parameters have one from the start).
    /// </summary>
    public Tensor? Grad { get; private set; }

    /// <summary>True when gradients flow to this value (a parameter, or computed from one while recording).</summary>
    public bool RequiresGrad { get; }

    /// <summary>An optional name, used in messages and checkpoints.</summary>
    public string? Name { get; init; }

    /// <summary>
    /// For a one-hot constant made by <see cref="Ops.OneHot"/>: the hot index of each row. Lets
    /// <see cref="Ops.MatMul"/> gather rows instead of multiplying by zeros (same result, far less work).
    /// </summary>
    internal int[]? OneHotIndices { get; init; }

    private Var(Tensor value, bool requiresGrad, Var[] parents)
    {
        Value = value;
        RequiresGrad = requiresGrad;
        _parents = parents;
    }

    /// <summary>A constant: no gradient is computed for it.</summary>
    public static Var Constant(Tensor value) => new(value, false, []);

    /// <summary>A one-hot constant that remembers its hot indices (made by <see cref="Ops.OneHot"/>).</summary>
    internal static Var OneHot(Tensor value, int[] indices) => new(value, false, []) { OneHotIndices = indices };

    /// <summary>A trainable leaf whose gradient buffer exists from the start (zeros).</summary>
    public static Var Parameter(Tensor value, string? name = null) =>
        new(value, true, []) { Name = name, Grad = Tensor.Zeros(value.Shape.ToArray()) };

    /// <summary>True while a <see cref="NoGrad"/> scope is open on this thread.</summary>
    public static bool IsRecordingDisabled => _noGradDepth > 0;

    /// <summary>
    /// Opens a scope in which ops record nothing (inference, evaluation, parameter updates); dispose it to
    /// resume recording. Scopes nest.
    /// </summary>
    public static IDisposable NoGrad()
    {
        _noGradDepth++;
        return new NoGradScope();
    }

    /// <summary>
    /// Records the result of an op: it requires a gradient when any input does (and recording is on), in which
    /// case <paramref name="backward"/> is kept and called once during <see cref="Backward"/>.
    /// </summary>
    /// <param name="value">The op's output.</param>
    /// <param name="inputs">The op's inputs.</param>
    /// <param name="backward">Given the output variable (whose <see cref="Grad"/> is then set), accumulates into the inputs' gradients;
    /// use <see cref="GradFor"/> to get an input's gradient buffer.</param>
    public static Var FromOp(Tensor value, Var[] inputs, Action<Var> backward)
    {
        bool requires = !IsRecordingDisabled && inputs.Any(v => v.RequiresGrad);
        if (!requires) return new Var(value, false, []);
        var output = new Var(value, true, inputs);
        output._backward = () => backward(output);
        return output;
    }

    /// <summary>
    /// The gradient buffer of an input during a backward function, allocated (zeros) on first use;
    /// null when that input needs no gradient, so the op can skip the work.
    /// </summary>
    public static Tensor? GradFor(Var input)
    {
        if (!input.RequiresGrad) return null;
        return input.Grad ??= Tensor.Zeros(input.Value.Shape.ToArray());
    }

    /// <summary>
    /// During a backward function: when <paramref name="input"/> needs a gradient and has none yet, makes
    /// <paramref name="gradient"/> (a buffer the op gives up, of the input's shape) its gradient and returns true.
    /// Otherwise returns false, and the op adds its part into <see cref="GradFor"/> as usual. It spares an op that
    /// computes its input's whole gradient in a buffer of its own a zeroed buffer and a pass of additions.
    /// </summary>
    internal static bool TryGiveGrad(Var input, Tensor gradient)
    {
        if (!input.RequiresGrad || input.Grad is not null) return false;
        if (!gradient.Shape.SequenceEqual(input.Value.Shape))
            throw new ArgumentException($"A gradient of shape {gradient} for a value of shape {input.Value}.", nameof(gradient));
        input.Grad = gradient;
        return true;
    }

    /// <summary>The same value cut from the graph: gradients stop here (the book's <c>detach</c>).</summary>
    public Var Detach() => new(Value, false, []);

    /// <summary>Sets the gradient to zeros (parameters, before each minibatch).</summary>
    public void ZeroGrad() => Grad?.Span.Clear();

    /// <summary>
    /// Computes d(this)/d(x) for every x this value depends on that requires a gradient, adding into their
    /// <see cref="Grad"/>. This value must hold a single element (a loss). The graph is released afterwards.
    /// </summary>
    public void Backward()
    {
        if (Value.Length != 1)
            throw new InvalidOperationException($"Backward starts from a single-element loss, not {Value}.");
        if (!RequiresGrad) throw new InvalidOperationException("This value does not depend on anything that requires a gradient.");
        var order = TopologicalOrder();
        Grad ??= Tensor.Zeros(Value.Shape.ToArray());
        Grad.Span[0] += 1f;
        for (int i = order.Count - 1; i >= 0; i--)
        {
            var node = order[i];
            node._backward?.Invoke();
            // Release the graph as we go, as PyTorch does: a second backward through it is an error.
            node._backward = null;
            node._parents = [];
        }
    }

    /// <summary>Nodes reachable from this one, each after all of its inputs (iterative, so long unrolled RNNs cannot overflow the stack).</summary>
    private List<Var> TopologicalOrder()
    {
        var order = new List<Var>();
        var visited = new HashSet<Var>(ReferenceEqualityComparer.Instance);
        var stack = new Stack<(Var Node, int Next)>();
        stack.Push((this, 0));
        visited.Add(this);
        while (stack.Count > 0)
        {
            var (node, next) = stack.Pop();
            if (next < node._parents.Length)
            {
                stack.Push((node, next + 1));
                var parent = node._parents[next];
                if (parent.RequiresGrad && visited.Add(parent)) stack.Push((parent, 0));
            }
            else
            {
                order.Add(node);
            }
        }
        return order;
    }

    /// <inheritdoc />
    public override string ToString() => $"Var{(Name is null ? "" : " " + Name)}{Tensor.ShapeString(Value.Shape)}";

    /// <summary>Elementwise sum; a rank-1 right operand is added to every row (a bias).</summary>
    public static Var operator +(Var a, Var b) => Ops.Add(a, b);

    /// <summary>Elementwise difference; a rank-1 right operand is subtracted from every row.</summary>
    public static Var operator -(Var a, Var b) => Ops.Subtract(a, b);

    /// <summary>Elementwise (Hadamard) product.</summary>
    public static Var operator *(Var a, Var b) => Ops.Multiply(a, b);

    /// <summary>Product with a constant.</summary>
    public static Var operator *(Var a, float s) => Ops.Scale(a, s);

    /// <summary>Product with a constant.</summary>
    public static Var operator *(float s, Var a) => Ops.Scale(a, s);

    /// <summary>Matrix product this · other (see <see cref="Ops.MatMul"/>).</summary>
    public Var MatMul(Var other, bool transposeThis = false, bool transposeOther = false) =>
        Ops.MatMul(this, other, transposeThis, transposeOther);

    /// <summary>Elementwise logistic sigmoid.</summary>
    public Var Sigmoid() => Ops.Sigmoid(this);

    /// <summary>Elementwise hyperbolic tangent.</summary>
    public Var Tanh() => Ops.Tanh(this);

    private sealed class NoGradScope : IDisposable
    {
        private bool _disposed;

        public void Dispose()
        {
            if (_disposed) return;
            _disposed = true;
            _noGradDepth--;
        }
    }
}
