namespace Darknet.Weights.Onnx
{
    /// <summary>How a network is exported to ONNX.</summary>
    internal sealed class OnnxExportOptions
    {
        public OnnxOutputs Outputs { get; set; } = OnnxOutputs.Layers;

        /// <summary>
        /// Pin the input to the layout's [net] width × height (and a batch of one), so runtimes that cannot follow a
        /// symbolic dimension (OpenCV's importer, ML.NET) load the model. Boxes and detections are always pinned; so is a
        /// network whose layers need their sizes ([connected], [crop], [reorg], a spatial [softmax]).
        /// </summary>
        public bool FixedSize { get; set; }
    }
}
