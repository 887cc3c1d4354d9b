#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The QEMU guests' kernel (selftests/lib/l2.sh) from Debian's package instead
# of a build: linux-image-cloud-amd64's kernel and the virtio modules the
# guests load from their initramfs (in order, in modules.order). Prints the
# directory: vmlinuz, modules/*.ko, modules.order.
#
# Cached in ${DPAA_VDPA_CACHE}/l2-debian-<package version>.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
. "$here/env.sh"
pkg=$(apt-cache depends linux-image-cloud-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ { print $2; exit }')
[ -n "$pkg" ] || { echo "l2-kernel: no linux-image-cloud-amd64 candidate" >&2; exit 1; }
ver=$(apt-cache policy "$pkg" | awk '/Candidate:/ { print $2 }')
dir=$DPAA_VDPA_CACHE/l2-debian-$ver
if [ -e "$dir/.done" ]; then
	echo "$dir"
	exit 0
fi
rm -rf "$dir" "$dir.tmp"
mkdir -p "$dir.tmp/deb" "$dir.tmp/modules"
(cd "$dir.tmp/deb" && apt-get download -q "$pkg" >/dev/null 2>&1) ||
	{ echo "l2-kernel: apt-get download $pkg failed" >&2; exit 1; }
dpkg -x "$dir.tmp"/deb/*.deb "$dir.tmp/x"
cp "$dir.tmp"/x/boot/vmlinuz-* "$dir.tmp/vmlinuz"
kmods=$(echo "$dir.tmp"/x/lib/modules/*/kernel)
# Dependencies first (modinfo's depends).
for m in drivers/virtio/virtio_ring drivers/virtio/virtio drivers/virtio/virtio_pci_legacy_dev \
	drivers/virtio/virtio_pci_modern_dev drivers/virtio/virtio_pci drivers/char/virtio_console \
	net/core/failover drivers/net/net_failover drivers/net/virtio_net; do
	cp "$kmods/$m.ko" "$dir.tmp/modules/"
	basename "$m.ko" >>"$dir.tmp/modules.order"
done
rm -rf "$dir.tmp/deb" "$dir.tmp/x"
touch "$dir.tmp/.done"
mv "$dir.tmp" "$dir"
echo "$dir"
