using System.Reflection;

namespace Darknet.Weights;

/// <summary>"Darknet.Weights 1.2.3+abc": what files this library writes say produced them.</summary>
internal static class LibraryVersion
{
    public static string Informational
    {
        get
        {
            var assembly = typeof(LibraryVersion).Assembly;
            return assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? assembly.GetName().Version?.ToString() ?? "";
        }
    }
}
