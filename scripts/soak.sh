#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Volume and soak (`make soak`): first the selftests `make check` leaves to
# it ("# suite: soak") on the debug kernel as `make check` would run them
# (results in results-soak-debug/), then the whole suite on the base kernel
# (no KASAN: volume is the point here, not the checkers) with long volumes
# and no time budgets, then long fuzzing:
#   - TCP_MIB=64: every content-verified TCP transfer moves 64 MiB;
#   - CHURN=100: port, module and vDPA device add/remove loops run 100 times;
#   - FUZZ_SECONDS=300 per libFuzzer target.
# Each can be overridden from the environment. Results go to results-soak/.
# It takes about 2.5-3 hours on the 2-core machine; it is not part of
# `make check` (.ci/run).
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
res=${RESULTS:-$top/results-soak}
res=${res%/}
# First the tests make check leaves to make soak ("# suite: soak": the QEMU
# guests, the stress tests) as make check would run them: on the debug
# kernel (KASAN, lockdep, kmemleak), with its volumes and budgets.
soak_only=$(cd "$top/selftests" && grep -l '^# suite: soak' *.sh | sed 's/\.sh$//' | xargs)
debug_rc=0
if [ -n "$soak_only" ]; then
	env KERNEL=debug SOAK=0 TCP_MIB=2 CHURN=5 HOST_TESTS=0 ARM64=0 SELFTESTS="$soak_only" RESULTS="$res-debug" \
		"$top/scripts/check.sh"
	debug_rc=$?
fi

# Then the whole suite with volume, on the base kernel.
export KERNEL=base SOAK=1
export TCP_MIB=${TCP_MIB:-64} CHURN=${CHURN:-100} FUZZ_SECONDS=${FUZZ_SECONDS:-300}
# The hostile vhost-vdpa driver: ten seeds of 2000 rounds (~180,000 hostile chains).
export VHOST_FUZZ_SEEDS=${VHOST_FUZZ_SEEDS:-"1 2 3 4 5 6 7 8 9 10"} VHOST_FUZZ_ROUNDS=${VHOST_FUZZ_ROUNDS:-2000}
export GUEST_TIMEOUT=${GUEST_TIMEOUT:-10800}
export RESULTS=$res
# And on arm64: every selftest without QEMU guests on the model backend (the
# model's profile, not the board's: make check runs the board's).
export ARM64=${ARM64:-1} ARM64_SELFTESTS=${ARM64_SELFTESTS:-all} ARM64_PROFILE=${ARM64_PROFILE:-model}
export ARM64_TIMEOUT=${ARM64_TIMEOUT:-7200}
"$top/scripts/check.sh"
rc=$?
[ $debug_rc = 0 ] || echo "soak: the soak-only tests on the debug kernel failed ($res-debug)"
[ $rc = 0 ] && [ $debug_rc = 0 ]
