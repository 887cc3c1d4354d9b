#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# vDPA devices are not implemented yet: `vdpa dev add` on the management
# device fails with EOPNOTSUPP and a kernel message naming the device, with
# or without attributes, and leaves no device behind.
. "$(dirname "$0")/lib/lib.sh"
require_cmd jq

mod_load || fail "load failed"
trap 'mod_unload' EXIT

for args in "" "mac 02:00:00:00:00:01" "mac 02:00:00:00:00:01 max_vqp 2 mtu 1500"; do
	# shellcheck disable=SC2086
	expect_fail "$VDPA" dev add name vdpa0 mgmtdev dpaa_sim0 $args
	log "dev add $args: $ERR_OUT"
	grep -q "Operation not supported" <<<"$ERR_OUT" ||
		fail "dev add $args: want EOPNOTSUPP, got: $ERR_OUT"
	[ "$("$VDPA" -j dev show | jq '.dev | length')" = 0 ] || fail "a vdpa device exists after a failed add"
done
dmesg | grep -q "dpaa_sim0: cannot add vDPA device 'vdpa0': device creation is not implemented yet" ||
	fail "no kernel message for the refused dev add"

# A name that is not a management device is the vDPA core's ENODEV.
expect_fail "$VDPA" dev add name vdpa0 mgmtdev dpaa_sim9
grep -q "No such device" <<<"$ERR_OUT" || fail "unknown mgmtdev: $ERR_OUT"
