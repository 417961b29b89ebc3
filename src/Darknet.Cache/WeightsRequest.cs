using System;
using System.Collections.Generic;

namespace Darknet.Cache
{
    /// <summary>
    /// One weights file wanted in the machine cache: its file name, exact size, the hashes it must have, and where to get it.
    /// <para>
    /// <c>new WeightsRequest(string fileName, long size, IReadOnlyList&lt;string&gt; urls, string? sha256 = null, string? sha1 = null)</c>.
    /// Size is always checked; each hash that is given is checked (hex, any case). With a pinned <see cref="Sha256"/>
    /// the caller should pass <c>sha1: null</c> when the pin replaces a catalog hash.
    /// </para>
    /// </summary>
    public sealed class WeightsRequest
    {
        public WeightsRequest(string fileName, long size, IReadOnlyList<string> urls, string? sha256 = null, string? sha1 = null)
        {
            if (string.IsNullOrEmpty(fileName) || fileName.IndexOfAny(new[] { '/', '\\' }) >= 0 || fileName == "." || fileName == "..")
                throw new ArgumentException("A weights file name must be a plain file name: '" + fileName + "'.", nameof(fileName));
            if (size <= 0)
                throw new ArgumentOutOfRangeException(nameof(size), size, "A weights file has a positive size.");
            FileName = fileName;
            Size = size;
            Urls = urls ?? Array.Empty<string>();
            Sha256 = NormalizeHex(sha256, 64, nameof(sha256));
            Sha1 = NormalizeHex(sha1, 40, nameof(sha1));
        }

        /// <summary>
        /// A built-in model's file as the build asks for it (the CLI's <c>darknet fetch</c> asks the same, so it fills the
        /// entry an offline build uses): the catalog's name, size and URLs; a pinned SHA-256 replaces the catalog's hashes.
        /// </summary>
        internal static WeightsRequest ForBuiltIn(Darknet.Weights.Models.BuiltInModel model, string? pinnedSha256 = null, IReadOnlyList<string>? urls = null) =>
            new WeightsRequest(model.WeightsFileName, model.WeightsSize, urls ?? model.Urls,
                pinnedSha256 ?? model.Sha256, pinnedSha256 != null ? null : model.Sha1);

        public string FileName { get; }
        public long Size { get; }
        public IReadOnlyList<string> Urls { get; }

        /// <summary>Lower-case hex, or null when not pinned.</summary>
        public string? Sha256 { get; }

        /// <summary>Lower-case hex, or null when the catalog gives none.</summary>
        public string? Sha1 { get; }

        /// <summary>The size and every known hash, for messages: "248007048 bytes, SHA-1 520878f1…".</summary>
        public string Describe()
        {
            var text = Size + " bytes";
            if (Sha256 != null) text += ", SHA-256 " + Sha256;
            if (Sha1 != null) text += ", SHA-1 " + Sha1;
            if (Sha256 == null && Sha1 == null) text += ", no published hash";
            return text;
        }

        private static string? NormalizeHex(string? value, int length, string name)
        {
            if (string.IsNullOrWhiteSpace(value)) return null;
            var hex = value!.Trim().ToLowerInvariant();
            if (hex.Length != length)
                throw new ArgumentException("Expected " + length + " hex digits for " + name + ", got '" + value + "'.", name);
            foreach (var c in hex)
            {
                if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
                    throw new ArgumentException("Not a hex digest for " + name + ": '" + value + "'.", name);
            }
            return hex;
        }
    }
}
