#!/usr/bin/env bash
# All tests: unit tests, network tests (namespaces + veth, the built appliance, the project's
# initiator), robustness fuzzing, aoetools, and the Linux kernel aoe driver in qemu.
# Needs root (network namespaces, tap devices). Run scripts/install-deps.sh test first.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" != 0 ]; then
  echo "scripts/test.sh needs root: the network tests create namespaces, veth pairs and taps" >&2
  exit 1
fi
# Leftovers of an interrupted run (names are unique per test class: aoetXXXXX-*). Each prefix's
# owner (the test JVM) is in /run/aoede-itest/PREFIX: a run still going beside this one keeps its own.
for ns in $(ip netns list | awk '{print $1}' | grep '^aoet' || true); do
  owner=$(cat "/run/aoede-itest/${ns%%-*}" 2>/dev/null || true)
  if [ -n "$owner" ] && kill -0 "$owner" 2>/dev/null; then continue; fi
  ip netns del "$ns" || true
done
for f in /run/aoede-itest/aoet*; do
  [ -e "$f" ] || continue
  kill -0 "$(cat "$f")" 2>/dev/null || rm -f "$f"
done
exec mvn -B -Pnetwork verify
