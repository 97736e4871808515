namespace Recurrent.Tests.Tensors;

/// <summary>Tests that change <see cref="Parallelism.MaxThreads"/> or depend on the worker pool; they run one at a time.</summary>
[CollectionDefinition("Parallelism", DisableParallelization = true)]
public class ParallelismCollection;
