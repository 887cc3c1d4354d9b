#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# KTAP runner of the dpaa_vdpa selftests: in the QEMU guest (scripts/check.sh
# boots it) or on a board.
#
#   run.sh [-o OUTDIR] [TEST...]     (default: every selftests/*.sh)
#
# Every test declares its time budget in seconds ("# budget: N"): a test
# without one fails, and so does one that passes but takes longer than its
# budget, so a slow test is caught when it is written. It is killed after
# 3 x budget + 60 s (or "# timeout: N"). SOAK=1 (make soak: long volumes) does
# not enforce budgets and kills a test only after SOAK_TIMEOUT (3600) s.
# Each result line gives the test's seconds and the processes it started
# (under TCG and KASAN one costs ~0.3-2 s: the number to keep low).
# Results go to stdout and, line by line, to OUTDIR/tap.txt so that the host
# still has them if the guest dies. After the tests a kmemleak scan is one
# more test. The kernel log is saved to OUTDIR/dmesg.txt.
set -u

here=$(cd "$(dirname "$0")/.." && pwd)
out=""
if [ "${1:-}" = -o ]; then
	out=$2
	shift 2
fi

tests=("$@")
if [ ${#tests[@]} -eq 0 ]; then
	for t in "$here"/*.sh; do tests+=("$t"); done
fi

soak=${SOAK:-0}

tap() {
	echo "$*"
	[ -n "$out" ] && { echo "$*" >>"$out/tap.txt"; sync "$out/tap.txt" 2>/dev/null; }
	return 0
}

kmsg() { echo "dpaa_vdpa selftest: $*" >/dev/kmsg 2>/dev/null || true; }

[ -n "$out" ] && mkdir -p "$out" && : >"$out/tap.txt"
# Leaks from boot are not ours: only what happens from now on counts.
[ -w /sys/kernel/debug/kmemleak ] && echo clear >/sys/kernel/debug/kmemleak
has_kmemleak=0
[ -w /sys/kernel/debug/kmemleak ] && has_kmemleak=1

tap "KTAP version 1"
tap "1..$((${#tests[@]} + has_kmemleak))"
n=0
for t in "${tests[@]}"; do
	n=$((n + 1))
	name=$(basename "$t" .sh)
	budget=$(sed -n 's/^# budget: *\([0-9]*\).*/\1/p' "$t" | head -n 1)
	limit=$(sed -n 's/^# timeout: *\([0-9]*\).*/\1/p' "$t" | head -n 1)
	if [ -z "$budget" ]; then
		tap "not ok $((n)) $name # no '# budget: N' line"
		continue
	fi
	limit=${limit:-$((3 * budget + 60))}
	[ "$soak" = 1 ] && limit=${SOAK_TIMEOUT:-3600}
	kmsg "start $name"
	start=$(date +%s)
	forks=$(awk '/^processes/ { print $2 }' /proc/stat)
	# Output to a file, not a pipe: a process the test left behind must
	# not hold the runner up.
	timeout -k 10 "$limit" bash "$t" >/tmp/selftest.out 2>&1
	rc=$?
	sed 's/^/# /' /tmp/selftest.out
	took=$(($(date +%s) - start))
	# Processes started: under TCG and KASAN a fork+exec costs ~0.3 s.
	forks=$(($(awk '/^processes/ { print $2 }' /proc/stat) - forks))
	kmsg "end $name rc=$rc"
	if [ -d /sys/module/dpaa_vdpa ]; then
		echo "# module left loaded by $name; unloading"
		rmmod dpaa_vdpa 2>&1 | sed 's/^/# /'
		[ "$rc" = 0 ] && rc=1
	fi
	case $rc in
	0) if [ "$soak" != 1 ] && [ "$took" -gt "$budget" ]; then
		tap "not ok $n $name # OVER BUDGET ${took}s > ${budget}s"
	else
		tap "ok $n $name # ${took}s (budget ${budget}s), $forks processes"
	fi ;;
	4) tap "ok $n $name # SKIP" ;;
	124 | 137) tap "not ok $n $name # TIMEOUT after ${limit}s" ;;
	*) tap "not ok $n $name # exit=$rc" ;;
	esac
done

if [ $has_kmemleak = 1 ]; then
	n=$((n + 1))
	kmsg "kmemleak scan"
	echo scan >/sys/kernel/debug/kmemleak
	echo scan >/sys/kernel/debug/kmemleak
	report=$(cat /sys/kernel/debug/kmemleak)
	[ -n "$out" ] && echo "$report" >"$out/kmemleak.txt"
	if [ -z "$report" ]; then
		tap "ok $n kmemleak"
	else
		echo "$report" | head -n 80 | sed 's/^/# /'
		tap "not ok $n kmemleak # leaks reported"
	fi
fi

kmsg "done"
[ -n "$out" ] && dmesg >"$out/dmesg.txt"
exit 0
