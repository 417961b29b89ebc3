using System.Collections.Generic;

namespace Darknet.Weights.Layout
{
    /// <summary>
    /// What a [yolo] or [region] layer needs beyond its shape for the forward pass and for decoding boxes: the classes,
    /// the anchors (all of the network's, as the cfg lists them: pixels for [yolo], grid cells for [region]), which of
    /// them this layer uses (<see cref="Mask"/>, [yolo]) and AlexeyAB's scale_x_y. Built-in models describe their heads
    /// with it; a layout read from a cfg leaves it null (the exporter reads those options from the cfg itself).
    /// </summary>
    internal sealed class DetectionHead
    {
        private DetectionHead(int classes, float[] anchors, int[]? mask, float scaleXY, bool softmax, int coords)
        {
            Classes = classes;
            Anchors = anchors;
            Mask = mask;
            ScaleXY = scaleXY;
            Softmax = softmax;
            Coords = coords;
        }

        /// <summary>[yolo]: the anchors this layer uses are <paramref name="mask"/>'s entries of the (w, h) pairs in <paramref name="anchors"/>.</summary>
        public static DetectionHead Yolo(int classes, float[] anchors, int[] mask, float scaleXY = 1f) =>
            new DetectionHead(classes, anchors, mask, scaleXY, softmax: false, coords: 4);

        /// <summary>[region] (YOLOv2): every anchor pair, 4 box coordinates, a softmax over the classes unless told otherwise.</summary>
        public static DetectionHead Region(int classes, float[] anchors, bool softmax = true) =>
            new DetectionHead(classes, anchors, null, 1f, softmax, coords: 4);

        public int Classes { get; }

        /// <summary>(w, h) pairs, the cfg's anchors= in order.</summary>
        public IReadOnlyList<float> Anchors { get; }

        /// <summary>The cfg's num=: how many anchor pairs <see cref="Anchors"/> holds.</summary>
        public int Num => Anchors.Count / 2;

        /// <summary>[yolo]'s mask=; null for [region], which uses all <see cref="Num"/> anchors.</summary>
        public IReadOnlyList<int>? Mask { get; }

        /// <summary>AlexeyAB's scale_x_y (1 = none).</summary>
        public float ScaleXY { get; }

        /// <summary>[region]'s softmax=1 over the classes.</summary>
        public bool Softmax { get; }

        /// <summary>[region]'s coords=.</summary>
        public int Coords { get; }
    }
}
