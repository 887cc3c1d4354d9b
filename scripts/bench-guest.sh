#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Runs inside the benchmark guest (scripts/bench.sh).
set -eu
ko=$1
T=${BENCH_SECONDS:-5}

modprobe vhost_iotlb
insmod "$ko"
ip netns add peer
ip link set dpaa0w netns peer
ip -n peer link set lo up
ip -n peer addr add 10.8.0.2/24 dev dpaa0w
ip -n peer link set dpaa0w up
ip addr add 10.8.0.1/24 dev dpaa0
ip link set dpaa0 up

ip netns add va
ip netns add vb
ip link add v0 netns va type veth peer name v1 netns vb
for ns in va vb; do
	ip -n $ns link set lo up
done
ip -n va addr add 10.7.0.1/24 dev v0
ip -n vb addr add 10.7.0.2/24 dev v1
ip -n va link set v0 up
ip -n vb link set v1 up
# Match the port: no TSO, no checksum offload, no scatter/gather.
for d in "va v0" "vb v1"; do
	set -- $d
	ip netns exec "$1" ethtool -K "$2" tso off tx off sg off >/dev/null 2>&1
done

ping -c 1 -W 5 10.8.0.2 >/dev/null
ip netns exec va ping -c 1 -W 5 10.7.0.2 >/dev/null

in_ns() { local ns=$1; shift; if [ -n "$ns" ]; then ip netns exec "$ns" "$@"; else "$@"; fi; }

# run SERVER_NS CLIENT_NS ADDR ARGS... -> JSON of the client
iperf() {
	local sns=$1 cns=$2 addr=$3
	shift 3
	in_ns "$sns" iperf3 -s -1 -D -I /tmp/iperf.pid >/dev/null
	for _ in $(seq 50); do in_ns "$sns" ss -Hltn | grep -q ':5201 ' && break; sleep 0.1; done
	in_ns "$cns" iperf3 -c "$addr" -t "$T" -J "$@"
	sleep 0.5
}
tcp() { iperf "$@" | jq '.end.sum_received.bits_per_second / 1e6 | floor'; }
udp() {
	iperf "$@" -u -b 0 -l 18 |
		jq '(.end.sum.packets - .end.sum.lost_packets) / .end.sum.seconds | floor'
}

echo "benchmark: ${T} s per run, $(nproc) vCPUs, base kernel"
port_tx=$(tcp peer "" 10.8.0.2)
port_rx=$(tcp "" peer 10.8.0.1)
veth_tcp=$(tcp vb va 10.7.0.2)
port_tx_pps=$(udp peer "" 10.8.0.2)
port_rx_pps=$(udp "" peer 10.8.0.1)
veth_pps=$(udp vb va 10.7.0.2)

# --- vDPA devices (virtio_vdpa interfaces), each in its own namespace ---------
vdpa dev add name d0 mgmtdev dpaa_sim0 max_vqp 4
vdpa dev add name d1 mgmtdev dpaa_sim0 max_vqp 4
modprobe vdpa_sim_net
vdpa dev add name s0 mgmtdev vdpasim_net mac 02:00:00:00:00:5e
modprobe virtio_vdpa
ifof() {
	for _ in $(seq 100); do ls /sys/bus/vdpa/devices/$1/virtio*/net/ >/dev/null 2>&1 && break; sleep 0.1; done
	ls /sys/bus/vdpa/devices/$1/virtio*/net/
}
n=10
for d in d0 d1 s0; do
	i=$(ifof $d)
	ip netns add $d
	ip link set "$i" netns $d
	ip -n $d link set "$i" name $d
	ip -n $d link set lo up
	ip -n $d addr add 10.8.0.$n/24 dev $d
	ip -n $d link set $d up
	n=$((n + 1))
done
ip netns exec d0 ping -c 1 -W 5 10.8.0.11 >/dev/null
ip netns exec d0 ping -c 1 -W 5 10.8.0.1 >/dev/null
pairs() { for d in d0 d1; do ip netns exec $d ethtool -L $d combined "$1"; done; }

# pps SNS SIF DMAC RNS RIF: 60-byte frames pktgen sends from SIF to DMAC
# for T seconds, as received on RIF (rx_packets per second).
modprobe pktgen
pps() {
	local sns=$1 sif=$2 dmac=$3 rns=$4 rif=$5 r0 r1 c
	local pg=/proc/net/pktgen
	# pktgen takes one command per write.
	ip netns exec "$sns" sh -c "echo rem_device_all >$pg/kpktgend_0"
	ip netns exec "$sns" sh -c "echo 'add_device $sif' >$pg/kpktgend_0"
	for c in "count 0" "pkt_size 60" "delay 0" "dst 10.8.0.99" "dst_mac $dmac"; do
		ip netns exec "$sns" sh -c "echo '$c' >$pg/$sif"
	done
	r0=$(ip netns exec "$rns" cat /sys/class/net/"$rif"/statistics/rx_packets)
	ip netns exec "$sns" sh -c "echo start >$pg/pgctrl" &
	local job=$!
	sleep "$T"
	r1=$(ip netns exec "$rns" cat /sys/class/net/"$rif"/statistics/rx_packets)
	ip netns exec "$sns" sh -c "echo stop >$pg/pgctrl"
	wait $job 2>/dev/null || true
	echo $(((r1 - r0) / T))
}
mac() { ip netns exec "$1" cat /sys/class/net/"$1"/address; }

pairs 1
dh_tcp1=$(tcp "" d0 10.8.0.1)
dd_tcp1=$(tcp d1 d0 10.8.0.11)
dd_pps1=$(udp d1 d0 10.8.0.11)
dd_pg1=$(pps d0 d0 "$(mac d1)" d1 d1)
sim_pg=$(pps s0 s0 "$(mac s0)" s0 s0)
pairs 4
dh_tcp4=$(tcp "" d0 10.8.0.1 -P 4)
dd_tcp4=$(tcp d1 d0 10.8.0.11 -P 4)
dd_pps4=$(udp d1 d0 10.8.0.11 -P 4)

ratio() { echo "scale=2; $1 / $2" | bc; }
printf '%-34s %10s %10s\n' "" "value" "vs veth"
printf '%-34s %10s %10s\n' "TCP host -> wire (Mbit/s)" "$port_tx" "$(ratio "$port_tx" "$veth_tcp")"
printf '%-34s %10s %10s\n' "TCP wire -> host (Mbit/s)" "$port_rx" "$(ratio "$port_rx" "$veth_tcp")"
printf '%-34s %10s\n' "TCP veth (Mbit/s)" "$veth_tcp"
printf '%-34s %10s %10s\n' "UDP 64 B host -> wire (pps)" "$port_tx_pps" "$(ratio "$port_tx_pps" "$veth_pps")"
printf '%-34s %10s %10s\n' "UDP 64 B wire -> host (pps)" "$port_rx_pps" "$(ratio "$port_rx_pps" "$veth_pps")"
printf '%-34s %10s\n' "UDP 64 B veth (pps)" "$veth_pps"
echo
echo "vDPA devices (virtio_vdpa), max_vqp 4; 1 or 4 pairs active (ethtool -L)"
printf '%-34s %10s %10s %10s\n' "" "1 pair" "4 pairs" "4 vs 1"
printf '%-34s %10s %10s %10s\n' "TCP device -> host (Mbit/s)" "$dh_tcp1" "$dh_tcp4" "$(ratio "$dh_tcp4" "$dh_tcp1")"
printf '%-34s %10s %10s %10s\n' "TCP device -> device (Mbit/s)" "$dd_tcp1" "$dd_tcp4" "$(ratio "$dd_tcp4" "$dd_tcp1")"
printf '%-34s %10s %10s %10s\n' "UDP 64 B device -> device (pps)" "$dd_pps1" "$dd_pps4" "$(ratio "$dd_pps4" "$dd_pps1")"
printf '%-34s %10s %10s\n' "TCP device -> host vs veth" "$(ratio "$dh_tcp1" "$veth_tcp")" "$(ratio "$dh_tcp4" "$veth_tcp")"
printf '%-34s %10s %10s\n' "TCP device -> device vs veth" "$(ratio "$dd_tcp1" "$veth_tcp")" "$(ratio "$dd_tcp4" "$veth_tcp")"
echo
echo "pktgen, 60-byte frames for ${T} s, as received (pps):"
printf '%-34s %10s\n' "device -> device (1 pair)" "$dd_pg1"
printf '%-34s %10s\n' "vdpa_sim_net (its loopback)" "$sim_pg"
[ "$sim_pg" -gt 0 ] && printf '%-34s %10s\n' "ratio" "$(ratio "$dd_pg1" "$sim_pg")"
grep -E 'rx_drop|tx_drop' /sys/kernel/debug/dpaa_vdpa/dpaa_sim0/stats | grep -v ' 0$' || true
vdpa dev del s0
rmmod dpaa_vdpa
