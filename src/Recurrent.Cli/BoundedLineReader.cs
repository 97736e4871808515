using System.Text;

namespace Recurrent.Cli;

/// <summary>
/// Reads lines of at most a given number of characters (code points) from a reader: a longer line is read to its end
/// without being kept, so that a line that never ends (<c>&lt; /dev/zero</c>) costs no more memory than a short one.
/// </summary>
/// <remarks>A line ends at "\n", "\r\n" or "\r", as <see cref="TextReader.ReadLine"/> has it.</remarks>
internal sealed class BoundedLineReader(TextReader input, int maxLength)
{
    private readonly char[] _buffer = new char[1 << 14];
    private readonly StringBuilder _line = new();
    private int _position, _count;
    private bool _afterCarriageReturn;   // the last line ended with '\r': a '\n' right after it belongs to that break

    /// <summary>The most characters a line may have.</summary>
    public int MaxLength => maxLength;

    /// <summary>
    /// The next line without its line break, or null at the end of the input; <paramref name="tooLong"/> is true for a
    /// line of more than <see cref="MaxLength"/> characters, which is read to its end and returned as an empty text.
    /// </summary>
    public string? ReadLine(out bool tooLong)
    {
        tooLong = false;
        _line.Clear();
        int length = 0;   // code points of the line so far
        bool any = false;
        while (true)
        {
            if (_position == _count)
            {
                _count = input.Read(_buffer, 0, _buffer.Length);
                _position = 0;
                if (_count == 0) return any ? Line(tooLong) : null;
            }
            if (_afterCarriageReturn)
            {
                _afterCarriageReturn = false;
                if (_buffer[_position] == '\n' && ++_position == _count) continue;
            }
            any = true;
            ReadOnlySpan<char> rest = _buffer.AsSpan(_position, _count - _position);
            int end = rest.IndexOfAny('\r', '\n');
            ReadOnlySpan<char> part = end < 0 ? rest : rest[..end];
            if (!tooLong)
            {
                length += CodePoints(part);
                if (length > maxLength)
                {
                    tooLong = true;
                    _line.Clear();
                }
                else _line.Append(part);
            }
            _position += part.Length;
            if (end < 0) continue;
            _afterCarriageReturn = rest[end] == '\r';
            _position++;
            return Line(tooLong);
        }
    }

    private string Line(bool tooLong) => tooLong ? "" : _line.ToString();

    // A low surrogate is the second half of a code point already counted.
    private static int CodePoints(ReadOnlySpan<char> text)
    {
        int lows = 0;
        foreach (char c in text) if (char.IsLowSurrogate(c)) lows++;
        return text.Length - lows;
    }
}
