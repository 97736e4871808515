using Recurrent.Tensors;

namespace Recurrent.Autograd;

/// <summary>
/// Checks the gradients that autograd computes against central finite differences.
/// </summary>
/// <remarks>
/// The function's output y is reduced to a scalar L = Σ_i w_i y_i with fixed random weights w (so every output
/// element matters and errors cannot cancel). The analytic gradient comes from <see cref="Var.Backward"/>;
/// the numerical one is (L(x + h e_k) - L(x - h e_k)) / 2h for every input element k, with the perturbation,
/// the weighted sum and the difference computed in double precision (the ops themselves run in float32).
/// </remarks>
public static class GradCheck
{
    /// <summary>Compares analytic and numerical gradients of <paramref name="function"/> at <paramref name="inputs"/>.</summary>
    /// <param name="function">Builds the output from the inputs, using only <see cref="Ops"/>; it is called many times.</param>
    /// <param name="inputs">The point at which to differentiate (not modified).</param>
    /// <param name="rtol">Relative tolerance: an element passes when |analytic - numerical| ≤ atol + rtol·|numerical|.</param>
    /// <param name="atol">Absolute tolerance.</param>
    /// <param name="step">The finite-difference step h.</param>
    /// <param name="seed">Seed of the weights w.</param>
    public static GradCheckReport Run(Func<IReadOnlyList<Var>, Var> function, IReadOnlyList<Tensor> inputs,
        double rtol = 1e-2, double atol = 1e-3, double step = 1e-2, ulong seed = 1)
    {
        var point = inputs.Select(t => t.Clone()).ToArray();

        var parameters = point.Select(t => Var.Parameter(t)).ToArray();
        var output = function(parameters);
        var weights = new float[output.Value.Length];
        new Rng(seed).FillNormal(weights, 0f, 1f);
        var loss = Ops.Sum(output * Var.Constant(new Tensor(weights, output.Value.Shape.ToArray())));
        loss.Backward();
        var analytic = parameters.Select(p => p.Grad!.ToArray()).ToArray();

        double WeightedOutput()
        {
            using var _ = Var.NoGrad();
            var y = function(point.Select(Var.Constant).ToArray()).Value.Span;
            double sum = 0;
            for (int i = 0; i < y.Length; i++) sum += (double)weights[i] * y[i];
            return sum;
        }

        var results = new List<GradCheckResult>();
        for (int n = 0; n < point.Length; n++)
        {
            var x = point[n].Span;
            double worstAbsolute = 0, worstRatio = 0;
            int worstIndex = -1;
            double worstAnalytic = 0, worstNumerical = 0;
            for (int k = 0; k < x.Length; k++)
            {
                float original = x[k];
                float plus = (float)(original + step), minus = (float)(original - step);
                x[k] = plus;
                double lPlus = WeightedOutput();
                x[k] = minus;
                double lMinus = WeightedOutput();
                x[k] = original;
                // Divide by the step actually taken after rounding to float32, not the nominal one.
                double numerical = (lPlus - lMinus) / ((double)plus - minus);
                double error = Math.Abs(analytic[n][k] - numerical);
                if (worstIndex < 0 || error > worstAbsolute)
                {
                    worstAbsolute = error;
                    worstIndex = k;
                    worstAnalytic = analytic[n][k];
                    worstNumerical = numerical;
                }
                worstRatio = Math.Max(worstRatio, error / (atol + rtol * Math.Abs(numerical)));
            }
            results.Add(new GradCheckResult(n, worstAbsolute, worstRatio, worstIndex, worstAnalytic, worstNumerical));
        }
        return new GradCheckReport(results);
    }
}

/// <summary>The worst disagreement found for one input.</summary>
/// <param name="Input">Index of the input.</param>
/// <param name="MaxAbsoluteError">Largest |analytic - numerical| over the input's elements.</param>
/// <param name="ToleranceRatio">Largest |analytic - numerical| / (atol + rtol·|numerical|) over the elements: at most 1 passes.</param>
/// <param name="WorstElement">Element with the largest absolute error (-1 for an empty input).</param>
/// <param name="Analytic">The analytic gradient at that element.</param>
/// <param name="Numerical">The numerical gradient at that element.</param>
public sealed record GradCheckResult(int Input, double MaxAbsoluteError, double ToleranceRatio, int WorstElement,
    double Analytic, double Numerical);

/// <summary>The outcome of <see cref="GradCheck.Run"/>, one result per input.</summary>
public sealed record GradCheckReport(IReadOnlyList<GradCheckResult> Results)
{
    /// <summary>True when every element of every input is within the tolerances given to <see cref="GradCheck.Run"/>.</summary>
    public bool Passes => Results.All(r => r.ToleranceRatio <= 1);

    /// <inheritdoc />
    public override string ToString() => string.Join("; ", Results.Select(r =>
        $"input {r.Input}: tolerance ratio {r.ToleranceRatio:G3}, max |error| {r.MaxAbsoluteError:G3} at {r.WorstElement} (analytic {r.Analytic:G6}, numerical {r.Numerical:G6})"));
}
