namespace Darknet.Weights;

/// <summary>
/// The one registry of error codes (DKN1xxx: cfg and layout, DKN2xxx: weights and conversion, DKN3xxx: .npy/.npz reading,
/// DKN4xxx: cache and download), thrown as <see cref="DarknetException"/> with <c>.Code</c>. The MSBuild tasks' own
/// item-level codes (DKN5xxx) live beside the tasks, in <c>Darknet.Build</c>'s <c>TaskErrorCodes</c>. The README's error
/// table lists cause and fix of every code. Add codes, never renumber.
/// </summary>
internal static class ErrorCodes
{
    // cfg and layout
    public const string MalformedCfg = "DKN1001";
    public const string UnknownSection = "DKN1002";
    public const string BadRoute = "DKN1003";
    public const string BadSize = "DKN1004";
    public const string UnsupportedLayer = "DKN1005";
    public const string CfgNotFound = "DKN1006";
    /// <summary>An ONNX export of a recurrent network ([crnn]): darknet keeps its state from one image to the next.</summary>
    public const string RecurrentNotExportable = "DKN1007";
    /// <summary>A .names file that does not fit the network: a count other than its classes, or no text at all.</summary>
    public const string BadNames = "DKN1008";
    /// <summary>A .names file that does not exist or cannot be read: the cfg's companion, under the cfg's code.</summary>
    public const string NamesNotFound = CfgNotFound;

    // weights and conversion
    public const string HeaderTooShort = "DKN2001";
    public const string NotAWeightsFile = "DKN2002";
    public const string WeightsTooShort = "DKN2003";
    public const string LeftoverFloats = "DKN2004";
    public const string BadLayerLimit = "DKN2005";
    public const string WeightsNotFound = "DKN2006";
    public const string UnknownBuiltInModel = "DKN2007";
    public const string FileAccessFailed = "DKN2008";
    /// <summary>The command line is wrong (unknown option, missing or bad value): the CLI exits 2 with its usage.</summary>
    public const string BadCommandLine = "DKN2009";
    /// <summary>The disk (or quota) filled up while an output was written; the temp is gone, the target untouched.</summary>
    public const string DiskFull = "DKN2010";
    /// <summary><c>darknet convert</c>: the output names one of the inputs (any spelling, a symlink or hard link to it).</summary>
    public const string OutputIsAnInput = "DKN2011";
    /// <summary>The output exists and is not a regular file (a device, FIFO, socket or symlink): never renamed over.</summary>
    public const string OutputNotARegularFile = "DKN2012";
    /// <summary><c>darknet convert</c> stopped by Ctrl+C or SIGTERM; its temp was deleted.</summary>
    public const string Interrupted = "DKN2013";
    /// <summary>An ONNX export of a built-in file that is no runnable network (a partial backbone, a layer subset).</summary>
    public const string NoRunnableNetwork = "DKN2014";

    // .npy / .npz reading
    public const string NotNumpyFile = "DKN3001";
    public const string ForbiddenPickle = "DKN3002";
    public const string MalformedPickle = "DKN3003";
    public const string UnsupportedArray = "DKN3004";
    public const string NotLayerDictionary = "DKN3005";
    public const string NumpyFileUnreadable = "DKN3006";
    /// <summary>The arrays a file declares, or the data it builds, add up to more than the reader's cap (<c>ModelFileOptions.MaxTotalBytes</c>).</summary>
    public const string ArrayDataOverCap = "DKN3007";

    // cache and download
    public const string HashMismatch = "DKN4001";
    public const string HttpStatus = "DKN4002";
    public const string HtmlPage = "DKN4003";
    public const string WrongSize = "DKN4004";
    public const string HttpRefused = "DKN4005";
    public const string OfflineMiss = "DKN4006";
    public const string LockTimeout = "DKN4007";
    public const string AllUrlsFailed = "DKN4008";
    // DKN4009 (download cancelled) is retired: a cancelled build reports DKN5008. Never reuse it.
    public const string Stalled = "DKN4010";
    public const string NetworkError = "DKN4011";
    public const string CacheUnusable = "DKN4012";
    public const string NoUrls = "DKN4013";
    public const string BadUrl = "DKN4014";
    /// <summary>The disk filled up under a build (cache, conversion into it, obj/); the CLI's own writes say <see cref="DiskFull"/>.</summary>
    public const string CacheDiskFull = "DKN4015";
    public const string EntryNotAFile = "DKN4016";
    /// <summary>A cache file this build was writing (its temp, partial, entry or their directory) was removed by another process, twice.</summary>
    public const string EntryVanished = "DKN4017";
    // DKN4018-4019 unused; the download's codes start at DKN4020.
    public const string TooManyRedirects = "DKN4020";
    public const string RedirectDowngrade = "DKN4021";
    public const string CredentialVariableUnset = "DKN4022";
    /// <summary>A warning: a hand-placed cache file failed verification and was moved aside.</summary>
    public const string RejectedSeed = "DKN4023";
    // Private mirrors' credentials (DARKNET_MIRROR_TOKEN, .netrc).
    public const string AccessDenied = "DKN4024";
    public const string BadMirrorToken = "DKN4025";
}
