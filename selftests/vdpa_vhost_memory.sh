#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# A vhost-vdpa user reaches only the memory it mapped, only while it is
# mapped, and cannot make the device call a callback it was told to drop:
# - mapping nothing and pointing a TX ring and frame at host physical
#   addresses (its own pages, found through pagemap), or moving the data
#   group to an ASID nobody mapped, is a device error (DEVICE_NEEDS_RESET)
#   and the device touches none of those pages; the same TX through a map
#   is sent (the control);
# - RX buffers unmapped (IOTLB invalidate) while frames arrive from the
#   wire are not written once the invalidate returned, and not while
#   vhost-vdpa frees their pages (it unpins before it tells the device: the
#   user unmapped them from itself first; KASAN would see the writes);
# - an RX queue disabled (SET_VRING_ENABLE 0) gets none of its lent
#   buffers written while frames keep arriving;
# - the call eventfd swapped 1000 times (set new, close old) while frames
#   arrive: no use after free (the console scan catches one);
# - TX frames whose source MAC another process keeps flipping to a foreign
#   one while the device works on them: every frame on the wire carries
#   the MAC the anti-spoof check saw (the frame is read once).
# budget: 180
. "$(dirname "$0")/lib/lib.sh"
require_cmd python3
trap 'stop_flood; vhost_teardown' EXIT
port_setup
MAC=02:d0:aa:00:01:01
chr=$(vhost_dev d0 mac $MAC) || fail "vhost-vdpa device: $chr"
A="$VHOST_LIB/vhost_attack.py"
# In $(...) a fail would only leave the subshell: the caller checks.
run() { $PY "$A" "$chr" "$@"; }

out=$(run mapped) || fail "vhost_attack mapped: $out"
log "$out"
expect_eq "control: TX through a map" "$out" "mapped used=1 status=0x0f"

out=$(run phys) || fail "vhost_attack phys: $out"
log "$out"
line() { sed -n "$1p" <<<"$out"; }
# ACK|DRIVER|FEATURES_OK|DRIVER_OK + DEVICE_NEEDS_RESET; the used ring
# (flags included) untouched.
expect_eq "physical addresses, nothing mapped" "$(line 1)" "phys used=0 status=0x4f used_flags=0000"
expect_eq "physical addresses, group on an unmapped ASID" "$(line 2)" "asid1 used=0 status=0x4f used_flags=0000"

out=$(run race $NS $WIRE_IF 300) || fail "vhost_attack race $NS $WIRE_IF 300: $out"
log "$out"
grep -q "^race chains=300 .* wire_foreign=0 status=0x0f$" <<<"$out" ||
	fail "a frame left with a source MAC the anti-spoof check did not see: $out"
own=$(sed -n 's/.*wire_own=\([0-9]*\).*/\1/p' <<<"$out")
[ "$own" -gt 0 ] || fail "no frame got through at all: $out"

wire_flood $MAC 600
out=$(run rx_disable) || fail "vhost_attack rx_disable: $out"
log "$out"
expect_eq "disabled RX queue" "$out" "rx_disable before=True written_after=0 used_after=0"

out=$(run unmap_race 10) || fail "vhost_attack unmap_race 10: $out"
log "$out"
grep -q "written_after=0 " <<<"$out" || fail "buffers written after their unmap: $out"

out=$(run unmap_freed 6) || fail "vhost_attack unmap_freed 6: $out"
log "$out"
grep -q "^unmap_freed rounds=6 " <<<"$out" || fail "unmap_freed did not run: $out"

out=$(run callswap 1000) || fail "vhost_attack callswap 1000: $out"
log "$out"
grep -q "status=0x0f" <<<"$out" || fail "device broken by call eventfd swaps: $out"
frames=$(sed -n 's/.*frames=\([0-9]*\).*/\1/p' <<<"$out")
[ "$frames" -gt 0 ] || fail "no frames arrived during the swaps"
stop_flood
