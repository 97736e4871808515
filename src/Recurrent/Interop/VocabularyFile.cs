using System.Text;
using System.Text.Json;
using Recurrent.Data;

namespace Recurrent.Interop;

/// <summary>
/// Reads the vocabulary of a model trained elsewhere: a JSON array of strings (a file ending in <c>.json</c>, such as
/// <c>json.dump(vocab, f)</c> writes), or one token per line (any other file), token i on line i + 1.
/// </summary>
/// <remarks>
/// The file is strict UTF-8; a byte order mark is ignored. In the line form a token is the whole line without its
/// line break, spaces included, and a final line break ends the last token rather than starting an empty one; a
/// vocabulary that holds the line break itself (or other tokens a line cannot show) must be a JSON array. Tokens must
/// be non-empty and distinct, as in a checkpoint.
/// </remarks>
public static class VocabularyFile
{
    /// <summary>Reads and checks the vocabulary at <paramref name="path"/>.</summary>
    /// <exception cref="RecurrentException">The file is missing, unreadable, not UTF-8, malformed, or has an empty or repeated token.</exception>
    public static Vocabulary Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string text = ReadText(path).TrimStart('\uFEFF');
        bool json = path.EndsWith(".json", StringComparison.OrdinalIgnoreCase);
        string[] tokens = json ? ParseJson(text, path) : SplitLines(text);
        if (tokens.Length == 0) throw new RecurrentException($"The vocabulary file {path} has no tokens.");
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < tokens.Length; i++)
        {
            string where = json ? $"entry {i}" : $"line {i + 1}";
            if (string.IsNullOrEmpty(tokens[i]))
                throw new RecurrentException($"The vocabulary file {path} has an empty token at {where}{(json ? "" : " (a vocabulary with a line break or an empty-looking token must be a JSON array in a .json file)")}.");
            if (seen.TryGetValue(tokens[i], out int first))
                throw new RecurrentException($"The vocabulary file {path} has the token {Vocabulary.Describe(tokens[i])} twice ({(json ? "entries" : "lines")} {(json ? first : first + 1)} and {(json ? i : i + 1)}).");
            seen.Add(tokens[i], i);
        }
        return new Vocabulary(tokens);
    }

    private static string ReadText(string path)
    {
        // A folder, and a device such as /dev/zero, which would be read without end, are refused by name.
        InputFile.CheckRegular(path, $"The vocabulary file {path}");
        try
        {
            return new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(File.ReadAllBytes(path));
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new RecurrentException($"The vocabulary file {path} does not exist.", e);
        }
        catch (DecoderFallbackException e)
        {
            throw new RecurrentException($"The vocabulary file {path} is not valid UTF-8.", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw new RecurrentException($"The vocabulary file {path} could not be read: {e.Message.Trim().TrimEnd('.')}.", e);
        }
    }

    private static string[] ParseJson(string text, string path)
    {
        try
        {
            return JsonSerializer.Deserialize<string[]?>(text) ?? throw new RecurrentException($"The vocabulary file {path} holds null, not a JSON array of strings.");
        }
        catch (JsonException e)
        {
            throw new RecurrentException($"The vocabulary file {path} is not a JSON array of strings{(e.LineNumber is { } line ? $" (line {line + 1})" : "")}.", e);
        }
    }

    private static string[] SplitLines(string text)
    {
        var lines = text.Split('\n').Select(line => line.EndsWith('\r') ? line[..^1] : line).ToList();
        if (lines.Count > 0 && lines[^1].Length == 0) lines.RemoveAt(lines.Count - 1);   // the last line's break
        return [.. lines];
    }
}
