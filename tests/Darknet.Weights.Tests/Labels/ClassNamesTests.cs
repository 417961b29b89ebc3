using System.Text;
using Darknet.Testing;
using Darknet.Weights.Labels;
using Darknet.Weights.Layout;
using Darknet.Weights.Models;
using Darknet.Weights.Tests.Conversion;
using Darknet.Weights.Tests.Onnx;
using Xunit;

namespace Darknet.Weights.Tests.Labels;

/// <summary>The class-name lists the library ships, how a .names file is read (as darknet reads it), and the count check.</summary>
public sealed class ClassNamesTests
{
    [SkippableTheory]
    [InlineData("coco.names")]
    [InlineData("openimages.names")]
    [InlineData("voc.names")]
    public void The_shipped_list_is_darknets_data_file_byte_for_byte(string fileName)
    {
        var upstream = SharedFiles.RequireData(fileName);
        Assert.Equal(File.ReadAllBytes(upstream), ClassNames.BuiltInBytes(fileName));
    }

    [Fact]
    public void The_built_in_lists_hold_their_datasets_classes()
    {
        Assert.Equal(80, ClassNames.Coco.Count);
        Assert.Equal("person", ClassNames.Coco.Names[0]);
        Assert.Equal("toothbrush", ClassNames.Coco.Names[79]);
        Assert.Equal(601, ClassNames.OpenImages.Count);
        Assert.Equal(20, ClassNames.Voc.Count);
        Assert.Equal("aeroplane", ClassNames.Voc.Names[0]);
        Assert.Equal("tvmonitor", ClassNames.Voc.Names[19]);
        Assert.All(new[] { ClassNames.Coco, ClassNames.OpenImages, ClassNames.Voc }, names => Assert.DoesNotContain("", names.Names));
        Assert.Equal("coco.names (built in)", ClassNames.Coco.Source);
    }

    /// <summary>
    /// Each file read by pjreddie's darknet (libdarknet's get_paths, which get_labels reads with) and by ClassNames:
    /// the same names, empty lines, spaces, a long line and a last line without a line break included.
    /// </summary>
    [SkippableTheory]
    [InlineData("coco")]
    [InlineData("openimages")]
    [InlineData("empty lines")]
    [InlineData("spaces")]
    [InlineData("no final line break")]
    [InlineData("long line")]
    [InlineData("utf-8")]
    public void A_names_file_reads_as_darknet_reads_it(string kind)
    {
        DarknetLibrary.Require();
        using var dir = new TempDirectory();
        var path = dir.File("x.names");
        if (kind == "coco" || kind == "openimages") File.Copy(SharedFiles.RequireData(kind + ".names"), path);
        else File.WriteAllBytes(path, Encoding.UTF8.GetBytes(Text(kind)));

        var ours = ClassNames.ReadFile(path).Names;
        var darknets = DarknetLibrary.ReadLines(path);

        Assert.Equal(darknets, ours);
        Assert.NotEmpty(ours);
    }

    /// <summary>
    /// CR LF line endings (a file saved on Windows): AlexeyAB's fgetl (src/utils.c) drops the CR with the LF, pjreddie's
    /// keeps it in the name. The names follow AlexeyAB's: pjreddie's lines, each without its trailing CR.
    /// </summary>
    [SkippableFact]
    public void Crlf_line_endings_are_dropped_as_AlexeyABs_darknet_drops_them()
    {
        DarknetLibrary.Require();
        using var dir = new TempDirectory();
        var path = dir.File("crlf.names");
        File.WriteAllBytes(path, Encoding.UTF8.GetBytes("person\r\nbicycle\r\n\r\ncar \r\n"));

        var darknets = DarknetLibrary.ReadLines(path);

        Assert.Equal(new[] { "person\r", "bicycle\r", "\r", "car \r" }, darknets);
        Assert.Equal(darknets.Select(l => l.TrimEnd('\r')), ClassNames.ReadFile(path).Names);
    }

    [Fact]
    public void A_byte_order_mark_is_no_part_of_the_first_name()
    {
        var bytes = new byte[] { 0xEF, 0xBB, 0xBF }.Concat(Encoding.UTF8.GetBytes("cat\ndog\n")).ToArray();
        Assert.Equal(new[] { "cat", "dog" }, ClassNames.Parse(bytes, bytes.Length, "x.names").Names);
    }

    [Fact]
    public void A_missing_file_is_DKN1006_and_a_binary_one_DKN1008()
    {
        using var dir = new TempDirectory();
        var missing = Assert.Throws<DarknetException>(() => ClassNames.ReadFile(dir.File("nope.names")));
        Assert.Equal("DKN1006", missing.Code);
        Assert.Contains("nope.names", missing.Message);

        var weights = dir.File("yolo.weights");
        SyntheticWeights.WriteFile(weights, 100);
        var binary = Assert.Throws<DarknetException>(() => ClassNames.ReadFile(weights));
        Assert.Equal("DKN1008", binary.Code);
        Assert.Contains("NUL byte", binary.Message);

        var big = dir.File("big.names");
        File.WriteAllText(big, new string('a', (int)ClassNames.MaxBytes + 1));
        var tooBig = Assert.Throws<DarknetException>(() => ClassNames.ReadFile(big));
        Assert.Equal("DKN1008", tooBig.Code);
        Assert.Contains("4,194,305 bytes", tooBig.Message);
    }

    [SkippableFact]
    public void A_device_is_refused_unread()
    {
        Skip.IfNot(File.Exists("/dev/zero"), "no /dev/zero here");
        var e = Assert.Throws<DarknetException>(() => ClassNames.ReadFile("/dev/zero"));
        Assert.Equal("DKN1008", e.Code);
        Assert.Contains("not a regular file", e.Message);
    }

    [Fact]
    public void Names_must_number_every_detection_layers_classes()
    {
        var layout = NetworkLayout.FromCfg(NamesCfgs.YoloTwoClasses, "two.cfg");
        Names("a\nb\n").CheckFits(layout);

        var e = Assert.Throws<DarknetException>(() => Names("a\nb\n\n").CheckFits(layout));
        Assert.Equal(ErrorCodes.BadNames, e.Code);
        Assert.Contains("obj.names holds 3 names", e.Message);
        Assert.Contains("classes=2 in [yolo] layer 2 (two.cfg, line ", e.Message);
        Assert.Contains("an empty line is a name too", e.Message);
        Assert.Equal(2, ClassNames.ClassesOf(layout));
    }

    [Fact]
    public void A_classifiers_names_must_number_its_output_channels()
    {
        var layout = NetworkLayout.FromCfg(TestCfgs.TwoConvs, "two.cfg");
        Names("a\nb\nc").CheckFits(layout);
        var e = Assert.Throws<DarknetException>(() => Names("a\nb").CheckFits(layout));
        Assert.Equal(ErrorCodes.BadNames, e.Code);
        Assert.Contains("obj.names holds 2 names, but the network has 3 output channels in its last layer, [convolutional] layer 1", e.Message);
        Assert.Null(ClassNames.ClassesOf(layout));
    }

    /// <summary>
    /// Every runnable built-in with detection layers carries names that fit it (a new catalog entry without them fails
    /// here); the classifier darknet53_448 (ImageNet: no names file in darknet's data/ to ship) and the partial files have none.
    /// </summary>
    [Fact]
    public void Every_built_in_detector_carries_names_that_fit_it()
    {
        foreach (var model in ModelCatalog.All)
        {
            bool detector = model.NotRunnable == null && model.Layout.Layers.Any(l => l.Head != null);
            if (!detector)
            {
                Assert.True(model.ClassNames == null, model.Name + " has names but is no detector");
                continue;
            }
            Assert.True(model.ClassNames != null, model.Name + " is a detector without class names");
            model.ClassNames!.CheckFits(model.Layout);
        }
        Assert.Same(ClassNames.OpenImages, ModelCatalog.Find("yolov3-openimages")!.ClassNames);
        foreach (var coco in new[] { "yolov3", "yolov3-tiny", "yolov3-spp", "yolov2", "yolov4", "yolov4-tiny" })
            Assert.Same(ClassNames.Coco, ModelCatalog.Find(coco)!.ClassNames);
        Assert.Null(ModelCatalog.Find("darknet53_448")!.ClassNames);
    }

    private static ClassNames Names(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        return ClassNames.Parse(bytes, bytes.Length, "obj.names");
    }

    private static string Text(string kind) => kind switch
    {
        "empty lines" => "person\n\nbicycle\n\n\ncar\n",
        "spaces" => " person\nteddy bear \n  \ncar\t\n",
        "no final line break" => "person\nbicycle\ncar",
        "long line" => "person\n" + string.Concat(Enumerable.Range(0, 300).Select(i => "word" + i + " ")) + "\ncar\n",
        "utf-8" => "Männchen\n猫\n\"quoted\" \\ back\n",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };
}
