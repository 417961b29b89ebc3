using System;
using Darknet.Weights;

namespace Darknet.Cache.Download;

/// <summary>An attempt failed in a way worth retrying on the same URL (408, 429, 5xx, broken connection, stall).</summary>
internal sealed class RetryableFailure : Exception
{
    public RetryableFailure(DarknetException error, TimeSpan? retryAfter = null)
        : base(error.Message, error)
    {
        Error = error;
        RetryAfter = retryAfter;
    }

    public DarknetException Error { get; }
    public TimeSpan? RetryAfter { get; }
}
