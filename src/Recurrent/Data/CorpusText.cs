using System.Buffers;
using System.IO.Compression;
using System.Text;
using System.Text.Unicode;

namespace Recurrent.Data;

/// <summary>Turns the bytes of a corpus file into text: zip members, strict UTF-8, a character limit.</summary>
internal static class CorpusText
{
    private static ReadOnlySpan<byte> Utf8Bom => [0xEF, 0xBB, 0xBF];

    /// <summary>Decodes strict UTF-8, skipping a leading byte order mark.</summary>
    /// <param name="bytes">The file's bytes.</param>
    /// <param name="what">The file as the user knows it, for the error message.</param>
    /// <exception cref="RecurrentException">The bytes are not valid UTF-8 (the message gives the offset of the first bad byte).</exception>
    public static string DecodeUtf8(ReadOnlySpan<byte> bytes, string what)
    {
        int start = bytes.StartsWith(Utf8Bom) ? Utf8Bom.Length : 0;
        ReadOnlySpan<byte> body = bytes[start..];
        // UTF-8 never takes fewer bytes than UTF-16 takes chars, so this buffer is always large enough.
        char[] chars = new char[body.Length];
        // Unlike Encoding.UTF8.GetString, this reports where the first invalid sequence starts (bytesRead)
        // instead of replacing it with U+FFFD; isFinalBlock makes a sequence cut at the end invalid too.
        OperationStatus status = Utf8.ToUtf16(body, chars, out int bytesRead, out int charsWritten,
            replaceInvalidSequences: false, isFinalBlock: true);
        if (status != OperationStatus.Done)
            throw new RecurrentException($"{what} is not valid UTF-8 (byte offset {start + bytesRead}).");
        return new string(chars, 0, charsWritten);
    }

    /// <summary>The first <paramref name="maxChars"/> characters (code points) of a text, or all of it when null.</summary>
    public static string FirstCharacters(string text, int? maxChars)
    {
        if (maxChars is not int max) return text;
        int length = 0;  // in UTF-16 chars
        for (int count = 0; count < max && length < text.Length; count++)
        {
            Rune.DecodeFromUtf16(text.AsSpan(length), out _, out int used);
            length += used;
        }
        return text[..length];
    }

    /// <summary>
    /// The bytes of one member of a zip: <paramref name="member"/> when given, else the only file, else the
    /// only <c>.txt</c> file.
    /// </summary>
    /// <param name="zip">The zip file's bytes.</param>
    /// <param name="what">The zip as the user knows it, for error messages.</param>
    /// <param name="member">The member to read, or null to choose as above.</param>
    /// <returns>The chosen member's name and bytes.</returns>
    public static (string Member, byte[] Bytes) ReadZipMember(byte[] zip, string what, string? member)
    {
        try
        {
            using var archive = new ZipArchive(new MemoryStream(zip), ZipArchiveMode.Read);
            // Directory entries have an empty Name.
            List<ZipArchiveEntry> files = archive.Entries.Where(e => e.Name.Length > 0).ToList();
            ZipArchiveEntry entry = member is not null
                ? files.FirstOrDefault(e => e.FullName == member)
                    ?? throw new RecurrentException($"{what} has no member {member}.")
                : ChooseMember(files, what);
            if (entry.Length > Array.MaxLength)
                throw new RecurrentException($"{entry.FullName} in {what} is too large to load ({entry.Length:N0} bytes).");
            using Stream stream = entry.Open();
            var bytes = new MemoryStream((int)entry.Length);
            stream.CopyTo(bytes);
            return (entry.FullName, bytes.ToArray());
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
