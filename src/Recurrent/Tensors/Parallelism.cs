namespace Recurrent.Tensors;

/// <summary>
/// How many threads the compute kernels may use, for the whole process (like PyTorch's set_num_threads).
/// </summary>
public static class Parallelism
{
    private static int _maxThreads = Environment.ProcessorCount;

    /// <summary>Upper bound on worker threads for GEMM and other kernels; 1 runs everything on the caller's thread.</summary>
    public static int MaxThreads
    {
        get => _maxThreads;
        set
        {
            if (value < 1) throw new ArgumentOutOfRangeException(nameof(value), "At least one thread is needed.");
            _maxThreads = value;
        }
    }
}
