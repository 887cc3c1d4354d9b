#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# PID 1 of the arm64 test VM (scripts/vm-arm64.sh): mount the basics, the
# repository (/repo, read-only) and the results share (/results), run
# /results/.vm-cmd, store its exit status in /results/.vm-rc, power off.
export PATH=/bin:/sbin:/usr/bin:/usr/sbin HOME=/tmp
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /var/tmp
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
ln -sf /proc/self/fd /dev/fd
mount -t debugfs debugfs /sys/kernel/debug
mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000 results /results
mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000,ro repo /repo
hostname vm
ip link set lo up
echo "vm-init: running the command after $(cut -d' ' -f1 /proc/uptime)s"
bash /results/.vm-cmd </dev/null
rc=$?
echo "vm-init: command exited with $rc"
echo $rc >/results/.vm-rc
sync
poweroff -f
