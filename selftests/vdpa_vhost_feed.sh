#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# A vhost-vdpa user that keeps its RX ring and its CVQ full of work (bad
# buffers, used by the frames the wire sends it, and refused commands,
# recycled as fast as the device completes them) for 30 s holds no portal: another device on the same portals keeps
# pinging the wire with a round trip below 200 ms on average (unbounded
# loops in softirq, before the fix: ~1000 ms; with budgets: ~10 ms), and no
# soft lockup or RCU stall is reported (the console scan).
# budget: 100
. "$(dirname "$0")/lib/lib.sh"
require_cmd python3
trap vhost_teardown EXIT
port_setup
D1=10.9.0.11
chr=$(vhost_dev d0 mac 02:d0:aa:00:01:01) || fail "vhost-vdpa device: $chr"
modprobe virtio_vdpa || fail "modprobe virtio_vdpa"
"$VDPA" dev add name d1 mgmtdev $PORT || fail "dev add d1"
vdpa_rebind d1 virtio_vdpa || fail "binding d1 to virtio_vdpa"
ifc=$(vdpa_netdev d1)
ip netns add d1
ip link set "$ifc" netns d1
ip -n d1 link set "$ifc" name d1
ip -n d1 addr add $D1/24 dev d1
ip -n d1 link set d1 up
in_ns d1 ping -c 1 -i 0.2 -W 5 $W4 >/dev/null || fail "d1 -> wire before the feed"

$PY "$VHOST_LIB/vhost_attack.py" "$chr" feed 30 >/tmp/feed.out 2>&1 &
feeder=$!
sleep 2
# Frames for the feeder: each takes one of its RX buffers, too small for it.
in_ns $NS ip neigh replace 10.9.0.99 lladdr 02:d0:aa:00:01:01 dev $WIRE_IF nud permanent
udp_burst $NS 10.9.0.99 7009 100
out=$(in_ns d1 ping -c 40 -i 0.5 -W 2 $W4 | tail -n 2)
wait $feeder || fail "vhost_attack feed: $(cat /tmp/feed.out)"
log "$(cat /tmp/feed.out)"
log "$out"
rx_used=$(sed -n 's/.*rx_used=\([0-9]*\).*/\1/p' /tmp/feed.out)
[ "${rx_used:-0}" -gt 0 ] || fail "the feeder got no RX buffers completed"
recv=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' <<<"$out")
[ "${recv:-0}" -ge 36 ] || fail "d1's pings during the feed: $recv of 40 answered"
avg=$(sed -n 's|^rtt [^=]*= [0-9.]*/\([0-9]*\)\.[0-9]*/.*|\1|p' <<<"$out")
[ -n "$avg" ] || fail "no round-trip times: $out"
[ "$avg" -lt 200 ] || fail "d1's round trip during the feed: ${avg} ms on average (portals held)"
