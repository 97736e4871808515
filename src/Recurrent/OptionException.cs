namespace Recurrent;

/// <summary>
/// A value of an option that cannot make a run, such as a negative number of hidden units. The message is a
/// template naming each option by its key in braces (see <see cref="RecurrentException.Render(Func{string, string})"/>).
/// </summary>
public sealed class OptionException : RecurrentException
{
    /// <summary>Creates the error from a template naming options as <c>{key}</c>, such as <c>"{hidden} must be positive."</c>.</summary>
    public OptionException(string template) : base(template, true) { }

    /// <summary>The option the error is about: the first one the message names.</summary>
    public string Key => Keys.FirstOrDefault() ?? "";
}
