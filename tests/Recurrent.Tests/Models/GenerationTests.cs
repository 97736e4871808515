using static Recurrent.Tests.Checkpoints.CheckpointFixtures;

namespace Recurrent.Tests.Models;

/// <summary><see cref="LanguageModel.Generate"/>: greedy is the book's predictor, sampling is seeded, filters hold, beam search finds the best.</summary>
public class GenerationTests
{
    private static readonly int[] Prefix = Vocab.Encode("分开");

    public static TheoryData<ModelKind> Kinds => new(Enum.GetValues<ModelKind>());

    [Theory]
    [MemberData(nameof(Kinds))]
    public void GreedyGenerationIsTheBooksPredictor(ModelKind kind)
    {
        var model = Trained(kind);
        var expected = PredictRnn(model, Prefix, 40);
        var actual = model.Generate(Prefix, GenerationOptions.Greedy with { Length = 40 }).ToArray();
        Assert.Equal(expected, actual);
        Assert.Equal([.. Prefix, .. expected], model.PredictGreedy(Prefix, 40));
        Assert.True(expected.Distinct().Count() > 2, $"the model should predict more than a repeated token: {string.Join(",", expected)}");
    }

    /// <summary>The book's predict_rnn written out: one token a step from a zero state, the arg max once the prefix is fed.</summary>
    private static int[] PredictRnn(LanguageModel model, int[] prefix, int count)
    {
        using var _ = Var.NoGrad();
        var output = new List<int> { prefix[0] };
        var state = model.BeginState(1);
        for (int t = 0; t < count + prefix.Length - 1; t++)
        {
            var (logits, next) = model.Forward([output[^1]], 1, 1, state);
            state = next;
            var row = logits.Value.ToArray();
            output.Add(t < prefix.Length - 1 ? prefix[t + 1] : Array.IndexOf(row, row.Max()));
        }
        return output.Skip(prefix.Length).ToArray();
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void BeamSearchWithOneBeamIsGreedy(ModelKind kind)
    {
        var model = Trained(kind);
        var greedy = model.Generate(Prefix, GenerationOptions.Greedy with { Length = 30 }).ToArray();
        Assert.Equal(greedy, model.Generate(Prefix, new GenerationOptions { Beam = 1, Length = 30 }).ToArray());
    }

    [Fact]
    public void AWideBeamFindsTheMostLikelyContinuation()
    {
        // With a beam of V^(n-1) nothing is ever pruned, so the result must be the best of all V^n continuations.
        var model = Model(ModelKind.Concise, hidden: 4, seed: 9);
        int V = Vocab.Size, n = 3;
        var beam = model.Generate(Prefix, new GenerationOptions { Beam = V * V, Length = n }).ToArray();

        double best = double.NegativeInfinity;
        int[] bestTokens = [];
        for (int code = 0; code < V * V * V; code++)
        {
            int[] tokens = [code / (V * V), code / V % V, code % V];
            double score = LogProbability(model, tokens);
            if (score > best) (best, bestTokens) = (score, tokens);
        }
        Assert.Equal(bestTokens, beam);
        Assert.True(LogProbability(model, beam) >= LogProbability(model, model.Generate(Prefix, GenerationOptions.Greedy with { Length = n }).ToArray()));
    }

    /// <summary>log P(tokens | prefix), step by step from a zero state.</summary>
    private static double LogProbability(LanguageModel model, int[] tokens)
    {
        using var _ = Var.NoGrad();
        var state = model.BeginState(1);
        float[] logits = [];
        foreach (int t in Prefix) (logits, state) = Next(model, t, state);
        double sum = 0;
        foreach (int t in tokens)
        {
            double max = logits.Max(), log = Math.Log(logits.Sum(z => Math.Exp(z - max))) + max;
            sum += logits[t] - log;
            (logits, state) = Next(model, t, state);
        }
        return sum;
    }

    private static (float[] Logits, RecurrentState State) Next(LanguageModel model, int token, RecurrentState state)
    {
        var (logits, next) = model.Forward([token], 1, 1, state);
        return (logits.Value.ToArray(), next);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void SamplingIsReproducibleWithASeed(ModelKind kind)
    {
        var model = Model(kind);
        var options = new GenerationOptions { Length = 60, Seed = 7 };
        var first = model.Generate(Prefix, options).ToArray();
        Assert.Equal(first, model.Generate(Prefix, options).ToArray());
        Assert.NotEqual(first, model.Generate(Prefix, options with { Seed = 8 }).ToArray());
        Assert.NotEqual(model.Generate(Prefix, GenerationOptions.Greedy with { Length = 60 }).ToArray(), first);
    }

    [Theory]
    [InlineData(3, 1f)]
    [InlineData(0, 0.5f)]
    [InlineData(5, 0.7f)]
    [InlineData(1, 1f)]
    public void TopKAndTopPNeverLeaveTheirSet(int topK, float topP)
    {
        // The set is recomputed here from the model's own logits along the generated text, independently of the sampler.
        var model = Model(ModelKind.Concise);
        for (ulong seed = 1; seed <= 5; seed++)
        {
            var options = new GenerationOptions { Length = 40, Temperature = 1.3f, TopK = topK, TopP = topP, Seed = seed };
            var tokens = model.Generate(Prefix, options).ToArray();
            using var _ = Var.NoGrad();
            var state = model.BeginState(1);
            float[] logits = [];
            foreach (int t in Prefix) (logits, state) = Next(model, t, state);
            foreach (int t in tokens)
            {
                Assert.Contains(t, AllowedSet(logits, options));
                (logits, state) = Next(model, t, state);
            }
        }
    }

    [Fact]
    public void ATopKOfTheWholeVocabularyIsNoFilter()
    {
        var model = Model(ModelKind.Concise);
        var options = new GenerationOptions { Length = 200, Temperature = 1.3f, Seed = 4 };
        var unfiltered = model.Generate(Prefix, options).ToArray();
        Assert.Equal(unfiltered, model.Generate(Prefix, options with { TopK = Vocab.Size }).ToArray());
        Assert.Equal(unfiltered, model.Generate(Prefix, options with { TopK = Vocab.Size + 7 }).ToArray());
    }

    private static HashSet<int> AllowedSet(float[] logits, GenerationOptions options)
    {
        var p = logits.Select(z => Math.Exp(z / options.Temperature)).ToArray();
        double total = p.Sum();
        var ranked = Enumerable.Range(0, p.Length).OrderByDescending(j => p[j]).ToList();
        if (options.TopK > 0) ranked = ranked.Take(options.TopK).ToList();
        double kept = ranked.Sum(j => p[j] / total), cumulative = 0;
        var allowed = new HashSet<int>();
        foreach (int j in ranked)
        {
            allowed.Add(j);
            cumulative += p[j] / total / kept;
            if (cumulative >= options.TopP + 1e-9) break;   // a rounding margin can only widen the set
        }
        return allowed;
    }

    [Fact]
    public void TheNoGradScopeEndsWithEachStep()
    {
        var model = Model(ModelKind.Concise);
        foreach (int _ in model.Generate(Prefix, new GenerationOptions { Length = 3 }))
            Assert.False(Var.IsRecordingDisabled);
        foreach (int _ in model.Generate(Prefix, new GenerationOptions { Length = 3, Beam = 2 }))
            Assert.False(Var.IsRecordingDisabled);
    }

    [Fact]
    public void ZeroLengthGivesNothingAndBadArgumentsAreRefusedAtOnce()
    {
        var model = Model(ModelKind.Concise);
        Assert.Empty(model.Generate(Prefix, new GenerationOptions { Length = 0 }));
        Assert.Empty(model.Generate(Prefix, new GenerationOptions { Length = 0, Beam = 3 }));
        Assert.Throws<ArgumentException>(() => model.Generate([], GenerationOptions.Greedy));
        Assert.Throws<ArgumentException>(() => model.Generate([Vocab.Size], GenerationOptions.Greedy));
        Assert.Throws<OptionException>(() => model.Generate(Prefix, new GenerationOptions { TopP = 0 }));
    }

    [Theory]
    [InlineData(-1, 1f, 0, 1f, 0, "{length}")]
    [InlineData(GenerationOptions.MaxLength + 1, 1f, 0, 1f, 0, "{length} can be at most 1000000000 tokens")]
    [InlineData(int.MaxValue, 1f, 0, 1f, 2, "{length} can be at most")]
    [InlineData(5, -0.5f, 0, 1f, 0, "{temperature}")]
    [InlineData(5, float.NaN, 0, 1f, 0, "{temperature}")]
    [InlineData(5, 1f, -2, 1f, 0, "{top_k}")]
    [InlineData(5, 1f, 0, 0f, 0, "{top_p}")]
    [InlineData(5, 1f, 0, 1.5f, 0, "{top_p}")]
    [InlineData(5, 1f, 0, 1f, -1, "{beam}")]
    [InlineData(5, 1f, 0, 1f, 1001, "{beam}")]
    [InlineData(5, 1f, 3, 1f, 2, "{beam} does not sample")]
    [InlineData(5, 0f, 3, 1f, 0, "{temperature} 0 does not sample")]
    [InlineData(5, 0f, 0, 0.9f, 0, "{temperature} 0 does not sample")]
    public void InvalidOptionsAreOneSentenceNamingTheOption(int length, float temperature, int topK, float topP, int beam, string fragment)
    {
        var options = new GenerationOptions { Length = length, Temperature = temperature, TopK = topK, TopP = topP, Beam = beam };
        var e = Assert.Throws<OptionException>(options.Validate);
        Assert.Contains(fragment, e.Template);
        Assert.DoesNotContain("--", e.Message);
        Assert.EndsWith(".", e.Message);
    }
}
