namespace Recurrent.Tensors;

/// <summary>A piece of work split into numbered parts that may run on different threads.</summary>
internal interface IParallelJob
{
    /// <summary>Runs part <paramref name="part"/>; every part runs exactly once, on some thread.</summary>
    void Execute(int part);
}
