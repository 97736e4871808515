using static Recurrent.Tests.Cells.CellTestSupport;

namespace Recurrent.Tests.Cells;

/// <summary>The GRU's point-wise kernels against their scalar references, at lengths that leave every vector remainder.</summary>
public class GruCellTests
{
    public static IEnumerable<object[]> Lengths() => new[] { 1, 2, 3, 5, 7, 8, 9, 15, 16, 17, 31, 33 }.Select(n => new object[] { n });

    [Theory, MemberData(nameof(Lengths))]
    public void ForwardMatchesItsScalarReference(int n)
    {
        var rng = new Rng((ulong)n);
        var gates = Uniform(rng, 3 * n, -3, 3);
        var hp = Uniform(rng, 3 * n, -3, 3);
        var hPrev = Uniform(rng, n, -1, 1);
        var (fastGates, slowGates) = ((float[])gates.Clone(), (float[])gates.Clone());
        float[] fastH = new float[n], slowH = new float[n];
        GruCell.Forward(fastGates, hp, hPrev, fastH);
        GruCell.ForwardReference(slowGates, hp, hPrev, slowH);
        AssertClose(slowGates, fastGates, "r, z, n", 1e-5);
        AssertClose(slowH, fastH, "h", 1e-5);
    }

    [Theory, MemberData(nameof(Lengths))]
    public void BackwardMatchesItsScalarReference(int n)
    {
        var rng = new Rng(1000 + (ulong)n);
        float[] gates = [.. Uniform(rng, 2 * n, 0.01f, 0.99f), .. Uniform(rng, n, -0.99f, 0.99f)];   // r, z in (0, 1); n in (-1, 1)
        var hpN = Uniform(rng, n, -2, 2);
        var hPrev = Uniform(rng, n, -1, 1);
        var dh = Uniform(rng, n, -1, 1);
        var (fastDh, slowDh) = ((float[])dh.Clone(), (float[])dh.Clone());
        float[] fastDxp = new float[3 * n], slowDxp = new float[3 * n], fastDhp = new float[3 * n], slowDhp = new float[3 * n];
        GruCell.Backward(gates, hpN, hPrev, fastDh, fastDxp, fastDhp);
        GruCell.BackwardReference(gates, hpN, hPrev, slowDh, slowDxp, slowDhp);
        AssertClose(slowDxp, fastDxp, "dxp", 1e-6);
        AssertClose(slowDhp, fastDhp, "dhp", 1e-6);
        AssertClose(slowDh, fastDh, "dh", 1e-6);
    }
}
