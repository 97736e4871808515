namespace Recurrent.Tests;

/// <summary>
/// Tests that measure or act on the whole process (the memory it holds, every write under way in it): they run alone,
/// after the others.
/// </summary>
[CollectionDefinition(nameof(AloneCollection), DisableParallelization = true)]
public class AloneCollection;
