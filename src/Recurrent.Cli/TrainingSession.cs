namespace Recurrent.Cli;

/// <summary>
/// One run of <c>recurrent train</c> once its options are settled: loads the data, builds or restores the model,
/// trains with the view the terminal calls for, and writes the checkpoints, the log and the chart; on Ctrl-C it
/// saves the last finished epoch and draws the chart before returning <see cref="CliApp.Interrupted"/>.
/// </summary>
internal static class TrainingSession
{
    /// <param name="choosePrefixes">No --prefix was given to a new run: predict from prefixes that fit its corpus.</param>
    public static int Run(TrainingOptions options, TrainOutputs outputs, Checkpoint? start, string? resumePath, string? initPath,
        string? dataDirectory, TrainHost host, bool choosePrefixes = false)
    {
        var loader = new CorpusLoader(new CorpusLoaderOptions { DataDirectory = dataDirectory, Log = m => host.Stderr.WriteLine(Terminal.Visible(m)) });
        var data = TrainingData.Load(options, loader, start?.Tokenizer, resumePath ?? initPath ?? "the checkpoint");
        if (choosePrefixes) options = options with { Report = options.Report with { Prefixes = data.DefaultPrefixes.Prefixes } };
        var resumed = resumePath is null ? null : start!.Training!;
        if (resumed?.CorpusSha256 is { } trained && trained != data.Fingerprint)
            throw new RecurrentException($"The corpus {options.Data.TrainPath ?? options.Data.Corpus} is not the text {resumePath} was trained on (their SHA-256 differ): " +
                "give the same --corpus and --max-chars, or use --init-from to train these weights on another text.");
        if (start is null) CheckSize(options, data.Tokenizer.Vocabulary.Size);
        if (data.Test is { Length: < 2 }) throw new RecurrentException("The test text needs at least 2 tokens.");   // known now, not after training
        var rng = resumed?.CreateRng() ?? new Rng(options.Optimization.Seed);
        var model = start?.Model ?? Trainer.CreateModel(options, data.Tokenizer.Vocabulary.Size, rng);
        var trainer = new Trainer(model, data.Tokenizer, data.Train, options, rng, data.Validation);
        if (resumed is not null)
        {
            trainer.Optimizer.LoadState(resumed.OptimizerState, model.Parameters);
            trainer.Stopping = resumed.Stopping;
        }
        int firstEpoch = (resumed?.Epoch ?? 0) + 1;

        // Opened last, after everything that can refuse the run: a new run replaces the log.
        using var log = outputs.Log is null ? null : new TrainingLogWriter(outputs.Log, firstEpoch);
        // A resumed run's chart starts with the epochs its log already holds.
        var history = log is null ? [] : TrainingLog.Read(log.Path).ToList();
        var view = TrainingView.Create(host, outputs.Quiet, firstEpoch, options.Optimization.Epochs, data.Tokenizer.Kind == TokenKind.Word ? "words" : "chars");
        if (choosePrefixes && data.DefaultPrefixes.FromText)
            view.Note($"predicting from {Quoted(data.DefaultPrefixes.Prefixes)}, the first words of {TrainingName(options)} (--prefix chooses others)");
        var snapshot = outputs.Save is null ? null : new Snapshot(model.Parameters);
        int lastEpoch = firstEpoch - 1;
        // The epoch the --save file holds, as far as this run knows: a resumed run saving to its own file starts with it.
        int savedEpoch = resumePath is not null && outputs.Save == resumePath ? lastEpoch : 0;
        // A resumed run keeps the best checkpoint it already has unless it beats it: the file's model is scored first.
        double bestValidation = resumed is not null && outputs.SaveBest is { } kept && File.Exists(kept) && data.Validation is not null
            && Checkpoint.Load(kept) is { } best && best.Vocabulary.Tokens.SequenceEqual(data.Tokenizer.Vocabulary.Tokens)
            ? trainer.Validate(best.Model)
            : double.PositiveInfinity;

        void Save(string path, int epoch, IReadOnlyList<KeyValuePair<string, Tensor>> optimizerState, ulong[] rngState, EarlyStopping stopping) =>
            new Checkpoint(model, data.Tokenizer, new TrainingState
            {
                Options = options, Epoch = epoch, RngState = rngState, CorpusSha256 = data.Fingerprint, OptimizerState = optimizerState,
                Stopping = stopping,
            }).Save(path);

        // A log that cannot be written (a full disk) stops the run as Ctrl-C does, so that the checkpoint is saved; its
        // error is the run's error once that is done.
        RecurrentException? logFailure = null;
        void Record(EpochLogEntry entry)
        {
            if (logFailure is null)
            {
                try
                {
                    log?.Append(entry);
                }
                catch (RecurrentException e)
                {
                    logFailure = e;
                    host.Interruption.Request();
                }
            }
            history.Add(entry);
            host.OnEpoch?.Invoke(entry);
        }

        void OnEpoch(EpochReport report)
        {
            view.Report(report);
            Record(new EpochLogEntry(report.Epoch, report.Perplexity, report.ValidationPerplexity, report.Seconds, report.LearningRate));
            lastEpoch = report.Epoch;
            bool last = report.Epoch == options.Optimization.Epochs || report.StopsEarly;
            if (outputs.Save is { } path && (last || (outputs.SaveEvery is int n && report.Epoch % n == 0)))
            {
                Save(path, report.Epoch, trainer.Optimizer.State, rng.GetState(), trainer.Stopping);
                savedEpoch = report.Epoch;
                view.Note($"saved {path} after epoch {report.Epoch}");
            }
            if (outputs.SaveBest is { } best && report.ValidationPerplexity is double v && v < bestValidation)
            {
                bestValidation = v;
                Save(best, report.Epoch, trainer.Optimizer.State, rng.GetState(), trainer.Stopping);
                view.Note(FormattableString.Invariant($"saved {best} (validation perplexity {v:F2}) after epoch {report.Epoch}"));
            }
            if (report.Epoch > savedEpoch) snapshot?.Capture(report.Epoch, trainer.Optimizer, rng, trainer.Stopping);
        }

        bool stopped = false;
        using (host.Interruption.Handle())
        {
            try
            {
                view.Run(() => trainer.Run(OnEpoch, firstEpoch, view.Progress, host.Interruption.Token));
            }
            catch (OperationCanceledException) when (host.Interruption.Requested)
            {
                stopped = true;
            }
            catch (TrainingDivergedException e)
            {
                Record(new EpochLogEntry(e.Epoch, e.Perplexity, null, e.Seconds, e.LearningRate));
                // The chart shows where the run went wrong; the divergence is the error to report, not a failure to draw.
                try
                {
                    Draw(outputs, history, options, view);
                }
                catch (RecurrentException)
                {
                }
                throw;
            }
        }

        if (stopped)
        {
            string message = $"stopped in epoch {lastEpoch + 1}";
            if (outputs.Save is not { } path) message += lastEpoch >= firstEpoch ? $" after {Epochs(lastEpoch - firstEpoch + 1)} of training; nothing saved (give --save to keep a stopped run)." : ", before it finished; nothing saved.";
            else if (snapshot!.Epoch > savedEpoch)
            {
                snapshot.Restore();
                Save(path, snapshot.Epoch, snapshot.OptimizerState, snapshot.RngState, snapshot.Stopping);
                message += $": saved {path} after epoch {snapshot.Epoch}; continue with 'recurrent train --resume {path}'.";
            }
            else if (savedEpoch > 0) message += $": {path} holds epoch {savedEpoch}; continue with 'recurrent train --resume {path}'.";
            else message += ", before it finished; nothing saved.";
            Draw(outputs, history, options, view);
            if (host.ReportStop || logFailure is not null) host.Stderr.WriteLine(Terminal.Visible(message));
            if (logFailure is not null) throw logFailure;
            return CliApp.Interrupted;
        }

        if (trainer.Stopping.Stops(options.Optimization.Patience))
            view.Note(FormattableString.Invariant(
                $"stopped early after epoch {lastEpoch}: the validation perplexity has not improved on {trainer.Stopping.Best:F6} for {trainer.Stopping.ReportsSinceBest} reports (--patience {options.Optimization.Patience})"));
        Draw(outputs, history, options, view);
        if (logFailure is not null) throw logFailure;   // in the last epoch: everything else is written
        if (data.Test is not null)
        {
            host.Stdout.WriteLine(FormattableString.Invariant($"test perplexity {trainer.Perplexity(model, data.Test):F6}"));
        }
        return 0;
    }

    /// <summary>Refuses a model too large to build or to fit in memory, rather than failing inside its first tensor.</summary>
    private static void CheckSize(TrainingOptions options, int vocabularySize)
    {
        var sizes = options.ModelFor(vocabularySize).ParameterShapes().Select(s => s.Value.Aggregate(1L, (a, d) => a * d)).ToList();
        long count = sizes.Sum();
        // Weights and their gradients at least, before activations, optimizer state and the Ctrl-C snapshot.
        long bytes = count * 2 * sizeof(float), available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        if (sizes.Max() > Array.MaxLength || (available > 0 && bytes > available))
            throw new RecurrentException(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"A model of {count:N0} parameters needs {bytes / 1e9:F1} GB for its weights and gradients alone, more than the {available / 1e9:F1} GB of memory here: lower --hidden (or --layers, --embedding)."));
    }

    private static string Epochs(int count) => count == 1 ? "1 epoch" : $"{count} epochs";

    private static string Quoted(IReadOnlyList<string> prefixes) => string.Join(" and ", prefixes.Select(p => $"'{p}'"));

    /// <summary>The training text as the user named it: a built-in name, or the file name of a path.</summary>
    private static string TrainingName(TrainingOptions options)
    {
        string corpus = options.Data.TrainPath ?? options.Data.Corpus;
        return BuiltInCorpus.Find(corpus) is null ? Path.GetFileName(corpus) : corpus;
    }

    private static void Draw(TrainOutputs outputs, List<EpochLogEntry> history, TrainingOptions options, TrainingView view)
    {
        if (outputs.Plot is not { } path || history.Count == 0) return;
        Charts.SavePerplexity([new ChartRun(Label(options), history)], path, option: "--plot");
        view.Note($"saved {path}");
    }

    /// <summary>What a chart calls a run: <c>jaychou, LSTM (concise), 256 hidden</c>.</summary>
    internal static string Label(TrainingOptions options)
    {
        string corpus = options.Data.TrainPath ?? options.Data.Corpus;
        if (corpus.Contains('/') || corpus.Contains('\\') || File.Exists(corpus)) corpus = Path.GetFileName(corpus);
        return $"{corpus}, {options.Model.Cell.ToString().ToUpperInvariant()} ({options.Model.Kind.ToString().ToLowerInvariant()}), {options.Model.Hidden} hidden";
    }

    /// <summary>
    /// The weights, optimizer state and generator after the last finished epoch: a run stopped part way through the
    /// next epoch saves these, so that resuming it computes what the uninterrupted run would have.
    /// </summary>
    private sealed class Snapshot(IReadOnlyList<Var> parameters)
    {
        private readonly float[][] _weights = parameters.Select(p => new float[p.Value.Length]).ToArray();

        /// <summary>The epoch captured; 0 before the first.</summary>
        public int Epoch { get; private set; }

        public IReadOnlyList<KeyValuePair<string, Tensor>> OptimizerState { get; private set; } = [];

        public ulong[] RngState { get; private set; } = [];

        public EarlyStopping Stopping { get; private set; } = EarlyStopping.None;

        public void Capture(int epoch, IOptimizer optimizer, Rng rng, EarlyStopping stopping)
        {
            Stopping = stopping;
            for (int i = 0; i < parameters.Count; i++) parameters[i].Value.Span.CopyTo(_weights[i]);
            OptimizerState = optimizer.State;   // already a copy
            RngState = rng.GetState();
            Epoch = epoch;
        }

        /// <summary>Puts the captured weights back into the model.</summary>
        public void Restore()
        {
            for (int i = 0; i < parameters.Count; i++) _weights[i].CopyTo(parameters[i].Value.Span);
        }
    }
}
