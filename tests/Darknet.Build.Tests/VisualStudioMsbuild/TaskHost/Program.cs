using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Versioning;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

// usage: TaskHost.exe TASKS_DLL PROJECT_DIR CACHE_DIR MIRROR_URL OFFLINE(true|false) MODEL SHA256
// Resolves and acquires one built-in <DarknetModel> with the net472 tasks, then reads the output back with the
// Darknet.Weights beside the tasks. Exit 0 only when both tasks succeeded and the output reads back.
internal static class Program
{
    private static int Main(string[] args)
    {
        var tasksPath = Path.GetFullPath(args[0]);
        var projectDir = Path.GetFullPath(args[1]);
        var cacheDir = args[2];
        var mirror = args[3] == "-" ? "" : args[3];   // "-": no $(DarknetMirror)
        var offline = bool.Parse(args[4]);
        var modelName = args[5];
        var sha256 = args[6];

        var mono = Type.GetType("Mono.Runtime");
        var monoVersion = mono?.GetMethod("GetDisplayName", BindingFlags.NonPublic | BindingFlags.Static)?.Invoke(null, null);
        Console.WriteLine($"host: {(mono != null ? "Mono " + monoVersion : ".NET Framework")}, CLR {Environment.Version}");

        // What Visual Studio's MSBuild does with <UsingTask AssemblyFile=…>.
        var tasks = Assembly.LoadFrom(tasksPath);
        Console.WriteLine($"loaded: {tasks.GetName().Name} {tasks.GetName().Version} for {tasks.GetCustomAttribute<TargetFrameworkAttribute>()?.FrameworkName}");
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
        bool resolved = resolve.Execute();
        var models = (ITaskItem[])Get(resolve, "ResolvedModels");
        Console.WriteLine($"resolve: {(resolved ? "succeeded" : "failed")}, {models.Length} item(s)");
        foreach (var model in models)
            Console.WriteLine($"  {model.ItemSpec} As={model.GetMetadata("As")} OutputName={model.GetMetadata("OutputName")}");
        if (!resolved) return 1;

        var acquire = Create(tasks, "Darknet.Build.Tasks.AcquireDarknetModels", engine);
        Set(acquire, "Models", models);
        Set(acquire, "CacheDirectory", cacheDir);
        Set(acquire, "Mirror", mirror);
        // MSBuild hands the task what the .targets write: $(DarknetOffline) and $(DarknetAllowHttp) as text.
        Set(acquire, "Offline", offline ? "true" : "false");
        Set(acquire, "AllowHttp", "true");
        bool acquired = acquire.Execute();
        Console.WriteLine($"acquire: {(acquired ? "succeeded" : "failed")} (offline={offline})");
        if (!acquired) return 1;

        var output = models[0].ItemSpec;
        Console.WriteLine($"output: {output} {new FileInfo(output).Length} bytes");

        // The public reader, from the Darknet.Weights.dll the package puts beside the tasks.
        var weights = Assembly.LoadFrom(Path.Combine(Path.GetDirectoryName(tasksPath), "Darknet.Weights.dll"));
        var modelFile = weights.GetType("Darknet.Weights.ModelFile", throwOnError: true);
        var file = modelFile.GetMethod("Load", new[] { typeof(string) }).Invoke(null, new object[] { output });
        var layers = (IList)modelFile.GetProperty("Layers").GetValue(file);
        var first = layers[0];
        var kernel = first.GetType().GetProperty("Weights").GetValue(first);
        var memory = kernel.GetType().GetProperty("Memory").GetValue(kernel); // ReadOnlyMemory<float>: needs System.Memory
        var length = (int)memory.GetType().GetProperty("Length").GetValue(memory);
        Console.WriteLine($"read back: {layers.Count} layers, first {first} weights {kernel} ({length} floats)");
        return 0;
    }

    private static ITask Create(Assembly tasks, string typeName, IBuildEngine engine)
    {
        var task = (ITask)Activator.CreateInstance(tasks.GetType(typeName, throwOnError: true));
        task.BuildEngine = engine;
        return task;
    }

    private static void Set(object task, string name, object value) => task.GetType().GetProperty(name).SetValue(task, value);

    private static object Get(object task, string name) => task.GetType().GetProperty(name).GetValue(task);
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
