namespace Recurrent.Tensors;

/// <summary>
/// Runs a body over row ranges [start, end) of a problem on the shared worker pool: for row-wise kernels
/// (softmax, the LSTM cell update) whose rows are independent, so the result does not depend on the split.
/// </summary>
/// <remarks>
/// One instance is reused call after call (set the body once, then <see cref="Run"/>), so a per-step loop
/// allocates nothing. When the pool is busy (a call from inside another parallel part) or the problem is
/// small, the body runs on the caller's thread over all rows.
/// </remarks>
internal sealed class RowJob : IParallelJob
{
    private readonly Action<int, int> _body;
    private int _rows, _parts;

    /// <summary>Creates a job for <paramref name="body"/>(start, end).</summary>
    public RowJob(Action<int, int> body) => _body = body;

    /// <summary>Runs the body over rows 0 .. rows-1, split into parts of at least <paramref name="minRowsPerPart"/> rows.</summary>
    public void Run(int rows, int minRowsPerPart)
    {
        // More parts than cores would only take turns on them.
        int parts = Math.Min(Math.Min(Parallelism.MaxThreads, Environment.ProcessorCount), rows / Math.Max(1, minRowsPerPart));
        if (parts > 1)
        {
            (_rows, _parts) = (rows, parts);
            if (WorkerPool.Shared.TryRun(this, parts, parts - 1)) return;
        }
        _body(0, rows);
    }

    /// <inheritdoc />
    public void Execute(int part) =>
        _body((int)((long)_rows * part / _parts), (int)((long)_rows * (part + 1) / _parts));
}
