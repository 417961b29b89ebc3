using Darknet.Weights.Models;
using Xunit;

namespace Darknet.Weights.Tests.Models;

/// <summary>"Did you mean …?": the nearest catalog name or alias, only when it is close enough to be a typo.</summary>
public class NearestModelNameTests
{
    [Theory]
    [InlineData("yolov3-tiniy", "yolov3-tiny")]   // an extra letter
    [InlineData("yolov3-tiyn", "yolov3-tiny")]    // two letters swapped: one edit
    [InlineData("YOLOV3-TINI", "yolov3-tiny")]    // case does not count
    [InlineData("yolov4tiny", "yolov4-tiny")]     // as near to the name as to the alias yolov4_tiny: the name wins
    [InlineData("darknet53conv74", "darknet53_conv74")]   // an alias, as the catalog writes it
    [InlineData("yolo3", "yolov3")]
    [InlineData("darknet54", "darknet53")]
    public void Suggests_the_nearest_name_or_alias(string typed, string expected) =>
        Assert.Equal(expected, NearestModelName.Suggest(typed));

    [Theory]
    [InlineData("resnet50")]
    [InlineData("x")]
    [InlineData("")]
    [InlineData("mobilenet-ssd")]
    public void Suggests_nothing_when_no_name_is_close(string typed) => Assert.Null(NearestModelName.Suggest(typed));

    [Theory]
    [InlineData("abc", "abc", 0)]
    [InlineData("abc", "acb", 1)]
    [InlineData("kitten", "sitting", 3)]
    [InlineData("", "abc", 3)]
    public void Distance_is_the_optimal_string_alignment_distance(string a, string b, int expected) =>
        Assert.Equal(expected, NearestModelName.Distance(a, b));
}
