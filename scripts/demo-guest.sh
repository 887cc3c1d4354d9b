#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Runs inside the demo guest: one port shared by the host netdev, two vDPA
# devices (virtio_vdpa interfaces, as containers use them) and the wire,
# each in its own network namespace, pinging each other.
set -u
ko=$1
run() {
	echo
	echo "\$ $*"
	"$@"
}

modprobe vhost_iotlb
run insmod "$ko"
run vdpa mgmtdev show
echo
echo "Two virtio-net devices on port 0 (one with 2 queue pairs), and virtio_vdpa"
echo "to make them interfaces of this kernel:"
run vdpa dev add name d0 mgmtdev dpaa_sim0
run vdpa dev add name d1 mgmtdev dpaa_sim0 mac 02:00:00:00:00:d1 max_vqp 2
run modprobe virtio_vdpa
run vdpa dev show
run vdpa dev config show
for d in d0 d1; do
	for _ in $(seq 50); do ls /sys/bus/vdpa/devices/$d/virtio*/net/ >/dev/null 2>&1 && break; sleep 0.1; done
done
echo
echo "Each entity in its own namespace: host netdev dpaa0 (ns host), the devices"
echo "(ns d0, d1) and the far end of the cable dpaa0w (ns wire):"
ip netns add host; ip netns add d0; ip netns add d1; ip netns add wire
ip link set dpaa0 netns host
ip link set dpaa0w netns wire
# A device's interface is the net/ entry of its virtio device (a netns may
# also hold tunnel devices such as sit0).
declare -A ifc=([host]=dpaa0 [wire]=dpaa0w) addr=([host]=1 [wire]=2 [d0]=10 [d1]=11)
for d in d0 d1; do
	ifc[$d]=$(ls /sys/bus/vdpa/devices/$d/virtio*/net/)
	ip link set "${ifc[$d]}" netns $d
done
for ns in host wire d0 d1; do
	i=${ifc[$ns]}
	ip -n $ns addr add 192.0.2.${addr[$ns]}/24 dev "$i"
	ip -n $ns link set "$i" up
	echo "  $ns: ${ifc[$ns]} $(ip -n $ns -br link show "$i" | awk '{ print $3 }') 192.0.2.${addr[$ns]}"
done
failed=0
for from in host d0 d1 wire; do
	for to in host d0 d1 wire; do
		[ $from = $to ] && continue
		printf '  %-4s -> %-4s ' $from $to
		ip netns exec $from ping -c 1 -W 3 192.0.2.${addr[$to]} | grep -o 'time=.*' ||
			{ echo FAILED; failed=$((failed + 1)); }
	done
done
echo
echo "The port's classifier: a rule per MAC, a member per entity (d1 has 2 RX FQs):"
run cat /sys/kernel/debug/dpaa_vdpa/dpaa_sim0/classifier
run vdpa dev vstats show d0 qidx 0
run vdpa dev vstats show d0 qidx 1
run sh -c "grep -E 'tx_(frames|delivered|to_wire)' /sys/kernel/debug/dpaa_vdpa/dpaa_sim0/stats"
echo
run vdpa dev del d1
run rmmod dpaa_vdpa
echo
[ $failed = 0 ] || { echo "demo: $failed of 12 pings failed"; exit 1; }
echo "demo: done"
