using System.CommandLine;
using System.Globalization;

namespace Recurrent.Cli;

/// <summary>
/// One option of <c>train</c> that sets a field of <see cref="TrainingOptions"/>: its flag, description and default (the
/// System.CommandLine option), the key the library names it by, how the value is read and written, what
/// <c>--resume</c> and <c>--init-from</c> do with it, and whether <c>compare</c> may give it several values.
/// </summary>
internal abstract class TrainOptionRow
{
    /// <summary>The command-line option: its name is the flag.</summary>
    public abstract Option Option { get; }

    /// <summary>The option key (<see cref="ModelOptions.Keys"/> and its siblings), as library messages and checkpoints name it.</summary>
    public required string Key { get; init; }

    /// <summary>What <c>--resume</c> does with a value given on its command line.</summary>
    public required OnResume Resume { get; init; }

    /// <summary>Whether <c>--init-from</c> takes the value from the checkpoint's model (its weights fix it).</summary>
    public bool FromCheckpointModel { get; init; }

    /// <summary>Whether <c>compare</c> may give it several comma-separated values.</summary>
    public bool Varied { get; init; }

    /// <summary>The flag, <c>--hidden</c>.</summary>
    public string Flag => Option.Name;

    /// <summary>The options with this row's value from the command line.</summary>
    public abstract TrainingOptions Apply(TrainingOptions options, ParseResult parse);

    /// <summary>The options with this row's value parsed from <paramref name="text"/>, as the flag followed by it would give.</summary>
    public TrainingOptions Apply(TrainingOptions options, string text) => Apply(options, [text]);

    /// <summary>The options with this row's value parsed from <paramref name="texts"/>, as the flag before each would give (a repeatable option takes them all).</summary>
    public abstract TrainingOptions Apply(TrainingOptions options, IReadOnlyList<string> texts);

    /// <summary>The options with this row's value taken from <paramref name="source"/>.</summary>
    public abstract TrainingOptions CopyFrom(TrainingOptions options, TrainingOptions source);

    /// <summary>The value as the user would type it (for messages).</summary>
    public abstract string Show(TrainingOptions options);

    /// <summary>Whether two options hold the same value for this row.</summary>
    public abstract bool Same(TrainingOptions a, TrainingOptions b);
}

/// <summary>A row whose values are of type <typeparamref name="T"/>.</summary>
internal sealed class TrainOptionRow<T> : TrainOptionRow
{
    private readonly Option<T> _option;
    private readonly Func<TrainingOptions, T> _get;
    private readonly Func<TrainingOptions, T, TrainingOptions> _set;
    private readonly Func<T, string> _show;

    public TrainOptionRow(Option<T> option, Func<TrainingOptions, T> get, Func<TrainingOptions, T, TrainingOptions> set, Func<T, string>? show = null)
    {
        (_option, _get, _set) = (option, get, set);
        _show = show ?? (v => v switch
        {
            null => "none",
            Enum e => TrainOptionTable.Word(e),
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            _ => v.ToString() ?? "",
        });
    }

    public override Option Option => _option;

    public override TrainingOptions Apply(TrainingOptions options, ParseResult parse) =>
        TrainCommand.Given(parse, _option) ? _set(options, parse.GetValue(_option)!) : options;

    public override TrainingOptions Apply(TrainingOptions options, IReadOnlyList<string> texts)
    {
        // The option's own parser and checks, on a command line of this option alone.
        var parse = new Command("value") { _option }.Parse(texts.SelectMany(text => new[] { Flag, text }).ToArray());
        if (parse.Errors.Count > 0) throw new RecurrentException(CliApp.Readable(parse.Errors[0].Message));
        return _set(options, parse.GetValue(_option)!);
    }

    public override TrainingOptions CopyFrom(TrainingOptions options, TrainingOptions source) => _set(options, _get(source));

    public override string Show(TrainingOptions options) => _show(_get(options));

    public override bool Same(TrainingOptions a, TrainingOptions b) =>
        _get(a) is IEnumerable<string> x && _get(b) is IEnumerable<string> y ? x.SequenceEqual(y) : Equals(_get(a), _get(b));
}
