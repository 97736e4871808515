using System.Diagnostics;

namespace Recurrent.Tensors;

/// <summary>
/// A few persistent background threads for kernels that are called very often on small problems.
/// </summary>
/// <remarks>
/// The caller and the workers claim parts from a shared counter until none are left, so which thread runs
/// a part is decided at run time: if a worker is slow to start (its core is busy with another process),
/// the caller simply runs that part too, and a call is never much slower than on one thread. After its
/// last part a worker spins for <see cref="SpinTime"/> before it blocks, so back-to-back calls (an LSTM
/// step issues several GEMMs within microseconds) hand work over without waking a thread. One job runs at
/// a time; a caller that finds the pool busy (another thread's job, or one started from inside a part) is
/// told so and runs its parts itself.
/// </remarks>
internal sealed class WorkerPool
{
    /// <summary>How long an idle worker spins before it blocks.</summary>
    private static readonly long SpinTime = Stopwatch.Frequency / 5000; // 200 µs

    /// <summary>Parts per job are counted in 16 bits of the claim word.</summary>
    public const int MaxParts = 1 << 15;

    /// <summary>The process-wide pool, grown on demand.</summary>
    public static WorkerPool Shared { get; } = new();

    private readonly object _growLock = new();
    private Worker[] _workers = [];
    private int _busy;

    // The job being run, its parts still running, and the claim word: generation (high 32 bits), number
    // of parts (16 bits) and next unclaimed part (low 16 bits), so one compare-exchange checks all three
    // and a worker that looks late can never claim a part of a job other than the one it reads.
    private IParallelJob? _job;
    private int _remaining;
    private long _claim;
    private Exception? _failure;

    /// <summary>
    /// Runs parts 0 .. <paramref name="parts"/>-1 of <paramref name="job"/> on the calling thread and up to
    /// <paramref name="workers"/> workers, returning when all are done; returns false without running
    /// anything when the pool is busy.
    /// </summary>
    public bool TryRun(IParallelJob job, int parts, int workers)
    {
        if (parts is < 1 or > MaxParts) throw new ArgumentOutOfRangeException(nameof(parts));
        if (Interlocked.CompareExchange(ref _busy, 1, 0) != 0) return false;
        try
        {
            var pool = EnsureWorkers(workers);
            _job = job;
            _failure = null;
            Volatile.Write(ref _remaining, parts);
            long generation = (Volatile.Read(ref _claim) >> 32) + 1;
            Interlocked.Exchange(ref _claim, generation << 32 | (long)parts << 16);
            for (int w = 0; w < workers; w++) pool[w].Wake();

            Help();
            // Parts still running elsewhere are about as long as the ones just run here: spin, without the
            // back-off of SpinWait, and yield the core only if a worker has been held up for a long while.
            for (int spins = 0; Volatile.Read(ref _remaining) != 0; spins++)
            {
                if (spins < 1 << 14) Thread.SpinWait(1);
                else Thread.Yield();
            }
            _job = null;
            if (_failure is { } failure) throw new AggregateException(failure);
            return true;
        }
        finally
        {
            Volatile.Write(ref _busy, 0);
        }
    }

    private static bool HasWork(long claim) => (claim & 0xFFFF) < ((claim >> 16) & 0xFFFF);

    // Claims and runs parts of the current job until none are left unclaimed.
    private void Help()
    {
        long claim = Volatile.Read(ref _claim);
        while (HasWork(claim))
        {
            long seen = Interlocked.CompareExchange(ref _claim, claim + 1, claim);
            if (seen != claim)
            {
                claim = seen;
                continue;
            }
            // The job cannot change before this part is done, because the caller waits for it.
            try
            {
                _job!.Execute((int)(claim & 0xFFFF));
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref _failure, e, null);
            }
            Interlocked.Decrement(ref _remaining);
            claim = Volatile.Read(ref _claim);
        }
    }

    /// <summary>Starts workers until there are at least <paramref name="count"/> (the first parallel run does it too).</summary>
    internal Worker[] EnsureWorkers(int count)
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

    internal sealed class Worker
    {
        private readonly WorkerPool _pool;
        private readonly SemaphoreSlim _wake = new(0);
        private int _sleeping;

        public Worker(WorkerPool pool, int index)
        {
            _pool = pool;
            new Thread(Loop) { IsBackground = true, Name = $"Recurrent worker {index + 1}" }.Start();
        }

        /// <summary>Called after new work is published: wakes the worker if it went to sleep.</summary>
        public void Wake()
        {
            // The worker sets _sleeping before its last look for work; whichever side clears it wakes or stays.
            if (Interlocked.Exchange(ref _sleeping, 0) == 1) _wake.Release();
        }

        private void Loop()
        {
            while (true)
            {
                WaitForWork();
                _pool.Help();
            }
        }

        private void WaitForWork()
        {
            long deadline = Stopwatch.GetTimestamp() + SpinTime;
            while (!HasWork(Volatile.Read(ref _pool._claim)))
            {
                for (int i = 0; i < 256 && !HasWork(Volatile.Read(ref _pool._claim)); i++) Thread.SpinWait(1);
                if (Stopwatch.GetTimestamp() < deadline) continue;

                Interlocked.Exchange(ref _sleeping, 1);
                if (HasWork(Volatile.Read(ref _pool._claim)))
                {
                    // Work arrived meanwhile; if its caller already cleared the flag it also released the semaphore.
                    if (Interlocked.Exchange(ref _sleeping, 0) == 0) _wake.Wait();
                    return;
                }
                _wake.Wait();
                return;
            }
        }
    }
}
