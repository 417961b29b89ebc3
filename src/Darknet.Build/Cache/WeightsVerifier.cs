using Darknet.Weights;

namespace Darknet.Build.Cache
{
    /// <summary>
    /// Compares a file's measured size and hashes with a <see cref="WeightsRequest"/>:
    /// <c>DarknetException? WeightsVerifier.Check(WeightsRequest request, FileHashes actual, string source)</c>
    /// returns null when it matches, else a DKN4004 (wrong size) or DKN4001 (hash mismatch: expected, actual, source) error.
    /// </summary>
    public static class WeightsVerifier
    {
        public static DarknetException? Check(WeightsRequest request, FileHashes actual, string source)
        {
            if (actual.Size != request.Size)
                return WrongSize(request, actual.Size, source);
            if (request.Sha256 != null && request.Sha256 != actual.Sha256)
                return Mismatch(request, "SHA-256", request.Sha256, actual.Sha256, source);
            if (request.Sha1 != null && request.Sha1 != actual.Sha1)
                return Mismatch(request, "SHA-1", request.Sha1, actual.Sha1, source);
            return null;
        }

        public static DarknetException WrongSize(WeightsRequest request, long actualSize, string source) =>
            new DarknetException(BuildErrorCodes.WrongSize,
                request.FileName + " from " + source + " has the wrong size: expected " + request.Size +
                " bytes, got " + actualSize + " bytes. The file was refused.");

        private static DarknetException Mismatch(WeightsRequest request, string algorithm, string expected, string actual, string source) =>
            new DarknetException(BuildErrorCodes.HashMismatch,
                request.FileName + " from " + source + " has the wrong " + algorithm + ": expected " + expected +
                ", actual " + actual + ". The file was refused.");
    }
}
