#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# PID 1 of the scripts/vm.sh guest: mount the basics, run the command from
# OUTDIR/.vm-cmd, store its exit status in OUTDIR/.vm-rc, power off.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/tmp TERM=dumb

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mkdir -p /dev/pts /dev/shm
ln -sf /proc/self/fd /dev/fd
ln -sf /proc/self/fd/0 /dev/stdin
ln -sf /proc/self/fd/1 /dev/stdout
ln -sf /proc/self/fd/2 /dev/stderr
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
mount -t tmpfs tmpfs /run
# /tmp and /var/tmp stay the host's (a repo or cache may live there) but
# writable: an overlay with its upper layer in tmpfs.
for d in /tmp /var/tmp; do
	mkdir -p "/run/ovl$d/upper" "/run/ovl$d/work"
	mount -t overlay overlay -o "lowerdir=$d,upperdir=/run/ovl$d/upper,workdir=/run/ovl$d/work" "$d"
done
mount -t debugfs debugfs /sys/kernel/debug
# modprobe wants /lib/modules/$(uname -r): a tmpfs there links to the
# modules installed in the kernel tree (scripts/setup.sh creates the
# directory on the host when the host has none).
mount -t tmpfs tmpfs /lib/modules || echo "vm-init: no /lib/modules: modprobe will not work"

out=""
for arg in $(cat /proc/cmdline); do
	case $arg in vm_out=*) out=${arg#vm_out=} ;; esac
done
# After the overlays, which would otherwise hide it.
mkdir -p "$out"
mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000 results "$out"

. <(head -n 1 "$out/.vm-cmd")
ln -s "$VM_KDIR/.modinst/lib/modules/$(uname -r)" "/lib/modules/$(uname -r)"
hostname vm
ip link set lo up

echo "vm-init: running the command after $(cut -d' ' -f1 /proc/uptime)s"
bash "$out/.vm-cmd" </dev/null
rc=$?
echo "vm-init: command exited with $rc"
echo $rc >"$out/.vm-rc"
sync
# A FIFO nobody writes to, opened while the root is still there: PID 1
# waits for the power-off on it with builtins only. An external `sleep`
# may fail to load once the 9p root goes away (EIO), and PID 1 exiting is
# a kernel panic in the console, which fails the run.
mkfifo /run/vm-idle && exec 9<>/run/vm-idle
echo "vm-init: powering off" >/dev/kmsg
echo o >/proc/sysrq-trigger
while :; do read -r -t 10 -u 9 _ 2>/dev/null || :; done
