using System.Collections;
using System.Reflection;
using System.Runtime.Loader;
using System.Runtime.Versioning;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

// usage: WinHost.exe acquire TASKS_DLL PROJECT_DIR CACHE_DIR MIRROR_URL OFFLINE(true|false) MODEL SHA256
//        WinHost.exe hold FILE SHARE(None|Read|ReadDelete) RELEASE_FILE
internal static class Program
{
    private static int Main(string[] args)
    {
        try
        {
            return args[0] switch
            {
                "acquire" => Acquire(args[1], args[2], args[3], args[4], bool.Parse(args[5]), args[6], args[7]),
                "hold" => Hold(args[1], args[2], args[3]),
                _ => 2,
            };
        }
        catch (Exception e)
        {
            // Not unhandled: under Wine that would start winedbg.
            Console.Error.WriteLine("WinHost: " + e);
            return 3;
        }
    }

    /// <summary>Opens FILE for reading with the given sharing, says "held", and keeps it open until RELEASE_FILE appears.</summary>
    private static int Hold(string file, string share, string release)
    {
        var sharing = share switch
        {
            "None" => FileShare.None,
            "Read" => FileShare.Read,
            "ReadDelete" => FileShare.Read | FileShare.Delete,
            _ => throw new ArgumentException("unknown sharing " + share),
        };
        using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, sharing);
        Console.WriteLine("held");
        Console.Out.Flush();
        var until = DateTime.UtcNow.AddMinutes(2);
        while (!File.Exists(release) && DateTime.UtcNow < until) Thread.Sleep(50);
        Console.WriteLine("released after reading " + stream.ReadByte());
        return 0;
    }

    private static int Acquire(string tasksPath, string projectDir, string cacheDir, string mirror, bool offline, string modelName, string sha256)
    {
        Console.WriteLine($"host: {RuntimeInformationText()}");
        // MSBuild on .NET loads a UsingTask's AssemblyFile into a load context of its own that resolves from that folder.
        var context = new TaskLoadContext(Path.GetFullPath(tasksPath));
        var tasks = context.LoadFromAssemblyPath(Path.GetFullPath(tasksPath));
        Console.WriteLine($"loaded: {tasks.GetName().Name} for {tasks.GetCustomAttribute<TargetFrameworkAttribute>()?.FrameworkName}");
        var engine = new HostEngine(Path.Combine(projectDir, "App.csproj"));

        var item = new TaskItem(modelName);
        item.SetMetadata("As", "Content");
        item.SetMetadata("Format", "npy");
        item.SetMetadata("CopyToOutputDirectory", "PreserveNewest");
        item.SetMetadata("Sha256", sha256);

        var resolve = Create(tasks, "Darknet.Build.Tasks.ResolveDarknetModels", engine);
        Set(resolve, "Models", new ITaskItem[] { item });
        Set(resolve, "IntermediateDirectory", Path.Combine(projectDir, "obj", "darknet") + Path.DirectorySeparatorChar);
        Set(resolve, "ProjectDirectory", projectDir);
        var resolved = resolve.Execute();
        var models = (ITaskItem[])Get(resolve, "ResolvedModels");
        Console.WriteLine($"resolve: {(resolved ? "succeeded" : "failed")}, {models.Length} item(s)");
        if (!resolved) return 1;

        var acquire = Create(tasks, "Darknet.Build.Tasks.AcquireDarknetModels", engine);
        Set(acquire, "Models", models);
        Set(acquire, "CacheDirectory", cacheDir);
        Set(acquire, "Mirror", mirror == "-" ? "" : mirror);
        Set(acquire, "Offline", offline ? "true" : "false");
        Set(acquire, "AllowHttp", "true");
        var acquired = acquire.Execute();
        Console.WriteLine($"acquire: {(acquired ? "succeeded" : "failed")} (offline={offline})");
        if (!acquired) return 1;
        Console.WriteLine($"output: {models[0].ItemSpec} {new FileInfo(models[0].ItemSpec).Length} bytes");
        return 0;
    }

    private static string RuntimeInformationText() =>
        $"{System.Runtime.InteropServices.RuntimeInformation.OSDescription}, {System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription}";

    private static ITask Create(Assembly tasks, string typeName, IBuildEngine engine)
    {
        var task = (ITask)Activator.CreateInstance(tasks.GetType(typeName, throwOnError: true)!)!;
        task.BuildEngine = engine;
        return task;
    }

    private static void Set(object task, string name, object value) => task.GetType().GetProperty(name)!.SetValue(task, value);

    private static object Get(object task, string name) => task.GetType().GetProperty(name)!.GetValue(task)!;
}

/// <summary>Resolves the task assembly's dependencies (Darknet.Cache, Darknet.Weights) from its folder; MSBuild's own from the host.</summary>
internal sealed class TaskLoadContext : AssemblyLoadContext
{
    private readonly AssemblyDependencyResolver _resolver;
    private readonly string _directory;

    public TaskLoadContext(string tasksPath) : base("Darknet.Build tasks")
    {
        _resolver = new AssemblyDependencyResolver(tasksPath);
        _directory = Path.GetDirectoryName(tasksPath)!;
    }

    protected override Assembly Load(AssemblyName name)
    {
        if (name.Name!.StartsWith("Microsoft.Build", StringComparison.Ordinal)) return null;
        var path = _resolver.ResolveAssemblyToPath(name) ?? Path.Combine(_directory, name.Name + ".dll");
        return File.Exists(path) ? LoadFromAssemblyPath(path) : null;
    }
}

/// <summary>The part of MSBuild a task sees: where its log events go. Every event is printed, errors with their code.</summary>
internal sealed class HostEngine : IBuildEngine
{
    public HostEngine(string projectFile) => ProjectFileOfTaskNode = projectFile;

    public bool ContinueOnError => false;
    public int LineNumberOfTaskNode => 0;
    public int ColumnNumberOfTaskNode => 0;
    public string ProjectFileOfTaskNode { get; }

    public void LogErrorEvent(BuildErrorEventArgs e) => Console.WriteLine($"error {e.Code}: {e.Message}");
    public void LogWarningEvent(BuildWarningEventArgs e) => Console.WriteLine($"warning {e.Code}: {e.Message}");
    public void LogMessageEvent(BuildMessageEventArgs e) => Console.WriteLine($"message ({e.Importance}): {e.Message}");
    public void LogCustomEvent(CustomBuildEventArgs e) => Console.WriteLine($"custom: {e.Message}");

    public bool BuildProjectFile(string projectFileName, string[] targetNames, IDictionary globalProperties, IDictionary targetOutputs) =>
        throw new NotSupportedException("the Darknet tasks build no other project");
}
