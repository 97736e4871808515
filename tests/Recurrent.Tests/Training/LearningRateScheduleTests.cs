namespace Recurrent.Tests.Training;

public class LearningRateScheduleTests
{
    [Theory]
    [InlineData(1, 1.0)]
    [InlineData(2, 1.0)]
    [InlineData(3, 0.5)]    // the first epoch after K = 2
    [InlineData(4, 0.25)]
    [InlineData(10, 1.0 / 256)]
    public void TheRateIsMultipliedByFEachEpochAfterK(int epoch, double expected)
    {
        Assert.Equal((float)expected, LearningRateSchedule.At(epoch, 1f, 0.5f, 2));
    }

    [Fact]
    public void ZarembasMediumModelDecaysFromEpochSeven()
    {
        float[] rates = Enumerable.Range(1, 39).Select(e => LearningRateSchedule.At(e, 1f, 0.8f, 6)).ToArray();
        Assert.All(rates[..6], r => Assert.Equal(1f, r));
        Assert.Equal(0.8f, rates[6]);
        Assert.Equal((float)Math.Pow(0.8f, 33), rates[38], 6);
    }

    [Fact]
    public void WithKZeroTheFirstEpochIsAlreadyDecayed()
    {
        Assert.Equal(50f, LearningRateSchedule.At(1, 100f, 0.5f, 0));
    }

    [Fact]
    public void TheDefaultsKeepTheBooksConstantRate()
    {
        Assert.All(Enumerable.Range(1, 160), e => Assert.Equal(100f, LearningRateSchedule.At(e, 100f)));
    }

    [Theory]
    [InlineData(0f, 0, "{lr_decay}")]
    [InlineData(1.5f, 0, "{lr_decay}")]
    [InlineData(float.NaN, 0, "{lr_decay}")]
    [InlineData(-0.5f, 0, "{lr_decay}")]
    [InlineData(0.5f, -1, "{lr_decay_after}")]
    public void InvalidDecaysAreNamed(float decay, int after, string option)
    {
        var e = Assert.Throws<OptionException>(() => LearningRateSchedule.At(1, 1f, decay, after));
        Assert.StartsWith(option + " ", e.Template);
    }

    [Fact]
    public void EpochsStartAtOne()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => LearningRateSchedule.At(0, 1f, 0.5f, 2));
    }
}
