namespace Darknet.Weights.Onnx;

/// <summary>
/// darknet's do_nms_sort after get_network_boxes, in the graph: a class counts for a candidate when its score is above
/// <c>score_threshold</c>; within a class, boxes are taken by descending score and each suppresses the later ones whose
/// IoU with it is above <c>iou_threshold</c> (ONNX NonMaxSuppression keeps the same rule). The output
/// <c>detections</c> [M, 7] holds batch index, class index, score, x1, y1, x2, y2 (input pixels), sorted by batch,
/// class, then descending score. The three thresholds are optional inputs with defaults. This is the plain IoU rule
/// of do_nms_sort, which AlexeyAB's get_network_boxes API (darknet.py) applies too; its <c>detector test</c> instead follows
/// a [yolo] layer's nms_kind= (greedynms and diounms both compare DIoU, which NonMaxSuppression cannot).
/// </summary>
internal static class Suppression
{
    public const float DefaultScoreThreshold = .25f;
    public const float DefaultIouThreshold = .45f;

    public static void Add(GraphBuilder g, string boxes, string scores, int candidates)
    {
        var graph = g.Graph;
        graph.OptionalInputs.Add(new ValueInfo("score_threshold", new object[] { 1L }));
        graph.OptionalInputs.Add(new ValueInfo("iou_threshold", new object[] { 1L }));
        // Per class; its default (every candidate) never cuts darknet's own result.
        graph.OptionalInputs.Add(new ValueInfo("max_detections", new object[] { 1L }, int64: true));
        graph.Constants.Add(new ConstantTensor("score_threshold", new long[] { 1 }, new[] { DefaultScoreThreshold }, null));
        graph.Constants.Add(new ConstantTensor("iou_threshold", new long[] { 1 }, new[] { DefaultIouThreshold }, null));
        graph.Constants.Add(new ConstantTensor("max_detections", new long[] { 1 }, null, new long[] { candidates }));

        // NonMaxSuppression takes scores as (n, classes, candidates); its corners may come in either x/y order.
        var byClass = g.Node("Transpose", "nms/scores", scores).WithAttribute(OnnxAttribute.Ints("perm", 0, 2, 1)).Outputs[0];
        var selected = g.Node("NonMaxSuppression", "nms/selected", boxes, byClass, "max_detections", "iou_threshold", "score_threshold")
            .WithAttribute(OnnxAttribute.Int("center_point_box", 0)).Outputs[0];
        string Column(string what, int index) =>
            g.Node("Slice", "nms/" + what, selected, g.Ints(index), g.Ints(index + 1), g.Ints(1)).Outputs[0];
        var batch = Column("batch", 0);
        var klass = Column("class", 1);
        var candidate = Column("candidate", 2);
        var box = g.Node("GatherND", "nms/box", boxes, g.Node("Concat", "nms/box_index", batch, candidate).WithAttribute(OnnxAttribute.Int("axis", 1)).Outputs[0]).Outputs[0];
        var score = g.Node("Unsqueeze", "nms/score", g.Node("GatherND", "nms/score_flat", byClass, selected).Outputs[0], g.Ints(1)).Outputs[0];
        string AsFloat(string what, string t) =>
            g.Node("Cast", "nms/" + what + "_float", t).WithAttribute(OnnxAttribute.Int("to", 1)).Outputs[0];
        g.Node("Concat", "detections", AsFloat("batch", batch), AsFloat("class", klass), score, box).WithAttribute(OnnxAttribute.Int("axis", 1));
        graph.Outputs.Add(new ValueInfo("detections", new object[] { "M", 7L }));
    }
}
