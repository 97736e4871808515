namespace Recurrent.Cli;

/// <summary>A write to standard output failed and no running command could stop for it (see <see cref="StandardStream"/>).</summary>
internal sealed class StandardStreamException(IOException failure) : IOException(failure.Message, failure);
