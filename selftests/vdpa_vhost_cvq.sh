#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The CVQ through vhost-vdpa and the device's IOTLB, driven by a hostile
# userspace driver: VQ_PAIRS_SET out of range (0, beyond max_vqp, beyond
# the spec's maximum) is refused and changes nothing (CVE-2022-48864), an
# in-range one takes effect on the classifier, an unknown command is
# refused, and a buffer outside every mapping is a device error
# (DEVICE_NEEDS_RESET), not a kernel fault.
# budget: 60
. "$(dirname "$0")/lib/lib.sh"
require_cmd jq python3
trap 'vdpa_teardown; modprobe -r vhost_vdpa 2>/dev/null' EXIT
port_setup
modprobe -r virtio_vdpa 2>/dev/null
modprobe vhost_vdpa || skip "no vhost_vdpa"
"$VDPA" dev add name d0 mgmtdev $PORT max_vqp 4 || fail "dev add"
wait_for 10 bash -c "ls -d /sys/bus/vdpa/devices/d0/vhost-vdpa-* >/dev/null 2>&1" || fail "vhost_vdpa did not bind"
chr=/dev/$(basename /sys/bus/vdpa/devices/d0/vhost-vdpa-*)
wait_for 10 test -c "$chr" || fail "no $chr"
CLS=$DBG/classifier

n0=$(dmesg | grep -c "d0: device error, needs reset")
out=$(DBG=$DBG $PY "$(dirname "$0")/lib/vhost_cvq.py" "$chr" 4 \
	member:1 pairs:2 member:1 pairs:0 pairs:5 pairs:0x8001 class:9:9 member:1 fault) ||
	fail "vhost_cvq.py failed: $out"
log "$out"
line() { sed -n "$1p" <<<"$out"; }
grep -q "^member 1: fqid .*+1 " <<<"$(line 1)" || fail "one pair at DRIVER_OK: $(line 1)"
expect_eq "VQ_PAIRS_SET 2" "$(line 2)" "pairs:2 ack=0"
grep -q "^member 1: fqid .*+2 " <<<"$(line 3)" || fail "2 pairs not on the classifier: $(line 3)"
expect_eq "VQ_PAIRS_SET 0" "$(line 4)" "pairs:0 ack=1"
expect_eq "VQ_PAIRS_SET 5 > max_vqp 4" "$(line 5)" "pairs:5 ack=1"
expect_eq "VQ_PAIRS_SET 0x8001" "$(line 6)" "pairs:0x8001 ack=1"
expect_eq "unknown command" "$(line 7)" "class:9:9 ack=1"
expect_eq "classifier after the refusals" "$(line 8)" "$(line 3)"
# ACK|DRIVER|FEATURES_OK|DRIVER_OK (0x0f) + DEVICE_NEEDS_RESET (0x40).
expect_eq "status after a fault" "$(line 9)" "fault status=0x4f"
[ "$(dmesg | grep -c "d0: device error, needs reset")" -gt "$n0" ] || fail "no kernel message for the device error"
