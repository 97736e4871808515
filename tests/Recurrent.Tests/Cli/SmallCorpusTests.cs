namespace Recurrent.Tests.Cli;

/// <summary>A CLI test class whose every test has the small corpus (<see cref="CliHarness.SmallCorpus"/>) in its folder.</summary>
public abstract class SmallCorpusTests : FolderTests
{
    protected SmallCorpusTests() => Corpus = CliHarness.SmallCorpus(Dir);

    /// <summary>The path of the test's small corpus.</summary>
    protected string Corpus { get; }
}
