#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Every frame sent on the wire is counted once by the port: delivered, or
# dropped for a reason. Good frames and malformed ones (parse errors) are
# sent; the counters must add up exactly and match the wire's TX count.
# budget: 60
. "$(dirname "$0")/lib/lib.sh"
require_cmd python3
model_only "exact parse-error counts of the model's parser"
trap port_teardown EXIT
port_setup
port_quiet

f0=$(port_stat rx_frames)
d0=$(port_stat rx_delivered)
p0=$(port_stat rx_drop_parse)
w0=$(in_ns $NS cat /sys/class/net/$WIRE_IF/statistics/tx_packets)
r0=$(ethtool_stat $HOST_IF rx_packets)

# 200 good UDP frames and 37 malformed IPv4 frames (IHL 3), raw, from the wire.
in_ns $NS $PY - "$WIRE_IF" "$(cat /sys/class/net/$HOST_IF/address)" <<'PY'
import socket, struct, sys
ifname, dst = sys.argv[1], bytes.fromhex(sys.argv[2].replace(":", ""))
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((ifname, 0))
src = bytes.fromhex(open(f"/sys/class/net/{ifname}/address").read().strip().replace(":", ""))
def ip(ihl, payload):
    h = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, 0, 20 + len(payload), 0, 0, 64, 17, 0,
                    bytes([10, 9, 0, 2]), bytes([10, 9, 0, 1]))
    return dst + src + b"\x08\x00" + h + payload
udp = struct.pack("!HHHH", 4000, 9, 12, 0) + b"good"
for _ in range(200):
    s.send(ip(5, udp))
for _ in range(37):
    s.send(ip(3, udp))
PY

# The wire's qdisc may hand frames to the port later (NET_TX softirq) and
# the host consumes them asynchronously (NAPI): poll until the port has seen
# all 237 frames and the host has received the 200 good ones.
all_in() {
	[ $(($(port_stat rx_frames) - f0)) -ge 237 ] &&
		[ $(($(ethtool_stat $HOST_IF rx_packets) - r0)) -ge 200 ]
}
wait_for 20 all_in || fail "the port did not see 237 frames or the host did not receive 200: $(cat $STATS)"
f=$(($(port_stat rx_frames) - f0))
d=$(($(port_stat rx_delivered) - d0))
p=$(($(port_stat rx_drop_parse) - p0))
w=$(($(in_ns $NS cat /sys/class/net/$WIRE_IF/statistics/tx_packets) - w0))
r=$(($(ethtool_stat $HOST_IF rx_packets) - r0))
log "wire sent $w, port saw $f: delivered $d, parse errors $p"
expect_eq "frames the port saw" "$f" 237
expect_eq "frames the wire sent" "$w" "$f"
expect_eq "parse drops" "$p" 37
expect_eq "delivered" "$d" 200
expect_eq "delivered + dropped" "$((d + p))" "$f"
expect_rx_balance
# The host saw each delivered frame.
expect_eq "host rx_packets" "$r" "$d"
