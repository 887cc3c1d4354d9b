#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot a built kernel tree under QEMU (TCG) and run one command in it.
#
#   scripts/vm.sh [-m MEM] [-c CPUS] [-t SECS] [-1] [-q] -k KDIR -o OUTDIR -- COMMAND...
#
# -1: one host thread runs all the vCPUs in turn (TCG thread=single): the
#     guest keeps its CPUs but takes at most one host core.
# -q: quiet console (loglevel=1), for output meant for people.
# The guest's root is the host's root over 9p, read-only: every host tool is
# there. OUTDIR is mounted read-write at the same path. PID 1 is
# scripts/vm-init.sh (no systemd, no udev: devtmpfs makes the device nodes).
# The guest console (kernel log and the command's output) goes to stdout.
# Exit status: the command's, or 124 when the guest was killed after SECS
# seconds, or 125 when it died without reporting one.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
mem=2G cpus=2 secs=1800 kdir="" out="" extra="" tcg=tcg
while [ $# -gt 0 ]; do
	case $1 in
	-m) mem=$2; shift 2 ;;
	-c) cpus=$2; shift 2 ;;
	-t) secs=$2; shift 2 ;;
	-k) kdir=$2; shift 2 ;;
	-o) out=$2; shift 2 ;;
	-q) extra="quiet loglevel=1"; shift ;;
	-1) tcg=tcg,thread=single; shift ;;
	--) shift; break ;;
	*) echo "vm.sh: unknown option $1" >&2; exit 2 ;;
	esac
done
[ -n "$kdir" ] && [ -n "$out" ] && [ $# -gt 0 ] || { echo "usage: vm.sh -k KDIR -o OUTDIR -- CMD..." >&2; exit 2; }
out=$(mkdir -p "$out" && cd "$out" && pwd)

# The tree's modules, installed once next to it for modprobe in the guest;
# under a lock: check.sh starts its guests together.
if [ ! -e "$kdir/.modinst/.done" ]; then
	exec 9>"$kdir/.modinst.lock"
	flock 9
	if [ ! -e "$kdir/.modinst/.done" ]; then
		. "$top/scripts/env.sh"
		rm -rf "$kdir/.modinst"
		make -s -C "$kdir" $KMAKE INSTALL_MOD_PATH="$kdir/.modinst" modules_install >/dev/null
		touch "$kdir/.modinst/.done"
	fi
	exec 9>&-
fi

# The command travels in a file: the kernel command line is short and lossy.
{
	printf 'export VM_KDIR=%q VM_OUT=%q\n' "$kdir" "$out"
	printf 'cd %q\n' "$PWD"
	printf '%q ' "$@"
	echo
} >"$out/.vm-cmd"
rm -f "$out/.vm-rc"

# la57=off: with 5-level paging, 6.12's identify_cpu() clears the boot CPU's
# feature bits for a moment; a timer interrupt in that window makes KASAN
# take the LA57 direct map for wild memory (a false report at ~0.008 s).
# No AVX: TCG runs glibc's AVX2 string functions far slower than the SSE
# ones (a shell loop 1.8x, python and jq starts 1.3x here).
cpu=max,la57=off,-avx,-avx2,-avx512f,-avx512bw,-avx512vl,-avx512dq,-avx512cd
cpu+=,-avx512ifma,-avx512vbmi,-avx-vnni,-f16c,-fma
rc=0
timeout -k 5 "$secs" qemu-system-x86_64 -machine q35 -accel "$tcg" -cpu "$cpu" -smp "$cpus" -m "$mem" \
	-nographic -no-reboot -nodefaults -serial stdio \
	-fw_cfg name=etc/sercon-port,string=0 `# no SeaBIOS noise on the console` \
	-kernel "$kdir/arch/x86/boot/bzImage" \
	-virtfs local,path=/,mount_tag=rootfs,security_model=none,readonly=on,multidevs=remap \
	-virtfs local,path="$out",mount_tag=results,security_model=none,multidevs=remap \
	-append "console=ttyS0 root=rootfs rootfstype=9p rootflags=trans=virtio,version=9p2000.L,msize=512000,cache=loose ro init=$top/scripts/vm-init.sh panic=-1 oops=panic vm_out=$out $extra" \
	</dev/null 2> >(grep -v 'fw_cfg item names should be prefixed' >&2) || rc=$?
if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
	echo "vm.sh: guest killed after ${secs}s" >&2
	exit 124
fi
[ -s "$out/.vm-rc" ] || { echo "vm.sh: the guest exited without a result (qemu rc $rc)" >&2; exit 125; }
exit "$(cat "$out/.vm-rc")"
