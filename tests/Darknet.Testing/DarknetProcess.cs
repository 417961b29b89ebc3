using System.Diagnostics;

namespace Darknet.Testing;

/// <summary>
/// <see cref="ProcessRun"/> configured for the built CLI: darknet.dll, copied beside the test assembly by its project
/// reference, under <c>dotnet exec</c> (which runs the app in the host process, so the process id is darknet's own).
/// </summary>
public static class DarknetProcess
{
    public static ProcessRun.Result Run(ProcessRun.Options options, params string[] args) => ProcessRun.Run(options, Dotnet(), Exec(args));

    /// <summary>Started for a test that acts while it runs: the caller reads both streams and waits.</summary>
    public static Process Start(ProcessRun.Options options, params string[] args) => ProcessRun.Start(options, Dotnet(), Exec(args));

    private static string[] Exec(string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "darknet.dll");
        if (!File.Exists(dll)) throw new FileNotFoundException("the CLI is not beside the test assembly", dll);
        return new[] { "exec", dll }.Concat(args).ToArray();
    }

    private static string Dotnet()
    {
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        return string.IsNullOrEmpty(dotnet) || !File.Exists(dotnet) ? "dotnet" : dotnet;
    }
}
