using Recurrent.Tensors;

namespace Recurrent.Models;

/// <summary>
/// One continuation being generated inside a <see cref="GenerationBatch"/>: it feeds its prefix one token per step,
/// then chooses a token from each step's logits exactly as <see cref="LanguageModel.Generate"/> does (the same
/// sampler, the same generator seeded with <see cref="GenerationOptions.Seed"/>), so it produces the same tokens.
/// </summary>
/// <remarks>
/// The sequence holds its own recurrent state (each part with a batch of one); the batch gathers the states of its
/// sequences into one batch for a step and hands each its row back.
/// </remarks>
public sealed class GenerationSequence
{
    private readonly int[] _prefix;
    private readonly TokenSampler? _sampler;
    private readonly Rng _rng;
    private int _fed, _nextInput;

    internal GenerationSequence(int[] prefix, GenerationOptions options, int vocabularySize, RecurrentState state)
    {
        (_prefix, Options, State) = (prefix, options, state);
        _sampler = options.IsSampling ? new TokenSampler(vocabularySize, options.Temperature, options.TopK, options.TopP) : null;
        _rng = new Rng(options.Seed);
        _nextInput = prefix[0];
    }

    /// <summary>How the tokens are chosen (never beam search, which <see cref="GenerationBatch"/> does not take).</summary>
    public GenerationOptions Options { get; }

    /// <summary>The number of tokens generated so far.</summary>
    public int Produced { get; private set; }

    /// <summary>True while the prefix is still being read (no token has been generated yet).</summary>
    public bool IsPriming => _fed < _prefix.Length;

    /// <summary>True once <see cref="GenerationOptions.Length"/> tokens have been generated.</summary>
    public bool IsFinished => Produced >= Options.Length;

    /// <summary>The state after the tokens fed so far, a batch of one.</summary>
    internal RecurrentState State { get; set; }

    /// <summary>The token the next step feeds: the next prefix token, or the last generated one.</summary>
    internal int NextInput => _nextInput;

    /// <summary>Takes the logits (V) of the step that fed <see cref="NextInput"/>; returns the generated token, or -1 while priming.</summary>
    internal int Advance(ReadOnlySpan<float> logits)
    {
        if (++_fed < _prefix.Length)
        {
            _nextInput = _prefix[_fed];
            return -1;
        }
        int token = _sampler is null ? Kernels.ArgMax(logits) : _sampler.Sample(logits, _rng);
        Produced++;
        _nextInput = token;
        return token;
    }
}
