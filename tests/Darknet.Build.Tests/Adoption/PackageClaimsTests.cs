using System.IO.Compression;
using Xunit;

namespace Darknet.Build.Tests.Adoption;

/// <summary>
/// Issue 20 Must 6: what README's "Getting the packages" says of each package, against what its pack commands made
/// (which packages, and which symbols each has, are <see cref="GettingThePackagesTests"/>' and
/// <see cref="PackageMetadataTests"/>').
/// </summary>
[Collection(CleanCloneCollection.Name)]
public sealed class PackageClaimsTests
{
    private readonly CleanClone _clone;

    public PackageClaimsTests(CleanClone clone) => _clone = clone;

    private string Package(string id) => Path.Combine(_clone.Artifacts, $"{id}.{_clone.ReadmeVersion}.nupkg");

    /// <summary>"a 3 KB `Darknet.Cli` that only points `dotnet tool install` at the other two".</summary>
    [Fact]
    public void The_Darknet_Cli_package_is_a_few_kilobytes_with_no_program()
    {
        Assert.Contains("a 3 KB `Darknet.Cli` that only points `dotnet tool install`", _clone.Readme, StringComparison.Ordinal);
        var length = new FileInfo(Package("Darknet.Cli")).Length;
        Assert.InRange(length, 1024, 5 * 1024);
        using var zip = ZipFile.OpenRead(Package("Darknet.Cli"));
        Assert.DoesNotContain(zip.Entries, e => e.FullName.EndsWith(".dll", StringComparison.OrdinalIgnoreCase) || Path.GetFileName(e.FullName) == "darknet");
    }

    /// <summary>"`Darknet.Cli.linux-x64`, a native build without a pdb", and no .snupkg beside it.</summary>
    [Fact]
    public void The_linux_x64_tool_is_a_native_program_without_symbols()
    {
        using var zip = ZipFile.OpenRead(Package("Darknet.Cli.linux-x64"));
        var program = zip.Entries.Single(e => e.FullName.EndsWith("/linux-x64/darknet", StringComparison.Ordinal));
        using (var stream = program.Open())
        {
            var magic = new byte[4];
            stream.ReadExactly(magic);
            Assert.Equal(new byte[] { 0x7F, (byte)'E', (byte)'L', (byte)'F' }, magic);
        }
        Assert.DoesNotContain(zip.Entries, e => e.FullName.EndsWith(".pdb", StringComparison.OrdinalIgnoreCase) || e.FullName.EndsWith(".dll", StringComparison.OrdinalIgnoreCase));
        Assert.False(File.Exists(Path.ChangeExtension(Package("Darknet.Cli.linux-x64"), ".snupkg")));
    }
}
