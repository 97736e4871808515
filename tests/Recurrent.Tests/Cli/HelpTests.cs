using static Recurrent.Tests.Cli.CliHarness;

namespace Recurrent.Tests.Cli;

/// <summary>The help names the program as people type it, under <c>dotnet run</c> and as an installed tool alike.</summary>
public class HelpTests
{
    [Theory]
    [InlineData("recurrent [command] [options]", "--help")]
    [InlineData("recurrent corpus info <corpus> [options]", "corpus", "info", "--help")]
    [InlineData("recurrent plot <log>... [options]", "plot", "--help")]
    [InlineData("recurrent train [options]", "train", "--help")]
    public void UsageLineSaysRecurrent(string usage, params string[] args)
    {
        var result = Run(args);
        Assert.Equal(0, result.Code);
        Assert.Contains(usage, result.Out);
        Assert.DoesNotContain("Recurrent.Cli", result.Out);
    }

    [Fact]
    public void RootHelpListsTheCommands()
    {
        string help = Run("--help").Out;
        foreach (string command in new[] { "train", "generate", "corpus", "plot" })
            Assert.Matches($@"(?m)^\s+{command}\b", help);
    }

    [Fact]
    public void VersionIsPrinted()
    {
        var result = Run("--version");
        Assert.Equal(0, result.Code);
        Assert.Matches(@"^\d+\.\d+\.\d+", result.Out);
    }
}
