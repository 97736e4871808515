using System.Runtime.InteropServices;
using Recurrent.Cli;

// Ctrl-C, SIGTERM, SIGHUP (the terminal closed) and SIGQUIT ask a training run to stop cleanly (it saves and draws
// what it has); with no run listening, or at the second signal, the process ends at once as usual, leaving no
// temporary file of a save behind. A failing standard output asks the same (StandardStream).
var interruption = new Interruption();
Console.CancelKeyPress += (_, e) => e.Cancel = Stop();
var signals = new List<PosixSignalRegistration>();
foreach (var signal in new[] { PosixSignal.SIGTERM, PosixSignal.SIGHUP, PosixSignal.SIGQUIT })
{
    try
    {
        signals.Add(PosixSignalRegistration.Create(signal, context => context.Cancel = Stop()));
    }
    catch (PlatformNotSupportedException)
    {
        // Not on this system: Ctrl-C and the others then.
    }
}
var stdout = StandardStream.Open(1, interruption.Request);
var stderr = StandardStream.Open(2, stop: null);
try
{
    return CliApp.Run(args, Console.In, stdout, stderr, interruption);
}
finally
{
    foreach (var registration in signals) registration.Dispose();
}

// True when a run takes the signal and stops cleanly; otherwise the process ends at once, and a checkpoint being saved
// is left as it was without its temporary file beside it.
bool Stop()
{
    if (interruption.Request()) return true;
    SafeTensors.DeleteUnfinishedWrites();
    return false;
}
