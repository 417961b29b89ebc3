using Xunit;

namespace Darknet.TestSupport;

/// <summary>
/// The workplace's ../shared folder (real upstream cfg files, format docs). It sits beside the repository here and in CI,
/// but a clone elsewhere has none: tests that need it call <see cref="RequireCfgDirectory"/> and skip there, saying why.
/// </summary>
public static class SharedFiles
{
    private static readonly Lazy<string?> Root = new(FindRoot);

    public static string? CfgDirectory => Root.Value is { } root ? Path.Combine(root, "darknet", "cfg") : null;

    public static string RequireCfgDirectory()
    {
        Skip.If(CfgDirectory is null, "../shared/darknet/cfg is not beside this clone (it is in the workplace and in CI)");
        return CfgDirectory!;
    }

    public static string RequireCfg(string fileName) => Path.Combine(RequireCfgDirectory(), fileName);

    public static IEnumerable<string> CfgFileNames()
    {
        var dir = CfgDirectory;
        if (dir is null) return new[] { "(shared cfg folder missing)" };
        return Directory.GetFiles(dir, "*.cfg").Select(Path.GetFileName).OrderBy(n => n, StringComparer.Ordinal)!;
    }

    private static string? FindRoot()
    {
        var env = Environment.GetEnvironmentVariable("DARKNET_SHARED_DIR");
        if (!string.IsNullOrEmpty(env) && Directory.Exists(Path.Combine(env, "darknet", "cfg"))) return env;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared");
            if (Directory.Exists(Path.Combine(candidate, "darknet", "cfg"))) return candidate;
        }
        return null;
    }
}
