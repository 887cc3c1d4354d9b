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
run ip -br link show
echo
echo "The port's wire end goes into its own namespace, like a peer on the cable:"
run ip netns add peer
run ip link set dpaa0w netns peer
run ip -n peer addr add 192.0.2.2/24 dev dpaa0w
run ip -n peer link set dpaa0w up
run ip addr add 192.0.2.1/24 dev dpaa0
run ip link set dpaa0 up
run ping -c 3 -i 0.2 192.0.2.2
run ip netns exec peer ping -c 3 -i 0.2 192.0.2.1
echo
echo "A flow steered to RX queue 1 by an ntuple rule (a classifier rule):"
run ethtool -N dpaa0 flow-type icmp4 dst-ip 192.0.2.1 action 1 2>/dev/null ||
	run ethtool -N dpaa0 flow-type ip4 dst-ip 192.0.2.1 action 1
run ethtool -n dpaa0
run ip netns exec peer ping -c 3 -i 0.2 192.0.2.1
run sh -c "ethtool -S dpaa0 | grep -E 'rxq[01]_(fqid|enqueued)|pool_(bpid|count)|port_rx_(frames|delivered)'"
run cat /sys/kernel/debug/dpaa_vdpa/dpaa_sim0/classifier
run cat /sys/kernel/debug/dpaa_vdpa/qman/fqs
echo
run vdpa mgmtdev show
echo
echo "vDPA devices come with a later change; until then dev add says so:"
run vdpa dev add name vdpa0 mgmtdev dpaa_sim0 mac 02:00:00:00:00:01
run dmesg --notime | tail -n 1
run rmmod dpaa_vdpa
run ip -br link show
echo
echo "demo: done"
