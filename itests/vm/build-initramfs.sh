#!/bin/bash
# build-initramfs.sh OUTDIR
#
# Builds OUTDIR/vmlinuz and OUTDIR/initramfs.cpio.gz for the AoE VM harness:
#   * kernel + modules come from Debian's linux-image-<ver>-amd64 package
#     (the dependency of linux-image-amd64), fetched with `apt-get download`
#     and unpacked with `dpkg-deb -x` (nothing is installed on the host);
#   * busybox comes from Debian's busybox-static package;
#   * mke2fs/mkfs.ext4/e2fsck are the host's e2fsprogs binaries + their libs;
#   * /init is guest-init.sh from this directory.
# Downloads and the extracted kernel tree are cached in OUTDIR; the cpio is
# rebuilt on every run (a few seconds) so edits to guest-init.sh take effect.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${1:?usage: build-initramfs.sh OUTDIR}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
DEBS=$OUT/debs
mkdir -p "$DEBS"

need() { command -v "$1" >/dev/null 2>&1 || { echo "build-initramfs: missing tool $1 (apt-get install $2)" >&2; exit 1; }; }
need dpkg-deb dpkg
need depmod kmod
need modprobe kmod
need cpio cpio
need gzip gzip
[ -x /sbin/mke2fs ] || [ -x /usr/sbin/mke2fs ] || { echo "build-initramfs: need e2fsprogs" >&2; exit 1; }

# --- 1. resolve which kernel image package linux-image-amd64 points to ----------
KPKG=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/{print $2; exit}' || true)
if [ -z "$KPKG" ]; then
    echo "build-initramfs: apt lists look empty, running apt-get update" >&2
    apt-get update -q >/dev/null
    KPKG=$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-[0-9]/{print $2; exit}')
fi
[ -n "$KPKG" ] || { echo "build-initramfs: cannot resolve linux-image-amd64 dependency" >&2; exit 1; }
KVER=${KPKG#linux-image-}          # e.g. 6.1.0-56-amd64
KVER=${KVER%-unsigned}
echo "build-initramfs: kernel package $KPKG (version $KVER)"

# --- 2. download (cached) -------------------------------------------------------
fetch() { # $1 = package name; downloads into $DEBS unless a deb is already there
    local p=$1
    if ! ls "$DEBS/${p}_"*.deb >/dev/null 2>&1; then
        # apt's _apt user must be able to write here; fall back to root quietly
        (cd "$DEBS" && apt-get download -q "$p" 2>&1 | grep -v '^W: Download is performed unsandboxed' || true)
        ls "$DEBS/${p}_"*.deb >/dev/null 2>&1 || { echo "build-initramfs: download of $p failed" >&2; exit 1; }
    fi
}
fetch "$KPKG"
fetch busybox-static

# --- 3. extract kernel tree (cached, keyed by package file name) -----------------
KDEB=$(ls "$DEBS/${KPKG}_"*.deb | head -n1)
KROOT=$OUT/kroot
if [ ! -f "$KROOT/.done" ] || [ "$(cat "$KROOT/.done")" != "$(basename "$KDEB")" ]; then
    rm -rf "$KROOT"; mkdir -p "$KROOT"
    dpkg-deb -x "$KDEB" "$KROOT"
    depmod -b "$KROOT" "$KVER"           # the package ships no modules.dep
    basename "$KDEB" >"$KROOT/.done"
fi
cp -f "$KROOT/boot/vmlinuz-$KVER" "$OUT/vmlinuz"

BBROOT=$OUT/bbroot
if [ ! -x "$BBROOT/bin/busybox" ]; then
    rm -rf "$BBROOT"; mkdir -p "$BBROOT"
    dpkg-deb -x "$(ls "$DEBS"/busybox-static_*.deb | head -n1)" "$BBROOT"
fi

# --- 4. assemble the initramfs tree ---------------------------------------------
ROOT=$OUT/root
rm -rf "$ROOT"
mkdir -p "$ROOT"/{bin,sbin,etc,proc,sys,dev,tmp,mnt,lib/modules,lib64,run}
cp "$BBROOT/bin/busybox" "$ROOT/bin/busybox"
# symlink every applet except the ones e2fsprogs provides (we want Debian's)
for a in $("$ROOT/bin/busybox" --list); do
    case $a in busybox|mke2fs|mkfs.ext2|e2fsck|fsck) continue ;; esac
    ln -sf busybox "$ROOT/bin/$a"
done

# modules: resolve dependency order on the host (depmod'ed tree + modprobe
# --show-depends); builtin ones are printed as "builtin X" and skipped.
# Two lists ("file.ko" per line, in insmod order): etc/modules.list is loaded
# at boot; etc/modules.aoe is loaded by /init only after eth0 is up.
: >"$ROOT/etc/modules.list"; : >"$ROOT/etc/modules.aoe"
add_mod() { # $1 = module name, $2 = list file
    local line path base dst
    while read -r line; do
        case $line in
            insmod\ *) path=$(echo "$line" | awk '{print $2}') ;;
            *) echo "build-initramfs: note: $1: $line"; continue ;;
        esac
        base=$(basename "$path"); base=${base%.xz}; base=${base%.zst}; base=${base%.gz}
        dst=$ROOT/lib/modules/$base
        # busybox insmod cannot load compressed modules: decompress on the host
        if [ ! -f "$dst" ]; then
            case $path in
                *.ko.xz)  xz -dc "$path" >"$dst" ;;
                *.ko.zst) zstd -qdc "$path" >"$dst" ;;
                *.ko.gz)  gzip -dc "$path" >"$dst" ;;
                *)        cp "$path" "$dst" ;;
            esac
        fi
        grep -qx "$base" "$ROOT/etc/modules.list" "$ROOT/etc/modules.aoe" || echo "$base" >>"$2"
    done < <(modprobe -S "$KVER" -d "$KROOT" --show-depends "$1" 2>&1 || echo "missing module $1")
}
# virtio_pci/virtio_net are modules in Debian's config (CONFIG_VIRTIO_NET=m);
# crc32c providers are ext4's softdep (metadata_csum); crc32c-intel needs
# SSE4.2 (-cpu max) and its failure is tolerated by /init.
for m in virtio_pci virtio_net crc32c_generic crc32c_intel ext4; do add_mod "$m" "$ROOT/etc/modules.list"; done
add_mod aoe "$ROOT/etc/modules.aoe"
echo "build-initramfs: boot modules: $(tr '\n' ' ' <"$ROOT/etc/modules.list")"
echo "build-initramfs: aoe modules:  $(tr '\n' ' ' <"$ROOT/etc/modules.aoe")"

# e2fsprogs from the host, with shared libraries found by ldd
for b in mke2fs e2fsck; do
    src=$(command -v "$b" || echo "/sbin/$b")
    cp -L "$src" "$ROOT/sbin/$b"
    for lib in $(ldd "$src" | awk '/=>/{print $3} /^\s*\/lib/{print $1}'); do
        [ -f "$lib" ] || continue
        mkdir -p "$ROOT$(dirname "$lib")"
        cp -Ln "$lib" "$ROOT$lib" 2>/dev/null || true
    done
done
ln -sf mke2fs "$ROOT/sbin/mkfs.ext4"
[ -e "$ROOT/lib64/ld-linux-x86-64.so.2" ] || cp -L /lib64/ld-linux-x86-64.so.2 "$ROOT/lib64/"
cp /etc/mke2fs.conf "$ROOT/etc/mke2fs.conf"
ln -sf /proc/mounts "$ROOT/etc/mtab"

# /init
cp "$HERE/guest-init.sh" "$ROOT/init"
chmod 755 "$ROOT/init"
echo "$KVER" >"$ROOT/etc/kver"

# --- 5. pack ------------------------------------------------------------------
(cd "$ROOT" && find . -print0 | cpio --null -o -H newc --quiet) | gzip -6 >"$OUT/initramfs.cpio.gz.tmp"
mv "$OUT/initramfs.cpio.gz.tmp" "$OUT/initramfs.cpio.gz"
echo "build-initramfs: wrote $OUT/vmlinuz ($(stat -c %s "$OUT/vmlinuz") bytes) and $OUT/initramfs.cpio.gz ($(stat -c %s "$OUT/initramfs.cpio.gz") bytes)"
