using System;

namespace Darknet.Weights;

/// <summary>
/// Every failure the library reports on purpose: a bad cfg, bad weights, a file that is not a converted model.
/// <see cref="Code"/> is a stable <c>DKN####</c> code (the README's error table lists each one, with its fix); the
/// command line prints it and the MSBuild task logs it as the error code.
/// </summary>
public sealed class DarknetException : Exception
{
    internal DarknetException(string code, string message, Exception? inner = null)
        : base(message, inner)
    {
        Code = code;
    }

    /// <summary>The error code, such as <c>DKN3001</c> (not a numpy file) or <c>DKN3006</c> (cannot be opened).</summary>
    public string Code { get; }

    /// <summary>The code and the message, as the command line prints them: <c>DKN3001: …</c>.</summary>
    /// <returns>The code, a colon and the message.</returns>
    public override string ToString() => Code + ": " + Message;
}
