namespace Recurrent.Tests;

/// <summary>The checkout the tests were built from, for the tests that read its files (samples, README).</summary>
public static class Repository
{
    /// <summary>The folder that holds <c>Recurrent.slnx</c>, found upwards from the test binaries.</summary>
    public static string Root { get; } = FindRoot();

    private static string FindRoot()
    {
        string root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "Recurrent.slnx")))
            root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("Recurrent.slnx not found above the tests.");
        return root;
    }
}
