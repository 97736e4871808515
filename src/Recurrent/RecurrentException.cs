namespace Recurrent;

/// <summary>
/// A problem with what the user gave: a file, an option, a checkpoint, a prefix. Its message is one
/// sentence meant for a person (the CLI prints it on stderr and exits with code 2); anything else thrown
/// is an internal error.
/// </summary>
public class RecurrentException : Exception
{
    /// <summary>Creates the error with a one-sentence message.</summary>
    public RecurrentException(string message) : base(message) { }

    /// <summary>Creates the error with a one-sentence message and the low-level cause.</summary>
    public RecurrentException(string message, Exception inner) : base(message, inner) { }
}
