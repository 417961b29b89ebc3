#!/usr/bin/env bash
# Issue 17, Must 8: yolov4-tiny, yolov3 and yolov4 at 416x416, one image, in ONNX Runtime (layers, boxes, detections;
# 1 and 2 intra-op threads), OpenCvSharp's Darknet importer (decode + NMSBoxes) and darknet itself, alternately.
# usage: bench/compare.sh [runs] [score threshold] [extra compare options]; WORK=scratch dir (about 1.6 GB), OUT=json.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
runs="${1:-7}" score="${2:-0.25}"
shift $(( $# < 2 ? $# : 2 ))
work="${WORK:-$(mktemp -d)}"
cfgs="${CFGS:-$here/../../shared/darknet}"
dotnet build "$here/OnnxRuntime" -c Release -o "$work/bin" -nodeReuse:false >/dev/null
bench() { dotnet "$work/bin/OnnxRuntimeBench.dll" "$@"; }
for cfg in cfg-alexeyab/yolov4-tiny cfg/yolov3 cfg-alexeyab/yolov4; do
  name="$(basename "$cfg")"
  [ -f "$work/$name-detections.onnx" ] || bench export-all "$cfgs/$cfg.cfg" 416 416 "$work"
done
bench compare --dir "$work" --runs "$runs" --score "$score" --json "${OUT:-$work/compare.json}" "$@" yolov4-tiny yolov3 yolov4 2>/dev/null
