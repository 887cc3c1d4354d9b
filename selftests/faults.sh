#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Fault injection: a depleted pool drops frames as "no buffer", stalled
# portals make the switch's RX FQ hit its tail-drop threshold, failed
# enqueues are counted (the FMan's at once, the host's TX through the TX
# FQ's ern callback, later; a device's TX chains and kicks too, which must
# not stall its queue); traffic recovers when each is relieved. ~60 s.
# budget: 90
. "$(dirname "$0")/lib/lib.sh"
model_only "its fault injection (debugfs qman/bman/fman)"
D=/sys/kernel/debug/dpaa_vdpa
trap 'echo "0 0" >$D/qman/stall_portal; echo "1 0" >$D/qman/stall_portal; echo 0 >$D/qman/fail_enqueue; vdpa_teardown' EXIT
port_setup
port_quiet
# The port's pools, smallest buffers first.
bpids="$(ethtool_stat $HOST_IF pool0_bpid) $(ethtool_stat $HOST_IF pool1_bpid)"
undeplete() { for b in $bpids; do echo "$b 0" >$D/bman/deplete; done; }
trap 'undeplete; echo "0 0" >$D/qman/stall_portal; echo "1 0" >$D/qman/stall_portal; echo 0 >$D/qman/fail_enqueue; vdpa_teardown' EXIT

# Pool depletion: a frame goes into the smallest pool that fits it, and is
# dropped if that one is empty (no backup pool, as the BMI): the small
# pool depleted, small frames are dropped although the large one has
# buffers.
n0=$(port_stat rx_drop_no_buffer)
a0=$(ethtool_stat $HOST_IF pool1_acquired)
set -- $bpids
echo "$1 1" >$D/bman/deplete
udp_burst $NS $H4 7000 40
n=$(($(port_stat rx_drop_no_buffer) - n0))
log "depleted small pool: $n no-buffer drops"
[ "$n" -ge 40 ] || fail "want >= 40 no-buffer drops, got $n"
expect_eq "large buffers taken for small frames" "$(ethtool_stat $HOST_IF pool1_acquired)" "$a0"
undeplete
ping -c 2 -i 0.2 -W 5 $W4 >/dev/null || fail "no recovery after the pool came back"

# Tail drop: no portal dequeues, one flow fills the switch's RX FQ it
# hashes to (depth 512).
t0=$(port_stat rx_drop_tail_drop)
echo "0 1" >$D/qman/stall_portal
echo "1 1" >$D/qman/stall_portal
udp_burst $NS $H4 7001 560
t=$(($(port_stat rx_drop_tail_drop) - t0))
log "stalled portals: $t tail drops"
[ "$t" -ge 48 ] || fail "want >= 48 tail drops (560 frames into 512 slots), got $t"
echo "0 0" >$D/qman/stall_portal
echo "1 0" >$D/qman/stall_portal
wait_for 10 ping -c 1 -i 0.2 -W 2 $W4 >/dev/null || fail "no recovery after the portals resumed"

# Failed enqueues.
e0=$(port_stat rx_drop_enqueue)
echo 5 >$D/qman/fail_enqueue
udp_burst $NS $H4 7002 10
e=$(($(port_stat rx_drop_enqueue) - e0))
expect_eq "fault-injected enqueue drops" "$e" 5
expect_eq "fail_enqueue left" "$(cat $D/qman/fail_enqueue)" 0

# Rejected host TX enqueues come back later through the TX FQ's ern
# callback (not as a failed enqueue): dropped and counted, skbs freed, and
# nothing of them reaches the wire.
t0=$(ethtool_stat $HOST_IF tx_dropped) f0=$(port_stat tx_to_wire)
echo 5 >$D/qman/fail_enqueue
udp_burst "" $W4 7003 5
wait_for 10 bash -c "[ \$(ethtool -S $HOST_IF | awk '\$1 == \"tx_dropped:\" { print \$2 }') -ge $((t0 + 5)) ]" ||
	fail "rejected TX frames not dropped through ern: tx_dropped $(ethtool_stat $HOST_IF tx_dropped), want $((t0 + 5))"
expect_eq "fail_enqueue left after TX" "$(cat $D/qman/fail_enqueue)" 0
expect_eq "rejected frames on the wire" "$(port_stat tx_to_wire)" "$f0"
log "5 rejected host TX enqueues: dropped through the ern callback"

expect_rx_balance
ping -c 2 -i 0.2 -W 5 $W4 >/dev/null || fail "traffic after the faults"

# A device's TX frames rejected by QMan, more than a queue's worth: each
# chain comes back through the TX FQ's ern callback and must be published
# (no confirmation follows to do it), and rejected kicks must still run
# the queue; the device keeps working once the faults stop.
vdpa_up d0 d0 10.9.0.10
in_ns d0 ip neigh replace $W4 lladdr "$(in_ns $NS cat /sys/class/net/$WIRE_IF/address)" dev d0 nud permanent
r0=$(vstat d0 1 drop_enqueue)
echo 600 >$D/qman/fail_enqueue
udp_burst d0 $W4 7004 600
echo 0 >$D/qman/fail_enqueue
r=$(($(vstat d0 1 drop_enqueue) - r0))
log "device TX under rejections: $r frames rejected through ern"
[ "$r" -gt 0 ] || fail "no device TX frame was rejected"
# Each chain counts once: as a frame sent or as a drop, not both.
expect_tx_balance d0 1
in_ns d0 ping -c 2 -i 0.2 -W 5 $W4 >/dev/null || fail "the device's TX queue stalled after rejections"
