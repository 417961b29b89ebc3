using Xunit;

namespace Darknet.Testing;

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

    /// <summary>AlexeyAB's cfgs (YOLOv4, v7, …) in ../shared/darknet/cfg-alexeyab.</summary>
    public static string? AlexeyAbCfgDirectory => Root.Value is { } root ? Path.Combine(root, "darknet", "cfg-alexeyab") : null;

    public static string RequireAlexeyAbCfg(string fileName)
    {
        var dir = AlexeyAbCfgDirectory;
        Skip.If(dir is null || !Directory.Exists(dir), "../shared/darknet/cfg-alexeyab is not beside this clone (it is in the workplace and in CI)");
        return Path.Combine(dir!, fileName);
    }

    /// <summary>darknet's data folder in ../shared/darknet/data (coco.names, openimages.names, voc.names, dog.jpg).</summary>
    public static string? DataDirectory => Root.Value is { } root ? Path.Combine(root, "darknet", "data") : null;

    public static string RequireData(string fileName)
    {
        var dir = DataDirectory;
        Skip.If(dir is null || !Directory.Exists(dir), "../shared/darknet/data is not beside this clone (it is in the workplace and in CI)");
        return Path.Combine(dir!, fileName);
    }

    public static IEnumerable<string> AlexeyAbCfgFileNames()
    {
        var dir = AlexeyAbCfgDirectory;
        if (dir is null || !Directory.Exists(dir)) return new[] { "(shared cfg-alexeyab folder missing)" };
        return Directory.GetFiles(dir, "*.cfg").Select(Path.GetFileName).OrderBy(n => n, StringComparer.Ordinal)!;
    }

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
