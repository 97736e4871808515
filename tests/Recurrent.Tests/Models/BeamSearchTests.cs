using static Recurrent.Tests.Checkpoints.CheckpointFixtures;

namespace Recurrent.Tests.Models;

/// <summary>
/// Beam search returns each token once its beams agree on it: the same tokens as the search that kept every step to
/// the end (<see cref="BeamSearchReference"/>), its horizon rule when beams disagree for long, and memory that does
/// not grow with the length.
/// </summary>
public class BeamSearchTests
{
    private static readonly int[] Prefix = Vocab.Encode("分开");

    public static TheoryData<ModelKind, int, int> Searches()
    {
        var data = new TheoryData<ModelKind, int, int>();
        foreach (var kind in Enum.GetValues<ModelKind>())
            foreach (int beam in (int[])[1, 2, 3, 5, 12])
                foreach (int length in (int[])[1, 2, 9, 300])
                    data.Add(kind, beam, length);
        return data;
    }

    [Theory]
    [MemberData(nameof(Searches))]
    public void TheTokensAreThoseOfTheSearchThatKeepsEveryStep(ModelKind kind, int beam, int length)
    {
        foreach (var model in (LanguageModel[])[Trained(kind), Model(kind)])
        {
            var expected = BeamSearchReference.Search(model, Prefix, beam, length);
            Assert.Equal(expected, model.Generate(Prefix, new GenerationOptions { Beam = beam, Length = length }).ToArray());
        }
    }

    [Theory]
    [InlineData(10UL, 3, 2, 7)]
    [InlineData(10UL, 3, 3, 30)]
    [InlineData(2, 6, 2, 7)]
    [InlineData(8, 6, 4, 5)]
    public void BeamsThatDisagreePastTheHorizonAreDecidedByTheBestOne(ulong seed, int hidden, int beam, int horizon)
    {
        // Random weights whose beams disagree for long, and whose best beam changes meanwhile.
        var model = Model(ModelKind.Concise, hidden, seed);
        int length = 20 * horizon + 3;
        var expected = BeamSearchReference.Search(model, Prefix, beam, length, horizon);
        var actual = model.GenerateWithBeamHorizon(Prefix, new GenerationOptions { Beam = beam, Length = length }, horizon).ToArray();
        Assert.Equal(expected, actual);
        Assert.NotEqual(BeamSearchReference.Search(model, Prefix, beam, length), actual);   // the horizon made a difference
    }
}
