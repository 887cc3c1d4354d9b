#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot the arm64 kernel under qemu-system-aarch64 (-M virt, TCG, Cortex-A72
# as on LS1046A) and run one command in it.
#
#   scripts/vm-arm64.sh [-t SECS] -k KDIR -o OUTDIR -- COMMAND...
#
# The root is scripts/arm64-rootfs.sh's directory over 9p, read-only; this
# repository is /repo (read-only), OUTDIR /results (read-write): COMMAND
# names files by those paths. The console goes to stdout. Exit status: the script's, 124 when the guest was killed after
# SECS seconds, 125 when it died without reporting one.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
secs=600 kdir="" out=""
while [ $# -gt 0 ]; do
	case $1 in
	-t) secs=$2; shift 2 ;;
	-k) kdir=$2; shift 2 ;;
	-o) out=$2; shift 2 ;;
	--) shift; break ;;
	*) echo "vm-arm64.sh: unknown option $1" >&2; exit 2 ;;
	esac
done
[ -n "$kdir" ] && [ -n "$out" ] && [ $# -gt 0 ] || { echo "usage: vm-arm64.sh -k KDIR -o OUTDIR -- SCRIPT..." >&2; exit 2; }
out=$(mkdir -p "$out" && cd "$out" && pwd)
root=$("$top/scripts/arm64-rootfs.sh" "$kdir")
{
	printf 'cd /results\n'
	printf '%q ' "$@"
	echo
} >"$out/.vm-cmd"
rm -f "$out/.vm-rc"
rc=0
timeout -k 5 "$secs" qemu-system-aarch64 -M virt -accel tcg -cpu cortex-a72 -smp 2 -m 1G \
	-nographic -no-reboot -nodefaults -serial stdio \
	-kernel "$kdir/arch/arm64/boot/Image" \
	-fsdev local,id=root,path="$root",security_model=none,readonly=on,multidevs=remap \
	-device virtio-9p-device,fsdev=root,mount_tag=rootfs \
	-fsdev local,id=res,path="$out",security_model=none,multidevs=remap \
	-device virtio-9p-device,fsdev=res,mount_tag=results \
	-fsdev local,id=repo,path="$top",security_model=none,readonly=on,multidevs=remap \
	-device virtio-9p-device,fsdev=repo,mount_tag=repo \
	-append "console=ttyAMA0 root=rootfs rootfstype=9p rootflags=trans=virtio,version=9p2000.L,msize=512000 ro init=/init panic=-1 oops=panic" \
	</dev/null || rc=$?
if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
	echo "vm-arm64.sh: guest killed after ${secs}s" >&2
	exit 124
fi
[ -s "$out/.vm-rc" ] || { echo "vm-arm64.sh: the guest exited without a result (qemu rc $rc)" >&2; exit 125; }
exit "$(cat "$out/.vm-rc")"
