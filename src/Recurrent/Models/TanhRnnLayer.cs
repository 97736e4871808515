using Recurrent.Autograd;
using Recurrent.Tensors;

namespace Recurrent.Models;

/// <summary>
/// A fused plain recurrent layer with tanh (one layer of PyTorch's <c>nn.RNN</c>, its default non-linearity), with a
/// hand-derived backward pass through time, over one-hot tokens or dense inputs. Weights use PyTorch's layout, so
/// they map one to one onto <c>torch.nn.RNN</c>.
/// </summary>
/// <remarks>
/// Named for what it computes: "RnnLayer" would read as the layer of <see cref="RnnModel"/>, which is the book's
/// model class and holds an LSTM. Conventions: B batch, T steps, I input size (the vocabulary for one-hot input),
/// H hidden units. <c>W_ih</c> is H x I, <c>W_hh</c> H x H, two biases of H.
/// <code>
/// Xp = W_ih[:, token] + b_ih + b_hh,  or  X W_ihᵀ + b_ih + b_hh   (T·B x H)  all steps at once: a gather, or one GEMM
/// for t: H_t = tanh(Xp[t] + H_{t-1} W_hhᵀ)                          (B x H)    one GEMM per step
/// </code>
/// Backward:
/// <code>
/// dZ_t = dH_t ⊙ (1 - H_t²);  dH_{t-1} = dZ_t W_hh                one GEMM per step
/// dW_hh += dZᵀ H_prev;  db_ih, db_hh += colsum(dZ)              over all steps at once
/// dW_ih += dZᵀ X (a scatter by token for one-hot input);  dX = dZ W_ih
/// </code>
/// The point-wise work is <see cref="Kernels.Tanh"/> and <see cref="Kernels.AccumulateTanhBackward"/>, vectorized
/// kernels with their own scalar references. Work buffers are allocated once per (T, B): the step loops allocate nothing.
/// </remarks>
public sealed class TanhRnnLayer : IRecurrentLayer
{
    private float[] _h = [];        // (T+1)·B x H: h_0, then H_1 .. H_T (row block t+1 holds Xp[t], then Z_t, then H_t)
    private float[] _dz = [];       // T·B x H: dL/dZ of every step
    private float[] _dh = [];       // B x H
    private float[] _biasSum = [];  // H: b_ih + b_hh, added once to every step's projection
    private float[] _dWihT = [];    // I x H: dW_ihᵀ rows of the tokens seen, scattered into dW_ih at the end
    private bool[] _seen = [];
    private int[] _tokens = [];
    private int _batch, _steps, _version;

    /// <summary>Creates layer k with weights from N(0, std²) and zero biases (the book's <c>init.Normal(0.01)</c>).</summary>
    public TanhRnnLayer(int inputSize, int hiddenSize, Rng rng, float std = 0.01f, int layerIndex = 0)
        : this(Var.Parameter(Tensor.RandomNormal(rng, std, hiddenSize, inputSize), $"rnn.weight_ih_l{layerIndex}"),
               Var.Parameter(Tensor.RandomNormal(rng, std, hiddenSize, hiddenSize), $"rnn.weight_hh_l{layerIndex}"),
               Var.Parameter(Tensor.Zeros(hiddenSize), $"rnn.bias_ih_l{layerIndex}"),
               Var.Parameter(Tensor.Zeros(hiddenSize), $"rnn.bias_hh_l{layerIndex}"))
    {
        ArgumentOutOfRangeException.ThrowIfNegative(layerIndex);
    }

    /// <summary>Creates a layer on existing parameters: W_ih (H x I), W_hh (H x H), b_ih and b_hh (H).</summary>
    public TanhRnnLayer(Var weightIH, Var weightHH, Var biasIH, Var biasHH)
    {
        HiddenSize = weightHH.Value.Columns;
        InputSize = weightIH.Value.Columns;
        int h = HiddenSize;
        if (weightIH.Value.Rows != h || weightHH.Value.Rows != h || biasIH.Value.Length != h || biasHH.Value.Length != h)
            throw new ArgumentException($"RNN weights must be H x I, H x H, H and H for H = {HiddenSize}.");
        (WeightIH, WeightHH, BiasIH, BiasHH) = (weightIH, weightHH, biasIH, biasHH);
    }

    /// <inheritdoc />
    public int InputSize { get; }

    /// <inheritdoc />
    public int HiddenSize { get; }

    /// <summary>W_ih, H x I.</summary>
    public Var WeightIH { get; }

    /// <summary>W_hh, H x H.</summary>
    public Var WeightHH { get; }

    /// <summary>b_ih, H.</summary>
    public Var BiasIH { get; }

    /// <summary>b_hh, H.</summary>
    public Var BiasHH { get; }

    /// <inheritdoc />
    public IReadOnlyList<Var> Parameters => [WeightIH, WeightHH, BiasIH, BiasHH];

    /// <inheritdoc />
    public RecurrentState BeginState(int batchSize) => ScratchRnn.InitRnnState(batchSize, HiddenSize);

    /// <inheritdoc />
    public (Var Outputs, RecurrentState State) Forward(ReadOnlySpan<int> tokens, int batchSize, int steps, RecurrentState state)
    {
        if (tokens.Length != steps * batchSize) throw new ArgumentException($"{tokens.Length} tokens for {steps} steps of {batchSize}.");
        Begin(batchSize, steps, state);
        tokens.CopyTo(_tokens);
        if (_seen.Length != InputSize) { _seen = new bool[InputSize]; _dWihT = new float[InputSize * HiddenSize]; }   // one-hot only
        InputProjection.GatherColumns(WeightIH.Value.Span, InputSize, _tokens, _biasSum, Projections, _dWihT);
        return Run(null);
    }

    /// <inheritdoc />
    public (Var Outputs, RecurrentState State) Forward(Var inputs, int batchSize, int steps, RecurrentState state)
    {
        InputProjection.CheckDense(inputs, steps * batchSize, InputSize);
        Begin(batchSize, steps, state);
        InputProjection.Dense(inputs.Value.Span, steps * batchSize, InputSize, WeightIH.Value.Span, _biasSum, Projections);
        return Run(inputs);
    }

    /// <summary>
    /// The fused RNN holding the same function as a from-scratch one: W_ih = W_xhᵀ, W_hh = W_hhᵀ, the book's single
    /// bias in b_ih and zeros in b_hh. The output layer W_hq, b_q is not part of the layer.
    /// </summary>
    public static TanhRnnLayer FromScratch(ScratchRnn scratch, int layerIndex = 0)
    {
        var p = scratch.Parameters;
        int I = p[0].Value.Rows, H = scratch.HiddenSize;
        var wih = Tensor.Zeros(H, I);
        var whh = Tensor.Zeros(H, H);
        for (int h = 0; h < H; h++)
        {
            for (int i = 0; i < I; i++) wih[h, i] = p[0].Value[i, h];
            for (int k = 0; k < H; k++) whh[h, k] = p[1].Value[k, h];
        }
        return new TanhRnnLayer(Var.Parameter(wih, $"rnn.weight_ih_l{layerIndex}"), Var.Parameter(whh, $"rnn.weight_hh_l{layerIndex}"),
            Var.Parameter(p[2].Value.Clone(), $"rnn.bias_ih_l{layerIndex}"), Var.Parameter(Tensor.Zeros(H), $"rnn.bias_hh_l{layerIndex}"));
    }

    /// <summary>Rows 1..T of _h, where the input projections go before the recurrence turns them into H_1 .. H_T.</summary>
    private Span<float> Projections => _h.AsSpan(_batch * HiddenSize, _steps * _batch * HiddenSize);

    /// <summary>Checks the state, sizes the buffers, invalidates any forward still awaiting its backward, copies h_0 and sums the biases.</summary>
    private void Begin(int batchSize, int steps, RecurrentState state)
    {
        InputProjection.CheckState(state, 1, batchSize, HiddenSize);
        Ensure(batchSize, steps);
        _version++;
        state.Parts[0].Value.Span.CopyTo(_h.AsSpan(0, batchSize * HiddenSize));
        Kernels.Add(BiasIH.Value.Span, BiasHH.Value.Span, _biasSum);
    }

    /// <summary>The recurrence, once rows 1..T of _h hold the input projections of all steps.</summary>
    private (Var Outputs, RecurrentState State) Run(Var? denseInputs)
    {
        int B = _batch, T = _steps, H = HiddenSize;
        var whh = WeightHH.Value.Span;
        for (int t = 0; t < T; t++)
        {
            var z = _h.AsSpan((t + 1) * B * H, B * H);
            Gemm.Multiply(false, true, B, H, H, 1f, _h.AsSpan(t * B * H, B * H), H, whh, H, 1f, z, H);
            Kernels.Tanh(z, z);
        }

        var outputs = Tensor.Window(_h, B * H, [T * B, H]);
        var finalState = new RecurrentState([Var.Constant(new Tensor(_h.AsSpan(T * B * H, B * H).ToArray(), B, H))]);
        int version = _version;
        Var[] inputs = denseInputs is null ? [WeightIH, WeightHH, BiasIH, BiasHH] : [denseInputs, WeightIH, WeightHH, BiasIH, BiasHH];
        var result = Var.FromOp(outputs, inputs, output =>
        {
            if (version != _version)
                throw new InvalidOperationException("The RNN layer ran forward again before this backward: its saved activations are gone.");
            Backward(output.Grad!.Span, denseInputs);
        });
        return (result, finalState);
    }

    /// <summary>Backpropagation through time from dL/dH of every step; accumulates into the parameter (and dense input) gradients.</summary>
    private void Backward(ReadOnlySpan<float> dOutputs, Var? denseInputs)
    {
        int B = _batch, T = _steps, H = HiddenSize, I = InputSize;
        Array.Clear(_dh);   // the state handed in was read as a constant: nothing flows past step 0
        var whh = WeightHH.Value.Span;
        for (int t = T - 1; t >= 0; t--)
        {
            Kernels.Add(_dh, dOutputs.Slice(t * B * H, B * H), _dh);
            var dz = _dz.AsSpan(t * B * H, B * H);
            dz.Clear();
            Kernels.AccumulateTanhBackward(_h.AsSpan((t + 1) * B * H, B * H), _dh, dz);
            if (t > 0) Gemm.Multiply(false, false, B, H, H, 1f, dz, H, whh, H, 0f, _dh, H);   // dH_{t-1} = dZ_t W_hh
        }

        if (Var.GradFor(WeightHH) is { } dWhh)   // dW_hh += dZᵀ H_prev over all steps: one GEMM
            Gemm.Multiply(true, false, H, H, T * B, 1f, _dz, H, _h, H, 1f, dWhh.Span, H);
        if (Var.GradFor(BiasIH) is { } dbih) Kernels.AccumulateColumnSums(_dz, T * B, H, dbih.Span);
        if (Var.GradFor(BiasHH) is { } dbhh) Kernels.AccumulateColumnSums(_dz, T * B, H, dbhh.Span);

        if (denseInputs is null)
        {
            if (Var.GradFor(WeightIH) is { } dWih) InputProjection.ScatterColumns(_dz, _tokens, I, dWih.Span, _dWihT, _seen);
        }
        else
        {
            InputProjection.DenseBackward(_dz, T * B, H, denseInputs.Value.Span, I, WeightIH.Value.Span,
                Var.GradFor(WeightIH), Var.GradFor(denseInputs));
        }
    }

    private void Ensure(int batch, int steps)
    {
        int H = HiddenSize;
        if (_biasSum.Length != H) _biasSum = new float[H];
        if (batch == _batch && steps == _steps) return;
        (_batch, _steps) = (batch, steps);
        _h = new float[(steps + 1) * batch * H];
        _dz = new float[steps * batch * H];
        _dh = new float[batch * H];
        _tokens = new int[steps * batch];
    }
}
