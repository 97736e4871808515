namespace Recurrent.Training;

/// <summary>
/// Learning-rate decay by a constant factor each epoch after the first K (Zaremba, Sutskever and Vinyals,
/// 2014), as a pure function of the epoch.
/// </summary>
/// <remarks>
/// For the 1-based epoch e (the numbering of <see cref="EpochReport.Epoch"/>):
/// <code>lr(e) = lr₀ · F^max(0, e − K)</code>
/// so epochs 1..K run at lr₀, epoch K+1 at lr₀·F, epoch K+2 at lr₀·F², and so on. This is the TensorFlow PTB
/// tutorial's <c>lr_decay ** max(i + 1 - max_epoch, 0)</c> with its 0-based i; Zaremba's medium model is
/// lr₀ = 1, F = 0.8, K = 6. F = 1 (or K at least the number of epochs) keeps the book's constant rate.
/// </remarks>
public static class LearningRateSchedule
{
    /// <summary>The learning rate of an epoch.</summary>
    /// <param name="epoch">The epoch, from 1.</param>
    /// <param name="initial">lr₀.</param>
    /// <param name="decay">F, in (0, 1].</param>
    /// <param name="decayAfter">K ≥ 0: the number of epochs at lr₀ before the decay starts.</param>
    /// <exception cref="RecurrentException"><paramref name="decay"/> or <paramref name="decayAfter"/> is out of range.</exception>
    public static float At(int epoch, float initial, float decay = 1f, int decayAfter = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(epoch, 1);
        Validate(decay, decayAfter);
        int decays = Math.Max(0, epoch - decayAfter);
        return (float)(initial * Math.Pow(decay, decays));
    }

    /// <summary>Rejects a decay the schedule cannot use, in one sentence naming the option.</summary>
    /// <exception cref="RecurrentException">F is not in (0, 1], or K is negative.</exception>
    public static void Validate(float decay, int decayAfter)
    {
        if (!(decay > 0 && decay <= 1)) throw new OptionException($"{{{OptimizationOptions.Keys.LrDecay}}} must be in (0, 1], not {decay}.");
        if (decayAfter < 0) throw new OptionException($"{{{OptimizationOptions.Keys.LrDecayAfter}}} must be a number of epochs, 0 or more, not {decayAfter}.");
    }
}
