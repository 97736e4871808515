using Recurrent.Autograd;
using Recurrent.Tensors;

namespace Recurrent.Models;

/// <summary>
/// A fused LSTM layer (the book's concise <c>rnn.LSTM</c>, one layer of PyTorch's <c>nn.LSTM</c>) on the shared
/// <see cref="FusedRecurrentLayer"/> core. Weights use PyTorch's layout, so they map one to one onto <c>torch.nn.LSTM</c>.
/// </summary>
/// <remarks>
/// Conventions: B batch, T steps, I input size, H hidden units; gate order i, f, g, o (g is the book's candidate
/// cell C~). <c>W_ih</c> is 4H x I, <c>W_hh</c> 4H x H, two biases of 4H, summed into the input projection.
/// <code>
/// Z = Xp[t] + H_{t-1} W_hhᵀ                    (B x 4H)   the core's per-step GEMM
/// I, F, O = σ(Z_i, Z_f, Z_o); G = tanh(Z_g)
/// C_t = F ⊙ C_{t-1} + I ⊙ G;  H_t = O ⊙ tanh(C_t)   (O ⊙ C_t with <see cref="CellOutput.Linear"/>)
/// </code>
/// Backward (<see cref="LstmCell.Backward"/>) keeps every step's gates, C_t and tanh(C_t), and carries dC from step
/// to step beside the core's dH.
/// </remarks>
public sealed class LstmLayer : FusedRecurrentLayer
{
    private const int Gates4 = 4;
    private float[] _c = [];       // (T+1)·B x H: c_0, then C_1 .. C_T
    private float[] _tanhC = [];   // T·B x H
    private float[] _dc = [];      // B x H

    /// <summary>Creates layer k with weights from N(0, std²) and zero biases (the book's <c>init.Normal(0.01)</c>).</summary>
    public LstmLayer(int inputSize, int hiddenSize, Rng rng, float std = 0.01f, CellOutput cellOutput = CellOutput.Tanh, int layerIndex = 0)
        : this(RandomParameters(Gates4, inputSize, hiddenSize, rng, std, layerIndex), cellOutput) { }

    /// <summary>Creates a layer on existing parameters: W_ih (4H x I), W_hh (4H x H), b_ih and b_hh (4H).</summary>
    public LstmLayer(Var weightIH, Var weightHH, Var biasIH, Var biasHH, CellOutput cellOutput = CellOutput.Tanh)
        : base(weightIH, weightHH, biasIH, biasHH, Gates4, stateParts: 2, recurrentApart: false, directHiddenGradient: false, "LSTM")
    {
        CellOutput = cellOutput;
    }

    private LstmLayer((Var, Var, Var, Var) p, CellOutput cellOutput) : this(p.Item1, p.Item2, p.Item3, p.Item4, cellOutput) { }

    /// <summary>Whether H applies tanh to the memory cell.</summary>
    public CellOutput CellOutput { get; }

    /// <summary>
    /// The fused layer holding the same function as a from-scratch LSTM: gate weights stacked in the order i, f, g, o
    /// and transposed, the book's single bias per gate in b_ih (b_hh zero). The output layer W_hq, b_q is not part of it.
    /// </summary>
    public static LstmLayer FromScratch(ScratchLstm scratch, int layerIndex = 0)
    {
        ArgumentNullException.ThrowIfNull(scratch);
        // Book order of parameter triples: i (0), f (3), o (6), c~ (9); PyTorch gate order: i, f, g, o.
        var (wih, whh, bih) = StackGates(scratch.Parameters, [0, 3, 9, 6], scratch.HiddenSize);
        var p = NamedParameters(wih, whh, bih, Tensor.Zeros(bih.Length), layerIndex);
        return new LstmLayer(p.WeightIH, p.WeightHH, p.BiasIH, p.BiasHH, scratch.CellOutput);
    }

    /// <summary>
    /// W_ih (G x I), W_hh (G x H) and b (G) from the book's per-gate triples (W_x* I x H, W_h* H x H, b_* H), gate k
    /// of the fused layout taken from the triple starting at <paramref name="tripleOfGate"/>[k], each matrix transposed.
    /// </summary>
    internal static (Tensor WeightIH, Tensor WeightHH, Tensor Bias) StackGates(IReadOnlyList<Var> p, int[] tripleOfGate, int H)
    {
        int I = p[0].Value.Rows, gates = tripleOfGate.Length;
        var wih = Tensor.Zeros(gates * H, I);
        var whh = Tensor.Zeros(gates * H, H);
        var bih = Tensor.Zeros(gates * H);
        for (int gate = 0; gate < gates; gate++)
        {
            var (wx, wh, bias) = (p[tripleOfGate[gate]].Value, p[tripleOfGate[gate] + 1].Value, p[tripleOfGate[gate] + 2].Value);
            for (int h = 0; h < H; h++)
            {
                for (int i = 0; i < I; i++) wih[gate * H + h, i] = wx[i, h];
                for (int k = 0; k < H; k++) whh[gate * H + h, k] = wh[k, h];
                bih[gate * H + h] = bias[h];
            }
        }
        return (wih, whh, bih);
    }

    /// <inheritdoc />
    protected override void AllocateCell(int steps, int batch)
    {
        int H = HiddenSize;
        _c = new float[(steps + 1) * batch * H];
        _tanhC = new float[steps * batch * H];
        _dc = new float[batch * H];
    }

    /// <inheritdoc />
    protected override void BeginCell(RecurrentState state) => state.Parts[1].Value.Span.CopyTo(_c.AsSpan(0, Batch * HiddenSize));

    /// <inheritdoc />
    protected override RecurrentState FinalState() => new([LastStep(Hidden), LastStep(_c)]);

    /// <inheritdoc />
    protected override void ClearCellGradients() => Array.Clear(_dc);

    /// <inheritdoc />
    protected override void CellForward(int t, int b)
    {
        int B = Batch, H = HiddenSize, G = Width;
        int prev = (t * B + b) * H, next = ((t + 1) * B + b) * H;
        LstmCell.Forward(Gates.AsSpan((t * B + b) * G, G), _c.AsSpan(prev, H), _c.AsSpan(next, H),
            _tanhC.AsSpan(prev, H), Hidden.AsSpan(next, H), CellOutput == CellOutput.Linear);
    }

    /// <inheritdoc />
    protected override void CellBackward(int t, int b)
    {
        int B = Batch, H = HiddenSize, G = Width;
        int row = (t * B + b) * H;
        LstmCell.Backward(Gates.AsSpan((t * B + b) * G, G), _c.AsSpan(row, H), _tanhC.AsSpan(row, H),
            HiddenGradient.AsSpan(b * H, H), _dc.AsSpan(b * H, H), GateGradients.AsSpan((t * B + b) * G, G), CellOutput == CellOutput.Linear);
    }
}
