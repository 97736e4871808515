using System.Diagnostics;
using Recurrent.Autograd;
using Recurrent.Data;
using Recurrent.Models;
using Recurrent.Tensors;

namespace Recurrent.Training;

/// <summary>
/// The book's <c>train_and_predict_rnn</c> (and its Gluon twin): minibatch SGD on the mean softmax
/// cross-entropy, gradients clipped by global norm, perplexity and greedy predictions every period. Beyond the
/// book: other optimizers, learning-rate decay, the loss summed over steps, and validation perplexity.
/// </summary>
/// <remarks>
/// With random sampling the state starts from zeros for every minibatch (examples are not adjacent); with
/// consecutive sampling it starts from zeros once per epoch and is carried across minibatches, detached so
/// that backpropagation stops at the minibatch boundary.
/// </remarks>
public sealed class Trainer
{
    private readonly LanguageModel _model;
    private readonly ITokenizer _tokenizer;
    private readonly int[] _corpus;
    private readonly int[]? _validation;
    private readonly TrainingOptions _options;
    private readonly Rng _rng;
    private readonly int[][] _prefixes;
    private long _steps;   // optimizer steps taken by this trainer

    /// <summary>Prepares a character-level run (the book's) with the options' optimizer.</summary>
    public Trainer(LanguageModel model, Vocabulary vocabulary, int[] corpus, TrainingOptions options, Rng rng)
        : this(model, new CharacterTokenizer(vocabulary), corpus, options, rng) { }

    /// <summary>Prepares a run; checks that the corpus makes at least one minibatch and that every prefix token is known.</summary>
    /// <param name="model">The model to train.</param>
    /// <param name="tokenizer">How prefixes are encoded and predictions decoded.</param>
    /// <param name="corpus">The training text's token indices.</param>
    /// <param name="options">The run's options.</param>
    /// <param name="rng">Shuffles random sampling and draws dropout masks; a checkpoint keeps its state.</param>
    /// <param name="validation">Token indices of a held-out text, evaluated at each report period; null for none.</param>
    /// <param name="optimizer">The update rule (default: the one the options name, with fresh state).</param>
    public Trainer(LanguageModel model, ITokenizer tokenizer, int[] corpus, TrainingOptions options, Rng rng,
        int[]? validation = null, IOptimizer? optimizer = null)
    {
        options.Validate();
        (_model, _tokenizer, _corpus, _options, _rng, _validation) = (model, tokenizer, corpus, options, rng, validation);
        if (Minibatches.PerEpoch(options.Optimization.Sampling, corpus.Length, options.Optimization.BatchSize, options.Optimization.Steps) < 1)
            throw new OptionException(
                $"The corpus has {corpus.Length} token{(corpus.Length == 1 ? "" : "s")}, too few for one minibatch of {options.Optimization.BatchSize} x {options.Optimization.Steps} " +
                $"(it needs at least {Minibatches.MinimumCorpusLength(options.Optimization.Sampling, options.Optimization.BatchSize, options.Optimization.Steps)}): " +
                $"lower {{{OptimizationOptions.Keys.BatchSize}}} or {{{OptimizationOptions.Keys.Steps}}}.");
        if (validation is { Length: < 2 }) throw new RecurrentException("The validation text needs at least 2 tokens.");
        _prefixes = options.Report.Prefixes.Select(p => tokenizer.EncodeStrict(p, $"prefix '{p}'")).ToArray();
        Optimizer = optimizer ?? Training.Optimizer.Create(options.Optimization.Optimizer, options.Optimization.WeightDecay, options.Optimization.Momentum, options.Optimization.Beta1, options.Optimization.Beta2);
        if (model is RnnModel { Dropout: > 0 } rnn) rnn.DropoutRng = rng;   // so a checkpoint's generator state covers the masks
    }

    /// <summary>The update rule; its state goes into checkpoints.</summary>
    public IOptimizer Optimizer { get; }

    /// <summary>
    /// The best validation perplexity so far and the reports since it, updated at each report; a resumed run sets it
    /// from its checkpoint, and a checkpoint saves it.
    /// </summary>
    public EarlyStopping Stopping { get; set; } = EarlyStopping.None;

    /// <summary>
    /// Trains from epoch <paramref name="firstEpoch"/> to the configured number of epochs, calling
    /// <paramref name="onEpoch"/> after each. A resumed run passes the epoch after its checkpoint's, with the
    /// model and generator restored from it. With a patience, the run ends early after the epoch whose report
    /// makes it stop (a resumed run that had already stopped trains nothing).
    /// </summary>
    /// <param name="onEpoch">Called with each epoch's report.</param>
    /// <param name="firstEpoch">The first epoch to train, from 1.</param>
    /// <param name="onMinibatch">Called after each minibatch, on the training thread, for a progress display.</param>
    /// <param name="cancellation">Checked before each minibatch; see <see cref="TrainEpoch(int, Action{MinibatchProgress}, CancellationToken)"/>.</param>
    /// <exception cref="TrainingDivergedException">The loss or the weights stopped being finite.</exception>
    /// <exception cref="OperationCanceledException">Cancellation was requested.</exception>
    public void Run(Action<EpochReport>? onEpoch = null, int firstEpoch = 1, Action<MinibatchProgress>? onMinibatch = null,
        CancellationToken cancellation = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(firstEpoch, 1);
        for (int epoch = firstEpoch; epoch <= _options.Optimization.Epochs && !Stopping.Stops(_options.Optimization.Patience); epoch++)
        {
            var report = TrainEpoch(epoch, onMinibatch, cancellation);
            onEpoch?.Invoke(report);
        }
    }

    /// <summary>One pass over the corpus; predictions (and the validation perplexity) are added when the epoch is a multiple of the period.</summary>
    /// <param name="epoch">The epoch, from 1 (it sets the learning rate and whether to predict).</param>
    /// <exception cref="TrainingDivergedException">The loss or the weights stopped being finite.</exception>
    public EpochReport TrainEpoch(int epoch) => TrainEpoch(epoch, null);

    /// <summary>One pass over the corpus, reporting progress after each minibatch and stopping when cancelled.</summary>
    /// <param name="epoch">The epoch, from 1 (it sets the learning rate and whether to predict).</param>
    /// <param name="onMinibatch">Called after each minibatch, on the training thread, for a progress display.</param>
    /// <param name="cancellation">
    /// Checked before each minibatch. A cancelled epoch leaves the model and generator part way through it: a caller
    /// that saves on cancellation saves what it kept at the end of the previous epoch.
    /// </param>
    /// <exception cref="TrainingDivergedException">The loss or the weights stopped being finite.</exception>
    /// <exception cref="OperationCanceledException">Cancellation was requested.</exception>
    public EpochReport TrainEpoch(int epoch, Action<MinibatchProgress>? onMinibatch, CancellationToken cancellation = default)
    {
        var clock = Stopwatch.StartNew();
        var parameters = _model.Parameters;
        int B = _options.Optimization.BatchSize, T = _options.Optimization.Steps;
        bool random = _options.Optimization.Sampling == Sampling.Random;
        float learningRate = LearningRateSchedule.At(epoch, _options.Optimization.LearningRate, _options.Optimization.LrDecay, _options.Optimization.LrDecayAfter);
        float lossFactor = _options.Optimization.LossScale.Factor(T);
        int minibatches = Minibatches.PerEpoch(_options.Optimization.Sampling, _corpus.Length, B, T), done = 0;
        var state = _model.BeginState(B);
        double lossSum = 0;
        long tokens = 0;
        var targets = new int[T * B];
        _model.Training = true;
        try
        {
            foreach (var batch in Minibatches.Epoch(_corpus, _options.Optimization.Sampling, B, T, _rng))
            {
                cancellation.ThrowIfCancellationRequested();
                state = random ? _model.BeginState(B) : state.Detach();
                var (logits, next) = _model.Forward(batch.Inputs, B, T, state);
                state = next;
                for (int b = 0; b < B; b++)             // the book's Y.T.reshape(-1): time-major like the logits
                    for (int t = 0; t < T; t++) targets[t * B + b] = batch.Targets[b * T + t];
                var loss = Ops.SoftmaxCrossEntropy(logits, targets);
                float value = loss.Value[0];
                if (!float.IsFinite(value))
                    throw Diverged(epoch, float.IsNaN(value) ? double.NaN : double.PositiveInfinity, learningRate, clock,
                        $"The loss became {(float.IsNaN(value) ? "NaN" : "infinite")} in epoch {epoch}");
                // Huge logits keep the cross-entropy finite while the weights run away: past this loss the
                // perplexity, exp(loss), is infinite, and the run would go on printing "perplexity Infinity".
                if (value > MaxLoss)
                    throw Diverged(epoch, double.PositiveInfinity, learningRate, clock,
                        $"The loss became {Loss(value)} in epoch {epoch}, an infinite perplexity");
                foreach (var p in parameters) p.ZeroGrad();
                (lossFactor == 1f ? loss : loss * lossFactor).Backward();
                GradientClipping.ClipByGlobalNorm(parameters, _options.Optimization.ClipTheta);
                Optimizer.Step(parameters, learningRate);
                _steps++;
                lossSum += (double)value * targets.Length;
                tokens += targets.Length;
                onMinibatch?.Invoke(new MinibatchProgress(epoch, ++done, minibatches, tokens, lossSum / tokens, clock.Elapsed.TotalSeconds));
            }
        }
        finally
        {
            _model.Training = false;
        }
        // The last step of an epoch can leave infinite weights behind a finite loss; the epoch must not count as
        // finished then, or a checkpoint of it would hold weights that no longer load.
        if (parameters.Any(p => !AllFinite(p.Value.Span)))
            throw Diverged(epoch, double.NaN, learningRate, clock, $"The weights stopped being finite numbers in epoch {epoch}");
        double seconds = clock.Elapsed.TotalSeconds;
        bool report = epoch % _options.Report.Period == 0;
        var predictions = report
            ? _prefixes.Select(p => _tokenizer.Decode(_model.PredictGreedy(p, _options.Report.PredictionLength))).ToArray()
            : [];
        double? validation = report && _validation is not null ? Validate() : null;
        if (validation is double v) Stopping = Stopping.After(v);
        return new EpochReport(epoch, Math.Exp(lossSum / tokens), seconds, predictions)
        {
            LearningRate = learningRate,
            ValidationPerplexity = validation,
            StopsEarly = validation is not null && Stopping.Stops(_options.Optimization.Patience),
        };
    }

    /// <summary>The largest loss whose perplexity, exp(loss), is a finite double.</summary>
    private static readonly double MaxLoss = Math.Log(double.MaxValue);

    private TrainingDivergedException Diverged(int epoch, double perplexity, float learningRate, Stopwatch clock, string what) =>
        new(epoch, perplexity, learningRate, clock.Elapsed.TotalSeconds, $"{what}{Remedy(epoch, learningRate)} (the last checkpoint saved, if any, is intact).");

    /// <summary>What to change, naming the option that most likely made the run diverge.</summary>
    private string Remedy(int epoch, float learningRate)
    {
        // No step has moved the weights yet: the learning rate and the clipping played no part, the initial weights did.
        if (epoch == 1 && _steps == 0) return $", at the initial weights before any step: try a smaller {{{ModelOptions.Keys.Init}}}";
        // Weight decay alone multiplies the weights by 1 - lr·λ at each SGD step, so above lr·λ = 2 it makes them grow
        // whatever the gradients do; with momentum μ the bound is 2(1 + μ). Adam's steps stay near the learning rate.
        var o = _options.Optimization;
        double bound = o.Optimizer switch { OptimizerKind.Sgd => 2, OptimizerKind.Momentum => 2 * (1 + (double)o.Momentum), _ => double.PositiveInfinity };
        if ((double)learningRate * o.WeightDecay > bound)
            return FormattableString.Invariant(
                $": try a {{{OptimizationOptions.Keys.WeightDecay}}} below {bound / learningRate:G3}, above which the decay alone enlarges the weights at each step of learning rate {learningRate}");
        return $": try a smaller {{{OptimizationOptions.Keys.LearningRate}}} or {{{OptimizationOptions.Keys.ClipTheta}}}";
    }

    // 1030 rather than 1.03E+03; scientific notation only where digits would run on.
    private static string Loss(float value) => value.ToString(value < 1e6f ? "F0" : "0.##E+0", System.Globalization.CultureInfo.InvariantCulture);

    private static bool AllFinite(ReadOnlySpan<float> values)
    {
        foreach (float v in values)
            if (!float.IsFinite(v)) return false;
        return true;
    }

    /// <summary>Perplexity on the validation text, the state carried across it, no dropout.</summary>
    public double Validate() => Validate(_model);

    /// <summary>Perplexity of <paramref name="model"/> on this run's validation text, measured as for the run's own model.</summary>
    public double Validate(LanguageModel model) =>
        Perplexity(model, _validation ?? throw new InvalidOperationException("No validation text."));

    /// <summary>
    /// Perplexity of <paramref name="model"/> on a held-out text (validation or test): the state carried across it, read
    /// as rows of the run's batch size (fewer for a short text) in chunks of its steps.
    /// </summary>
    public double Perplexity(LanguageModel model, int[] tokens) =>
        Evaluator.Evaluate(model, tokens, Math.Max(1, Math.Min(_options.Optimization.BatchSize, tokens.Length / 2)), _options.Optimization.Steps).Perplexity;

    /// <summary>Creates the model the options ask for, initialised from <paramref name="rng"/>.</summary>
    public static LanguageModel CreateModel(TrainingOptions options, int vocabularySize, Rng rng)
    {
        var model = options.ModelFor(vocabularySize).Create(rng);
        var init = Initializer.Parse(options.Model.Init);
        if (init != Initializer.Book) init.Apply(model.Parameters, rng);   // the constructors already drew the book's
        return model;
    }
}
