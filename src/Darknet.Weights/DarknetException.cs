using System;

namespace Darknet.Weights
{
    /// <summary>
    /// Every failure the library reports on purpose: bad cfg, bad weights, bad .npy.
    /// <see cref="Code"/> is a stable DKN#### code that the CLI prints and the MSBuild task logs as the error code.
    /// </summary>
    public sealed class DarknetException : Exception
    {
        public DarknetException(string code, string message, Exception? inner = null)
            : base(message, inner)
        {
            Code = code;
        }

        public string Code { get; }

        public override string ToString() => Code + ": " + Message;
    }
}
