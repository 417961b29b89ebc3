using System.Linq;
using Darknet.Cache.Download;
using Darknet.Weights;

namespace Darknet.Cache;

/// <summary>
/// Compares a file's measured size and hashes with a <see cref="WeightsRequest"/>:
/// <c>DarknetException? WeightsVerifier.Check(WeightsRequest request, FileHashes actual, string source)</c>
/// returns null when it matches, else a DKN4004 (wrong size) or DKN4001 (hash mismatch: expected, actual, source) error.
/// The SHA-256 matches when it is any one of the request's accepted digests.
/// A SHA-1 is checked only where no SHA-256 is known (<see cref="ChecksSha1"/>): a matching SHA-256 already says which
/// file it is, so a download need not compute a SHA-1 too, and an entry recorded without one (downloaded under a pinned
/// SHA-256) serves a request that also carries the catalog's SHA-1.
/// </summary>
public static class WeightsVerifier
{
    public static DarknetException? Check(WeightsRequest request, FileHashes actual, string source)
    {
        if (actual.Size != request.Size)
            return WrongSize(request, actual.Size, source);
        if (request.AcceptedSha256.Count > 0 && !request.AcceptedSha256.Contains(actual.Sha256))
            return Mismatch(request, "SHA-256", request.AcceptedSha256Text, actual.Sha256, actual, source);
        if (ChecksSha1(request) && request.Sha1 != actual.Sha1)
            return Mismatch(request, "SHA-1", request.Sha1!, actual.Sha1, actual, source);
        return null;
    }

    /// <summary>Does <see cref="Check"/> compare a SHA-1 for this request (so its file's SHA-1 must be computed)?</summary>
    internal static bool ChecksSha1(WeightsRequest request) => request.Sha1 != null && request.AcceptedSha256.Count == 0;

    public static DarknetException WrongSize(WeightsRequest request, long actualSize, string source) =>
        new DarknetException(ErrorCodes.WrongSize,
            request.FileName + " from " + SafeUrl.Redact(source) + " has the wrong size: expected " + request.Size +
            " bytes, got " + actualSize + " bytes. The file was refused.");

    /// <summary>Always gives the SHA-256 of what arrived, ready to paste into the item's Sha256 (even when a SHA-1 was checked).</summary>
    private static DarknetException Mismatch(WeightsRequest request, string algorithm, string expected, string actual, FileHashes arrived, string source) =>
        new DarknetException(ErrorCodes.HashMismatch,
            request.FileName + " from " + SafeUrl.Redact(source) + " has the wrong " + algorithm + ": expected " + expected +
            ", actual " + actual + ". The file was refused. If this copy is the one you want (a private mirror's, a retrained file), " +
            "pin it on its item: Sha256=\"" + arrived.Sha256 + "\" (the SHA-256 of the " + arrived.Size + " bytes that arrived).");
}
