#!/usr/bin/env bash
# The one test command: installs what the tests need where it is missing, then runs every test of the solution.
# Usage: ./test.sh [extra dotnet test arguments]
#        ./test.sh --install-only   installs the references and stops (CI calls it before the benchmark smoke run)
set -euo pipefail
cd "$(dirname "$0")"

# The real references the tests check against, from Debian's packages (tests fail rather than skip under CI=true):
#   python3-numpy   /usr/bin/python3 + numpy: the real client that must load our .npy/.npz
#   python3-opencv  cv2.dnn.readNetFromDarknet: an independent Darknet reader (YOLOv4 included), also the reference
#                   for the ONNX exports of AlexeyAB cfgs
#   python3-onnx    onnx.checker: ONNX's own model checker, on the exported models
#   darknet         /usr/lib/darknet/libdarknet.so, pjreddie's darknet: the exported ONNX models must compute what it does
#   mono-devel      runs the net472 task assembly (Visual Studio's MSBuild); brings the netstandard facade too
#   clang           links the tool's native AOT build, which the clean-clone tests pack as the README says (gcc also does)
missing=()
/usr/bin/python3 -c 'import numpy' >/dev/null 2>&1 || missing+=(python3-numpy)
/usr/bin/python3 -c 'import cv2' >/dev/null 2>&1 || missing+=(python3-opencv)
/usr/bin/python3 -c 'import onnx' >/dev/null 2>&1 || missing+=(python3-onnx)
[ -f /usr/lib/darknet/libdarknet.so ] || missing+=(darknet)
{ command -v mono >/dev/null 2>&1 && [ -f /usr/lib/mono/4.5/Facades/netstandard.dll ]; } || missing+=(mono-devel)
{ command -v clang >/dev/null 2>&1 || command -v gcc >/dev/null 2>&1; } || missing+=(clang)
if [ ${#missing[@]} -gt 0 ]; then
  echo "test.sh: installing ${missing[*]}"
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  { $sudo_cmd apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null; } \
    || echo "test.sh: could not install ${missing[*]}; the tests that need them will skip (and fail under CI=true)"
fi
if [ "${1:-}" = "--install-only" ]; then exit 0; fi

# Build nodes that outlive the run would keep a stale Darknet.Build task assembly loaded.
export MSBUILDDISABLENODEREUSE=1
export DOTNET_CLI_TELEMETRY_OPTOUT=1
export DOTNET_NOLOGO=1

log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
# --blame: when a test host dies, the run names the tests it was running.
dotnet test Darknet.Build.sln -c Release -nodeReuse:false --blame "$@" 2>&1 | tee "$log"
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
