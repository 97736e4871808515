using System.Text.Json.Serialization;
using Recurrent.Autograd;
using Recurrent.Tensors;

namespace Recurrent.Models;

/// <summary>
/// A character-level language model: token indices in, next-token logits out, with a recurrent state.
/// The trainer and the generator need only this.
/// </summary>
/// <remarks>
/// Conventions: B batch, T steps, V vocabulary, H hidden units. Inputs are B x T token indices, row-major (row b
/// is one example, like the book's X). Logits are (T·B) x V in time-major order: row t·B + b is example b at
/// step t, which is the order of the book's <c>nd.concat(*outputs, dim=0)</c> and of its targets <c>Y.T.reshape(-1)</c>.
/// </remarks>
public abstract partial class LanguageModel
{
    /// <summary>V, the number of tokens the model reads and predicts.</summary>
    public abstract int VocabularySize { get; }

    /// <summary>H, the number of hidden units.</summary>
    public abstract int HiddenSize { get; }

    /// <summary>
    /// True while training: layers that behave differently in training (dropout) are active. The trainer sets it
    /// for its minibatches and clears it for predictions; evaluation and generation run with it cleared.
    /// </summary>
    public bool Training { get; set; }

    /// <summary>The trainable parameters, each with its name (used in checkpoints).</summary>
    public abstract IReadOnlyList<Var> Parameters { get; }

    /// <summary>A zero state for <paramref name="batchSize"/> sequences (the book's <c>init_lstm_state</c> / <c>begin_state</c>).</summary>
    public abstract RecurrentState BeginState(int batchSize);

    /// <summary>Runs the model over a minibatch and returns the logits and the final state.</summary>
    /// <param name="inputs">B x T token indices, row-major.</param>
    /// <param name="batchSize">B.</param>
    /// <param name="steps">T.</param>
    /// <param name="state">The state to start from.</param>
    /// <returns>(T·B) x V logits in time-major order, and the state after the last step.</returns>
    public abstract (Var Logits, RecurrentState State) Forward(ReadOnlySpan<int> inputs, int batchSize, int steps, RecurrentState state);

    /// <summary>
    /// The book's <c>predict_rnn</c>: feeds the prefix one token at a time, then appends the most likely next
    /// token <paramref name="count"/> times. Returns the prefix followed by the prediction: greedy
    /// <see cref="Generate"/> under the book's name.
    /// </summary>
    /// <exception cref="ArgumentException">The prefix is empty or has a token outside 0..V-1.</exception>
    public int[] PredictGreedy(ReadOnlySpan<int> prefix, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        int[] tokens = prefix.ToArray();
        return [.. tokens, .. Generate(tokens, GenerationOptions.Greedy with { Length = count })];
    }
}
