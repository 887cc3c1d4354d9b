# SPDX-License-Identifier: GPL-2.0
# Helpers sourced by the dpaa_vdpa selftests.
#
# A test is a bash script in selftests/ that exits 0 (pass), 4 (skip, as
# kselftest's KSFT_SKIP) or anything else (fail). It starts and must end with
# the module unloaded; the runner unloads a module left behind and fails the
# test.
#
# Environment:
#   DPAA_VDPA_KO   path of dpaa_vdpa.ko to insmod (default: modprobe dpaa_vdpa)
#   DPAA_VDPA_HW   set to 1 on a board with DPAA hardware: tests that need the
#                  software model (model_only) are skipped

set -u

KSFT_SKIP=4
MOD=dpaa_vdpa
VDPA=${VDPA:-$(command -v vdpa || echo /usr/sbin/vdpa)}

log() { echo "$*"; }
fail() { echo "FAIL: $*"; exit 1; }
skip() { echo "SKIP: $*"; exit $KSFT_SKIP; }

# model_only: this test needs the software DPAA model.
model_only() {
	[ "${DPAA_VDPA_HW:-0}" = 1 ] && skip "needs the software DPAA model"
	return 0
}

require_cmd() {
	local c
	for c; do command -v "$c" >/dev/null || skip "$c not installed"; done
}

mod_loaded() { [ -d /sys/module/$MOD ]; }

mod_load() {
	if [ -n "${DPAA_VDPA_KO:-}" ]; then
		insmod "$DPAA_VDPA_KO" "$@"
	else
		modprobe $MOD "$@"
	fi
}

mod_unload() { rmmod $MOD; }

# expect_eq WHAT GOT WANT
expect_eq() {
	[ "$2" = "$3" ] || fail "$1: got '$2', want '$3'"
}

# Run a command that must fail; its stderr goes to $ERR_OUT.
ERR_OUT=""
expect_fail() {
	local out rc
	out=$("$@" 2>&1) && fail "'$*' succeeded, expected failure"
	ERR_OUT=$out
	return 0
}

# Names of the management devices the vDPA core lists, one a line.
mgmtdev_names() {
	"$VDPA" -j mgmtdev show | jq -r '.mgmtdev | keys[]'
}

# Our management devices: those whose parent is a software port.
sim_mgmtdevs() {
	mgmtdev_names | grep '^dpaa_sim' || true
}

# kmemleak: clear the current report, and later fail on anything new.
kmemleak_available() { [ -w /sys/kernel/debug/kmemleak ]; }

kmemleak_clear() {
	kmemleak_available && echo clear > /sys/kernel/debug/kmemleak
	return 0
}

# kmemleak_check: scan (twice: an object must be seen unreferenced in two
# scans to be reported) and fail with the report if anything leaked.
kmemleak_check() {
	kmemleak_available || { log "kmemleak not available, leak check skipped"; return 0; }
	echo scan > /sys/kernel/debug/kmemleak
	echo scan > /sys/kernel/debug/kmemleak
	local report
	report=$(cat /sys/kernel/debug/kmemleak)
	if [ -n "$report" ]; then
		echo "$report" | head -n 60
		fail "kmemleak reports leaks"
	fi
}

# Wait until a command succeeds (polled, not slept for): wait_for SECS CMD...
wait_for() {
	local secs=$1 i
	shift
	for ((i = 0; i < secs * 10; i++)); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}
