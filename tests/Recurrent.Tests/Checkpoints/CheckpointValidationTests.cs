using Xunit.Abstractions;
using static Recurrent.Tests.Checkpoints.CheckpointFixtures;

namespace Recurrent.Tests.Checkpoints;

/// <summary>
/// Each model-level rule, broken on its own in a container that is otherwise valid, gives one sentence that
/// says what is wrong.
/// </summary>
public class CheckpointValidationTests(ITestOutputHelper output)
{
    private const string Source = "bad.safetensors";

    private sealed record Parts(List<KeyValuePair<string, Tensor>> Tensors, Dictionary<string, string> Metadata)
    {
        public void Replace(string name, Tensor tensor) => Tensors[Tensors.FindIndex(t => t.Key == name)] = new(name, tensor);
    }

    /// <summary>The tensors and metadata of a valid training checkpoint of a concise model (V = 11, H = 6).</summary>
    private static Parts Valid()
    {
        var file = SafeTensors.Read(new MemoryStream(Bytes(Model(ModelKind.Concise), TrainingAt(ModelKind.Concise))), "valid");
        return new Parts([.. file.Tensors], file.Metadata.ToDictionary());
    }

    private static readonly Dictionary<string, (Action<Parts> Break, string Fragment)> Cases = new()
    {
        ["no model entry"] = (p => p.Metadata.Remove("model"), "has no 'model' entry"),
        ["model not JSON"] = (p => p.Metadata["model"] = "{\"model\":", "'model' metadata is not valid"),
        ["model unknown field"] = (p => p.Metadata["model"] = p.Metadata["model"].Replace("{", "{\"dropout\":0.5,"), "dropout"),
        ["model field twice"] = (p => p.Metadata["model"] = p.Metadata["model"].Replace("{", "{\"hidden_size\":6,"), "'model' metadata is not valid"),
        ["model missing size"] = (p => p.Metadata["model"] = "{\"model\":\"concise\",\"vocabulary_size\":11}", "hidden_size"),
        ["model unknown kind"] = (p => p.Metadata["model"] = p.Metadata["model"].Replace("\"concise\"", "\"transformer\""), "'model' metadata is not valid"),
        ["model kind as a number"] = (p => p.Metadata["model"] = p.Metadata["model"].Replace("\"concise\"", "0"), "'model' metadata is not valid"),
        ["model null"] = (p => p.Metadata["model"] = "null", "'model' metadata is null"),
        ["gru cell"] = (p => p.Metadata["model"] = p.Metadata["model"].Replace("\"lstm\"", "\"gru\""), "needs (18, 11)"),
        ["two layers"] = (p => p.Metadata["model"] = p.Metadata["model"].Replace("\"layers\":1", "\"layers\":2"), "lacks the tensors 'rnn.weight_ih_l1'"),
        ["sixty-five layers"] = (p => p.Metadata["model"] = p.Metadata["model"].Replace("\"layers\":1", "\"layers\":65"), "65 layers"),
        ["zero hidden"] = (p => p.Metadata["model"] = p.Metadata["model"].Replace("\"hidden_size\":6", "\"hidden_size\":0"), "hidden size 0"),
        ["huge hidden"] = (p => p.Metadata["model"] = p.Metadata["model"].Replace("\"hidden_size\":6", "\"hidden_size\":2000000000"), "hidden size 2000000000"),
        ["hidden size of another model"] = (p => p.Metadata["model"] = p.Metadata["model"].Replace("\"hidden_size\":6", "\"hidden_size\":7"), "needs (28, 11)"),
        ["vocabulary size mismatch"] = (p => p.Metadata["model"] = p.Metadata["model"].Replace("\"vocabulary_size\":11", "\"vocabulary_size\":10"), "11 tokens, but its model configuration says 10"),
        ["no vocabulary"] = (p => p.Metadata.Remove("vocabulary"), "no 'vocabulary' entry"),
        ["vocabulary not an array"] = (p => p.Metadata["vocabulary"] = "\"abc\"", "'vocabulary' metadata is not valid"),
        ["vocabulary token twice"] = (p => p.Metadata["vocabulary"] = p.Metadata["vocabulary"].Replace("\"分\"", "\"开\""), "the token '开' twice"),
        ["vocabulary empty token"] = (p => p.Metadata["vocabulary"] = p.Metadata["vocabulary"].Replace("\"分\"", "\"\""), "empty or null token at index"),
        ["vocabulary null token"] = (p => p.Metadata["vocabulary"] = p.Metadata["vocabulary"].Replace("\"分\"", "null"), "vocabulary"),
        ["vocabulary of another length"] = (p => p.Metadata["vocabulary"] = p.Metadata["vocabulary"].Replace("[", "[\"x\","), "its vocabulary has 12 tokens, but its model configuration says 11"),
        ["vocabulary of one token"] = (p => p.Metadata["vocabulary"] = "[\"x\"]", "its vocabulary has 1 token, but"),
        ["several characters in a character token"] = (p => p.Metadata["vocabulary"] = p.Metadata["vocabulary"].Replace("\"分\"", "\"分分\""), "the token '分分' at index"),
        ["vocabulary lone surrogate"] = (p => p.Metadata["vocabulary"] = p.Metadata["vocabulary"].Replace("\"分\"", "\"\\ud800\""), "'vocabulary' metadata is not valid"),
        ["unknown tensor"] = (p => p.Tensors.Add(new("rnn.weight_ih_l1", Tensor.Zeros(24, 6))), "it has a tensor 'rnn.weight_ih_l1', which a concise LSTM with V = 11 and H = 6 does not have"),
        ["missing tensors"] = (p => p.Tensors.RemoveAll(t => t.Key.StartsWith("dense.")), "lacks the tensors 'dense.weight', 'dense.bias'"),
        ["transposed weight"] = (p => p.Replace("dense.weight", Tensor.Zeros(6, 11)), "tensor 'dense.weight' has shape (6, 11), but a concise LSTM with V = 11 and H = 6 needs (11, 6)"),
        ["not-a-number weight"] = (p => p.Replace("dense.bias", Tensor.Full(float.NaN, 11)), "tensor 'dense.bias' holds NaN at index 0"),
        ["infinite weight"] = (p => p.Replace("rnn.bias_hh_l0", Tensor.Full(float.PositiveInfinity, 24)), "finite"),
        ["newer version"] = (p => p.Metadata["recurrent_checkpoint"] = "3", "layout version '3'"),
        ["training not JSON"] = (p => p.Metadata["training"] = "[", "'training' metadata is not valid"),
        ["training unknown option"] = (p => p.Metadata["training"] = p.Metadata["training"].Replace("{", "{\"momentum\":0.9,"), "momentum"),
        ["training null corpus"] = (p => p.Metadata["training"] = p.Metadata["training"].Replace("\"corpus\":\"jaychou\"", "\"corpus\":null"), "'training' metadata is not valid"),
        ["training null prefix"] = (p => p.Metadata["training"] = p.Metadata["training"].Replace("\"分开\"", "null"), "null corpus or prefix"),
        ["training invalid option"] = (p => p.Metadata["training"] = p.Metadata["training"].Replace("\"learning_rate\":1.5", "\"learning_rate\":-1"), "learning_rate must be a positive number"),
        ["training of another model"] = (p => p.Metadata["training"] = p.Metadata["training"].Replace("\"hidden\":6", "\"hidden\":7"), "another model"),
        ["no epoch"] = (p => p.Metadata.Remove("epoch"), "no 'epoch' entry"),
        ["negative epoch"] = (p => p.Metadata["epoch"] = "-1", "epoch '-1'"),
        ["epoch past the run"] = (p => p.Metadata["epoch"] = "6", "from 0 to the run's 5 epochs"),
        ["epoch with a sign"] = (p => p.Metadata["epoch"] = "+2", "epoch '+2'"),
        ["no generator state"] = (p => p.Metadata.Remove("rng_state"), "no 'rng_state' entry"),
        ["short generator state"] = (p => p.Metadata["rng_state"] = "0000000000000001", "is not the state of a random generator"),
        ["zero generator state"] = (p => p.Metadata["rng_state"] = string.Join(' ', Enumerable.Repeat("0000000000000000", 6)), "is not the state of a random generator"),
        ["uppercase generator state"] = (p => p.Metadata["rng_state"] = p.Metadata["rng_state"].ToUpperInvariant() + "A", "rng_state"),
        ["bad corpus hash"] = (p => p.Metadata["corpus_sha256"] = "xyz", "corpus_sha256 'xyz'"),
        ["epoch without training"] = (p => p.Metadata.Remove("training"), "has 'epoch' but no 'training'"),
        ["optimizer state without training"] = (p =>
        {
            foreach (var key in (string[])["training", "epoch", "rng_state", "corpus_sha256"]) p.Metadata.Remove(key);
            p.Tensors.Add(new("optimizer.momentum_buffer.dense.bias", Tensor.Zeros(11)));
        }, "optimizer tensor 'optimizer.momentum_buffer.dense.bias'"),
        ["control characters are shown as code points"] = (p => p.Tensors.Add(new("a\nb", Tensor.Zeros(1))), "'aU+000Ab'"),
    };

    public static TheoryData<string> CaseNames => new(Cases.Keys);

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void EachBrokenRuleIsNamed(string name)
    {
        var parts = Valid();
        var (breakRule, fragment) = Cases[name];
        breakRule(parts);
        var stream = new MemoryStream();
        SafeTensors.Write(stream, parts.Tensors, parts.Metadata);

        var e = Assert.Throws<RecurrentException>(() => Load(stream.ToArray(), Source));
        output.WriteLine(e.Message);
        Assert.StartsWith($"{Source} is not a valid checkpoint: ", e.Message);
        Assert.EndsWith(".", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.Contains(fragment, e.Message);
    }

    [Fact]
    public void TheValidBaseLoadsAndUnknownMetadataIsIgnored()
    {
        var parts = Valid();
        parts.Metadata["written_by"] = "a converter script";
        var stream = new MemoryStream();
        SafeTensors.Write(stream, parts.Tensors, parts.Metadata);
        Assert.Equal(2, Load(stream.ToArray()).Training!.Epoch);
    }

    [Fact]
    public void AVocabularyOfAnotherLengthIsRefusedBeforeItsTokensAreBuilt()
    {
        // Two million tokens, 22 MB of header, for a model of V = 11.
        var parts = Valid();
        parts.Metadata["vocabulary"] = "[" + string.Join(",", Enumerable.Range(0, 2_000_000).Select(i => $"\"{i:x6}\"")) + "]";
        var bytes = Write(parts);
        var (e, allocated) = Allocating(() => Assert.Throws<RecurrentException>(() => Load(bytes, Source)));
        Assert.Contains("its vocabulary has 2000000 tokens, but its model configuration says 11", e.Message);
        // The header, an unescaped copy of its metadata and that as text (twice its UTF-8 bytes); building two million
        // tokens would add a string, a set entry and an array slot each, some twenty times the file in all.
        Assert.True(allocated < 5L * bytes.Length, $"{allocated:N0} bytes allocated for a file of {bytes.Length:N0}");
    }

    [Fact]
    public void ATensorTheModelDoesNotHaveIsRefusedBeforeItsDataIsRead()
    {
        var parts = Valid();
        parts.Tensors.Add(new("extra", Tensor.Zeros(16 << 20)));   // 64 MB of data
        var bytes = Write(parts);
        var (e, allocated) = Allocating(() => Assert.Throws<RecurrentException>(() => Load(bytes, Source)));
        Assert.Contains("it has a tensor 'extra'", e.Message);
        Assert.True(allocated < 1 << 20, $"{allocated:N0} bytes allocated to refuse the file");
    }

    private static byte[] Write(Parts parts)
    {
        var stream = new MemoryStream();
        SafeTensors.Write(stream, parts.Tensors, parts.Metadata);
        return stream.ToArray();
    }

    // What an action allocates on this thread (other tests run on theirs).
    private static (T Result, long Bytes) Allocating<T>(Func<T> action)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        var result = action();
        return (result, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void AMissingFileIsOneSentence()
    {
        using var dir = new TempFolder();
        var e = Assert.Throws<RecurrentException>(() => Checkpoint.Load(dir.File("no-such-dir/x.safetensors")));
        Assert.Contains("does not exist", e.Message);
    }
}
