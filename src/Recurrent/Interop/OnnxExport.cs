using Google.Protobuf;
using Recurrent.Checkpoints;
using Recurrent.Models;
using Recurrent.Tensors;
using DataType = Recurrent.Interop.TensorProto.Types.DataType;

namespace Recurrent.Interop;

/// <summary>
/// Writes a checkpoint's language model as an ONNX model (opset 14) that ONNX Runtime, or any ONNX reader, runs
/// without this library: ONNX's own <c>LSTM</c>, <c>GRU</c> and <c>RNN</c> operators, one node per layer, with
/// the vocabulary and tokenizer in the model's metadata.
/// </summary>
/// <remarks>
/// Conventions: T steps, B batch, V vocabulary, E embedding, H hidden units, L layers, G = gates·H.
/// <code>
/// inputs   tokens [T, B] int64;  h [L, B, H] float;  c [L, B, H] float (LSTM only)
/// outputs  logits [T, B, V];     h_out [L, B, H];    c_out [L, B, H] (LSTM only)
/// x_0 = OneHot(tokens, V) or Gather(embedding.weight, tokens)          [T, B, I]
/// x_{k+1}, h_out[k], c_out[k] = LSTM|GRU|RNN(x_k, W_k, R_k, B_k, h[k], c[k])    Y squeezed to [T, B, H]
/// logits = x_L · dense.weightᵀ + dense.bias                           [T, B, V]
/// </code>
/// The state is an input and an output, so a caller feeds a whole sequence at once, or one token at a time carrying
/// h (and c) from call to call; zeros start a sequence as <see cref="LanguageModel.BeginState"/> does. Our gate
/// blocks are PyTorch's (LSTM i, f, g, o; GRU r, z, n); ONNX's are LSTM i, o, f, c and GRU z, r, h, so W, R and both
/// halves of B are reordered by blocks of H rows. The GRU node has <c>linear_before_reset = 1</c>: PyTorch's reset
/// gate multiplies W_hn h + b_hn, which is that formulation. An LSTM trained with H = O ⊙ C (<see cref="CellOutput.Linear"/>)
/// uses <c>Affine(1, 0)</c> as its output activation. A from-scratch model is exported as the fused model holding
/// the same function (<see cref="RnnModel.FromScratch"/>).
/// </remarks>
public static class OnnxExport
{
    /// <summary>The ONNX operator set the graph is written for.</summary>
    public const int Opset = 14;

    /// <summary>The ONNX IR version of the file (IR 8 goes with opsets 14 and 15).</summary>
    public const int IrVersion = 8;

    /// <summary>The largest file written, in bytes: one protobuf message holds at most 2 GiB, less room for the graph.</summary>
    public const long MaxBytes = int.MaxValue - (64L << 20);

    /// <summary>The keys of the model's <c>metadata_props</c>; their values are strings, the structured ones JSON.</summary>
    public static class MetadataKeys
    {
        /// <summary>"1": the layout of inputs, outputs and metadata this class writes (marks an export of Recurrent).</summary>
        public const string Export = "recurrent_onnx";

        /// <summary>The model configuration, the JSON a checkpoint keeps under <c>model</c> (cell, sizes, layers, embedding).</summary>
        public const string Model = "model";

        /// <summary>How text becomes tokens, e.g. <c>{"tokens":"char"}</c> (a character per token) or <c>{"tokens":"word"}</c>.</summary>
        public const string Tokenizer = "tokenizer";

        /// <summary>JSON array of the V tokens: token i is input index i and logit i.</summary>
        public const string Vocabulary = "vocabulary";
    }

    /// <summary>The layout version written under <see cref="MetadataKeys.Export"/>.</summary>
    public const string ExportVersion = "1";

    /// <summary>Writes the ONNX model of <paramref name="checkpoint"/> to <paramref name="path"/> atomically (a temporary file, then a rename).</summary>
    /// <exception cref="RecurrentException">The model is too large for one ONNX file, or the file could not be written.</exception>
    public static void Save(Checkpoint checkpoint, string path) => Save(checkpoint, path, MaxBytes);

    /// <summary>As <see cref="Save(Checkpoint, string)"/>, with the size limit given.</summary>
    internal static void Save(Checkpoint checkpoint, string path, long maxBytes)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var model = Build(checkpoint, maxBytes);
        SafeTensors.WriteAtomically(path, model.WriteTo, "ONNX model");
    }

    /// <summary>The ONNX model of <paramref name="checkpoint"/>, as a protobuf message.</summary>
    internal static ModelProto Build(Checkpoint checkpoint, long maxBytes = MaxBytes)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        var fused = checkpoint.Model as RnnModel ?? RnnModel.FromScratch(checkpoint.Model);
        long bytes = fused.Parameters.Sum(p => 4L * p.Value.Length);
        if (bytes > maxBytes)
            throw new RecurrentException($"The model has {bytes / 4:N0} weights ({bytes / 1e9:F1} GB), more than one ONNX file holds ({maxBytes / 1e9:F1} GB).");

        var configuration = checkpoint.Configuration;
        var graph = new OnnxGraph();
        graph.Proto.Name = "recurrent_language_model";
        AddGraph(graph, fused, configuration.Cell);

        var model = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = "Recurrent",
            ProducerVersion = typeof(OnnxExport).Assembly.GetName().Version?.ToString(3) ?? "",
            DocString = $"A {configuration.Cell.ToString().ToUpperInvariant()} language model: tokens [T, B] and state in, logits [T, B, V] and state out.",
            Graph = graph.Proto,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
        var fusedConfiguration = ModelConfiguration.Of(fused);
        foreach (var (key, value) in new Dictionary<string, string>
        {
            [MetadataKeys.Export] = ExportVersion,
            [MetadataKeys.Model] = Checkpoint.ToJson(fusedConfiguration),
            [MetadataKeys.Tokenizer] = Checkpoint.ToJson(new TokenizerSettings { Tokens = checkpoint.Tokens }),
            [MetadataKeys.Vocabulary] = Checkpoint.ToJson(checkpoint.Vocabulary.Tokens),
        })
            model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        return model;
    }

    /// <summary>The nodes, initializers, inputs and outputs of the model's function.</summary>
    private static void AddGraph(OnnxGraph graph, RnnModel model, CellKind cell)
    {
        int V = model.VocabularySize, H = model.HiddenSize, L = model.Layers.Count;
        bool lstm = cell == CellKind.Lstm;
        graph.Input("tokens", DataType.Int64, "token indices, time-major: tokens[t, b] is sequence b at step t", "T", "B");
        graph.Input("h", DataType.Float, "hidden state of each layer before the first step (zeros to start)", L, "B", H);
        if (lstm) graph.Input("c", DataType.Float, "memory cell of each layer before the first step (zeros to start)", L, "B", H);

        string x = model.Embedding is { } embedding
            ? graph.Node("Gather", [graph.Floats("embedding.weight", embedding.Value.Span, V, embedding.Value.Columns), "tokens"], ["x_0"], OnnxGraph.Int("axis", 0))
            : graph.Node("OneHot", ["tokens", graph.Int64s("vocabulary_size", [V]), graph.Floats("one_hot_values", [0f, 1f], 2)], ["x_0"], OnnxGraph.Int("axis", -1));
        string[] h = SplitLayers(graph, "h", L), c = lstm ? SplitLayers(graph, "c", L) : [];
        string squeezeAxes = graph.Int64s("axis_1", [1], 1);
        var hOut = new string[L];
        var cOut = new string[L];
        for (int k = 0; k < L; k++)
        {
            var layer = (FusedRecurrentLayer)model.Layers[k];
            int[] onnxBlocks = cell switch { CellKind.Lstm => [0, 3, 1, 2], CellKind.Gru => [1, 0, 2], _ => [0] };
            int G = onnxBlocks.Length * H, I = layer.InputSize;
            string w = graph.Floats($"W_{k}", Reorder(layer.WeightIH.Value.Span, onnxBlocks, H * I), 1, G, I);
            string r = graph.Floats($"R_{k}", Reorder(layer.WeightHH.Value.Span, onnxBlocks, H * H), 1, G, H);
            string b = graph.Floats($"B_{k}", [.. Reorder(layer.BiasIH.Value.Span, onnxBlocks, H), .. Reorder(layer.BiasHH.Value.Span, onnxBlocks, H)], 1, 2 * G);
            (hOut[k], cOut[k]) = ($"h_out_{k}", $"c_out_{k}");
            var attributes = new List<AttributeProto> { OnnxGraph.Int("hidden_size", H) };
            if (cell == CellKind.Gru) attributes.Add(OnnxGraph.Int("linear_before_reset", 1));
            if (layer is LstmLayer { CellOutput: CellOutput.Linear })
                attributes.AddRange([OnnxGraph.StringList("activations", "Sigmoid", "Tanh", "Affine"),
                    OnnxGraph.FloatList("activation_alpha", 1f), OnnxGraph.FloatList("activation_beta", 0f)]);
            string[] inputs = lstm ? [x, w, r, b, "", h[k], c[k]] : [x, w, r, b, "", h[k]];
            string[] outputs = lstm ? [$"y_{k}", hOut[k], cOut[k]] : [$"y_{k}", hOut[k]];
            string op = cell switch { CellKind.Lstm => "LSTM", CellKind.Gru => "GRU", _ => "RNN" };
            graph.Node(op, inputs, outputs, [.. attributes]);
            x = graph.Node("Squeeze", [$"y_{k}", squeezeAxes], [$"x_{k + 1}"]);   // [T, 1, B, H] -> [T, B, H]
        }
        graph.Node("Concat", hOut, ["h_out"], OnnxGraph.Int("axis", 0));
        if (lstm) graph.Node("Concat", cOut, ["c_out"], OnnxGraph.Int("axis", 0));

        var denseT = Transpose(model.DenseWeight.Value);
        string projected = graph.Node("MatMul", [x, graph.Floats("dense.weight_t", denseT, H, V)], ["projected"]);
        graph.Node("Add", [projected, graph.Floats("dense.bias", model.DenseBias.Value.Span, V)], ["logits"]);

        graph.Output("logits", DataType.Float, "next-token logits of every step (softmax gives the probabilities)", "T", "B", V);
        graph.Output("h_out", DataType.Float, "hidden state of each layer after the last step", L, "B", H);
        if (lstm) graph.Output("c_out", DataType.Float, "memory cell of each layer after the last step", L, "B", H);
    }

    /// <summary>The names of the L layers' [1, B, H] slices of a state input (the input itself for one layer).</summary>
    private static string[] SplitLayers(OnnxGraph graph, string state, int layers)
    {
        if (layers == 1) return [state];
        var parts = Enumerable.Range(0, layers).Select(k => $"{state}_{k}").ToArray();
        graph.Node("Split", [state], parts, OnnxGraph.Int("axis", 0));   // equal parts, one per output
        return parts;
    }

    /// <summary>The blocks of <paramref name="blockLength"/> values in another order: block k of the result is block <paramref name="order"/>[k].</summary>
    private static float[] Reorder(ReadOnlySpan<float> values, int[] order, int blockLength)
    {
        var result = new float[values.Length];
        for (int k = 0; k < order.Length; k++)
            values.Slice(order[k] * blockLength, blockLength).CopyTo(result.AsSpan(k * blockLength, blockLength));
        return result;
    }

    /// <summary>A rows x columns matrix as columns x rows.</summary>
    private static float[] Transpose(Tensor matrix)
    {
        int rows = matrix.Rows, columns = matrix.Columns;
        var result = new float[rows * columns];
        var values = matrix.Span;
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < columns; j++) result[j * rows + i] = values[i * columns + j];
        return result;
    }
}
