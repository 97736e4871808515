using Recurrent.Cli;

namespace Recurrent.Tests.Cli;

/// <summary>The lines of <c>generate --interactive</c>: those of TextReader.ReadLine, with a longer one read past, not kept.</summary>
public class BoundedLineReaderTests
{
    private static List<(string Line, bool TooLong)> Lines(string input, int maxLength)
    {
        var reader = new BoundedLineReader(new StringReader(input), maxLength);
        var lines = new List<(string, bool)>();
        while (reader.ReadLine(out bool tooLong) is { } line) lines.Add((line, tooLong));
        return lines;
    }

    [Theory]
    [InlineData("")]
    [InlineData("a")]
    [InlineData("a\n")]
    [InlineData("a\nb")]
    [InlineData("\n\n")]
    [InlineData("a\r\nb\rc\n\rd")]
    [InlineData("\r\n\r\n")]
    [InlineData("\r")]
    public void LinesEndAsTextReaderEndsThem(string input)
    {
        var expected = new List<string>();
        var reader = new StringReader(input);
        while (reader.ReadLine() is { } line) expected.Add(line);

        Assert.Equal(expected.Select(l => (l, false)), Lines(input, 10));
    }

    [Fact]
    public void ABreakAcrossTwoReadsIsOneBreak()
    {
        // The reader fills 16,384 chars at a time: put "\r" at the end of the first fill and "\n" at the start of the next.
        string first = new('a', (1 << 14) - 1);
        Assert.Equal([(first, false), ("b", false)], Lines(first + "\r\nb", 1 << 15));
    }

    [Fact]
    public void ALongerLineIsReadPastAndTheNextOneComes()
    {
        string limit = new('a', 5), over = new('b', 6);

        Assert.Equal([(limit, false), ("", true), ("c", false), ("", true)], Lines($"{limit}\n{over}\nc\n{over}", 5));
    }

    [Fact]
    public void TheLimitCountsCodePoints()
    {
        string pairs = string.Concat(Enumerable.Repeat("\U0001D11E", 5));   // ten UTF-16 chars, five characters

        Assert.Equal([(pairs, false)], Lines(pairs, 5));
        Assert.Equal([("", true)], Lines(pairs + "x", 5));
    }

    [Fact]
    public void ALineLongerThanAnyBufferCostsNoMoreThanTheLimit()
    {
        // 100 MB of one line, made as it is read.
        var reader = new BoundedLineReader(new EndlessLine(100_000_000, then: "\nok\n"), 1000);
        long before = GC.GetAllocatedBytesForCurrentThread();

        Assert.Equal("", reader.ReadLine(out bool tooLong));
        Assert.True(tooLong);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20);
        Assert.Equal("ok", reader.ReadLine(out tooLong));
        Assert.False(tooLong);
        Assert.Null(reader.ReadLine(out _));
    }

    /// <summary>A reader of <c>length</c> chars of 'a' without a line break, then <c>then</c>.</summary>
    private sealed class EndlessLine(long length, string then) : TextReader
    {
        private long _left = length;
        private int _then;

        public override int Read(char[] buffer, int index, int count)
        {
            if (_left > 0)
            {
                int n = (int)Math.Min(count, _left);
                buffer.AsSpan(index, n).Fill('a');
                _left -= n;
                return n;
            }
            int rest = Math.Min(count, then.Length - _then);
            then.CopyTo(_then, buffer, index, rest);
            _then += rest;
            return rest;
        }
    }
}
