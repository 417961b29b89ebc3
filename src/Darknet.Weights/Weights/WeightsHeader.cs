using System;
using System.IO;
using System.Text;

namespace Darknet.Weights;

/// <summary>
/// The header in front of a Darknet .weights file: major, minor, revision (int32 each), then <see cref="Seen"/>,
/// an int64 when <c>major*10 + minor &gt;= 2 &amp;&amp; major &lt; 1000 &amp;&amp; minor &lt; 1000</c>, else an int32
/// (darknet's own rule in parser.c, so 20 bytes for darknet ≥ 0.2 files and 16 for older ones).
/// </summary>
internal sealed class WeightsHeader
{
    /// <summary>Version numbers above this are not a darknet version but some other file's bytes.</summary>
    private const int MaxPlausibleVersion = 100_000;

    public WeightsHeader(int major, int minor, int revision, long seen)
    {
        Major = major;
        Minor = minor;
        Revision = revision;
        Seen = seen;
    }

    public int Major { get; }

    public int Minor { get; }

    public int Revision { get; }

    /// <summary>Images seen in training.</summary>
    public long Seen { get; }

    /// <summary>Header size in bytes: 20 when <see cref="Seen"/> is an int64, else 16.</summary>
    public int Size => HasLongSeen(Major, Minor) ? 20 : 16;

    /// <summary>Darknet transposes [connected] weights after reading them from such files.</summary>
    public bool TransposeConnected => Major > 1000 || Minor > 1000;

    public string VersionText => $"{Major}.{Minor}.{Revision}";

    public static bool HasLongSeen(int major, int minor) => major * 10 + minor >= 2 && major < 1000 && minor < 1000;

    /// <summary>Reads the header from the current position, leaving the stream at the first float.</summary>
    /// <exception cref="DarknetException">HeaderTooShort, NotAWeightsFile.</exception>
    public static WeightsHeader Read(Stream stream)
    {
        if (stream == null) throw new ArgumentNullException(nameof(stream));
        var bytes = new byte[20];
        int got = ReadUpTo(stream, bytes, 0, 12);
        CheckNotText(bytes, got);
        if (got < 12) throw TooShort(got, 16);

        int major = ReadInt32(bytes, 0);
        int minor = ReadInt32(bytes, 4);
        int revision = ReadInt32(bytes, 8);
        CheckPlausible(major, minor, revision);

        bool longSeen = HasLongSeen(major, minor);
        int seenSize = longSeen ? 8 : 4;
        int seenGot = ReadUpTo(stream, bytes, 12, seenSize);
        if (seenGot < seenSize) throw TooShort(12 + seenGot, 12 + seenSize);
        long seen = longSeen ? ReadInt64(bytes, 12) : ReadInt32(bytes, 12);
        return new WeightsHeader(major, minor, revision, seen);
    }

    public override string ToString() => $"version {VersionText}, seen {Seen}, {Size}-byte header";

    private static DarknetException TooShort(int got, int needed) =>
        new DarknetException(ErrorCodes.HeaderTooShort,
            $"the weights file is shorter than its header: it holds {got} byte{(got == 1 ? "" : "s")}, a .weights header needs {needed}");

    private static void CheckNotText(byte[] bytes, int count)
    {
        var start = Encoding.ASCII.GetString(bytes, 0, count).TrimStart('\uFEFF', ' ', '\t', '\r', '\n');
        if (start.StartsWith("<!DOCTYPE", StringComparison.OrdinalIgnoreCase)
            || start.StartsWith("<html", StringComparison.OrdinalIgnoreCase)
            || start.StartsWith("<!--", StringComparison.Ordinal))
            throw new DarknetException(ErrorCodes.NotAWeightsFile,
                "this is not a .weights file: it looks like an HTML page (a download that returned a web page instead of the file?)");
        if (start.StartsWith("<?xml", StringComparison.OrdinalIgnoreCase))
            throw new DarknetException(ErrorCodes.NotAWeightsFile, "this is not a .weights file: it looks like an XML document");
        if (start.StartsWith("{", StringComparison.Ordinal))
            throw new DarknetException(ErrorCodes.NotAWeightsFile, "this is not a .weights file: it looks like a JSON document");
    }

    private static void CheckPlausible(int major, int minor, int revision)
    {
        if (major < 0 || minor < 0 || revision < 0
            || major > MaxPlausibleVersion || minor > MaxPlausibleVersion || revision > MaxPlausibleVersion)
            throw new DarknetException(ErrorCodes.NotAWeightsFile,
                $"this is not a .weights file: its header says version {major}.{minor}.{revision}, which no darknet ever wrote");
    }

    private static int ReadUpTo(Stream stream, byte[] buffer, int offset, int count)
    {
        int total = 0;
        while (total < count)
        {
            int n = stream.Read(buffer, offset + total, count - total);
            if (n <= 0) break;
            total += n;
        }
        return total;
    }

    private static int ReadInt32(byte[] b, int at) => b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24);

    private static long ReadInt64(byte[] b, int at) => (uint)ReadInt32(b, at) | ((long)ReadInt32(b, at + 4) << 32);
}
