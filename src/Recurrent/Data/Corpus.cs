using System.Security.Cryptography;
using System.Text;

namespace Recurrent.Data;

/// <summary>
/// A training text ready for the iterators: the text, its character vocabulary and the text encoded as
/// vocabulary indices.
/// </summary>
public sealed class Corpus
{
    /// <summary>Builds the vocabulary of <paramref name="text"/> and encodes it.</summary>
    /// <param name="name">The built-in name, or the path the user gave.</param>
    /// <param name="source">Where the text was read, for people (a path, with the zip member if any).</param>
    /// <param name="text">The text, already prepared (line breaks replaced, cut to the character limit).</param>
    /// <exception cref="RecurrentException">The text is empty.</exception>
    public Corpus(string name, string source, string text)
    {
        if (text.Length == 0) throw new RecurrentException($"The corpus {name} has no text.");
        Name = name;
        Source = source;
        Text = text;
        Vocabulary = Vocabulary.FromCharacters(text);
        Indices = Vocabulary.Encode(text);
    }

    /// <summary>The built-in name (<c>jaychou</c>) or the path the user gave.</summary>
    public string Name { get; }

    /// <summary>Where the text was read (a full path, followed by the zip member if any).</summary>
    public string Source { get; }

    /// <summary>The prepared text.</summary>
    public string Text { get; }

    /// <summary>The distinct characters of <see cref="Text"/>, sorted by code point.</summary>
    public Vocabulary Vocabulary { get; }

    /// <summary>The text as vocabulary indices, one per character (code point).</summary>
    public int[] Indices { get; }

    /// <summary>The lowercase hexadecimal SHA-256 of a text's UTF-8 bytes: what a resumed run checks it reads the same text by.</summary>
    public static string Fingerprint(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        // Encoded and hashed a piece at a time rather than copied whole into UTF-8 first, which for a large corpus would
        // be one more copy of it in memory. The encoder keeps a surrogate pair that a piece cuts for the next piece, so
        // the bytes are those of Encoding.UTF8.GetBytes(text).
        const int piece = 1 << 14;
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Encoder encoder = Encoding.UTF8.GetEncoder();
        var bytes = new byte[Encoding.UTF8.GetMaxByteCount(piece)];
        for (int start = 0; ; start += piece)
        {
            int length = Math.Min(piece, text.Length - start);
            bool last = start + length == text.Length;
            int count = encoder.GetBytes(text.AsSpan(start, length), bytes, flush: last);
            hash.AppendData(bytes, 0, count);
            if (last) return Convert.ToHexStringLower(hash.GetHashAndReset());
        }
    }

    /// <summary>The number of characters (code points), the length the iterators see.</summary>
    public int Length => Indices.Length;
}
