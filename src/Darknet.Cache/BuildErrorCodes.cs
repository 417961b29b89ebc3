namespace Darknet.Cache
{
    /// <summary>
    /// Error codes of the build side (DKN4xxx: cache and download; DKN5xxx: MSBuild task level).
    /// Thrown as <see cref="Darknet.Weights.DarknetException"/> with <c>.Code</c>; the README's error table lists cause and fix.
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
        // DKN4009 (download cancelled) is retired: a cancelled build reports DKN5008 (TaskCancelled). Never reuse it.
        public const string Stalled = "DKN4010";
        public const string NetworkError = "DKN4011";
        public const string CacheUnusable = "DKN4012";
        public const string NoUrls = "DKN4013";
        public const string BadUrl = "DKN4014";
        public const string DiskFull = "DKN4015";
        public const string EntryNotAFile = "DKN4016";
        // DKN4017-4019 unused; the download's codes start at DKN4020.
        public const string TooManyRedirects = "DKN4020";
        public const string RedirectDowngrade = "DKN4021";
        public const string CredentialVariableUnset = "DKN4022";
        /// <summary>A warning: a hand-placed cache file failed verification and was moved aside.</summary>
        public const string RejectedSeed = "DKN4023";

        // Private mirrors' credentials (DARKNET_MIRROR_TOKEN, .netrc); DKN4023 is a hand-placed file moved aside.
        public const string AccessDenied = "DKN4024";
        public const string BadMirrorToken = "DKN4025";

        // MSBuild task level (DKN5xxx): item metadata, resolution, placing files in obj/ (the README's item reference)
        public const string UnknownModel = "DKN5001";
        public const string NoWeightsSource = "DKN5002";
        public const string InvalidMetadata = "DKN5003";
        public const string ConflictingMetadata = "DKN5004";
        public const string LocalFileNotFound = "DKN5005";
        public const string DuplicateOutput = "DKN5006";
        public const string PlacingOutputFailed = "DKN5007";
        public const string TaskCancelled = "DKN5008";
        public const string Unexpected = "DKN5099";
    }
}
