#!/usr/bin/env bash
# Installs what building, running and testing AoEde needs on Debian 12 (as root).
# Usage: scripts/install-deps.sh [run|test]   (run: build + appliance; test: also the test tools)
set -euo pipefail
what=${1:-run}
pkgs=(openjdk-17-jdk-headless maven libpcap0.8 libaio1 iproute2 procps unzip)
if [ "$what" = test ]; then
  # vblade and aoetools: reference target and userland tools; qemu + busybox + kernel (downloaded
  # by itests/vm/build-initramfs.sh) + e2fsprogs: the Linux aoe driver in a VM.
  # systemd: systemd-analyze verify of the service unit (ServiceIT); passwd: useradd/userdel.
  pkgs+=(vblade aoetools qemu-system-x86 busybox-static e2fsprogs cpio kmod zstd xz-utils python3 systemd passwd)
  # headless Chromium + chromedriver: the web console test (WebConsoleIT; itests/browser/nsrelay.py uses python3)
  pkgs+=(chromium chromium-driver)
  # fio: the device's own rate next to the appliance's (bench/run.sh --disk)
  pkgs+=(fio)
  # A throw-away Ceph cluster for the rbd: store (scripts/ceph-test-cluster.sh, RbdStoreIT); librbd1
  # is also what the appliance's store-rbd bundle loads.
  pkgs+=(ceph-mon ceph-osd ceph-mgr ceph-common librbd1)
fi
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
