#!/usr/bin/env bash
# ONNX Runtime on exported networks (issue 17): mish formulations on yolov4, then session options on yolov4-tiny,
# yolov4 and yolov3; see bench/README.md. usage: bench/onnxruntime.sh [runs] (default 9); WORK=scratch dir.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
runs="${1:-9}"
work="${WORK:-$(mktemp -d)}"
cfgs="${CFGS:-$here/../../shared/darknet}"
dotnet build "$here/OnnxRuntime" -c Release -o "$work/bin" -nodeReuse:false >/dev/null
bench() { dotnet "$work/bin/OnnxRuntimeBench.dll" "$@"; }

bench export "$cfgs/cfg-alexeyab/yolov4.cfg" 416 416 "$work/yolov4.onnx"
bench export "$cfgs/cfg-alexeyab/yolov4-tiny.cfg" 416 416 "$work/yolov4-tiny.onnx"
bench export "$cfgs/cfg/yolov3.cfg" 416 416 "$work/yolov3.onnx"
/usr/bin/python3 "$here/mish_variants.py" "$work/yolov4.onnx" "$work/variants"

models=() mish=()
for v in softplus exp_ratio exp_inverse sigmoid_ratio log_exp; do
  models+=("$work/variants/yolov4-$v.onnx")
  mish+=(--mish "$work/variants/yolov4-$v.onnx.mish.txt")
done
echo "== mish formulations, yolov4 416x416, one thread, profiler on"
bench run --runs "$runs" --threads 1 --profile "${mish[@]}" "${models[@]}"
echo "== the same, profiler off"
bench run --runs "$runs" --threads 1 "${models[@]}"
for m in yolov4-tiny yolov4 yolov3; do
  echo "== session options, $m 416x416"
  bench run --runs "$runs" --threads 1,2 --spin 0,1 "$work/$m.onnx"
done
