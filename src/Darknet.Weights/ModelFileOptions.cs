namespace Darknet.Weights;

/// <summary>Limits for <see cref="ModelFile.Load(string, ModelFileOptions)"/>: how much a file may make the reader allocate.</summary>
public sealed class ModelFileOptions
{
    /// <summary>4 GiB: several times any darknet model's floats (yolov3's are 248 MB), far below what a hostile file can claim.</summary>
    public const long DefaultMaxTotalBytes = 4L << 30;

    /// <summary>
    /// The most float32 array data, in bytes summed over all arrays, one read may return. A .npz whose zip directory
    /// declares more is refused before any member is inflated; a .npy whose pickle builds more stops there. Either way
    /// the error is <see cref="ErrorCodes.ArrayDataOverCap"/> (DKN3007).
    /// </summary>
    public long MaxTotalBytes { get; set; } = DefaultMaxTotalBytes;
}
