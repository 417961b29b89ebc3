using Darknet.Testing;
using Darknet.Build.Tests.EndToEnd;
using Xunit;
using Xunit.Abstractions;

namespace Darknet.Build.Tests.Windows;

/// <summary>
/// The win-x64 CLI under Wine: what it converts is byte for byte what the Linux CLI converts; fetch, the cache hit,
/// verify and clean in Windows paths (spaces, non-ASCII letters, longer than MAX_PATH, the default under
/// %LOCALAPPDATA%). Console output is read only for its ASCII parts: a redirected Windows console writes the OEM code
/// page, not UTF-8.
/// </summary>
[Collection(WineCollection.Name)]
public sealed class WineCliTests
{
    private static readonly Lazy<SyntheticWeights> Tiny = new(() => SyntheticWeights.ForBuiltIn("yolov3-tiny"));
    private readonly WineFixture _wine;
    private readonly ITestOutputHelper _output;

    public WineCliTests(WineFixture wine, ITestOutputHelper output)
    {
        _wine = wine;
        _output = output;
    }

    [SkippableFact]
    public void Convert_writes_what_the_Linux_cli_writes_in_folders_with_spaces_and_accents()
    {
        const string format = "npy";
        SkipWithoutWine();
        var work = _wine.NewDirectory("convert-" + format);
        var weights = Path.Combine(work, "Modèle wëights");
        Directory.CreateDirectory(weights);
        File.WriteAllBytes(Path.Combine(weights, Tiny.Value.FileName), Tiny.Value.Bytes);
        var windowsOut = Path.Combine(work, "sortie ü");
        var linuxOut = Path.Combine(work, "linux");

        var wine = Cli("convert", "--model", "yolov3-tiny", "--weights_dir", WineFixture.WindowsPath(weights), "--save_dir", WineFixture.WindowsPath(windowsOut), "--format", format);
        Assert.True(wine.Exit == 0, wine.ToString());
        var linux = LinuxCli("convert", "--model", "yolov3-tiny", "--weights_dir", weights, "--save_dir", linuxOut, "--format", format);
        Assert.True(linux.Exit == 0, linux.ToString());

        var name = "yolov3-tiny." + format;
        Assert.Equal(File.ReadAllBytes(Path.Combine(linuxOut, name)), File.ReadAllBytes(Path.Combine(windowsOut, name)));
        Assert.Equal(new[] { name }, Directory.GetFiles(windowsOut).Select(Path.GetFileName));
    }

    [SkippableFact]
    public void Fetch_into_a_Windows_path_then_the_cache_serves_verifies_and_cleans()
    {
        SkipWithoutWine();
        var mirror = Serve("wine-fetch");
        var cache = Path.Combine(_wine.NewDirectory("fetch"), "cache with spaces ä");
        var sha = Tiny.Value.Sha256;
        var entry = Path.Combine(cache, "weights", "sha256-" + sha, "yolov3-tiny.weights");

        var fetch = Cli("fetch", "yolov3-tiny", "--cache", WineFixture.WindowsPath(cache), "--mirror", mirror, "--sha256", sha);
        Assert.True(fetch.Exit == 0, fetch.ToString());
        Assert.Contains($"yolov3-tiny: downloading yolov3-tiny.weights (35.4 MB) from {mirror}yolov3-tiny.weights", fetch.Stdout);
        Assert.Equal(Tiny.Value.Bytes, File.ReadAllBytes(entry));
        Assert.True(File.Exists(entry + ".verified"));
        Assert.Equal(1, _wine.Server.RequestCount("wine-fetch/yolov3-tiny.weights"));

        var again = Cli("fetch", "yolov3-tiny", "--cache", WineFixture.WindowsPath(cache), "--mirror", mirror, "--sha256", sha);
        Assert.True(again.Exit == 0, again.ToString());
        Assert.Contains("is in the cache already", again.Stdout);
        Assert.Equal(1, _wine.Server.RequestCount("wine-fetch/yolov3-tiny.weights"));

        var list = Cli("cache", "list", "--cache", WineFixture.WindowsPath(cache));
        Assert.True(list.Exit == 0, list.ToString());
        Assert.Contains($@"weights\sha256-{sha}\yolov3-tiny.weights  yolov3-tiny  35.4 MB", list.Stdout);

        var verify = Cli("cache", "verify", "--cache", WineFixture.WindowsPath(cache));
        Assert.True(verify.Exit == 0, verify.ToString());
        Assert.Contains("1 ok, 0 damaged", verify.Stdout);

        // Rot with the timestamp kept: only hashing finds it.
        Damage(entry);
        var damaged = Cli("cache", "verify", "--cache", WineFixture.WindowsPath(cache));
        Assert.True(damaged.Exit == 1, damaged.ToString());
        Assert.Contains($@"DAMAGED  weights\sha256-{sha}\yolov3-tiny.weights", damaged.Stdout);
        Assert.Contains("0 ok, 1 damaged and removed", damaged.Stdout);
        Assert.False(File.Exists(entry));

        var refetch = Cli("fetch", "yolov3-tiny", "--cache", WineFixture.WindowsPath(cache), "--mirror", mirror, "--sha256", sha);
        Assert.True(refetch.Exit == 0, refetch.ToString());
        Assert.Equal(2, _wine.Server.RequestCount("wine-fetch/yolov3-tiny.weights"));

        var clean = Cli("cache", "clean", "--all", "--cache", WineFixture.WindowsPath(cache));
        Assert.True(clean.Exit == 0, clean.ToString());
        Assert.Contains("removed 1 files (35.4 MB)", clean.Stdout);
        Assert.All(Directory.GetFiles(cache, "*", SearchOption.AllDirectories), f => Assert.EndsWith(".lock", f, StringComparison.Ordinal));
    }

    [SkippableFact]
    public void A_cache_deeper_than_MAX_PATH_works()
    {
        SkipWithoutWine();
        var mirror = Serve("wine-long");
        var cache = _wine.NewDirectory("long");
        while (WineFixture.WindowsPath(cache).Length < 280) cache = Path.Combine(cache, "a folder of forty characters, give or ta");
        var sha = Tiny.Value.Sha256;
        var entry = Path.Combine(cache, "weights", "sha256-" + sha, "yolov3-tiny.weights");
        Assert.True(WineFixture.WindowsPath(entry).Length > 360);

        var fetch = Cli("fetch", "yolov3-tiny", "--cache", WineFixture.WindowsPath(cache), "--mirror", mirror, "--sha256", sha);
        Assert.True(fetch.Exit == 0, fetch.ToString());
        Assert.Equal(Tiny.Value.Bytes, File.ReadAllBytes(entry));
        var verify = Cli("cache", "verify", "--cache", WineFixture.WindowsPath(cache));
        Assert.True(verify.Exit == 0, verify.ToString());
        Assert.Contains("1 ok, 0 damaged", verify.Stdout);
        var clean = Cli("cache", "clean", "--all", "--cache", WineFixture.WindowsPath(cache));
        Assert.True(clean.Exit == 0, clean.ToString());
        Assert.False(File.Exists(entry));
    }

    [SkippableFact]
    public void The_default_cache_is_under_LOCALAPPDATA()
    {
        SkipWithoutWine();
        var echo = _wine.Run("cmd", null, "/c", "echo %LOCALAPPDATA%");
        Assert.True(echo.Exit == 0, echo.ToString());
        var local = echo.Stdout.Trim();
        Assert.Matches(@"^C:\\users\\[^\\]+\\AppData\\Local$", local);

        var path = Cli("cache", "path");
        Assert.True(path.Exit == 0, path.ToString());
        Assert.Equal(local + @"\Darknet.Build" + "\n", path.Stdout);
        var elsewhere = _wine.NewDirectory("variable");
        var overridden = _wine.Run(_wine.Cli, new Dictionary<string, string?> { ["DARKNET_CACHE_DIR"] = WineFixture.WindowsPath(elsewhere) }, "cache", "path");
        Assert.Equal(WineFixture.WindowsPath(elsewhere) + "\n", overridden.Stdout);

        var mirror = Serve("wine-default");
        var fetch = Cli("fetch", "yolov3-tiny", "--mirror", mirror, "--sha256", Tiny.Value.Sha256);
        Assert.True(fetch.Exit == 0, fetch.ToString());
        var entry = _wine.LinuxPathOfDriveC($@"{local}\Darknet.Build\weights\sha256-{Tiny.Value.Sha256}\yolov3-tiny.weights");
        Assert.Equal(Tiny.Value.Bytes, File.ReadAllBytes(entry));
        Assert.True(Cli("cache", "clean", "--all").Exit == 0);
        Assert.False(File.Exists(entry));
    }

    private void SkipWithoutWine() => Skip.If(_wine.SkipReason != null, _wine.SkipReason);

    private string Serve(string prefix)
    {
        _wine.Server.Serve(prefix + "/" + Tiny.Value.FileName, Tiny.Value.Bytes);
        return _wine.Server.Url(prefix + "/");
    }

    internal static void Damage(string file)
    {
        var time = File.GetLastWriteTimeUtc(file);
        var bytes = File.ReadAllBytes(file);
        bytes[1000] ^= 1;
        File.SetAttributes(file, FileAttributes.Normal);
        File.WriteAllBytes(file, bytes);
        File.SetLastWriteTimeUtc(file, time);
    }

    private ProcessRun.Result Cli(params string[] args)
    {
        var result = _wine.RunCli(args);
        _output.WriteLine("wine> darknet " + string.Join(' ', args) + "\n" + result + "\n");
        return result;
    }

    private ProcessRun.Result LinuxCli(params string[] args)
    {
        var variables = new Dictionary<string, string?> { ["DARKNET_CACHE_DIR"] = null };
        var result = ProcessRun.Run("dotnet", variables, new[] { "exec", Path.Combine(AppContext.BaseDirectory, "darknet.dll") }.Concat(args).ToArray());
        _output.WriteLine("linux> darknet " + string.Join(' ', args) + "\n" + result + "\n");
        return result;
    }
}
