using System.Runtime.InteropServices;

namespace Microsoft.ML.HyperDpo.Cli;

/// <summary>
/// Ctrl-C (SIGINT) and SIGTERM as a cancellation: the long-running commands (train, compare, pretrain, align) hand it to their
/// MLContext (<c>MLContext.CancelExecution()</c>) or to their <see cref="CancellationToken"/> parameter, so the work stops before
/// its next step and <see cref="Program"/> prints one line and exits with <see cref="ExitCode"/>, without a stack trace.
/// </summary>
/// <remarks>
/// Only once a command has asked for the token (<see cref="Observe"/>) is the signal's default, immediate termination cancelled;
/// the other commands end at once as before. A second signal ends the process at once. Files are written by rename, so
/// a save that was under way is either complete or absent. A process that inherited an ignored SIGINT (a command started
/// with <c>&amp;</c> by a non-interactive shell) keeps ignoring it, as .NET and other Unix programs do; SIGTERM still stops it.
/// </remarks>
internal static class Interruption
{
    private static readonly CancellationTokenSource Source = new();
    private static volatile bool _observed;
    private static PosixSignal? _signal;

    /// <summary>Starts listening; the registrations end with the returned object.</summary>
    public static IDisposable Listen()
    {
        var registrations = new List<PosixSignalRegistration> { PosixSignalRegistration.Create(PosixSignal.SIGINT, Handle) };
        try
        {
            registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handle));
        }
        catch (PlatformNotSupportedException)
        {
            // SIGTERM has no equivalent on some platforms; Ctrl-C still cancels there.
        }
        return new Registrations(registrations);
    }

    /// <summary>The token a long-running command stops on; asking for it makes Ctrl-C cancel rather than terminate.</summary>
    public static CancellationToken Observe()
    {
        _observed = true;
        return Source.Token;
    }

    /// <summary>Makes Ctrl-C call <c>CancelExecution()</c> on <paramref name="mlContext"/>, which its trainers check at every step.</summary>
    public static void Cancels(MLContext mlContext) => Observe().Register(() => MlNetInternals.CancelExecution(mlContext));

    /// <summary>Whether a signal asked the command to stop.</summary>
    public static bool Requested => Source.IsCancellationRequested;

    /// <summary>128 + the signal number, as shells report a process that a signal stopped: 130 for SIGINT, 143 for SIGTERM.</summary>
    public static int ExitCode => _signal == PosixSignal.SIGTERM ? 143 : 130;

    /// <summary>The one line printed when a command stopped on a signal.</summary>
    public static string Message =>
        $"cancelled by {(_signal == PosixSignal.SIGTERM ? "SIGTERM" : "Ctrl-C (SIGINT)")}: stopped before the next step; files written before are complete, and nothing else was written.";

    private static void Handle(PosixSignalContext context)
    {
        // Unobserved (a command that does not check the token), or a second signal: the default, immediate termination.
        if (!_observed || Source.IsCancellationRequested) return;
        context.Cancel = true;
        _signal = context.Signal;
        Source.Cancel();
    }

    private sealed class Registrations(List<PosixSignalRegistration> registrations) : IDisposable
    {
        public void Dispose()
        {
            foreach (var r in registrations) r.Dispose();
        }
    }
}
