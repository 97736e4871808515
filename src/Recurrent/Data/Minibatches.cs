using Recurrent.Tensors;

namespace Recurrent.Data;

/// <summary>
/// The book's minibatch iterators over an encoded corpus (B batch size, T steps): random sampling
/// (<c>data_iter_random</c>) and consecutive sampling (<c>data_iter_consecutive</c>).
/// </summary>
/// <remarks>
/// With the default run (10,000 characters, B = 32, T = 35) both give 8 minibatches per epoch:
/// random (9,999 / 35) / 32 = 285 / 32 = 8, consecutive (10,000 / 32 - 1) / 35 = 312 / 35 = 8
/// (integer divisions). The characters that do not fill a whole minibatch are left out of the epoch.
/// </remarks>
public static class Minibatches
{
    /// <summary>The number of minibatches in one epoch (0 when the corpus is shorter than one minibatch).</summary>
    /// <remarks>
    /// Random: <c>num_examples = (length - 1) / T</c>, <c>epoch_size = num_examples / B</c>.
    /// Consecutive: <c>batch_len = length / B</c>, <c>epoch_size = (batch_len - 1) / T</c>.
    /// </remarks>
    public static int PerEpoch(Sampling sampling, int corpusLength, int batchSize, int steps)
    {
        CheckSizes(corpusLength, batchSize, steps);
        return sampling switch
        {
            Sampling.Random => RandomExampleCount(corpusLength, steps) / batchSize,
            Sampling.Consecutive => Math.Max(0, (corpusLength / batchSize - 1) / steps),
            _ => throw new ArgumentOutOfRangeException(nameof(sampling)),
        };
    }

    /// <summary>The shortest corpus that gives one minibatch per epoch.</summary>
    /// <remarks>
    /// Random needs B examples of T steps plus one character for the last target: B*T + 1.
    /// Consecutive needs rows of T + 1 characters: B*(T + 1).
    /// </remarks>
    public static long MinimumCorpusLength(Sampling sampling, int batchSize, int steps)
    {
        CheckSizes(0, batchSize, steps);
        return sampling switch
        {
            Sampling.Random => (long)batchSize * steps + 1,
            Sampling.Consecutive => (long)batchSize * (steps + 1L),
            _ => throw new ArgumentOutOfRangeException(nameof(sampling)),
        };
    }

    /// <summary>The minibatches of one epoch with the given sampling.</summary>
    /// <param name="corpus">The encoded corpus (token indices).</param>
    /// <param name="sampling">Random or consecutive.</param>
    /// <param name="batchSize">B.</param>
    /// <param name="steps">T.</param>
    /// <param name="rng">Shuffles the examples for random sampling; consecutive sampling does not use it.</param>
    public static IEnumerable<Minibatch> Epoch(ReadOnlyMemory<int> corpus, Sampling sampling, int batchSize, int steps, Rng rng) =>
        sampling switch
        {
            Sampling.Random => RandomEpoch(corpus, batchSize, steps, rng),
            Sampling.Consecutive => ConsecutiveEpoch(corpus, batchSize, steps),
            _ => throw new ArgumentOutOfRangeException(nameof(sampling)),
        };

    /// <summary>One epoch of random sampling (the book's <c>data_iter_random</c>).</summary>
    /// <remarks>
    /// Example j is <c>corpus[j*T .. j*T+T-1]</c> and its target <c>corpus[j*T+1 .. j*T+T]</c>, for
    /// j in [0, (length - 1) / T). The example indices are shuffled once, here and not when the
    /// enumeration starts, so the generator's state after this call does not depend on when the caller
    /// reads the minibatches; minibatch i takes examples <c>indices[i*B .. i*B+B-1]</c>, so no example
    /// appears twice in an epoch.
    /// </remarks>
    public static IEnumerable<Minibatch> RandomEpoch(ReadOnlyMemory<int> corpus, int batchSize, int steps, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        CheckSizes(corpus.Length, batchSize, steps);
        int exampleCount = RandomExampleCount(corpus.Length, steps);
        int epochSize = exampleCount / batchSize;
        int[] exampleIndices = new int[exampleCount];
        for (int j = 0; j < exampleCount; j++) exampleIndices[j] = j;
        rng.Shuffle(exampleIndices.AsSpan());
        return Windows(corpus, batchSize, steps, epochSize, (i, b) => exampleIndices[i * batchSize + b] * steps);
    }

    /// <summary>One epoch of consecutive sampling (the book's <c>data_iter_consecutive</c>).</summary>
    /// <remarks>
    /// The first B * batch_len characters (batch_len = length / B) are laid out as B rows of batch_len;
    /// minibatch i is columns <c>i*T .. i*T+T-1</c> of those rows and its targets the same columns
    /// shifted right by one, for i in [0, (batch_len - 1) / T).
    /// </remarks>
    public static IEnumerable<Minibatch> ConsecutiveEpoch(ReadOnlyMemory<int> corpus, int batchSize, int steps)
    {
        CheckSizes(corpus.Length, batchSize, steps);
        int rowLength = corpus.Length / batchSize;  // the book's batch_len
        int epochSize = PerEpoch(Sampling.Consecutive, corpus.Length, batchSize, steps);
        // Row b, column i*T of the B x batch_len layout.
        return Windows(corpus, batchSize, steps, epochSize, (i, b) => b * rowLength + i * steps);
    }

    /// <summary>
    /// The minibatches of an epoch: minibatch i holds, for each row b, the T tokens from <c>start(i, b)</c> and as its
    /// targets the T tokens one further. The two samplings differ only in where an example starts.
    /// </summary>
    private static IEnumerable<Minibatch> Windows(ReadOnlyMemory<int> corpus, int batchSize, int steps, int epochSize, Func<int, int, int> start)
    {
        for (int i = 0; i < epochSize; i++)
        {
            var inputs = new int[batchSize * steps];   // (B, T)
            var targets = new int[batchSize * steps];  // (B, T)
            for (int b = 0; b < batchSize; b++)
            {
                int first = start(i, b);
                corpus.Span.Slice(first, steps).CopyTo(inputs.AsSpan(b * steps, steps));
                corpus.Span.Slice(first + 1, steps).CopyTo(targets.AsSpan(b * steps, steps));
            }
            yield return new Minibatch(inputs, targets, batchSize, steps);
        }
    }

    // Examples start at multiples of T; the last one must leave a character for its last target.
    private static int RandomExampleCount(int corpusLength, int steps) => Math.Max(0, (corpusLength - 1) / steps);

    private static void CheckSizes(int corpusLength, int batchSize, int steps)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(corpusLength);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
    }
}
