using System.Collections.Concurrent;
using System.Threading;
using Darknet.Cache.Download;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace Darknet.Build.Tasks;

/// <summary>
/// Where the acquire step's messages, warnings and errors go: straight to a task's log, or, for work on a background
/// thread (which must not log once its task has returned), into a queue the wait task replays in order. Every text
/// goes through <see cref="SafeUrl.RedactText"/>: no user:password@ in a log, at any verbosity.
/// </summary>
internal sealed class AcquireLog
{
    private enum Kind { Message, Warning, Error }

    private sealed class Entry
    {
        public Kind Kind;
        public MessageImportance Importance;
        public string? Code;
        public string? File;
        public string Text = "";
    }

    private readonly TaskLoggingHelper? _live;
    private readonly ConcurrentQueue<Entry> _pending = new ConcurrentQueue<Entry>();
    private int _errors;

    private AcquireLog(TaskLoggingHelper? live) => _live = live;

    /// <summary>Logs as it goes, on the task's own thread.</summary>
    public static AcquireLog To(TaskLoggingHelper log) => new AcquireLog(log);

    /// <summary>Keeps everything for <see cref="Replay"/>.</summary>
    public static AcquireLog Buffered() => new AcquireLog(null);

    public bool HasErrors => Volatile.Read(ref _errors) > 0;

    public void Message(MessageImportance importance, string text) =>
        Add(new Entry { Kind = Kind.Message, Importance = importance, Text = text });

    public void Warning(string code, string? file, string text) =>
        Add(new Entry { Kind = Kind.Warning, Code = code, File = file, Text = text });

    public void Error(string code, string? file, string text)
    {
        Interlocked.Increment(ref _errors);
        Add(new Entry { Kind = Kind.Error, Code = code, File = file, Text = text });
    }

    /// <summary>Logs, in order, what was buffered since the last call: from the wait task's thread, while it runs.</summary>
    public void Replay(TaskLoggingHelper log)
    {
        while (_pending.TryDequeue(out var entry)) Write(log, entry);
    }

    /// <summary>
    /// Logs, in order, the messages buffered since the last call, up to the first warning or error: those stay for
    /// <see cref="Replay"/> in the model's own project (a status project shows progress, never a diagnostic).
    /// </summary>
    public void ReplayMessages(TaskLoggingHelper log)
    {
        while (_pending.TryPeek(out var entry) && entry.Kind == Kind.Message && _pending.TryDequeue(out entry)) Write(log, entry);
    }

    private void Add(Entry entry)
    {
        entry.Text = SafeUrl.RedactText(entry.Text);
        if (_live != null) Write(_live, entry);
        else _pending.Enqueue(entry);
    }

    private static void Write(TaskLoggingHelper log, Entry entry)
    {
        switch (entry.Kind)
        {
            case Kind.Message:
                log.LogMessage(entry.Importance, entry.Text);
                break;
            case Kind.Warning:
                log.LogWarning(null, entry.Code, null, entry.File, 0, 0, 0, 0, entry.Text);
                break;
            default:
                log.LogError(null, entry.Code, null, entry.File, 0, 0, 0, 0, entry.Text);
                break;
        }
    }
}
