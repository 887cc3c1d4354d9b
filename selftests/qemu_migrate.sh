#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Live migration of a running QEMU guest (L2) between two dpaa_vdpa devices
# on the same port, with QEMU 7.2's shadow virtqueues (x-svq=on: QEMU
# relays the rings, so it sees what the device writes to guest memory).
# The guest pings the wire end and streams a numbered byte sequence to it
# over TCP throughout; the destination QEMU (-incoming) runs on device B.
# After the migration the source QEMU quits, device A is deleted and the
# guest's MAC moves to B (the source released before the destination takes
# the MAC: a MAC has one owner on a port). Pass: the migration completes
# with the stream still open, the stream carries on over B and ends with
# every byte right, the pings lost are bounded (and reported with the
# downtime) and none is answered twice, B's queues carry the guest's
# traffic, and neither QEMU nor the guest reports an error. 102-287 s (the
# migration itself 12-48 s: the host's speed varies by the hour).
# budget: 360
# vm: own
# suite: soak (make check has no room for the L2 kernel and this guest: Documentation/build-and-test.rst)
. "$(dirname "$0")/lib/lib.sh"
. "$(dirname "$0")/lib/l2.sh"
l2_setup
G4=10.9.0.51
GMAC=52:54:00:00:00:51
BMAC=52:54:00:00:00:52
# What QEMU 7.2's shadow virtqueues can relay: VERSION_1 ACCESS_PLATFORM
# RING_EVENT_IDX MAC MTU STATUS MRG_RXBUF (not RING_INDIRECT_DESC; not the
# control queue's CTRL_RX, which its shadow CVQ cannot restore).
FEATURES=0x320018028
MIG=$L2_DIR/migrate.sock

l2_vhost_vdpa
# (iproute2 6.1's vdpa has no device_features, nor dev set mac: vdpa_nl.py.)
$PY "$VDPA_NL" add ma $PORT mac $GMAC device_features $FEATURES || fail "dev add ma"
$PY "$VDPA_NL" add mb $PORT mac $BMAC device_features $FEATURES || fail "dev add mb"
vdpa_rebind ma vhost_vdpa
vdpa_rebind mb vhost_vdpa
A=$(vhost_chr ma) || fail "vhost-vdpa device ma: $A"
B=$(vhost_chr mb) || fail "vhost-vdpa device mb: $B"

export L2_NETDEV_OPTS=x-svq=on
l2_start src "$A" $GMAC
l2_wait src
l2 src "ip addr add $G4/24 dev eth0 && ip link set eth0 up" || fail "L2 address"
out=$(l2 src "ping -c 3 -W 5 $W4") || fail "L2 ping on A: $out"
# The destination waits for the migration stream, on device B.
l2_start dst "$B" $GMAC -incoming "unix:$MIG"

# The stream: blocks of 1000 numbered lines, one every 0.5 s, from the
# guest to a listener on the wire end (which keeps what it gets), until the
# guest finds /tmp/stop; the pings, every 0.2 s, until interrupted.
got=/tmp/qemu_migrate.got
in_ns $NS socat -u TCP-LISTEN:5003,reuseaddr "CREATE:$got" &
lsn=$!
wait_for 10 bash -c "ip netns exec $NS ss -Hltn | grep -q ':5003 '" || fail "listener"
l2 src "(i=0; while [ ! -e /tmp/stop ]; do seq \$((i * 1000)) \$((i * 1000 + 999));" \
	"i=\$((i + 1)); sleep 0.5; done) | nc $W4 5003 >/dev/null 2>&1 &" || fail "L2 stream"
l2 src "ping -i 0.2 $W4 >/tmp/ping.log 2>&1 &" || fail "L2 ping"
size() { stat -c %s $got 2>/dev/null || echo 0; }
grown() { [ "$(size)" -gt "$1" ]; }
wait_for 20 grown 0 || fail "the stream did not start"

t0=$SECONDS
l2_mon src "migrate_set_parameter max-bandwidth 1G" >/dev/null
l2_mon src "migrate -d unix:$MIG" >/dev/null
st=""
migrated() {
	st=$(l2_mon src "info migrate")
	grep -q "Migration status: completed" <<<"$st" && return 0
	grep -q "Migration status: \(failed\|cancelled\)" <<<"$st" && fail "migration: $st"
	return 1
}
wait_for 120 migrated || fail "migration did not complete: $st"
downtime=$(sed -n 's/^downtime: \([0-9]*\) ms/\1/p' <<<"$st")
total=$(sed -n 's/^total time: \([0-9]*\) ms/\1/p' <<<"$st")
log "migrated in $((SECONDS - t0)) s (QEMU: total ${total:-?} ms, downtime ${downtime:-?} ms)"
kill -0 $lsn 2>/dev/null || fail "the TCP stream ended before the migration completed"

# Hand over: the source quits (device A reset), A goes, B takes the MAC.
t1=$SECONDS
l2_check src
l2_stop src
"$VDPA" dev del ma || fail "dev del ma"
$PY "$VDPA_NL" set mb mac $GMAC || fail "mac $GMAC to mb"
at=$(size)
log "MAC handed over to mb $((SECONDS - t1)) s after the migration ($at bytes of the stream so far)"
l2 dst true || fail "the migrated guest does not answer on its console"
# The stream opened on A carries on over B.
wait_for 30 grown "$at" || fail "the TCP stream did not carry on after the migration"

# The stream ends with every byte as sent: whole blocks, in order.
l2 dst "touch /tmp/stop" || fail "L2 stop"
wait_for 60 bash -c "! kill -0 $lsn 2>/dev/null" || fail "stream did not end"
lines=$(wc -l <$got)
[ $((lines % 1000)) = 0 ] && [ "$lines" -gt 0 ] || fail "the stream ended inside a block: $lines lines"
want=$(for ((i = 0; i < lines / 1000; i++)); do seq $((i * 1000)) $((i * 1000 + 999)); done | sha256sum)
expect_eq "TCP stream across the migration ($(size) bytes)" "$(sha256sum <$got)" "$want"
log "TCP stream opened before the migration: $(size) bytes ($((lines / 1000)) blocks; $at before the hand-over), all as sent (sha256)"

# The pings: lost ones bounded (the migration's downtime and the hand-over),
# none answered twice.
l2 dst "kill -INT \$(pidof ping); while pidof ping >/dev/null; do sleep 0.2; done" || fail "pings did not end"
sum=$(l2 dst "grep 'packets transmitted' /tmp/ping.log")
read -r sent _ _ recv _ <<<"$sum"
[ -n "$sent" ] && [ -n "$recv" ] || fail "ping summary: $sum"
lost=$((sent - recv))
dup=$(l2 dst "grep -c DUP /tmp/ping.log")
log "pings every 0.2 s: $sent sent, $recv answered, $lost lost ($((lost * 200)) ms), ${dup:-?} duplicated"
expect_eq "pings answered twice" "${dup:-?}" 0
[ $((lost * 200)) -le 15000 ] || fail "$lost pings lost"
out=$(l2 dst "ping -c 3 -W 5 $W4") || fail "L2 ping on B: $out"
vb=$(vstat mb 0 frames)
[ "$vb" -gt 0 ] || fail "mb's RX queue got nothing"
log "mb: RX frames $vb, TX frames $(vstat mb 1 frames)"
# Each frame from the wire is delivered or dropped, counted: once none is
# in flight (the guest's link down; the counters move one after the other
# as a frame goes through, so a read during traffic may straddle one).
l2 dst "ip link set eth0 down" || fail "L2 link down"
expect_rx_balance
l2_check dst
l2_stop dst
