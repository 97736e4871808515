namespace Recurrent.Cli;

/// <summary>
/// Ctrl-C (SIGINT) or SIGTERM as a request to stop, for the commands that can stop cleanly: a command that handles
/// it (<see cref="Handle"/>) sees <see cref="Token"/> cancelled and winds down (saves a checkpoint, draws its chart);
/// with no such command running, or at the second signal, the process ends as it would without this class.
/// </summary>
/// <remarks>
/// The process's signal handlers call <see cref="Request"/>; tests call it to press Ctrl-C.
/// </remarks>
public sealed class Interruption
{
    private readonly CancellationTokenSource _source = new();
    private int _handlers;

    /// <summary>Cancelled once a stop has been requested while a command handles it.</summary>
    public CancellationToken Token => _source.Token;

    /// <summary>True once a stop has been requested.</summary>
    public bool Requested => _source.IsCancellationRequested;

    /// <summary>Takes signals as requests to stop until the returned scope is disposed.</summary>
    public IDisposable Handle()
    {
        Interlocked.Increment(ref _handlers);
        return new Scope(this);
    }

    /// <summary>Asks the running command to stop.</summary>
    /// <returns>
    /// True when a command took the request (the process should go on, so that the command can finish cleanly);
    /// false when the process should end at once: no command handles it, or a stop was already requested.
    /// </returns>
    public bool Request()
    {
        if (Volatile.Read(ref _handlers) == 0 || _source.IsCancellationRequested) return false;
        _source.Cancel();
        return true;
    }

    private sealed class Scope(Interruption owner) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0) Interlocked.Decrement(ref owner._handlers);
        }
    }
}
