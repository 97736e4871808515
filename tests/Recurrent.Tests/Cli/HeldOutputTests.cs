using System.Diagnostics;
using System.Text.RegularExpressions;
using Recurrent.Checkpoints;

namespace Recurrent.Tests.Cli;

/// <summary>
/// A run holds its outputs: a second run naming the same log or checkpoint (by another path) is refused at its start
/// and the first run's file is left whole; a lock file left by a killed run does not stop the next one; a log whose
/// disk fills up stops the run as Ctrl-C does, with its checkpoint saved and the log's error as the run's.
/// </summary>
[Trait("Category", "Slow")]
public class HeldOutputTests : FolderTests
{

    private static readonly string[] Small =
        ["train", "--corpus", "jaychou", "--max-chars", "2000", "--hidden", "16", "--batch-size", "4", "--steps", "10",
         "--pred-len", "5", "--threads", "1", "--period", "1"];

    [Fact]
    public async Task ASecondRunNamingTheSameLogIsRefusedAndTheFirstLogStaysWhole()
    {
        string log = Dir.File("run.jsonl");
        using var first = Process.Start(CliProcess.Command([.. Small, "--epochs", "100000", "--log", log]))!;
        try
        {
            Assert.NotNull(await first.StandardOutput.ReadLineAsync());   // the first epoch is logged

            Directory.CreateSymbolicLink(Dir.File("linked"), Dir.Path);
            var second = CliHarness.Run([.. Small, "--epochs", "2", "--log", Path.Combine(Dir.Path, "linked", "run.jsonl")]);

            CliHarness.AssertUserError(second, "--log", "is being written by another run", ".run.jsonl.lock");
        }
        finally
        {
            first.Kill();
            await first.WaitForExitAsync();
        }
        var entries = Recurrent.Training.TrainingLog.Read(log);
        Assert.Equal(Enumerable.Range(1, entries.Count), entries.Select(e => e.Epoch));
    }

    [Fact]
    public void ALockFileLeftByAKilledRunIsTakenAndRemoved()
    {
        string log = Dir.File("run.jsonl"), stale = Dir.File(".run.jsonl.lock", "");

        var result = CliHarness.Run([.. Small, "--epochs", "2", "--log", log]);

        Assert.True(result.Code == 0, result.Err);
        Assert.Equal(2, Recurrent.Training.TrainingLog.Read(log).Count);
        Assert.False(File.Exists(stale));
    }

    [Fact]
    public void ALogOnAFullDiskStopsTheRunWithItsCheckpointSaved()
    {
        // A 4 KB disk of its own (tmpfs in a private mount namespace) holds about 40 lines of the log.
        string disk = Dir.File("disk"), saved = Dir.File("run.safetensors");
        Directory.CreateDirectory(disk);
        var (code, _, errors) = CliProcess.Shell(
            $"exec unshare --map-root-user --mount bash -c 'mount -t tmpfs -o size=4k tmpfs \"{disk}\" && " +
            $"recurrent() {{ dotnet \"$RECURRENT_DLL\" \"$@\"; }}; recurrent {string.Join(' ', Small)} --epochs 100000 --log \"{disk}/run.jsonl\" --save \"{saved}\" > /dev/null'");

        Assert.True(code == 2, errors);
        var stop = Regex.Match(errors, @"stopped in epoch \d+: saved .+ after epoch (\d+);");
        Assert.True(stop.Success, errors);
        Assert.Contains("error: The training log ", errors);
        Assert.Contains(" could not be written: No space left on device", errors);
        Assert.DoesNotContain(" at ", errors);
        Assert.Equal(int.Parse(stop.Groups[1].Value), Checkpoint.Load(saved).Training!.Epoch);
    }
}
