using Darknet.Build.Tasks;
using Darknet.Build.Tests.Infrastructure;
using Xunit;
using Darknet.Testing;

namespace Darknet.Build.Tests.Tasks;

public sealed class DidYouMeanTests
{
    private static readonly string[] As = { "Content", "EmbeddedResource", "None" };

    [Theory]
    [InlineData("Embedded", "EmbeddedResource")]
    [InlineData("Contnet", "Content")]
    [InlineData("embeddedresorce", "EmbeddedResource")]
    public void Suggests_the_nearest_allowed_value(string value, string expected) =>
        Assert.Equal($": did you mean '{expected}'?", DidYouMean.Among(value, As));

    [Theory]
    [InlineData("Compile")]
    [InlineData("")]
    public void Suggests_nothing_for_a_value_far_from_all(string value) => Assert.Equal("", DidYouMean.Among(value, As));

    [Fact]
    public void Suggests_the_nearest_file_beside_a_missing_path()
    {
        using var temp = new TempDirectory();
        File.WriteAllText(temp.Combine("yolov3-tiny.cfg"), "");
        File.WriteAllText(temp.Combine("other.txt"), "");

        Assert.Equal($" (did you mean '{temp.Combine("yolov3-tiny.cfg")}'?)", DidYouMean.File(temp.Combine("yolov3-tinny.cfg")));
        Assert.Equal("", DidYouMean.File(temp.Combine("completely-different.weights")));
        Assert.Equal("", DidYouMean.File(temp.Combine("no-such-folder", "x.cfg")));
    }
}
