#if !NET
namespace System.Diagnostics.CodeAnalysis;

// netstandard2.0 lacks it; the compiler honours this internal copy for callers' nullable analysis.
[AttributeUsage(AttributeTargets.Parameter, Inherited = false)]
internal sealed class NotNullWhenAttribute : Attribute
{
    public NotNullWhenAttribute(bool returnValue) => ReturnValue = returnValue;

    public bool ReturnValue { get; }
}
#endif
