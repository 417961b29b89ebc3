namespace Darknet.Build.Tests.EndToEnd;

/// <summary>
/// `dotnet pack src/Darknet.Build` on a copy of the sources (so the pack never races the solution's own bin/ and obj/),
/// with a version unique to the test run.
/// </summary>
public static class PackedPackage
{
    public static DotnetResult Pack(string sourceCopy, string feed, string version)
    {
        CopySources(sourceCopy);

        var result = DotnetCli.Run(sourceCopy, new Dictionary<string, string>(),
            "pack", Path.Combine("src", "Darknet.Build"), "-c", "Release", "-o", feed, "-p:Version=" + version,
            "-nodeReuse:false", "--disable-build-servers", "-v:m");
        var package = Path.Combine(feed, $"Darknet.Build.{version}.nupkg");
        if (result.ExitCode != 0 || !File.Exists(package))
            throw new InvalidOperationException("Packing Darknet.Build failed:\n" + result);
        return result;
    }

    /// <summary>
    /// Copies what a build of the packages needs (build/, all of src/ without bin/ and obj/, Directory.Build.props) and
    /// the repository-relative <paramref name="extra"/> files and folders (a sample, say) to <paramref name="destination"/>.
    /// </summary>
    public static void CopySources(string destination, params string[] extra)
    {
        var repo = RepositoryRoot();
        foreach (var part in new[] { "build", "src" }.Concat(extra))
        {
            var from = Path.Combine(repo, part);
            var to = Path.Combine(destination, part);
            if (Directory.Exists(from)) CopyTree(from, to);
            else
            {
                Directory.CreateDirectory(Path.GetDirectoryName(to)!);
                File.Copy(from, to);
            }
        }
        File.Copy(Path.Combine(repo, "Directory.Build.props"), Path.Combine(destination, "Directory.Build.props"));
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
