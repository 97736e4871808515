using System.Text;

namespace Recurrent.Data;

/// <summary>
/// The tokens a model knows, each with its index (the position of its one-hot input and of its output
/// logit). For a character-level model a token is one Unicode code point, held as a string so that a
/// word-level vocabulary can use the same type later.
/// </summary>
/// <remarks>
/// Characters are code points, not UTF-16 chars: the book slices a Python <c>str</c>, so a character
/// outside the Basic Multilingual Plane (a surrogate pair in .NET) is one token.
/// </remarks>
public sealed class Vocabulary
{
    private readonly string[] _tokens;
    private readonly Dictionary<string, int> _indexOfToken;

    // Encode looks up code points; keeping them as Runes avoids a string per character of the corpus.
    private readonly Dictionary<Rune, int> _indexOfRune;

    /// <summary>Creates a vocabulary whose token i is the i-th of <paramref name="tokens"/>.</summary>
    /// <exception cref="ArgumentException">A token is empty or appears twice.</exception>
    public Vocabulary(IEnumerable<string> tokens)
    {
        _tokens = tokens.ToArray();
        _indexOfToken = new Dictionary<string, int>(_tokens.Length, StringComparer.Ordinal);
        _indexOfRune = new Dictionary<Rune, int>(_tokens.Length);
        for (int i = 0; i < _tokens.Length; i++)
        {
            string token = _tokens[i];
            if (string.IsNullOrEmpty(token)) throw new ArgumentException($"Token {i} is empty.", nameof(tokens));
            if (!_indexOfToken.TryAdd(token, i)) throw new ArgumentException($"Token {i} ({token}) appears twice.", nameof(tokens));
            if (Rune.DecodeFromUtf16(token, out Rune rune, out int used) == System.Buffers.OperationStatus.Done && used == token.Length)
                _indexOfRune.Add(rune, i);
        }
    }

    /// <summary>The character-level vocabulary of a text: its distinct characters sorted by code point.</summary>
    /// <remarks>
    /// The book builds its vocabulary from a Python <c>set</c>, whose order changes from run to run; sorting
    /// makes the indices, and so a checkpoint, reproducible. The sort is by code point, not by UTF-16
    /// ordinal, which would put characters outside the BMP before U+E000..U+FFFF.
    /// </remarks>
    public static Vocabulary FromCharacters(string text)
    {
        var distinct = new HashSet<Rune>();
        foreach (Rune rune in text.EnumerateRunes()) distinct.Add(rune);
        return new Vocabulary(distinct.OrderBy(r => r.Value).Select(r => r.ToString()));
    }

    /// <summary>The number of tokens, V.</summary>
    public int Size => _tokens.Length;

    /// <summary>The tokens in index order.</summary>
    public IReadOnlyList<string> Tokens => _tokens;

    /// <summary>
    /// The index of the first token that is more than one character (code point), or -1 when each is one, as in a
    /// character-level vocabulary.
    /// </summary>
    public int FirstNonCharacter()
    {
        if (_indexOfRune.Count == _tokens.Length) return -1;   // each token decoded to a rune of its own
        for (int i = 0; i < _tokens.Length; i++)
            if (Rune.DecodeFromUtf16(_tokens[i], out _, out int used) != System.Buffers.OperationStatus.Done || used != _tokens[i].Length) return i;
        return -1;
    }

    /// <summary>The index of a token.</summary>
    /// <exception cref="RecurrentException">The token is not in the vocabulary.</exception>
    public int IndexOf(string token) =>
        _indexOfToken.TryGetValue(token, out int index)
            ? index
            : throw new RecurrentException($"{Describe(token)} is not in the vocabulary.");

    /// <summary>The index of a token, or false when the vocabulary does not have it.</summary>
    public bool TryIndexOf(string token, out int index) => _indexOfToken.TryGetValue(token, out index);

    /// <summary>The indices of the characters (code points) of a text.</summary>
    /// <param name="text">The text to encode.</param>
    /// <param name="what">What the text is, for the error message ("prefix" gives "The prefix has ...").</param>
    /// <exception cref="RecurrentException">
    /// The text has characters the vocabulary does not have; the message names each of them once.
    /// </exception>
    public int[] Encode(string text, string what = "text")
    {
        // One int per character, written into an array sized for the UTF-16 length (an upper bound on the number
        // of code points) rather than a growing list: a corpus of hundreds of megabytes is encoded in place.
        var indices = new int[text.Length];
        int count = 0;
        var unknown = new List<Rune>(); // in order of first appearance, each once
        var seenUnknown = new HashSet<Rune>();
        foreach (Rune rune in text.EnumerateRunes())
        {
            if (_indexOfRune.TryGetValue(rune, out int index)) indices[count++] = index;
            else if (seenUnknown.Add(rune)) unknown.Add(rune);
        }
        if (unknown.Count > 0)
        {
            string names = string.Join(", ", unknown.Select(r => Describe(r.ToString())));
            throw new RecurrentException($"The {what} has characters not in the vocabulary: {names}.");
        }
        if (count < indices.Length) Array.Resize(ref indices, count);   // only when the text has surrogate pairs
        return indices;
    }

    /// <summary>The text made of the tokens at these indices.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An index is not in [0, <see cref="Size"/>).</exception>
    public string Decode(ReadOnlySpan<int> indices)
    {
        var text = new StringBuilder(indices.Length);
        foreach (int index in indices)
        {
            if ((uint)index >= (uint)_tokens.Length)
                throw new ArgumentOutOfRangeException(nameof(indices), $"Index {index} is not in [0, {_tokens.Length}).");
            text.Append(_tokens[index]);
        }
        return text.ToString();
    }

    // Quotes a token for a message; control and other invisible characters are shown as U+XXXX.
    internal static string Describe(string token)
    {
        if (Rune.DecodeFromUtf16(token, out Rune rune, out int used) == System.Buffers.OperationStatus.Done
            && used == token.Length
            && (Rune.IsControl(rune) || (Rune.IsWhiteSpace(rune) && rune.Value != ' ')))
            return $"U+{rune.Value:X4}";
        return $"'{token}'";
    }
}
