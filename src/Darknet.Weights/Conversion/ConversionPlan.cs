using System;
using System.Collections.Generic;
using System.Globalization;
using Darknet.Weights.Layout;
using Darknet.Weights.Naming;

namespace Darknet.Weights;

/// <summary>
/// What a conversion will read, worked out before a byte of output exists: the blocks of floats of the weighted layers
/// (those of the first N when limited), their names, where each one's floats start in the file, and the total. It
/// also words the size errors.
/// </summary>
internal sealed class ConversionPlan
{
    private readonly long[] _starts;

    private ConversionPlan(NetworkLayout layout, IReadOnlyList<StoredBlock> blocks, IReadOnlyList<string> names, int? limit)
    {
        Layout = layout;
        Blocks = blocks;
        Names = names;
        LayerLimit = limit;
        _starts = new long[blocks.Count + 1];
        for (int i = 0; i < blocks.Count; i++) _starts[i + 1] = _starts[i] + blocks[i].FloatCount;
    }

    public NetworkLayout Layout { get; }

    /// <summary>The blocks converted, in file order: one output entry each.</summary>
    public IReadOnlyList<StoredBlock> Blocks { get; }

    /// <summary>One name per block.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>The layer limit asked for (weighted layers, not blocks), or null.</summary>
    public int? LayerLimit { get; }

    public long ExpectedFloats => _starts[Blocks.Count];

    public static ConversionPlan Create(NetworkLayout layout, int? layerLimit, IReadOnlyList<string>? layerNames)
    {
        if (layout == null) throw new ArgumentNullException(nameof(layout));
        var weighted = layout.WeightedLayers;
        int count = weighted.Count;
        if (layerLimit.HasValue)
        {
            if (layerLimit.Value < 1 || layerLimit.Value > weighted.Count)
                throw new DarknetException(ErrorCodes.BadLayerLimit,
                    $"--layers {layerLimit.Value}: this cfg has {weighted.Count} layers with weights, so the limit must be 1..{weighted.Count}");
            count = layerLimit.Value;
        }

        var blocks = new List<StoredBlock>();
        for (int i = 0; i < count; i++) blocks.AddRange(weighted[i].Stored);
        var names = layerNames ?? LayerNaming.NamesFor(layout);
        if (names.Count < blocks.Count)
            throw new ArgumentException($"{names.Count} layer names given for {blocks.Count} blocks of floats", nameof(layerNames));

        var taken = new string[blocks.Count];
        for (int i = 0; i < blocks.Count; i++) taken[i] = names[i];
        return new ConversionPlan(layout, blocks, taken, layerLimit);
    }

    /// <summary>Fails unless a stream of <paramref name="weightsLength"/> bytes (header included) holds exactly the floats needed.</summary>
    public void CheckLength(WeightsHeader header, long weightsLength)
    {
        long body = weightsLength - header.Size;
        long available = body / 4;
        int stray = (int)(body % 4);
        if (available < ExpectedFloats) throw TooShort(header, available, weightsLength);
        if (LayerLimit == null && (available > ExpectedFloats || stray != 0))
            throw Leftover(header, available - ExpectedFloats, stray, weightsLength);
    }

    /// <summary>The error for a file that ends after <paramref name="available"/> floats, naming the first layer that runs short.</summary>
    public DarknetException TooShort(WeightsHeader header, long available, long? weightsLength)
    {
        int i = 0;
        while (i < Blocks.Count - 1 && _starts[i + 1] <= available) i++;
        var block = Blocks[i];
        long missing = ExpectedFloats - available;
        var message = $"the weights file is too short: {Describe(i)} needs floats {N(_starts[i])} to {N(_starts[i + 1])} " +
                      $"({N(block.FloatCount)} floats), but the file holds only {N(available)} floats after its {header.Size}-byte header. " +
                      $"The cfg needs {N(ExpectedFloats)} floats{(LayerLimit.HasValue ? $" for its first {LayerLimit} layers with weights" : "")}; " +
                      $"{N(missing)} {(missing == 1 ? "is" : "are")} missing.";
        if (PointsAtHeaderMismatch(header, missing, weightsLength)) message += " " + HeaderHint(header);
        else message += " Is this the .weights file that belongs to this cfg?";
        return new DarknetException(ErrorCodes.WeightsTooShort, message);
    }

    public DarknetException Leftover(WeightsHeader header, long extraFloats, int strayBytes, long? weightsLength)
    {
        var extra = $"{N(extraFloats)} float{(extraFloats == 1 ? "" : "s")}" + (strayBytes != 0 ? $" and {strayBytes} stray byte{(strayBytes == 1 ? "" : "s")}" : "");
        var message = $"leftover floats: the cfg reads {N(ExpectedFloats)} floats after the {header.Size}-byte header, " +
                      $"but the weights file holds {extra} more.";
        if (strayBytes == 0 && PointsAtHeaderMismatch(header, -extraFloats, weightsLength)) message += " " + HeaderHint(header);
        else message += " Is this the .weights file that belongs to this cfg? (--layers N converts only the first N layers with weights, on purpose.)";
        return new DarknetException(ErrorCodes.LeftoverFloats, message);
    }

    private string Describe(int i)
    {
        var layer = Blocks[i].Layer;
        var where = layer.Line > 0 ? $" at cfg line {layer.Line}" : "";
        return $"layer {layer.Index} ([{SectionName(layer.Type)}]{where}, '{Names[i]}')";
    }

    /// <summary>One float too many or too few is exactly the 4-byte difference between the 20- and 16-byte headers.</summary>
    private bool PointsAtHeaderMismatch(WeightsHeader header, long missing, long? weightsLength)
    {
        if (weightsLength.HasValue)
        {
            int otherSize = header.Size == 20 ? 16 : 20;
            return weightsLength.Value - otherSize == ExpectedFloats * 4;
        }
        return missing == 1 || missing == -1;
    }

    private static string HeaderHint(WeightsHeader header)
    {
        int otherSize = header.Size == 20 ? 16 : 20;
        return $"The difference is exactly one float, which points at a header mismatch: version {header.VersionText} means a " +
               $"{header.Size}-byte header (seen as int{(header.Size == 20 ? 64 : 32)}), but the file's size fits a {otherSize}-byte one.";
    }

    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    internal static string SectionName(LayerType type) => Config.SectionNames.CanonicalName(type);
}
