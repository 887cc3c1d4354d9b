#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The sim_ports module parameter: N software ports, each with its management
# device; 0 is allowed; above the maximum (16) the load fails with EINVAL.
# budget: 45
. "$(dirname "$0")/lib/lib.sh"
require_cmd jq
model_only "its sim_ports parameter"

mod_load sim_ports=3 || fail "load with sim_ports=3 failed"
got=$(sim_mgmtdevs | xargs)
mod_unload
expect_eq "management devices with sim_ports=3" "$got" "dpaa_sim0 dpaa_sim1 dpaa_sim2"

mod_load sim_ports=0 || fail "load with sim_ports=0 failed"
got=$(sim_mgmtdevs | xargs)
mod_unload
expect_eq "management devices with sim_ports=0" "$got" ""

expect_fail mod_load sim_ports=17
# kmod words EINVAL "Invalid parameters" (insmod) or "Invalid argument" (modprobe).
grep -qE "Invalid (parameters|argument)" <<<"$ERR_OUT" || fail "sim_ports=17: want EINVAL, got: $ERR_OUT"
mod_loaded && fail "module loaded despite sim_ports=17"
dmesg | grep -q "sim_ports=17 is above the maximum of 16" || fail "no message for sim_ports=17"
[ -z "$(sim_mgmtdevs)" ] || fail "management devices left after the failed load"
exit 0
