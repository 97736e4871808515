using Recurrent.Autograd;
using Recurrent.Tensors;

namespace Recurrent.Models;

/// <summary>
/// The one core of the fused recurrent layers (<see cref="LstmLayer"/>, <see cref="GruLayer"/>,
/// <see cref="TanhRnnLayer"/>): T steps in one call over one-hot tokens or dense inputs, with a hand-derived
/// backward pass through time. A cell supplies only what is its own: its number of gate blocks, its point-wise
/// forward and backward for one sequence at one step, and whether its recurrent projection is kept apart.
/// </summary>
/// <remarks>
/// Conventions: B batch, T steps, I input size (the vocabulary for one-hot input), H hidden units, G = gates·H.
/// Rows are time-major: row t·B + b is sequence b at step t. W_ih is G x I, W_hh G x H, two biases of G, in
/// PyTorch's layout and names (<c>rnn.weight_ih_l{k}</c>, …).
/// <code>
/// Xp = W_ih[:, token] + bias,  or  X W_ihᵀ + bias       (T·B x G)  all steps at once: a gather, or one GEMM
/// for t:  Xp[t] += H_{t-1} W_hhᵀ                         (B x G)    one GEMM per step (LSTM, RNN; bias = b_ih + b_hh)
///    or:  Hp[t]  = H_{t-1} W_hhᵀ + b_hh                  (B x G)    kept apart when the cell needs it (GRU; bias = b_ih)
///         cell forward, row by row                                  activates the gates in place, writes H_t
/// backward, for t = T-1 .. 0:
///         dH_t += dOutputs[t];  cell backward                       dXp[t] (and dHp[t] when apart)
///         dH_{t-1} = (cell's direct part) + dHp[t] W_hh               one GEMM per step
/// dW_hh += dHpᵀ H_prev;  db_ih += colsum(dXp);  db_hh += colsum(dHp)  over all steps at once (dHp is dXp unless apart)
/// dW_ih += dXpᵀ X (a scatter by token for one-hot input);  dX += dXp W_ih
/// </code>
/// The state handed in is read as a constant: gradients stop at step 0, as truncated backpropagation through time
/// between minibatches wants. Work buffers are allocated once per (T, B) and reused, and W_hh is packed at most
/// once per sequence, so the step loops allocate nothing. One forward may await its backward at a time: running
/// forward again invalidates it.
/// </remarks>
public abstract class FusedRecurrentLayer : IRecurrentLayer
{
    /// <summary>Sequences per thread below which a step's cell update stays on one thread (the hand-off costs more).</summary>
    private const int MinRowsPerThread = 8;

    private readonly string _cellName;
    private readonly bool _recurrentApart, _directHiddenGradient;
    private readonly int _stateParts;
    private readonly RowJob _cellForward, _cellBackward;
    private readonly PackedMatrix _whhForward = new(), _whhBackward = new();   // W_hhᵀ and W_hh
    private float[] _bias = [], _biasGradient = [];   // G: the bias added to Xp; a column sum of dXp
    private float[] _dWihT = [];   // I x G: dW_ihᵀ rows of the tokens seen, scattered into dW_ih (one-hot input)
    private bool[] _seen = [];
    private int[] _tokens = [];
    private Var? _denseInput;      // the dense input of the forward awaiting backward, null for one-hot
    private int _version, _step;   // the forward awaiting backward; the step the cell jobs work on

    /// <summary>Creates the layer on its four parameters and checks their shapes.</summary>
    /// <param name="weightIH">W_ih, G x I.</param>
    /// <param name="weightHH">W_hh, G x H.</param>
    /// <param name="biasIH">b_ih, G.</param>
    /// <param name="biasHH">b_hh, G.</param>
    /// <param name="gates">The number of gate blocks of H rows: 4 (LSTM), 3 (GRU), 1 (RNN).</param>
    /// <param name="stateParts">The tensors of the state: 2 (H, C) for an LSTM, 1 (H) otherwise.</param>
    /// <param name="recurrentApart">
    /// Whether H_{t-1} W_hhᵀ + b_hh is kept apart from Xp (the GRU's reset gate multiplies part of it); otherwise it
    /// is added into Xp and both biases are summed into Xp once.
    /// </param>
    /// <param name="directHiddenGradient">Whether the cell's backward leaves a direct part of dH_{t-1} in dH (the GRU's z ⊙ dH_t).</param>
    /// <param name="cellName">The cell's name, for messages.</param>
    protected FusedRecurrentLayer(Var weightIH, Var weightHH, Var biasIH, Var biasHH, int gates, int stateParts,
        bool recurrentApart, bool directHiddenGradient, string cellName)
    {
        ArgumentNullException.ThrowIfNull(weightIH);
        ArgumentNullException.ThrowIfNull(weightHH);
        ArgumentNullException.ThrowIfNull(biasIH);
        ArgumentNullException.ThrowIfNull(biasHH);
        HiddenSize = weightHH.Value.Columns;
        InputSize = weightIH.Value.Columns;
        Width = gates * HiddenSize;
        if (weightIH.Value.Rows != Width || weightHH.Value.Rows != Width || biasIH.Value.Length != Width || biasHH.Value.Length != Width)
        {
            string g = gates == 1 ? "H" : $"{gates}H";
            throw new ArgumentException($"{cellName} weights must be {g} x I, {g} x H, {g} and {g} for H = {HiddenSize}.");
        }
        (WeightIH, WeightHH, BiasIH, BiasHH) = (weightIH, weightHH, biasIH, biasHH);
        (_stateParts, _recurrentApart, _directHiddenGradient, _cellName) = (stateParts, recurrentApart, directHiddenGradient, cellName);
        _cellForward = new RowJob(CellForwardRows);
        _cellBackward = new RowJob(CellBackwardRows);
    }

    /// <summary>Draws W_ih (G x I) and W_hh (G x H) from N(0, std²) with zero biases, named for layer <paramref name="layerIndex"/>.</summary>
    protected static (Var WeightIH, Var WeightHH, Var BiasIH, Var BiasHH) RandomParameters(int gates, int inputSize, int hiddenSize,
        Rng rng, float std, int layerIndex)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(layerIndex);
        int g = gates * hiddenSize;
        return (Var.Parameter(Tensor.RandomNormal(rng, std, g, inputSize), $"rnn.weight_ih_l{layerIndex}"),
                Var.Parameter(Tensor.RandomNormal(rng, std, g, hiddenSize), $"rnn.weight_hh_l{layerIndex}"),
                Var.Parameter(Tensor.Zeros(g), $"rnn.bias_ih_l{layerIndex}"),
                Var.Parameter(Tensor.Zeros(g), $"rnn.bias_hh_l{layerIndex}"));
    }

    /// <summary>Names the four tensors of a layer converted from a from-scratch model as layer <paramref name="layerIndex"/>.</summary>
    protected static (Var WeightIH, Var WeightHH, Var BiasIH, Var BiasHH) NamedParameters(Tensor weightIH, Tensor weightHH,
        Tensor biasIH, Tensor biasHH, int layerIndex) =>
        (Var.Parameter(weightIH, $"rnn.weight_ih_l{layerIndex}"), Var.Parameter(weightHH, $"rnn.weight_hh_l{layerIndex}"),
         Var.Parameter(biasIH, $"rnn.bias_ih_l{layerIndex}"), Var.Parameter(biasHH, $"rnn.bias_hh_l{layerIndex}"));

    /// <inheritdoc />
    public int InputSize { get; }

    /// <inheritdoc />
    public int HiddenSize { get; }

    /// <summary>W_ih, G x I, rows in the cell's gate order.</summary>
    public Var WeightIH { get; }

    /// <summary>W_hh, G x H.</summary>
    public Var WeightHH { get; }

    /// <summary>b_ih, G.</summary>
    public Var BiasIH { get; }

    /// <summary>b_hh, G.</summary>
    public Var BiasHH { get; }

    /// <inheritdoc />
    public IReadOnlyList<Var> Parameters => [WeightIH, WeightHH, BiasIH, BiasHH];

    /// <summary>G, the width of a gate row: gates · H.</summary>
    protected int Width { get; }

    /// <summary>B of the forward awaiting backward.</summary>
    protected int Batch { get; private set; }

    /// <summary>T of the forward awaiting backward.</summary>
    protected int Steps { get; private set; }

    /// <summary>T·B x G: the input projections, then (by the cell) the activated gates of every step.</summary>
    protected float[] Gates { get; private set; } = [];

    /// <summary>T·B x G: H_{t-1} W_hhᵀ + b_hh of every step, for a cell that keeps it apart; empty otherwise.</summary>
    protected float[] RecurrentProjections { get; private set; } = [];

    /// <summary>(T+1)·B x H: h_0, then H_1 .. H_T.</summary>
    protected float[] Hidden { get; private set; } = [];

    /// <summary>T·B x G: dL/dXp of every step.</summary>
    protected float[] GateGradients { get; private set; } = [];

    /// <summary>T·B x G: dL/dHp of every step; the same array as <see cref="GateGradients"/> unless the cell keeps Hp apart.</summary>
    protected float[] RecurrentGradients { get; private set; } = [];

    /// <summary>B x H: dL/dH at the step being worked back through.</summary>
    protected float[] HiddenGradient { get; private set; } = [];

    /// <inheritdoc />
    public RecurrentState BeginState(int batchSize) =>
        new(Enumerable.Range(0, _stateParts).Select(_ => Var.Constant(Tensor.Zeros(batchSize, HiddenSize))).ToArray());

    /// <inheritdoc />
    public (Var Outputs, RecurrentState State) Forward(ReadOnlySpan<int> tokens, int batchSize, int steps, RecurrentState state)
    {
        if (tokens.Length != steps * batchSize) throw new ArgumentException($"{tokens.Length} tokens for {steps} steps of {batchSize}.", nameof(tokens));
        Begin(batchSize, steps, state);
        tokens.CopyTo(_tokens);
        if (_seen.Length != InputSize) { _seen = new bool[InputSize]; _dWihT = new float[InputSize * Width]; }   // one-hot only
        _denseInput = null;
        InputProjection.GatherColumns(WeightIH.Value.Span, InputSize, _tokens, _bias, Gates, _dWihT);
        return Recur();
    }

    /// <inheritdoc />
    public (Var Outputs, RecurrentState State) Forward(Var inputs, int batchSize, int steps, RecurrentState state)
    {
        InputProjection.CheckDense(inputs, steps * batchSize, InputSize);
        Begin(batchSize, steps, state);
        _denseInput = inputs;
        InputProjection.Dense(inputs.Value.Span, steps * batchSize, InputSize, WeightIH.Value.Span, _bias, Gates);
        return Recur();
    }

    /// <summary>Sizes the cell's own buffers for (T, B); called when either changes.</summary>
    protected virtual void AllocateCell(int steps, int batch) { }

    /// <summary>Copies the cell's own part of the initial state (an LSTM's C) into its buffers.</summary>
    protected virtual void BeginCell(RecurrentState state) { }

    /// <summary>The state after the last step: H_T, then the cell's own parts.</summary>
    protected virtual RecurrentState FinalState() => new([LastStep(Hidden)]);

    /// <summary>A copy of the last step's B x H rows of a (T+1)·B x H buffer, as a constant.</summary>
    protected Var LastStep(float[] buffer) =>
        Var.Constant(new Tensor(buffer.AsSpan(Steps * Batch * HiddenSize, Batch * HiddenSize).ToArray(), Batch, HiddenSize));

    /// <summary>The cell's point-wise forward for sequence <paramref name="b"/> at step <paramref name="t"/>.</summary>
    protected abstract void CellForward(int t, int b);

    /// <summary>
    /// The cell's point-wise backward for sequence <paramref name="b"/> at step <paramref name="t"/>: from dL/dH_t in
    /// <see cref="HiddenGradient"/> (and the cell's own carried gradients) to dXp (and dHp).
    /// </summary>
    protected abstract void CellBackward(int t, int b);

    /// <summary>Checks the state, sizes the buffers, invalidates any forward still awaiting its backward, copies the state in and sets the bias.</summary>
    private void Begin(int batchSize, int steps, RecurrentState state)
    {
        InputProjection.CheckState(state, _stateParts, batchSize, HiddenSize);
        Ensure(batchSize, steps);
        _version++;
        state.Parts[0].Value.Span.CopyTo(Hidden.AsSpan(0, batchSize * HiddenSize));
        BeginCell(state);
        if (_recurrentApart) BiasIH.Value.Span.CopyTo(_bias);
        else Kernels.Add(BiasIH.Value.Span, BiasHH.Value.Span, _bias);
    }

    /// <summary>The recurrence over T steps from the input projections in <see cref="Gates"/>, recorded as one op.</summary>
    private (Var Outputs, RecurrentState State) Recur()
    {
        int B = Batch, T = Steps, H = HiddenSize, G = Width;
        var whh = WeightHH.Value;
        _whhForward.Set(transB: true, H, G, whh.Data, whh.Offset, H);   // packed at most once for the T steps
        if (_recurrentApart)
        {
            var bhh = BiasHH.Value.Span;
            for (int r = 0; r < T * B; r++) bhh.CopyTo(RecurrentProjections.AsSpan(r * G, G));   // the GEMM adds into it
        }
        var product = _recurrentApart ? RecurrentProjections : Gates;
        for (int t = 0; t < T; t++)
        {
            Gemm.Multiply(false, B, 1f, Hidden.AsSpan(t * B * H, B * H), H, _whhForward, 1f, product.AsSpan(t * B * G, B * G), G);
            _step = t;
            _cellForward.Run(B, MinRowsPerThread);
        }

        var outputs = Tensor.Window(Hidden, B * H, [T * B, H]);
        var finalState = FinalState();
        int version = _version;
        var dense = _denseInput;
        Var[] inputs = dense is null ? [.. Parameters] : [dense, .. Parameters];
        var result = Var.FromOp(outputs, inputs, output =>
        {
            if (version != _version)
                throw new InvalidOperationException($"The {_cellName} layer ran forward again before this backward: its saved activations are gone.");
            Backward(output.Grad!.Span, dense);
        });
        return (result, finalState);
    }

    /// <summary>Backpropagation through time from dL/dH of every step; accumulates into the parameter (and dense input) gradients.</summary>
    private void Backward(ReadOnlySpan<float> dOutputs, Var? dense)
    {
        int B = Batch, T = Steps, H = HiddenSize, G = Width, I = InputSize;
        Array.Clear(HiddenGradient);   // the state handed in was read as a constant: nothing flows past step 0
        ClearCellGradients();
        var whh = WeightHH.Value;
        _whhBackward.Set(transB: false, G, H, whh.Data, whh.Offset, H);
        float beta = _directHiddenGradient ? 1f : 0f;
        for (int t = T - 1; t >= 0; t--)
        {
            Kernels.Add(HiddenGradient, dOutputs.Slice(t * B * H, B * H), HiddenGradient);
            _step = t;
            _cellBackward.Run(B, MinRowsPerThread);
            if (t > 0)   // dH_{t-1} = (direct part) + dHp W_hh
                Gemm.Multiply(false, B, 1f, RecurrentGradients.AsSpan(t * B * G, B * G), G, _whhBackward, beta, HiddenGradient, H);
        }

        if (Var.GradFor(WeightHH) is { } dWhh)   // dW_hh += dHpᵀ H_prev over all steps: one GEMM
            Gemm.Multiply(true, false, G, H, T * B, 1f, RecurrentGradients, G, Hidden, H, 1f, dWhh.Span, H);
        if (_recurrentApart)
        {
            if (Var.GradFor(BiasIH) is { } dbih) Kernels.AccumulateColumnSums(GateGradients, T * B, G, dbih.Span);
            if (Var.GradFor(BiasHH) is { } dbhh) Kernels.AccumulateColumnSums(RecurrentGradients, T * B, G, dbhh.Span);
        }
        else   // both biases were one sum: the same gradient, summed once
        {
            Array.Clear(_biasGradient);
            Kernels.AccumulateColumnSums(GateGradients, T * B, G, _biasGradient);
            if (Var.GradFor(BiasIH) is { } dbih) Kernels.Add(dbih.Span, _biasGradient, dbih.Span);
            if (Var.GradFor(BiasHH) is { } dbhh) Kernels.Add(dbhh.Span, _biasGradient, dbhh.Span);
        }

        if (dense is not null)
            InputProjection.DenseBackward(GateGradients, T * B, G, dense.Value.Span, I, WeightIH.Value.Span, Var.GradFor(WeightIH), Var.GradFor(dense));
        else if (Var.GradFor(WeightIH) is { } dWih)
            InputProjection.ScatterColumns(GateGradients, _tokens, I, dWih.Span, _dWihT, _seen);
    }

    /// <summary>Clears the gradients the cell carries from step to step besides dH (an LSTM's dC).</summary>
    protected virtual void ClearCellGradients() { }

    private void CellForwardRows(int start, int end)
    {
        for (int b = start; b < end; b++) CellForward(_step, b);
    }

    private void CellBackwardRows(int start, int end)
    {
        for (int b = start; b < end; b++) CellBackward(_step, b);
    }

    private void Ensure(int batch, int steps)
    {
        int H = HiddenSize, G = Width;
        if (_bias.Length != G) { _bias = new float[G]; _biasGradient = new float[G]; }
        if (batch == Batch && steps == Steps) return;
        (Batch, Steps) = (batch, steps);
        Gates = new float[steps * batch * G];
        GateGradients = new float[steps * batch * G];
        RecurrentProjections = _recurrentApart ? new float[steps * batch * G] : [];
        RecurrentGradients = _recurrentApart ? new float[steps * batch * G] : GateGradients;
        Hidden = new float[(steps + 1) * batch * H];
        HiddenGradient = new float[batch * H];
        _tokens = new int[steps * batch];
        AllocateCell(steps, batch);
    }
}
