#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The test suite (`make check`):
#   1. installs what is missing, builds (or reuses) the debug kernel and the module;
#   2. checks the device-tree binding and overlays (scripts/dt-check.sh), host
#      unit tests: cargo test on rust/core, and fuzzing (scripts/fuzz.sh);
#   3. boots the debug kernel in QEMU (TCG, scripts/vm.sh), runs the kselftests of
#      selftests/ (KTAP) and a final kmemleak scan;
#   4. scans the guest console for WARN/BUG/Oops/KASAN/UBSAN/lockdep/hung-task
#      reports: any report is a failure;
#   5. ends with "N passed, N failed" and exits non-zero on any failure.
#
# Results are kept in results/ (console.log, tap.txt, dmesg.txt, ...).
# SELFTESTS="a b" runs only selftests/a.sh and selftests/b.sh (by default
# all but those marked "# suite: soak"). The arm64 check (scripts/arm64-check.sh)
# runs after the guests; ARM64=0 skips it. L2_FROM=debian gives the QEMU
# guests Debian's cloud kernel instead of building one (scripts/l2-kernel.sh).
# Each selftest declares a time budget that the runner enforces; the last
# lines give the time of each phase (setup, kernel, build, dt, cargo, fuzz,
# guest).
#
# scripts/soak.sh runs the same on the base kernel with long volumes:
# KERNEL=base, SOAK=1 (no budgets), TCP_MIB, CHURN and FUZZ_SECONDS passed on.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/env.sh"
res=${RESULTS:-$top/results}
flavor=${KERNEL:-debug}
guest_timeout=${GUEST_TIMEOUT:-2400}

passed=0
failed=0
skipped=0
t_start=$(date +%s)
t_mark=$t_start
phases=""
# phase NAME: the time since the previous mark is NAME's.
phase() {
	local now
	now=$(date +%s)
	phases+="$1 $((now - t_mark))s, "
	t_mark=$now
}
say() { echo "check: $*"; }
pass() { passed=$((passed + $1)); }
failn() { failed=$((failed + $1)); }

# What each failed selftest printed (its last lines): CI may keep only the
# tail of this script's output, so the reason is repeated at the end.
fail_details() {
	[ "${guest_ran:-0}" = 1 ] && [ -s "$res/console.log" ] || return 0
	awk '/^# / { buf[n++ % 15] = $0; next }
	     /^ok / { n = 0; next }
	     /^not ok / { print "check: " $0; for (i = (n > 15 ? n - 15 : 0); i < n; i++) print "  " buf[i % 15]; n = 0 }' \
		"$res/console.log"
}

finish() {
	fail_details
	echo
	echo "check: phases: ${phases}total $(($(date +%s) - t_start))s"
	echo "$passed passed, $failed failed, $skipped skipped"
	[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
	exit $?
}

"$top/scripts/setup.sh" || { say "setup failed"; failn 1; finish; }
rm -rf "$res"
mkdir -p "$res"
phase setup

# The selftests to run: SELFTESTS, or all of selftests/ but those whose
# header says "# suite: soak" (the QEMU guests and the stress tests: the
# suite's cold budget has no room for them, Documentation/build-and-test.rst),
# which run in `make soak` (SOAK=1) or when SELFTESTS names them.
tests=() soak_only=()
if [ -n "${SELFTESTS:-}" ]; then
	for t in $(printf '%s\n' $SELFTESTS | awk '!seen[$0]++'); do tests+=("$top/selftests/$t.sh"); done
else
	for t in "$top"/selftests/*.sh; do
		if [ "${SOAK:-0}" != 1 ] && grep -q '^# suite: soak' "$t"; then
			soak_only+=("$(basename "$t" .sh)")
		else
			tests+=("$t")
		fi
	done
	[ ${#soak_only[@]} = 0 ] || say "left to make soak: ${soak_only[*]}"
fi

kdir=$("$top/scripts/kernel.sh" "$flavor") || { say "$flavor kernel build failed"; failn 1; finish; }
say "kernel: $kdir"
# The QEMU guests' kernel (selftests/lib/l2.sh), small (~7 min to build),
# only when their tests run (L2_TESTS=0 turns them off).
l2_wanted() {
	local t
	[ "${L2_TESTS:-1}" = 1 ] || return 1
	for t in "${tests[@]}"; do
		grep -q 'lib/l2\.sh' "$t" 2>/dev/null && return 0
	done
	return 1
}
l2kernel="" l2modules=""
if l2_wanted; then
	if [ "${L2_FROM:-build}" = debian ]; then
		l2modules=$("$top/scripts/l2-kernel.sh") || { say "l2 guest kernel (Debian's) failed"; failn 1; finish; }
		l2kernel=$l2modules/vmlinuz
	else
		l2kdir=$("$top/scripts/kernel.sh" l2) || { say "l2 guest kernel build failed"; failn 1; finish; }
		l2kernel=$l2kdir/arch/x86/boot/bzImage
	fi
fi
phase kernel

# The module is built through clippy (CLIPPY=1 compiles it as well): any
# rustc or clippy warning fails the check, as does unformatted code.
if ! make -C "$top" KDIR="$kdir" clippy >"$res/build.log" 2>&1; then
	tail -n 40 "$res/build.log"
	say "module build failed (results/build.log)"
	failn 1
	finish
fi
if grep -E '^(warning|error)(\[|:)' "$res/build.log"; then
	say "not ok: the module build has warnings (results/build.log)"
	failn 1
else
	pass 1
	say "ok: module build, clippy clean"
fi
if make -s -C "$top" fmt-check >"$res/rustfmt.log" 2>&1; then
	pass 1
	say "ok: rustfmt clean"
else
	head -n 40 "$res/rustfmt.log"
	say "not ok: rustfmt"
	failn 1
fi
c_sources=(rust/ffi/shims.c rust/ffi/qbman.c include/dpaa_vdpa_ffi.h include/dpaa_vdpa_qbman.h)
if (cd "$top" && perl "$kdir/scripts/checkpatch.pl" --no-tree --quiet -f "${c_sources[@]}") >"$res/checkpatch.log" 2>&1; then
	pass 1
	say "ok: checkpatch clean (C shims)"
else
	head -n 40 "$res/checkpatch.log"
	say "not ok: checkpatch"
	failn 1
fi

phase build

# The device-tree binding and the board overlays (scripts/dt-check.sh):
# against the mainline bindings and dtbs of the kernel source, ~10 s.
"$top/scripts/dt-check.sh" "$kdir" "$res/dt" >"$res/dt.log" 2>&1
cat "$res/dt.log"
pass "$(grep -c '^dt: ok ' "$res/dt.log")"
failn "$(grep -c '^dt: not ok ' "$res/dt.log")"
grep -q '^dt: ' "$res/dt.log" || { say "not ok: dt-check did not run (results/dt.log)"; failn 1; }
phase dt

# HOST_TESTS=0 skips the host unit tests and fuzzing (make fuzz-vhost).
if [ "${HOST_TESTS:-1}" = 1 ]; then
# --- host unit tests -------------------------------------------------------
say "cargo test (rust/core)"
(cd "$top/rust/core" && RUSTC=$RUSTC "$CARGO" test --quiet) >"$res/cargo.log" 2>&1
cargo_rc=$?
grep -E '^test result|FAILED|panicked' "$res/cargo.log"
cargo_pass=$(awk '/^test result/ { s += $4 } END { print s + 0 }' "$res/cargo.log")
cargo_fail=$(awk '/^test result/ { s += $6 } END { print s + 0 }' "$res/cargo.log")
if [ $cargo_rc -ne 0 ] && [ "$cargo_fail" -eq 0 ]; then
	tail -n 30 "$res/cargo.log"
	say "not ok: cargo test failed to run (results/cargo.log)"
	cargo_fail=1
fi
pass "$cargo_pass"
failn "$cargo_fail"
phase cargo

# Coverage-guided fuzzing of the parser, the FD codec and the classifier,
# a fixed time per target (FUZZ_SECONDS, default 5; make soak: 300).
say "fuzz (${FUZZ_SECONDS:-5} s per target)"
"$top/scripts/fuzz.sh" "${FUZZ_SECONDS:-5}" >"$res/fuzz.log" 2>&1
cat "$res/fuzz.log"
pass "$(grep -c '^fuzz: ok ' "$res/fuzz.log")"
failn "$(grep -c '^fuzz: not ok ' "$res/fuzz.log")"
grep -q '^fuzz: build failed' "$res/fuzz.log" && failn 1
phase fuzz
fi

# --- kselftests in the guest ----------------------------------------------

# Test knobs travel to the guest explicitly (its environment is fresh).
knobs=()
for v in $(compgen -e | grep -E '^(VHOST_FUZZ_|L2_QEMU_ARGS$)'); do knobs+=("$v=${!v}"); done

# GUESTS guests (default 2) run shares of the selftests side by side, each
# with 2 vCPUs (two portals: some tests are about concurrency between CPUs)
# run by one host thread in turn (TCG thread=single). Under TCG with KASAN a
# test is mostly one process at a time (fork, exec, python start-up), so a
# 2-vCPU guest keeps about one host core busy: two such guests use both
# cores. Multi-threaded TCG would not: with four vCPU threads on two cores,
# IPIs and TLB shootdowns wait for descheduled vCPUs (measured: each test
# about 2x slower). The shares are balanced on the declared budgets (longest
# first onto the least loaded guest); within a guest the tests keep their
# order. Each guest has its own kernel, module and kmemleak scan. GUESTS=1
# is the old single guest (multi-threaded TCG).
#
# Tests whose header says "# vm: own" run after those, in one more guest of
# their own with multi-threaded TCG (both cores, one vCPU each): the QEMU
# guests (L2, nested KVM) stall under one-thread TCG (seen: L2 boots and
# control-queue commands hanging; likely the round-robin vCPUs, one of them
# inside the L2 guest) and pass with a thread per vCPU.
own=() shared=()
for t in "${tests[@]}"; do
	if grep -q '^# vm: own' "$t"; then own+=("$t"); else shared+=("$t"); fi
done
nguests=${GUESTS:-2}
[ "$nguests" -gt ${#shared[@]} ] && nguests=${#shared[@]}
vmopt=()
[ "$nguests" -gt 1 ] && vmopt=(-1)
declare -A share
load=() count=()
for ((g = 0; g < nguests; g++)); do load[g]=0 count[g]=0; done
while read -r b t; do
	[ -n "$t" ] || continue
	g=0
	for ((i = 1; i < nguests; i++)); do
		[ "${load[i]}" -lt "${load[g]}" ] && g=$i
	done
	load[g]=$((load[g] + b))
	count[g]=$((count[g] + 1))
	share[$t]=$g
done < <(for t in "${shared[@]}"; do
	b=$(sed -n 's/^# budget: *\([0-9]*\).*/\1/p' "$t" | head -n 1)
	echo "${b:-60} $t"
done | sort -rn -k1,1)
# The own guest is guest number $nguests.
ng=$nguests
if [ ${#own[@]} -gt 0 ]; then
	load[ng]=0
	count[ng]=${#own[@]}
	for t in "${own[@]}"; do
		b=$(sed -n 's/^# budget: *\([0-9]*\).*/\1/p' "$t" | head -n 1)
		load[ng]=$((load[ng] + ${b:-60}))
		share[$t]=$ng
	done
	ng=$((ng + 1))
fi

say "booting $ng $flavor guest(s) for ${#tests[@]} selftests (timeout ${guest_timeout}s)"
start=$(date +%s)
# run_guest G VMOPT...: guest G runs its share in the background ($!).
run_guest() {
	local g=$1 mine=() gres=$res/guest$1 t
	shift
	for t in "${tests[@]}"; do [ "${share[$t]}" = "$g" ] && mine+=("$t"); done
	mkdir -p "$gres"
	say "guest $g: $(for t in "${mine[@]}"; do basename "$t" .sh; done | tr '\n' ' ')(budgets ${load[g]} s)"
	(
		"$top/scripts/vm.sh" "$@" -k "$kdir" -o "$gres" -t "$guest_timeout" -- \
			env DPAA_VDPA_KO="$top/dpaa_vdpa.ko" L2_KERNEL="$l2kernel" L2_MODULES="$l2modules" L2_TESTS="${L2_TESTS:-1}" SOAK="${SOAK:-0}" TCP_MIB="${TCP_MIB:-2}" CHURN="${CHURN:-5}" \
			"${knobs[@]}" \
			bash "$top/selftests/lib/run.sh" -o "$gres" "${mine[@]}" \
			>"$gres/console.log" 2>&1
		rc=$?
		say "guest $g ran $(($(date +%s) - start)) s (rc $rc)"
		exit $rc
	) &
}
pids=() vm_rc=()
for ((g = 0; g < nguests; g++)); do
	pids[g]=""
	# No share (a budget of 0): no guest, not the whole suite.
	[ "${count[g]}" -gt 0 ] || continue
	run_guest $g "${vmopt[@]}"
	pids[g]=$!
done
for ((g = 0; g < nguests; g++)); do
	vm_rc[g]=0
	[ -n "${pids[g]}" ] || continue
	wait "${pids[g]}"
	vm_rc[g]=$?
done
if [ $ng -gt $nguests ]; then
	run_guest $nguests
	wait $!
	vm_rc[nguests]=$?
fi
guest_ran=1
phase guest

# --- arm64 (ARM64=0 skips it) ---------------------------------------------------
# scripts/arm64-check.sh: the QorIQ kernel (scripts/kernel.sh arm64), the
# module built for it with both backends (clippy; the qbman one links
# against the tree's QMan/BMan/FMan), and an arm64 QEMU boot running
# selftests/arm64/boot.sh and a share of the selftests on the model.
# Warm ~2 min; cold the kernel adds ~8 min (the room for it came from the
# tests left to make soak, Documentation/build-and-test.rst).
if [ "${ARM64:-1}" = 1 ]; then
	"$top/scripts/arm64-check.sh" "$res/arm64" >"$res/arm64.log" 2>&1
	grep -E '^arm64: ' "$res/arm64.log"
	pass "$(grep -c '^arm64: ok ' "$res/arm64.log")"
	failn "$(grep -c '^arm64: not ok ' "$res/arm64.log")"
	grep -q '^arm64: ok ' "$res/arm64.log" || { say "not ok: the arm64 check did not run (results/arm64.log)"; failn 1; }
	phase arm64
fi

# One console, kernel log and kmemleak report for the whole run (the guests'
# in turn, each under a header), and one KTAP list: the guests' results
# renumbered under one plan.
: >"$res/console.log"
: >"$res/dmesg.txt"
: >"$res/kmemleak.txt"
for ((g = 0; g < ng; g++)); do
	for f in console.log dmesg.txt kmemleak.txt; do
		grep -q . "$res/guest$g/$f" 2>/dev/null || continue
		echo "=== guest $g ===" >>"$res/$f"
		cat "$res/guest$g/$f" >>"$res/$f"
	done
done
if [ -s "$res/arm64/console.log" ]; then
	echo "=== arm64 ===" >>"$res/console.log"
	cat "$res/arm64/console.log" >>"$res/console.log"
fi
{
	echo "KTAP version 1"
	echo "1..$(cat "$res"/guest*/tap.txt 2>/dev/null | grep -cE '^(not )?ok ')"
	for ((g = 0; g < ng; g++)); do
		[ -s "$res/guest$g/tap.txt" ] || continue
		echo "# guest $g"
		grep -E '^(not )?ok ' "$res/guest$g/tap.txt"
	done | awk '/^ok [0-9]+ / { sub(/^ok [0-9]+/, "ok " ++n) }
		/^not ok [0-9]+ / { sub(/^not ok [0-9]+/, "not ok " ++n) } { print }'
} >"$res/tap.txt"

# TAP results: the guests wrote them as they went.
grep -E '^(not )?ok ' "$res/tap.txt" | sed 's/^/  /'
ok=$(grep -cE '^ok .* # SKIP' "$res/tap.txt")
skipped=$((skipped + ok))
pass "$(grep -E '^ok ' "$res/tap.txt" | grep -vc ' # SKIP')"
failn "$(grep -cE '^not ok ' "$res/tap.txt")"
# A test that never reported: its guest hung or died under it.
for ((g = 0; g < ng; g++)); do
	ran=$(cat "$res/guest$g/tap.txt" 2>/dev/null | grep -cE "^(not )?ok ")
	want=${count[g]}
	[ "$flavor" = debug ] && [ "$want" -gt 0 ] && want=$((want + 1)) # + kmemleak
	if [ "${ran:-0}" -lt "$want" ]; then
		[ "${vm_rc[g]}" -eq 124 ] && say "guest $g killed after ${guest_timeout}s"
		[ "${vm_rc[g]}" -eq 125 ] && say "guest $g died (panic?)"
		say "guest $g: $((want - ran)) result(s) missing: counted as failed; see results/guest$g/console.log"
		failn $((want - ran))
	fi
done

# --- console scan -----------------------------------------------------------
splat='(WARNING:|BUG:|Oops|KASAN|UBSAN|kernel BUG|general protection fault|Call Trace:|'
splat+='possible circular locking|possible recursive locking|inconsistent lock state|'
splat+='suspicious RCU usage|bad unlock balance|held lock freed|sleeping function called|'
splat+='kmemleak: .*new suspected|blocked for more than|soft lockup|hard LOCKUP|'
splat+='rcu_.*self-detected stall|Kernel panic|refcount_t: |list_(add|del) corruption|'
splat+='unreferenced object|IOMMU (fault|error))'
if grep -nE "$splat" "$res/console.log" >"$res/splats.txt"; then
	say "not ok: kernel reports in the guest console:"
	head -n 40 "$res/splats.txt" | sed 's/^/  /'
	failn 1
else
	say "ok: console clean"
	pass 1
fi

finish
