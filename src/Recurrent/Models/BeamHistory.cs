namespace Recurrent.Models;

// Conventions: a step holds one token per kept beam; a beam of a step extends one beam of the step before, its parent.
// A beam is alive while some beam of the last step descends from it.
/// <summary>
/// The steps of a beam search whose tokens are not settled yet: for each, the token every kept beam chose and its
/// parent. A step is settled once a single beam of it is alive: every continuation still kept then has its token,
/// so it is the best continuation's token whatever comes later. Settled steps are taken out, so the history holds
/// only the steps after the last settled one (and always the last step).
/// </summary>
/// <remarks>
/// Each beam counts its alive children; a beam left without any dies, and its parent loses a child, so every beam
/// dies at most once and a step costs O(B) on average however long the beams disagree. The steps live in a ring of
/// reused arrays: once it is full, a long search allocates nothing here.
/// </remarks>
internal sealed class BeamHistory
{
    private readonly int[][] _tokens, _parents, _children;   // slot of step i: (_head + i) mod capacity
    private readonly int[] _beams, _alive;                    // per slot: the beams of the step, and how many live
    private readonly int _width;
    private int _head, _count;

    // Scratch for a decision: whether each beam of a step descends from the beam that stands.
    private bool[] _line, _lineNext;

    /// <summary>Creates an empty history of at most <paramref name="capacity"/> steps of at most <paramref name="width"/> beams.</summary>
    public BeamHistory(int capacity, int width)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        (_tokens, _parents, _children) = (new int[capacity][], new int[capacity][], new int[capacity][]);
        (_beams, _alive, _width) = (new int[capacity], new int[capacity], width);
        (_line, _lineNext) = (new bool[width], new bool[width]);
    }

    /// <summary>The steps held: those after the last settled one, and the last step.</summary>
    public int Count => _count;

    /// <summary>The beams of the last step.</summary>
    public int LastCount => _beams[Slot(_count - 1)];

    /// <summary>The tokens of the last step's beams (its first <see cref="LastCount"/> entries).</summary>
    public int[] LastTokens => _tokens[Slot(_count - 1)];

    /// <summary>The parents of the last step's beams (its first <see cref="LastCount"/> entries).</summary>
    public int[] LastParents => _parents[Slot(_count - 1)];

    /// <summary>Adds a step: beam k chose <paramref name="tokens"/>[k] after beam <paramref name="parents"/>[k] of the last step.</summary>
    /// <exception cref="InvalidOperationException">The history is full.</exception>
    public void Add(ReadOnlySpan<int> tokens, ReadOnlySpan<int> parents)
    {
        if (_count == _tokens.Length) throw new InvalidOperationException("The beam history is full: decide its oldest steps first.");
        if (tokens.Length != parents.Length || tokens.Length is 0 || tokens.Length > _width)
            throw new ArgumentException($"A step has 1 to {_width} beams, each with a token and a parent.", nameof(tokens));
        int slot = Slot(_count++);
        _tokens[slot] ??= new int[_width];
        _parents[slot] ??= new int[_width];
        _children[slot] ??= new int[_width];
        tokens.CopyTo(_tokens[slot]);
        parents.CopyTo(_parents[slot]);
        Array.Clear(_children[slot], 0, tokens.Length);
        (_beams[slot], _alive[slot]) = (tokens.Length, tokens.Length);
        if (_count == 1) return;   // the parents are in a settled step, which is gone

        int level = _count - 2, previous = Slot(level);
        foreach (int parent in parents) _children[previous][parent]++;
        for (int b = 0; b < _beams[previous]; b++)
            if (_children[previous][b] == 0) Die(level, b);
    }

    /// <summary>
    /// Takes out the settled steps but the last (whose beams the next step extends) and appends their tokens to
    /// <paramref name="output"/>, oldest first.
    /// </summary>
    public void TakeSettled(List<int> output)
    {
        while (_count > 1 && _alive[_head] == 1)
        {
            int slot = _head, beam = 0;
            while (_children[slot][beam] == 0) beam++;   // the one beam with children
            output.Add(_tokens[slot][beam]);
            Drop(1);
        }
    }

    /// <summary>
    /// Decides the older half of the steps held for beam <paramref name="best"/> of the last step: the last step keeps
    /// only the beams that agree with it about them, in their order, and those steps are settled. Returns the indices
    /// of the kept beams among the last step's beams before, so that the caller can keep their scores.
    /// </summary>
    public int[] DecideOlderHalf(int best)
    {
        if (_count < 2) throw new InvalidOperationException("A decision needs two steps or more.");
        int decided = _count / 2 - 1, last = _count - 1, lastSlot = Slot(last);
        // The beam of the newest decided step on the best line, then which beams of each later step descend from it.
        int stands = best;
        for (int level = last; level > decided; level--) stands = _parents[Slot(level)][stands];
        Array.Clear(_line);
        _line[stands] = true;
        for (int level = decided + 1; level <= last; level++)
        {
            int slot = Slot(level);
            for (int b = 0; b < _beams[slot]; b++) _lineNext[b] = _line[_parents[slot][b]];
            (_line, _lineNext) = (_lineNext, _line);
        }

        var kept = new List<int>(_beams[lastSlot]);
        for (int b = 0; b < _beams[lastSlot]; b++)
        {
            if (_line[b]) kept.Add(b);
            else Die(last, b);
        }
        for (int k = 0; k < kept.Count; k++)
        {
            _tokens[lastSlot][k] = _tokens[lastSlot][kept[k]];
            _parents[lastSlot][k] = _parents[lastSlot][kept[k]];
        }
        _beams[lastSlot] = kept.Count;
        return [.. kept];
    }

    /// <summary>Takes out every step and appends the tokens of beam <paramref name="beam"/> of the last step's line, oldest first.</summary>
    public void TakePath(int beam, List<int> output)
    {
        int start = output.Count;
        for (int level = _count - 1; level >= 0; level--)
        {
            int slot = Slot(level);
            output.Add(_tokens[slot][beam]);
            beam = _parents[slot][beam];
        }
        output.Reverse(start, output.Count - start);
        Drop(_count);
    }

    // Beam `beam` of step `level` has no alive child left (or is a dropped beam of the last step): it dies, and its
    // parent loses a child, which may leave that one without any.
    private void Die(int level, int beam)
    {
        while (true)
        {
            int slot = Slot(level);
            _alive[slot]--;
            if (level == 0) return;
            int parent = _parents[slot][beam];
            if (--_children[Slot(level - 1)][parent] > 0) return;
            (level, beam) = (level - 1, parent);
        }
    }

    private void Drop(int steps)
    {
        _head = Slot(steps);
        _count -= steps;
    }

    private int Slot(int step)
    {
        int slot = _head + step;
        return slot >= _tokens.Length ? slot - _tokens.Length : slot;
    }
}
