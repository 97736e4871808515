using static Recurrent.Tests.Checkpoints.CheckpointFixtures;
using static Recurrent.Tests.Training.EarlyStoppingTests;

namespace Recurrent.Tests.Checkpoints;

/// <summary>
/// The early-stopping count goes into checkpoints (metadata key early_stopping), so a resumed run stops where the
/// uninterrupted one does; a count no run could reach is refused.
/// </summary>
public class EarlyStoppingCheckpointTests
{
    [Fact]
    public void AResumedRunKeepsItsCountAndStopsWhereTheUninterruptedRunStops()
    {
        const int patience = 3;
        var options = Options(patience);
        var expected = Run(options);
        int stop = expected[^1].Epoch;
        Assert.True(stop < Epochs);

        // Stop at the report before the last, when the count is already above zero and below the patience.
        int cut = stop - options.Report.Period;
        var rng = new Rng(options.Optimization.Seed);
        var model = Trainer.CreateModel(options, Vocab.Size, rng);
        var trainer = NewTrainer(options, model, rng);
        var before = Enumerable.Range(1, cut).Select(trainer.TrainEpoch).ToList();
        Assert.InRange(trainer.Stopping.ReportsSinceBest, 1, patience - 1);
        var bytes = Bytes(model, new TrainingState { Options = options, Epoch = cut, RngState = rng.GetState(), Stopping = trainer.Stopping });

        var training = Load(bytes).Training!;
        Assert.Equal(trainer.Stopping, training.Stopping);
        var resumedRng = training.CreateRng();
        var resumed = NewTrainer(training.Options, Load(bytes).Model, resumedRng);
        resumed.Stopping = training.Stopping;
        var after = new List<EpochReport>();
        resumed.Run(after.Add, cut + 1);

        Assert.Equal(Bits(expected), Bits(before.Concat(after)));
        Assert.Equal(stop, after[^1].Epoch);

        // Without the count the resumed run would train on: the checkpoint's count is what stops it.
        var forgetful = NewTrainer(training.Options, Load(bytes).Model, training.CreateRng());
        var more = new List<EpochReport>();
        forgetful.Run(more.Add, cut + 1);
        Assert.True(more[^1].Epoch > stop);
    }

    [Theory]
    [InlineData("{\"best\":3.5,\"reports_since_best\":-1}")]
    [InlineData("{\"best\":0.5,\"reports_since_best\":1}")]
    [InlineData("{\"reports_since_best\":2}")]
    [InlineData("{\"best\":3.5,\"reports_since_best\":1,\"patience\":2}")]
    [InlineData("[1]")]
    public void ACheckpointWithAnImpossibleCountIsRefused(string json)
    {
        var file = SafeTensors.Read(new MemoryStream(Bytes(Model(ModelKind.Concise), TrainingAt(ModelKind.Concise))), "valid");
        var metadata = file.Metadata.ToDictionary();
        metadata["early_stopping"] = json;
        var stream = new MemoryStream();
        SafeTensors.Write(stream, file.Tensors, metadata);

        var e = Assert.Throws<RecurrentException>(() => Load(stream.ToArray(), "bad.safetensors"));
        Assert.StartsWith("bad.safetensors is not a valid checkpoint: its 'early_stopping' metadata", e.Message);
    }

    [Fact]
    public void ACheckpointKeepsTheCountAndOneWithoutItStartsFromNone()
    {
        var state = TrainingAt(ModelKind.Concise) with { Stopping = EarlyStopping.None.After(9.25).After(10) };
        Assert.Equal(state.Stopping, Load(Bytes(Model(ModelKind.Concise), state)).Training!.Stopping);
        Assert.Equal(EarlyStopping.None, Load(Bytes(Model(ModelKind.Concise), TrainingAt(ModelKind.Concise))).Training!.Stopping);
    }
}
