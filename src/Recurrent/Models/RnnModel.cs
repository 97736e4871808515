namespace Recurrent;

/// <summary>
/// The book's concise <c>RNNModel</c>: one-hot input, a fused <see cref="LstmLayer"/>, and a dense layer from the
/// hidden state to V logits. Parameter names and layouts are PyTorch's (<c>rnn.weight_ih_l0</c>, …,
/// <c>dense.weight</c> V x H, <c>dense.bias</c>), so a checkpoint loads into <c>nn.LSTM</c> + <c>nn.Linear</c>.
/// </summary>
/// <remarks>Conventions: B batch, T steps, V vocabulary, H hidden units. Logits = H_all · dense.weightᵀ + dense.bias, (T·B) x V.</remarks>
public sealed class RnnModel : LanguageModel
{
    /// <summary>Creates the model with the book's initialisation: weights from N(0, 0.01²), biases zero.</summary>
    public RnnModel(int vocabularySize, int hiddenSize, Rng rng, CellOutput cellOutput = CellOutput.Tanh)
        : this(new LstmLayer(vocabularySize, hiddenSize, rng, 0.01f, cellOutput),
               Var.Parameter(Tensor.RandomNormal(rng, 0.01f, vocabularySize, hiddenSize), "dense.weight"),
               Var.Parameter(Tensor.Zeros(vocabularySize), "dense.bias")) { }

    /// <summary>Creates the model on an existing layer and dense parameters (V x H weight, V bias).</summary>
    public RnnModel(LstmLayer rnn, Var denseWeight, Var denseBias)
    {
        if (denseWeight.Value.Rows != rnn.InputSize || denseWeight.Value.Columns != rnn.HiddenSize || denseBias.Value.Length != rnn.InputSize)
            throw new ArgumentException("The dense layer must map H hidden units to V = I logits.");
        (Rnn, DenseWeight, DenseBias) = (rnn, denseWeight, denseBias);
    }

    /// <summary>The recurrent layer.</summary>
    public LstmLayer Rnn { get; }

    /// <summary>The dense layer's weight, V x H.</summary>
    public Var DenseWeight { get; }

    /// <summary>The dense layer's bias, V.</summary>
    public Var DenseBias { get; }

    /// <inheritdoc />
    public override int VocabularySize => Rnn.InputSize;

    /// <inheritdoc />
    public override int HiddenSize => Rnn.HiddenSize;

    /// <inheritdoc />
    public override IReadOnlyList<Var> Parameters => [.. Rnn.Parameters, DenseWeight, DenseBias];

    /// <inheritdoc />
    public override RecurrentState BeginState(int batchSize) => ScratchLstm.InitLstmState(batchSize, HiddenSize);

    /// <inheritdoc />
    public override (Var Logits, RecurrentState State) Forward(ReadOnlySpan<int> inputs, int batchSize, int steps, RecurrentState state)
    {
        var timeMajor = new int[steps * batchSize];   // the book's X.T
        for (int b = 0; b < batchSize; b++)
            for (int t = 0; t < steps; t++) timeMajor[t * batchSize + b] = inputs[b * steps + t];
        var (hidden, newState) = Rnn.Forward(timeMajor, batchSize, steps, state);
        var logits = hidden.MatMul(DenseWeight, transposeOther: true) + DenseBias;
        return (logits, newState);
    }

    /// <summary>
    /// The fused model holding the same function as a from-scratch one: gate weights stacked in the order
    /// i, f, g, o and transposed, the book's single bias per gate in b_ih (b_hh zero), W_hq transposed.
    /// </summary>
    public static RnnModel FromScratch(ScratchLstm scratch)
    {
        var p = scratch.Parameters;
        int V = scratch.VocabularySize, H = scratch.HiddenSize;
        var wih = Tensor.Zeros(4 * H, V);
        var whh = Tensor.Zeros(4 * H, H);
        var bih = Tensor.Zeros(4 * H);
        // Book order of parameter triples: i (0), f (3), o (6), c~ (9); PyTorch gate order: i, f, g, o.
        int[] tripleOfGate = [0, 3, 9, 6];
        for (int gate = 0; gate < 4; gate++)
        {
            var (wx, wh, bias) = (p[tripleOfGate[gate]].Value, p[tripleOfGate[gate] + 1].Value, p[tripleOfGate[gate] + 2].Value);
            for (int h = 0; h < H; h++)
            {
                for (int v = 0; v < V; v++) wih[gate * H + h, v] = wx[v, h];
                for (int k = 0; k < H; k++) whh[gate * H + h, k] = wh[k, h];
                bih[gate * H + h] = bias[h];
            }
        }
        var dense = Tensor.Zeros(V, H);
        for (int v = 0; v < V; v++)
            for (int h = 0; h < H; h++) dense[v, h] = p[12].Value[h, v];
        var layer = new LstmLayer(Var.Parameter(wih, "rnn.weight_ih_l0"), Var.Parameter(whh, "rnn.weight_hh_l0"),
            Var.Parameter(bih, "rnn.bias_ih_l0"), Var.Parameter(Tensor.Zeros(4 * H), "rnn.bias_hh_l0"), scratch.CellOutput);
        return new RnnModel(layer, Var.Parameter(dense, "dense.weight"), Var.Parameter(p[13].Value.Clone(), "dense.bias"));
    }
}
