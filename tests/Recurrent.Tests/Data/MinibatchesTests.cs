using Recurrent;

namespace Recurrent.Tests.Data;

public class MinibatchesTests
{
    // The book's example: my_seq = list(range(30)), batch_size = 2, num_steps = 6. With a corpus whose
    // value at each position is the position, every value read is also the offset it was read from.
    private static readonly int[] BookSequence = Enumerable.Range(0, 30).ToArray();

    private static int[] Positions(int length) => Enumerable.Range(0, length).ToArray();

    private static int[] Row(int[] matrix, int row, int columns) => matrix.AsSpan(row * columns, columns).ToArray();

    [Fact]
    public void ConsecutiveSamplingOfTheBooksExample()
    {
        List<Minibatch> batches = Minibatches.ConsecutiveEpoch(BookSequence, batchSize: 2, steps: 6).ToList();

        // batch_len = 30 // 2 = 15, epoch_size = (15 - 1) // 6 = 2; rows start at 0 and 15.
        Assert.Equal(2, batches.Count);
        Assert.All(batches, b => { Assert.Equal(2, b.BatchSize); Assert.Equal(6, b.Steps); });
        Assert.Equal([0, 1, 2, 3, 4, 5, 15, 16, 17, 18, 19, 20], batches[0].Inputs);
        Assert.Equal([1, 2, 3, 4, 5, 6, 16, 17, 18, 19, 20, 21], batches[0].Targets);
        Assert.Equal([6, 7, 8, 9, 10, 11, 21, 22, 23, 24, 25, 26], batches[1].Inputs);
        Assert.Equal([7, 8, 9, 10, 11, 12, 22, 23, 24, 25, 26, 27], batches[1].Targets);
    }

    [Fact]
    public void RandomSamplingOfTheBooksExample()
    {
        List<Minibatch> batches = Minibatches.RandomEpoch(BookSequence, batchSize: 2, steps: 6, new Rng(7)).ToList();

        // num_examples = (30 - 1) // 6 = 4 (starting at 0, 6, 12, 18), epoch_size = 4 // 2 = 2.
        Assert.Equal(2, batches.Count);
        var starts = new List<int>();
        foreach (Minibatch batch in batches)
        {
            Assert.Equal(2, batch.BatchSize);
            Assert.Equal(6, batch.Steps);
            for (int b = 0; b < 2; b++)
            {
                int start = batch.Inputs[b * 6];
                starts.Add(start);
                Assert.Equal(Enumerable.Range(start, 6), Row(batch.Inputs, b, 6));
                Assert.Equal(Enumerable.Range(start + 1, 6), Row(batch.Targets, b, 6));
            }
        }
        Assert.Equal([0, 6, 12, 18], starts.Order());
    }

    [Fact]
    public void EpochSizesOfTheBooksExample()
    {
        Assert.Equal(2, Minibatches.PerEpoch(Sampling.Random, 30, 2, 6));
        Assert.Equal(2, Minibatches.PerEpoch(Sampling.Consecutive, 30, 2, 6));
    }

    [Fact]
    public void EpochSizesOfTheDefaultRun()
    {
        // 10,000 characters, B = 32, T = 35: random (9999 // 35) // 32 = 285 // 32 = 8;
        // consecutive (10000 // 32 - 1) // 35 = 311 // 35 = 8.
        Assert.Equal(8, Minibatches.PerEpoch(Sampling.Random, 10_000, 32, 35));
        Assert.Equal(8, Minibatches.PerEpoch(Sampling.Consecutive, 10_000, 32, 35));
        Assert.Equal(8, Minibatches.RandomEpoch(Positions(10_000), 32, 35, new Rng(1)).Count());
        Assert.Equal(8, Minibatches.ConsecutiveEpoch(Positions(10_000), 32, 35).Count());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(200)]
    [InlineData(1003)]
    public void PerEpochCountsWhatTheIteratorsYield(int length)
    {
        foreach (var (b, t) in new[] { (1, 1), (2, 6), (3, 7), (4, 5) })
        {
            Assert.Equal(Minibatches.PerEpoch(Sampling.Random, length, b, t),
                Minibatches.Epoch(Positions(length), Sampling.Random, b, t, new Rng(3)).Count());
            Assert.Equal(Minibatches.PerEpoch(Sampling.Consecutive, length, b, t),
                Minibatches.Epoch(Positions(length), Sampling.Consecutive, b, t, new Rng(3)).Count());
        }
    }

    [Theory]
    [InlineData(Sampling.Random, 32, 35)]
    [InlineData(Sampling.Consecutive, 32, 35)]
    [InlineData(Sampling.Random, 1, 1)]
    [InlineData(Sampling.Consecutive, 1, 1)]
    [InlineData(Sampling.Random, 3, 7)]
    [InlineData(Sampling.Consecutive, 3, 7)]
    public void MinimumCorpusLengthIsTheShortestWithOneMinibatch(Sampling sampling, int batchSize, int steps)
    {
        int minimum = (int)Minibatches.MinimumCorpusLength(sampling, batchSize, steps);

        Assert.Equal(1, Minibatches.PerEpoch(sampling, minimum, batchSize, steps));
        Assert.Equal(0, Minibatches.PerEpoch(sampling, minimum - 1, batchSize, steps));
    }

    [Theory]
    [InlineData(1003, 4, 5)]
    [InlineData(10_000, 32, 35)]
    [InlineData(37, 1, 36)]
    [InlineData(100, 3, 1)]
    public void RandomSamplingMatchesTheBooksDefinition(int length, int batchSize, int steps)
    {
        int[] corpus = Positions(length).Select(p => p * 7 % 101).ToArray();  // values unrelated to offsets

        List<Minibatch> batches = Minibatches.RandomEpoch(corpus, batchSize, steps, new Rng(42)).ToList();

        // The book, step by step, with a generator in the same state.
        int numExamples = (length - 1) / steps;
        int epochSize = numExamples / batchSize;
        int[] exampleIndices = Positions(numExamples);
        new Rng(42).Shuffle(exampleIndices.AsSpan());
        Assert.Equal(epochSize, batches.Count);
        for (int i = 0; i < epochSize; i++)
        {
            for (int b = 0; b < batchSize; b++)
            {
                int j = exampleIndices[i * batchSize + b];
                Assert.Equal(corpus[(j * steps)..(j * steps + steps)], Row(batches[i].Inputs, b, steps));
                Assert.Equal(corpus[(j * steps + 1)..(j * steps + steps + 1)], Row(batches[i].Targets, b, steps));
            }
        }
    }

    [Theory]
    [InlineData(1003, 4, 5)]
    [InlineData(10_000, 32, 35)]
    [InlineData(74, 2, 36)]
    [InlineData(100, 3, 1)]
    public void ConsecutiveSamplingMatchesTheBooksDefinition(int length, int batchSize, int steps)
    {
        int[] corpus = Positions(length).Select(p => p * 7 % 101).ToArray();

        List<Minibatch> batches = Minibatches.ConsecutiveEpoch(corpus, batchSize, steps).ToList();

        // The book: indices = corpus[0 : B*batch_len].reshape((B, batch_len)); X = indices[:, i*T : i*T+T].
        int batchLen = length / batchSize;
        int epochSize = (batchLen - 1) / steps;
        Assert.Equal(epochSize, batches.Count);
        for (int i = 0; i < epochSize; i++)
        {
            for (int b = 0; b < batchSize; b++)
            {
                for (int t = 0; t < steps; t++)
                {
                    Assert.Equal(corpus[b * batchLen + i * steps + t], batches[i].Inputs[b * steps + t]);
                    Assert.Equal(corpus[b * batchLen + i * steps + t + 1], batches[i].Targets[b * steps + t]);
                }
            }
        }
    }

    [Fact]
    public void RandomExamplesStartAtMultiplesOfStepsAndTargetsAreShiftedByOne()
    {
        const int steps = 7;
        foreach (Minibatch batch in Minibatches.RandomEpoch(Positions(1000), 3, steps, new Rng(5)))
        {
            for (int b = 0; b < batch.BatchSize; b++)
            {
                int[] inputs = Row(batch.Inputs, b, steps), targets = Row(batch.Targets, b, steps);
                Assert.Equal(0, inputs[0] % steps);
                Assert.Equal(inputs.Select(x => x + 1), targets);
                Assert.Equal(Enumerable.Range(inputs[0], steps), inputs);
            }
        }
    }

    [Fact]
    public void RandomSamplingUsesEachExampleAtMostOncePerEpoch()
    {
        const int length = 1000, batchSize = 3, steps = 7;

        int[] starts = Minibatches.RandomEpoch(Positions(length), batchSize, steps, new Rng(11))
            .SelectMany(batch => Enumerable.Range(0, batchSize).Select(b => batch.Inputs[b * steps]))
            .ToArray();

        // 142 examples, 47 minibatches of 3: 141 distinct examples, one left out.
        Assert.Equal(47 * 3, starts.Length);
        Assert.Equal(starts.Length, starts.Distinct().Count());
        Assert.All(starts, s => Assert.InRange(s, 0, (142 - 1) * steps));
    }

    [Fact]
    public void RandomSamplingOrderDependsOnlyOnTheGenerator()
    {
        int[] corpus = Positions(1000);
        int[] First(Rng rng) => Minibatches.RandomEpoch(corpus, 3, 7, rng).SelectMany(b => b.Inputs).ToArray();

        Assert.Equal(First(new Rng(1)), First(new Rng(1)));
        Assert.NotEqual(First(new Rng(1)), First(new Rng(2)));
    }

    [Fact]
    public void RandomSamplingShufflesWhenCalledNotWhenRead()
    {
        var rng = new Rng(9);
        ulong[] before = rng.GetState();

        _ = Minibatches.RandomEpoch(Positions(1000), 3, 7, rng);

        Assert.NotEqual(before, rng.GetState());
    }

    [Fact]
    public void ConsecutiveMinibatchesContinueEachRow()
    {
        const int length = 1003, batchSize = 4, steps = 5;
        List<Minibatch> batches = Minibatches.ConsecutiveEpoch(Positions(length), batchSize, steps).ToList();

        Assert.True(batches.Count > 2);
        for (int i = 0; i + 1 < batches.Count; i++)
        {
            for (int b = 0; b < batchSize; b++)
            {
                int[] now = Row(batches[i].Inputs, b, steps), next = Row(batches[i + 1].Inputs, b, steps);
                Assert.Equal(now[^1] + 1, next[0]);
                Assert.Equal(Row(batches[i].Targets, b, steps)[^1], next[0]);
            }
        }
    }

    [Fact]
    public void ShortCorporaGiveNoMinibatch()
    {
        Assert.Equal(0, Minibatches.PerEpoch(Sampling.Random, 35 * 32, 32, 35));
        Assert.Equal(0, Minibatches.PerEpoch(Sampling.Consecutive, 36 * 32 - 1, 32, 35));
        Assert.Empty(Minibatches.RandomEpoch(Positions(100), 32, 35, new Rng(1)));
        Assert.Empty(Minibatches.ConsecutiveEpoch(Positions(100), 32, 35));
        Assert.Empty(Minibatches.RandomEpoch(Array.Empty<int>(), 1, 1, new Rng(1)));
    }

    [Fact]
    public void InvalidSizesAreRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Minibatches.PerEpoch(Sampling.Random, 100, 0, 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => Minibatches.PerEpoch(Sampling.Consecutive, 100, 2, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Minibatches.PerEpoch(Sampling.Consecutive, -1, 2, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => Minibatches.ConsecutiveEpoch(Positions(10), 0, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => Minibatches.RandomEpoch(Positions(10), 2, 0, new Rng(1)));
        Assert.Throws<ArgumentException>(() => new Minibatch(new int[6], new int[5], 2, 3));
    }
}
