using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;
using System.Runtime.Loader;

namespace Darknet.Weights.Tests.Embedded;

/// <summary>
/// Compiles a real assembly (no code, only manifest resources, as &lt;EmbeddedResource&gt; makes them) with the runtime's own
/// PE writer, and loads it from its file in a collectible AssemblyLoadContext: the runtime maps the file, and
/// GetManifestResourceStream gives an UnmanagedMemoryStream over that mapping, exactly as for an app's own assembly.
/// </summary>
internal static class ResourceAssembly
{
    public static string Write(string directory, string assemblyName, params (string Name, byte[] Bytes)[] resources)
    {
        var metadata = new MetadataBuilder();
        metadata.AddAssembly(metadata.GetOrAddString(assemblyName), new Version(1, 0, 0, 0), default, default, 0, AssemblyHashAlgorithm.Sha1);
        metadata.AddModule(0, metadata.GetOrAddString(assemblyName + ".dll"), metadata.GetOrAddGuid(Guid.NewGuid()), default, default);
        metadata.AddTypeDefinition(default, default, metadata.GetOrAddString("<Module>"), default,
            MetadataTokens.FieldDefinitionHandle(1), MetadataTokens.MethodDefinitionHandle(1));
        var data = new BlobBuilder();
        foreach (var (name, bytes) in resources)
        {
            // as the compilers lay them out: a 4-byte length, the bytes, then padding to 8
            metadata.AddManifestResource(ManifestResourceAttributes.Public, metadata.GetOrAddString(name), default, (uint)data.Count);
            data.WriteInt32(bytes.Length);
            data.WriteBytes(bytes);
            data.Align(8);
        }
        var pe = new ManagedPEBuilder(PEHeaderBuilder.CreateLibraryHeader(), new MetadataRootBuilder(metadata), new BlobBuilder(), managedResources: data);
        var image = new BlobBuilder();
        pe.Serialize(image);
        var path = Path.Combine(directory, assemblyName + ".dll");
        File.WriteAllBytes(path, image.ToArray());
        return path;
    }

    /// <summary>Loads <paramref name="path"/> into a new collectible context (unloaded once nothing holds the assembly).</summary>
    public static (Assembly Assembly, WeakReference Context) LoadCollectible(string path)
    {
        var context = new AssemblyLoadContext(Path.GetFileName(path), isCollectible: true);
        var assembly = context.LoadFromAssemblyPath(path);
        context.Unload(); // begins once nothing references the context's assemblies any more
        return (assembly, new WeakReference(context));
    }
}
