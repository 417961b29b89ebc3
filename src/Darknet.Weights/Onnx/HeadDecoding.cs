using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Darknet.Weights.Layout;

namespace Darknet.Weights.Onnx;

/// <summary>
/// darknet's own decoding of its [yolo], [Gaussian_yolo] and [region] layers, in the graph: the candidates
/// get_network_boxes(net, net.w, net.h, …) makes before any threshold, as <c>boxes</c> [N, B, 4] (x1, y1, x2, y2 in
/// pixels of the network input) and <c>scores</c> [N, B, C] (objectness × class probability, for [Gaussian_yolo] also
/// × (1 − the mean of its four uncertainties)); B runs over the heads in cfg order, then as darknet's loops run: a
/// [yolo] or [Gaussian_yolo] head's cells row by row, each cell's anchors; a [region] head's anchors, each anchor's
/// cells. With <c>detections</c>, those are then thresholded and suppressed per class (<see cref="Suppression"/>).
/// </summary>
internal static class HeadDecoding
{
    public static void Add(GraphBuilder g, NetworkLayout layout, IReadOnlyList<(LayerInfo Layer, string Tensor)> heads, bool detections)
    {
        var boxes = new List<string>();
        var scores = new List<string>();
        int candidates = 0, classes = -1;
        foreach (var (layer, tensor) in heads)
        {
            var head = layer.Head!;
            if (layer.Type == LayerType.Detection)
                throw new DarknetException(ErrorCodes.UnsupportedLayer,
                    $"{Config.CfgReader.Where(layout.SourceName, layer.Line)}: [{layer.SectionName}] (YOLOv1) boxes are not decoded in the graph, only [yolo], [Gaussian_yolo] and [region] ones; export the layers instead");
            if (classes >= 0 && head.Classes != classes)
                throw new DarknetException(ErrorCodes.UnsupportedLayer,
                    $"{Config.CfgReader.Where(layout.SourceName, layer.Line)}: [{layer.SectionName}] has {head.Classes} classes where an earlier head has {classes}: one scores tensor cannot hold both");
            classes = head.Classes;
            // The raw heads never read the anchors, so only a decoded export refuses this: darknet's biases hold
            // num·2 floats and a mask past them reads memory the cfg never set.
            if (head.Mask != null && head.Mask.Any(m => m < 0 || m >= head.Num))
                throw new DarknetException(ErrorCodes.UnsupportedLayer,
                    $"{Config.CfgReader.Where(layout.SourceName, layer.Line)}: [{layer.SectionName}] mask={string.Join(",", head.Mask)} names anchors outside 0..{head.Num - 1} (num={head.Num}): darknet reads past its anchors there, so boxes cannot be decoded; export the layers instead");
            var (b, s) = Decode(g, layout, layer, tensor);
            boxes.Add(b);
            scores.Add(s);
            candidates += layer.OutputWidth * layer.OutputHeight * head.AnchorsPerCell;
        }
        var allBoxes = Join(g, detections ? "decoded/boxes" : "boxes", boxes);
        var allScores = Join(g, detections ? "decoded/scores" : "scores", scores);
        if (!detections)
        {
            g.Graph.Outputs.Add(new ValueInfo("boxes", new object[] { "N", (long)candidates, 4L }));
            g.Graph.Outputs.Add(new ValueInfo("scores", new object[] { "N", (long)candidates, (long)classes }));
            return;
        }
        Suppression.Add(g, allBoxes, allScores, candidates);
    }

    private static string Join(GraphBuilder g, string name, List<string> parts) =>
        parts.Count == 1
            ? g.Node("Identity", name, parts[0]).Outputs[0]
            : g.Node("Concat", name, parts.ToArray()).WithAttribute(OnnxAttribute.Int("axis", 1)).Outputs[0];

    // get_yolo_box / get_gaussian_yolo_box / get_region_box, then correct_*_boxes at the network's own size (which
    // change nothing), in pixels: x = (col + tx)/w, y = (row + ty)/h; [yolo] w = e^tw · anchor_w / net_w (new_coords:
    // tw² · 4 · anchor_w / net_w), [region] w = e^tw · anchor_w / w (its anchors are in cells). The scores are
    // objectness × each class's value. [Gaussian_yolo]'s entries are x, σx, y, σy, w, σw, h, σh, objectness, classes:
    // its box is [yolo]'s from the means, yolo_point= says which corner (or the centre) x, y place, and
    // get_gaussian_yolo_detections scales each score by 1 − (σx + σy + σw + σh)/4.
    private static (string Boxes, string Scores) Decode(GraphBuilder g, NetworkLayout layout, LayerInfo layer, string tensor)
    {
        var head = layer.Head!;
        bool gaussian = layer.Type == LayerType.GaussianYolo;
        bool yolo = layer.Type == LayerType.Yolo || gaussian;
        int w = layer.OutputWidth, h = layer.OutputHeight, cells = w * h, anchors = head.AnchorsPerCell;
        int coords = gaussian ? 8 : head.Coords, entries = coords + 1 + head.Classes;
        string name = "decode_" + layer.Index.ToString(CultureInfo.InvariantCulture);

        // (n, anchors·entries, h, w) -> (n, anchors, entries, h·w): a constant view
        var view = g.Node("Reshape", name + "/view", tensor, g.Ints(0, anchors, entries, cells)).Outputs[0];
        string Entry(string what, int start) =>
            g.Node("Slice", name + "/" + what, view, g.Ints(start), g.Ints(start + 1), g.Ints(2)).Outputs[0];
        int step = gaussian ? 2 : 1;
        var tx = Entry("tx", 0);
        var ty = Entry("ty", step);
        var tw = Entry("tw", 2 * step);
        var th = Entry("th", 3 * step);
        var objectness = Entry("objectness", coords);
        var classScores = g.Node("Slice", name + "/classes", view, g.Ints(coords + 1), g.Ints(entries), g.Ints(2)).Outputs[0];

        // Each cell's column and row, one run per anchor: the constants have tx's own shape, since OpenCV's importer
        // broadcasts a constant along the channels only.
        var columns = new float[anchors * cells];
        var rows = new float[anchors * cells];
        for (int i = 0; i < columns.Length; i++)
        {
            columns[i] = i % cells % w;
            rows[i] = i % cells / w;
        }
        var anchorW = new float[anchors];
        var anchorH = new float[anchors];
        for (int a = 0; a < anchors; a++)
        {
            int n = head.Mask != null ? head.Mask[a] : a;
            anchorW[a] = head.Anchors[2 * n];
            anchorH[a] = head.Anchors[2 * n + 1];
        }
        long[] perCell = { 1, anchors, 1, cells }, perAnchor = { 1, anchors, 1, 1 };
        float netW = layout.Width, netH = layout.Height;

        // centre in pixels: (col + tx) / w · net_w
        var cx = g.Node("Mul", name + "/cx", g.Node("Div", name + "/cx_rel", g.Node("Add", name + "/cx_cell", tx, g.Floats(perCell, columns)).Outputs[0], g.Scalar(w)).Outputs[0], g.Scalar(netW)).Outputs[0];
        var cy = g.Node("Mul", name + "/cy", g.Node("Div", name + "/cy_rel", g.Node("Add", name + "/cy_cell", ty, g.Floats(perCell, rows)).Outputs[0], g.Scalar(h)).Outputs[0], g.Scalar(netH)).Outputs[0];
        string Size(string t, float[] anchor, float scale, string what)
        {
            // the relative size darknet computes, then pixels
            string grown = yolo && head.NewCoords
                ? g.Node("Mul", name + "/" + what + "_sq4", g.Node("Mul", name + "/" + what + "_sq", t, t).Outputs[0], g.Scalar(4f)).Outputs[0]
                : g.Node("Exp", name + "/" + what + "_exp", t).Outputs[0];
            var relative = g.Node("Div", name + "/" + what + "_rel",
                g.Node("Mul", name + "/" + what + "_anchor", grown, g.Floats(perAnchor, anchor)).Outputs[0], g.Scalar(scale)).Outputs[0];
            return relative;
        }
        var bw = g.Node("Mul", name + "/w", Size(tw, anchorW, yolo ? netW : w, "w"), g.Scalar(netW)).Outputs[0];
        var bh = g.Node("Mul", name + "/h", Size(th, anchorH, yolo ? netH : h, "h"), g.Scalar(netH)).Outputs[0];
        var halfW = g.Node("Mul", name + "/half_w", bw, g.Scalar(.5f)).Outputs[0];
        var halfH = g.Node("Mul", name + "/half_h", bh, g.Scalar(.5f)).Outputs[0];
        if (head.Point != YoloPoint.Center)
        {
            // x, y place the left-top (right-bottom) corner: the centre lies half a box right of (left of) it.
            string op = head.Point == YoloPoint.LeftTop ? "Add" : "Sub";
            cx = g.Node(op, name + "/cx_point", cx, halfW).Outputs[0];
            cy = g.Node(op, name + "/cy_point", cy, halfH).Outputs[0];
        }
        var corners = g.Node("Concat", name + "/corners",
            g.Node("Sub", name + "/x1", cx, halfW).Outputs[0], g.Node("Sub", name + "/y1", cy, halfH).Outputs[0],
            g.Node("Add", name + "/x2", cx, halfW).Outputs[0], g.Node("Add", name + "/y2", cy, halfH).Outputs[0])
            .WithAttribute(OnnxAttribute.Int("axis", 2)).Outputs[0];
        var scores = g.Node("Mul", name + "/scores_by_anchor", objectness, classScores).Outputs[0];
        if (gaussian)
        {
            var uncertainty = g.Node("Add", name + "/uc_sum", g.Node("Add", name + "/uc_xy", Entry("uc_x", 1), Entry("uc_y", 3)).Outputs[0],
                g.Node("Add", name + "/uc_wh", Entry("uc_w", 5), Entry("uc_h", 7)).Outputs[0]).Outputs[0];
            var certainty = g.Node("Sub", name + "/certainty", g.Scalar(1f), g.Node("Mul", name + "/uc_mean", uncertainty, g.Scalar(.25f)).Outputs[0]).Outputs[0];
            scores = g.Node("Mul", name + "/scores_certain", scores, certainty).Outputs[0];
        }

        // (n, anchors, k, cells) -> (n, cells·anchors, k) in darknet's order: get_yolo_detections walks the cells row by
        // row and each cell's anchors; get_region_detections fills index anchor·cells + cell, each anchor's cells in turn.
        string Candidates(string t, int k, string what)
        {
            var moved = g.Node("Transpose", name + "/" + what + "_moved", t)
                .WithAttribute(OnnxAttribute.Ints("perm", yolo ? new long[] { 0, 3, 1, 2 } : new long[] { 0, 1, 3, 2 })).Outputs[0];
            return g.Node("Reshape", name + "/" + what, moved, g.Ints(0, (long)cells * anchors, k)).Outputs[0];
        }
        return (Candidates(corners, 4, "boxes"), Candidates(scores, head.Classes, "scores"));
    }
}
