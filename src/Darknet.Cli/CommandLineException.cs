namespace Darknet.Cli;

/// <summary>A bad command line of a <c>darknet</c> command: DKN2009, exit code 2.</summary>
internal sealed class CommandLineException : System.Exception
{
    public CommandLineException(string message) : base(message)
    {
    }
}
