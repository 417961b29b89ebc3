using System.Runtime.CompilerServices;
using Microsoft.Build.Locator;

namespace Darknet.Build.Tests.Infrastructure;

/// <summary>
/// The tests that evaluate projects or run the tasks in process take MSBuild's assemblies from the SDK. The locator must
/// be registered before any of them is loaded, and test classes run in parallel: registering from each class's
/// constructor raced ("assemblies were already loaded" when another class got there first), so it happens once, when
/// this assembly is loaded.
/// </summary>
internal static class MsBuildRegistration
{
#pragma warning disable CA2255 // a module initializer is the one place that runs before every test class
    [ModuleInitializer]
    internal static void Register()
    {
        if (!MSBuildLocator.IsRegistered) MSBuildLocator.RegisterDefaults();
    }
#pragma warning restore CA2255
}
