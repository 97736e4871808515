using System.Globalization;
using Recurrent.Autograd;
using Recurrent.Tensors;

namespace Recurrent.Models;

/// <summary>The distribution weights are drawn from.</summary>
public enum InitDistribution
{
    /// <summary>N(0, σ²): the scale is the standard deviation σ.</summary>
    Normal,

    /// <summary>U(−a, a): the scale is the limit a.</summary>
    Uniform,
}

/// <summary>
/// How parameters are initialised, written <c>normal:σ</c> (the book's <c>normal:0.01</c>) or <c>uniform:a</c>
/// (Zaremba et al.'s <c>uniform:0.1</c>): weights drawn from the distribution, biases set to zero.
/// </summary>
/// <remarks>
/// <code>
/// weight w ~ N(0, σ²)      for normal:σ
/// weight w ~ U(−a, a)      for uniform:a
/// bias   b = 0             a parameter whose name contains "bias" or starts with "b_"
/// </code>
/// Parameters are filled in list order, each in row-major order, with one draw per weight element from the
/// generator and none for a bias, as the models' constructors draw: <c>normal:0.01</c> applied to a model's
/// <see cref="LanguageModel.Parameters"/> with the constructor's seed gives back the constructor's weights, except
/// for a model with an embedding, which its constructor draws after the other weights but lists first.
/// </remarks>
/// <param name="Distribution">Normal or uniform.</param>
/// <param name="Scale">σ for normal, a for uniform; finite and non-negative (0 gives all-zero weights).</param>
public sealed record Initializer(InitDistribution Distribution, float Scale)
{
    /// <summary>The book's initialisation, <c>normal:0.01</c>.</summary>
    public static Initializer Book { get; } = new(InitDistribution.Normal, 0.01f);

    /// <summary>Reads <c>normal:σ</c> or <c>uniform:a</c> (the distribution in any case, the number in invariant culture).</summary>
    /// <exception cref="RecurrentException">The text is not of that form, or the number is negative or not finite.</exception>
    public static Initializer Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        int colon = text.IndexOf(':');
        InitDistribution? distribution = colon < 0 ? null : text[..colon].Trim().ToLowerInvariant() switch
        {
            "normal" => InitDistribution.Normal,
            "uniform" => InitDistribution.Uniform,
            _ => null,
        };
        if (distribution is null
            || !float.TryParse(text[(colon + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out float scale)
            || !(scale >= 0) || float.IsInfinity(scale))
            throw new OptionException($"{{{ModelOptions.Keys.Init}}} must be normal:STD or uniform:LIMIT with a non-negative number, such as normal:0.01, not '{text}'.");
        return new Initializer(distribution.Value, scale);
    }

    /// <summary>True for a bias: a name that contains <c>bias</c> (<c>rnn.bias_ih_l0</c>, <c>dense.bias</c>) or starts with <c>b_</c> (<c>b_i</c>, <c>b_q</c>).</summary>
    public static bool IsBias(string? name) =>
        name is not null && (name.Contains("bias", StringComparison.Ordinal) || name.StartsWith("b_", StringComparison.Ordinal));

    /// <summary>Overwrites every parameter's value in place: weights drawn from <paramref name="rng"/>, biases zero.</summary>
    /// <remarks>Gradients are left alone; a run that re-initialises after creating an optimizer should create it again.</remarks>
    /// <exception cref="RecurrentException">The scale is negative or not finite (a record made without <see cref="Parse"/>).</exception>
    public void Apply(IReadOnlyList<Var> parameters, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        if (!(Scale >= 0) || float.IsInfinity(Scale)) throw new RecurrentException($"The initialisation scale must be a non-negative number, not {Scale}.");
        foreach (var p in parameters)
        {
            var values = p.Value.Span;
            if (IsBias(p.Name)) values.Clear();
            else if (Distribution == InitDistribution.Normal) rng.FillNormal(values, 0f, Scale);
            else rng.FillUniform(values, -Scale, Scale);
        }
    }

    /// <summary>The spec as <see cref="Parse"/> reads it, such as <c>normal:0.01</c> (shortest round-trip number).</summary>
    public override string ToString() =>
        (Distribution == InitDistribution.Normal ? "normal:" : "uniform:") + Scale.ToString("R", CultureInfo.InvariantCulture);
}
