using System.Text;
using System.Text.Json;

namespace Recurrent.Training;

/// <summary>
/// The training log: a JSON Lines file with one object per epoch, read back by <c>recurrent plot</c> or by any
/// tool that reads JSON (jq, pandas).
/// </summary>
/// <remarks>
/// A line is <c>{"epoch":1,"perplexity":980.4,"validation_perplexity":null,"seconds":0.55,"learning_rate":100}</c>:
/// <c>validation_perplexity</c> is null (or absent) when the run has no validation text. JSON has no infinity or
/// NaN, so a diverged run's perplexity is written as the string <c>"Infinity"</c> or <c>"NaN"</c>. Keys this
/// version does not know are ignored, so later versions can add fields; blank lines are skipped. A log holds one
/// run: its epochs increase from line to line.
/// </remarks>
public static class TrainingLog
{
    /// <summary>The usual extension of a training log.</summary>
    public const string Extension = ".jsonl";

    private const string EpochKey = "epoch", PerplexityKey = "perplexity", ValidationKey = "validation_perplexity",
        SecondsKey = "seconds", LearningRateKey = "learning_rate";

    /// <summary>The line of an entry, without its line break.</summary>
    /// <exception cref="ArgumentException">The entry holds a value that <see cref="Read"/> would reject.</exception>
    public static string Format(EpochLogEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        // Whatever is written must read back: the same bounds as the reader's.
        if (entry.Epoch < 1) throw new ArgumentException($"The epoch must be at least 1, not {entry.Epoch}.", nameof(entry));
        if (!IsPerplexity(entry.Perplexity) || entry.ValidationPerplexity is double v && !IsPerplexity(v))
            throw new ArgumentException("A perplexity must be positive, infinite or NaN.", nameof(entry));
        if (!(double.IsFinite(entry.Seconds) && entry.Seconds >= 0)) throw new ArgumentException($"Seconds must be finite and at least 0, not {entry.Seconds}.", nameof(entry));
        if (!double.IsFinite(entry.LearningRate)) throw new ArgumentException($"The learning rate must be finite, not {entry.LearningRate}.", nameof(entry));
        var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber(EpochKey, entry.Epoch);
            WriteNumber(json, PerplexityKey, entry.Perplexity);
            if (entry.ValidationPerplexity is double validation) WriteNumber(json, ValidationKey, validation);
            else json.WriteNull(ValidationKey);   // present on every line, so that every line has the same columns
            WriteNumber(json, SecondsKey, entry.Seconds);
            WriteNumber(json, LearningRateKey, entry.LearningRate);
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>Reads and checks every line of a training log.</summary>
    /// <exception cref="RecurrentException">
    /// The file is missing or unreadable, or a line is not a valid entry (the message names the file and the line),
    /// or an epoch does not follow the one before it.
    /// </exception>
    public static IReadOnlyList<EpochLogEntry> Read(string path) => ReadWithOffsets(path).Select(e => e.Entry).ToList();

    /// <summary>
    /// The entries of a log, each with the offset of the byte after its line (where the file may be cut) and whether
    /// the line ends with a line break (the last one may not).
    /// </summary>
    internal static List<(EpochLogEntry Entry, long End, bool Terminated)> ReadWithOffsets(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (Directory.Exists(path)) throw new RecurrentException($"The training log {path} is a folder, not a file.");
        byte[] bytes;
        try
        {
            // Shared for writing: a chart of a run still training reads the log its writer holds open.
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            bytes = new byte[stream.Length];
            stream.ReadExactly(bytes);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new RecurrentException($"The training log {path} does not exist.", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new RecurrentException($"The training log {path} could not be read: {e.Message.TrimEnd('.')}.", e);
        }

        var entries = new List<(EpochLogEntry, long, bool)>();
        int number = 0, previous = 0;
        int start = bytes.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? 3 : 0;
        while (start < bytes.Length)
        {
            number++;
            int newline = Array.IndexOf(bytes, (byte)'\n', start);
            int end = newline < 0 ? bytes.Length : newline + 1;
            string line = Encoding.UTF8.GetString(bytes, start, end - start).TrimEnd('\n', '\r');
            start = end;
            if (string.IsNullOrWhiteSpace(line)) continue;
            var entry = ParseLine(line, path, number);
            if (entry.Epoch <= previous)
                throw new RecurrentException($"Line {number} of {path} has epoch {entry.Epoch} after epoch {previous}: " +
                    "a training log holds one run, its epochs in increasing order.");
            previous = entry.Epoch;
            entries.Add((entry, end, newline >= 0));
        }
        return entries;
    }

    private static EpochLogEntry ParseLine(string line, string path, int number)
    {
        string where = $"Line {number} of {path}";
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(line);
        }
        catch (JsonException e)
        {
            throw new RecurrentException($"{where} is not valid JSON ({Clause(e.Message)}).", e);
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new RecurrentException($"{where} is not a JSON object but {Describe(root)}.");

            var epochElement = Required(root, EpochKey, where);
            if (!(epochElement.ValueKind == JsonValueKind.Number && epochElement.TryGetInt32(out int epoch) && epoch >= 1))
                throw new RecurrentException($"{where}: \"{EpochKey}\" must be a whole number of at least 1, not {Describe(epochElement)}.");

            double perplexity = Perplexity(Required(root, PerplexityKey, where), PerplexityKey, where);
            double? validation = root.TryGetProperty(ValidationKey, out var v) && v.ValueKind != JsonValueKind.Null
                ? Perplexity(v, ValidationKey, where)
                : null;

            var secondsElement = Required(root, SecondsKey, where);
            if (!(secondsElement.ValueKind == JsonValueKind.Number && secondsElement.GetDouble() is var seconds && seconds >= 0))
                throw new RecurrentException($"{where}: \"{SecondsKey}\" must be a number of at least 0, not {Describe(secondsElement)}.");

            var rateElement = Required(root, LearningRateKey, where);
            if (!(rateElement.ValueKind == JsonValueKind.Number && rateElement.GetDouble() is var learningRate && double.IsFinite(learningRate)))
                throw new RecurrentException($"{where}: \"{LearningRateKey}\" must be a number, not {Describe(rateElement)}.");

            return new EpochLogEntry(epoch, perplexity, validation, seconds, learningRate);
        }
    }

    // A perplexity is at least 1 in theory; anything positive is accepted (a log scale needs no more), and so are
    // the strings that stand for a diverged run.
    private static double Perplexity(JsonElement element, string key, string where)
    {
        if (element.ValueKind == JsonValueKind.Number && element.GetDouble() is var value && value > 0 && double.IsFinite(value))
            return value;
        if (element.ValueKind == JsonValueKind.String)
        {
            switch (element.GetString())
            {
                case "Infinity": return double.PositiveInfinity;
                case "NaN": return double.NaN;
            }
        }
        throw new RecurrentException($"{where}: \"{key}\" must be a positive number, \"Infinity\" or \"NaN\", not {Describe(element)}.");
    }

    private static JsonElement Required(JsonElement root, string key, string where) =>
        root.TryGetProperty(key, out var value)
            ? value
            : throw new RecurrentException($"{where} has no \"{key}\".");

    private static bool IsPerplexity(double value) => value > 0 || double.IsNaN(value);

    private static void WriteNumber(Utf8JsonWriter json, string key, double value)
    {
        if (double.IsFinite(value)) json.WriteNumber(key, value);
        else json.WriteString(key, double.IsNaN(value) ? "NaN" : "Infinity");
    }

    // A JSON value for a message, cut so that a huge line does not flood the terminal.
    private static string Describe(JsonElement element)
    {
        string raw = element.GetRawText();
        return raw.Length <= 40 ? raw : raw[..37] + "...";
    }

    // JsonException messages are sentences of their own ("'x' is an invalid start of a value. LineNumber: 0 | ...");
    // inside ours they become a clause without the position, which refers to the line alone and counts from 0.
    private static string Clause(string message)
    {
        int position = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        if (position >= 0) message = message[..position];
        return message.TrimEnd('.', ' ');
    }
}
