#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Runs inside the benchmark guest (scripts/bench.sh).
set -eu
ko=$1
T=${BENCH_SECONDS:-5}

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

ratio() { echo "scale=2; $1 / $2" | bc; }
printf '%-34s %10s %10s\n' "" "value" "vs veth"
printf '%-34s %10s %10s\n' "TCP host -> wire (Mbit/s)" "$port_tx" "$(ratio "$port_tx" "$veth_tcp")"
printf '%-34s %10s %10s\n' "TCP wire -> host (Mbit/s)" "$port_rx" "$(ratio "$port_rx" "$veth_tcp")"
printf '%-34s %10s\n' "TCP veth (Mbit/s)" "$veth_tcp"
printf '%-34s %10s %10s\n' "UDP 64 B host -> wire (pps)" "$port_tx_pps" "$(ratio "$port_tx_pps" "$veth_pps")"
printf '%-34s %10s %10s\n' "UDP 64 B wire -> host (pps)" "$port_rx_pps" "$(ratio "$port_rx_pps" "$veth_pps")"
printf '%-34s %10s\n' "UDP 64 B veth (pps)" "$veth_pps"
grep -E 'rx_drop|tx_drop' /sys/kernel/debug/dpaa_vdpa/dpaa_sim0/stats | grep -v ' 0$' || true
rmmod dpaa_vdpa
