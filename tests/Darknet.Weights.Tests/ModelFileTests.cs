using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Darknet.Weights.Tests.Numpy;
using Xunit;

namespace Darknet.Weights.Tests;

/// <summary>The public reader, as a user calls it: ModelFile, ModelLayer, BatchNorm, Float32Array.</summary>
public class ModelFileTests
{
    private static readonly List<LayerParameters> Sample = TestLayers.Sample();

    [Theory]
    [InlineData(nameof(OutputFormat.Npy), ".npy")]
    [InlineData(nameof(OutputFormat.Npz), ".npz")]
    public void Loads_a_path_and_a_stream_with_the_same_layers_in_file_order(string formatName, string extension)
    {
        var bytes = TestLayers.Write(Enum.Parse<OutputFormat>(formatName), Sample);
        var path = TestLayers.TempFile(extension);
        File.WriteAllBytes(path, bytes);
        try
        {
            foreach (var model in new[] { ModelFile.Load(path), ModelFile.Load(new MemoryStream(bytes)) })
            {
                Assert.Equal(Sample.Select(l => l.Name), model.Layers.Select(l => l.Name));
                for (int i = 0; i < Sample.Count; i++)
                {
                    SameValues(Sample[i].Weights, model.Layers[i].Weights);
                    SameValues(Sample[i].Biases, model.Layers[i].Biases);
                }
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_layer_is_found_by_name_and_batch_norm_by_parameter_name()
    {
        var model = ModelFile.Load(new MemoryStream(TestLayers.Write(OutputFormat.Npy, Sample)));

        var conv1 = model["conv_1"];
        Assert.Equal("conv_1", conv1.Name);
        Assert.Equal(new[] { 3, 3, 3, 4 }, conv1.Weights!.Shape);
        Assert.Equal("(3, 3, 3, 4)", conv1.Weights.ToString());
        Assert.Equal(108, conv1.Weights.Length);
        Assert.Null(conv1.Biases);
        // 'bn' = [gamma, beta, moving mean, moving variance], in that order.
        var expected = Sample[0].BatchNorm!;
        SameValues(expected[0], conv1.BatchNorm!.Gamma);
        SameValues(expected[1], conv1.BatchNorm.Beta);
        SameValues(expected[2], conv1.BatchNorm.MovingMean);
        SameValues(expected[3], conv1.BatchNorm.MovingVariance);
        Assert.Equal("(4,)", conv1.BatchNorm.Gamma.ToString());

        var conv2 = model["conv_2"];
        Assert.Null(conv2.BatchNorm);
        Assert.Equal(new[] { 5 }, conv2.Biases!.Shape);
        Assert.Null(model["batchnorm_3"].Weights);

        Assert.True(model.TryGetLayer("connected_4", out var connected));
        Assert.Equal(new[] { 7, 3 }, connected.Weights!.Shape);
        Assert.False(model.TryGetLayer("CONV_1", out var none));
        Assert.Null(none);
        var missing = Assert.Throws<KeyNotFoundException>(() => model["conv_99"]);
        Assert.Contains("'conv_99'", missing.Message);
        Assert.Contains("5 layers, 'conv_1' … 'conv_big'", missing.Message);
    }

    [Fact]
    public void Span_and_Memory_view_the_loaded_floats_without_copying()
    {
        var model = ModelFile.Load(new MemoryStream(TestLayers.Write(OutputFormat.Npy, Sample)));
        var weights = model["conv_big"].Weights!;

        Assert.True(MemoryMarshal.TryGetArray(weights.Memory, out var first));
        Assert.True(MemoryMarshal.TryGetArray(weights.Memory, out var second));
        Assert.Same(first.Array, second.Array);
        Assert.Equal(weights.Length, first.Count);
        Assert.True(Unsafe.AreSame(ref MemoryMarshal.GetReference(weights.Span), ref first.Array![0]));
        long before = GC.GetAllocatedBytesForCurrentThread();
        double sum = 0;
        for (int i = 0; i < 100; i++) sum += weights.Span[i] + weights.Memory.Span[i];
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1024, "reading the values allocated");
        Assert.False(double.IsNaN(sum));
    }

    [Fact]
    public void Shapes_and_layers_are_read_only()
    {
        var model = ModelFile.Load(new MemoryStream(TestLayers.Write(OutputFormat.Npy, Sample)));
        var shape = model["conv_1"].Weights!.Shape;

        Assert.Throws<NotSupportedException>(() => ((IList<int>)shape)[0] = 99);
        Assert.Throws<NotSupportedException>(() => ((IList<ModelLayer>)model.Layers).Clear());
        Assert.Equal(3, model["conv_1"].Weights!.Shape[0]);
    }

    [Fact]
    public void A_bad_file_is_a_DarknetException_with_its_code()
    {
        var notNumpy = Assert.Throws<DarknetException>(() => ModelFile.Load(new MemoryStream("<html></html>"u8.ToArray())));
        Assert.Equal("DKN3001", notNumpy.Code);
        var missing = Assert.Throws<DarknetException>(() => ModelFile.Load(Path.Combine(Path.GetTempPath(), Guid.NewGuid() + ".npy")));
        Assert.Equal("DKN3006", missing.Code);
        Assert.Throws<ArgumentNullException>(() => ModelFile.Load((string)null!));
        Assert.Throws<ArgumentNullException>(() => ModelFile.Load((Stream)null!));
    }

    /// <summary>The public surface is what PublicAPI.Shipped.txt lists (the analyzer pins members; this pins the types).</summary>
    [Fact]
    public void Only_the_reader_and_DarknetException_are_public()
    {
        var exported = typeof(ModelFile).Assembly.GetExportedTypes().Select(t => t.FullName).Order(StringComparer.Ordinal);
        Assert.Equal(new[]
        {
            "Darknet.Weights.BatchNorm", "Darknet.Weights.DarknetException", "Darknet.Weights.Float32Array",
            "Darknet.Weights.ModelFile", "Darknet.Weights.ModelFileOptions", "Darknet.Weights.ModelLayer",
        }, exported);
    }

    private static void SameValues(Tensor? expected, Float32Array? actual)
    {
        if (expected == null)
        {
            Assert.Null(actual);
            return;
        }
        Assert.NotNull(actual);
        Assert.Equal(expected.Shape, actual.Shape);
        Assert.Equal(MemoryMarshal.Cast<float, int>(expected.Data).ToArray(), MemoryMarshal.Cast<float, int>(actual.Span).ToArray());
    }
}
