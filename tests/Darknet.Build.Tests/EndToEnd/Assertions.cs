using System.Text;
using Darknet.Testing;
using Xunit;

namespace Darknet.Build.Tests.EndToEnd;

internal static class Assertions
{
    public static void Succeeded(DotnetResult result) =>
        Assert.True(result.ExitCode == 0, "expected success:\n" + result);

    public static void FailedWith(DotnetResult result, string code)
    {
        Assert.True(result.ExitCode != 0, "expected a failure:\n" + result);
        Assert.True(result.Output.Contains("error " + code + ":", StringComparison.Ordinal), $"expected error {code}:\n" + result);
    }

    public static IEnumerable<string> FilesUnder(string directory) =>
        Directory.Exists(directory) ? Directory.GetFiles(directory, "*", SearchOption.AllDirectories) : Array.Empty<string>();

    /// <summary>A secret is in no line of the build's output, no file name and no file's bytes under <paramref name="directories"/>.</summary>
    public static void NowhereIn(string secret, DotnetResult result, params string[] directories)
    {
        Assert.False(result.Output.Contains(secret, StringComparison.Ordinal), $"'{secret}' is in the build output:\n{result}");
        var bytes = Encoding.UTF8.GetBytes(secret);
        foreach (var file in directories.SelectMany(FilesUnder))
        {
            Assert.DoesNotContain(secret, file);
            Assert.True(File.ReadAllBytes(file).AsSpan().IndexOf(bytes) < 0, $"'{secret}' is in {file}");
        }
    }

    /// <summary>Loads a .npy dictionary or an .npz with Debian's numpy and returns its layer names in file order.</summary>
    public static IReadOnlyList<string> NumpyLayerNames(string path)
    {
        var output = Numpy.RunScript("""
            import sys
            import numpy as np
            path = sys.argv[1]
            if path.endswith(".npz"):
                # one array per parameter, named "<layer>/<parameter>": the layers in order of first appearance
                names = list(dict.fromkeys(f.split("/")[0] for f in np.load(path, allow_pickle=False).files))
            else:
                names = list(np.load(path, allow_pickle=True, encoding="latin1").item().keys())
            print("\n".join(names))
            """, path);
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }
}
