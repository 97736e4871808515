using System.Globalization;
using System.Text.RegularExpressions;
using Recurrent.Checkpoints;
using Recurrent.Data;
using Recurrent.Models;
using Recurrent.Tensors;

namespace Recurrent.Interop;

/// <summary>
/// Turns a language model trained with PyTorch into a Recurrent checkpoint: the <c>state_dict</c> of a module with an
/// optional <c>nn.Embedding</c> named <c>embedding</c>, an <c>nn.LSTM</c>, <c>nn.GRU</c> or <c>nn.RNN</c> named
/// <c>rnn</c> and an <c>nn.Linear</c> named <c>dense</c>, saved as safetensors, and its vocabulary.
/// </summary>
/// <remarks>
/// Conventions: V vocabulary, E embedding, H hidden units, L layers, G = gates·H. The structure is read from the
/// names and shapes, which are exactly those a Recurrent checkpoint of the concise model has:
/// <code>
/// embedding.weight     V x E          (absent: one-hot input, the first layer reads V)
/// rnn.weight_ih_l{k}   G x I          I = E or V for k = 0, H above
/// rnn.weight_hh_l{k}   G x H          G = 4H: LSTM, 3H: GRU, H: RNN (with tanh, nn.RNN's default)
/// rnn.bias_ih_l{k}     G              rnn.bias_hh_l{k}  G
/// dense.weight         V x H          dense.bias        V
/// </code>
/// PyTorch's layouts and gate orders are ours, so the tensors are taken as they are. What Recurrent does not compute is
/// refused with a sentence naming it: bidirectional layers (<c>_reverse</c>), projections (<c>weight_hr</c>), layers
/// without biases, any other tensor, a wrong shape, a value that is not finite, or a vocabulary of another size.
/// </remarks>
public static partial class PyTorchImport
{
    private const string Names = "embedding.weight, rnn.weight_ih_l0, rnn.weight_hh_l0, rnn.bias_ih_l0, rnn.bias_hh_l0 (and _l1, … for more layers), dense.weight and dense.bias";

    /// <summary>Reads the weights and the vocabulary and checks that together they make a model Recurrent runs.</summary>
    /// <param name="weightsPath">A safetensors file of float32 tensors in PyTorch's naming.</param>
    /// <param name="vocabularyPath">The vocabulary (see <see cref="VocabularyFile"/>).</param>
    /// <param name="tokens">Whether a token is a character or a word.</param>
    /// <exception cref="RecurrentException">Either file is unreadable, or they do not describe a model Recurrent runs.</exception>
    public static Checkpoint Load(string weightsPath, string vocabularyPath, TokenKind tokens = TokenKind.Char)
    {
        var file = SafeTensors.Read(weightsPath);
        var vocabulary = VocabularyFile.Read(vocabularyPath);
        var configuration = Infer(file);
        var parameters = Check(file, configuration);
        if (vocabulary.Size != configuration.VocabularySize)
            throw new RecurrentException($"The vocabulary file {vocabularyPath} has {vocabulary.Size} token{(vocabulary.Size == 1 ? "" : "s")}, but the model in {weightsPath} predicts {configuration.VocabularySize} (dense.weight has {configuration.VocabularySize} rows).");
        if (tokens == TokenKind.Char && vocabulary.FirstNonCharacter() is int at and >= 0)
            throw new OptionException($"The vocabulary file {vocabularyPath} has the token {Vocabulary.Describe(vocabulary.Tokens[at])} (token {at}), which is not one character: " +
                $"a character model has one per token ({{{DataOptions.Keys.Tokens}}} word imports a word model).");
        _ = Tokenizers.For(tokens, vocabulary);   // a word vocabulary must hold <unk> and <eos>
        return new Checkpoint(configuration.Create(parameters), vocabulary, training: null, tokens);
    }

    /// <summary>The model configuration the names and shapes describe (the shapes are checked afterwards, in <see cref="Check"/>).</summary>
    private static ModelConfiguration Infer(SafeTensorsFile file)
    {
        int layers = 0;
        foreach (var (name, _) in file.Tensors)
        {
            if (name is "embedding.weight" or "dense.weight" or "dense.bias") continue;
            var match = LayerTensor().Match(name);
            if (match.Success && int.TryParse(match.Groups[2].Value, NumberStyles.None, CultureInfo.InvariantCulture, out int k) && k < 64)
            {
                layers = Math.Max(layers, k + 1);
                continue;
            }
            string why = name.StartsWith("rnn.", StringComparison.Ordinal) && name.EndsWith("_reverse", StringComparison.Ordinal)
                ? "a bidirectional layer, which cannot generate text left to right"
                : name.StartsWith("rnn.weight_hr", StringComparison.Ordinal) ? "a projection (proj_size), which Recurrent's LSTM does not have"
                : $"not one of {Names}";
            throw Invalid(file, $"its tensor {Quote(name)} is {why}");
        }
        var recurrent = Matrix(file, "rnn.weight_hh_l0");
        var dense = Matrix(file, "dense.weight");
        int H = recurrent.Shape[1], G = recurrent.Shape[0];
        CellKind cell = G == 4 * H ? CellKind.Lstm : G == 3 * H ? CellKind.Gru : G == H ? CellKind.Rnn
            : throw Invalid(file, $"rnn.weight_hh_l0 has shape {Tensor.ShapeString(recurrent.Shape)}, and H = {H} units make 4H rows (LSTM), 3H (GRU) or H (RNN)");
        int embedding = file.TryGet("embedding.weight", out var table) ? (table.Shape.Length == 2 ? table.Shape[1] : -1) : 0;
        if (embedding < 0) throw Invalid(file, $"embedding.weight has shape {Tensor.ShapeString(table!.Shape)}, not V x E");
        var configuration = new ModelConfiguration
        {
            Model = ModelKind.Concise, Cell = cell, VocabularySize = dense.Shape[0], HiddenSize = H, Layers = layers, Embedding = embedding,
        };
        if (configuration.Problem() is { } problem) throw Invalid(file, problem);
        return configuration;
    }

    /// <summary>The parameters by name, each with the shape the configuration needs and finite values.</summary>
    private static Dictionary<string, Tensor> Check(SafeTensorsFile file, ModelConfiguration configuration)
    {
        var parameters = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        string model = Describe(configuration);
        foreach (var (name, shape) in configuration.ParameterShapes())
        {
            if (!file.TryGet(name, out var tensor))
                throw Invalid(file, $"it lacks {Quote(name)}, which {model} has{(name.Contains("bias", StringComparison.Ordinal) ? " (a layer made with bias=False has none: Recurrent's layers always have biases)" : "")}");
            if (!tensor.Shape.SequenceEqual(shape))
                throw Invalid(file, $"{Quote(name)} has shape {Tensor.ShapeString(tensor.Shape)}, but {model} needs {Tensor.ShapeString(shape)}");
            var values = tensor.Span;
            for (int i = 0; i < values.Length; i++)
                if (!float.IsFinite(values[i]))
                    throw Invalid(file, $"{Quote(name)} holds {values[i]} at index {i}, and a model needs finite weights");
            parameters.Add(name, tensor);
        }
        return parameters;
    }

    private static Tensor Matrix(SafeTensorsFile file, string name)
    {
        if (!file.TryGet(name, out var tensor)) throw Invalid(file, $"it lacks {Quote(name)}, which every model Recurrent imports has ({Names})");
        if (tensor.Shape.Length != 2) throw Invalid(file, $"{Quote(name)} has shape {Tensor.ShapeString(tensor.Shape)}, not a matrix");
        return tensor;
    }

    private static string Describe(ModelConfiguration c) =>
        $"{(c.Layers > 1 ? $"a {c.Layers}-layer" : c.Cell == CellKind.Gru ? "a" : "an")} {c.Cell.ToString().ToUpperInvariant()} with V = {c.VocabularySize}, H = {c.HiddenSize}" +
        (c.Embedding > 0 ? $" and an embedding of {c.Embedding}" : " and one-hot input");

    private static string Quote(string name) => name.Length <= 80 ? $"'{name}'" : $"'{name[..80]}...'";

    private static RecurrentException Invalid(SafeTensorsFile file, string problem) =>
        new($"{file.Source} is not a PyTorch language model Recurrent can import: {problem}.");

    [GeneratedRegex(@"^rnn\.(weight_ih|weight_hh|bias_ih|bias_hh)_l([0-9]{1,2})$")]
    private static partial Regex LayerTensor();
}
