// Generates text with a language model exported by `recurrent export`, on ONNX Runtime alone.
//
//   dotnet run --project samples/OnnxGenerate -- MODEL.onnx [--prefix TEXT] [--length N] [--temperature T] [--seed N]
//
// The model's metadata holds what a program needs besides the graph: the vocabulary (token i is input index i and
// logit i), whether a token is a character or a word, and the number of layers and hidden units. The graph takes
// tokens [T, B] (int64) and the state h [L, B, H] (and c for an LSTM), and returns logits [T, B, V] and the new state.
// Here B = 1: the prefix goes in as one sequence of T tokens, then each chosen token as a sequence of one, with the
// state carried from call to call. Temperature 0 takes the most likely token, as `recurrent generate --temperature 0`.
using System.Text;
using System.Text.Json;
using Microsoft.ML.OnnxRuntime;

try
{
    return Run(args);
}
catch (UsageException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 2;
}

static int Run(string[] args)
{
    if (args.Length == 0 || args[0].StartsWith("--", StringComparison.Ordinal))
        throw new UsageException("Give the model: OnnxGenerate MODEL.onnx [--prefix TEXT] [--length N] [--temperature T] [--seed N].");
    string path = args[0];
    string prefix = Option(args, "--prefix") ?? "分开";
    int length = (int)Number(args, "--length", 100);
    float temperature = (float)Number(args, "--temperature", 1);
    var random = new Random((int)Number(args, "--seed", 1));
    if (length < 0 || !(temperature >= 0) || float.IsInfinity(temperature)) throw new UsageException("--length and --temperature must be numbers of at least 0.");

    using var model = LanguageModel.Load(path);
    int[] tokens = model.Encode(prefix);
    var output = new StringBuilder(prefix);
    var logits = model.Step(tokens);                       // the whole prefix in one call
    for (int i = 0; i < length; i++)
    {
        int next = temperature == 0 ? ArgMax(logits) : Sample(logits, temperature, random);
        output.Append(model.Decode(next));
        if (i < length - 1) logits = model.Step([next]);   // one token, carrying the state
    }
    Console.WriteLine(output);
    return 0;
}

static string? Option(string[] args, string name)
{
    int i = Array.IndexOf(args, name);
    return i < 0 ? null : i + 1 < args.Length ? args[i + 1] : throw new UsageException($"{name} needs a value.");
}

static double Number(string[] args, string name, double fallback) =>
    Option(args, name) is not { } text ? fallback
    : double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double value) && Math.Abs(value) < int.MaxValue
        ? value : throw new UsageException($"{name} takes a number, not '{text}'.");

static int ArgMax(float[] logits)
{
    int best = 0;
    for (int j = 1; j < logits.Length; j++) if (logits[j] > logits[best]) best = j;
    return best;
}

// p_j = exp((z_j - max z) / τ) / Σ_k exp((z_k - max z) / τ), then one draw.
static int Sample(float[] logits, float temperature, Random random)
{
    float max = logits.Max();
    var p = logits.Select(z => Math.Exp((z - max) / temperature)).ToArray();
    double u = random.NextDouble() * p.Sum(), cumulative = 0;
    for (int j = 0; j < p.Length; j++)
        if ((cumulative += p[j]) > u) return j;
    return p.Length - 1;
}

/// <summary>An exported language model in an ONNX Runtime session, with its vocabulary and its state for one sequence.</summary>
sealed class LanguageModel : IDisposable
{
    private readonly InferenceSession _session;
    private readonly string[] _vocabulary;
    private readonly Dictionary<string, int> _index;
    private readonly bool _words, _lstm;
    private readonly bool _lowercase;        // word models: how training normalised its words
    private readonly string _punctuation;    // split, drop or keep
    private bool _lineStart;                 // decoding: the text so far ends a line (the prefix starts it)
    private readonly int _layers, _hidden;
    private float[] _h, _c;

    private LanguageModel(InferenceSession session, string path)
    {
        _session = session;
        var metadata = session.ModelMetadata.CustomMetadataMap;
        if (!metadata.TryGetValue("recurrent_onnx", out var layout) || layout != "1")
            throw new UsageException($"{path} is not a language model written by 'recurrent export' (its metadata has no recurrent_onnx entry of version 1).");
        _vocabulary = JsonSerializer.Deserialize<string[]>(metadata["vocabulary"])!;
        _index = _vocabulary.Select((token, i) => (token, i)).ToDictionary(p => p.token, p => p.i);
        var tokenizer = JsonDocument.Parse(metadata["tokenizer"]).RootElement;
        _words = tokenizer.GetProperty("tokens").GetString() == "word";
        // Models exported before word normalisation existed split on whitespace only.
        _lowercase = tokenizer.TryGetProperty("lowercase", out var lower) && lower.GetBoolean();
        _punctuation = tokenizer.TryGetProperty("punctuation", out var punctuation) ? punctuation.GetString()! : "keep";
        var configuration = JsonDocument.Parse(metadata["model"]).RootElement;
        (_layers, _hidden) = (configuration.GetProperty("layers").GetInt32(), configuration.GetProperty("hidden_size").GetInt32());
        _lstm = session.InputNames.Contains("c");
        (_h, _c) = (new float[_layers * _hidden], new float[_layers * _hidden]);   // a zero state starts the sequence
    }

    public static LanguageModel Load(string path)
    {
        if (!File.Exists(path)) throw new UsageException($"The model {path} does not exist.");
        InferenceSession session;
        try
        {
            session = new InferenceSession(path);
        }
        catch (OnnxRuntimeException e)
        {
            throw new UsageException($"{path} is not an ONNX model that ONNX Runtime loads ({e.Message.Split('\n')[0].Trim()}).");
        }
        try
        {
            return new LanguageModel(session, path);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>The tokens of a prefix: its characters (code points), or its words for a word model.</summary>
    public int[] Encode(string text)
    {
        var pieces = _words
            ? text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).SelectMany(Normalise).ToArray()
            : text.EnumerateRunes().Select(r => r.ToString()).ToArray();
        var unknown = pieces.Where(p => !_index.ContainsKey(p)).Distinct().ToList();
        if (unknown.Count > 0) throw new UsageException($"The prefix has {(_words ? "words" : "characters")} the model does not know: {string.Join(", ", unknown.Select(u => $"'{u}'"))}.");
        if (pieces.Length == 0) throw new UsageException("The prefix is empty.");
        return pieces.Select(p => _index[p]).ToArray();
    }

    /// <summary>
    /// The text a token adds: a character as it is; a word after a space (none at the start of a line, or before closing
    /// punctuation when punctuation was split off), or a line break for &lt;eos&gt;.
    /// </summary>
    public string Decode(int token)
    {
        if (!_words) return _vocabulary[token];
        string word = _vocabulary[token];
        if (word == "<eos>")
        {
            _lineStart = true;
            return "\n";
        }
        bool attached = _lineStart || (_punctuation == "split" && ".,;:!?)]}".Contains(word[0]));
        _lineStart = false;
        return attached ? word : " " + word;
    }

    /// <summary>
    /// A word of the prefix as training made tokens of it: lower-cased if it was; punctuation and symbols split off as
    /// tokens of their own (a run of one mark is one token) or dropped, an apostrophe or hyphen between letters kept.
    /// </summary>
    private IEnumerable<string> Normalise(string word)
    {
        if (word is "<unk>" or "<eos>") return [word];
        if (_lowercase) word = word.ToLowerInvariant();
        if (_punctuation == "keep") return [word];
        var runes = word.EnumerateRunes().ToArray();
        var tokens = new List<string>();
        var current = new StringBuilder();
        for (int i = 0; i < runes.Length; i++)
        {
            bool mark = Rune.IsPunctuation(runes[i]) || Rune.IsSymbol(runes[i]);
            bool joiner = runes[i].Value is '\'' or '\u2019' or '-' && i > 0 && i + 1 < runes.Length
                && Rune.IsLetterOrDigit(runes[i - 1]) && Rune.IsLetterOrDigit(runes[i + 1]);
            if (!mark || joiner)
            {
                current.Append(runes[i].ToString());
                continue;
            }
            if (current.Length > 0) tokens.Add(current.ToString());
            current.Clear();
            int end = i;
            while (end + 1 < runes.Length && runes[end + 1] == runes[i]) end++;
            if (_punctuation == "split") tokens.Add(string.Concat(runes[i..(end + 1)].Select(r => r.ToString())));
            i = end;
        }
        if (current.Length > 0) tokens.Add(current.ToString());
        return tokens;
    }

    /// <summary>Runs the tokens as one sequence from the current state; returns the logits after the last one and keeps the new state.</summary>
    public float[] Step(int[] tokens)
    {
        string[] inputNames = _lstm ? ["tokens", "h", "c"] : ["tokens", "h"];
        string[] outputNames = _lstm ? ["logits", "h_out", "c_out"] : ["logits", "h_out"];
        long[] stateShape = [_layers, 1, _hidden];
        var inputs = new List<OrtValue>
        {
            OrtValue.CreateTensorValueFromMemory(tokens.Select(t => (long)t).ToArray(), [tokens.Length, 1]),
            OrtValue.CreateTensorValueFromMemory(_h, stateShape),
        };
        if (_lstm) inputs.Add(OrtValue.CreateTensorValueFromMemory(_c, stateShape));
        try
        {
            using var options = new RunOptions();
            using var outputs = _session.Run(options, inputNames, inputs, outputNames);
            var logits = outputs[0].GetTensorDataAsSpan<float>();
            _h = outputs[1].GetTensorDataAsSpan<float>().ToArray();
            if (_lstm) _c = outputs[2].GetTensorDataAsSpan<float>().ToArray();
            return logits[^_vocabulary.Length..].ToArray();   // the last step's row of [T, 1, V]
        }
        finally
        {
            foreach (var input in inputs) input.Dispose();
        }
    }

    public void Dispose() => _session.Dispose();
}

/// <summary>A problem with what the user gave: printed as one sentence, exit code 2.</summary>
sealed class UsageException(string message) : Exception(message);
