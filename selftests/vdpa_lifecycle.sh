#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Lifecycle under traffic: CHURN (5, soak 100) add/del cycles of a device while another
# one carries a TCP stream; delete a device whose interface is up and busy;
# reset a device mid-traffic (driver unbind/bind); unload the module with
# devices present (on the model: a board keeps it loaded). No splat, no leak; the port's IOMMU maps a device's S/G
# tables only while its datapath runs.
# budget: 150
. "$(dirname "$0")/lib/lib.sh"
require_cmd jq socat ping
trap vdpa_teardown EXIT
port_setup
D0=10.9.0.10 D1=10.9.0.11
vdpa_up d0 d0 $D0

# A stream into d0 for the whole churn.
ip netns exec d0 socat -u TCP-LISTEN:5100,reuseaddr /dev/null &
listener=$!
wait_for 20 bash -c "ip netns exec d0 ss -Hltn | grep -q ':5100 '" || fail "listener"
# Not through in_ns: $! must be socat itself, to kill it.
ip netns exec $NS socat -u /dev/zero TCP:$D0:5100 &
stream=$!
N=$CHURN
# Every EVERY-th cycle the new device carries traffic too.
EVERY=$(( N >= 50 ? 25 : 5 ))
t0=$SECONDS
for i in $(seq 1 "$N"); do
	"$VDPA" dev add name d1 mgmtdev $PORT max_vqp 2 || fail "cycle $i: dev add"
	if [ $((i % EVERY)) = 0 ]; then
		ifc=$(vdpa_netdev d1)
		ip netns add d1
		ip link set "$ifc" netns d1
		ip -n d1 addr add $D1/24 dev "$ifc"
		ip -n d1 link set "$ifc" up
		in_ns d1 ping -c 1 -i 0.2 -W 5 $W4 >/dev/null || fail "cycle $i: ping from the new device"
		ip netns del d1
	fi
	"$VDPA" dev del d1 || fail "cycle $i: dev del"
	[ $((i % EVERY)) = 0 ] && log "cycle $i: $((SECONDS - t0)) s"
done
kill -0 $stream 2>/dev/null || fail "the stream into d0 died during the churn"
log "$N add/del cycles while d0 carried a stream"

# Delete d0 while its interface is up and the stream runs.
"$VDPA" dev del d0 || fail "dev del d0 under traffic"
kill $stream $listener 2>/dev/null
wait $stream $listener 2>/dev/null
expect_eq "devices" "$(port_devs | wc -l)" 0

# Reset mid-traffic: unbind and rebind the driver while pings flow.
vdpa_up d1 d1 $D1
ip netns exec $NS ping -c 1000 -i 0.01 -W 1 $D1 >/dev/null &
flood=$!
sleep 1
echo d1 >/sys/bus/vdpa/drivers/virtio_vdpa/unbind || fail "unbind"
echo d1 >/sys/bus/vdpa/drivers/virtio_vdpa/bind || fail "bind"
kill $flood 2>/dev/null
wait $flood 2>/dev/null
ifc=$(vdpa_netdev d1)
ip link set "$ifc" netns d1
ip -n d1 addr add $D1/24 dev "$ifc"
ip -n d1 link set "$ifc" up
in_ns d1 ping -c 2 -i 0.2 -W 5 $W4 >/dev/null || fail "no traffic after the reset"
log "reset under traffic: the device works again"

# The port's IOMMU: with the host down and d1's datapath gone (unbound),
# what is mapped is exactly the buffers in the port's pools: no frame's
# buffer is held anywhere else, and none was lost.
ip link set $HOST_IF down
echo d1 >/sys/bus/vdpa/drivers/virtio_vdpa/unbind || fail "unbind"
pooled=$(($(ethtool_stat $HOST_IF pool0_count) + $(ethtool_stat $HOST_IF pool1_count)))
live=$(($(port_stat iommu_maps) - $(port_stat iommu_unmaps)))
expect_eq "mappings with no datapath" "$live" "$pooled"
# The model's IOMMU also counts faults (a board's DMA API does not).
[ "$HW" = 1 ] || expect_eq "IOMMU faults" "$(port_stat iommu_faults)" 0
log "IOMMU: $live mappings, the $pooled buffers in the port's pools"

# A board keeps the module loaded (one load per boot): the unload with
# devices present is the model's.
if [ "$HW" = 1 ]; then
	ip netns del d1
	exit 0
fi

# Unload with devices present (one bound and up, one without a driver).
modprobe -r virtio_vdpa
"$VDPA" dev add name d2 mgmtdev $PORT || fail "dev add d2"
modprobe virtio_vdpa
mod_unload || fail "rmmod with devices present"
ip netns del d1
