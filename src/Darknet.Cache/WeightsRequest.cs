using System;
using System.Collections.Generic;

namespace Darknet.Cache;

/// <summary>
/// One weights file wanted in the machine cache: its file name, exact size, the hashes it must have, and where to get it.
/// <para>
/// <c>new WeightsRequest(string fileName, long size, IReadOnlyList&lt;string&gt; urls, string? sha256 = null, string? sha1 = null)</c>
/// pins at most one SHA-256 (a user's Sha256); <c>new WeightsRequest(fileName, size, urls, IReadOnlyList&lt;string&gt;
/// acceptedSha256, sha1)</c> accepts a file matching any of several (a built-in whose file changed in place upstream).
/// Size is always checked; each hash that is given is checked (hex, any case). With a pinned SHA-256 the caller should
/// pass <c>sha1: null</c> when the pin replaces a catalog hash.
/// </para>
/// </summary>
public sealed class WeightsRequest
{
    public WeightsRequest(string fileName, long size, IReadOnlyList<string> urls, string? sha256 = null, string? sha1 = null)
        : this(fileName, size, urls, string.IsNullOrWhiteSpace(sha256) ? Array.Empty<string>() : new[] { sha256! }, sha1)
    {
    }

    public WeightsRequest(string fileName, long size, IReadOnlyList<string> urls, IReadOnlyList<string> acceptedSha256, string? sha1 = null)
    {
        if (string.IsNullOrEmpty(fileName) || fileName.IndexOfAny(new[] { '/', '\\' }) >= 0 || fileName == "." || fileName == "..")
            throw new ArgumentException("A weights file name must be a plain file name: '" + fileName + "'.", nameof(fileName));
        if (size <= 0)
            throw new ArgumentOutOfRangeException(nameof(size), size, "A weights file has a positive size.");
        FileName = fileName;
        Size = size;
        Urls = urls ?? Array.Empty<string>();
        var accepted = new List<string>();
        foreach (var digest in acceptedSha256 ?? Array.Empty<string>())
        {
            var hex = NormalizeHex(digest, 64, nameof(acceptedSha256))
                      ?? throw new ArgumentException("An accepted SHA-256 cannot be empty.", nameof(acceptedSha256));
            if (!accepted.Contains(hex)) accepted.Add(hex);
        }
        AcceptedSha256 = accepted;
        Sha1 = NormalizeHex(sha1, 40, nameof(sha1));
    }

    /// <summary>
    /// A built-in model's file as the build asks for it (the CLI's <c>darknet fetch</c> asks the same, so it fills the
    /// entry an offline build uses): the catalog's name, size, URLs and hashes; a pinned SHA-256 (the item's Sha256)
    /// replaces the catalog's hashes with exactly that one.
    /// </summary>
    internal static WeightsRequest ForBuiltIn(Darknet.Weights.Models.BuiltInModel model, string? pinnedSha256 = null, IReadOnlyList<string>? urls = null) =>
        string.IsNullOrWhiteSpace(pinnedSha256)
            ? new WeightsRequest(model.WeightsFileName, model.WeightsSize, urls ?? model.Urls, model.AcceptedSha256, model.Sha1)
            : new WeightsRequest(model.WeightsFileName, model.WeightsSize, urls ?? model.Urls, pinnedSha256, sha1: null);

    public string FileName { get; }
    public long Size { get; }
    public IReadOnlyList<string> Urls { get; }

    /// <summary>The SHA-256 digests a file may have (any one of them), lower-case hex; empty when none is pinned.</summary>
    public IReadOnlyList<string> AcceptedSha256 { get; }

    /// <summary>Lower-case hex, or null when the catalog gives none.</summary>
    public string? Sha1 { get; }

    /// <summary>The size and every known hash, for messages: "248007048 bytes, SHA-1 520878f1…".</summary>
    public string Describe()
    {
        var text = Size + " bytes";
        if (AcceptedSha256.Count > 0) text += ", SHA-256 " + AcceptedSha256Text;
        if (Sha1 != null) text += ", SHA-1 " + Sha1;
        if (AcceptedSha256.Count == 0 && Sha1 == null) text += ", no published hash";
        return text;
    }

    /// <summary>The accepted SHA-256 digests for messages: "a" or "a or b".</summary>
    internal string AcceptedSha256Text => string.Join(" or ", AcceptedSha256);

    private static string? NormalizeHex(string? value, int length, string name)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        return FileHashes.ParseHex(value!, length) ??
               throw new ArgumentException("Expected " + length + " hex digits for " + name + ", got '" + value + "'.", name);
    }
}
