using Recurrent.Cli;
using static Recurrent.Tests.Cli.CliHarness;

namespace Recurrent.Tests.Cli;

/// <summary>
/// Ctrl-C during training, in process (<see cref="Interruption.Request"/> is what the signal handler calls): the run
/// stops between minibatches, saves the last finished epoch, draws its chart, says where the checkpoint is and exits
/// with 130; resuming it gives the uninterrupted run's perplexities.
/// </summary>
public class InterruptionTests : SmallCorpusTests
{

    /// <summary>Standard output that presses Ctrl-C once a line starts with a given text.</summary>
    private sealed class CtrlCAfter(string line, Interruption interruption) : StringWriter
    {
        public override void WriteLine(string? value)
        {
            base.WriteLine(value);
            if (value is not null && value.StartsWith(line, StringComparison.Ordinal)) Assert.True(interruption.Request());
        }
    }

    [Fact]
    public void CtrlCSavesTheLastFinishedEpochAndTheRunResumesFromIt()
    {
        string checkpoint = Dir.File("run.safetensors"), log = Dir.File("run.jsonl"), chart = Dir.File("run.svg");
        var full = Run(Train(Corpus, "--epochs", "5", "--period", "1", "--sampling", "random"));
        Assert.Equal(0, full.Code);

        var interruption = new Interruption();
        // Pressed while epoch 2 is reported: epoch 3 stops before its first minibatch.
        var stopped = Run(Train(Corpus, "--epochs", "5", "--period", "1", "--sampling", "random", "--save", checkpoint, "--log", log, "--plot", chart),
            stdout: new CtrlCAfter("epoch 2,", interruption), interruption: interruption);
        Assert.Equal(CliApp.Interrupted, stopped.Code);
        Assert.Equal($"saved {chart}\nstopped in epoch 3: saved {checkpoint} after epoch 2; continue with 'recurrent train --resume {checkpoint}'.\n",
            stopped.Err.Replace("\r", ""));
        Assert.Equal(2, Checkpoint.Load(checkpoint).Training!.Epoch);
        Assert.Equal([1, 2], TrainingLog.Read(log).Select(e => e.Epoch));
        Assert.Contains("<svg", File.ReadAllText(chart));

        var resumed = Run(["train", "--resume", checkpoint, "--threads", "1", "--log", log]);
        Assert.True(resumed.Code == 0, resumed.Err);
        Assert.Equal(WithoutTimes(full.Out), WithoutTimes(stopped.Out).Concat(WithoutTimes(resumed.Out)));
        Assert.Equal([1, 2, 3, 4, 5], TrainingLog.Read(log).Select(e => e.Epoch));
    }

    [Fact]
    public void AStoppedAndResumedRunEndsWithTheUninterruptedRunsCheckpointByteForByte()
    {
        string checkpoint = Dir.File("run.safetensors"), full = Dir.File("full.safetensors");
        Assert.Equal(0, Run(Train(Corpus, "--epochs", "3", "--period", "1", "--optimizer", "adam", "--lr", "0.01", "--save", full)).Code);

        var interruption = new Interruption();
        var stopped = Run(Train(Corpus, "--epochs", "3", "--period", "1", "--optimizer", "adam", "--lr", "0.01", "--save", checkpoint),
            stdout: new CtrlCAfter("epoch 1,", interruption), interruption: interruption);
        Assert.Equal(CliApp.Interrupted, stopped.Code);
        Assert.Equal(1, Checkpoint.Load(checkpoint).Training!.Epoch);
        Assert.Equal(0, Run(["train", "--resume", checkpoint, "--threads", "1"]).Code);
        Assert.Equal(File.ReadAllBytes(full), File.ReadAllBytes(checkpoint));   // weights, Adam's moments, generator
    }

    [Fact]
    public void CtrlCWithoutSaveSaysNothingWasSaved()
    {
        var interruption = new Interruption();
        var result = Run(Train(Corpus, "--epochs", "5", "--period", "1"), stdout: new CtrlCAfter("epoch 1,", interruption), interruption: interruption);
        Assert.Equal(CliApp.Interrupted, result.Code);
        Assert.Equal("stopped in epoch 2 after 1 epoch of training; nothing saved (give --save to keep a stopped run).\n", result.Err.Replace("\r", ""));
    }

    [Fact]
    public void CtrlCRightAfterASaveLeavesThatCheckpoint()
    {
        string checkpoint = Dir.File("run.safetensors");
        var interruption = new Interruption();
        var result = Run(Train(Corpus, "--epochs", "5", "--period", "1", "--save", checkpoint, "--save-every", "2"),
            stdout: new CtrlCAfter("epoch 2,", interruption), interruption: interruption);
        Assert.Equal(CliApp.Interrupted, result.Code);
        Assert.EndsWith($"stopped in epoch 3: {checkpoint} holds epoch 2; continue with 'recurrent train --resume {checkpoint}'.\n", result.Err.Replace("\r", ""));
        Assert.Equal(2, Checkpoint.Load(checkpoint).Training!.Epoch);
    }

    [Fact]
    public void ASignalIsOnlyTakenWhileARunHandlesItAndOnlyOnce()
    {
        var interruption = new Interruption();
        Assert.False(interruption.Request());   // nothing to stop cleanly: the process ends as usual
        Assert.False(interruption.Requested);
        using (interruption.Handle())
        {
            Assert.True(interruption.Request());
            Assert.True(interruption.Token.IsCancellationRequested);
            Assert.False(interruption.Request());   // the second Ctrl-C ends the process
        }
    }
}
