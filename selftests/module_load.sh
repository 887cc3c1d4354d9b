#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Load and unload the module CHURN (5, soak 100) times: each load registers
# the port's management device, each unload removes every trace of it (the
# final kmemleak scan of the run finds nothing left).
# budget: 70
. "$(dirname "$0")/lib/lib.sh"
model_only "loads and unloads the module"

for i in $(seq 1 "$CHURN"); do
	mod_load || fail "load #$i failed"
	"$VDPA" mgmtdev show dpaa_sim0 >/dev/null || fail "load #$i: management device dpaa_sim0 not listed"
	[ -e /sys/devices/dpaa_sim0 ] || fail "load #$i: no /sys/devices/dpaa_sim0"
	mod_unload || fail "unload #$i failed"
	mod_loaded && fail "unload #$i: /sys/module/$MOD still present"
	"$VDPA" mgmtdev show dpaa_sim0 >/dev/null 2>&1 && fail "unload #$i: management device still listed"
	[ -e /sys/devices/dpaa_sim0 ] && fail "unload #$i: /sys/devices/dpaa_sim0 still present"
done
log "$CHURN load/unload cycles done"
