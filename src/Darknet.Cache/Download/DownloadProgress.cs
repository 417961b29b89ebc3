using Darknet.Weights.IO;

namespace Darknet.Cache.Download;

/// <summary>A progress report: which file from which URL (credentials shown as ***@), bytes so far (including resumed ones), total, percent (multiple of 10).</summary>
public sealed class DownloadProgress
{
    public DownloadProgress(string fileName, string url, long bytesReceived, long totalBytes, int percent)
    {
        FileName = fileName;
        Url = url;
        BytesReceived = bytesReceived;
        TotalBytes = totalBytes;
        Percent = percent;
    }

    public string FileName { get; }
    public string Url { get; }
    public long BytesReceived { get; }
    public long TotalBytes { get; }
    public int Percent { get; }

    public override string ToString() =>
        "Downloading " + FileName + ": " + Percent + "% (" + Megabytes.Format(BytesReceived) + " of " + Megabytes.Format(TotalBytes) + ") from " + Url;
}
