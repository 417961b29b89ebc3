using System.Security.Cryptography;
using System.Text;

namespace Darknet.Cache
{
    /// <summary>
    /// The content key of a converted output:
    /// <c>ConvertedKey.Compute(string weightsSha256, string layoutFingerprint, string format, int? layerLimit, string converterVersion)</c>
    /// = SHA-256 (lower-case hex) over those five values, one per line. Same inputs, same key, on every machine.
    /// </summary>
    public static class ConvertedKey
    {
        public static string Compute(string weightsSha256, string layoutFingerprint, string format, int? layerLimit, string converterVersion)
        {
            var text = "darknet-converted-v1\n" +
                       weightsSha256.Trim().ToLowerInvariant() + "\n" +
                       layoutFingerprint + "\n" +
                       format.Trim().ToLowerInvariant() + "\n" +
                       (layerLimit.HasValue ? layerLimit.Value.ToString(System.Globalization.CultureInfo.InvariantCulture) : "all") + "\n" +
                       converterVersion + "\n";
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
}
