namespace Recurrent;

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
/// New cells, stacked layers (<c>_l1</c>, …) or an embedding add a field here, a case to
/// <see cref="ParameterShapes"/> and to the two factories; the checkpoint itself matches tensors by name.
/// </remarks>
public sealed record ModelConfiguration
{
    /// <summary>The largest H or V accepted from a file, so that 4H and every shape stay far inside an int.</summary>
    internal const int MaxSize = 1 << 24;

    /// <summary>The concise (fused) or the from-scratch implementation.</summary>
    public required ModelKind Model { get; init; }

    /// <summary>The recurrent cell; only <c>lstm</c> exists so far.</summary>
    public string Cell { get; init; } = "lstm";

    /// <summary>V, the number of tokens read and predicted (the size of the vocabulary).</summary>
    public required int VocabularySize { get; init; }

    /// <summary>H, the number of hidden units.</summary>
    public required int HiddenSize { get; init; }

    /// <summary>The number of stacked recurrent layers; only 1 exists so far.</summary>
    public int Layers { get; init; } = 1;

    /// <summary>Whether H applies tanh to the memory cell.</summary>
    public CellOutput CellOutput { get; init; } = CellOutput.Tanh;

    /// <summary>The configuration a training run with these options creates for a vocabulary of V tokens.</summary>
    public static ModelConfiguration For(TrainingOptions options, int vocabularySize) => new()
    {
        Model = options.Model,
        VocabularySize = vocabularySize,
        HiddenSize = options.Hidden,
        CellOutput = options.CellOutput,
    };

    /// <summary>The configuration of an existing model.</summary>
    /// <exception cref="NotSupportedException">The model is of a type this configuration cannot describe.</exception>
    public static ModelConfiguration Of(LanguageModel model) => model switch
    {
        RnnModel m => new() { Model = ModelKind.Concise, VocabularySize = m.VocabularySize, HiddenSize = m.HiddenSize, CellOutput = (m.Rnn as LstmLayer)?.CellOutput ?? CellOutput.Tanh },
        ScratchLstm m => new() { Model = ModelKind.Scratch, VocabularySize = m.VocabularySize, HiddenSize = m.HiddenSize, CellOutput = m.CellOutput },
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
        if (Cell != "lstm") return $"the cell '{Cell}' is not supported (only 'lstm')";
        if (Layers != 1) return $"it has {Layers} layers, but only 1 is supported";
        if (!Enum.IsDefined(CellOutput)) return $"the cell output {(int)CellOutput} is unknown";
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
        if (Model == ModelKind.Concise)
            return [new("rnn.weight_ih_l0", [4 * H, V]), new("rnn.weight_hh_l0", [4 * H, H]), new("rnn.bias_ih_l0", [4 * H]),
                    new("rnn.bias_hh_l0", [4 * H]), new("dense.weight", [V, H]), new("dense.bias", [V])];
        // The book's order: (W_x?, W_h?, b_?) for i, f, o, c, then W_hq, b_q.
        var shapes = new List<KeyValuePair<string, int[]>>(ScratchLstm.ParameterNames.Count);
        for (int k = 0; k < 12; k++)
            shapes.Add(new(ScratchLstm.ParameterNames[k], (k % 3) switch { 0 => [V, H], 1 => [H, H], _ => [H] }));
        shapes.Add(new(ScratchLstm.ParameterNames[12], [H, V]));
        shapes.Add(new(ScratchLstm.ParameterNames[13], [V]));
        return shapes;
    }

    /// <summary>A model with fresh weights (the book's initialisation, drawn from <paramref name="rng"/>).</summary>
    public LanguageModel Create(Rng rng) => Model == ModelKind.Scratch
        ? new ScratchLstm(VocabularySize, HiddenSize, rng, CellOutput)
        : new RnnModel(VocabularySize, HiddenSize, rng, CellOutput);

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
            return new ScratchLstm(ScratchLstm.ParameterNames.Select(P).ToArray(), CellOutput);
        var rnn = new LstmLayer(P("rnn.weight_ih_l0"), P("rnn.weight_hh_l0"), P("rnn.bias_ih_l0"), P("rnn.bias_hh_l0"), CellOutput);
        return new RnnModel(rnn, P("dense.weight"), P("dense.bias"));
    }
}
