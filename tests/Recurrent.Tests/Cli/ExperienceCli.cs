using Recurrent.Cli;

namespace Recurrent.Tests.Cli;

/// <summary>Runs the command line in process with its own writers, and checks the shape of a user error.</summary>
internal static class ExperienceCli
{
    public static (int Code, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = CliApp.Run(args, TextReader.Null, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    /// <summary>Exit code 2, nothing on stdout, and one sentence on stderr holding every fragment.</summary>
    public static void AssertUserError((int Code, string Out, string Err) result, params string[] fragments)
    {
        Assert.Equal(CliApp.UserError, result.Code);
        Assert.Equal("", result.Out);
        string err = result.Err.TrimEnd();
        Assert.StartsWith("error: ", err);
        Assert.DoesNotContain('\n', err);
        Assert.DoesNotContain("   at ", err);
        foreach (string fragment in fragments) Assert.Contains(fragment, err);
    }
}
