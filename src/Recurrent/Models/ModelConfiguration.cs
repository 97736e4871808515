using System.Text.Json.Serialization;
using Recurrent.Autograd;
using Recurrent.Tensors;

namespace Recurrent.Models;

/// <summary>
/// What it takes to rebuild a language model around saved weights: which implementation, which cell, and its
/// sizes. A checkpoint stores it as JSON in its metadata (key <c>model</c>) and checks every tensor against
/// <see cref="ParameterShapes"/> before the model is built.
/// </summary>
/// <remarks>
/// Conventions: V vocabulary, H hidden units, gate order i, f, g, o. The parameters, by name:
/// <code>
/// concise   rnn.weight_ih_l0  4H x V      rnn.weight_hh_l0  4H x H      rnn.bias_ih_l0  4H    rnn.bias_hh_l0  4H
///           dense.weight      V x H       dense.bias        V           (PyTorch's nn.LSTM(V, H) + nn.Linear(H, V))
/// scratch   W_xi W_xf W_xo W_xc  V x H    W_hi W_hf W_ho W_hc  H x H    b_i b_f b_o b_c  H
///           W_hq              H x V       b_q               V           (the book's get_params)
/// </code>
/// GRU gates are r, z, n (G = 3H) and the plain RNN has one (G = H); a concise model may have a learned
/// <c>embedding.weight</c> (V x E, then the first layer reads E inputs) and stacked layers <c>_l1</c>, … reading H.
/// The from-scratch GRU and RNN keep their own names (<see cref="ScratchGru.ParameterNames"/>, <see cref="ScratchRnn.ParameterNames"/>).
/// </remarks>
public sealed record ModelConfiguration
{
    /// <summary>The largest H or V accepted from a file, so that 4H and every shape stay far inside an int.</summary>
    internal const int MaxSize = 1 << 24;

    /// <summary>The concise (fused) or the from-scratch implementation.</summary>
    [JsonPropertyName("model")]
    public required ModelKind Model { get; init; }

    /// <summary>The recurrent cell.</summary>
    [JsonPropertyName("cell")]
    public CellKind Cell { get; init; } = CellKind.Lstm;

    /// <summary>V, the number of tokens read and predicted (the size of the vocabulary).</summary>
    [JsonPropertyName("vocabulary_size")]
    public required int VocabularySize { get; init; }

    /// <summary>H, the number of hidden units.</summary>
    [JsonPropertyName("hidden_size")]
    public required int HiddenSize { get; init; }

    /// <summary>The number of stacked recurrent layers.</summary>
    [JsonPropertyName("layers")]
    public int Layers { get; init; } = 1;

    /// <summary>Whether H applies tanh to the memory cell.</summary>
    [JsonPropertyName("cell_output")]
    public CellOutput CellOutput { get; init; } = CellOutput.Tanh;

    /// <summary>E, the size of the learned embedding; 0 for one-hot input.</summary>
    [JsonPropertyName("embedding")]
    public int Embedding { get; init; }

    /// <summary>The dropout probability between layers while training.</summary>
    [JsonPropertyName("dropout")]
    public float Dropout { get; init; }

    /// <summary>The configuration of an existing model.</summary>
    /// <exception cref="NotSupportedException">The model is of a type this configuration cannot describe.</exception>
    public static ModelConfiguration Of(LanguageModel model) => model switch
    {
        RnnModel m => new()
        {
            Model = ModelKind.Concise, VocabularySize = m.VocabularySize, HiddenSize = m.HiddenSize,
            Cell = m.Rnn switch { GruLayer => CellKind.Gru, TanhRnnLayer => CellKind.Rnn, _ => CellKind.Lstm },
            CellOutput = (m.Rnn as LstmLayer)?.CellOutput ?? CellOutput.Tanh,
            Layers = m.Layers.Count, Embedding = m.Embedding?.Value.Columns ?? 0, Dropout = m.Dropout,
        },
        ScratchLstm m => new() { Model = ModelKind.Scratch, VocabularySize = m.VocabularySize, HiddenSize = m.HiddenSize, CellOutput = m.CellOutput },
        ScratchGru m => new() { Model = ModelKind.Scratch, Cell = CellKind.Gru, VocabularySize = m.VocabularySize, HiddenSize = m.HiddenSize },
        ScratchRnn m => new() { Model = ModelKind.Scratch, Cell = CellKind.Rnn, VocabularySize = m.VocabularySize, HiddenSize = m.HiddenSize },
        null => throw new ArgumentNullException(nameof(model)),
        _ => throw new NotSupportedException($"A {model.GetType().Name} has no model configuration, so it cannot be saved."),
    };

    /// <summary>Rejects a configuration this version cannot build, with one sentence.</summary>
    /// <exception cref="RecurrentException">The kind, cell, number of layers or a size is not supported.</exception>
    public void Validate()
    {
        if (Problem() is { } problem) throw new RecurrentException($"The model configuration is not supported: {problem}.");
    }

    /// <summary>The problem with this configuration as a clause ("the cell 'gru' is not supported"), or null when it is valid.</summary>
    internal string? Problem()
    {
        if (!Enum.IsDefined(Model)) return $"the model kind {(int)Model} is unknown";
        if (!Enum.IsDefined(Cell)) return $"the cell {(int)Cell} is unknown";
        if (Layers is < 1 or > 64) return $"it has {Layers} layers, not between 1 and 64";
        if (Embedding is < 0 or > MaxSize) return $"the embedding size {Embedding} is not between 0 and {MaxSize}";
        if (!(Dropout >= 0 && Dropout < 1)) return $"the dropout {Dropout} is not in [0, 1)";
        if (Model == ModelKind.Scratch && (Layers != 1 || Embedding != 0 || Dropout != 0))
            return "a from-scratch model has one layer, no embedding and no dropout";
        if (!Enum.IsDefined(CellOutput)) return $"the cell output {(int)CellOutput} is unknown";
        if (Cell != CellKind.Lstm && CellOutput != CellOutput.Tanh) return "the cell output applies to the LSTM only";
        if (VocabularySize is < 1 or > MaxSize) return $"the vocabulary size {VocabularySize} is not between 1 and {MaxSize}";
        if (HiddenSize is < 1 or > MaxSize) return $"the hidden size {HiddenSize} is not between 1 and {MaxSize}";
        return null;
    }

    /// <summary>The name and shape of every parameter, in the order of <see cref="LanguageModel.Parameters"/>.</summary>
    /// <exception cref="RecurrentException">The configuration is not supported (see <see cref="Validate"/>).</exception>
    public IReadOnlyList<KeyValuePair<string, int[]>> ParameterShapes()
    {
        Validate();
        int V = VocabularySize, H = HiddenSize;
        int G = Cell switch { CellKind.Gru => 3 * H, CellKind.Rnn => H, _ => 4 * H };
        var shapes = new List<KeyValuePair<string, int[]>>();
        if (Model == ModelKind.Concise)
        {
            if (Embedding > 0) shapes.Add(new("embedding.weight", [V, Embedding]));
            for (int k = 0; k < Layers; k++)
            {
                int input = k > 0 ? H : Embedding > 0 ? Embedding : V;
                shapes.AddRange([new($"rnn.weight_ih_l{k}", [G, input]), new($"rnn.weight_hh_l{k}", [G, H]),
                    new($"rnn.bias_ih_l{k}", [G]), new($"rnn.bias_hh_l{k}", [G])]);
            }
            shapes.AddRange([new("dense.weight", [V, H]), new("dense.bias", [V])]);
            return shapes;
        }
        // The book's from-scratch names: W_x* V x H, W_h* H x H, biases H, then W_hq H x V and b_q V.
        var names = Cell switch { CellKind.Gru => ScratchGru.ParameterNames, CellKind.Rnn => ScratchRnn.ParameterNames, _ => ScratchLstm.ParameterNames };
        foreach (string name in names)
        {
            int[] shape = name switch
            {
                "W_hq" => [H, V],
                "b_q" => [V],
                _ when name.StartsWith("W_x") => [V, H],
                _ when name.StartsWith("W_h") => [H, H],
                _ => [H],
            };
            shapes.Add(new(name, shape));
        }
        return shapes;
    }

    /// <summary>A model with fresh weights (the book's initialisation, drawn from <paramref name="rng"/>).</summary>
    public LanguageModel Create(Rng rng) => (Model, Cell) switch
    {
        (ModelKind.Scratch, CellKind.Gru) => new ScratchGru(ScratchGru.GetParams(VocabularySize, HiddenSize, rng)),
        (ModelKind.Scratch, CellKind.Rnn) => new ScratchRnn(ScratchRnn.GetParams(VocabularySize, HiddenSize, rng)),
        (ModelKind.Scratch, _) => new ScratchLstm(VocabularySize, HiddenSize, rng, CellOutput),
        _ => new RnnModel(Cell, VocabularySize, HiddenSize, rng, Layers, Embedding, Dropout, CellOutput),
    };

    /// <summary>A model on existing weights, named and shaped as <see cref="ParameterShapes"/> says (the tensors are not copied).</summary>
    /// <exception cref="ArgumentException">A parameter is missing or has another shape.</exception>
    public LanguageModel Create(IReadOnlyDictionary<string, Tensor> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        foreach (var (name, shape) in ParameterShapes())
        {
            if (!parameters.TryGetValue(name, out var tensor) || !tensor.Shape.SequenceEqual(shape))
                throw new ArgumentException($"Parameter '{name}' must be given with shape {Tensor.ShapeString(shape)}.", nameof(parameters));
        }
        Var P(string name) => Var.Parameter(parameters[name], name);
        if (Model == ModelKind.Scratch)
        {
            return Cell switch
            {
                CellKind.Gru => new ScratchGru(ScratchGru.ParameterNames.Select(P).ToArray()),
                CellKind.Rnn => new ScratchRnn(ScratchRnn.ParameterNames.Select(P).ToArray()),
                _ => new ScratchLstm(ScratchLstm.ParameterNames.Select(P).ToArray(), CellOutput),
            };
        }
        var layers = new IRecurrentLayer[Layers];
        for (int k = 0; k < Layers; k++)
        {
            var (wih, whh, bih, bhh) = (P($"rnn.weight_ih_l{k}"), P($"rnn.weight_hh_l{k}"), P($"rnn.bias_ih_l{k}"), P($"rnn.bias_hh_l{k}"));
            layers[k] = Cell switch
            {
                CellKind.Gru => new GruLayer(wih, whh, bih, bhh),
                CellKind.Rnn => new TanhRnnLayer(wih, whh, bih, bhh),
                _ => new LstmLayer(wih, whh, bih, bhh, CellOutput),
            };
        }
        var embedding = Embedding > 0 ? P("embedding.weight") : null;
        return new RnnModel(layers, P("dense.weight"), P("dense.bias"), embedding, Dropout);
    }
}
