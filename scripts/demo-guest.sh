#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Runs inside the demo guest: load the module and show what it provides.
set -u
ko=$1
run() {
	echo
	echo "\$ $*"
	"$@"
}

run insmod "$ko"
run dmesg --notime | grep -E 'dpaa_vdpa|dpaa_sim'
run vdpa mgmtdev show
run vdpa -j -p mgmtdev show dpaa_sim0
run ls /sys/devices/dpaa_sim0
echo
echo "vDPA devices come with a later change; until then dev add says so:"
run vdpa dev add name vdpa0 mgmtdev dpaa_sim0 mac 02:00:00:00:00:01
run dmesg --notime | tail -n 1
run rmmod dpaa_vdpa
run vdpa mgmtdev show
echo
echo "demo: done"
