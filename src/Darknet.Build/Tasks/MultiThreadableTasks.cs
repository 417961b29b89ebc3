#if NET10_0_OR_GREATER
using System.IO;
using Microsoft.Build.Framework;

namespace Darknet.Build.Tasks;

// The tasks' face for MSBuild 18.9 and later (the net10.0 build; the .targets pick it there): thread-safe, so -mt runs
// them in the build's process rather than in a task host. The acquire step reads the project's environment through
// TaskEnvironment; the other tasks read none and are given absolute paths only. Nothing is kept across builds but
// HttpClientPool's clients, keyed by everything that decides where a request goes and with which proxy credentials.

[MSBuildMultiThreadableTask]
public sealed partial class AcquireDarknetModels : IMultiThreadableTask
{
    /// <summary>Set by MSBuild: the project's environment variables and folder.</summary>
    public TaskEnvironment TaskEnvironment { get; set; } = null!;

    private BuildEnvironment CurrentEnvironment() => TaskEnvironment is { } environment
        ? BuildEnvironment.Of(environment.GetEnvironmentVariables(), path => Path.GetFullPath(environment.GetAbsolutePath(path).Value))
        : BuildEnvironment.OfProcess();
}

[MSBuildMultiThreadableTask]
public sealed partial class ResolveDarknetModels;

[MSBuildMultiThreadableTask]
public sealed partial class WaitForDarknetModels;

[MSBuildMultiThreadableTask]
public sealed partial class ShowDarknetModelProgress;
#else
namespace Darknet.Build.Tasks;

// MSBuild 17 (Visual Studio's, older dotnet SDKs) has no TaskEnvironment: the process's environment is the build's.
public sealed partial class AcquireDarknetModels
{
    private static BuildEnvironment CurrentEnvironment() => BuildEnvironment.OfProcess();
}
#endif
