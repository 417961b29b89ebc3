namespace Darknet.Build.Tasks;

/// <summary>
/// The MSBuild tasks' item-level codes (DKN5xxx: item metadata, resolution, placing files in obj/); every other code is
/// in Darknet.Weights' <c>ErrorCodes</c>. The README's error table lists cause and fix. Add codes, never renumber.
/// </summary>
internal static class TaskErrorCodes
{
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
