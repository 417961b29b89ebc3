using System.Security.Cryptography;
using Darknet.Weights.Numpy;
using Darknet.Weights.Tests.Conversion;
using Xunit;
using Darknet.Testing;

namespace Darknet.Weights.Tests.Cli;

/// <summary>
/// <c>darknet convert</c> never destroys what it did not make (issue 7, Must 8): an output that is one of its inputs in
/// any spelling, through a symlink or a hard link, is refused before anything is written; and nothing that is not a
/// regular file (a device, a FIFO, a symlink, a directory) is ever renamed over. Run as real processes.
/// </summary>
public class OutputSafetyTests
{
    private sealed class Folder : IDisposable
    {
        public readonly TempDirectory Dir = new TempDirectory();
        public readonly string Cfg, Weights;
        private readonly string _cfgHash, _weightsHash;

        public Folder()
        {
            Cfg = Dir.File("two.cfg");
            File.WriteAllText(Cfg, TestCfgs.TwoConvs);
            Weights = Dir.File("two.weights");
            SyntheticWeights.WriteFile(Weights, 67);
            Directory.CreateDirectory(Dir.File("sub"));
            _cfgHash = Hash(Cfg);
            _weightsHash = Hash(Weights);
        }

        public string Name => Path.GetFileName(Dir.Path);

        public (int Exit, string Stdout, string Stderr) Convert(string output) =>
            CliRunner.RunProcessIn(Dir.Path, "convert", "--cfg", "two.cfg", "--weights", "two.weights", "--out", output);

        /// <summary>The inputs hold what they held, and the folder holds only <paramref name="expected"/> (no temp, no output).</summary>
        public void AssertUntouched(params string[] expected)
        {
            Assert.Equal(_cfgHash, Hash(Cfg));
            Assert.Equal(_weightsHash, Hash(Weights));
            Assert.Equal(new[] { "sub", "two.cfg", "two.weights" }.Concat(expected).Order(StringComparer.Ordinal),
                Directory.GetFileSystemEntries(Dir.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));
            Assert.Empty(Directory.GetFileSystemEntries(Dir.File("sub")));
        }

        private static string Hash(string path) => System.Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)));

        public void Dispose() => Dir.Dispose();
    }

    private static void Refused(string code, (int Exit, string Stdout, string Stderr) run)
    {
        Assert.True(run.Exit == 1, $"exit {run.Exit}: {run.Stdout}{run.Stderr}");
        Assert.StartsWith($"darknet: {code}: ", run.Stderr);
        Assert.DoesNotContain("   at ", run.Stderr);
        Assert.Empty(run.Stdout);
    }

    [Theory]
    [InlineData("two.cfg")]
    [InlineData("./two.cfg")]
    [InlineData("sub/../two.cfg")]
    [InlineData("../{dir}/two.cfg")]
    [InlineData("{abs}/two.cfg")]
    [InlineData("{abs}//./two.cfg")]
    public void OutThatIsTheCfgInAnySpellingIsRefused(string spelling)
    {
        using var folder = new Folder();
        var output = spelling.Replace("{dir}", folder.Name).Replace("{abs}", folder.Dir.Path);

        var run = folder.Convert(output);

        Refused("DKN2011", run);
        Assert.Contains($"--out {output} is the --cfg file two.cfg", run.Stderr);
        folder.AssertUntouched();
    }

    [Theory]
    [InlineData("two.weights")]
    [InlineData("./sub/../two.weights")]
    public void OutThatIsTheWeightsIsRefused(string output)
    {
        using var folder = new Folder();

        var run = folder.Convert(output);

        Refused("DKN2011", run);
        Assert.Contains("is the --weights file two.weights", run.Stderr);
        folder.AssertUntouched();
    }

    [Fact]
    public void OutInAnotherCaseIsRefusedExactlyWhereTheDiskIgnoresCase()
    {
        using var folder = new Folder();
        bool caseInsensitive = File.Exists(folder.Dir.File("TWO.CFG"));

        var run = folder.Convert("TWO.CFG");

        if (caseInsensitive)
        {
            Refused("DKN2011", run);
            folder.AssertUntouched();
        }
        else
        {
            // Another file on a case-sensitive disk: written, and the cfg untouched.
            Assert.True(run.Exit == 0, run.Stderr);
            folder.AssertUntouched("TWO.CFG");
        }
    }

    [SkippableFact]
    public void OutThatIsASymlinkToTheCfgIsRefusedAndTheLinkKept()
    {
        Posix.RequireLinux();
        using var folder = new Folder();
        File.CreateSymbolicLink(folder.Dir.File("model.npy"), "two.cfg");

        var run = folder.Convert("model.npy");

        Refused("DKN2011", run);
        Assert.Contains("through a symbolic link", run.Stderr);
        Assert.Equal("symbolic link", Posix.TypeOf(folder.Dir.File("model.npy")));
        Assert.Equal("two.cfg", new FileInfo(folder.Dir.File("model.npy")).LinkTarget);
        folder.AssertUntouched("model.npy");
    }

    [SkippableFact]
    public void OutThatIsAHardLinkToTheWeightsIsRefused()
    {
        Posix.RequireLinux();
        using var folder = new Folder();
        Posix.HardLink(folder.Weights, folder.Dir.File("model.npy"));
        Assert.Equal(Posix.IdentityOf(folder.Weights), Posix.IdentityOf(folder.Dir.File("model.npy")));

        var run = folder.Convert("model.npy");

        Refused("DKN2011", run);
        Assert.Contains("is the --weights file two.weights (the same file under another name", run.Stderr);
        Assert.Equal(Posix.IdentityOf(folder.Weights), Posix.IdentityOf(folder.Dir.File("model.npy")));
        folder.AssertUntouched("model.npy");
    }

    [SkippableFact]
    public void OutThatIsASymlinkToAnotherFileIsNotReplaced()
    {
        Posix.RequireLinux();
        using var folder = new Folder();
        File.WriteAllText(folder.Dir.File("kept.txt"), "mine");
        File.CreateSymbolicLink(folder.Dir.File("model.npy"), "kept.txt");

        var run = folder.Convert("model.npy");

        Refused("DKN2012", run);
        Assert.Contains("is a symbolic link, not a regular file", run.Stderr);
        Assert.Equal("symbolic link", Posix.TypeOf(folder.Dir.File("model.npy")));
        Assert.Equal("mine", File.ReadAllText(folder.Dir.File("kept.txt")));
        folder.AssertUntouched("kept.txt", "model.npy");
    }

    /// <summary>
    /// Run as root, a rename onto /dev/null used to put a regular file where the device was. A device made with mknod in a
    /// temp folder (the same major/minor as /dev/null) stands in, so a failure here cannot break the machine's /dev/null.
    /// </summary>
    [SkippableFact]
    public void OutThatIsACharacterDeviceIsRefusedAndStaysADevice()
    {
        Posix.RequireLinux();
        using var folder = new Folder();
        var device = folder.Dir.File("null");
        Posix.MakeNullDevice(device);

        var run = folder.Convert("null");

        Refused("DKN2012", run);
        Assert.Contains("is a character device, not a regular file", run.Stderr);
        Assert.Equal("character special file", Posix.TypeOf(device));
        folder.AssertUntouched("null");
    }

    [SkippableFact]
    public void OutThatIsAFifoIsRefusedAndStaysAFifo()
    {
        Posix.RequireLinux();
        using var folder = new Folder();
        Posix.MakeFifo(folder.Dir.File("pipe"));

        var run = folder.Convert("pipe");

        Refused("DKN2012", run);
        Assert.Contains("is a named pipe (FIFO), not a regular file", run.Stderr);
        Assert.Equal("fifo", Posix.TypeOf(folder.Dir.File("pipe")));
        folder.AssertUntouched("pipe");
    }

    [Fact]
    public void OutThatIsAnExistingDirectoryIsRefused()
    {
        using var folder = new Folder();

        var run = folder.Convert("sub");

        Refused("DKN2008", run);
        Assert.Contains("the output path is a directory", run.Stderr);
        folder.AssertUntouched();
    }

    [Fact]
    public void AnOrdinaryExistingOutputIsStillReplaced()
    {
        using var folder = new Folder();
        File.WriteAllText(folder.Dir.File("model.npy"), "an older output");

        var run = folder.Convert("model.npy");

        Assert.True(run.Exit == 0, run.Stderr);
        Assert.Equal(2, ModelFileReader.ReadFile(folder.Dir.File("model.npy")).Count);
        folder.AssertUntouched("model.npy");
    }

    /// <summary>A FIFO as --weights would block in open(2) until someone writes to it; it is refused unopened.</summary>
    [SkippableFact]
    public void AFifoAsWeightsIsRefusedWithoutWaitingForAWriter()
    {
        Posix.RequireLinux();
        using var folder = new Folder();
        Posix.MakeFifo(folder.Dir.File("pipe.weights"));

        var run = CliRunner.RunProcessIn(folder.Dir.Path, "convert", "--cfg", "two.cfg", "--weights", "pipe.weights", "--out", "two.npy");

        Refused("DKN2002", run);
        Assert.Contains("pipe.weights is not a regular file but a named pipe (FIFO)", run.Stderr);
        folder.AssertUntouched("pipe.weights");
    }
}
