namespace Darknet.Cli;

/// <summary>A bad command line of <c>darknet cache</c> or <c>darknet fetch</c>: DKN2009, exit code 2.</summary>
internal sealed class CommandLineException : System.Exception
{
    public CommandLineException(string message) : base(message)
    {
    }
}
