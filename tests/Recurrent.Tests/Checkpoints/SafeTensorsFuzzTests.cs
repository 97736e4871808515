using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace Recurrent.Tests.Checkpoints;

/// <summary>
/// Bounded, seeded fuzzing of the reader. Every case must either read back exactly what the independent
/// <see cref="MinimalSafeTensorsReader"/> reads (when the file is still valid) or throw a
/// <see cref="RecurrentException"/> (when it is not); any other outcome fails.
/// </summary>
public class SafeTensorsFuzzTests(ITestOutputHelper output)
{
    private const string Source = "fuzz.safetensors";

    /// <summary>Valid files to start from: one with metadata and every rank, one minimal.</summary>
    private static readonly byte[][] Bases = [WithMetadata(), Minimal()];

    private static byte[] WithMetadata()
    {
        var rng = new Random(7);
        Tensor Random(params int[] shape)
        {
            var t = Tensor.Zeros(shape);
            for (int i = 0; i < t.Length; i++) t.Span[i] = (float)rng.NextDouble();
            return t;
        }
        var stream = new MemoryStream();
        SafeTensors.Write(stream,
        [
            new("rnn.weight_ih_l0", Random(8, 3)),
            new("rnn.bias_ih_l0", Random(8)),
            new("empty", Random(0)),
            new("dense.weight", Random(3, 2)),
            new("x", Random(1, 2, 2)),
        ], new Dictionary<string, string> { ["format"] = "pt" });
        return stream.ToArray();
    }

    private static byte[] Minimal()
    {
        var stream = new MemoryStream();
        SafeTensors.Write(stream, [new("a", new Tensor([1f, 2f], 2)), new("b", new Tensor([3f], 1, 1, 1))]);
        return stream.ToArray();
    }

    /// <summary>Which outcome a case had, so a test can show it reached both.</summary>
    private enum Outcome { Read, Refused }

    private static Outcome Check(byte[] bytes, string description)
    {
        var expected = MinimalSafeTensorsReader.TryParse(bytes);
        SafeTensorsFile actual;
        try
        {
            actual = SafeTensors.Read(new MemoryStream(bytes, writable: false), Source);
        }
        catch (RecurrentException e)
        {
            Assert.True(expected is null, $"{description}: a valid file was refused: {e.Message}");
            Assert.StartsWith($"{Source} is not a valid checkpoint: ", e.Message);
            return Outcome.Refused;
        }
        catch (Exception e)
        {
            Assert.Fail($"{description}: {e.GetType().Name} escaped: {e.Message}");
            throw;
        }

        Assert.True(expected is not null, $"{description}: an invalid file was read");
        var inFileOrder = expected.Tensors.Index()
            .OrderBy(p => p.Item.Begin).ThenBy(p => p.Item.End).ThenBy(p => p.Index).Select(p => p.Item).ToList();
        Assert.Equal(inFileOrder.Select(t => t.Name), actual.Tensors.Select(p => p.Key));
        foreach (var (tensor, (_, read)) in inFileOrder.Zip(actual.Tensors))
        {
            Assert.Equal(tensor.Shape, read.Shape.ToArray().Select(d => (long)d));
            Assert.Equal(tensor.Values.Select(BitConverter.SingleToInt32Bits), read.ToArray().Select(BitConverter.SingleToInt32Bits));
        }
        Assert.Equal((expected.Metadata ?? []).OrderBy(p => p.Key), actual.Metadata.OrderBy(p => p.Key));
        return Outcome.Read;
    }

    [Fact]
    public void TheBaseFilesAreValid()
    {
        foreach (var bytes in Bases) Assert.Equal(Outcome.Read, Check(bytes, "base"));
    }

    [Fact]
    public void RandomBytes()
    {
        var rng = new Random(20240601);
        const string jsonish = "{}[]\":,0123456789-.eE FSU_abdfhnpstu\\";
        for (int n = 0; n < 600; n++)
        {
            var bytes = new byte[rng.Next(0, 160)];
            rng.NextBytes(bytes);
            if (bytes.Length >= 8 && n % 2 == 0)
            {
                // A plausible header length, so the case reaches the JSON parser and beyond.
                int headerLength = rng.Next(0, bytes.Length - 7);
                BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)headerLength);
                if (n % 4 == 0)
                    for (int i = 8; i < 8 + headerLength; i++) bytes[i] = (byte)jsonish[rng.Next(jsonish.Length)];
            }
            Check(bytes, $"random case {n}");
        }
    }

    [Fact]
    public void EveryTruncationIsRefused()
    {
        foreach (var bytes in Bases)
        {
            for (int length = 0; length < bytes.Length; length++)
                Assert.Equal(Outcome.Refused, Check(bytes[..length], $"truncated to {length} bytes"));
        }
    }

    [Fact]
    public void TrailingBytesAfterTheDataAreIgnored()
    {
        foreach (var bytes in Bases)
        {
            for (int extra = 1; extra <= 9; extra++)
                Assert.Equal(Outcome.Read, Check([.. bytes, .. new byte[extra]], $"{extra} trailing bytes"));
        }
    }

    [Fact]
    public void HostileHeaderLengths()
    {
        foreach (var bytes in Bases)
        {
            long n = (long)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
            ulong[] lengths =
            [
                0, 1, 7, 8, (ulong)(n - 8), (ulong)(n - 1), (ulong)(n + 1), (ulong)(n + 8),
                (ulong)(bytes.Length - 8), (ulong)(bytes.Length - 7), 100_000_000, 100_000_001,
                1UL << 31, 1UL << 32, 1UL << 40, 1UL << 63, (1UL << 63) + (ulong)n, ulong.MaxValue,
            ];
            foreach (ulong length in lengths)
            {
                var mutated = (byte[])bytes.Clone();
                BinaryPrimitives.WriteUInt64LittleEndian(mutated, length);
                var outcome = Check(mutated, $"header length {length}");
                // Some nearby lengths stay valid (the JSON ends in padding spaces); none past the end can be.
                if (length > (ulong)(bytes.Length - 8)) Assert.Equal(Outcome.Refused, outcome);
            }
        }
    }

    [Fact]
    public void RandomByteFlipsInTheHeader()
    {
        var rng = new Random(99);
        var outcomes = new Dictionary<Outcome, int> { [Outcome.Read] = 0, [Outcome.Refused] = 0 };
        for (int n = 0; n < 1500; n++)
        {
            var mutated = (byte[])Bases[n % Bases.Length].Clone();
            int headerEnd = 8 + (int)BinaryPrimitives.ReadUInt64LittleEndian(mutated);
            int flips = rng.Next(1, 4);
            for (int f = 0; f < flips; f++)
            {
                int at = rng.Next(0, headerEnd);
                mutated[at] = rng.Next(2) == 0 ? (byte)(mutated[at] ^ (1 << rng.Next(8))) : (byte)rng.Next(256);
            }
            outcomes[Check(mutated, $"flip case {n}")]++;
        }
        output.WriteLine($"byte flips: {outcomes[Outcome.Read]} read, {outcomes[Outcome.Refused]} refused");
        Assert.True(outcomes[Outcome.Refused] > 0);
    }

    [Fact]
    public void EveryNumberAndTokenMutation()
    {
        int cases = 0;
        var outcomes = new Dictionary<Outcome, int> { [Outcome.Read] = 0, [Outcome.Refused] = 0 };
        foreach (var bytes in Bases)
        {
            string header = HeaderText(bytes);
            foreach (var rule in Rules)
            {
                foreach (Match match in rule.Pattern.Matches(header))
                {
                    foreach (string replacement in rule.Replacements(match, header))
                    {
                        string mutated = Splice(header, match, replacement);
                        outcomes[Check(WithHeader(bytes, mutated), $"{rule.Name}: {mutated}")]++;
                        cases++;
                    }
                }
            }
        }
        output.WriteLine($"{cases} mutations: {outcomes[Outcome.Read]} read, {outcomes[Outcome.Refused]} refused");
        // Both outcomes must occur, or the mutations are not exercising what they claim to.
        Assert.True(outcomes[Outcome.Read] > 10 && outcomes[Outcome.Refused] > 100);
    }

    [Fact]
    public void RandomCombinationsOfMutations()
    {
        var rng = new Random(4242);
        var outcomes = new Dictionary<Outcome, int> { [Outcome.Read] = 0, [Outcome.Refused] = 0 };
        for (int n = 0; n < 1500; n++)
        {
            var bytes = Bases[rng.Next(Bases.Length)];
            string header = HeaderText(bytes);
            int steps = rng.Next(1, 4);
            for (int s = 0; s < steps; s++)
            {
                var rule = Rules[rng.Next(Rules.Length)];
                var matches = rule.Pattern.Matches(header);
                if (matches.Count == 0) continue;
                var match = matches[rng.Next(matches.Count)];
                var replacements = rule.Replacements(match, header).ToList();
                header = Splice(header, match, replacements[rng.Next(replacements.Count)]);
            }
            var mutated = WithHeader(bytes, header);
            if (rng.Next(10) == 0) // sometimes leave the length prefix stale
                BinaryPrimitives.WriteUInt64LittleEndian(mutated, BinaryPrimitives.ReadUInt64LittleEndian(bytes));
            outcomes[Check(mutated, $"combination {n}: {header}")]++;
        }
        output.WriteLine($"combinations: {outcomes[Outcome.Read]} read, {outcomes[Outcome.Refused]} refused");
        Assert.True(outcomes[Outcome.Read] > 0 && outcomes[Outcome.Refused] > 0);
    }

    private sealed record Rule(string Name, Regex Pattern, Func<Match, string, IEnumerable<string>> Replacements);

    private static IEnumerable<string> Fixed(params string[] values) => values;

    private static readonly string[] Numbers =
    [
        "0", "1", "2", "3", "4", "7", "8", "12", "16", "-1", "-8", "-0", "00", "1.5", "8.0", "1e2", "0x10",
        "2147483647", "2147483648", "4294967296", "9007199254740993", "9223372036854775807",
        "9223372036854775808", "18446744073709551615", "18446744073709551616", "99999999999999999999999999",
        "\"8\"", "null", "[]", "",
    ];

    private static readonly Rule[] Rules =
    [
        new("number", new Regex(@"-?\d+"), (m, _) =>
        {
            var n = BigInteger.Parse(m.Value, CultureInfo.InvariantCulture);
            return [.. Numbers, (n + 4).ToString(CultureInfo.InvariantCulture), (n - 4).ToString(CultureInfo.InvariantCulture)];
        }),
        new("dtype", new Regex("\"F32\""), (_, _) =>
            Fixed("\"F16\"", "\"BF16\"", "\"F64\"", "\"I32\"", "\"U8\"", "\"BOOL\"", "\"f32\"", "\"F32 \"", "32", "null", "[\"F32\"]", "\"F\\u0033\\u0032\"")),
        new("shape", new Regex(@"\[[^\[\]]*\](?=,""data_offsets"")"), (_, _) =>
            Fixed("[]", "[1,1,1,1]", "[1,1,1,1,1]", "null", "{}", "[[2]]", "[2,-2]", "[0]", "[2147483647,2147483647,2]")),
        new("offsets", new Regex(@"\[(\d+),(\d+)\]"), (m, _) =>
            Fixed("[]", $"[{m.Groups[1].Value}]", $"[{m.Groups[1].Value},{m.Groups[2].Value},0]", "null", "\"0,8\"",
                $"[{m.Groups[2].Value},{m.Groups[1].Value}]", "[0,4]", "[4,8]", "[0,0]")),
        new("drop field", new Regex(@"""(dtype|shape|data_offsets)"":(""[^""]*""|\[[^\]]*\]),?"), (_, _) => Fixed("")),
        new("repeat field", new Regex(@"""dtype"":""F32"""), (m, _) =>
            Fixed(m.Value + "," + m.Value, m.Value + ",\"extra\":1", m.Value + ",\"shape\":[1]")),
        new("rename", new Regex(@"""([^""]+)"":\{""dtype"""), (m, header) =>
        {
            // Give this tensor the name of every tensor, itself included (a no-op), and a few others.
            var names = new Regex(@"""([^""]+)"":\{""dtype""").Matches(header).Select(x => x.Groups[1].Value);
            return names.Concat(["__metadata__", "", "\\ud800", "é"]).Select(n => $"\"{n}\":{{\"dtype\"");
        }),
        new("metadata", new Regex(@"\{""format"":""pt""\}"), (_, _) =>
            Fixed("{\"format\":1}", "[]", "null", "{\"format\":\"x\",\"format\":\"y\"}", "\"s\"", "{}", "{\"a\":{}}",
                "{\"format\":\"\\udc00\"}")),
        new("root", new Regex(@"^\{"), (_, _) =>
            Fixed("[", "{{", "{\"a\":" + new string('[', 100), "{\"__metadata__\":{},", "{\"z\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]},")),
    ];

    private static string Splice(string text, Match match, string replacement) =>
        string.Concat(text.AsSpan(0, match.Index), replacement, text.AsSpan(match.Index + match.Length));

    private static string HeaderText(byte[] file) =>
        Encoding.UTF8.GetString(file, 8, (int)BinaryPrimitives.ReadUInt64LittleEndian(file));

    /// <summary>The file with another header (its length prefix updated) and the same data section.</summary>
    private static byte[] WithHeader(byte[] file, string header)
    {
        int oldLength = (int)BinaryPrimitives.ReadUInt64LittleEndian(file);
        byte[] newHeader = Encoding.UTF8.GetBytes(header);
        var data = file.AsSpan(8 + oldLength);
        var result = new byte[8 + newHeader.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(result, (ulong)newHeader.Length);
        newHeader.CopyTo(result, 8);
        data.CopyTo(result.AsSpan(8 + newHeader.Length));
        return result;
    }
}
