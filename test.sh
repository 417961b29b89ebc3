#!/usr/bin/env bash
# The one test command: installs what the tests need where it is missing, then runs every test of the solution.
# Usage: ./test.sh [extra dotnet test arguments]
set -euo pipefail
cd "$(dirname "$0")"

# The numpy cross-checks run /usr/bin/python3 with Debian's python3-numpy: the real client that must load our output.
if ! /usr/bin/python3 -c 'import numpy' >/dev/null 2>&1; then
  echo "test.sh: installing python3-numpy for the numpy cross-checks"
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq && $sudo_cmd apt-get install -y -qq python3-numpy >/dev/null \
    || echo "test.sh: could not install python3-numpy; numpy tests will skip (and fail under CI=true)"
fi

# The net472 task assembly (Visual Studio's MSBuild) runs under Debian's Mono in Net472TaskTests; mono-devel brings
# the runtime and the netstandard facade that the netstandard2.0 core library needs on .NET Framework.
if ! command -v mono >/dev/null 2>&1 || [ ! -f /usr/lib/mono/4.5/Facades/netstandard.dll ]; then
  echo "test.sh: installing mono-devel for the net472 task tests"
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq mono-devel >/dev/null \
    || echo "test.sh: could not install mono-devel; the net472 task tests will skip (and fail under CI=true)"
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
