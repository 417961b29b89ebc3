using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Diagnostics.CodeAnalysis;
using System.IO;
using Darknet.Weights.Numpy;

namespace Darknet.Weights
{
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
        private readonly Dictionary<string, ModelLayer> byName;

        private ModelFile(IReadOnlyList<LayerParameters> layers)
        {
            var list = new ModelLayer[layers.Count];
            byName = new Dictionary<string, ModelLayer>(layers.Count, StringComparer.Ordinal);
            for (int i = 0; i < list.Length; i++)
            {
                list[i] = new ModelLayer(layers[i]);
                byName[list[i].Name] = list[i];
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
            return byName.TryGetValue(name, out layer);
        }

        private string Describe()
        {
            if (Layers.Count == 0) return "no layers";
            var first = Layers[0].Name;
            var last = Layers[Layers.Count - 1].Name;
            return Layers.Count == 1 ? $"one layer, '{first}'" : $"{Layers.Count} layers, '{first}' … '{last}'";
        }
    }
}
