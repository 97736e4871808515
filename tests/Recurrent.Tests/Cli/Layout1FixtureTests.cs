using System.Globalization;
using static Recurrent.Tests.Cli.CliHarness;

namespace Recurrent.Tests.Cli;

/// <summary>
/// Checkpoints written by release 0.1.0 (layout 1, flat training options; see Fixtures/README.md) still load,
/// generate the text that release generated, and resume to the perplexity and predictions it printed.
/// </summary>
public class Layout1FixtureTests : FolderTests
{

    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Checkpoints", "Fixtures", $"layout1-{name}.safetensors");

    /// <summary>What release 0.1.0 printed for each fixture.</summary>
    public static TheoryData<string, string, string, double, string> Printed => new()
    {
        { "lstm", "分开 一 一 一 一 一 一 一 一 一 一 一 一 一 一 一", "分开步无愿 然 一完蝶心面颗都步柔话 成 一想在望一天 娘试狂风", 51.958518,
            " - 分开的让我的让我的让我的\n - 不分开颗的让我的让我的让我" },
        { "gru", "分开                              ", "分开的成星如的一 天载方阳颗阳然朵远 想  彻愿来夕它你如试肉香", 100.650778,
            " - 分开要和        \n - 不分开和         " },
        { "scratch", "分开的让的让的让的让的让的让的让的让的让的让的让的让的让的让的让", "分开的机牵我的可亮抽要爱远阳远的爱让伤柳 不星望疼想我因我蝴看飞", 79.944472,
            " - 分开想想想想想想想想想想\n - 不分开想想想想想想想想想想" },
    };

    [Theory]
    [MemberData(nameof(Printed))]
    public void ALayout1CheckpointLoadsGeneratesAndResumes(string name, string greedy, string sampled, double perplexity, string predictions)
    {
        var loaded = Checkpoint.Load(Fixture(name));
        Assert.Equal(8, loaded.Training!.Epoch);
        Assert.Equal(1500, loaded.Training.Options.Data.MaxChars);

        var generated = Run("generate", "--checkpoint", Fixture(name), "--prefix", "分开", "--length", "30", "--temperature", "0", "--threads", "1");
        Assert.Equal((0, greedy), (generated.Code, generated.Out.TrimEnd('\n')));
        generated = Run("generate", "--checkpoint", Fixture(name), "--prefix", "分开", "--length", "30", "--threads", "1");
        Assert.Equal((0, sampled), (generated.Code, generated.Out.TrimEnd('\n')));

        string copy = Dir.File("run.safetensors");
        File.Copy(Fixture(name), copy);
        var resumed = Run("train", "--resume", copy, "--epochs", "9", "--period", "1", "--threads", "1");
        Assert.Equal(0, resumed.Code);
        var lines = resumed.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("epoch 9, perplexity ", lines[0]);
        // The fixture was made on the AVX-512 path. Another path rounds its sums differently, and an epoch at the
        // book's learning rate of 100 grows that difference: the AVX2 path prints the scratch model's 79.944472 as
        // 79.943217 (1.6e-5 apart). A state that did not resume (fresh weights, a lost optimizer step) is off by far more.
        double actual = double.Parse(lines[0].Split(", ")[1]["perplexity ".Length..], CultureInfo.InvariantCulture);
        Assert.Equal(perplexity, actual, perplexity * 1e-4);
        Assert.Equal(predictions, string.Join('\n', lines[1..]));
        Assert.Equal(9, Checkpoint.Load(copy).Training!.Epoch);   // saved again, in today's layout
    }
}
