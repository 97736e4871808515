using System.Text.RegularExpressions;

namespace Recurrent;

/// <summary>
/// A problem with what the user gave: a file, an option, a checkpoint, a prefix. Its message is one
/// sentence meant for a person (the CLI prints it on stderr and exits with code 2); anything else thrown
/// is an internal error.
/// </summary>
/// <remarks>
/// A message that names options is made from a template in which each option is its key in braces,
/// <c>"{hidden} must be a positive number of units, not 0."</c>: <see cref="Exception.Message"/> shows the keys as they
/// are, and <see cref="Render(Func{string, string})"/> shows each as a caller names it, so that the library speaks of parameters and a
/// command line of its flags.
/// </remarks>
public partial class RecurrentException : Exception
{
    /// <summary>Creates the error with a one-sentence message.</summary>
    public RecurrentException(string message) : base(message) { }

    /// <summary>Creates the error with a one-sentence message and the low-level cause.</summary>
    public RecurrentException(string message, Exception inner) : base(message, inner) { }

    /// <summary>Creates the error from a template that names options as <c>{key}</c>.</summary>
    protected RecurrentException(string template, bool _) : base(Render(template, key => key)) => Template = template;

    /// <summary>The message with each option as <c>{key}</c>; null when the message names none.</summary>
    public string? Template { get; }

    /// <summary>The message with each option key replaced by <paramref name="name"/>(key).</summary>
    public string Render(Func<string, string> name) => Template is null ? Message : Render(Template, name);

    /// <summary>The option keys the message names, in order.</summary>
    public IEnumerable<string> Keys => Template is null ? [] : KeyPattern().Matches(Template).Select(m => m.Groups[1].Value);

    private static string Render(string template, Func<string, string> name) =>
        KeyPattern().Replace(template, m => name(m.Groups[1].Value));

    [GeneratedRegex(@"\{([a-z0-9_]+)\}")]
    private static partial Regex KeyPattern();
}
