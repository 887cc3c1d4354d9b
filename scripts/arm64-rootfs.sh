#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The arm64 test VM's root (scripts/vm-arm64.sh): what the selftests use
# (bash, coreutils, iproute2 with vdpa, ethtool, jq, python3, socat, ping, tcpdump,
# kmod, busybox for the rest), unpacked from Debian's arm64 packages and
# their dependencies (dpkg -x: nothing arm64 runs on the host; no maintainer
# script runs, none is needed to run these), the arm64 kernel's modules,
# and PID 1 (scripts/vm-arm64-init.sh). Prints the directory.
#
#   scripts/arm64-rootfs.sh KDIR
#
# Cached in ${DPAA_VDPA_CACHE}/arm64-rootfs-<key>, <key> hashing the package
# versions, this script, the init and the kernel tree.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
. "$here/env.sh"
kdir=${1:?usage: arm64-rootfs.sh KDIR}
want=(bash coreutils iproute2 ethtool jq python3 socat iputils-ping kmod grep sed gawk procps tcpdump
	findutils util-linux busybox-static libc-bin)

# The arm64 package lists (once per machine).
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
	dpkg --add-architecture arm64
	apt-get update -qq
fi
# The packages and their dependencies (real packages only), with versions.
closure() {
	apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts --no-breaks \
		--no-replaces --no-enhances "${want[@]/%/:arm64}" 2>/dev/null |
		grep -E '^[a-z0-9].*:arm64$' | sort -u
}
pkgs=($(closure))
[ ${#pkgs[@]} -gt 20 ] || { apt-get update -qq; pkgs=($(closure)); }
vers=$(apt-cache policy "${pkgs[@]}" 2>/dev/null | awk '/^[^ ]/ { p = $1 } /Candidate:/ { print p, $2 }')
key=$( {
	echo "$vers"
	cat "$0" "$here/vm-arm64-init.sh"
	echo "$kdir"
} | sha256sum | cut -c1-16)
root=$DPAA_VDPA_CACHE/arm64-rootfs-$key
if [ -e "$root/.done" ]; then
	echo "$root"
	exit 0
fi
rm -rf "$root" "$root.tmp"
mkdir -p "$root.tmp/debs"
(cd "$root.tmp/debs" && apt-get download -q "${pkgs[@]}" >/dev/null 2>&1) ||
	{ echo "arm64-rootfs: apt-get download of ${#pkgs[@]} arm64 packages failed" >&2; exit 1; }
for d in "$root.tmp"/debs/*.deb; do dpkg -x "$d" "$root.tmp"; done
rm -rf "$root.tmp/debs" "$root.tmp/usr/share/doc" "$root.tmp/usr/share/man" "$root.tmp/usr/share/locale"
mkdir -p "$root.tmp"/{bin,sbin,etc,usr/bin,usr/sbin,proc,sys,dev,tmp,run,var/tmp,lib/modules,repo,results}
ln -sf bash "$root.tmp/bin/sh"
# No maintainer script ran: the users and groups the tools look up (tcpdump
# resolves the user it runs as).
printf 'root:x:0:0:root:/root:/bin/bash\ntcpdump:x:100:101::/nonexistent:/usr/sbin/nologin\n' >"$root.tmp/etc/passwd"
printf 'root:x:0:\ntcpdump:x:101:\n' >"$root.tmp/etc/group"
# busybox's applets where Debian's packages have no command (arping, ...):
# the host's busybox-static is the same version, its list the arm64 one's.
for a in $(busybox --list); do
	for d in bin sbin usr/bin usr/sbin; do [ -e "$root.tmp/$d/$a" ] && continue 2; done
	ln -s /bin/busybox "$root.tmp/bin/$a"
done
cp "$here/vm-arm64-init.sh" "$root.tmp/init"
chmod 755 "$root.tmp/init"
# The kernel's modules (virtio_vdpa, vhost_vdpa), with depmod's index.
make -s -C "$kdir" $KMAKE ARCH=arm64 INSTALL_MOD_PATH="$root.tmp" modules_install >/dev/null
touch "$root.tmp/.done"
mv "$root.tmp" "$root"
echo "$root"
