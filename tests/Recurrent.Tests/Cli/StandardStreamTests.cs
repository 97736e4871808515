using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using Recurrent.Checkpoints;

namespace Recurrent.Tests.Cli;

/// <summary>
/// Standard output and standard error are outputs like any other (the built command as its own process, its streams
/// arranged by bash): a reader that goes away (<c>| head</c>) stops a run as Ctrl-C does, quietly, with its last epoch
/// saved; both streams into one file follow each other there; a full disk (<c>/dev/full</c>) or a closed stream is one
/// sentence and exit code 74; a closed standard error
/// loses the message, not the exit code; SIGHUP, as a closing terminal sends it, stops a run as SIGINT does.
/// </summary>
[Trait("Category", "Slow")]
public class StandardStreamTests : FolderTests
{

    private const string Train = "recurrent train --corpus jaychou --max-chars 2000 --hidden 16 --batch-size 4 --steps 10 --pred-len 5 --threads 1 --period 1";

    [Fact]
    public void AReaderThatGoesAwayStopsTheRunQuietlyWithItsLastEpochSaved()
    {
        string saved = Dir.File("run.safetensors");
        var (code, output, errors) = CliProcess.Shell($"{Train} --epochs 100000 --save '{saved}' | head -n 1; exit ${{PIPESTATUS[0]}}");

        Assert.True(code == 141, errors);
        Assert.StartsWith("epoch 1, perplexity ", output);
        var message = Regex.Match(errors, @"^stopped in epoch (\d+): saved .+ after epoch (\d+); continue with 'recurrent train --resume .+'\.\n$");
        Assert.True(message.Success, errors);
        Assert.Equal(int.Parse(message.Groups[2].Value), Checkpoint.Load(saved).Training!.Epoch);
        Assert.True(int.Parse(message.Groups[2].Value) >= 1);
    }

    [Fact]
    public void OutputAndErrorInOneFileFollowEachOtherAndAnAppendKeepsWhatWasThere()
    {
        string file = Dir.File("both.txt", "an earlier line\n"), saved = Dir.File("run.safetensors");
        var (code, _, errors) = CliProcess.Shell($"{Train} --epochs 2 --save '{saved}' >> '{file}' 2>&1");

        Assert.True(code == 0, errors);
        var lines = File.ReadAllLines(file);
        Assert.Equal("an earlier line", lines[0]);
        Assert.StartsWith("epoch 1, perplexity ", lines[1]);
        Assert.Contains(lines, l => l.StartsWith("epoch 2, perplexity ", StringComparison.Ordinal));
        Assert.Equal($"saved {saved} after epoch 2", lines[^1]);
        Assert.Equal(1 + 2 * 3 + 1, lines.Length);   // two epochs of a line and two predictions, then the note
    }

    [Fact]
    public void GenerationIntoAPipeEndsWhenTheReaderHasEnough()
    {
        string checkpoint = Dir.File("model.safetensors");
        var trained = CliProcess.Shell($"{Train} --epochs 1 --save '{checkpoint}' > /dev/null");
        Assert.True(trained.Code == 0, trained.Err);

        var clock = Stopwatch.StartNew();
        var (code, output, errors) = CliProcess.Shell($"recurrent generate --checkpoint '{checkpoint}' --prefix 分开 --length 100000000 | head -c 12; exit ${{PIPESTATUS[0]}}");

        Assert.True(code == 141, errors);
        Assert.Equal("", errors);
        Assert.StartsWith("分开", output);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"generation went on for {clock.Elapsed} after its reader left");
    }

    [Fact]
    public void BeamSearchWritesAsItGoesAndEndsWhenTheReaderHasEnough()
    {
        string checkpoint = Dir.File("model.safetensors");
        var trained = CliProcess.Shell($"{Train} --epochs 1 --save '{checkpoint}' > /dev/null");
        Assert.True(trained.Code == 0, trained.Err);

        // A search that wrote nothing before its last token would run its hundred million steps first.
        var clock = Stopwatch.StartNew();
        var (code, output, errors) = CliProcess.Shell($"recurrent generate --checkpoint '{checkpoint}' --prefix 分开 --beam 2 --length 100000000 | head -c 12; exit ${{PIPESTATUS[0]}}");

        Assert.True(code == 141, errors);
        Assert.Equal("", errors);
        Assert.StartsWith("分开", output);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"the search wrote its first bytes after {clock.Elapsed}");
    }

    [Fact]
    public void AFullDiskIsOneSentenceAndTheCheckpointStillLoads()
    {
        string saved = Dir.File("run.safetensors");
        var (code, _, errors) = CliProcess.Shell($"{Train} --epochs 2 --save '{saved}' > /dev/full");

        Assert.True(code == 74, errors);
        Assert.EndsWith("error: standard output could not be written: No space left on device.\n", errors);
        Assert.DoesNotContain(" at ", errors);
        Assert.True(Checkpoint.Load(saved).Training!.Epoch >= 0);
    }

    [Fact]
    public void AClosedStandardOutputIsOneSentence()
    {
        var (code, _, errors) = CliProcess.Shell($"{Train} --epochs 2 >&-");

        Assert.True(code == 74, errors);
        Assert.EndsWith("error: standard output could not be written: it is closed.\n", errors);
        Assert.DoesNotContain(" at ", errors);
    }

    [Fact]
    public void AClosedStandardErrorKeepsTheExitCodeOfTheError()
    {
        var (code, output, _) = CliProcess.Shell("recurrent train --corpus no-such-corpus.txt 2>&-");

        Assert.Equal(2, code);
        Assert.Equal("", output);
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);

    [Fact]
    public async Task SighupStopsARunAsCtrlCDoes()
    {
        string saved = Dir.File("run.safetensors");
        // Started through env with SIGHUP at its default: under nohup the tests' own process ignores it, the child would
        // inherit that, and .NET leaves an ignored signal ignored.
        var start = CliProcess.Command(
            ["train", "--corpus", "jaychou", "--max-chars", "2000", "--hidden", "16", "--batch-size", "4", "--steps", "10",
             "--pred-len", "5", "--threads", "1", "--period", "1", "--epochs", "100000", "--save", saved]);
        start.ArgumentList.Insert(0, start.FileName);
        start.ArgumentList.Insert(0, "--default-signal=HUP");
        start.FileName = "env";
        using var process = Process.Start(start)!;
        var errors = process.StandardError.ReadToEndAsync();
        Assert.NotNull(await process.StandardOutput.ReadLineAsync());
        Assert.Equal(0, kill(process.Id, 1));
        await process.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);

        Assert.Equal(130, process.ExitCode);
        var message = Regex.Match(await errors, @"stopped in epoch \d+: saved .+ after epoch (\d+);");
        Assert.True(message.Success, await errors);
        Assert.Equal(int.Parse(message.Groups[1].Value), Checkpoint.Load(saved).Training!.Epoch);
    }
}
