namespace Recurrent.Tests.Docs;

/// <summary>
/// The README's library example is <c>samples/FirstModel</c>, which the solution builds: the copy a reader sees is the
/// code that compiles against this commit.
/// </summary>
public class ReadmeTests
{
    [Fact]
    public void TheLibraryExampleIsTheSample()
    {
        string readme = File.ReadAllText(Path.Combine(Repository.Root, "README.md")).ReplaceLineEndings("\n");
        string sample = File.ReadAllText(Path.Combine(Repository.Root, "samples", "FirstModel", "Program.cs")).ReplaceLineEndings("\n");
        int section = readme.IndexOf("\n## Using the library\n", StringComparison.Ordinal);
        Assert.True(section >= 0, "the README has no section 'Using the library'");
        int start = readme.IndexOf("```csharp\n", section, StringComparison.Ordinal) + "```csharp\n".Length;
        int end = readme.IndexOf("```\n", start, StringComparison.Ordinal);
        Assert.Equal(sample, readme[start..end]);
    }
}
