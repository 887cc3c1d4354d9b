#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The device status and features follow the virtio rules whatever a
# vhost-vdpa user does: an invalid feature set (MQ without CTRL_VQ, no
# ACCESS_PLATFORM) does not get FEATURES_OK, DRIVER_OK before FEATURES_OK is
# a device error, accepted features cannot change, config reads past the
# end give nothing of the kernel's; 50 device errors in a row log a
# ratelimited handful of lines. The host cannot take a device's MAC or steer
# it with an ntuple rule, and a refused change removes nobody's rule.
# budget: 100
. "$(dirname "$0")/lib/lib.sh"
require_cmd python3 ethtool
trap vhost_teardown EXIT
port_setup
MAC=02:d0:aa:00:01:01
chr=$(vhost_dev d0 mac $MAC) || fail "vhost-vdpa device: $chr"
A="$VHOST_LIB/vhost_attack.py"

out=$($PY "$A" "$chr" status) || fail "vhost_attack status: $out"
log "$out"
line() { sed -n "$1p" <<<"$out"; }
expect_eq "MQ without CTRL_VQ" "$(line 1)" "mq_without_cvq status=0x03"
expect_eq "no ACCESS_PLATFORM" "$(line 2)" "no_access_platform status=0x03"
expect_eq "DRIVER_OK before FEATURES_OK" "$(line 3)" "driver_ok_first status=0x43"
expect_eq "a good negotiation" "$(line 4)" "good status=0x0b"
expect_eq "features after FEATURES_OK" "$(line 5)" "features_after_ok errno=16"
grep -qE "^config_past_end (errno=|len=256 tail_zero=True)" <<<"$(line 6)" || fail "config past the end: $(line 6)"

n0=$(dmesg | grep -c "d0: device error, needs reset")
out=$($PY "$A" "$chr" errors 50) || fail "vhost_attack errors: $out"
log "$out"
n=$(($(dmesg | grep -c "d0: device error, needs reset") - n0))
log "50 device errors: $n log lines"
[ "$n" -ge 1 ] && [ "$n" -le 10 ] || fail "50 device errors logged $n lines (want a ratelimited 1..10)"

# The host against a device's MAC.
expect_fail ip link set $HOST_IF address $MAC
grep -q "^owner $MAC member 1$" $DBG/classifier || fail "d0 lost its MAC"
out=$(ethtool -N $HOST_IF flow-type ether dst $MAC action 1 loc 5 2>&1)
grep -q "Address already in use" <<<"$out" || fail "ntuple rule on d0's MAC not refused: $out"
ethtool -n $HOST_IF | grep -q "Total 0 rules" || fail "a rule was added"
ping -c 2 -i 0.2 -W 5 $W4 >/dev/null || fail "host -> wire after the refusals"
