#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# vDPA device management: dev add/show/config/set/del, and every bad request
# refused with its error code and a kernel message, leaving nothing behind.
# budget: 190
. "$(dirname "$0")/lib/lib.sh"
model_only "the model's MACs (port 0's default device MACs, the wire end's MAC the port knows)"
require_cmd jq python3
mod_load || fail "load failed"
trap vdpa_teardown EXIT

ndev() { "$VDPA" -j dev show | jq '.dev | length'; }
cfg() { "$VDPA" -j dev config show "$1" | jq -r ".config.\"$1\".$2"; }

"$VDPA" dev add name v0 mgmtdev $PORT || fail "dev add v0"
expect_eq "devices" "$(ndev)" 1
expect_eq "v0 mgmtdev" "$("$VDPA" -j dev show v0 | jq -r '.dev.v0.mgmtdev')" $PORT
expect_eq "v0 max_vqs" "$("$VDPA" -j dev show v0 | jq -r '.dev.v0.max_vqs')" 3
expect_eq "v0 mac" "$(cfg v0 mac)" 02:d0:aa:00:01:01
expect_eq "v0 mtu" "$(cfg v0 mtu)" 1500
expect_eq "v0 max_vq_pairs" "$(cfg v0 max_vq_pairs)" 1
"$VDPA" dev add name v1 mgmtdev $PORT mac 02:00:00:00:00:07 mtu 1400 max_vqp 4 || fail "dev add v1"
expect_eq "v1 mac" "$(cfg v1 mac)" 02:00:00:00:00:07
expect_eq "v1 mtu" "$(cfg v1 mtu)" 1400
expect_eq "v1 max_vq_pairs" "$(cfg v1 max_vq_pairs)" 4
expect_eq "v1 max_vqs" "$("$VDPA" -j dev show v1 | jq -r '.dev.v1.max_vqs')" 9

# refused NAME "ERRNO TEXT" dev add args...: fails with that error and
# changes nothing.
refused() {
	local what=$1 want=$2
	shift 2
	expect_fail "$@"
	grep -q "$want" <<<"$ERR_OUT" || fail "$what: want '$want', got: $ERR_OUT"
	expect_eq "devices after '$what'" "$(ndev)" 2
	log "$what: $want"
}
add() { "$VDPA" dev add name v9 mgmtdev $PORT "$@"; }
refused "duplicate name" "File exists" "$VDPA" dev add name v0 mgmtdev $PORT mac 02:00:00:00:00:99
refused "the host's MAC" "Address already in use" add mac 02:d0:aa:00:00:01
refused "the wire's MAC" "Address already in use" add mac 02:d0:aa:00:ff:ff
refused "another device's MAC" "Address already in use" add mac 02:00:00:00:00:07
refused "a multicast MAC" "Invalid argument" add mac 03:00:00:00:00:01
refused "max_vqp beyond the port" "Invalid argument" add max_vqp 9
refused "MTU beyond the port" "Invalid argument" add mtu 9600
refused "MTU beyond one RX buffer" "Invalid argument" add mtu 4000
refused "unsupported features" "Operation not supported" \
	$PY "$VDPA_NL" add v9 $PORT device_features 0x300000001
refused "features without VERSION_1" "Invalid argument" \
	$PY "$VDPA_NL" add v9 $PORT device_features 0x200000020
refused "max_vqp without MQ" "Invalid argument" \
	$PY "$VDPA_NL" add v9 $PORT max_vqp 2 device_features 0x300000020
dmesg | grep -q "vDPA device 'v9': MAC 02:d0:aa:00:00:01 is already used by the host interface" ||
	fail "no kernel message naming the MAC owner"
dmesg | grep -q "vDPA device 'v9': MTU 9600 is beyond the port's maximum frame" ||
	fail "no kernel message for the MTU"

# A device with only the mandatory features (and MAC).
$PY "$VDPA_NL" add v2 $PORT device_features 0x300000020 || fail "dev add with device_features"
"$VDPA" dev del v2 || fail "dev del v2"

# dev set mac (dev_set_attr), and its refusals.
$PY "$VDPA_NL" set v0 mac 02:aa:bb:cc:dd:ee || fail "dev set mac"
expect_eq "v0 mac after set" "$(cfg v0 mac)" 02:aa:bb:cc:dd:ee
refused "set to the host's MAC" "Address already in use" $PY "$VDPA_NL" set v0 mac 02:d0:aa:00:00:01
refused "set to v1's MAC" "Address already in use" $PY "$VDPA_NL" set v0 mac 02:00:00:00:00:07
expect_eq "v0 mac after refusals" "$(cfg v0 mac)" 02:aa:bb:cc:dd:ee

# Too many devices: 16 per port.
for i in $(seq 2 15); do "$VDPA" dev add name v$i mgmtdev $PORT || fail "dev add v$i"; done
expect_eq "devices" "$(ndev)" 16
expect_fail add
grep -q "No space left on device" <<<"$ERR_OUT" || fail "17th device: $ERR_OUT"
dmesg | grep -q "cannot add vDPA device 'v9': the port has 16 already" || fail "no message for the 17th"
for i in $(seq 0 15); do "$VDPA" dev del v$i || fail "dev del v$i"; done
expect_eq "devices at the end" "$(ndev)" 0

# A name that is not a management device is the vDPA core's ENODEV.
expect_fail "$VDPA" dev add name v0 mgmtdev dpaa_sim9
grep -q "No such device" <<<"$ERR_OUT" || fail "unknown mgmtdev: $ERR_OUT"
