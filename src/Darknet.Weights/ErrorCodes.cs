namespace Darknet.Weights
{
    /// <summary>
    /// The library's error codes (DKN1xxx: cfg and layout, DKN2xxx: weights and conversion, DKN3xxx: .npy/.npz reading).
    /// DKN4xxx and up belong to the MSBuild task. The README's error table lists every code.
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
    }
}
