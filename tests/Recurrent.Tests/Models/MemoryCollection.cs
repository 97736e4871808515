namespace Recurrent.Tests.Models;

/// <summary>Tests that measure the memory the process holds: they run alone.</summary>
[CollectionDefinition(nameof(MemoryCollection), DisableParallelization = true)]
public class MemoryCollection;
