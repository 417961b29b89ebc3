using System.Security;

namespace Darknet.Build.Tests.EndToEnd;

/// <summary>A temporary net10.0 console project that references the packed Darknet.Build, with its own nuget.config.</summary>
public sealed class TestProject
{
    private readonly EndToEndFixture _fixture;

    private TestProject(EndToEndFixture fixture, string directory, string name, string cacheDirectory)
    {
        _fixture = fixture;
        Directory = directory;
        Name = name;
        CacheDirectory = cacheDirectory;
    }

    public string Directory { get; }
    public string Name { get; }
    public string CacheDirectory { get; }
    public string ProjectPath => Path.Combine(Directory, Name + ".csproj");
    public string BinDirectory => Path.Combine(Directory, "bin", "Debug", "net10.0");
    public string ObjModelDirectory => Path.Combine(Directory, "obj", "Debug", "net10.0", "darknet");

    public static TestProject Create(EndToEndFixture fixture, string directory, string name, string cacheDirectory, string items, string properties)
    {
        var project = new TestProject(fixture, directory, name, cacheDirectory);
        System.IO.Directory.CreateDirectory(directory);
        File.WriteAllText(project.ProjectPath, $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
                {properties}
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Darknet.Build" Version="{fixture.Version}" />
              </ItemGroup>
              <ItemGroup>
                {items}
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(directory, "Program.cs"),
            "foreach (var name in typeof(Program).Assembly.GetManifestResourceNames()) Console.WriteLine(name);\n");
        WriteNuGetConfig(fixture, directory);
        return project;
    }

    /// <summary>Only the freshly packed feed: a net10.0 console app needs nothing else.</summary>
    public static void WriteNuGetConfig(EndToEndFixture fixture, string directory) =>
        File.WriteAllText(Path.Combine(directory, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="e2e" value="{SecurityElement.Escape(fixture.FeedDirectory)}" />
              </packageSources>
            </configuration>
            """);

    public DotnetResult Build(params string[] arguments) => Dotnet("build", ProjectPath, arguments);
    public DotnetResult Publish(string outputDirectory) => Dotnet("publish", ProjectPath, new[] { "-o", outputDirectory });
    public DotnetResult Clean() => Dotnet("clean", ProjectPath, Array.Empty<string>());
    public DotnetResult Msbuild(params string[] arguments) => Dotnet("msbuild", ProjectPath, arguments);

    public DotnetResult Dotnet(string command, string target, string[] arguments) =>
        Run(_fixture, Directory, CacheDirectory, new[] { command, target }.Concat(arguments).ToArray());

    public static DotnetResult Run(EndToEndFixture fixture, string directory, string cacheDirectory, params string[] arguments) =>
        Run(fixture, directory, cacheDirectory, arguments, whileRunning: null);

    public static DotnetResult Run(EndToEndFixture fixture, string directory, string cacheDirectory, string[] arguments, Action<int>? whileRunning) =>
        DotnetCli.Run(directory, new Dictionary<string, string>
        {
            ["NUGET_PACKAGES"] = fixture.PackagesDirectory,
            ["DARKNET_CACHE_DIR"] = cacheDirectory,
        }, arguments.Concat(arguments[0] is "build" or "publish"
            ? new[] { "-nodeReuse:false", "--disable-build-servers", "-v:m" }
            : new[] { "-nodeReuse:false", "-v:m" }).ToArray(), whileRunning);
}
