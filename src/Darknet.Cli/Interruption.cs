using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using System.Threading;

namespace Darknet.Cli;

/// <summary>
/// Turns the first Ctrl+C (SIGINT), SIGTERM or SIGHUP during a command into a cancellation, so the conversion stops at
/// the next layer and its temp file is deleted on the way out (a kill that cannot be caught, -9, leaves the temp to
/// the next run's orphan cleanup). A second signal is not intercepted: it ends the process at once, as users expect
/// from pressing Ctrl+C twice.
/// </summary>
internal sealed class Interruption : IDisposable
{
    /// <summary>How long cancelled work may take to stop before the process ends anyway.</summary>
    public static readonly TimeSpan Grace = TimeSpan.FromSeconds(5);

    private readonly CancellationTokenSource _source = new CancellationTokenSource();
    private readonly List<PosixSignalRegistration> _registrations = new List<PosixSignalRegistration>();
    private readonly Action _beforeForcedExit;
    private bool _disposed;
    private PosixSignal? _signal; // set before the token is cancelled, read after it was observed

    /// <param name="beforeForcedExit">Runs when the work did not stop within <see cref="Grace"/>: delete what it made, say why.</param>
    public Interruption(Action beforeForcedExit)
    {
        _beforeForcedExit = beforeForcedExit;
        foreach (var signal in new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGHUP })
        {
            try
            {
                _registrations.Add(PosixSignalRegistration.Create(signal, OnSignal));
            }
            catch (PlatformNotSupportedException)
            {
                // This platform cannot deliver that signal: nothing to intercept.
            }
        }
    }

    public CancellationToken Token => _source.Token;

    /// <summary>The signal that cancelled the command, or null.</summary>
    public PosixSignal? Signal => _signal;

    /// <summary>For messages: "Ctrl+C (SIGINT)", "SIGTERM", "SIGHUP".</summary>
    public string SignalName => _signal switch
    {
        PosixSignal.SIGINT => "Ctrl+C (SIGINT)",
        PosixSignal.SIGTERM => "SIGTERM",
        PosixSignal.SIGHUP => "SIGHUP",
        _ => "a signal",
    };

    /// <summary>The shell's convention for a command ended by a signal: 128 + its number (130 for Ctrl+C).</summary>
    public int ExitCode => _signal switch
    {
        PosixSignal.SIGHUP => 128 + 1,
        PosixSignal.SIGTERM => 128 + 15,
        _ => 128 + 2,
    };

    private void OnSignal(PosixSignalContext context)
    {
        if (_source.IsCancellationRequested) return; // the second one: let it end the process
        _signal = context.Signal;
        context.Cancel = true;
        _source.Cancel();
        // Work blocked in the kernel (open() of a FIFO nobody writes, a read from a hung network share) never looks
        // at the token; intercepting the signal must not make the process unkillable, so after the grace it ends.
        new Thread(() =>
        {
            Thread.Sleep(Grace);
            if (Volatile.Read(ref _disposed)) return; // the work stopped and the command returned its own code
            _beforeForcedExit();
            Environment.Exit(ExitCode);
        }) { IsBackground = true, Name = "darknet interruption grace" }.Start();
    }

    public void Dispose()
    {
        Volatile.Write(ref _disposed, true);
        foreach (var registration in _registrations) registration.Dispose();
        _source.Dispose();
    }
}
