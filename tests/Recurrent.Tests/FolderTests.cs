namespace Recurrent.Tests;

/// <summary>A test class with a temporary folder of its own for each test, removed after it.</summary>
public abstract class FolderTests : IDisposable
{
    /// <summary>The folder of the running test.</summary>
    protected TempFolder Dir { get; } = new();

    /// <inheritdoc />
    public virtual void Dispose()
    {
        Dir.Dispose();
        GC.SuppressFinalize(this);
    }
}
