using System.Buffers;
using System.IO.Compression;
using System.Text;
using System.Text.Unicode;

namespace Recurrent.Data;

/// <summary>
/// Turns a corpus file into text as it is read: zip members, strict UTF-8, a character limit at which reading stops.
/// </summary>
internal static class CorpusText
{
    private static ReadOnlySpan<byte> Utf8Bom => [0xEF, 0xBB, 0xBF];

    /// <summary>Bytes read at a time: what is read past the character limit, at most.</summary>
    private const int ChunkBytes = 1 << 16;

    /// <summary>The longest text a .NET string holds, in UTF-16 chars.</summary>
    internal const int MaxTextChars = 0x3FFFFFDF;

    /// <summary>
    /// Reads strict UTF-8 from <paramref name="stream"/>, skipping a leading byte order mark, and keeps its first
    /// <paramref name="maxChars"/> characters (code points), or all of them when null. Reading stops once they are
    /// read: the rest of the stream is neither read nor checked, so a huge file or zip member costs only the text kept.
    /// </summary>
    /// <param name="stream">The file or zip member, from its first byte.</param>
    /// <param name="what">The file as the user knows it, for the error message.</param>
    /// <param name="maxChars">How many code points to keep, or null for all.</param>
    /// <param name="bytesRead">How many bytes were read, 0 for an empty stream.</param>
    /// <exception cref="RecurrentException">
    /// The kept text is not valid UTF-8 (the message gives the offset of the first bad byte), or is longer than a
    /// string can be.
    /// </exception>
    public static string ReadUtf8(Stream stream, string what, int? maxChars, out long bytesRead)
    {
        byte[] bytes = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        // UTF-8 never takes fewer bytes than UTF-16 takes chars, so a chunk always decodes into this buffer.
        char[] chars = ArrayPool<char>.Shared.Rent(ChunkBytes);
        try
        {
            var text = new StringBuilder();
            long wanted = maxChars ?? long.MaxValue, kept = 0;   // code points
            long offset = 0;   // of bytes[0] in the stream
            int pending = 0;   // bytes at the front of the buffer: a sequence the last chunk cut, or the first three
            bool first = true, end = false;
            while (kept < wanted && !end)
            {
                // The first read gets three bytes if there are three, to see a byte order mark whole.
                int read = stream.ReadAtLeast(bytes.AsSpan(pending, ChunkBytes - pending), first ? Utf8Bom.Length : 1, throwOnEndOfStream: false);
                end = read == 0 || (first && read < Utf8Bom.Length);
                int count = pending + read, start = 0;
                if (first && bytes.AsSpan(0, count).StartsWith(Utf8Bom)) start = Utf8Bom.Length;
                first = false;

                // Unlike Encoding.UTF8.GetString, this reports where the first invalid sequence starts (used) instead of
                // replacing it with U+FFFD; a sequence cut at the end of the chunk waits for the next (NeedMoreData),
                // and at the end of the stream it is invalid too (isFinalBlock).
                OperationStatus status = Utf8.ToUtf16(bytes.AsSpan(start, count - start), chars, out int used, out int written,
                    replaceInvalidSequences: false, isFinalBlock: end);
                // Without a limit there is nothing to count; with one, the count is bounded by the limit.
                int take = written, codePoints = 0;
                if (maxChars is not null) take = Prefix(chars.AsSpan(0, written), wanted - kept, out codePoints);
                if ((long)text.Length + take > MaxTextChars)
                    throw new OptionException(
                        $"{what} has more than {MaxTextChars:N0} characters, the most one text can hold: keep fewer with {{{DataOptions.Keys.MaxChars}}}.");
                text.Append(chars, 0, take);
                kept += codePoints;
                // Bytes after the kept text do not matter, valid or not.
                if (status == OperationStatus.InvalidData && kept < wanted)
                    throw new RecurrentException($"{what} is not valid UTF-8 (byte offset {offset + start + used}).");

                pending = count - start - used;
                bytes.AsSpan(start + used, pending).CopyTo(bytes);
                offset += start + used;
            }
            bytesRead = offset + pending;
            return text.ToString();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
            ArrayPool<char>.Shared.Return(chars);
        }
    }

    /// <summary>The number of UTF-16 chars that hold the first <paramref name="max"/> code points of <paramref name="chars"/> (all when fewer).</summary>
    private static int Prefix(ReadOnlySpan<char> chars, long max, out int codePoints)
    {
        // Decoded text is well formed: a high surrogate is always followed by its low one, in the same chunk.
        int length = 0;
        codePoints = 0;
        while (length < chars.Length && codePoints < max)
        {
            length += char.IsHighSurrogate(chars[length]) ? 2 : 1;
            codePoints++;
        }
        return length;
    }

    /// <summary>
    /// Reads the text of one member of a zip, <paramref name="member"/> when given, else the only file, else the only
    /// <c>.txt</c> file, as <see cref="ReadUtf8"/> does.
    /// </summary>
    /// <param name="zip">The zip file, seekable (a zip is read from its directory at the end).</param>
    /// <param name="what">The zip as the user knows it, for error messages.</param>
    /// <param name="member">The member to read, or null to choose as above.</param>
    /// <param name="maxChars">How many code points to keep, or null for all.</param>
    /// <param name="checkSize">Called with the member's name and size before it is read, to refuse one too large to hold.</param>
    /// <returns>The chosen member's name, its text, and how many bytes of it were read.</returns>
    public static (string Member, string Text, long Bytes) ReadZipMember(Stream zip, string what, string? member, int? maxChars,
        Action<string, long>? checkSize = null)
    {
        try
        {
            using var archive = new ZipArchive(zip, ZipArchiveMode.Read, leaveOpen: true);
            // Directory entries have an empty Name.
            List<ZipArchiveEntry> files = archive.Entries.Where(e => e.Name.Length > 0).ToList();
            ZipArchiveEntry entry = member is not null
                ? files.FirstOrDefault(e => e.FullName == member)
                    ?? throw new RecurrentException($"{what} has no member {member}.")
                : ChooseMember(files, what);
            string name = $"{entry.FullName} in {what}";
            // The size the zip declares is what can be read: .NET stops a member there, whatever it inflates to.
            checkSize?.Invoke(name, entry.Length);
            using Stream stream = entry.Open();
            string text = ReadUtf8(stream, name, maxChars, out long bytes);
            return (entry.FullName, text, bytes);
        }
        catch (InvalidDataException e)
        {
            throw new RecurrentException($"{what} is not a valid zip file ({e.Message.TrimEnd('.')}).", e);
        }
    }

    private static ZipArchiveEntry ChooseMember(List<ZipArchiveEntry> files, string what)
    {
        if (files.Count == 1) return files[0];
        if (files.Count == 0) throw new RecurrentException($"{what} has no file in it.");
        List<ZipArchiveEntry> texts = files.Where(e => e.Name.EndsWith(".txt", StringComparison.OrdinalIgnoreCase)).ToList();
        if (texts.Count == 1) return texts[0];
        string names = string.Join(", ", files.Select(e => e.FullName));
        throw new RecurrentException($"{what} holds {files.Count} files ({names}); give a zip with one file, or with a single .txt file.");
    }
}
