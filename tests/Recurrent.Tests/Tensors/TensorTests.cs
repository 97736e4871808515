namespace Recurrent.Tests.Tensors;

public class TensorTests
{
    [Fact]
    public void RowsAndRangesAreViewsOnTheSameStorage()
    {
        var t = new Tensor(Enumerable.Range(0, 24).Select(i => (float)i).ToArray(), 2, 3, 4);
        var row = t.Row(1);
        Assert.Equal([3, 4], row.Shape.ToArray());
        Assert.Equal(12f, row[0, 0]);
        row[2, 3] = -1f;
        Assert.Equal(-1f, t[1, 2, 3]);
        var range = t.Row(1).RowRange(1, 2);
        Assert.Equal(16f, range[0, 0]);
        Assert.Equal(8, range.Length);
    }

    [Fact]
    public void ShapesAreChecked()
    {
        Assert.Throws<ArgumentException>(() => Tensor.Zeros(2, 2, 2, 2));
        Assert.Throws<ArgumentException>(() => Tensor.Zeros(2, 3).Reshape(4, 2));
        Assert.Throws<IndexOutOfRangeException>(() => Tensor.Zeros(2, 3)[2, 0]);
        Assert.Throws<ArgumentException>(() => new Tensor(new float[5], 2, 3));
    }

    [Fact]
    public void RngStateRoundTripsAndRepeats()
    {
        var a = new Rng(42);
        a.NextNormal();                    // leaves a spare normal cached
        var state = a.GetState();
        var expected = Enumerable.Range(0, 5).Select(_ => a.NextNormal()).ToArray();
        var b = new Rng(7);
        b.SetState(state);
        Assert.Equal(expected, Enumerable.Range(0, 5).Select(_ => b.NextNormal()).ToArray());
    }

    [Fact]
    public void NormalDrawsHaveTheRightMoments()
    {
        var t = Tensor.RandomNormal(new Rng(3), 0.01f, 200_000);
        double mean = t.Span.ToArray().Average(v => (double)v);
        double std = Math.Sqrt(t.Span.ToArray().Average(v => (double)v * v) - mean * mean);
        Assert.InRange(mean, -1e-4, 1e-4);
        Assert.InRange(std, 0.0099, 0.0101);
    }
}
