#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# ethtool ntuple rules: a UDP flow is steered to the RX FQ a rule names (seen
# in the per-queue counters), the rule is listed, and deleting it restores the
# default (hash) placement. Without a rule the switch hands frames from the
# wire to the host on the portal that dequeued them: no host FQ sees them.
# Bad rules are refused.
# budget: 90
. "$(dirname "$0")/lib/lib.sh"
require_cmd ethtool
trap port_teardown EXIT
port_setup
port_quiet

# Written for two RX queues, the host's RX FQs, one per portal (two CPUs:
# the test VM; a board with four has four, which this test does not
# follow yet).
nrx=$(ethtool -n $HOST_IF | awk '/RX rings available/ { print $1 }')
[ "$nrx" = 2 ] || skip "written for 2 RX queues, $HOST_IF has ${nrx:-none}"
rxq() { ethtool_stat $HOST_IF "rxq$1_packets"; }
fqs() { echo $(($(ethtool_stat $HOST_IF rxq0_enqueued) + $(ethtool_stat $HOST_IF rxq1_enqueued))); }
# send N frames of the flow and print how many each RX queue got, and how
# many went through the host's RX FQs
burst() {
	local a0 b0 f0
	a0=$(rxq 0)
	b0=$(rxq 1)
	f0=$(fqs)
	udp_burst $NS $H4 7777 "$1"
	echo "$(($(rxq 0) - a0)) $(($(rxq 1) - b0)) $(($(fqs) - f0))"
}

read -r a b f < <(burst 50)
log "without a rule: rxq0 +$a, rxq1 +$b, through the host's FQs +$f"
if [ "$a" -ge 50 ]; then home=0 other=1; elif [ "$b" -ge 50 ]; then home=1 other=0; else fail "the flow is not on one queue"; fi
expect_eq "frames from the wire through the host's FQs" "$f" 0

ethtool -N $HOST_IF flow-type udp4 dst-ip $H4 dst-port 7777 action $other loc 3 || fail "ethtool -N"
ethtool -n $HOST_IF | grep -q "Filter: 3" || fail "rule not listed by ethtool -n"
ethtool -n $HOST_IF rule 3 | grep -q "Action: Direct to queue $other" || fail "rule 3 lists the wrong action"
grep -q "flow4 proto 17 $H4:7777" $DBG/classifier || fail "rule not in the classifier"
read -r a b f < <(burst 50)
log "with the rule to queue $other: rxq0 +$a, rxq1 +$b, through the host's FQs +$f"
if [ $other = 1 ]; then got=$b stay=$a; else got=$a stay=$b; fi
[ "$got" -ge 50 ] || fail "the rule did not steer the flow to rxq$other"
[ "$stay" -lt 50 ] || fail "frames still reach rxq$home"
[ "$f" -ge 50 ] || fail "the rule's frames did not go through the host's RX FQ ($f)"

ethtool -N $HOST_IF delete 3 || fail "ethtool -N delete"
read -r a b f < <(burst 50)
log "rule deleted: rxq0 +$a, rxq1 +$b, through the host's FQs +$f"
if [ $home = 0 ]; then got=$a; else got=$b; fi
[ "$got" -ge 50 ] || fail "the flow did not return to rxq$home"

# ethtool 6.1 exits 0 when the kernel refuses a rule: check its message
# and that no rule was added.
refused() {
	local out
	out=$(ethtool "$@" 2>&1)
	grep -qE "Invalid argument|Operation not supported|No such file" <<<"$out" || fail "ethtool $*: not refused: $out"
	ethtool -n $HOST_IF | grep -q "Total 0 rules" || fail "ethtool $*: a rule was added"
}
refused -N $HOST_IF flow-type udp4 dst-ip $H4 dst-port 7777 action 9
refused -N $HOST_IF flow-type udp4 src-ip $W4 action 1
refused -N $HOST_IF delete 3
log "bad rules refused"
