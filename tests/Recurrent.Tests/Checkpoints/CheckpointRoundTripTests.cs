using System.Text.Json;
using static Recurrent.Tests.Checkpoints.CheckpointFixtures;

namespace Recurrent.Tests.Checkpoints;

/// <summary>A model saved and loaded is the same model: weights bit for bit, vocabulary, configuration, training state.</summary>
public class CheckpointRoundTripTests
{
    [Theory]
    [InlineData(ModelKind.Concise, CellOutput.Tanh)]
    [InlineData(ModelKind.Scratch, CellOutput.Tanh)]
    [InlineData(ModelKind.Concise, CellOutput.Linear)]
    public void WeightsVocabularyAndConfigurationSurvive(ModelKind kind, CellOutput cellOutput)
    {
        var model = Model(kind, cellOutput: cellOutput);
        var loaded = Load(Bytes(model));

        Assert.Equal(model.GetType(), loaded.Model.GetType());
        Assert.Equal(ModelConfiguration.Of(model), loaded.Configuration);
        Assert.Equal(cellOutput, loaded.Configuration.CellOutput);
        Assert.Equal(Vocab.Tokens, loaded.Vocabulary.Tokens);
        Assert.Null(loaded.Training);
        Assert.Equal(model.Parameters.Select(p => p.Name), loaded.Model.Parameters.Select(p => p.Name));
        foreach (var (saved, read) in model.Parameters.Zip(loaded.Model.Parameters))
        {
            Assert.Equal(saved.Value.Shape.ToArray(), read.Value.Shape.ToArray());
            Assert.Equal(Bits(saved.Value), Bits(read.Value));
            Assert.True(read.RequiresGrad);   // a loaded model can be trained further
        }

        int[] inputs = [1, 4, 2, 7, 0, 3];
        using var _ = Var.NoGrad();
        var expected = model.Forward(inputs, 2, 3, model.BeginState(2)).Logits.Value;
        var actual = loaded.Model.Forward(inputs, 2, 3, loaded.Model.BeginState(2)).Logits.Value;
        Assert.Equal(Bits(expected), Bits(actual));
    }

    [Fact]
    public void TheTrainingStateSurvives()
    {
        var original = TrainingAt(ModelKind.Concise);
        var training = original with { Options = original.Options with { Report = original.Options.Report with { Prefixes = ["分开", "\"引号\" \\"] } } };
        var loaded = Load(Bytes(Model(ModelKind.Concise), training)).Training!;

        Assert.Equal(JsonSerializer.Serialize(training.Options), JsonSerializer.Serialize(loaded.Options));
        Assert.Equal(training.Options.Report.Prefixes, loaded.Options.Report.Prefixes);
        Assert.Equal(2, loaded.Epoch);
        Assert.Equal(training.RngState, loaded.RngState);
        Assert.Equal(training.CorpusSha256, loaded.CorpusSha256);
        Assert.Empty(loaded.OptimizerState);
        Assert.Equal(new Rng(42).NextUInt64(), loaded.CreateRng().NextUInt64());
    }

    [Fact]
    public void AGeneratorWithACachedNormalDrawIsRestoredWithIt()
    {
        var rng = new Rng(5);
        rng.NextNormal();   // leaves the second draw of the pair cached
        var training = TrainingAt(ModelKind.Concise) with { RngState = rng.GetState() };
        var restored = Load(Bytes(Model(ModelKind.Concise), training)).Training!.CreateRng();
        Assert.Equal(rng.NextNormal(), restored.NextNormal());
        Assert.Equal(rng.NextUInt64(), restored.NextUInt64());
    }

    [Fact]
    public void OptimizerStateTensorsAreKeptApartFromTheWeights()
    {
        var state = new KeyValuePair<string, Tensor>("optimizer.momentum_buffer.dense.bias", new Tensor([1f, 2f, 3f], 3));
        var training = TrainingAt(ModelKind.Concise) with { OptimizerState = [state] };
        var loaded = Load(Bytes(Model(ModelKind.Concise), training));
        var read = Assert.Single(loaded.Training!.OptimizerState);
        Assert.Equal(state.Key, read.Key);
        Assert.Equal([1f, 2f, 3f], read.Value.ToArray());
        Assert.Equal(6, loaded.Model.Parameters.Count);
    }

    [Fact]
    public void SavingToAPathReplacesTheFileAtomically()
    {
        using var dir = new TempFolder();
        string path = dir.File("run.safetensors");
        var first = Model(ModelKind.Concise, seed: 1);
        var second = Model(ModelKind.Concise, seed: 2);
        new Checkpoint(first, Vocab).Save(path);
        new Checkpoint(second, Vocab).Save(path);
        Assert.Equal(["run.safetensors"], dir.FileNames());
        Assert.Equal(Bits(second.Parameters[0].Value), Bits(Checkpoint.Load(path).Model.Parameters[0].Value));
    }

    [Fact]
    public void TheShapesOfEachConfigurationAreThoseOfItsModel()
    {
        foreach (var kind in Enum.GetValues<ModelKind>())
        {
            var configuration = new ModelConfiguration { Model = kind, VocabularySize = 5, HiddenSize = 3 };
            var model = configuration.Create(new Rng(1));
            Assert.Equal(model.Parameters.Select(p => p.Name), configuration.ParameterShapes().Select(p => p.Key));
            Assert.Equal(model.Parameters.Select(p => p.Value.Shape.ToArray()), configuration.ParameterShapes().Select(p => p.Value));
        }
    }

    [Fact]
    public void AnUnsupportedConfigurationIsOneSentence()
    {
        var e = Assert.Throws<RecurrentException>(() => new ModelConfiguration { Model = ModelKind.Scratch, VocabularySize = 5, HiddenSize = 3, Layers = 2 }.ParameterShapes());
        Assert.Equal("The model configuration is not supported: a from-scratch model has one layer, no embedding and no dropout.", e.Message);
    }

    [Fact]
    public void AVocabularyOfAnotherSizeOrAModelWithoutConfigurationCannotBeSaved()
    {
        Assert.Throws<ArgumentException>(() => new Checkpoint(Model(ModelKind.Concise), new Vocabulary(["a", "b"])));
    }
}
