using System.Text.RegularExpressions;
using Xunit;
using Xunit.Abstractions;
using static Darknet.Build.Tests.EndToEnd.Assertions;
using Darknet.Testing;

namespace Darknet.Build.Tests.EndToEnd;

/// <summary>
/// What a user sees of a cold build, through real `dotnet` processes with each logger: the classic console logger,
/// .NET 10's terminal logger (under a pseudo-terminal, as at a real terminal) and `dotnet run`; and the errors that say how to fix them.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class BuildOutputTests
{
    private readonly EndToEndFixture _fixture;
    private readonly ITestOutputHelper _output;

    public BuildOutputTests(EndToEndFixture fixture, ITestOutputHelper output)
    {
        _fixture = fixture;
        _output = output;
    }

    /// <summary>A yolov3-sized (248 MB) cold build with the classic logger: source, size in MB, cache, progress; then a warm build says "in the machine cache" once.</summary>
    [Fact]
    public void ClassicLoggerShowsTheDownloadItsProgressAndACacheHit()
    {
        var weights = SyntheticWeights.ForBuiltIn("yolov3", seed: 91);
        _fixture.Server.Serve("ux-classic/" + weights.FileName, weights.Bytes);
        var cache = _fixture.NewDirectory("ux-classic-cache");
        var mirror = _fixture.Server.Url("ux-classic/");
        var app = _fixture.CreateProject("ClassicApp", cache,
            $"""<DarknetModel Include="yolov3" Sha256="{weights.Sha256}" />""", $"<DarknetMirror>{mirror}</DarknetMirror>");

        var cold = Dotnet(app.Directory, cache, "build", "-tl:off", "-v:n");
        Show("cold build, dotnet build -tl:off -v:n", cold);
        Succeeded(cold);
        Assert.Contains($"Darknet: Downloading yolov3.weights (248.0 MB) from {mirror}yolov3.weights into {Path.Combine(cache, "weights", "sha256-" + weights.Sha256)}", cold.Output);
        Assert.Matches(new Regex(@"Darknet: yolov3\.weights +50% \(1\d\d\.\d of 248\.0 MB, [\d.]+ MB/s\)"), cold.Output);
        Assert.Matches(new Regex(@"Darknet: Downloaded yolov3\.weights \(248\.0 MB\) and verified it in [\d.]+ s"), cold.Output);
        Assert.Contains("Darknet: Converting yolov3.weights to yolov3.npy", cold.Output);
        Assert.Matches(Ready, cold.Output);

        var warmApp = _fixture.CreateProject("ClassicWarmApp", cache,
            $"""<DarknetModel Include="yolov3" Sha256="{weights.Sha256}" />""", $"<DarknetMirror>{mirror}</DarknetMirror>");
        var warm = Dotnet(warmApp.Directory, cache, "build", "-tl:off", "-v:n");
        Show("warm cache, new project, dotnet build -tl:off -v:n", warm);
        Succeeded(warm);
        // Two lines: the cache hit, and the one-line summary every acquired model gets.
        var said = Lines(warm.Output, "Darknet:");
        Assert.Equal(2, said.Count);
        Assert.Matches(Ready, said[1]);
        Assert.Contains("Darknet: yolov3.weights is in the machine cache, no download: " + Path.Combine(cache, "weights", "sha256-" + weights.Sha256, "yolov3.weights"), warm.Output);
        Assert.Equal(1, _fixture.Server.RequestCount("ux-classic/yolov3.weights"));
    }

    /// <summary>
    /// The terminal logger (forced with -tl:on, under a pseudo-terminal) shows no task message at normal verbosity
    /// (MSBuild 18 has no progress API for tasks): the live status line names the model's status project and what is
    /// happening, with its time; with -v:d the download lines and the summary are printed when the build ends, as the guide says.
    /// </summary>
    [SkippableFact]
    public void TerminalLoggerShowsTheTargetLiveAndTheDownloadLinesWithDetailedVerbosity()
    {
        Skip.IfNot(PseudoTerminal.Available, "util-linux `script` is not installed");
        var weights = SyntheticWeights.ForBuiltIn("yolov3", seed: 92);
        _fixture.Server.Serve("ux-tl/" + weights.FileName, weights.Bytes);
        var mirror = _fixture.Server.Url("ux-tl/");
        var items = $"""<DarknetModel Include="yolov3" Sha256="{weights.Sha256}" />""";

        var cache = _fixture.NewDirectory("ux-tl-cache");
        var app = _fixture.CreateProject("TerminalApp", cache, items, $"<DarknetMirror>{mirror}</DarknetMirror>");
        // A Content model downloads while the project compiles; a download that outlasts the compiler is then waited
        // for in the model's status project: the live status line names the model and what is happening to it.
        _fixture.Server.StallAfter("ux-tl/" + weights.FileName, 1_000_000, TimeSpan.FromSeconds(20));
        var cold = InTerminal(app.Directory, cache, "build", "-tl:on");
        Show("cold build, dotnet build (terminal logger) at a terminal", cold);
        Succeeded(cold);
        Assert.Matches(new Regex(@"yolov3\.npy DarknetDownloading +\(\d+\.\ds\)"), cold.Output);   // the live status line

        var detailedCache = _fixture.NewDirectory("ux-tl-detailed-cache");
        var detailed = _fixture.CreateProject("TerminalDetailedApp", detailedCache, items, $"<DarknetMirror>{mirror}</DarknetMirror>");
        var verbose = InTerminal(detailed.Directory, detailedCache, "build", "-tl:on", "-v:d");
        Show("cold build, dotnet build -v:d (terminal logger) at a terminal", verbose);
        Succeeded(verbose);
        Assert.Contains("Darknet: Downloading yolov3.weights (248.0 MB) from " + mirror + "yolov3.weights", verbose.Output);
        Assert.Contains("Darknet: Downloaded yolov3.weights (248.0 MB)", verbose.Output);
        Assert.Matches(Ready, verbose.Output);
    }

    /// <summary>
    /// An EmbeddedResource model is joined before the compiler, in its status project too: the live line reads
    /// "yolov3-tiny.npy DarknetDownloading", the build succeeds and the resource is in the assembly.
    /// </summary>
    [SkippableFact]
    public void TerminalLoggerNamesAnEmbeddedModelWhileItDownloads()
    {
        Skip.IfNot(PseudoTerminal.Available, "util-linux `script` is not installed");
        var mirror = _fixture.ServeTiny("ux-tl-embedded");
        _fixture.Server.StallAfter("ux-tl-embedded/yolov3-tiny.weights", 1_000_000, TimeSpan.FromSeconds(3));
        var cache = _fixture.NewDirectory("ux-tl-embedded-cache");
        var app = _fixture.CreateProject("TerminalEmbeddedApp", cache,
            $"""<DarknetModel Include="yolov3-tiny" Sha256="{_fixture.Tiny.Sha256}" As="EmbeddedResource" />""", $"<DarknetMirror>{mirror}</DarknetMirror>");

        var cold = InTerminal(app.Directory, cache, "build", "-tl:on");
        Show("cold build of an EmbeddedResource model (terminal logger) at a terminal", cold);
        Succeeded(cold);
        Assert.Matches(new Regex(@"yolov3-tiny\.npy DarknetDownloading +\(\d+\.\ds\)"), cold.Output);
        var coldLines = cold.Output.Split('\n');
        Assert.True(Array.FindIndex(coldLines, l => l.Contains("yolov3-tiny.npy DarknetDownloading")) < Array.FindLastIndex(coldLines, l => l.Contains("CoreCompile")),
            "the embedded model is waited for before the compiler:\n" + cold.Output);
        Assert.True(File.Exists(Path.Combine(app.ObjModelDirectory, "yolov3-tiny.npy")));
    }

    /// <summary>`dotnet run` builds quietly (nothing but errors and warnings); `dotnet run -v:n` shows the download lines, then the program runs.</summary>
    [SkippableFact]
    public void DotnetRunShowsTheDownloadWithNormalVerbosity()
    {
        Skip.IfNot(PseudoTerminal.Available, "util-linux `script` is not installed");
        var mirror = _fixture.ServeTiny("ux-run");
        var cache = _fixture.NewDirectory("ux-run-cache");
        var app = _fixture.CreateProject("RunApp", cache,
            $"""<DarknetModel Include="yolov3-tiny" Sha256="{_fixture.Tiny.Sha256}" As="EmbeddedResource" />""", $"<DarknetMirror>{mirror}</DarknetMirror>");

        var run = InTerminal(app.Directory, cache, "run", "-v:n");
        Show("cold dotnet run -v:n at a terminal", run);
        Succeeded(run);
        Assert.Contains("Darknet: Downloading yolov3-tiny.weights (35.4 MB) from " + mirror + "yolov3-tiny.weights", run.Output);
        Assert.Equal("yolov3-tiny.npy", run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Last().Trim());   // then the program ran
    }

    [Fact]
    public void AnUnknownModelNameSuggestsTheNearestOne()
    {
        var app = _fixture.CreateProject("TypoApp", _fixture.NewDirectory("ux-typo-cache"), """<DarknetModel Include="yolov3-tiniy" />""");
        var result = app.Build();
        Show("typo", result);
        FailedWith(result, "DKN5001");
        Assert.Contains("did you mean 'yolov3-tiny'?", result.Output);
    }

    [Fact]
    public void AHashMismatchGivesTheSha256ToPin()
    {
        var mirror = _fixture.ServeTiny("ux-mismatch");
        var wrong = new string('1', 64);
        var app = _fixture.CreateProject("PinApp", _fixture.NewDirectory("ux-mismatch-cache"),
            $"""<DarknetModel Include="yolov3-tiny" Sha256="{wrong}" />""", $"<DarknetMirror>{mirror}</DarknetMirror>");
        var result = app.Build();
        Show("hash mismatch", result);
        FailedWith(result, "DKN4001");
        Assert.Contains($"Sha256=\"{_fixture.Tiny.Sha256}\"", result.Output);
    }

    /// <summary>Every URL failed: one error (the console logger's summary aside) naming each URL once with its reason, and the ways out.</summary>
    [Fact]
    public void EveryUrlFailedIsOneErrorListingEachUrlOnceWithTheWaysOut()
    {
        var first = _fixture.Server.Url("ux-gone/one/yolov3-tiny.weights");
        var second = _fixture.Server.Url("ux-gone/two/yolov3-tiny.weights");
        var cache = _fixture.NewDirectory("ux-gone-cache");
        var app = _fixture.CreateProject("GoneApp", cache,
            $"""<DarknetModel Include="yolov3-tiny" WeightsUrl="{first};{second}" />""", "<DarknetAllowHttp>true</DarknetAllowHttp>");
        var result = Dotnet(app.Directory, cache, "build", "-tl:off", "-v:d");
        Show("every URL failed, dotnet build -tl:off -v:d", result);
        FailedWith(result, "DKN4008");
        // The console logger repeats every error in its summary after "Build FAILED."; before that, the error is said once.
        var log = result.Output.Substring(0, result.Output.IndexOf("Build FAILED.", StringComparison.Ordinal));
        var error = Lines(log, "error DKN4008");
        Assert.Single(Lines(log, "error DKN4008: DarknetModel 'yolov3-tiny'"));
        Assert.Equal(1, Count(string.Join("\n", error), first));   // each URL once, in the error
        Assert.Equal(1, Count(string.Join("\n", error), second));
        Assert.Contains("DKN4002: this URL answered HTTP 404", string.Join("\n", error));
        Assert.DoesNotContain(log.Split('\n'), line => !line.Contains("error DKN4008") && line.Contains("answered HTTP 404"));   // not logged again beside it
        Assert.Contains("point WeightsUrl at a server you can reach", result.Output);
        Assert.Contains("HTTPS_PROXY", result.Output);
        Assert.Contains("DarknetOffline=true", result.Output);
        Assert.Contains(Path.Combine(cache, "weights", "sha256-"), result.Output);
    }

    /// <summary>A built-in model's download that fails says how to get it another way: a mirror, a proxy, `darknet fetch`, or the path to seed.</summary>
    [Fact]
    public void AFailedBuiltInDownloadSuggestsAMirrorAProxyAndSeeding()
    {
        var cache = _fixture.NewDirectory("ux-nomirror-cache");
        var app = _fixture.CreateProject("NoMirrorApp", cache,
            """<DarknetModel Include="yolov3-tiny" />""", $"<DarknetMirror>{_fixture.Server.Url("ux-nomirror/")}</DarknetMirror><DarknetAllowHttp>true</DarknetAllowHttp>");
        var result = app.Build();
        Show("a built-in model's mirror answers 404", result);
        FailedWith(result, "DKN4002");
        Assert.Contains("set DarknetMirror to a server you can reach that has yolov3-tiny.weights", result.Output);
        Assert.Contains("HTTPS_PROXY", result.Output);
        Assert.Contains("darknet fetch yolov3-tiny --cache DIR", result.Output);
        Assert.Contains(Path.Combine(cache, "weights", "sha256-dccea06f59b781ec1234ddf8d1e94b9519a97f4245748a7d4db75d5b7080a42c", "yolov3-tiny.weights"), result.Output);
    }

    /// <summary>A file placed by hand that fails verification is moved aside (a DKN4023 warning says where), and the build downloads the right one.</summary>
    [Fact]
    public void AHandPlacedFileThatFailsVerificationIsMovedAsideNotDeleted()
    {
        var mirror = _fixture.ServeTiny("ux-seed");
        var cache = _fixture.NewDirectory("ux-seed-cache");
        var entry = Path.Combine(cache, "weights", "sha256-" + _fixture.Tiny.Sha256, "yolov3-tiny.weights");
        Directory.CreateDirectory(Path.GetDirectoryName(entry)!);
        var wrong = SyntheticWeights.ForBuiltIn("yolov3-tiny", seed: 77).Bytes;
        File.WriteAllBytes(entry, wrong);
        var app = _fixture.CreateProject("SeedApp", cache,
            $"""<DarknetModel Include="yolov3-tiny" Sha256="{_fixture.Tiny.Sha256}" />""", $"<DarknetMirror>{mirror}</DarknetMirror>");

        var result = app.Build();
        Show("hand-placed file fails verification", result);
        Succeeded(result);
        var aside = Assert.Single(Directory.GetFiles(Path.GetDirectoryName(entry)!, "yolov3-tiny.weights.rejected-*"));
        Assert.Equal(wrong, File.ReadAllBytes(aside));
        Assert.Contains(app.ProjectPath + " : warning DKN4023", result.Output);
        Assert.Contains(aside, result.Output);
        Assert.Equal(_fixture.Tiny.Bytes, File.ReadAllBytes(entry));
    }

    private DotnetResult Dotnet(string directory, string cache, params string[] arguments) =>
        DotnetCli.Run(directory, Environment(cache), arguments.Concat(new[] { "-nodeReuse:false" }).ToArray());

    private DotnetResult InTerminal(string directory, string cache, params string[] arguments) =>
        PseudoTerminal.Run(directory, Environment(cache), arguments.Concat(new[] { "-nodeReuse:false" }).ToArray());

    private Dictionary<string, string> Environment(string cache) => new()
    {
        ["NUGET_PACKAGES"] = _fixture.PackagesDirectory,
        ["DARKNET_CACHE_DIR"] = cache,
    };

    private void Show(string title, DotnetResult result) => _output.WriteLine("===== " + title + "\n" + result + "\n");

    /// <summary>The one-line summary of an acquired yolov3 (see AcquireAll.Summary).</summary>
    private static readonly Regex Ready = new(@"Darknet: yolov3\.npy ready \(\d+\.\d MB\) in \d+\.\d s \(weights \d+\.\d s, then \d+\.\d s\) at /\S+/yolov3\.npy");

    private static IReadOnlyList<string> Lines(string text, string containing) =>
        text.Split('\n').Where(line => line.Contains(containing, StringComparison.Ordinal)).ToList();

    private static int Count(string text, string part) => Regex.Matches(text, Regex.Escape(part)).Count;
}
