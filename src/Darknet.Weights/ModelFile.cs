using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Diagnostics.CodeAnalysis;
using System.IO;
using System.Reflection;
using Darknet.Weights.Numpy;

namespace Darknet.Weights;

/// <summary>
/// A converted model read back from its <c>.npy</c> dictionary or <c>.npz</c> file: its layers in file order, each
/// found by name. The file is checked as it is read; nothing in it ever runs.
/// </summary>
/// <example>
/// <code>
/// var model = ModelFile.Load(Path.Combine(AppContext.BaseDirectory, "yolov3.npy"));
/// var conv1 = model["conv_1"];
/// ReadOnlySpan&lt;float&gt; gamma = conv1.BatchNorm!.Gamma.Span;
/// </code>
/// </example>
public sealed class ModelFile
{
    private readonly Dictionary<string, ModelLayer> _byName;

    // The assembly whose image the arrays may view (Load(Assembly, string)): each view holds it too, this says so here.
    private readonly Assembly? _resourceOwner;

    private ModelFile(IReadOnlyList<LayerParameters> layers, Assembly? resourceOwner = null)
    {
        _resourceOwner = resourceOwner;
        var list = new ModelLayer[layers.Count];
        _byName = new Dictionary<string, ModelLayer>(layers.Count, StringComparer.Ordinal);
        for (int i = 0; i < list.Length; i++)
        {
            list[i] = new ModelLayer(layers[i]);
            _byName[list[i].Name] = list[i];
        }
        Layers = new ReadOnlyCollection<ModelLayer>(list);
    }

    /// <summary>Reads a <c>.npy</c> or <c>.npz</c> file (told apart by its first bytes, not by its extension).</summary>
    /// <param name="path">The file to read.</param>
    /// <returns>The model, with every float in memory.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> is null.</exception>
    /// <exception cref="DarknetException">
    /// The file cannot be opened (DKN3006) or is not a dictionary of float32 layers (DKN3001–DKN3005); see
    /// <see cref="DarknetException.Code"/>.
    /// </exception>
    public static ModelFile Load(string path) => Load(path, null);

    /// <summary>Reads a <c>.npy</c> or <c>.npz</c> file within the limits of <paramref name="options"/>.</summary>
    /// <param name="path">The file to read.</param>
    /// <param name="options">Limits such as <see cref="ModelFileOptions.MaxTotalBytes"/>; null for the defaults.</param>
    /// <returns>The model, with every float in memory.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> is null.</exception>
    /// <exception cref="DarknetException">As <see cref="Load(string)"/>, and DKN3007 when the arrays exceed the limit.</exception>
    public static ModelFile Load(string path, ModelFileOptions? options) => new ModelFile(ModelFileReader.ReadFile(path, options));

    /// <summary>
    /// Reads a <c>.npy</c> or <c>.npz</c> from a stream, for example an embedded resource
    /// (<c>Assembly.GetManifestResourceStream("yolov3.npy")</c>). The stream is read to its end and not disposed.
    /// Every float is copied out of it, whatever the stream; for an embedded resource,
    /// <see cref="Load(Assembly, string)"/> avoids that copy.
    /// </summary>
    /// <param name="stream">A readable stream positioned at the file's first byte.</param>
    /// <returns>The model, with every float in memory.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> is null.</exception>
    /// <exception cref="DarknetException">The content is not a dictionary of float32 layers (DKN3001–DKN3005).</exception>
    public static ModelFile Load(Stream stream) => Load(stream, null);

    /// <summary>Reads a <c>.npy</c> or <c>.npz</c> from a stream within the limits of <paramref name="options"/>.</summary>
    /// <param name="stream">A readable stream positioned at the file's first byte.</param>
    /// <param name="options">Limits such as <see cref="ModelFileOptions.MaxTotalBytes"/>; null for the defaults.</param>
    /// <returns>The model, with every float in memory.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> is null.</exception>
    /// <exception cref="DarknetException">As <see cref="Load(Stream)"/>, and DKN3007 when the arrays exceed the limit.</exception>
    public static ModelFile Load(Stream stream, ModelFileOptions? options) =>
        new ModelFile(ModelFileReader.Read(stream ?? throw new ArgumentNullException(nameof(stream)), "the stream", options));

    /// <summary>
    /// Reads an embedded resource, such as the <c>yolov3.npy</c> that <c>As="EmbeddedResource"</c> embeds, without
    /// copying its floats: the arrays of a <c>.npy</c>, a <c>.safetensors</c> file and the stored members of a
    /// <c>.npz</c> (<c>np.savez</c>, and what the converter writes) view the resource where it lies in the assembly's
    /// image, which the runtime keeps mapped while the assembly is loaded; only the pages of it that are read come into
    /// memory, and they are not held twice. The file is parsed and checked exactly as <see cref="Load(Stream)"/> does
    /// before any array is made. Arrays are copied instead where they must be: members of a compressed <c>.npz</c>
    /// (<c>np.savez_compressed</c>), big-endian or Fortran-order arrays, small arrays (under 4 KiB in a <c>.npy</c>),
    /// arrays of a <c>.npy</c> pickled at protocol 2 (its bytes are spelt as text; <c>np.save</c> uses protocol 3),
    /// an assembly whose resources are not in memory (one from <c>AssemblyBuilder</c>, say), a big-endian machine, and
    /// an array not 4-byte aligned on a processor other than x86, x64 and arm64.
    /// </summary>
    /// <remarks>
    /// The model and every <see cref="Float32Array"/> of it hold <paramref name="assembly"/>, so a collectible
    /// <c>AssemblyLoadContext</c> cannot unload the image while any of them (or a <see cref="Float32Array.Memory"/>)
    /// is reachable; a <see cref="Float32Array.Span"/> does not hold it, so keep the array alive while you use a span
    /// of it. The memory is read-only.
    /// </remarks>
    /// <param name="assembly">The assembly the resource is embedded in, such as <c>typeof(Program).Assembly</c>.</param>
    /// <param name="resourceName">The manifest resource name (case-sensitive): the file name, or the item's <c>LogicalName</c>.</param>
    /// <returns>The model; its arrays view the resource where they can.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="assembly"/> or <paramref name="resourceName"/> is null.</exception>
    /// <exception cref="DarknetException">
    /// The assembly has no such resource (DKN3006, listing the names it has) or it is not a dictionary of float32 layers
    /// (DKN3001–DKN3005); see <see cref="DarknetException.Code"/>.
    /// </exception>
    public static ModelFile Load(Assembly assembly, string resourceName) => Load(assembly, resourceName, null);

    /// <summary>Reads an embedded resource as <see cref="Load(Assembly, string)"/> does, within the limits of <paramref name="options"/>.</summary>
    /// <param name="assembly">The assembly the resource is embedded in, such as <c>typeof(Program).Assembly</c>.</param>
    /// <param name="resourceName">The manifest resource name (case-sensitive): the file name, or the item's <c>LogicalName</c>.</param>
    /// <param name="options">Limits such as <see cref="ModelFileOptions.MaxTotalBytes"/> (they count viewed arrays too); null for the defaults.</param>
    /// <returns>The model; its arrays view the resource where they can.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="assembly"/> or <paramref name="resourceName"/> is null.</exception>
    /// <exception cref="DarknetException">As <see cref="Load(Assembly, string)"/>, and DKN3007 when the arrays exceed the limit.</exception>
    public static ModelFile Load(Assembly assembly, string resourceName, ModelFileOptions? options) =>
        new ModelFile(ModelFileReader.ReadResource(assembly, resourceName, options), assembly);

    /// <summary>Every layer, in the order of the file (darknet's order of the weighted layers).</summary>
    public IReadOnlyList<ModelLayer> Layers { get; }

    /// <summary>The layer called <paramref name="name"/> (exact, case-sensitive), such as <c>"conv_1"</c>.</summary>
    /// <param name="name">The layer's name.</param>
    /// <exception cref="KeyNotFoundException">No layer has that name.</exception>
    public ModelLayer this[string name]
    {
        get
        {
            if (TryGetLayer(name, out var layer)) return layer;
            throw new KeyNotFoundException($"no layer '{name}' in this model; it has {Describe()}");
        }
    }

    /// <summary>Finds the layer called <paramref name="name"/> (exact, case-sensitive).</summary>
    /// <param name="name">The layer's name.</param>
    /// <param name="layer">The layer, or null when there is none of that name.</param>
    /// <returns>Whether the model has that layer.</returns>
    public bool TryGetLayer(string name, [NotNullWhen(true)] out ModelLayer? layer)
    {
        if (name == null) throw new ArgumentNullException(nameof(name));
        return _byName.TryGetValue(name, out layer);
    }

    private string Describe()
    {
        if (Layers.Count == 0) return "no layers";
        var first = Layers[0].Name;
        var last = Layers[Layers.Count - 1].Name;
        return Layers.Count == 1 ? $"one layer, '{first}'" : $"{Layers.Count} layers, '{first}' … '{last}'";
    }
}
