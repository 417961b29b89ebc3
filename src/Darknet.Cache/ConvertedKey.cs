using System.Security.Cryptography;
using System.Text;

namespace Darknet.Cache;

/// <summary>
/// The content key of a converted output:
/// <c>ConvertedKey.Compute(string weightsSha256, string layoutFingerprint, string format, int? layerLimit, string converterVersion, string? classNames)</c>
/// = SHA-256 (lower-case hex) over those values, one per line (the class names only when there are any, so the keys of
/// outputs without them stay what they were). Same inputs, same key, on every machine.
/// </summary>
public static class ConvertedKey
{
    /// <param name="classNames">The class names the output carries (an ONNX model's metadata), as their JSON array; null: none.</param>
    public static string Compute(string weightsSha256, string layoutFingerprint, string format, int? layerLimit, string converterVersion, string? classNames = null)
    {
        var text = "darknet-converted-v1\n" +
                   weightsSha256.Trim().ToLowerInvariant() + "\n" +
                   layoutFingerprint + "\n" +
                   format.Trim().ToLowerInvariant() + "\n" +
                   (layerLimit.HasValue ? layerLimit.Value.ToString(System.Globalization.CultureInfo.InvariantCulture) : "all") + "\n" +
                   converterVersion + "\n" +
                   (classNames != null ? "names:" + classNames + "\n" : "");
        using (var sha = SHA256.Create())
            return FileHashes.Hex(sha.ComputeHash(Encoding.UTF8.GetBytes(text)));
    }

    /// <summary>A layout fingerprint from cfg text: SHA-256 of it with line endings normalised.</summary>
    public static string FingerprintOfText(string text)
    {
        using (var sha = SHA256.Create())
            return FileHashes.Hex(sha.ComputeHash(Encoding.UTF8.GetBytes(text.Replace("\r\n", "\n"))));
    }
}
