#!/usr/bin/env bash
# Issue 17, Must 8: yolov4-tiny, yolov3 and yolov4 at 416x416, one image, in ONNX Runtime (layers, boxes, detections;
# 1 and 2 intra-op threads), OpenCvSharp's Darknet importer (decode + NMSBoxes) and darknet itself, alternately.
# usage: bench/compare.sh [runs] [score threshold] [extra compare options]; WORK=scratch dir (about 1.6 GB), OUT=json,
#        HEADS=trained (below).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
runs="${1:-7}" score="${2:-0.25}"
shift $(( $# < 2 ? $# : 2 ))
work="${WORK:-$(mktemp -d)}"
cfgs="${CFGS:-$here/../../shared/darknet}"
dotnet build "$here/OnnxRuntime" -c Release -o "$work/bin" -nodeReuse:false >/dev/null
bench() { dotnet "$work/bin/OnnxRuntimeBench.dll" "$@"; }
# HEADS=trained: the [yolo] heads made like a trained detector's (Compare.TrainedLikeHeads): a few hundred class scores
# above 0.25 instead of the synthetic weights' tens of thousands. Per network: weight gain, objectness bias, class bias,
# chosen so that the `boxes` export reports 100-1,000 candidates at 0.25 (the compare output's count for `boxes`).
heads() {
  case "$1" in
    yolov4-tiny) echo "40 -6.4 -8" ;;
    yolov3) echo "0.67 -9 -16" ;;
    yolov4) echo "28 -2.85 -9" ;;
  esac
}
for cfg in cfg-alexeyab/yolov4-tiny cfg/yolov3 cfg-alexeyab/yolov4; do
  name="$(basename "$cfg")"
  extra=()
  [ "${HEADS:-}" != "trained" ] || extra=(--trained-like-heads $(heads "$name"))
  [ -f "$work/$name-detections.onnx" ] || bench export-all "$cfgs/$cfg.cfg" 416 416 "$work" "${extra[@]}"
done
bench compare --dir "$work" --runs "$runs" --score "$score" --json "${OUT:-$work/compare.json}" "$@" yolov4-tiny yolov3 yolov4 2>/dev/null
