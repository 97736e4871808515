using System.Runtime.InteropServices;
using Recurrent.Cli;

// Ctrl-C and SIGTERM ask a training run to stop cleanly (it saves and draws what it has); with no run listening, or
// at the second Ctrl-C, the process ends at once as usual.
var interruption = new Interruption();
Console.CancelKeyPress += (_, e) => e.Cancel = interruption.Request();
PosixSignalRegistration? terminate = null;
try
{
    terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => context.Cancel = interruption.Request());
}
catch (PlatformNotSupportedException)
{
    // Ctrl-C alone then.
}
using (terminate) return CliApp.Run(args, Console.In, Console.Out, Console.Error, interruption);
