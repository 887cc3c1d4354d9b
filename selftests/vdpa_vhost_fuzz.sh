#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The hostile vhost-vdpa driver (lib/vhost_fuzz.py) on a device, with a
# fixed set of seeds: at least 4,500 hostile chains and set-ups (make soak:
# ten seeds of 2000 rounds, ~180,000); after each round the device works or
# reports DEVICE_NEEDS_RESET, a reset brings it back, and good frames go both
# ways between the device and the wire end (bytes checked). Any kernel report fails the run (console scan).
# VHOST_FUZZ_SEEDS and VHOST_FUZZ_ROUNDS change the set (make fuzz-vhost).
# budget: 70
. "$(dirname "$0")/lib/lib.sh"
require_cmd python3
trap vhost_teardown EXIT
port_setup
chr=$(vhost_dev d0 mac 02:d0:aa:00:01:01) || fail "vhost-vdpa device: $chr"
SEEDS=${VHOST_FUZZ_SEEDS:-"1 2"}
ROUNDS=${VHOST_FUZZ_ROUNDS:-260}
MIN_HOSTILE=${VHOST_FUZZ_MIN_HOSTILE:-4500}
hostile=0
for seed in $SEEDS; do
	out=$($PY "$VHOST_LIB/vhost_fuzz.py" "$chr" $NS $WIRE_IF "$seed" "$ROUNDS" 2>&1) ||
		fail "$out"
	log "$out"
	hostile=$((hostile + $(sed -n 's/.* hostile=\([0-9]*\).*/\1/p' <<<"$out")))
done
log "hostile chains in all: $hostile"
[ "$hostile" -ge "$MIN_HOSTILE" ] || fail "only $hostile hostile chains (want >= $MIN_HOSTILE)"
ping -c 2 -i 0.2 -W 5 $W4 >/dev/null || fail "host -> wire after the fuzzing"
