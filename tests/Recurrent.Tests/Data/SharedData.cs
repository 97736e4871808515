namespace Recurrent.Tests.Data;

/// <summary>
/// The corpus files of the <c>shared/data</c> folder beside the repository (the tests run with the
/// repository cloned next to a <c>shared/</c> folder, as CI does).
/// </summary>
internal static class SharedData
{
    public static string Folder { get; } = Find();

    public static byte[] Read(string fileName) => File.ReadAllBytes(Path.Combine(Folder, fileName));

    private static string Find()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "shared", "data");
            if (File.Exists(Path.Combine(candidate, "SHA256SUMS"))) return candidate;
        }
        throw new InvalidOperationException($"No shared/data folder above {AppContext.BaseDirectory}: clone the repository beside shared/.");
    }
}
