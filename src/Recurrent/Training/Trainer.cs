using System.Diagnostics;

namespace Recurrent;

/// <summary>One line of the book's training report.</summary>
/// <param name="Epoch">1-based epoch number.</param>
/// <param name="Perplexity">exp(mean cross-entropy per token) over the epoch.</param>
/// <param name="Seconds">Wall-clock time of the epoch's training (predictions excluded).</param>
/// <param name="Predictions">At a report period, the prediction for each prefix (prefix included); otherwise empty.</param>
public sealed record EpochReport(int Epoch, double Perplexity, double Seconds, IReadOnlyList<string> Predictions)
{
    /// <summary>The book's line: <c>epoch 40, perplexity 208.989478, time 1.27 sec</c>.</summary>
    public string Line => FormattableString.Invariant($"epoch {Epoch}, perplexity {Perplexity:F6}, time {Seconds:F2} sec");
}

/// <summary>
/// The book's <c>train_and_predict_rnn</c> (and its Gluon twin): minibatch SGD on the mean softmax
/// cross-entropy, gradients clipped by global norm, perplexity and greedy predictions every period.
/// </summary>
/// <remarks>
/// With random sampling the state starts from zeros for every minibatch (examples are not adjacent); with
/// consecutive sampling it starts from zeros once per epoch and is carried across minibatches, detached so
/// that backpropagation stops at the minibatch boundary.
/// </remarks>
public sealed class Trainer
{
    private readonly LanguageModel _model;
    private readonly Vocabulary _vocabulary;
    private readonly int[] _corpus;
    private readonly TrainingOptions _options;
    private readonly Rng _rng;
    private readonly int[][] _prefixes;

    /// <summary>Prepares a run; checks that the corpus makes at least one minibatch and that every prefix character is known.</summary>
    public Trainer(LanguageModel model, Vocabulary vocabulary, int[] corpus, TrainingOptions options, Rng rng)
    {
        options.Validate();
        (_model, _vocabulary, _corpus, _options, _rng) = (model, vocabulary, corpus, options, rng);
        if (Minibatches.PerEpoch(options.Sampling, corpus.Length, options.BatchSize, options.Steps) < 1)
            throw new RecurrentException(
                $"The corpus has {corpus.Length} characters, too few for one minibatch of {options.BatchSize} x {options.Steps} " +
                $"(it needs at least {Minibatches.MinimumCorpusLength(options.Sampling, options.BatchSize, options.Steps)}): lower --batch-size or --steps.");
        _prefixes = options.Prefixes.Select(p => vocabulary.Encode(p, $"prefix '{p}'")).ToArray();
    }

    /// <summary>
    /// Trains from epoch <paramref name="firstEpoch"/> to the configured number of epochs, calling
    /// <paramref name="onEpoch"/> after each. A resumed run passes the epoch after its checkpoint's, with the
    /// model and generator restored from it.
    /// </summary>
    public void Run(Action<EpochReport>? onEpoch = null, int firstEpoch = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(firstEpoch, 1);
        for (int epoch = firstEpoch; epoch <= _options.Epochs; epoch++)
        {
            var report = TrainEpoch(epoch);
            onEpoch?.Invoke(report);
        }
    }

    /// <summary>One pass over the corpus; predictions are added when the epoch is a multiple of the period.</summary>
    public EpochReport TrainEpoch(int epoch)
    {
        var clock = Stopwatch.StartNew();
        var parameters = _model.Parameters;
        int B = _options.BatchSize, T = _options.Steps;
        bool random = _options.Sampling == Sampling.Random;
        var state = _model.BeginState(B);
        double lossSum = 0;
        long tokens = 0;
        var targets = new int[T * B];
        foreach (var batch in Minibatches.Epoch(_corpus, _options.Sampling, B, T, _rng))
        {
            state = random ? _model.BeginState(B) : state.Detach();
            var (logits, next) = _model.Forward(batch.Inputs, B, T, state);
            state = next;
            for (int b = 0; b < B; b++)             // the book's Y.T.reshape(-1): time-major like the logits
                for (int t = 0; t < T; t++) targets[t * B + b] = batch.Targets[b * T + t];
            var loss = Ops.SoftmaxCrossEntropy(logits, targets);
            foreach (var p in parameters) p.ZeroGrad();
            loss.Backward();
            GradientClipping.ClipByGlobalNorm(parameters, _options.ClipTheta);
            Sgd.Step(parameters, _options.LearningRate);
            lossSum += (double)loss.Value[0] * targets.Length;
            tokens += targets.Length;
        }
        double seconds = clock.Elapsed.TotalSeconds;
        var predictions = epoch % _options.Period == 0
            ? _prefixes.Select(p => _vocabulary.Decode(_model.PredictGreedy(p, _options.PredictionLength))).ToArray()
            : [];
        return new EpochReport(epoch, Math.Exp(lossSum / tokens), seconds, predictions);
    }

    /// <summary>Creates the model the options ask for, initialised from <paramref name="rng"/>.</summary>
    public static LanguageModel CreateModel(TrainingOptions options, int vocabularySize, Rng rng) =>
        ModelConfiguration.For(options, vocabularySize).Create(rng);
}
