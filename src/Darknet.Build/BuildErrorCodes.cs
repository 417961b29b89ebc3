namespace Darknet.Build
{
    /// <summary>
    /// Error codes of the build side (DKN4xxx: cache and download; DKN5xxx: MSBuild task level).
    /// Thrown as <see cref="Darknet.Weights.DarknetException"/> with <c>.Code</c>; docs/errors-build.md lists cause and fix.
    /// Add codes, never renumber.
    /// </summary>
    public static class BuildErrorCodes
    {
        // cache and download (DKN4xxx)
        public const string HashMismatch = "DKN4001";
        public const string HttpStatus = "DKN4002";
        public const string HtmlPage = "DKN4003";
        public const string WrongSize = "DKN4004";
        public const string HttpRefused = "DKN4005";
        public const string OfflineMiss = "DKN4006";
        public const string LockTimeout = "DKN4007";
        public const string AllUrlsFailed = "DKN4008";
        public const string Cancelled = "DKN4009";
        public const string Stalled = "DKN4010";
        public const string NetworkError = "DKN4011";
        public const string CacheUnusable = "DKN4012";
        public const string NoUrls = "DKN4013";
        public const string BadUrl = "DKN4014";
    }
}
