using System.Diagnostics;

namespace Recurrent;

/// <summary>A piece of work split into numbered parts that may run on different threads.</summary>
internal interface IParallelJob
{
    /// <summary>Runs part <paramref name="part"/> (0 runs on the calling thread).</summary>
    void Execute(int part);
}

/// <summary>
/// A few persistent background threads for kernels that are called very often on small problems.
/// </summary>
/// <remarks>
/// Handing a part to a worker costs a store and, if the worker is still spinning, nothing else: after each
/// part a worker spins for <see cref="SpinTime"/> before it blocks, so back-to-back calls (an LSTM step
/// issues several GEMMs within microseconds) never pay for waking a thread. Only one job runs at a time;
/// a caller that finds the pool busy (another thread's job, or a job started from inside a part) is told
/// so and runs its parts itself.
/// </remarks>
internal sealed class WorkerPool
{
    /// <summary>How long an idle worker spins before it blocks.</summary>
    private static readonly long SpinTime = Stopwatch.Frequency / 5000; // 200 µs

    private const int MaxWorkers = 63;

    /// <summary>The process-wide pool, grown on demand up to <see cref="Parallelism.MaxThreads"/> - 1 workers.</summary>
    public static WorkerPool Shared { get; } = new();

    private readonly object _growLock = new();
    private Worker[] _workers = [];
    private int _busy;
    private int _pending;
    private Exception? _failure;

    /// <summary>
    /// Runs parts 0 .. <paramref name="parts"/>-1 of <paramref name="job"/>, part 0 on the calling thread, and
    /// returns when all are done. Returns false without running anything when the pool is busy.
    /// </summary>
    public bool TryRun(IParallelJob job, int parts)
    {
        if (parts > MaxWorkers + 1) throw new ArgumentOutOfRangeException(nameof(parts));
        if (Interlocked.CompareExchange(ref _busy, 1, 0) != 0) return false;
        try
        {
            var workers = EnsureWorkers(parts - 1);
            _failure = null;
            Volatile.Write(ref _pending, parts - 1);
            for (int w = 0; w < parts - 1; w++) workers[w].Post(job, w + 1);

            try
            {
                job.Execute(0);
            }
            finally
            {
                // Workers use the caller's buffers until they finish, so wait even when part 0 threw.
                var spin = new SpinWait();
                while (Volatile.Read(ref _pending) != 0) spin.SpinOnce(sleep1Threshold: -1);
            }
            if (_failure is { } failure) throw new AggregateException(failure);
            return true;
        }
        finally
        {
            Volatile.Write(ref _busy, 0);
        }
    }

    private Worker[] EnsureWorkers(int count)
    {
        var workers = _workers;
        if (workers.Length >= count) return workers;
        lock (_growLock)
        {
            workers = _workers;
            if (workers.Length >= count) return workers;
            var grown = new Worker[count];
            workers.CopyTo(grown, 0);
            for (int w = workers.Length; w < count; w++) grown[w] = new Worker(this, w);
            _workers = grown;
            return grown;
        }
    }

    private void Finished(Exception? failure)
    {
        if (failure != null) Interlocked.CompareExchange(ref _failure, failure, null);
        Interlocked.Decrement(ref _pending);
    }

    private sealed class Worker
    {
        private readonly WorkerPool _pool;
        private readonly SemaphoreSlim _wake = new(0);
        private IParallelJob? _job;
        private int _part;
        private long _ticket;
        private int _sleeping;

        public Worker(WorkerPool pool, int index)
        {
            _pool = pool;
            new Thread(Loop) { IsBackground = true, Name = $"Recurrent worker {index + 1}" }.Start();
        }

        public void Post(IParallelJob job, int part)
        {
            _job = job;
            _part = part;
            Interlocked.Increment(ref _ticket);
            // The worker sets _sleeping before its last look at _ticket; whichever side clears it wakes or stays.
            if (Interlocked.Exchange(ref _sleeping, 0) == 1) _wake.Release();
        }

        private void Loop()
        {
            long seen = 0;
            while (true)
            {
                WaitForTicket(seen);
                seen = Volatile.Read(ref _ticket);
                Exception? failure = null;
                try
                {
                    _job!.Execute(_part);
                }
                catch (Exception e)
                {
                    failure = e;
                }
                _job = null;
                _pool.Finished(failure);
            }
        }

        private void WaitForTicket(long seen)
        {
            long deadline = Stopwatch.GetTimestamp() + SpinTime;
            while (Volatile.Read(ref _ticket) == seen)
            {
                for (int i = 0; i < 64 && Volatile.Read(ref _ticket) == seen; i++) Thread.SpinWait(8);
                if (Stopwatch.GetTimestamp() < deadline) continue;

                Interlocked.Exchange(ref _sleeping, 1);
                if (Volatile.Read(ref _ticket) != seen)
                {
                    // A post arrived meanwhile; if it already cleared the flag it also released the semaphore.
                    if (Interlocked.Exchange(ref _sleeping, 0) == 0) _wake.Wait();
                    return;
                }
                _wake.Wait();
                return;
            }
        }
    }
}
