using System.Text;
using Darknet.Weights.Tests.Conversion;
using Xunit;
using Darknet.Testing;

namespace Darknet.Weights.Tests.Weights;

public class WeightsHeaderTests
{
    [Theory]
    [InlineData(0, 2, 0, 20, false)] // yolov3.weights
    [InlineData(0, 1, 0, 16, false)] // yolov2.weights
    [InlineData(0, 0, 0, 16, false)]
    [InlineData(1, 0, 0, 20, false)]
    [InlineData(0, 1000, 0, 16, false)] // minor < 1000 guard: 1000 is not below it
    [InlineData(999, 0, 0, 20, false)]
    [InlineData(1000, 0, 0, 16, false)]
    [InlineData(1001, 0, 0, 16, true)]
    [InlineData(0, 1001, 0, 16, true)]
    public void SizeAndTransposeFollowDarknetsVersionRule(int major, int minor, int revision, int size, bool transpose)
    {
        var bytes = SyntheticWeights.Header(major, minor, revision, seen: 123456);
        Assert.Equal(size, bytes.Length);
        using var stream = new MemoryStream(bytes.Concat(new byte[8]).ToArray());

        var header = WeightsHeader.Read(stream);

        Assert.Equal((major, minor, revision, 123456L), (header.Major, header.Minor, header.Revision, header.Seen));
        Assert.Equal(size, header.Size);
        Assert.Equal(transpose, header.TransposeConnected);
        Assert.Equal(size, stream.Position);
    }

    [Fact]
    public void SeenIsInt64InTheLongHeader()
    {
        var header = WeightsHeader.Read(new MemoryStream(SyntheticWeights.Header(0, 2, 0, seen: 5_000_000_000)));
        Assert.Equal(5_000_000_000, header.Seen);
    }

    [Theory]
    [InlineData(0, 16)]
    [InlineData(3, 16)]
    [InlineData(11, 16)]
    [InlineData(19, 20)] // version 0.2 promises 20 bytes
    public void FileShorterThanItsHeaderIsHeaderTooShort(int length, int needed)
    {
        var bytes = SyntheticWeights.Header(0, 2, 0).Take(length).ToArray();

        var e = Assert.Throws<DarknetException>(() => WeightsHeader.Read(new MemoryStream(bytes)));

        Assert.Equal(ErrorCodes.HeaderTooShort, e.Code);
        Assert.Contains($"holds {length} byte", e.Message);
        Assert.Contains($"needs {needed}", e.Message);
    }

    [Theory]
    [InlineData("<!DOCTYPE html><html><head><title>404 Not Found</title></head></html>")]
    [InlineData("\n  <html lang=\"en\"><body>Moved</body></html>")]
    [InlineData("<html>")]
    public void HtmlPageIsNotAWeightsFileAndSaysSo(string page)
    {
        var e = Assert.Throws<DarknetException>(() => WeightsHeader.Read(new MemoryStream(Encoding.UTF8.GetBytes(page))));
        Assert.Equal(ErrorCodes.NotAWeightsFile, e.Code);
        Assert.Contains("HTML page", e.Message);
    }

    [Theory]
    [InlineData("{\"error\": \"rate limited\"}")]
    [InlineData("<?xml version=\"1.0\"?><Error><Code>AccessDenied</Code></Error>")]
    public void JsonOrXmlIsNotAWeightsFile(string text)
    {
        var e = Assert.Throws<DarknetException>(() => WeightsHeader.Read(new MemoryStream(Encoding.UTF8.GetBytes(text))));
        Assert.Equal(ErrorCodes.NotAWeightsFile, e.Code);
    }

    [Theory]
    [InlineData(-1, 2, 0)]
    [InlineData(0, 2, int.MaxValue)]
    [InlineData(0x464C457F, 0x00010102, 0)] // an ELF binary
    public void AbsurdVersionIsNotAWeightsFile(int major, int minor, int revision)
    {
        var bytes = new byte[20];
        BitConverter.GetBytes(major).CopyTo(bytes, 0);
        BitConverter.GetBytes(minor).CopyTo(bytes, 4);
        BitConverter.GetBytes(revision).CopyTo(bytes, 8);

        var e = Assert.Throws<DarknetException>(() => WeightsHeader.Read(new MemoryStream(bytes)));

        Assert.Equal(ErrorCodes.NotAWeightsFile, e.Code);
        Assert.Contains("version", e.Message);
    }
}
