using System.Buffers;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Darknet.Weights.Tests.Numpy;
using Xunit;
using Darknet.Testing;
using PythonNumpy = Darknet.Testing.Numpy;

namespace Darknet.Weights.Tests.Embedded;

/// <summary>
/// ModelFile.Load(Assembly, name): a model embedded in a real assembly, loaded from its file, whose arrays view the
/// resource in the mapped image instead of copying it. Every float is compared with Load(path) and with numpy.
/// </summary>
public sealed class EmbeddedModelTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "darknet-embedded-tests", Guid.NewGuid().ToString("N"));

    public EmbeddedModelTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData(nameof(OutputFormat.Npy), ".npy")]
    [InlineData(nameof(OutputFormat.Npz), ".npz")]
    [InlineData(nameof(OutputFormat.Safetensors), ".safetensors")]
    public void What_the_converter_writes_is_viewed_in_place_with_the_same_floats_as_from_the_file(string formatName, string extension)
    {
        var bytes = Write(Enum.Parse<OutputFormat>(formatName), TestLayers.Sample());
        var file = Path.Combine(_dir, "model" + extension);
        File.WriteAllBytes(file, bytes);
        var (assembly, _) = ResourceAssembly.LoadCollectible(ResourceAssembly.Write(_dir, "Converted" + formatName, ("Models/model" + extension, bytes)));

        var embedded = ModelFile.Load(assembly, "Models/model" + extension);

        AssertSameModel(ModelFile.Load(file), embedded);
        // the large arrays are views of the resource's memory, not arrays
        var (start, length) = ResourceMemory(assembly, "Models/model" + extension);
        var weights = embedded["conv_big"].Weights!;
        Assert.False(MemoryMarshal.TryGetArray(weights.Memory, out _), "conv_big's weights were copied");
        Assert.True(MemoryMarshal.TryGetMemoryManager<float, MemoryManager<float>>(weights.Memory, out _));
        Assert.True(Inside(weights, start, length), "conv_big's weights do not lie in the resource");
        Assert.Equal(ModelFile.Load(file)["conv_big"].Weights!.Span.ToArray(), weights.Span.ToArray());
    }

    [SkippableFact]
    public void A_converted_npy_embedded_reads_as_numpy_reads_the_file_every_float_even_unaligned()
    {
        var bytes = TestLayers.Write(OutputFormat.Npy, TestLayers.Sample());
        var file = Path.Combine(_dir, "model.npy");
        File.WriteAllBytes(file, bytes);
        var (assembly, _) = ResourceAssembly.LoadCollectible(ResourceAssembly.Write(_dir, "NumpyCheck", ("model.npy", bytes)));
        var model = ModelFile.Load(assembly, "model.npy");

        // numpy writes every array of the file in the order the reader gives them: layer order; weights, biases, bn
        var dump = Path.Combine(_dir, "numpy.bin");
        PythonNumpy.RunScript("""
            import sys, numpy as np
            d = np.load(sys.argv[1], allow_pickle=True).item()
            with open(sys.argv[2], 'wb') as f:
                for name, layer in d.items():
                    f.write(name.encode() + b'\n')
                    for a in [layer.get('weights'), layer.get('biases')] + list(layer.get('bn', [])):
                        if a is not None:
                            f.write(np.ascontiguousarray(a, dtype='<f4').tobytes())
            """, file, dump);
        var ours = new MemoryStream();
        bool unaligned = false;
        foreach (var layer in model.Layers)
        {
            ours.Write(System.Text.Encoding.UTF8.GetBytes(layer.Name + "\n"));
            foreach (var array in Arrays(layer))
            {
                ours.Write(MemoryMarshal.AsBytes(array.Span));
                unaligned |= !MemoryMarshal.TryGetArray(array.Memory, out _) && Address(array) % 4 != 0;
            }
        }
        Assert.Equal(File.ReadAllBytes(dump), ours.ToArray());
        if (RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.Arm64)
            Assert.True(unaligned, "no view at an unaligned address: this test no longer covers unaligned reads");
    }

    [SkippableFact]
    public void Every_file_numpy_writes_reads_the_same_embedded_including_the_arrays_that_must_be_copied()
    {
        // The numpy files of ReadsWhatNumpyWroteTests (np.save at protocols 2 to 5, Python 2 strings, np.savez,
        // np.savez_compressed; a Fortran-order and a big-endian array), plus large Fortran and big-endian arrays.
        Assert.StartsWith("ok", PythonNumpy.RunScript(ReadsWhatNumpyWroteTests.WriteFiles + """
            big = {'fortran_big': {'weights': np.asfortranarray(values(30, (3, 3, 32, 64))), 'biases': values(31, (64,))},
                   'bigendian_big': {'weights': values(32, (3, 3, 32, 64)).astype('>f4'), 'biases': values(33, (64,)).astype('>f4')}}
            np.save(os.path.join(out, 'big.npy'), big)
            np.savez(os.path.join(out, 'big.npz'), **{k + '/' + a: v for k, layer in big.items() for a, v in layer.items()})
            print('ok')
            """, _dir));
        var names = new[] { "numpy_save.npy", "protocol2.npy", "protocol4.npy", "protocol5.npy", "python2_style.npy", "numpy2_names.npy", "savez.npz", "savez_compressed.npz", "big.npy", "big.npz" };
        var (assembly, _) = ResourceAssembly.LoadCollectible(ResourceAssembly.Write(_dir, "NumpyWrote",
            names.Select(n => (n, File.ReadAllBytes(Path.Combine(_dir, n)))).ToArray()));
        foreach (var name in names)
        {
            var embedded = ModelFile.Load(assembly, name);
            AssertSameModel(ModelFile.Load(Path.Combine(_dir, name)), embedded);
            if (!name.StartsWith("big", StringComparison.Ordinal))
                ReaderRoundTripTests.AssertSameLayers(ReadsWhatNumpyWroteTests.Expected(), Darknet.Weights.Numpy.ModelFileReader.ReadResource(assembly, name));
        }
        var big = ModelFile.Load(assembly, "big.npy");
        Assert.Equal(TestLayers.Values(30, 3, 3, 32, 64).Data, big["fortran_big"].Weights!.Span.ToArray());
        Assert.Equal(TestLayers.Values(32, 3, 3, 32, 64).Data, big["bigendian_big"].Weights!.Span.ToArray());
        Assert.True(MemoryMarshal.TryGetArray(big["fortran_big"].Weights!.Memory, out _), "a Fortran-order array is reordered into a copy");
        Assert.True(MemoryMarshal.TryGetArray(big["bigendian_big"].Weights!.Memory, out _), "a big-endian array is swapped into a copy");
        Assert.False(MemoryMarshal.TryGetArray(ModelFile.Load(assembly, "savez.npz")["conv_big"].Weights!.Memory, out _), "a stored .npz member is viewed");
        Assert.True(MemoryMarshal.TryGetArray(ModelFile.Load(assembly, "savez_compressed.npz")["conv_big"].Weights!.Memory, out _), "a deflated member is inflated into a copy");
    }

    [Fact]
    public void The_resources_this_test_assembly_embeds_at_build_time_read_as_from_their_stream()
    {
        var assembly = typeof(EmbeddedModelTests).Assembly;
        var names = assembly.GetManifestResourceNames().Where(n => n.StartsWith("FuzzSeeds/dict-", StringComparison.Ordinal) || n.StartsWith("FuzzSeeds/layers-", StringComparison.Ordinal)).ToArray();
        Assert.Equal(7, names.Length);
        foreach (var name in names)
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            AssertSameModel(ModelFile.Load(stream), ModelFile.Load(assembly, name));
        }
    }

    [Fact]
    public void The_arrays_hold_the_assembly_so_its_image_stays_mapped_until_they_are_gone()
    {
        var bytes = TestLayers.Write(OutputFormat.Npy, TestLayers.Sample());
        var path = ResourceAssembly.Write(_dir, "Lifetime", ("model.npy", bytes));
        var expected = ModelFile.Load(new MemoryStream(bytes));

        var context = KeepOnlyAnArrayThroughCollections(path, expected["conv_big"].Weights!.Span.ToArray());

        // now nothing holds it: the context unloads (the arrays held nothing else alive)
        for (int i = 0; i < 20 && context.IsAlive; i++) Collect();
        Assert.False(context.IsAlive, "the context stayed loaded after the arrays were gone: something else holds it");
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference KeepOnlyAnArrayThroughCollections(string path, float[] expected)
    {
        var (weights, context) = LoadAndDropEverythingButOneArray(path);
        for (int i = 0; i < 5 && context.IsAlive; i++) Collect();

        // the context was asked to unload and nothing but the array references the assembly: it must still be there
        Assert.True(context.IsAlive, "the context unloaded while an array of its resource was reachable");
        Assert.Equal(expected, weights.Span.ToArray());
        GC.KeepAlive(weights);
        return context;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static (Float32Array Weights, WeakReference Context) LoadAndDropEverythingButOneArray(string path)
    {
        var (assembly, context) = ResourceAssembly.LoadCollectible(path);
        var weights = ModelFile.Load(assembly, "model.npy")["conv_big"].Weights!;
        Assert.False(MemoryMarshal.TryGetArray(weights.Memory, out _));
        return (weights, context);
    }

    private static void Collect()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }

    [Fact]
    public void A_stream_the_caller_passes_is_always_copied_even_a_resource_stream()
    {
        var (assembly, _) = ResourceAssembly.LoadCollectible(ResourceAssembly.Write(_dir, "CallerStream", ("model.npy", TestLayers.Write(OutputFormat.Npy, TestLayers.Sample()))));
        ModelFile model;
        using (var stream = assembly.GetManifestResourceStream("model.npy")!)
        {
            Assert.IsAssignableFrom<UnmanagedMemoryStream>(stream);
            model = ModelFile.Load(stream);
        }
        Assert.True(MemoryMarshal.TryGetArray(model["conv_big"].Weights!.Memory, out _));
    }

    [Fact]
    public void Loading_an_embedded_18_MiB_array_allocates_almost_nothing()
    {
        var layer = new LayerParameters("conv_big", TestLayers.Values(1, 3, 3, 512, 1024), null, null);
        var (assembly, _) = ResourceAssembly.LoadCollectible(ResourceAssembly.Write(_dir, "Allocation",
            ("model.npy", TestLayers.Write(OutputFormat.Npy, new[] { layer })), ("model.safetensors", Write(OutputFormat.Safetensors, new[] { layer })),
            ("model.npz", TestLayers.Write(OutputFormat.Npz, new[] { layer }))));
        foreach (var name in new[] { "model.npy", "model.safetensors", "model.npz" })
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            var model = ModelFile.Load(assembly, name);
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.True(allocated < 1 << 20, $"{name}: loading 18 MiB of floats allocated {allocated:N0} bytes");
            Assert.Equal(layer.Weights!.Data, model["conv_big"].Weights!.Span.ToArray());
        }
    }

    [Fact]
    public void A_damaged_or_missing_resource_gets_its_DKN3xxx_error()
    {
        var good = TestLayers.Write(OutputFormat.Npy, TestLayers.Sample());
        var truncated = good.AsSpan(0, good.Length - 100_000).ToArray(); // cut inside conv_big's weights (691 KB): no view past the end
        // the first global the pickle names (numpy's _reconstruct) becomes another of the same length: refused, not looked up
        var at = good.AsSpan().IndexOf("_reconstruct"u8);
        Assert.True(at >= 0, "the converter's .npy names numpy's _reconstruct");
        var hostile = good.ToArray();
        "os_system___"u8.CopyTo(hostile.AsSpan(at));
        var npz = TestLayers.Write(OutputFormat.Npz, TestLayers.Sample());
        var (assembly, _) = ResourceAssembly.LoadCollectible(ResourceAssembly.Write(_dir, "Damaged",
            ("truncated.npy", truncated), ("page.npy", "<html></html>"u8.ToArray()), ("hostile.npy", hostile),
            ("truncated.npz", npz.AsSpan(0, npz.Length / 2).ToArray()), ("good.npy", good)));

        Assert.Equal("DKN3003", Assert.Throws<DarknetException>(() => ModelFile.Load(assembly, "truncated.npy")).Code);
        Assert.Equal("DKN3001", Assert.Throws<DarknetException>(() => ModelFile.Load(assembly, "page.npy")).Code);
        Assert.Equal("DKN3002", Assert.Throws<DarknetException>(() => ModelFile.Load(assembly, "hostile.npy")).Code);
        Assert.Equal("DKN3001", Assert.Throws<DarknetException>(() => ModelFile.Load(assembly, "truncated.npz")).Code);
        var over = Assert.Throws<DarknetException>(() => ModelFile.Load(assembly, "good.npy", new ModelFileOptions { MaxTotalBytes = 100_000 }));
        Assert.Equal("DKN3007", over.Code);
        var missing = Assert.Throws<DarknetException>(() => ModelFile.Load(assembly, "GOOD.npy"));
        Assert.Equal("DKN3006", missing.Code);
        Assert.Contains("'good.npy'", missing.Message);
        Assert.Contains("resource 'GOOD.npy' of Damaged", missing.Message);
        Assert.Throws<ArgumentNullException>(() => ModelFile.Load((Assembly)null!, "good.npy"));
        Assert.Throws<ArgumentNullException>(() => ModelFile.Load(assembly, null!));
    }


    // The converter's own writers; a .safetensors header names every tensor before the first, so it is told them here.
    private static byte[] Write(OutputFormat format, IReadOnlyList<LayerParameters> layers)
    {
        if (format != OutputFormat.Safetensors) return TestLayers.Write(format, layers);
        var entries = new List<Darknet.Weights.Safetensors.SafetensorsWriter.Entry>();
        foreach (var l in layers)
        {
            if (l.Weights != null) entries.Add(new(l.Name + "/weights", l.Weights.Shape));
            if (l.Biases != null) entries.Add(new(l.Name + "/biases", l.Biases.Shape));
            if (l.BatchNorm != null)
                for (int i = 0; i < 4; i++) entries.Add(new(l.Name + "/" + Darknet.Weights.Numpy.NpzWriter.BatchNormNames[i], l.BatchNorm[i].Shape));
        }
        var ms = new MemoryStream();
        var writer = new Darknet.Weights.Safetensors.SafetensorsWriter(ms, entries, "test");
        foreach (var l in layers) writer.Write(l);
        writer.Complete();
        return ms.ToArray();
    }

    private static unsafe (long Start, long Length) ResourceMemory(Assembly assembly, string name)
    {
        using var stream = (UnmanagedMemoryStream)assembly.GetManifestResourceStream(name)!;
        return ((long)stream.PositionPointer, stream.Length);
    }

    private static unsafe long Address(Float32Array array)
    {
        fixed (float* p = array.Span) return (long)p;
    }

    private static bool Inside(Float32Array array, long start, long length) =>
        Address(array) >= start && Address(array) + array.Length * 4L <= start + length;

    private static IEnumerable<Float32Array> Arrays(ModelLayer layer)
    {
        if (layer.Weights != null) yield return layer.Weights;
        if (layer.Biases != null) yield return layer.Biases;
        if (layer.BatchNorm is { } bn)
        {
            yield return bn.Gamma;
            yield return bn.Beta;
            yield return bn.MovingMean;
            yield return bn.MovingVariance;
        }
    }

    private static void AssertSameModel(ModelFile expected, ModelFile actual)
    {
        Assert.Equal(expected.Layers.Select(l => l.Name), actual.Layers.Select(l => l.Name));
        for (int i = 0; i < expected.Layers.Count; i++)
        {
            var e = Arrays(expected.Layers[i]).ToList();
            var a = Arrays(actual.Layers[i]).ToList();
            Assert.Equal(e.Count, a.Count);
            for (int k = 0; k < e.Count; k++)
            {
                Assert.Equal(e[k].Shape, a[k].Shape);
                Assert.True(MemoryMarshal.AsBytes(e[k].Span).SequenceEqual(MemoryMarshal.AsBytes(a[k].Span)), $"{expected.Layers[i].Name}: array {k} differs");
            }
        }
    }
}
