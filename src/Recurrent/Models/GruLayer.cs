using Recurrent.Autograd;
using Recurrent.Tensors;

namespace Recurrent.Models;

/// <summary>
/// A fused GRU layer (one layer of PyTorch's <c>nn.GRU</c>) with a hand-derived backward pass through time, over
/// one-hot tokens or dense inputs. Weights follow PyTorch's formulation and layout, so they map one to one onto
/// <c>torch.nn.GRU</c>.
/// </summary>
/// <remarks>
/// Conventions: B batch, T steps, I input size (the vocabulary for one-hot input), H hidden units; gate order
/// r, z, n (reset, update, candidate). <c>W_ih</c> is 3H x I, <c>W_hh</c> 3H x H, two biases of 3H.
/// <code>
/// Xp = W_ih[:, token] + b_ih,  or  X W_ihᵀ + b_ih       (T·B x 3H)  all steps at once: a gather, or one GEMM
/// for t: Hp = H_{t-1} W_hhᵀ + b_hh                        (B x 3H)    one GEMM per step
///        r = σ(Xp_r + Hp_r);  z = σ(Xp_z + Hp_z)
///        n = tanh(Xp_n + r ⊙ Hp_n)                        b_hn sits inside the reset gate
///        H_t = (1 - z) ⊙ n + z ⊙ H_{t-1}
/// </code>
/// The book's from-scratch GRU applies the reset gate before the matrix product, tanh(X W_xh + (R ⊙ H) W_hh + b_h);
/// PyTorch and cuDNN apply it after, r ⊙ (H W_hn + b_hn), which lets one GEMM serve all three gates. The two are
/// different functions, not two layouts of one; this layer (and <see cref="ScratchGru"/>) follows PyTorch, so that
/// weights map one to one.
/// Backward, per step, with dXp and dHp the gradients of the pre-activations (see <see cref="GruCell.Backward"/>):
/// <code>
/// dXp = [dr, dz, dn];  dHp = [dr, dz, r ⊙ dn]                              (B x 3H), kept for all steps
/// dH_{t-1} = z ⊙ dH_t + dHp W_hh                                           one GEMM per step
/// dW_hh += dHpᵀ H_prev;  db_hh += colsum(dHp);  db_ih += colsum(dXp)     over all steps at once
/// dW_ih += dXpᵀ X (a scatter by token for one-hot input);  dX = dXp W_ih  one GEMM each
/// </code>
/// Work buffers are allocated once per (T, B) and reused: the step loops allocate nothing.
/// </remarks>
public sealed class GruLayer : IRecurrentLayer
{
    private float[] _gates = [];   // T·B x 3H: Xp, then in place the activated r, z, n of every step
    private float[] _hp = [];      // T·B x 3H: H_{t-1} W_hhᵀ + b_hh of every step (backward needs its n part)
    private float[] _h = [];       // (T+1)·B x H: h_0, then H_1 .. H_T
    private float[] _dxp = [], _dhp = [];   // T·B x 3H
    private float[] _dh = [];      // B x H
    private float[] _dWihT = [];   // I x 3H: dW_ihᵀ rows of the tokens seen, scattered into dW_ih at the end
    private bool[] _seen = [];
    private int[] _tokens = [];
    private int _batch, _steps, _version;

    /// <summary>Creates layer k with weights from N(0, std²) and zero biases (the book's <c>init.Normal(0.01)</c>).</summary>
    public GruLayer(int inputSize, int hiddenSize, Rng rng, float std = 0.01f, int layerIndex = 0)
        : this(Var.Parameter(Tensor.RandomNormal(rng, std, 3 * hiddenSize, inputSize), $"rnn.weight_ih_l{layerIndex}"),
               Var.Parameter(Tensor.RandomNormal(rng, std, 3 * hiddenSize, hiddenSize), $"rnn.weight_hh_l{layerIndex}"),
               Var.Parameter(Tensor.Zeros(3 * hiddenSize), $"rnn.bias_ih_l{layerIndex}"),
               Var.Parameter(Tensor.Zeros(3 * hiddenSize), $"rnn.bias_hh_l{layerIndex}"))
    {
        ArgumentOutOfRangeException.ThrowIfNegative(layerIndex);
    }

    /// <summary>Creates a layer on existing parameters: W_ih (3H x I), W_hh (3H x H), b_ih and b_hh (3H).</summary>
    public GruLayer(Var weightIH, Var weightHH, Var biasIH, Var biasHH)
    {
        _cellForward = new RowJob(CellForward);
        _cellBackward = new RowJob(CellBackward);
        HiddenSize = weightHH.Value.Columns;
        InputSize = weightIH.Value.Columns;
        int g = 3 * HiddenSize;
        if (weightIH.Value.Rows != g || weightHH.Value.Rows != g || biasIH.Value.Length != g || biasHH.Value.Length != g)
            throw new ArgumentException($"GRU weights must be 3H x I, 3H x H, 3H and 3H for H = {HiddenSize}.");
        (WeightIH, WeightHH, BiasIH, BiasHH) = (weightIH, weightHH, biasIH, biasHH);
    }

    /// <inheritdoc />
    public int InputSize { get; }

    /// <inheritdoc />
    public int HiddenSize { get; }

    /// <summary>W_ih, 3H x I, rows in gate order r, z, n.</summary>
    public Var WeightIH { get; }

    /// <summary>W_hh, 3H x H, rows in gate order r, z, n.</summary>
    public Var WeightHH { get; }

    /// <summary>b_ih, 3H.</summary>
    public Var BiasIH { get; }

    /// <summary>b_hh, 3H; its n part is multiplied by the reset gate.</summary>
    public Var BiasHH { get; }

    /// <inheritdoc />
    public IReadOnlyList<Var> Parameters => [WeightIH, WeightHH, BiasIH, BiasHH];

    /// <inheritdoc />
    public RecurrentState BeginState(int batchSize) => ScratchGru.InitGruState(batchSize, HiddenSize);

    /// <inheritdoc />
    public (Var Outputs, RecurrentState State) Forward(ReadOnlySpan<int> tokens, int batchSize, int steps, RecurrentState state)
    {
        if (tokens.Length != steps * batchSize) throw new ArgumentException($"{tokens.Length} tokens for {steps} steps of {batchSize}.");
        Begin(batchSize, steps, state);
        tokens.CopyTo(_tokens);
        if (_seen.Length != InputSize) { _seen = new bool[InputSize]; _dWihT = new float[InputSize * 3 * HiddenSize]; }   // one-hot only
        InputProjection.GatherColumns(WeightIH.Value.Span, InputSize, _tokens, BiasIH.Value.Span, _gates, _dWihT);
        return Run(null);
    }

    /// <inheritdoc />
    public (Var Outputs, RecurrentState State) Forward(Var inputs, int batchSize, int steps, RecurrentState state)
    {
        InputProjection.CheckDense(inputs, steps * batchSize, InputSize);
        Begin(batchSize, steps, state);
        InputProjection.Dense(inputs.Value.Span, steps * batchSize, InputSize, WeightIH.Value.Span, BiasIH.Value.Span, _gates);
        return Run(inputs);
    }

    /// <summary>
    /// The fused GRU holding the same function as a from-scratch one: the gate weights stacked in the order
    /// r, z, n and transposed; b_r, b_z, b_h in b_ih; the scratch model's b_hh (inside the reset gate) in the n part of
    /// b_hh, whose r and z parts are zero. The output layer W_hq, b_q is not part of the layer.
    /// </summary>
    public static GruLayer FromScratch(ScratchGru scratch, int layerIndex = 0)
    {
        var p = scratch.Parameters;
        int I = p[0].Value.Rows, H = scratch.HiddenSize;
        var wih = Tensor.Zeros(3 * H, I);
        var whh = Tensor.Zeros(3 * H, H);
        var bih = Tensor.Zeros(3 * H);
        var bhh = Tensor.Zeros(3 * H);
        // Book order of parameter triples: z (0), r (3), candidate (6); PyTorch gate order: r, z, n.
        int[] tripleOfGate = [3, 0, 6];
        for (int gate = 0; gate < 3; gate++)
        {
            var (wx, wh, bias) = (p[tripleOfGate[gate]].Value, p[tripleOfGate[gate] + 1].Value, p[tripleOfGate[gate] + 2].Value);
            for (int h = 0; h < H; h++)
            {
                for (int i = 0; i < I; i++) wih[gate * H + h, i] = wx[i, h];
                for (int k = 0; k < H; k++) whh[gate * H + h, k] = wh[k, h];
                bih[gate * H + h] = bias[h];
            }
        }
        p[9].Value.Span.CopyTo(bhh.Span.Slice(2 * H, H));
        return new GruLayer(Var.Parameter(wih, $"rnn.weight_ih_l{layerIndex}"), Var.Parameter(whh, $"rnn.weight_hh_l{layerIndex}"),
            Var.Parameter(bih, $"rnn.bias_ih_l{layerIndex}"), Var.Parameter(bhh, $"rnn.bias_hh_l{layerIndex}"));
    }

    /// <summary>Checks the state, sizes the buffers, invalidates any forward still awaiting its backward, and copies h_0.</summary>
    private void Begin(int batchSize, int steps, RecurrentState state)
    {
        InputProjection.CheckState(state, 1, batchSize, HiddenSize);
        Ensure(batchSize, steps);
        _version++;
        state.Parts[0].Value.Span.CopyTo(_h.AsSpan(0, batchSize * HiddenSize));
    }

    /// <summary>The recurrence, once _gates holds the input projections of all steps.</summary>
    private (Var Outputs, RecurrentState State) Run(Var? denseInputs)
    {
        int B = _batch, T = _steps, H = HiddenSize, G = 3 * H;
        var bhh = BiasHH.Value.Span;
        for (int r = 0; r < T * B; r++) bhh.CopyTo(_hp.AsSpan(r * G, G));   // so the per-step GEMM can add into it
        var whh = WeightHH.Value;
        _whhForward.Set(transB: true, H, G, whh.Data, whh.Offset, H);   // packed at most once for the T steps
        for (int t = 0; t < T; t++)
        {
            var hp = _hp.AsSpan(t * B * G, B * G);
            Gemm.Multiply(false, B, 1f, _h.AsSpan(t * B * H, B * H), H, _whhForward, 1f, hp, G);
            _step = t;
            _cellForward.Run(B, MinRowsPerThread);
        }

        var outputs = Tensor.Window(_h, B * H, [T * B, H]);
        var finalState = new RecurrentState([Var.Constant(new Tensor(_h.AsSpan(T * B * H, B * H).ToArray(), B, H))]);
        int version = _version;
        Var[] inputs = denseInputs is null ? [WeightIH, WeightHH, BiasIH, BiasHH] : [denseInputs, WeightIH, WeightHH, BiasIH, BiasHH];
        var result = Var.FromOp(outputs, inputs, output =>
        {
            if (version != _version)
                throw new InvalidOperationException("The GRU layer ran forward again before this backward: its saved activations are gone.");
            Backward(output.Grad!.Span, denseInputs);
        });
        return (result, finalState);
    }

    private int _step;                               // the step the cell jobs work on
    private readonly RowJob _cellForward, _cellBackward;
    private readonly PackedMatrix _whhForward = new(), _whhBackward = new();

    /// <summary>Sequences per thread below which a step's cell update stays on one thread (the hand-off costs more).</summary>
    private const int MinRowsPerThread = 8;

    /// <summary>The cell update of sequences [start, end) at step <see cref="_step"/>: rows are independent, so threads may share a step.</summary>
    private void CellForward(int start, int end)
    {
        int B = _batch, H = HiddenSize, G = 3 * H;
        for (int b = start; b < end; b++)
        {
            int row = _step * B + b;
            GruCell.Forward(_gates.AsSpan(row * G, G), _hp.AsSpan(row * G, G), _h.AsSpan(row * H, H), _h.AsSpan((row + B) * H, H));
        }
    }

    /// <summary>Backward through the cell update of sequences [start, end) at step <see cref="_step"/>.</summary>
    private void CellBackward(int start, int end)
    {
        int B = _batch, H = HiddenSize, G = 3 * H;
        for (int b = start; b < end; b++)
        {
            int row = _step * B + b;
            GruCell.Backward(_gates.AsSpan(row * G, G), _hp.AsSpan(row * G + 2 * H, H), _h.AsSpan(row * H, H),
                _dh.AsSpan(b * H, H), _dxp.AsSpan(row * G, G), _dhp.AsSpan(row * G, G));
        }
    }

    /// <summary>Backpropagation through time from dL/dH of every step; accumulates into the parameter (and dense input) gradients.</summary>
    private void Backward(ReadOnlySpan<float> dOutputs, Var? denseInputs)
    {
        int B = _batch, T = _steps, H = HiddenSize, G = 3 * H, I = InputSize;
        Array.Clear(_dh);   // the state handed in was read as a constant: nothing flows past step 0
        var whh = WeightHH.Value;
        _whhBackward.Set(transB: false, G, H, whh.Data, whh.Offset, H);
        for (int t = T - 1; t >= 0; t--)
        {
            Kernels.Add(_dh, dOutputs.Slice(t * B * H, B * H), _dh);
            _step = t;
            _cellBackward.Run(B, MinRowsPerThread);
            if (t > 0)   // dH_{t-1} = z ⊙ dH_t (already in _dh) + dHp W_hh
                Gemm.Multiply(false, B, 1f, _dhp.AsSpan(t * B * G, B * G), G, _whhBackward, 1f, _dh, H);
        }

        if (Var.GradFor(WeightHH) is { } dWhh)   // dW_hh += dHpᵀ H_prev over all steps: one GEMM
            Gemm.Multiply(true, false, G, H, T * B, 1f, _dhp, G, _h, H, 1f, dWhh.Span, H);
        if (Var.GradFor(BiasIH) is { } dbih) Kernels.AccumulateColumnSums(_dxp, T * B, G, dbih.Span);
        if (Var.GradFor(BiasHH) is { } dbhh) Kernels.AccumulateColumnSums(_dhp, T * B, G, dbhh.Span);

        if (denseInputs is null)
        {
            if (Var.GradFor(WeightIH) is { } dWih) InputProjection.ScatterColumns(_dxp, _tokens, I, dWih.Span, _dWihT, _seen);
        }
        else
        {
            InputProjection.DenseBackward(_dxp, T * B, G, denseInputs.Value.Span, I, WeightIH.Value.Span,
                Var.GradFor(WeightIH), Var.GradFor(denseInputs));
        }
    }

    private void Ensure(int batch, int steps)
    {
        int H = HiddenSize, G = 3 * H;
        if (batch == _batch && steps == _steps) return;
        (_batch, _steps) = (batch, steps);
        _gates = new float[steps * batch * G];
        _hp = new float[steps * batch * G];
        _dxp = new float[steps * batch * G];
        _dhp = new float[steps * batch * G];
        _h = new float[(steps + 1) * batch * H];
        _dh = new float[batch * H];
        _tokens = new int[steps * batch];
    }
}
