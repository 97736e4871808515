using System.Numerics;
using static Recurrent.Tests.Models.CellTestSupport;

namespace Recurrent.Tests.Models;

/// <summary>
/// The point-wise cell kernels (LSTM, GRU, tanh RNN; forward and backward) against independent references written
/// here in double precision, at lengths below, at and above the vector width, with every kind of remainder.
/// </summary>
public class CellKernelTests
{
    /// <summary>1, just below, at and above one and two vector widths, and a few odd lengths past them.</summary>
    public static IEnumerable<object[]> Lengths()
    {
        int w = Vector<float>.Count;
        return new[] { 1, 2, w - 1, w, w + 1, 2 * w - 1, 2 * w, 2 * w + 3, 3 * w + w / 2, 5 * w + 1 }
            .Where(n => n > 0).Distinct().Select(n => new object[] { n });
    }

    private static double Sigmoid(double x) => 1.0 / (1.0 + Math.Exp(-x));

    [Theory, MemberData(nameof(Lengths))]
    public void LstmForwardMatchesTheEquations(int n)
    {
        var rng = new Rng(10 + (ulong)n);
        foreach (bool linear in new[] { false, true })
        {
            var z = Uniform(rng, 4 * n, -3, 3);
            var cPrev = Uniform(rng, n, -2, 2);
            var gates = (float[])z.Clone();
            float[] c = new float[n], tanhC = new float[n], h = new float[n];
            LstmCell.Forward(gates, cPrev, c, tanhC, h, linear);
            for (int k = 0; k < n; k++)
            {
                double i = Sigmoid(z[k]), f = Sigmoid(z[n + k]), g = Math.Tanh(z[2 * n + k]), o = Sigmoid(z[3 * n + k]);
                double ck = f * cPrev[k] + i * g, tc = linear ? ck : Math.Tanh(ck);
                Near(i, gates[k], "I"); Near(f, gates[n + k], "F"); Near(g, gates[2 * n + k], "G"); Near(o, gates[3 * n + k], "O");
                Near(ck, c[k], "C"); Near(tc, tanhC[k], "tanh C"); Near(o * tc, h[k], "H");
            }
        }
    }

    [Theory, MemberData(nameof(Lengths))]
    public void LstmBackwardMatchesTheEquations(int n)
    {
        var rng = new Rng(20 + (ulong)n);
        foreach (bool linear in new[] { false, true })
        {
            var gates = Uniform(rng, 4 * n, 0.01f, 0.99f);
            var cPrev = Uniform(rng, n, -2, 2);
            var tanhC = Uniform(rng, n, -0.99f, 0.99f);
            var dh = Uniform(rng, n, -1, 1);
            var dcIn = Uniform(rng, n, -1, 1);
            var dc = (float[])dcIn.Clone();
            var dz = new float[4 * n];
            LstmCell.Backward(gates, cPrev, tanhC, dh, dc, dz, linear);
            for (int k = 0; k < n; k++)
            {
                double I = gates[k], F = gates[n + k], G = gates[2 * n + k], O = gates[3 * n + k], tc = tanhC[k];
                double dck = dcIn[k] + dh[k] * O * (linear ? 1 : 1 - tc * tc);
                Near(dck * G * I * (1 - I), dz[k], "dz_i");
                Near(dck * cPrev[k] * F * (1 - F), dz[n + k], "dz_f");
                Near(dck * I * (1 - G * G), dz[2 * n + k], "dz_g");
                Near(dh[k] * tc * O * (1 - O), dz[3 * n + k], "dz_o");
                Near(dck * F, dc[k], "dc");
            }
        }
    }

    [Theory, MemberData(nameof(Lengths))]
    public void GruForwardMatchesTheEquations(int n)
    {
        var rng = new Rng(30 + (ulong)n);
        var xp = Uniform(rng, 3 * n, -3, 3);
        var hp = Uniform(rng, 3 * n, -3, 3);
        var hPrev = Uniform(rng, n, -1, 1);
        var gates = (float[])xp.Clone();
        var h = new float[n];
        GruCell.Forward(gates, hp, hPrev, h);
        for (int k = 0; k < n; k++)
        {
            double r = Sigmoid((double)xp[k] + hp[k]), z = Sigmoid((double)xp[n + k] + hp[n + k]);
            double nk = Math.Tanh(xp[2 * n + k] + r * hp[2 * n + k]);
            Near(r, gates[k], "r"); Near(z, gates[n + k], "z"); Near(nk, gates[2 * n + k], "n");
            Near((1 - z) * nk + z * hPrev[k], h[k], "h");
        }
    }

    [Theory, MemberData(nameof(Lengths))]
    public void GruBackwardMatchesTheEquations(int n)
    {
        var rng = new Rng(40 + (ulong)n);
        float[] gates = [.. Uniform(rng, 2 * n, 0.01f, 0.99f), .. Uniform(rng, n, -0.99f, 0.99f)];   // r, z in (0, 1); n in (-1, 1)
        var hpN = Uniform(rng, n, -2, 2);
        var hPrev = Uniform(rng, n, -1, 1);
        var dhIn = Uniform(rng, n, -1, 1);
        var dh = (float[])dhIn.Clone();
        float[] dxp = new float[3 * n], dhp = new float[3 * n];
        GruCell.Backward(gates, hpN, hPrev, dh, dxp, dhp);
        for (int k = 0; k < n; k++)
        {
            double r = gates[k], z = gates[n + k], nk = gates[2 * n + k], d = dhIn[k];
            double dN = d * (1 - z) * (1 - nk * nk), dZ = d * (hPrev[k] - nk) * z * (1 - z), dR = dN * hpN[k] * r * (1 - r);
            Near(dR, dxp[k], "dxp_r"); Near(dZ, dxp[n + k], "dxp_z"); Near(dN, dxp[2 * n + k], "dxp_n");
            Near(dR, dhp[k], "dhp_r"); Near(dZ, dhp[n + k], "dhp_z"); Near(dN * r, dhp[2 * n + k], "dhp_n");
            Near(d * z, dh[k], "dh");
        }
    }

    [Theory, MemberData(nameof(Lengths))]
    public void TanhCellMatchesTheEquations(int n)
    {
        var rng = new Rng(50 + (ulong)n);
        var z = Uniform(rng, n, -3, 3);
        var h = new float[n];
        TanhCell.Forward(z, h);
        var dh = Uniform(rng, n, -1, 1);
        var dz = new float[n];
        TanhCell.Backward(h, dh, dz);
        for (int k = 0; k < n; k++)
        {
            double y = Math.Tanh(z[k]);
            Near(y, h[k], "h");
            Near(dh[k] * (1 - (double)h[k] * h[k]), dz[k], "dz");
        }
    }

    /// <summary>Float results within a few ulps of the double-precision value (relative, with an absolute floor near zero).</summary>
    private static void Near(double expected, float actual, string what) =>
        Assert.True(Math.Abs(expected - actual) <= 2e-6 * Math.Max(1, Math.Abs(expected)), $"{what}: expected {expected}, got {actual}");
}
