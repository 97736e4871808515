using System.Collections.Concurrent;
using System.Threading.Channels;

namespace Recurrent.Serve;

/// <summary>
/// The one thread that runs a model: requests join a <see cref="GenerationBatch"/> as they arrive and leave it when
/// they finish or their client goes away, and every loop is one batched step for all of them. Each request reads
/// its tokens from its own channel, so a slow reader never holds up the batch.
/// </summary>
/// <remarks>
/// Beam search carries several states per request and is not batched: a beam request runs whole, between two steps.
/// </remarks>
internal sealed class GenerationBatcher : IDisposable
{
    private readonly LanguageModel _model;
    private readonly BlockingCollection<GenerationJob> _incoming = new();
    private readonly Thread _thread;
    private long _steps, _rows, _tokens;

    public GenerationBatcher(LanguageModel model, string name)
    {
        _model = model;
        _thread = new Thread(Loop) { IsBackground = true, Name = $"generate {name}" };
        _thread.Start();
    }

    /// <summary>Batched forward steps run so far.</summary>
    public long Steps => Interlocked.Read(ref _steps);

    /// <summary>Rows of those steps: a request counted once per step it was in.</summary>
    public long Rows => Interlocked.Read(ref _rows);

    /// <summary>Tokens generated so far.</summary>
    public long Tokens => Interlocked.Read(ref _tokens);

    /// <summary>Starts a generation; its tokens arrive on the job's channel, which completes when it is done or cancelled.</summary>
    public GenerationJob Start(int[] prefix, GenerationOptions options, CancellationToken cancellation)
    {
        var job = new GenerationJob(prefix, options, cancellation);
        try
        {
            _incoming.Add(job);
        }
        catch (InvalidOperationException e)   // disposed: the server is stopping
        {
            job.Fail(e);
        }
        return job;
    }

    private void Loop()
    {
        var batch = new GenerationBatch(_model);
        var jobs = new Dictionary<GenerationSequence, GenerationJob>();
        while (true)
        {
            if (jobs.Count == 0)
            {
                // Idle: block until a request comes, or end once no more can.
                if (!_incoming.TryTake(out var first, Timeout.Infinite)) break;
                Admit(first, batch, jobs);
            }
            while (_incoming.TryTake(out var job)) Admit(job, batch, jobs);
            foreach (var (sequence, job) in jobs.Where(p => p.Value.Cancellation.IsCancellationRequested).ToList())
            {
                batch.Remove(sequence);
                jobs.Remove(sequence);
                job.Fail(new OperationCanceledException(job.Cancellation));
            }
            if (jobs.Count == 0) continue;
            Interlocked.Add(ref _rows, batch.Sequences.Count);
            IReadOnlyList<(GenerationSequence Sequence, int Token)> produced;
            try
            {
                produced = batch.Step();
            }
            catch (Exception e)
            {
                foreach (var job in jobs.Values) job.Fail(e);
                jobs.Clear();
                batch = new GenerationBatch(_model);
                continue;
            }
            Interlocked.Increment(ref _steps);
            Interlocked.Add(ref _tokens, produced.Count);
            foreach (var (sequence, token) in produced)
            {
                var job = jobs[sequence];
                job.Write(token);
                if (sequence.IsFinished)
                {
                    jobs.Remove(sequence);
                    job.Complete();
                }
            }
        }
    }

    private void Admit(GenerationJob job, GenerationBatch batch, Dictionary<GenerationSequence, GenerationJob> jobs)
    {
        if (job.Cancellation.IsCancellationRequested)
        {
            job.Fail(new OperationCanceledException(job.Cancellation));
            return;
        }
        try
        {
            if (job.Options.Beam > 0)
            {
                foreach (int token in _model.Generate(job.Prefix, job.Options)) job.Write(token);
                Interlocked.Add(ref _tokens, job.Options.Length);
                job.Complete();
                return;
            }
            var sequence = batch.Add(job.Prefix, job.Options);
            if (sequence.IsFinished) job.Complete();
            else jobs[sequence] = job;
        }
        catch (Exception e)
        {
            job.Fail(e);
        }
    }

    /// <summary>Lets the thread finish the generations it has, then end.</summary>
    public void Dispose()
    {
        _incoming.CompleteAdding();
        _thread.Join();
        _incoming.Dispose();
    }
}

/// <summary>One request's generation: its inputs and the channel its tokens arrive on.</summary>
internal sealed class GenerationJob(int[] prefix, GenerationOptions options, CancellationToken cancellation)
{
    private readonly Channel<int> _tokens = Channel.CreateUnbounded<int>();

    public int[] Prefix { get; } = prefix;

    public GenerationOptions Options { get; } = options;

    /// <summary>Cancelled when the client goes away or the request's time is up: the job then leaves the batch.</summary>
    public CancellationToken Cancellation { get; } = cancellation;

    /// <summary>The tokens, as they are generated; the reader sees the failure, if any, at the end.</summary>
    public ChannelReader<int> Tokens => _tokens.Reader;

    internal void Write(int token) => _tokens.Writer.TryWrite(token);

    internal void Complete() => _tokens.Writer.TryComplete();

    internal void Fail(Exception e) => _tokens.Writer.TryComplete(e);
}
