namespace Recurrent.Tests.Models;

/// <summary>A model that counts the steps run on it and hands them to another: to see when a generation yields its tokens.</summary>
internal sealed class StepCountingModel(LanguageModel inner) : LanguageModel
{
    /// <summary>The steps run so far, each a forward pass over T = 1 step.</summary>
    public int Steps { get; private set; }

    public override int VocabularySize => inner.VocabularySize;

    public override int HiddenSize => inner.HiddenSize;

    public override IReadOnlyList<Var> Parameters => inner.Parameters;

    public override RecurrentState BeginState(int batchSize) => inner.BeginState(batchSize);

    public override (Var Logits, RecurrentState State) Forward(ReadOnlySpan<int> inputs, int batchSize, int steps, RecurrentState state)
    {
        Steps += steps;
        return inner.Forward(inputs, batchSize, steps, state);
    }
}
