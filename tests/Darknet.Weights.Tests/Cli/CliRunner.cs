using System.Diagnostics;
using Darknet.Cli;

namespace Darknet.Weights.Tests.Cli;

internal static class CliRunner
{
    /// <summary>Runs the CLI's entry in this process.</summary>
    public static (int Exit, string Stdout, string Stderr) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int exit = Program.Run(args, stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    /// <summary>Runs the built darknet.dll (copied next to this test assembly by the project reference) as a real process.</summary>
    public static (int Exit, string Stdout, string Stderr) RunProcess(params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "darknet.dll");
        if (!File.Exists(dll)) throw new FileNotFoundException("the CLI is not beside the test assembly", dll);
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (string.IsNullOrEmpty(dotnet) || !File.Exists(dotnet)) dotnet = "dotnet";
        var psi = new ProcessStartInfo(dotnet) { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add("exec");
        psi.ArgumentList.Add(dll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("darknet did not finish in 5 minutes");
        }
        return (process.ExitCode, stdout.Result, stderr.Result);
    }
}
