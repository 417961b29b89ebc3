using System.Globalization;
using System.Text;

namespace Darknet.Weights.Tests.Fuzz;

/// <summary>
/// AFL's classic mutations over bytes (bit flips, random bytes, inserts, deletes, truncation, splices with another seed,
/// block copies, interesting integers in both byte orders, the format's tokens), stacked one to four deep; and for cfg text, line and number
/// edits that keep it looking like a cfg so the mutations reach the layout code, not only the parser.
/// </summary>
internal static class Mutator
{
    private static readonly long[] Interesting =
    {
        0, 1, 2, 3, 4, 7, 8, 16, 32, 64, 100, 127, 128, 255, 256, 1000, 1024, 4096, 32767, 32768, 65535, 65536,
        1 << 20, 1 << 24, 1 << 30, int.MaxValue, 1L << 31, uint.MaxValue, 1L << 32, 2_000_000_000, long.MaxValue,
        -1, -2, -128, -129, -32768, -65536, int.MinValue, long.MinValue,
    };

    /// <summary>Tokens of a format (AFL's dictionaries): inserted or written over the input, so mutations speak its grammar.</summary>
    public static readonly byte[][] PickleTokens = Tokens(
        "\x80\x02", "\x80\x05", "\x95\x10\x00\x00\x00\x00\x00\x00\x00", ".", "(", ")", "]", "}", "0", "1", "2", "N", "\x88", "\x89",
        "t", "l", "d", "a", "e", "s", "u", "b", "R", "\x85", "\x86", "\x87", "\x93", "\x94", "q\x00", "q\x01", "h\x00", "h\x01",
        "r\x00\x00\x00\x00", "j\x00\x00\x00\x00", "r\xff\xff\xff\xff", "K\x01", "K\x00", "J\xff\xff\xff\x7f", "M\xff\xff",
        "\x8a\x08\xff\xff\xff\xff\xff\xff\xff\x7f", "G\x3f\xf0\x00\x00\x00\x00\x00\x00", "X\x06\x00\x00\x00latin1",
        "\x8c\x01F", "\x8c\x01C", "\x8c\x02f4", "\x8c\x02O8", "\x8c\x01<", "\x8c\x01>", "C\x04\x00\x00\x80\x3f",
        "B\x00\x10\x00\x00", "\x8e\x00\x00\x00\x80\x00\x00\x00\x00", "\x96\x04\x00\x00\x00\x00\x00\x00\x00abcd",
        "cnumpy.core.multiarray\n_reconstruct\n", "cnumpy\nndarray\n", "cnumpy\ndtype\n", "c_codecs\nencode\n",
        "cnumpy.core.numeric\n_frombuffer\n", "c__builtin__\nbytes\n", "\x8c\x05numpy\x8c\x05dtype\x93", "U\x01a", "T\x01\x00\x00\x00a");

    public static readonly byte[][] NpyTokens = Tokens(
        "\x93NUMPY\x01\x00", "\x93NUMPY\x02\x00", "\x93NUMPY\x03\x00", "{", "}", "(", ")", ",", ":", "'", "\"", " ", "\n",
        "'descr'", "'<f4'", "'>f4'", "'|O'", "'<f8'", "'fortran_order'", "True", "False", "'shape'", "0", "1", "2147483647",
        "4294967296", "9999999999999999999", "(1,)", "()", "(0, 3)");

    public static readonly byte[][] ZipTokens = Tokens(
        "PK\x03\x04", "PK\x01\x02", "PK\x05\x06", "PK\x06\x06", "PK\x06\x07", "PK\x07\x08", "\x00\x00", "\x08\x00",
        "\x09\x00", "\x0c\x00", "\x0e\x00", "\x01\x00", "\xff\xff\xff\xff", "\x01\x00\x10\x00", "conv_1/weights.npy",
        "conv_1/gamma.npy", "../x.npy", "/", "\x93NUMPY\x01\x00", "'|O'", "'<f8'", "'shape': (1073741824,)");

    private static byte[][] Tokens(params string[] escaped) =>
        escaped.Select(t => System.Text.RegularExpressions.Regex.Unescape(t).Select(c => (byte)c).ToArray()).ToArray();

    public static byte[] Mutate(Random r, byte[] input, IReadOnlyList<byte[]> pool, List<string> log, byte[][]? tokens = null)
    {
        var data = input;
        int steps = 1 + r.Next(4);
        for (int s = 0; s < steps; s++) data = MutateOnce(r, data, pool, log, tokens);
        return data;
    }

    private static byte[] MutateOnce(Random r, byte[] data, IReadOnlyList<byte[]> pool, List<string> log, byte[][]? tokens)
    {
        int n = data.Length;
        int op = r.Next(tokens == null ? 10 : 12);
        if (op >= 10)
        {
            var token = tokens![r.Next(tokens.Length)];
            int at = r.Next(n + 1);
            if (op == 10 || at + token.Length > n)
            {
                log.Add($"token-insert{token.Length}@{at}");
                return Concat(data.AsSpan(0, at), token, data.AsSpan(at));
            }
            var d = (byte[])data.Clone();
            token.CopyTo(d, at);
            log.Add($"token-over{token.Length}@{at}");
            return d;
        }
        switch (op)
        {
            case 0:
            case 1:
            {
                if (n == 0) goto case 3;
                var d = (byte[])data.Clone();
                int flips = 1 + r.Next(8);
                for (int k = 0; k < flips; k++) d[r.Next(n)] ^= (byte)(1 << r.Next(8));
                log.Add($"flip{flips}");
                return d;
            }
            case 2:
            {
                if (n == 0) goto case 3;
                var d = (byte[])data.Clone();
                int at = r.Next(n);
                d[at] = (byte)r.Next(256);
                log.Add($"byte@{at}");
                return d;
            }
            case 3:
            {
                int at = r.Next(n + 1), count = 1 + (r.Next(4) == 0 ? r.Next(4096) : r.Next(16));
                var inserted = new byte[count];
                if (r.Next(2) == 0) r.NextBytes(inserted);
                else Array.Fill(inserted, n > 0 ? data[r.Next(n)] : (byte)r.Next(256)); // a run of one byte: an opcode repeated
                log.Add($"insert{count}@{at}");
                return Concat(data.AsSpan(0, at), inserted, data.AsSpan(at));
            }
            case 4:
            {
                if (n < 2) goto case 3;
                int at = r.Next(n), count = 1 + r.Next(Math.Min(n - at, r.Next(4) == 0 ? 512 : 16));
                log.Add($"delete{count}@{at}");
                return Concat(data.AsSpan(0, at), data.AsSpan(at + count));
            }
            case 5:
            {
                int at = r.Next(n + 1);
                log.Add($"truncate@{at}");
                return data.AsSpan(0, at).ToArray();
            }
            case 6:
            {
                var other = pool[r.Next(pool.Count)];
                int at = r.Next(n + 1), from = r.Next(other.Length + 1);
                log.Add($"splice@{at}+{from}");
                return Concat(data.AsSpan(0, at), other.AsSpan(from));
            }
            case 7:
            {
                if (n < 2) goto case 3;
                int from = r.Next(n), count = 1 + r.Next(Math.Min(n - from, 256)), to = r.Next(n + 1);
                log.Add($"copy{count}@{from}->{to}");
                return Concat(data.AsSpan(0, to), data.AsSpan(from, count), data.AsSpan(to));
            }
            default:
            {
                int width = new[] { 1, 2, 4, 8 }[r.Next(4)];
                if (n < width) goto case 3;
                var d = (byte[])data.Clone();
                int at = r.Next(n - width + 1);
                long value = Interesting[r.Next(Interesting.Length)];
                bool bigEndian = r.Next(4) == 0;
                for (int k = 0; k < width; k++) d[at + (bigEndian ? width - 1 - k : k)] = (byte)(value >> (8 * k));
                log.Add($"int{width * 8}{(bigEndian ? "be" : "le")}={value}@{at}");
                return d;
            }
        }
    }

    private static readonly string[] CfgLines =
    {
        "[net]", "[convolutional]", "[conv]", "[connected]", "[deconvolutional]", "[batchnorm]", "[route]", "[shortcut]",
        "[upsample]", "[maxpool]", "[avgpool]", "[reorg]", "[yolo]", "[region]", "[detection]", "[softmax]", "[cost]",
        "[dropout]", "[local]", "[rnn]", "batch_normalize=1", "pad=1", "padding=3", "groups=2", "groups=0", "stride=-2",
        "reverse=1", "layers=-1,-4", "layers=0", "layers=-1000", "from=-3", "from=2", "size=0", "dontload=1", "numload=3",
        "dilation=2", "weights_type=per_feature", "stride_x=2", "activation=leaky", "output=0", "filters=-1", "width=0",
        "channels=1048577", "height=1048576", "# comment", "; comment", "key", "=value", "[]", "[net", "size=3 # 5",
    };

    public static string MutateCfg(Random r, string text, IReadOnlyList<string> pool, List<string> log)
    {
        var lines = text.Split('\n').ToList();
        int steps = 1 + r.Next(4);
        for (int s = 0; s < steps; s++)
        {
            switch (r.Next(7))
            {
                case 0:
                case 1:
                {
                    // a number replaced by an interesting one, as decimal text
                    int at = r.Next(lines.Count);
                    var line = lines[at];
                    int eq = line.IndexOf('=');
                    if (eq < 0) goto case 2;
                    var value = Interesting[r.Next(Interesting.Length)].ToString(CultureInfo.InvariantCulture);
                    var parts = line.Substring(eq + 1).Split(',');
                    parts[r.Next(parts.Length)] = value;
                    lines[at] = line.Substring(0, eq + 1) + string.Join(",", parts);
                    log.Add($"number@{at}={value}");
                    break;
                }
                case 2:
                {
                    int at = r.Next(lines.Count + 1);
                    var line = CfgLines[r.Next(CfgLines.Length)];
                    lines.Insert(at, line);
                    log.Add($"line@{at}:{line}");
                    break;
                }
                case 3:
                    if (lines.Count > 1)
                    {
                        int at = r.Next(lines.Count);
                        lines.RemoveAt(at);
                        log.Add($"delete-line@{at}");
                    }
                    break;
                case 4:
                {
                    // a block of lines repeated: more layers of the same kind
                    int from = r.Next(lines.Count), count = 1 + r.Next(Math.Min(lines.Count - from, 8)), times = 1 + r.Next(r.Next(8) == 0 ? 200 : 4);
                    var block = lines.GetRange(from, count);
                    for (int k = 0; k < times; k++) lines.InsertRange(from, block);
                    log.Add($"repeat{count}x{times}@{from}");
                    break;
                }
                case 5:
                {
                    var other = pool[r.Next(pool.Count)].Split('\n');
                    int at = r.Next(lines.Count + 1), from = r.Next(other.Length);
                    lines = lines.Take(at).Concat(other.Skip(from)).ToList();
                    log.Add($"splice-lines@{at}+{from}");
                    break;
                }
                default:
                {
                    var bytes = Mutate(r, Encoding.UTF8.GetBytes(string.Join("\n", lines)), pool.Select(p => Encoding.UTF8.GetBytes(p)).ToArray(), log);
                    lines = Encoding.UTF8.GetString(bytes).Split('\n').ToList();
                    break;
                }
            }
        }
        return string.Join("\n", lines);
    }

    private static byte[] Concat(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b) => Concat(a, b, ReadOnlySpan<byte>.Empty);

    private static byte[] Concat(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, ReadOnlySpan<byte> c)
    {
        var result = new byte[a.Length + b.Length + c.Length];
        a.CopyTo(result);
        b.CopyTo(result.AsSpan(a.Length));
        c.CopyTo(result.AsSpan(a.Length + b.Length));
        return result;
    }
}
