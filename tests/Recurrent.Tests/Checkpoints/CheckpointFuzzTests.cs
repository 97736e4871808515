using System.Text;
using System.Text.RegularExpressions;
using Xunit.Abstractions;
using static Recurrent.Tests.Checkpoints.CheckpointFixtures;

namespace Recurrent.Tests.Checkpoints;

/// <summary>
/// Bounded, seeded fuzzing of <see cref="Checkpoint.Load(Stream, string)"/> from real small checkpoints: every case
/// either loads or is refused with a <see cref="RecurrentException"/> of one sentence, and none allocates much more
/// than the file it reads.
/// </summary>
public class CheckpointFuzzTests(ITestOutputHelper output)
{
    private const string Source = "fuzz.safetensors";

    // Far above what loading a file of a few kilobytes needs, far below what a size taken from a hostile header would cost.
    private const long AllocationLimit = 16 << 20;

    private static readonly byte[][] Bases =
    [
        Bytes(Model(ModelKind.Concise, hidden: 3), TrainingAt(ModelKind.Concise, hidden: 3)),
        Bytes(Model(ModelKind.Scratch, hidden: 2), TrainingAt(ModelKind.Scratch, hidden: 2)),
        Bytes(Model(ModelKind.Concise, hidden: 2)),
    ];

    private enum Outcome { Loaded, Refused }

    private static Outcome Check(byte[] bytes, string description)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        try
        {
            Load(bytes, Source);
            return Outcome.Loaded;
        }
        catch (RecurrentException e)
        {
            Assert.StartsWith($"{Source} is not a valid checkpoint: ", e.Message);
            Assert.DoesNotContain('\n', e.Message);
            return Outcome.Refused;
        }
        catch (Exception e)
        {
            Assert.Fail($"{description}: {e.GetType().Name} escaped: {e.Message}");
            throw;
        }
        finally
        {
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.True(allocated < AllocationLimit, $"{description}: {allocated} bytes allocated");
        }
    }

    [Fact]
    public void TheBasesLoad()
    {
        foreach (var bytes in Bases) Assert.Equal(Outcome.Loaded, Check(bytes, "base"));
    }

    [Fact]
    public void EveryTruncationIsRefused()
    {
        foreach (var bytes in Bases)
            for (int length = 0; length < bytes.Length; length++)
                Assert.Equal(Outcome.Refused, Check(bytes[..length], $"truncated to {length} bytes"));
    }

    [Fact]
    public void RandomByteFlipsAnywhere()
    {
        var rng = new Random(2024);
        var outcomes = new Dictionary<Outcome, int> { [Outcome.Loaded] = 0, [Outcome.Refused] = 0 };
        for (int n = 0; n < 2000; n++)
        {
            var mutated = (byte[])Bases[n % Bases.Length].Clone();
            for (int f = rng.Next(1, 4); f > 0; f--)
            {
                int at = rng.Next(mutated.Length);
                mutated[at] = rng.Next(2) == 0 ? (byte)(mutated[at] ^ (1 << rng.Next(8))) : (byte)rng.Next(256);
            }
            outcomes[Check(mutated, $"flip case {n}")]++;
        }
        output.WriteLine($"byte flips: {outcomes[Outcome.Loaded]} loaded, {outcomes[Outcome.Refused]} refused");
        Assert.True(outcomes[Outcome.Loaded] > 0 && outcomes[Outcome.Refused] > 0);
    }

    private static readonly string[] Hostile =
    [
        "0", "1", "-1", "2", "6", "11", "12", "16777216", "16777217", "2147483647", "2147483648", "4294967296",
        "1e9", "1.5", "-0", "null", "true", "\"\"", "\"x\"", "[]", "{}", "[[[[[[[[[[]]]]]]]]]]", "\"\\ud800\"", "\"gru\"",
        "\"scratch\"", "\"concise\"", "\"linear\"", "\"random\"", "NaN", "\"\\u0000\"", ",", ":", "\"a\":1,",
    ];

    private static readonly Regex Token = new(@"""(?:[^""\\]|\\.)*""|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null|[\[\]{},:]");

    /// <summary>One random edit of a metadata string: a JSON token replaced, removed or doubled, or a character changed.</summary>
    private static string Mutate(string text, Random rng)
    {
        var tokens = Token.Matches(text);
        if (tokens.Count == 0 || rng.Next(5) == 0)
        {
            if (text.Length == 0) return Hostile[rng.Next(Hostile.Length)];
            int at = rng.Next(text.Length);
            return rng.Next(3) switch
            {
                0 => text.Remove(at, 1),
                1 => text.Insert(at, Hostile[rng.Next(Hostile.Length)]),
                _ => text[..at] + (char)rng.Next(32, 0x3000) + text[(at + 1)..],
            };
        }
        var token = tokens[rng.Next(tokens.Count)];
        string replacement = rng.Next(3) switch
        {
            0 => Hostile[rng.Next(Hostile.Length)],
            1 => "",
            _ => token.Value + (rng.Next(2) == 0 ? "," : "") + token.Value,
        };
        return string.Concat(text.AsSpan(0, token.Index), replacement, text.AsSpan(token.Index + token.Length));
    }

    [Fact]
    public void MutatedMetadata()
    {
        var rng = new Random(77);
        var outcomes = new Dictionary<Outcome, int> { [Outcome.Loaded] = 0, [Outcome.Refused] = 0 };
        for (int n = 0; n < 2500; n++)
        {
            var file = SafeTensors.Read(new MemoryStream(Bases[n % Bases.Length]), "base");
            var metadata = file.Metadata.ToDictionary();
            var keys = metadata.Keys.ToArray();
            for (int m = rng.Next(1, 4); m > 0; m--)
            {
                string key = keys[rng.Next(keys.Length)];
                switch (rng.Next(10))
                {
                    case 0: metadata.Remove(key); break;
                    case 1: metadata[key] = metadata.GetValueOrDefault(keys[rng.Next(keys.Length)]) ?? ""; break;
                    default: metadata[key] = Mutate(metadata.GetValueOrDefault(key) ?? "", rng); break;
                }
            }
            var stream = new MemoryStream();
            SafeTensors.Write(stream, file.Tensors, metadata);
            outcomes[Check(stream.ToArray(), $"metadata case {n}: {string.Join(" | ", metadata.Values)}")]++;
        }
        output.WriteLine($"metadata mutations: {outcomes[Outcome.Loaded]} loaded, {outcomes[Outcome.Refused]} refused");
        Assert.True(outcomes[Outcome.Loaded] > 50 && outcomes[Outcome.Refused] > 500);
    }

    [Fact]
    public void MutatedTensorSets()
    {
        var rng = new Random(31);
        var outcomes = new Dictionary<Outcome, int> { [Outcome.Loaded] = 0, [Outcome.Refused] = 0 };
        string[] names = ["rnn.weight_ih_l0", "rnn.weight_hh_l1", "dense.bias", "W_xi", "b_q", "optimizer.exp_avg.dense.bias", "embedding.weight", "__x"];
        for (int n = 0; n < 1500; n++)
        {
            var file = SafeTensors.Read(new MemoryStream(Bases[n % Bases.Length]), "base");
            var tensors = file.Tensors.ToList();
            var description = new StringBuilder();
            for (int m = rng.Next(1, 3); m > 0 && tensors.Count > 0; m--)
            {
                int i = rng.Next(tensors.Count);
                var (name, tensor) = tensors[i];
                switch (rng.Next(5))
                {
                    case 0: tensors.RemoveAt(i); description.Append($" drop {name}"); break;
                    case 1:
                        string other = names[rng.Next(names.Length)];
                        if (tensors.All(t => t.Key != other)) tensors[i] = new(other, tensor);
                        description.Append($" rename {name} to {other}");
                        break;
                    case 2:
                        int[] shape = tensor.Rank == 1 ? [tensor.Length + rng.Next(-1, 2)] : [tensor.Columns, tensor.Rows];
                        tensors[i] = new(name, Tensor.Zeros(shape.Select(d => Math.Max(d, 0)).ToArray()));
                        description.Append($" reshape {name}");
                        break;
                    case 3:
                        var copy = tensor.Clone();
                        if (copy.Length > 0) copy.Span[rng.Next(copy.Length)] = rng.Next(2) == 0 ? float.NaN : 1e30f;
                        tensors[i] = new(name, copy);
                        description.Append($" change a value of {name}");
                        break;
                    default:
                        string added = names[rng.Next(names.Length)];
                        if (tensors.All(t => t.Key != added)) tensors.Add(new(added, Tensor.Zeros(rng.Next(0, 4))));
                        description.Append($" add {added}");
                        break;
                }
            }
            var stream = new MemoryStream();
            SafeTensors.Write(stream, tensors, file.Metadata);
            outcomes[Check(stream.ToArray(), $"tensor case {n}:{description}")]++;
        }
        output.WriteLine($"tensor mutations: {outcomes[Outcome.Loaded]} loaded, {outcomes[Outcome.Refused]} refused");
        Assert.True(outcomes[Outcome.Loaded] > 0 && outcomes[Outcome.Refused] > 0);
    }
}
