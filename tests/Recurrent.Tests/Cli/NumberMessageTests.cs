
namespace Recurrent.Tests.Cli;

/// <summary>A mistyped number says which kind of number the option takes, never a .NET type name, optional options included.</summary>
public class NumberMessageTests
{
    [Theory]
    [InlineData("--max-chars", "NaN", "--max-chars takes a whole number, not 'NaN'")]
    [InlineData("--val-fraction", "half", "--val-fraction takes a number, not 'half'")]
    [InlineData("--patience", "1.5", "--patience takes a whole number, not '1.5'")]
    public void AnOptionalNumberSaysWhatItTakes(string flag, string value, string message)
    {
        var result = CliHarness.Run("train", flag, value);
        CliHarness.AssertUserError(result, message);
        Assert.DoesNotContain("System.", result.Err);
    }
}
