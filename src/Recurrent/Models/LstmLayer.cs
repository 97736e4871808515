using Recurrent.Autograd;
using Recurrent.Tensors;

namespace Recurrent.Models;

/// <summary>
/// A fused LSTM layer over one-hot input (the book's concise <c>rnn.LSTM</c>), with a hand-derived backward
/// pass through time. Weights use PyTorch's layout, so they map one to one onto <c>torch.nn.LSTM</c>.
/// </summary>
/// <remarks>
/// Conventions: B batch, T steps, I input size (the vocabulary for one-hot input), H hidden units; gate order
/// i, f, g, o (g is the book's candidate cell C~). <c>W_ih</c> is 4H x I, <c>W_hh</c> 4H x H, two biases of 4H.
/// <code>
/// Xp = W_ih[:, token] + b_ih + b_hh                  (T·B x 4H)  a column gather, no one-hot product
/// for t: Z = Xp[t] + H_{t-1} W_hhᵀ                     (B x 4H)    one GEMM per step
///        I, F, O = σ(Z_i, Z_f, Z_o); G = tanh(Z_g)
///        C_t = F ⊙ C_{t-1} + I ⊙ G;  H_t = O ⊙ tanh(C_t)
/// </code>
/// Backward keeps every step's gates and cells, runs one GEMM per step for dH_{t-1} = dZ_t W_hh, and
/// accumulates dW_hh += dZᵀ H_prev with one GEMM over all steps. Work buffers are allocated once per
/// (T, B) and reused: the step loops allocate nothing. One forward may be awaiting its backward at a time.
/// </remarks>
public sealed class LstmLayer : IRecurrentLayer
{
    private float[] _gates = [];   // T·B x 4H: activated gates i, f, g, o of every step
    private float[] _h = [];       // (T+1)·B x H: h_0, then H_1 .. H_T
    private float[] _c = [];       // (T+1)·B x H: c_0, then C_1 .. C_T
    private float[] _tanhC = [];   // T·B x H
    private float[] _dz = [];      // T·B x 4H
    private float[] _dh = [], _dc = [];   // B x H
    private float[] _biasSum = [], _dBias = [];
    private float[] _dWihT = [];   // I x 4H: dW_ihᵀ rows of the tokens seen, scattered into dW_ih at the end
    private bool[] _seen = [];
    private int[] _tokens = [];
    private Var? _denseInput;      // the dense input of the forward awaiting backward, null for one-hot
    private int _batch, _steps, _version;
    private int _step;                               // the step the cell jobs work on
    private readonly RowJob _cellForward, _cellBackward;
    private readonly PackedMatrix _whhForward = new(), _whhBackward = new();   // W_hhᵀ and W_hh, packed once per sequence

    /// <summary>Sequences per thread below which a step's cell update stays on one thread (the hand-off costs more).</summary>
    private const int MinRowsPerThread = 8;

    /// <summary>Creates a layer with weights from N(0, std²) and zero biases (the book's <c>init.Normal(0.01)</c>).</summary>
    public LstmLayer(int inputSize, int hiddenSize, Rng rng, float std = 0.01f, CellOutput cellOutput = CellOutput.Tanh, int layerIndex = 0)
        : this(Var.Parameter(Tensor.RandomNormal(rng, std, 4 * hiddenSize, inputSize), $"rnn.weight_ih_l{layerIndex}"),
               Var.Parameter(Tensor.RandomNormal(rng, std, 4 * hiddenSize, hiddenSize), $"rnn.weight_hh_l{layerIndex}"),
               Var.Parameter(Tensor.Zeros(4 * hiddenSize), $"rnn.bias_ih_l{layerIndex}"),
               Var.Parameter(Tensor.Zeros(4 * hiddenSize), $"rnn.bias_hh_l{layerIndex}"), cellOutput) { }

    /// <summary>Creates a layer on existing parameters: W_ih (4H x I), W_hh (4H x H), b_ih and b_hh (4H).</summary>
    public LstmLayer(Var weightIH, Var weightHH, Var biasIH, Var biasHH, CellOutput cellOutput = CellOutput.Tanh)
    {
        HiddenSize = weightHH.Value.Columns;
        InputSize = weightIH.Value.Columns;
        int g = 4 * HiddenSize;
        if (weightIH.Value.Rows != g || weightHH.Value.Rows != g || biasIH.Value.Length != g || biasHH.Value.Length != g)
            throw new ArgumentException($"LSTM weights must be 4H x I, 4H x H, 4H and 4H for H = {HiddenSize}.");
        (WeightIH, WeightHH, BiasIH, BiasHH, CellOutput) = (weightIH, weightHH, biasIH, biasHH, cellOutput);
        _cellForward = new RowJob(CellForward);
        _cellBackward = new RowJob(CellBackward);
    }

    /// <summary>I, the input size (the vocabulary for one-hot input).</summary>
    public int InputSize { get; }

    /// <summary>H, the number of hidden units.</summary>
    public int HiddenSize { get; }

    /// <summary>Whether H applies tanh to the memory cell.</summary>
    public CellOutput CellOutput { get; }

    /// <summary>W_ih, 4H x I, rows in gate order i, f, g, o.</summary>
    public Var WeightIH { get; }

    /// <summary>W_hh, 4H x H.</summary>
    public Var WeightHH { get; }

    /// <summary>b_ih, 4H.</summary>
    public Var BiasIH { get; }

    /// <summary>b_hh, 4H.</summary>
    public Var BiasHH { get; }

    /// <summary>The four parameters, in PyTorch's order.</summary>
    public IReadOnlyList<Var> Parameters => [WeightIH, WeightHH, BiasIH, BiasHH];

    /// <summary>A zero state (H, C), each B x H.</summary>
    public RecurrentState BeginState(int batchSize) => ScratchLstm.InitLstmState(batchSize, HiddenSize);

    /// <summary>Runs T steps over one-hot tokens.</summary>
    /// <param name="tokens">T·B token indices in time-major order (index t·B + b).</param>
    /// <param name="batchSize">B.</param>
    /// <param name="steps">T.</param>
    /// <param name="state">(H, C), each B x H.</param>
    /// <returns>The hidden states of all steps, (T·B) x H in time-major order, and the final (H, C).</returns>
    public (Var Outputs, RecurrentState State) Forward(ReadOnlySpan<int> tokens, int batchSize, int steps, RecurrentState state)
    {
        int B = batchSize, T = steps, I = InputSize;
        if (tokens.Length != T * B) throw new ArgumentException($"{tokens.Length} tokens for {T} steps of {B}.");
        Ensure(B, T);
        tokens.CopyTo(_tokens);
        _denseInput = null;

        // Input projections of all steps at once: a gather of W_ih's columns plus both biases.
        Kernels.Add(BiasIH.Value.Span, BiasHH.Value.Span, _biasSum);
        InputProjection.GatherColumns(WeightIH.Value.Span, I, _tokens, _biasSum, _gates, _dWihT);
        return Recur(B, T, state, [WeightIH, WeightHH, BiasIH, BiasHH]);
    }

    /// <summary>Runs T steps over dense inputs (the hidden states of a layer below, or embeddings).</summary>
    /// <param name="inputs">(T·B) x I inputs in time-major order; the gradient flows into them.</param>
    /// <param name="batchSize">B.</param>
    /// <param name="steps">T.</param>
    /// <param name="state">(H, C), each B x H.</param>
    /// <returns>The hidden states of all steps, (T·B) x H in time-major order, and the final (H, C).</returns>
    public (Var Outputs, RecurrentState State) Forward(Var inputs, int batchSize, int steps, RecurrentState state)
    {
        int B = batchSize, T = steps, I = InputSize;
        InputProjection.CheckDense(inputs, T * B, I);
        Ensure(B, T);
        _denseInput = inputs;

        // Input projections of all steps at once: one GEMM, X W_ihᵀ, plus both biases.
        Kernels.Add(BiasIH.Value.Span, BiasHH.Value.Span, _biasSum);
        InputProjection.Dense(inputs.Value.Span, T * B, I, WeightIH.Value.Span, _biasSum, _gates);
        return Recur(B, T, state, [inputs, WeightIH, WeightHH, BiasIH, BiasHH]);
    }

    /// <summary>The recurrence over T steps from the input projections in the gate buffer, recorded as one op.</summary>
    private (Var Outputs, RecurrentState State) Recur(int B, int T, RecurrentState state, Var[] inputs)
    {
        int H = HiddenSize, G = 4 * H;
        InputProjection.CheckState(state, 2, B, H);
        _version++;
        state.Parts[0].Value.Span.CopyTo(_h.AsSpan(0, B * H));
        state.Parts[1].Value.Span.CopyTo(_c.AsSpan(0, B * H));

        var whh = WeightHH.Value;
        _whhForward.Set(transB: true, H, G, whh.Data, whh.Offset, H);   // packed at most once for the T steps
        for (int t = 0; t < T; t++)
        {
            var z = _gates.AsSpan(t * B * G, B * G);
            Gemm.Multiply(false, B, 1f, _h.AsSpan(t * B * H, B * H), H, _whhForward, 1f, z, G);   // Z += H_{t-1} W_hhᵀ
            _step = t;
            _cellForward.Run(B, MinRowsPerThread);
        }

        var outputs = Tensor.Window(_h, B * H, [T * B, H]);
        var finalState = new RecurrentState([
            Var.Constant(new Tensor(_h.AsSpan(T * B * H, B * H).ToArray(), B, H)),
            Var.Constant(new Tensor(_c.AsSpan(T * B * H, B * H).ToArray(), B, H))]);
        int version = _version;
        var result = Var.FromOp(outputs, inputs, output =>
        {
            if (version != _version)
                throw new InvalidOperationException("The LSTM layer ran forward again before this backward: its saved activations are gone.");
            Backward(output.Grad!.Span);
        });
        return (result, finalState);
    }

    /// <summary>Backpropagation through time from dL/dH of every step; accumulates into the four parameter gradients.</summary>
    private void Backward(ReadOnlySpan<float> dOutputs)
    {
        int B = _batch, T = _steps, H = HiddenSize, G = 4 * H, I = InputSize;
        Array.Clear(_dh);
        Array.Clear(_dc);   // the state handed in was detached: nothing flows past step 0
        var whh = WeightHH.Value;
        _whhBackward.Set(transB: false, G, H, whh.Data, whh.Offset, H);
        for (int t = T - 1; t >= 0; t--)
        {
            Kernels.Add(_dh, dOutputs.Slice(t * B * H, B * H), _dh);
            var dz = _dz.AsSpan(t * B * G, B * G);
            _step = t;
            _cellBackward.Run(B, MinRowsPerThread);
            if (t > 0) Gemm.Multiply(false, B, 1f, dz, G, _whhBackward, 0f, _dh, H);   // dH_{t-1} = dZ W_hh
        }

        if (Var.GradFor(WeightHH) is { } dWhh)   // dW_hh += dZᵀ H_prev over all steps: one GEMM
            Gemm.Multiply(true, false, G, H, T * B, 1f, _dz, G, _h, H, 1f, dWhh.Span, H);

        Array.Clear(_dBias);
        Kernels.AccumulateColumnSums(_dz.AsSpan(0, T * B * G), T * B, G, _dBias);
        if (Var.GradFor(BiasIH) is { } dbih) Kernels.Add(dbih.Span, _dBias, dbih.Span);
        if (Var.GradFor(BiasHH) is { } dbhh) Kernels.Add(dbhh.Span, _dBias, dbhh.Span);

        if (_denseInput is { } x)
            InputProjection.DenseBackward(_dz, T * B, G, x.Value.Span, I, WeightIH.Value.Span, Var.GradFor(WeightIH), Var.GradFor(x));
        else if (Var.GradFor(WeightIH) is { } dWih)
            InputProjection.ScatterColumns(_dz.AsSpan(0, T * B * G), _tokens, I, dWih.Span, _dWihT, _seen);
    }

    /// <summary>The cell update of sequences [start, end) at step <see cref="_step"/>: rows are independent, so threads may share a step.</summary>
    private void CellForward(int start, int end)
    {
        int B = _batch, H = HiddenSize, G = 4 * H, t = _step;
        bool linear = CellOutput == CellOutput.Linear;
        for (int b = start; b < end; b++)
        {
            int prev = (t * B + b) * H, next = ((t + 1) * B + b) * H;
            LstmCell.Forward(_gates.AsSpan((t * B + b) * G, G), _c.AsSpan(prev, H), _c.AsSpan(next, H),
                _tanhC.AsSpan(prev, H), _h.AsSpan(next, H), linear);
        }
    }

    /// <summary>Backward through the cell update of sequences [start, end) at step <see cref="_step"/>.</summary>
    private void CellBackward(int start, int end)
    {
        int B = _batch, H = HiddenSize, G = 4 * H, t = _step;
        bool linear = CellOutput == CellOutput.Linear;
        for (int b = start; b < end; b++)
        {
            int row = (t * B + b) * H;
            LstmCell.Backward(_gates.AsSpan((t * B + b) * G, G), _c.AsSpan(row, H), _tanhC.AsSpan(row, H),
                _dh.AsSpan(b * H, H), _dc.AsSpan(b * H, H), _dz.AsSpan((t * B + b) * G, G), linear);
        }
    }

    private void Ensure(int batch, int steps)
    {
        int H = HiddenSize, G = 4 * H;
        if (batch == _batch && steps == _steps) return;
        (_batch, _steps) = (batch, steps);
        _gates = new float[steps * batch * G];
        _dz = new float[steps * batch * G];
        _h = new float[(steps + 1) * batch * H];
        _c = new float[(steps + 1) * batch * H];
        _tanhC = new float[steps * batch * H];
        _dh = new float[batch * H];
        _dc = new float[batch * H];
        _tokens = new int[steps * batch];
        if (_biasSum.Length != G) { _biasSum = new float[G]; _dBias = new float[G]; }
        if (_seen.Length != InputSize) { _seen = new bool[InputSize]; _dWihT = new float[InputSize * G]; }
    }
}
