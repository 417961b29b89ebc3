using Darknet.Build.Tests.Infrastructure;
using Xunit;
using Darknet.Testing;

namespace Darknet.Build.Tests.EndToEnd;

[CollectionDefinition(Name)]
public sealed class EndToEndCollection : ICollectionFixture<EndToEndFixture>
{
    public const string Name = "EndToEnd";
}

/// <summary>
/// Shared by every end-to-end test of a run: the package packed once (unique version, restored into a packages folder
/// of its own, so no stale copy in ~/.nuget/packages can be used), the loopback weights server, and synthetic weights.
/// </summary>
public sealed class EndToEndFixture : IDisposable
{
    private readonly TempDirectory _root = new("darknet-e2e");
    private readonly Lazy<SyntheticWeights> _tiny = new(() => SyntheticWeights.ForBuiltIn("yolov3-tiny"));
    private int _projects;

    public EndToEndFixture()
    {
        Version = "0.1.0-e2e" + DateTime.UtcNow.ToString("yyyyMMddHHmmss");
        FeedDirectory = _root.Combine("feed");
        PackagesDirectory = _root.Combine("packages");
        PackResult = PackedPackage.Pack(_root.Combine("source"), FeedDirectory, Version);
    }

    public string Version { get; }
    public string FeedDirectory { get; }
    public string PackagesDirectory { get; }
    public DotnetResult PackResult { get; }
    public WeightsServer Server { get; } = new();

    /// <summary>yolov3-tiny.weights of the real size (35 MB): the model most tests use.</summary>
    public SyntheticWeights Tiny => _tiny.Value;

    public string NewDirectory(string name)
    {
        var path = _root.Combine("work", name + "-" + Interlocked.Increment(ref _projects));
        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>Serves the tiny weights under "{prefix}/yolov3-tiny.weights" and returns the mirror URL for that prefix.</summary>
    public string ServeTiny(string prefix)
    {
        Server.Serve(prefix + "/" + Tiny.FileName, Tiny.Bytes);
        return Server.Url(prefix + "/");
    }

    public TestProject CreateProject(string name, string cacheDirectory, string items, string properties = "", string? directory = null) =>
        TestProject.Create(this, directory ?? NewDirectory(name), name, cacheDirectory, items, properties);

    public void Dispose()
    {
        Server.Dispose();
        _root.Dispose();
    }
}
