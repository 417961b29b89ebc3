using System.Text.RegularExpressions;
using Darknet.Weights.Models;
using Xunit;
using static Darknet.Build.Tests.EndToEnd.Assertions;

namespace Darknet.Build.Tests.EndToEnd;

/// <summary>
/// Issue 8: a Content (or None) model is acquired on a background thread while the project compiles, and joined by
/// DarknetWaitForModels before anything reads obj/; EmbeddedResource items are joined before the compiler, and
/// $(DarknetAcquireInBackground)=false acquires everything synchronously. Real builds; the overlap is proven by the order of the log's messages, never by timing.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class BackgroundAcquireTests
{
    private const string Started = "Darknet: acquiring yolov3-tiny.npy in the background";
    private const string Waited = "ms for the background acquire of yolov3-tiny.npy";
    private readonly EndToEndFixture _fixture;

    public BackgroundAcquireTests(EndToEndFixture fixture) => _fixture = fixture;

    private TestProject TinyApp(string name, string prefix, string properties = "")
    {
        var mirror = _fixture.ServeTiny(prefix);
        return _fixture.CreateProject(name, _fixture.NewDirectory(prefix + "-cache"),
            $"""<DarknetModel Include="yolov3-tiny" Sha256="{_fixture.Tiny.Sha256}" />""",
            $"<DarknetMirror>{mirror}</DarknetMirror>{properties}");
    }

    /// <summary>Builds with a detailed file log (the console stays minimal) and returns the result and the log's text.</summary>
    private static (DotnetResult Result, string Log) BuildLogged(TestProject app, params string[] arguments)
    {
        var log = Path.Combine(app.Directory, "build-" + Guid.NewGuid().ToString("N") + ".log");
        var result = app.Build(arguments.Concat(new[] { "-fl", $"-flp:logfile={log};verbosity=detailed" }).ToArray());
        return (result, File.Exists(log) ? File.ReadAllText(log) : "");
    }

    private static int IndexOf(string log, string text)
    {
        var index = log.IndexOf(text, StringComparison.Ordinal);
        Assert.True(index >= 0, $"'{text}' is not in the log:\n{log}");
        return index;
    }

    [Fact]
    public void AContentModelIsAcquiredWhileTheProjectCompilesAndWaitedForBeforeTheCopy()
    {
        var app = TinyApp("BackgroundApp", "background");

        var (result, log) = BuildLogged(app);

        Succeeded(result);
        var obj = Path.Combine(app.ObjModelDirectory, "yolov3-tiny.npy");
        var bin = Path.Combine(app.BinDirectory, "yolov3-tiny.npy");
        Assert.True(File.Exists(bin), "the model reached bin/:\n" + result);
        Assert.Equal(File.ReadAllBytes(obj), File.ReadAllBytes(bin));
        var names = NumpyLayerNames(bin);
        Assert.NotEmpty(names);
        Assert.Equal(ModelCatalog.Find("yolov3-tiny")!.LayerNames.Take(names.Count), names);

        // Started in DarknetAcquireModels, the compiler ran, then DarknetWaitForModels joined it, before the copy.
        var started = IndexOf(log, Started);
        var compile = IndexOf(log, "Target \"CoreCompile\"");
        var compiled = IndexOf(log, "Done building target \"CoreCompile\"");
        var waited = IndexOf(log, Waited);
        var copy = IndexOf(log, "Target \"_CopyOutOfDateSourceItemsToOutputDirectory\"");
        Assert.True(started < compile && compile < compiled && compiled < waited && waited < copy,
            $"expected start < CoreCompile < wait < copy, got {started} {compile} {compiled} {waited} {copy}:\n{log}");
        // The download's messages, buffered by the background work, are replayed by the wait task (after the compiler).
        Assert.True(IndexOf(log, "Darknet: Downloaded yolov3-tiny.weights") > compile, log);
        Assert.True(IndexOf(log, "Darknet: Converting yolov3-tiny.weights to yolov3-tiny.npy") > compile, log);

        // The second build is a no-op: nothing started, nothing to wait for.
        var (again, againLog) = BuildLogged(app);
        Succeeded(again);
        Assert.DoesNotContain(Started, againLog);
        Assert.DoesNotContain(Waited, againLog);
    }

    [Fact]
    public void DarknetAcquireInBackgroundFalseAcquiresBeforeTheCompiler()
    {
        var app = TinyApp("ForegroundApp", "foreground", "<DarknetAcquireInBackground>false</DarknetAcquireInBackground>");

        var (result, log) = BuildLogged(app);

        Succeeded(result);
        Assert.True(File.Exists(Path.Combine(app.BinDirectory, "yolov3-tiny.npy")));
        Assert.DoesNotContain(Started, log);
        Assert.DoesNotContain(Waited, log);
        Assert.True(IndexOf(log, "Darknet: Converting yolov3-tiny.weights to yolov3-tiny.npy") < IndexOf(log, "Target \"CoreCompile\""), log);
    }

    /// <summary>The background work's errors fail the build with the same codes and text as the synchronous acquire's.</summary>
    [Fact]
    public void ADownloadErrorFailsTheBuildWithTheSameErrorsAsWithoutTheBackground()
    {
        var cache = _fixture.NewDirectory("background-error-cache");
        var app = _fixture.CreateProject("BackgroundErrorApp", cache,
            $"""<DarknetModel Include="yolov3-tiny" Sha256="{_fixture.Tiny.Sha256}" />""",
            $"<DarknetMirror>{_fixture.Server.Url("nothing-here/")}</DarknetMirror>");

        var background = app.Build();
        var foreground = app.Build("-p:DarknetAcquireInBackground=false");

        FailedWith(background, "DKN4002");
        FailedWith(foreground, "DKN4002");
        Assert.Contains(app.ProjectPath + " : error DKN4002: DarknetModel 'yolov3-tiny':", background.Output);
        Assert.Equal(ErrorLines(foreground), ErrorLines(background));
        Assert.False(File.Exists(Path.Combine(app.ObjModelDirectory, "yolov3-tiny.npy")));
    }

    /// <summary>
    /// An EmbeddedResource model that fails ends the build before the compiler, with its error (a Content model beside
    /// it, acquired in the same background work, does not hold that up).
    /// </summary>
    [Fact]
    public void AnEmbeddedModelsErrorEndsTheBuildBeforeTheCompiler()
    {
        var cache = _fixture.NewDirectory("background-embedded-error-cache");
        var mirror = _fixture.Server.Url("nothing-here-either/");
        var app = _fixture.CreateProject("BackgroundEmbeddedErrorApp", cache,
            $"""
            <DarknetModel Include="yolov3-tiny" Sha256="{_fixture.Tiny.Sha256}" As="EmbeddedResource" />
            <DarknetModel Include="yolov3-tiny" OutputName="tiny-content" Sha256="{_fixture.Tiny.Sha256}" />
            """,
            $"<DarknetMirror>{mirror}</DarknetMirror>");

        var (result, log) = BuildLogged(app);

        FailedWith(result, "DKN4002");
        Assert.Contains(app.ProjectPath + " : error DKN4002: DarknetModel 'yolov3-tiny':", result.Output);
        Assert.DoesNotContain("Target \"CoreCompile\"", log);
    }

    private static string[] ErrorLines(DotnetResult result) =>
        result.Output.Split('\n').Select(l => l.Trim()).Where(l => Regex.IsMatch(l, @": error DKN\d{4}:")).Distinct().Order(StringComparer.Ordinal).ToArray();

    /// <summary>
    /// The compiler fails while the download is stalled: MSBuild disposes the registered work at the end of the build,
    /// which cancels it: the build ends long before the stall (or the stall timeout) would, leaves only the partial a
    /// resume keeps, and no build process stays behind.
    /// </summary>
    [SkippableFact]
    public void ACompileErrorDuringADownloadEndsTheBuildPromptlyWithNoLitterAndNoProcessLeft()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "finds the build's processes by their environment in /proc");
        var path = "background-compile-error/" + _fixture.Tiny.FileName;
        var app = TinyApp("BackgroundCompileErrorApp", "background-compile-error", "<DarknetStallTimeout>600</DarknetStallTimeout>");
        _fixture.Server.StallAfter(path, 1_000_000, TimeSpan.FromMinutes(5));
        File.WriteAllText(Path.Combine(app.Directory, "Program.cs"), "this is not C#\n");

        var result = app.Build();

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("error CS", result.Output);
        Assert.True(_fixture.Server.RequestCount(path) > 0, "the download had started:\n" + result);
        // An uncancelled download would wait out the 5-minute stall (or the 10-minute stall timeout).
        Assert.True(result.Elapsed < TimeSpan.FromMinutes(2), $"took {result.Elapsed} to end\n{result}");
        Assert.DoesNotContain("DKN", result.Output);   // the cancelled work says nothing: the build has already failed
        Assert.DoesNotContain(FilesUnder(app.CacheDirectory), f => f.EndsWith(".dkn-tmp", StringComparison.Ordinal) || f.EndsWith(_fixture.Tiny.FileName, StringComparison.Ordinal));
        Assert.DoesNotContain(FilesUnder(app.ObjModelDirectory), f => !f.EndsWith("models.stamp", StringComparison.Ordinal));
        Assert.Empty(ProcessesWithEnvironment("DARKNET_CACHE_DIR=" + app.CacheDirectory));

        // Nothing was published under a final name; the next build resumes the partial and succeeds.
        _fixture.Server.ClearFaults(path);
        File.WriteAllText(Path.Combine(app.Directory, "Program.cs"), "System.Console.WriteLine();\n");
        Succeeded(app.Build());
        Assert.True(File.Exists(Path.Combine(app.BinDirectory, "yolov3-tiny.npy")));
    }

    /// <summary>Processes whose environment holds <paramref name="entry"/> (a build's nodes inherit it), after a short grace for their exit.</summary>
    private static int[] ProcessesWithEnvironment(string entry)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            var found = new List<int>();
            foreach (var dir in Directory.GetDirectories("/proc"))
            {
                if (!int.TryParse(Path.GetFileName(dir), out var pid) || pid == Environment.ProcessId) continue;
                try
                {
                    if (File.ReadAllText(Path.Combine(dir, "environ")).Split('\0').Contains(entry)) found.Add(pid);
                }
                catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
                {
                    // Exited meanwhile, or not ours to read.
                }
            }
            if (found.Count == 0 || DateTime.UtcNow > deadline) return found.ToArray();
            Thread.Sleep(500);
        }
    }

    /// <summary>A library's Content model reaches the referencing app's bin/ (GetCopyToOutputDirectoryItems waits for it).</summary>
    [Fact]
    public void AReferencedLibrarysContentModelReachesTheAppsBin()
    {
        var mirror = _fixture.ServeTiny("background-library");
        var root = _fixture.NewDirectory("background-library");
        var cache = _fixture.NewDirectory("background-library-cache");
        TestProject.WriteNuGetConfig(_fixture, root);
        var library = Path.Combine(root, "Lib");
        Directory.CreateDirectory(library);
        File.WriteAllText(Path.Combine(library, "Lib.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <DarknetMirror>{mirror}</DarknetMirror>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Darknet.Build" Version="{_fixture.Version}" PrivateAssets="all" />
                <DarknetModel Include="yolov3-tiny" Sha256="{_fixture.Tiny.Sha256}" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(library, "Lib.cs"), "namespace Lib; public static class Models { public const string File = \"yolov3-tiny.npy\"; }\n");
        var app = _fixture.CreateProject("LibraryApp", cache, """<ProjectReference Include="../Lib/Lib.csproj" />""", directory: Path.Combine(root, "App"));

        var (result, log) = BuildLogged(app);

        Succeeded(result);
        var libraryObj = Path.Combine(library, "obj", "Debug", "net10.0", "darknet", "yolov3-tiny.npy");
        var appBin = Path.Combine(app.BinDirectory, "yolov3-tiny.npy");
        Assert.True(File.Exists(appBin), "the library's model reached the app's bin/:\n" + result);
        Assert.Equal(File.ReadAllBytes(libraryObj), File.ReadAllBytes(appBin));
        Assert.True(IndexOf(log, Started) < IndexOf(log, Waited), log);
    }
}
