namespace Darknet.Build.Tests.EndToEnd;

/// <summary>
/// `dotnet pack src/Darknet.Build` on a copy of the sources (so the pack never races the solution's own bin/ and obj/),
/// with a version unique to the test run.
/// </summary>
public static class PackedPackage
{
    public static DotnetResult Pack(string sourceCopy, string feed, string version)
    {
        var repo = RepositoryRoot();
        CopyTree(Path.Combine(repo, "build"), Path.Combine(sourceCopy, "build"));
        CopyTree(Path.Combine(repo, "src", "Darknet.Build"), Path.Combine(sourceCopy, "src", "Darknet.Build"));
        CopyTree(Path.Combine(repo, "src", "Darknet.Cache"), Path.Combine(sourceCopy, "src", "Darknet.Cache"));
        CopyTree(Path.Combine(repo, "src", "Darknet.Weights"), Path.Combine(sourceCopy, "src", "Darknet.Weights"));
        File.Copy(Path.Combine(repo, "Directory.Build.props"), Path.Combine(sourceCopy, "Directory.Build.props"));

        var result = DotnetCli.Run(sourceCopy, new Dictionary<string, string>(),
            "pack", Path.Combine("src", "Darknet.Build"), "-c", "Release", "-o", feed, "-p:Version=" + version,
            "-nodeReuse:false", "--disable-build-servers", "-v:m");
        var package = Path.Combine(feed, $"Darknet.Build.{version}.nupkg");
        if (result.ExitCode != 0 || !File.Exists(package))
            throw new InvalidOperationException("Packing Darknet.Build failed:\n" + result);
        return result;
    }

    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Darknet.Build.sln"))) return dir.FullName;
        throw new InvalidOperationException("Darknet.Build.sln not found above " + AppContext.BaseDirectory);
    }

    public static void CopyTree(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from))
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        foreach (var dir in Directory.GetDirectories(from))
        {
            var name = Path.GetFileName(dir);
            if (name is "bin" or "obj") continue;
            CopyTree(dir, Path.Combine(to, name));
        }
    }
}
