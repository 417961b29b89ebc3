#!/usr/bin/env bash
# The one test command: installs what the tests need where it is missing, then runs every test of the solution.
# Usage: ./test.sh [extra dotnet test arguments]
set -euo pipefail
cd "$(dirname "$0")"

# The cross-checks run the real references: /usr/bin/python3 with Debian's python3-numpy (the client that must load
# our .npy/.npz), python3-onnx (ONNX's model checker), python3-opencv (OpenCV's Darknet importer) and Debian's darknet
# (libdarknet.so, pjreddie's darknet, which the exported ONNX models are compared with).
missing=()
/usr/bin/python3 -c 'import numpy' >/dev/null 2>&1 || missing+=(python3-numpy)
/usr/bin/python3 -c 'import onnx' >/dev/null 2>&1 || missing+=(python3-onnx)
/usr/bin/python3 -c 'import cv2' >/dev/null 2>&1 || missing+=(python3-opencv)
[ -f /usr/lib/darknet/libdarknet.so ] || missing+=(darknet)
if [ ${#missing[@]} -gt 0 ]; then
  echo "test.sh: installing ${missing[*]} for the cross-checks"
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq && $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null \
    || echo "test.sh: could not install ${missing[*]}; their tests will skip (and fail under CI=true)"
fi

# Build nodes that outlive the run would keep a stale Darknet.Build task assembly loaded.
export MSBUILDDISABLENODEREUSE=1
export DOTNET_CLI_TELEMETRY_OPTOUT=1
export DOTNET_NOLOGO=1

log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
dotnet test Darknet.Build.sln -c Release -nodeReuse:false "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

# One plain closing line over all test assemblies.
awk '/(Passed|Failed)!/ {
       for (i = 1; i <= NF; i++) {
         if ($i == "Failed:")  { f += $(i+1) }
         if ($i == "Passed:")  { p += $(i+1) }
         if ($i == "Skipped:") { s += $(i+1) }
       }
     }
     END { printf "tests: %d passed, %d failed, %d skipped\n", p, f, s }' "$log"
exit "$status"
