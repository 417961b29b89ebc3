#!/usr/bin/env bash
# Whole-process peak RSS and wall time of `darknet convert` on a yolov3-sized (248,007,048-byte) synthetic .weights file,
# next to a plain `cp` of the same file and a numpy peer converter (bench/numpy_peer.py).
# Usage: bench/memory.sh [runs]   (default 5; env CFG=path/to/yolov3.cfg, BENCH_DIR=scratch dir, NO_PEER=1 skips numpy)
# Peak RSS is /usr/bin/time -v's "Maximum resident set size" of the whole process tree's largest process (the CLI itself).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
# the workplace's shared/darknet/cfg sits beside the clone (or further up, from a worktree)
find_cfg() { local d=$PWD; while [ "$d" != / ]; do d=$(dirname "$d"); [ -f "$d/shared/darknet/cfg/yolov3.cfg" ] && { echo "$d/shared/darknet/cfg/yolov3.cfg"; return; }; done; echo ../shared/darknet/cfg/yolov3.cfg; }
cfg=${CFG:-$(find_cfg)}
work=${BENCH_DIR:-$(mktemp -d)}
size=248007048
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 MSBUILDDISABLENODEREUSE=1

if [ ! -x /usr/bin/time ]; then
  echo "memory.sh: installing GNU time (/usr/bin/time)"
  sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get install -y -qq time >/dev/null
fi
[ -f "$cfg" ] || { echo "memory.sh: no cfg at $cfg (set CFG=)"; exit 2; }

echo "building the CLI (Release) into $work/cli"
dotnet build src/Darknet.Cli -c Release -f net10.0 -o "$work/cli" -nologo -v q >/dev/null
weights="$work/yolov3.weights"
if [ "$(stat -c %s "$weights" 2>/dev/null || echo 0)" != "$size" ]; then
  echo "writing a synthetic $size-byte weights file"
  /usr/bin/python3 bench/make_weights.py "$weights" "$size"
fi

# measure NAME COMMAND...: runs it $runs times, prints median wall seconds and median peak RSS in MiB.
measure() {
  local name=$1; shift
  local walls=() rss=()
  for _ in $(seq "$runs"); do
    rm -f "$work/out.npy" "$work/out.onnx" "$work/out.safetensors" "$work/copy.weights"
    /usr/bin/time -v -o "$work/time.log" "$@" >/dev/null
    walls+=("$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i]; print s }' "$work/time.log")")
    rss+=("$(awk -F': ' '/Maximum resident set size/ { printf "%.1f", $2 / 1024 }' "$work/time.log")")
  done
  local wall_median rss_median
  wall_median=$(printf '%s\n' "${walls[@]}" | sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
  rss_median=$(printf '%s\n' "${rss[@]}" | sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
  printf '%-28s median wall %6.2f s   median peak RSS %7.1f MiB   (runs: %s s; %s MiB)\n' \
    "$name" "$wall_median" "$rss_median" "${walls[*]}" "${rss[*]}"
}

cli=("$work/cli/darknet")
[ -x "${cli[0]}" ] || cli=(dotnet "$work/cli/darknet.dll")
measure "darknet convert (C#)" "${cli[@]}" convert --cfg "$cfg" --weights "$weights" --out "$work/out.npy"
measure "darknet convert --format onnx" "${cli[@]}" convert --cfg "$cfg" --weights "$weights" --out "$work/out.onnx" --format onnx
measure "darknet convert --format safetensors" "${cli[@]}" convert --cfg "$cfg" --weights "$weights" --out "$work/out.safetensors" --format safetensors
measure "cp (plain copy)" cp "$weights" "$work/copy.weights"
if [ -z "${NO_PEER:-}" ]; then
  measure "numpy peer (python)" /usr/bin/python3 bench/numpy_peer.py "$cfg" "$weights" "$work/out.npy"
fi
rm -f "$work/out.npy" "$work/out.onnx" "$work/out.safetensors" "$work/copy.weights"
echo "scratch: $work (weights kept for reruns: BENCH_DIR=$work bench/memory.sh)"
