using Recurrent.Data;
using Recurrent.Models;
using Recurrent.Tensors;
using Recurrent.Training;

namespace Recurrent.Checkpoints;

/// <summary>
/// A language model with its vocabulary and, for a training run, where the run stands, saved as one
/// safetensors file whose tensors load directly into PyTorch modules.
/// </summary>
/// <remarks>
/// Conventions: V vocabulary, H hidden units. The file is a <see cref="SafeTensors"/> container:
/// <code>
/// tensors         the model's parameters under their own names and shapes (see ModelConfiguration):
///                 rnn.weight_ih_l0 (4H x V), rnn.weight_hh_l0 (4H x H), rnn.bias_ih_l0, rnn.bias_hh_l0 (4H),
///                 dense.weight (V x H), dense.bias (V) for the concise model; W_xi, …, b_q for the scratch one;
///                 then the optimizer's state, optimizer.{kind}.{parameter name}, when it keeps one
/// __metadata__    strings only:
///   format                 "pt"
///   recurrent_checkpoint   "2", the version of this layout (files of layout "1" are read too)
///   model                  JSON of ModelConfiguration, e.g. {"model":"concise","cell":"lstm","vocabulary_size":28,…}
///   tokenizer              JSON of how text becomes tokens, e.g. {"tokens":"char"} or
///                          {"tokens":"word","lowercase":true,"punctuation":"split"} (see TokenizerSettings)
///   vocabulary             JSON array of the V tokens: token i is input column i and output row i
///   training               JSON of TrainingOptions by group: {"model":{…},"data":{…},"optimization":{…},"report":{…}}
///   epoch                  epochs completed          }
///   rng_state              the six words of Rng.GetState in hexadecimal, separated by spaces
///   corpus_sha256          SHA-256 of the training text (optional)
///   early_stopping         JSON of the best validation perplexity and the reports since it (optional)
/// </code>
/// Loading checks the container's header first (its length, offsets inside the file, dtypes), then the metadata's
/// cheap facts (the configuration, the vocabulary's length against V, the tensors' names and shapes against the
/// configuration), and only then builds the vocabulary, reads the tensors and checks that their values are finite,
/// so that a file whose sizes do not add up costs no more than its header. Every problem is a
/// <see cref="RecurrentException"/> of one sentence. Unknown metadata keys are ignored, so that other tools may add
/// their own.
/// </remarks>
public sealed partial class Checkpoint
{
    /// <summary>The version of the metadata layout this code writes; it also reads <see cref="LegacyLayout"/>.</summary>
    public const string FormatVersion = "2";

    /// <summary>The first layout: the training options as one flat object, the token kind inside the model's.</summary>
    public const string LegacyLayout = "1";

    /// <summary>The prefix of every optimizer state tensor, which keeps them apart from the model's parameters.</summary>
    public const string OptimizerPrefix = "optimizer.";

    /// <summary>Bundles a model and its vocabulary, and optionally the state of the run that trains it.</summary>
    /// <exception cref="ArgumentException">
    /// The vocabulary does not have V tokens, the parameters are not named as the configuration says, or the
    /// training state is malformed.
    /// </exception>
    /// <exception cref="NotSupportedException">The model is of a type <see cref="ModelConfiguration"/> does not describe.</exception>
    public Checkpoint(LanguageModel model, Vocabulary vocabulary, TrainingState? training = null, TokenKind tokens = TokenKind.Char)
        : this(model, vocabulary, training, TokenizerSettings.Of(tokens, null))
    {
    }

    /// <summary>Bundles a model and the tokenizer it was trained with (its vocabulary and, for words, its normalisation), and optionally the state of the run that trains it.</summary>
    /// <exception cref="ArgumentException">As for the constructor that takes a vocabulary.</exception>
    /// <exception cref="NotSupportedException">The model is of a type <see cref="ModelConfiguration"/> does not describe.</exception>
    public Checkpoint(LanguageModel model, ITokenizer tokenizer, TrainingState? training = null)
        : this(model, tokenizer.Vocabulary, training, TokenizerSettings.Of(tokenizer.Kind, (tokenizer as WordTokenizer)?.Normalization))
    {
    }

    private Checkpoint(LanguageModel model, Vocabulary vocabulary, TrainingState? training, TokenizerSettings settings)
        : this(model, vocabulary, ModelConfiguration.Of(model), settings, training)
    {
        if (vocabulary.Size != model.VocabularySize)
            throw new ArgumentException($"The vocabulary has {vocabulary.Size} tokens but the model reads {model.VocabularySize}.", nameof(vocabulary));
        var expected = Configuration.ParameterShapes().Select(p => p.Key);
        if (!model.Parameters.Select(p => p.Name).SequenceEqual(expected))
            throw new ArgumentException($"The model's parameters must be named {string.Join(", ", expected)}.", nameof(model));
        if (training is not null)
        {
            if (training.Epoch < 0) throw new ArgumentException("The epoch cannot be negative.", nameof(training));
            if (training.RngState.Count != 6 || training.RngState.Take(4).All(w => w == 0))
                throw new ArgumentException("A generator state has 6 words, the first four not all zero.", nameof(training));
            if (training.OptimizerState.Any(p => !p.Key.StartsWith(OptimizerPrefix, StringComparison.Ordinal) || p.Value is null))
                throw new ArgumentException($"Optimizer state tensors must be named {OptimizerPrefix}….", nameof(training));
        }
    }

    private Checkpoint(LanguageModel model, Vocabulary vocabulary, ModelConfiguration configuration, TokenizerSettings settings, TrainingState? training)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        (Model, Vocabulary, Configuration, Tokens, Words, Training) = (model, vocabulary, configuration, settings.Tokens, settings.Words, training);
    }

    /// <summary>The model (for a loaded checkpoint, built on the tensors read from the file).</summary>
    public LanguageModel Model { get; }

    /// <summary>The tokens the model reads and predicts, in index order.</summary>
    public Vocabulary Vocabulary { get; }

    /// <summary>How the model is built: kind, cell, V and H.</summary>
    public ModelConfiguration Configuration { get; }

    /// <summary>Encodes prefixes and decodes generated tokens, at the character or word level the model was trained on.</summary>
    public ITokenizer Tokenizer => Tokenizers.For(Tokens, Vocabulary, Words);

    /// <summary>Whether a token is a character or a word (how text is encoded and decoded).</summary>
    public TokenKind Tokens { get; }

    /// <summary>For word tokens, how words were lower-cased and their punctuation treated; null for characters.</summary>
    public WordNormalization? Words { get; }

    /// <summary>Where the training run stands; null for a checkpoint that only holds a model.</summary>
    public TrainingState? Training { get; }

    /// <summary>Writes the checkpoint to <paramref name="path"/> atomically (a temporary file, flushed, then renamed).</summary>
    /// <exception cref="RecurrentException">The file could not be written.</exception>
    public void Save(string path) => SafeTensors.Write(path, Tensors(), Metadata());

    /// <summary>Writes the checkpoint to <paramref name="destination"/> from its current position.</summary>
    public void Save(Stream destination) => SafeTensors.Write(destination, Tensors(), Metadata());

    /// <summary>Reads and validates the checkpoint at <paramref name="path"/>: a file, or a pipe, which is read forward.</summary>
    /// <exception cref="RecurrentException">The file is missing, unreadable, a device, corrupt or not a checkpoint of a model Recurrent knows.</exception>
    public static Checkpoint Load(string path)
    {
        using var stream = SafeTensors.Open(path);
        return Load(stream, path);
    }

    /// <summary>Reads and validates a checkpoint from <paramref name="stream"/>; <paramref name="source"/> names it in messages.</summary>
    /// <exception cref="RecurrentException">The content is corrupt or not a checkpoint of a model Recurrent knows.</exception>
    public static Checkpoint Load(Stream stream, string source)
    {
        var header = SafeTensors.ReadHeader(stream, source);
        return Load(header, () => SafeTensors.ReadTensors(stream, header));
    }

    private IEnumerable<KeyValuePair<string, Tensor>> Tensors() =>
        Model.Parameters.Select(p => new KeyValuePair<string, Tensor>(p.Name!, p.Value))
            .Concat(Training?.OptimizerState ?? []);

    private Dictionary<string, string> Metadata()
    {
        var metadata = new Dictionary<string, string>
        {
            [FormatKey] = "pt",
            [VersionKey] = FormatVersion,
            [ModelKey] = ToJson(Configuration),
            [TokenizerKey] = ToJson(TokenizerSettings.Of(Tokens, Words)),
            [VocabularyKey] = ToJson(Vocabulary.Tokens),
        };
        if (Training is { } training)
        {
            metadata[TrainingKey] = ToJson(training.Options);
            metadata[EpochKey] = training.Epoch.ToString(System.Globalization.CultureInfo.InvariantCulture);
            metadata[RngStateKey] = string.Join(' ', training.RngState.Select(w => w.ToString("x16", System.Globalization.CultureInfo.InvariantCulture)));
            if (training.CorpusSha256 is { } sha) metadata[CorpusKey] = sha;
            if (training.Stopping != EarlyStopping.None) metadata[EarlyStoppingKey] = ToJson(training.Stopping);
        }
        return metadata;
    }

    // The cheap facts first (the configuration, the vocabulary's length, the tensors' names and shapes), so that a file
    // whose sizes do not add up is refused before its vocabulary is built or its tensors are read.
    private static Checkpoint Load(SafeTensorsHeader header, Func<SafeTensorsFile> readTensors)
    {
        string source = header.Source;
        var metadata = header.Metadata;
        string layout = metadata.GetValueOrDefault(VersionKey) ?? LegacyLayout;
        if (layout != FormatVersion && layout != LegacyLayout)
            throw Invalid(source, $"its layout version {Quote(layout)} is not {LegacyLayout} or {FormatVersion}, the ones this program reads");

        string modelJson = Required(metadata, ModelKey, source);
        TokenizerSettings tokenizer;
        if (layout == LegacyLayout)
        {
            (modelJson, var tokens) = LegacyLayout1.SplitModel(modelJson, source);
            tokenizer = new TokenizerSettings { Tokens = tokens };
        }
        else tokenizer = ParseJson<TokenizerSettings>(Required(metadata, TokenizerKey, source), TokenizerKey, source);
        if (tokenizer.Tokens == TokenKind.Char && (tokenizer.Lowercase is not null || tokenizer.Punctuation is not null))
            throw Invalid(source, $"its '{TokenizerKey}' metadata has word settings for character tokens");
        var configuration = ParseJson<ModelConfiguration>(modelJson, ModelKey, source);
        if (configuration.Problem() is { } problem) throw Invalid(source, $"its model configuration is not supported: {problem}");
        string vocabularyJson = Required(metadata, VocabularyKey, source);
        if (CountTokens(vocabularyJson) is int count and >= 0 && count != configuration.VocabularySize)
            throw Invalid(source, $"its vocabulary has {TokenCount(count)}, but its model configuration says {configuration.VocabularySize}");
        CheckShapes(header, configuration);

        var vocabulary = ParseVocabulary(vocabularyJson, tokenizer.Tokens, source);
        if (vocabulary.Size != configuration.VocabularySize)
            throw Invalid(source, $"its vocabulary has {TokenCount(vocabulary.Size)}, but its model configuration says {configuration.VocabularySize}");
        var optimizerNames = header.Entries.Select(e => e.Name).Where(n => n.StartsWith(OptimizerPrefix, StringComparison.Ordinal)).ToList();
        var training = ParseTraining(metadata, layout, configuration, optimizerNames, source);

        var file = readTensors();
        var (parameters, optimizerState) = CheckTensors(file);
        return new Checkpoint(configuration.Create(parameters), vocabulary, configuration, tokenizer,
            training is null ? null : training with { OptimizerState = optimizerState });
    }

    /// <summary>Fails on a tensor the configuration does not have, a missing one or a wrong shape (optimizer tensors aside).</summary>
    private static void CheckShapes(SafeTensorsHeader header, ModelConfiguration configuration)
    {
        string source = header.Source;
        var shapes = configuration.ParameterShapes().ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        var present = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in header.Entries)
        {
            if (entry.Name.StartsWith(OptimizerPrefix, StringComparison.Ordinal)) continue;
            if (!shapes.TryGetValue(entry.Name, out var shape))
                throw Invalid(source, $"it has a tensor {Quote(entry.Name)}, which {Describe(configuration)} does not have");
            if (!entry.Shape.SequenceEqual(shape))
                throw Invalid(source, $"tensor {Quote(entry.Name)} has shape {Tensor.ShapeString(entry.Shape)}, but {Describe(configuration)} needs {Tensor.ShapeString(shape)}");
            present.Add(entry.Name);
        }
        var missing = shapes.Keys.Where(n => !present.Contains(n)).ToList();
        if (missing.Count > 0)
            throw Invalid(source, $"it lacks the tensor{(missing.Count > 1 ? "s" : "")} {string.Join(", ", missing.Select(Quote))} of {Describe(configuration)}");
    }

    /// <summary>The parameters by name, each checked to hold finite weights, and the optimizer's tensors.</summary>
    private static (Dictionary<string, Tensor> Parameters, List<KeyValuePair<string, Tensor>> Optimizer) CheckTensors(SafeTensorsFile file)
    {
        var parameters = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        var optimizer = new List<KeyValuePair<string, Tensor>>();
        foreach (var (name, tensor) in file.Tensors)
        {
            if (name.StartsWith(OptimizerPrefix, StringComparison.Ordinal))
            {
                optimizer.Add(new(name, tensor));
                continue;
            }
            var values = tensor.Span;
            for (int i = 0; i < values.Length; i++)
            {
                if (!float.IsFinite(values[i]))
                    throw Invalid(file.Source, $"tensor {Quote(name)} holds {values[i]} at index {i}, and a model needs finite weights");
            }
            parameters.Add(name, tensor);
        }
        return (parameters, optimizer);
    }

    private static string Describe(ModelConfiguration c) =>
        $"a {c.Model.ToString().ToLowerInvariant()} {c.Cell.ToString().ToUpperInvariant()} with V = {c.VocabularySize} and H = {c.HiddenSize}";
}
