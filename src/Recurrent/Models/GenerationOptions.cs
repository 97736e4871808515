namespace Recurrent.Models;

/// <summary>
/// How <see cref="LanguageModel.Generate"/> picks each next token: greedily (the book's predictor), by
/// sampling with a temperature and optional top-k / top-p filters, or by beam search.
/// </summary>
/// <remarks>
/// Sampling draws token j with probability p_j = exp(z_j / τ) / Σ_k exp(z_k / τ) (z the logits, τ the
/// temperature), restricted first to the k most likely tokens, then to the smallest set of the most likely ones
/// whose probabilities, renormalised, sum to at least p. τ = 0 is the limit of that distribution: the most
/// likely token, every time. Beam search keeps the <see cref="Beam"/> continuations with the highest
/// log-probability Σ log p (τ = 1) and returns the best; it does not sample.
/// </remarks>
public sealed record GenerationOptions
{

    /// <summary>The option keys of generation, as messages name them.</summary>
    public static class Keys
    {
        public const string Length = "length", Temperature = "temperature", TopK = "top_k", TopP = "top_p", Beam = "beam", Seed = "seed";
    }
    /// <summary>The largest beam accepted: each step scores beam x V candidates and carries beam states.</summary>
    public const int MaxBeam = 1000;

    /// <summary>
    /// The most tokens one generation makes: a billion, about nine hours at 30,000 tokens a second. Generation holds
    /// nothing per token (beam search included), so the bound is there to catch a mistyped number, not for memory.
    /// </summary>
    public const int MaxLength = 1_000_000_000;

    /// <summary>
    /// How many tokens beam search leaves unsettled: when its beams have disagreed about a token for this many steps,
    /// the best beam of the moment decides the older half of the unsettled tokens, and the beams that chose otherwise
    /// there are dropped. It bounds what a search keeps (this many steps of tokens and back-pointers per beam) and how
    /// long a token waits before it is returned; a search of at most this many tokens is exact.
    /// </summary>
    public const int BeamHorizon = 10_000;

    /// <summary>Greedy decoding: the most likely token at every step, like <see cref="LanguageModel.PredictGreedy"/>.</summary>
    public static GenerationOptions Greedy { get; } = new() { Temperature = 0f };

    /// <summary>The number of tokens to generate after the prefix, at most <see cref="MaxLength"/>.</summary>
    public int Length { get; init; } = 100;

    /// <summary>τ, which divides the logits before the softmax: below 1 sharpens, above 1 flattens; 0 is greedy.</summary>
    public float Temperature { get; init; } = 1f;

    /// <summary>Sample only among the k most likely tokens (0: no limit).</summary>
    public int TopK { get; init; }

    /// <summary>Sample only among the most likely tokens that together hold this much probability (1: no limit).</summary>
    public float TopP { get; init; } = 1f;

    /// <summary>The number of continuations beam search keeps (0: no beam search, sample or decode greedily instead).</summary>
    public int Beam { get; init; }

    /// <summary>Seed of the sampling generator: the same seed, prefix and model give the same text.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>True when tokens are drawn at random (a positive temperature and no beam search).</summary>
    public bool IsSampling => Beam == 0 && Temperature > 0;

    /// <summary>Rejects values that cannot make a generation, with one sentence naming the option.</summary>
    /// <exception cref="RecurrentException">A value is out of range, or two options contradict each other.</exception>
    public void Validate()
    {
        if (Length < 0) throw new OptionException($"{{{Keys.Length}}} cannot be negative, not {Length}.");
        if (Length > MaxLength) throw new OptionException($"{{{Keys.Length}}} can be at most {MaxLength} tokens, not {Length}.");
        if (!(Temperature >= 0) || float.IsInfinity(Temperature))
            throw new OptionException($"{{{Keys.Temperature}}} must be 0 (greedy) or a positive number, not {Temperature}.");
        if (TopK < 0) throw new OptionException($"{{{Keys.TopK}}} must be 0 (no limit) or a positive number of tokens, not {TopK}.");
        if (!(TopP > 0 && TopP <= 1)) throw new OptionException($"{{{Keys.TopP}}} must be above 0 and at most 1, not {TopP}.");
        if (Beam is < 0 or > MaxBeam) throw new OptionException($"{{{Keys.Beam}}} must be from 0 (off) to {MaxBeam}, not {Beam}.");
        bool filtered = TopK > 0 || TopP < 1;
        if (filtered && Beam > 0) throw new OptionException($"{{{Keys.TopK}}} and {{{Keys.TopP}}} filter samples, and {{{Keys.Beam}}} does not sample: use one or the other.");
        if (filtered && Temperature == 0) throw new OptionException($"{{{Keys.TopK}}} and {{{Keys.TopP}}} filter samples, and {{{Keys.Temperature}}} 0 does not sample: give a temperature above 0.");
    }
}
