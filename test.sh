#!/usr/bin/env bash
# The one test command: installs what the tests need where it is missing, then runs every test of the solution.
# Usage: ./test.sh [extra dotnet test arguments]
#        ./test.sh --fast           the inner loop: the core and CLI tests without the slowest ones (under 3 min);
#                                   CI runs everything
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
#   wine64          runs the win-x64 CLI and the net8.0 tasks (tests/Darknet.Build.Tests/Windows): Windows paths,
#                   %LOCALAPPDATA%, sharing semantics, as far as Wine implements Windows
fast=0
if [ "${1:-}" = "--fast" ]; then fast=1; shift; fi
# A filter on test names for --fast: the core and CLI tests minus the slowest ones (the fuzz tests, and the whole-network
# comparisons of the exported ONNX with OpenCV and darknet: half the suite's test time; CI runs them).
fast_filter='FullyQualifiedName!~.Fuzz.&FullyQualifiedName!~.MatchesOpenCvTests.&FullyQualifiedName!~.MatchesDarknetTests.&FullyQualifiedName!~.DetectionsMatch'

missing=()
/usr/bin/python3 -c 'import numpy' >/dev/null 2>&1 || missing+=(python3-numpy)
/usr/bin/python3 -c 'import cv2' >/dev/null 2>&1 || missing+=(python3-opencv)
/usr/bin/python3 -c 'import onnx' >/dev/null 2>&1 || missing+=(python3-onnx)
[ -f /usr/lib/darknet/libdarknet.so ] || missing+=(darknet)
{ command -v mono >/dev/null 2>&1 && [ -f /usr/lib/mono/4.5/Facades/netstandard.dll ]; } || missing+=(mono-devel)
{ command -v clang >/dev/null 2>&1 || command -v gcc >/dev/null 2>&1; } || missing+=(clang)
[ -x /usr/lib/wine/wine64 ] || missing+=(wine64)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "test.sh: needs root (sudo) once, for apt-get install ${missing[*]}; without them those tests skip"
  fi
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

results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT
if [ "$fast" -eq 1 ]; then
  projects=(tests/Darknet.Weights.Tests)
  echo "test.sh: the fast subset (tests/Darknet.Weights.Tests, filter: $fast_filter), under 3 minutes here;"
  echo "         CI runs everything (./test.sh, about 13 minutes on 2 cores)"
else
  projects=(tests/Darknet.Weights.Tests tests/Darknet.Build.Tests)
  echo "test.sh: every test, about 13 minutes on 2 cores: the core and CLI tests (~3 min), then the MSBuild tests"
  echo "         (~10 min of real 'dotnet build' runs, quiet for minutes at a time); ./test.sh --fast is the inner loop"
fi
echo "test.sh: building the solution"
set +e
dotnet build Darknet.Build.sln -c Release -nodeReuse:false -v:q -nologo 2>&1 | tail -n 20
status=${PIPESTATUS[0]}
set -e
if [ "$status" -ne 0 ]; then echo "test.sh: the build failed"; exit "$status"; fi

status=0
n=0
for project in "${projects[@]}"; do
  n=$((n + 1))
  start=$(date +%s)
  echo "test.sh: [$n/${#projects[@]}] $project (started $(date +%H:%M:%S))"
  # --blame: when a test host dies, the run names the tests it was running.
  args=(test "$project" -c Release --no-build -nodeReuse:false --blame --results-directory "$results/$n"
        --logger "trx;LogFileName=results.trx" --logger "console;verbosity=minimal")
  if [ "$fast" -eq 1 ]; then args+=(--filter "$fast_filter"); fi
  set +e
  dotnet "${args[@]}" "$@" 2>&1 | tee "$results/$n.log"
  rc=${PIPESTATUS[0]}
  set -e
  [ "$rc" -eq 0 ] || status=$rc
  echo "test.sh: [$n/${#projects[@]}] $project done in $(( $(date +%s) - start ))s"
done

# The skip reasons, counted by reason, from the TRX files (the console shows only the count).
if [ -x /usr/bin/python3 ]; then
  /usr/bin/python3 - "$results" <<'PY'
import collections, glob, re, sys, xml.etree.ElementTree as ET
reasons = collections.Counter()
for trx in glob.glob(sys.argv[1] + "/*/results.trx"):
    for r in ET.parse(trx).getroot().iter():
        if r.tag.endswith("UnitTestResult") and r.get("outcome") == "NotExecuted":
            text = " ".join(e.text or "" for e in r.iter() if e.tag.endswith("Message") or e.tag.endswith("StdOut"))
            text = re.sub(r"\s+", " ", text).strip() or "(no reason given)"
            reasons[text[:300]] += 1
if reasons:
    print(f"test.sh: {sum(reasons.values())} skipped, by reason:")
    for reason, count in reasons.most_common():
        print(f"  {count:4d}  {reason}")
PY
fi

# One plain closing line over all test assemblies.
cat "$results"/*.log | awk '/(Passed|Failed)!/ {
       for (i = 1; i <= NF; i++) {
         if ($i == "Failed:")  { f += $(i+1) }
         if ($i == "Passed:")  { p += $(i+1) }
         if ($i == "Skipped:") { s += $(i+1) }
       }
     }
     END { printf "tests: %d passed, %d failed, %d skipped\n", p, f, s }'
exit "$status"
