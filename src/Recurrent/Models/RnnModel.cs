using Recurrent.Autograd;
using Recurrent.Tensors;

namespace Recurrent.Models;

/// <summary>
/// The book's concise <c>RNNModel</c>: one-hot input (or a learned embedding), one or more fused recurrent layers
/// (<see cref="LstmLayer"/>, <see cref="GruLayer"/> or <see cref="TanhRnnLayer"/>), and a dense layer from the
/// last hidden state to V logits. Parameter names and layouts are PyTorch's (<c>embedding.weight</c>,
/// <c>rnn.weight_ih_l0</c>, …, <c>dense.weight</c> V x H, <c>dense.bias</c>), so a checkpoint loads into
/// <c>nn.Embedding</c> + <c>nn.LSTM</c>/<c>nn.GRU</c>/<c>nn.RNN</c> + <c>nn.Linear</c>.
/// </summary>
/// <remarks>
/// Conventions: B batch, T steps, V vocabulary, H hidden units, E embedding size.
/// X_0 = onehot(tokens) or embedding[tokens]; X_k = layer_k(dropout(X_{k-1})); logits = dropout(X_L) · dense.weightᵀ + dense.bias, (T·B) x V.
/// Dropout (inverted, as in Zaremba et al. 2014) acts only on the connections between layers, never on the
/// recurrent ones, and only while <see cref="LanguageModel.Training"/> is set. The state is the layers' states in
/// order: (H, C) per LSTM layer, (H) per GRU or RNN layer.
/// </remarks>
public sealed class RnnModel : LanguageModel
{
    private readonly IRecurrentLayer[] _layers;
    private readonly int[] _statePartsPerLayer;

    /// <summary>Creates the book's model, one LSTM layer over one-hot input: weights from N(0, 0.01²), biases zero.</summary>
    public RnnModel(int vocabularySize, int hiddenSize, Rng rng, CellOutput cellOutput = CellOutput.Tanh)
        : this(CellKind.Lstm, vocabularySize, hiddenSize, rng, cellOutput: cellOutput) { }

    /// <summary>Creates a model of any cell and depth, with weights from N(0, 0.01²) and zero biases.</summary>
    /// <param name="cell">LSTM, GRU or plain RNN.</param>
    /// <param name="vocabularySize">V.</param>
    /// <param name="hiddenSize">H, the same for every layer.</param>
    /// <param name="rng">Source of the initial weights (and of the dropout masks' seed).</param>
    /// <param name="layers">Number of stacked recurrent layers.</param>
    /// <param name="embedding">E, the size of a learned embedding; 0 feeds one-hot vectors as the book does.</param>
    /// <param name="dropout">Probability of dropping a unit between layers while training.</param>
    /// <param name="cellOutput">For an LSTM, whether H applies tanh to the memory cell.</param>
    public RnnModel(CellKind cell, int vocabularySize, int hiddenSize, Rng rng, int layers = 1, int embedding = 0,
        float dropout = 0f, CellOutput cellOutput = CellOutput.Tanh)
        : this(CreateLayers(cell, vocabularySize, hiddenSize, rng, layers, embedding, cellOutput),
               Var.Parameter(Tensor.RandomNormal(rng, 0.01f, vocabularySize, hiddenSize), "dense.weight"),
               Var.Parameter(Tensor.Zeros(vocabularySize), "dense.bias"),
               embedding > 0 ? Var.Parameter(Tensor.RandomNormal(rng, 0.01f, vocabularySize, embedding), "embedding.weight") : null,
               dropout, dropout > 0 ? new Rng(rng.NextUInt64()) : null) { }

    /// <summary>Creates the book's model on an existing LSTM layer and dense parameters (V x H weight, V bias).</summary>
    public RnnModel(LstmLayer rnn, Var denseWeight, Var denseBias) : this([rnn], denseWeight, denseBias) { }

    /// <summary>Creates a model on existing layers and parameters.</summary>
    /// <param name="layers">The recurrent layers, bottom first; layer k+1 reads layer k's H outputs.</param>
    /// <param name="denseWeight">V x H.</param>
    /// <param name="denseBias">V.</param>
    /// <param name="embedding">V x E, or null for one-hot input.</param>
    /// <param name="dropout">Probability of dropping a unit between layers while training.</param>
    /// <param name="dropoutRng">The masks' source (default: a generator with a fixed seed); see <see cref="DropoutRng"/>.</param>
    public RnnModel(IReadOnlyList<IRecurrentLayer> layers, Var denseWeight, Var denseBias, Var? embedding = null,
        float dropout = 0f, Rng? dropoutRng = null)
    {
        if (layers.Count == 0) throw new ArgumentException("A model needs at least one recurrent layer.");
        int vocabulary = denseWeight.Value.Rows;
        int expectedInput = embedding?.Value.Columns ?? vocabulary;
        if (layers[0].InputSize != expectedInput)
            throw new ArgumentException($"The first layer reads {layers[0].InputSize} inputs, not {expectedInput}.");
        for (int k = 1; k < layers.Count; k++)
            if (layers[k].InputSize != layers[k - 1].HiddenSize)
                throw new ArgumentException($"Layer {k} reads {layers[k].InputSize} inputs but layer {k - 1} has {layers[k - 1].HiddenSize} units.");
        if (denseWeight.Value.Columns != layers[^1].HiddenSize || denseBias.Value.Length != vocabulary)
            throw new ArgumentException("The dense layer must map the last layer's H units to V logits.");
        if (embedding is not null && embedding.Value.Rows != vocabulary)
            throw new ArgumentException("The embedding must have one row per vocabulary entry.");
        if (dropout < 0f || dropout >= 1f) throw new ArgumentOutOfRangeException(nameof(dropout), "Dropout must be in [0, 1).");
        _layers = [.. layers];
        _statePartsPerLayer = _layers.Select(l => l.BeginState(1).Parts.Count).ToArray();
        (DenseWeight, DenseBias, Embedding, Dropout) = (denseWeight, denseBias, embedding, dropout);
        DropoutRng = dropoutRng ?? new Rng(0x5EED);
    }

    /// <summary>The recurrent layers, bottom first.</summary>
    public IReadOnlyList<IRecurrentLayer> Layers => _layers;

    /// <summary>The first recurrent layer (the only one in the book's model).</summary>
    public IRecurrentLayer Rnn => _layers[0];

    /// <summary>The learned embedding, V x E, or null for one-hot input.</summary>
    public Var? Embedding { get; }

    /// <summary>The probability of dropping a unit between layers while training.</summary>
    public float Dropout { get; }

    /// <summary>The dense layer's weight, V x H.</summary>
    public Var DenseWeight { get; }

    /// <summary>The dense layer's bias, V.</summary>
    public Var DenseBias { get; }

    /// <summary>
    /// The generator of the dropout masks. The trainer hands it its own generator, whose state a checkpoint keeps,
    /// so that a resumed run draws the same masks as the uninterrupted one.
    /// </summary>
    public Rng DropoutRng { get; set; }

    /// <inheritdoc />
    public override int VocabularySize => DenseWeight.Value.Rows;

    /// <inheritdoc />
    public override int HiddenSize => _layers[^1].HiddenSize;

    /// <inheritdoc />
    public override IReadOnlyList<Var> Parameters =>
        [.. Embedding is null ? [] : new[] { Embedding }, .. _layers.SelectMany(l => l.Parameters), DenseWeight, DenseBias];

    /// <inheritdoc />
    public override RecurrentState BeginState(int batchSize) =>
        new(_layers.SelectMany(l => l.BeginState(batchSize).Parts).ToArray());

    /// <inheritdoc />
    public override (Var Logits, RecurrentState State) Forward(ReadOnlySpan<int> inputs, int batchSize, int steps, RecurrentState state)
    {
        var timeMajor = new int[steps * batchSize];   // the book's X.T
        for (int b = 0; b < batchSize; b++)
            for (int t = 0; t < steps; t++) timeMajor[t * batchSize + b] = inputs[b * steps + t];

        var newParts = new List<Var>(state.Parts.Count);
        int part = 0;
        Var? x = Embedding is null ? null : DropoutIfTraining(Ops.GatherRows(Embedding, timeMajor));
        for (int k = 0; k < _layers.Length; k++)
        {
            var layerState = new RecurrentState(state.Parts.Skip(part).Take(_statePartsPerLayer[k]).ToArray());
            part += _statePartsPerLayer[k];
            var (outputs, next) = x is null
                ? _layers[k].Forward(timeMajor, batchSize, steps, layerState)
                : _layers[k].Forward(x, batchSize, steps, layerState);
            newParts.AddRange(next.Parts);
            x = DropoutIfTraining(outputs);
        }
        var logits = Ops.Linear(x!, DenseWeight, DenseBias);
        return (logits, new RecurrentState(newParts));
    }

    private Var DropoutIfTraining(Var x) =>
        Dropout > 0 && Training ? Ops.Dropout(x, Dropout, DropoutRng, training: true) : x;

    private static IRecurrentLayer[] CreateLayers(CellKind cell, int vocabularySize, int hiddenSize, Rng rng, int layers,
        int embedding, CellOutput cellOutput)
    {
        if (layers < 1) throw new ArgumentOutOfRangeException(nameof(layers), "A model needs at least one layer.");
        if (embedding < 0) throw new ArgumentOutOfRangeException(nameof(embedding), "The embedding size cannot be negative.");
        var result = new IRecurrentLayer[layers];
        for (int k = 0; k < layers; k++)
        {
            int input = k > 0 ? hiddenSize : embedding > 0 ? embedding : vocabularySize;
            result[k] = cell switch
            {
                CellKind.Gru => new GruLayer(input, hiddenSize, rng, 0.01f, k),
                CellKind.Rnn => new TanhRnnLayer(input, hiddenSize, rng, 0.01f, k),
                _ => new LstmLayer(input, hiddenSize, rng, 0.01f, cellOutput, k),
            };
        }
        return result;
    }

    /// <summary>
    /// The fused model holding the same function as a from-scratch one (<see cref="ScratchLstm"/>, <see cref="ScratchGru"/>
    /// or <see cref="ScratchRnn"/>): its layer through the layer's <c>FromScratch</c>, and the dense layer W_hq transposed.
    /// </summary>
    /// <exception cref="ArgumentException">The model is not one of the three from-scratch models.</exception>
    public static RnnModel FromScratch(LanguageModel scratch)
    {
        IRecurrentLayer layer = scratch switch
        {
            ScratchLstm lstm => LstmLayer.FromScratch(lstm),
            ScratchGru gru => GruLayer.FromScratch(gru),
            ScratchRnn rnn => TanhRnnLayer.FromScratch(rnn),
            _ => throw new ArgumentException($"A {scratch?.GetType().Name ?? "null"} is not a from-scratch model.", nameof(scratch)),
        };
        var p = scratch.Parameters;   // every from-scratch model ends with W_hq (H x V) and b_q (V)
        int V = scratch.VocabularySize, H = scratch.HiddenSize;
        var dense = Tensor.Zeros(V, H);
        for (int v = 0; v < V; v++)
            for (int h = 0; h < H; h++) dense[v, h] = p[^2].Value[h, v];
        return new RnnModel([layer], Var.Parameter(dense, "dense.weight"), Var.Parameter(p[^1].Value.Clone(), "dense.bias"));
    }
}
