using Darknet.Testing;
using Darknet.Cache.Download;
using Xunit;

namespace Darknet.Build.Tests.Cache.Download;

/// <summary>
/// A partial's metadata file must stay readable across versions: a partial left by an earlier version of the tool is
/// resumed, and what this version writes is what that earlier version wrote.
/// </summary>
public sealed class PartialDownloadTests : IDisposable
{
    private const string Url = "https://example.invalid/weights/yolo v3.weights?token=a\"b\\c";
    private const long Size = 1000;

    /// <summary>Written by the metadata writer that preceded the shared JSON codec, for <see cref="Url"/>, an ETag and <see cref="Size"/>.</summary>
    private const string EarlierMetadata = "{\"url\":\"https://example.invalid/weights/yolo v3.weights?token=a\\\"b\\\\c\",\"validator\":\"\\\"v1-3e8\\\"\",\"size\":1000}\n";

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private string PartialPath => _temp.Combine("net.weights.dkn-partial");

    [Fact]
    public void Metadata_written_by_the_earlier_writer_resumes_with_its_validator()
    {
        File.WriteAllBytes(PartialPath, new byte[100]);
        File.WriteAllText(PartialDownload.MetadataPathFor(PartialPath), EarlierMetadata);

        var partial = PartialDownload.Open(PartialPath, Url, Size, hashWillCheck: false, withSha1: false);

        Assert.True(partial.FromEarlierRun);
        Assert.True(partial.Resumable);
        Assert.Equal("\"v1-3e8\"", partial.Validator);
        Assert.Equal(100, partial.Length);
    }

    [Fact]
    public void Metadata_written_now_is_what_the_earlier_writer_wrote()
    {
        var partial = PartialDownload.Open(PartialPath, Url, Size, hashWillCheck: false, withSha1: false);

        partial.StartOver("\"v1-3e8\"");

        Assert.Equal(EarlierMetadata, File.ReadAllText(partial.MetadataPath));
    }

    [Fact]
    public void A_last_modified_validator_and_a_null_one_are_read_back()
    {
        var writer = PartialDownload.Open(PartialPath, Url, Size, hashWillCheck: true, withSha1: false);
        writer.StartOver("Tue, 08 Dec 2026 02:00:00 GMT");
        File.WriteAllBytes(PartialPath, new byte[10]);

        Assert.Equal("Tue, 08 Dec 2026 02:00:00 GMT", PartialDownload.Open(PartialPath, Url, Size, hashWillCheck: false, withSha1: false).Validator);

        writer.StartOver(validator: null);
        File.WriteAllBytes(PartialPath, new byte[10]);
        var unvalidated = PartialDownload.Open(PartialPath, Url, Size, hashWillCheck: true, withSha1: false);
        Assert.True(unvalidated.FromEarlierRun);
        Assert.Null(unvalidated.Validator);
    }

    [Theory]
    [InlineData("{\"url\":\"https://example.invalid/other.weights\",\"validator\":\"\\\"v1\\\"\",\"size\":1000}")]
    [InlineData("{\"url\":\"https://example.invalid/weights/yolo v3.weights?token=a\\\"b\\\\c\",\"validator\":\"\\\"v1\\\"\",\"size\":999}")]
    [InlineData("{\"url\":\"https://example.invalid/weights/yolo v3.weights?token=a\\\"b\\\\c\",\"validator\":\"\\\"v1\\\"\"")]
    [InlineData("not json")]
    [InlineData("[]")]
    public void A_partial_whose_metadata_names_another_download_or_is_unreadable_is_started_again(string metadata)
    {
        File.WriteAllBytes(PartialPath, new byte[100]);
        File.WriteAllText(PartialDownload.MetadataPathFor(PartialPath), metadata);

        var partial = PartialDownload.Open(PartialPath, Url, Size, hashWillCheck: false, withSha1: false);

        Assert.False(partial.FromEarlierRun);
        Assert.False(File.Exists(PartialPath));
    }
}
