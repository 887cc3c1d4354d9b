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

# A board (DPAA_VDPA_HW=1, Documentation/board.rst): the module is loaded
# once, by the admin, and stays. Each test must leave the port as the first
# found it (after the host netdev is taken over: down, no address): no vDPA
# device on it, no namespace, the host netdev's MTU, MAC, addresses, upper
# devices and ntuple rules and the wire end's MTU unchanged.
hw=${DPAA_VDPA_HW:-0}
if [ "$hw" = 1 ]; then
	hw_port=${DPAA_VDPA_PORT:?DPAA_VDPA_HW=1 needs DPAA_VDPA_PORT}
	hw_host=${DPAA_VDPA_HOST_IF:-$hw_port}
	hw_wire=${DPAA_VDPA_WIRE:?DPAA_VDPA_HW=1 needs DPAA_VDPA_WIRE}
	# The namespaces the tests make (lib.sh's $NS, vdpa_up's, ...); others
	# are not the tests' business.
	hw_netns="wire d0 d1 d2 w1"
	command -v jq >/dev/null && command -v "${VDPA:-vdpa}" >/dev/null ||
		{ echo "run.sh: DPAA_VDPA_HW=1 needs jq and vdpa" >&2; exit 1; }
	[ -d /sys/module/dpaa_vdpa ] || { echo "run.sh: DPAA_VDPA_HW=1: load dpaa_vdpa first" >&2; exit 1; }
	[ -e /sys/class/net/$hw_host ] && [ -e /sys/class/net/$hw_wire ] ||
		{ echo "run.sh: no $hw_host or no $hw_wire here" >&2; exit 1; }
	vdpa=${VDPA:-vdpa}
	. "$here/lib/board.sh"
	port_state() {
		local f=/sys/class/net/$hw_host
		echo "host $hw_host: mtu $(cat $f/mtu) address $(cat $f/address) flags $(cat $f/flags)"
		echo "host addresses: $(ip -o addr show dev $hw_host | awk '{ print $4 }' | xargs)"
		echo "host disable_ipv6: $(sysctl -n net.ipv6.conf.$hw_host.disable_ipv6 2>/dev/null)"
		echo "host uppers: $(cd $f && ls -d upper_* 2>/dev/null | xargs)"
		echo "host ntuple rules: $(board_rules $hw_host | xargs)"
		echo "wire $hw_wire: $(cat /sys/class/net/$hw_wire/mtu 2>/dev/null || echo not here)"
		echo "test namespaces: $(for ns in $hw_netns; do [ -e /run/netns/$ns ] && echo $ns; done | xargs)"
		echo "vdpa devices: $( (board_devs $vdpa $hw_port || echo "(vdpa dev show failed)") | xargs)"
	}
	# port_repair: back to the first state, whatever a test left.
	port_repair() { port_repair_do 2>&1 | sed 's/^/# repair: /'; }
	port_repair_do() {
		local ns d
		for ns in $hw_netns; do
			[ -e /run/netns/$ns ] || continue
			ip -n "$ns" link set "$hw_wire" netns $$ 2>/dev/null
			ip netns del "$ns"
		done
		for d in $(board_devs $vdpa $hw_port); do $vdpa dev del "$d"; done
		board_reset $hw_host $hw_mtu $hw_mac $hw_v6 $hw_wire $hw_wire_mtu
	}
	hw_mtu=$(cat /sys/class/net/$hw_host/mtu) hw_mac=$(cat /sys/class/net/$hw_host/address)
	hw_wire_mtu=$(cat /sys/class/net/$hw_wire/mtu)
	hw_v6=$(sysctl -n net.ipv6.conf.$hw_host.disable_ipv6 2>/dev/null || echo 0)
	ip link set $hw_host down && ip addr flush dev $hw_host
	port0=$(port_state)
	# What the tests make and remove must not be there before them: they
	# would remove it (and the admin's setup with it).
	if grep -qE '^(test namespaces|host uppers|host ntuple rules|vdpa devices): .' <<<"$port0"; then
		echo "run.sh: the port is in use; the tests need it without vDPA devices, upper" \
			"devices or ntuple rules, and no namespace named $hw_netns:" >&2
		echo "$port0" >&2
		exit 1
	fi
	echo "# the port before the tests:"
	echo "$port0" | sed 's/^/#   /'
fi

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
	if [ "$hw" = 1 ]; then
		# A board: the module stays loaded; the port must be as it was
		# (a test killed on its timeout did not run its teardown).
		now=$(port_state)
		if [ "$now" != "$port0" ]; then
			echo "# $name left the port changed:"
			grep -vxF -f <(echo "$now") <<<"$port0" | sed 's/^/#   was: /'
			grep -vxF -f <(echo "$port0") <<<"$now" | sed 's/^/#   now: /'
			port_repair
			case $rc in 0 | 4) rc=1 ;; esac
		fi
		if [ ! -d /sys/module/dpaa_vdpa ]; then
			echo "# the module is gone after $name"
			[ "$rc" = 0 ] && rc=1
		fi
	elif [ -d /sys/module/dpaa_vdpa ]; then
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
