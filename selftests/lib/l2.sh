# SPDX-License-Identifier: GPL-2.0
# L2 guests: QEMU (the Debian qemu-system-x86 the scripts install) inside the
# test VM, running the standard virtio-net-pci driver on a dpaa_vdpa device
# through `-netdev vhost-vdpa`. Sourced after lib.sh.
#
# The L2 kernel is L2_KERNEL, the small kernel scripts/check.sh builds
# (scripts/kernel.sh l2: virtio-net, virtio console, no debugging; the
# test VM's debug kernel took 70 s to boot nested and tripped lockdep over
# TCG's SVM emulation, and Debian's cloud kernel as the guest crashed the
# test VM's kernel once, in its KVM_RUN), its root an initramfs of busybox
# and ethtool (l2_initramfs). Nested
# KVM when the VM's CPU offers SVM (TCG's `-cpu max` does): L2_ACCEL says
# which runs. Guest memory is a shared memfd: vhost-vdpa maps only shared
# memory for a device (and QEMU needs it for the shadow virtqueues).
# Each guest has a directory $L2_DIR/NAME with console.log (ttyS0) and
# ctl.sock, the control port (a virtio console, hvc0) that `l2 NAME CMD` talks to.

# On unless L2_TESTS=0. The tests say "# vm: own": scripts/check.sh runs
# them in a test VM of their own with a host thread per vCPU (under
# one-thread TCG the L2 guests stall).
l2_enabled() {
	[ "${L2_TESTS:-1}" = 1 ] || skip "QEMU guest tests off (L2_TESTS=0)"
}

# l2_setup: what a QEMU guest test starts with: skipped unless on, the
# model's port up and quiet, guests and devices gone at exit.
l2_setup() {
	l2_enabled
	require_cmd qemu-system-x86_64 socat
	model_only "the model's port under a QEMU guest of the test VM"
	trap 'l2_teardown; vhost_teardown' EXIT
	port_setup
	port_quiet
}

L2_DIR=${L2_DIR:-/tmp/l2}
L2_MEM=${L2_MEM:-256}
L2_INITRD=$L2_DIR/initramfs.cpio.gz
L2_ACCEL=""
L2_PIDS=""

# l2_accel: kvm when /dev/kvm works here (nested), else tcg.
l2_accel() {
	[ -n "$L2_ACCEL" ] && return 0
	L2_ACCEL=tcg
	grep -qw svm /proc/cpuinfo && modprobe -q kvm_amd 2>/dev/null
	grep -qw vmx /proc/cpuinfo && modprobe -q kvm_intel 2>/dev/null
	[ -c /dev/kvm ] && L2_ACCEL=kvm
	log "L2 guests run with $L2_ACCEL"
}

# l2_vhost_vdpa: vhost_vdpa (re)loaded with room in its IOTLB for a
# guest's memory: it maps each physically contiguous run of the pinned
# pages as one entry, and a guest whose pages were faulted in (by KVM, in
# any order) is fragmented: up to one entry per 4 KiB page. The default
# (max_iotlb_entries=2048) fails the first large map with ENOSPC, which
# vhost reports to QEMU as EFAULT ("vhost vdpa map fail!").
l2_vhost_vdpa() {
	modprobe -r vhost_vdpa 2>/dev/null
	modprobe vhost_vdpa max_iotlb_entries=$((L2_MEM * 256 * 2)) || skip "no vhost_vdpa"
}

# l2_initramfs: busybox (static), ethtool and its libraries, l2-init.
l2_initramfs() {
	[ -s "$L2_INITRD" ] && return 0
	local root=$L2_DIR/root bin lib f
	require_cmd busybox cpio
	rm -rf "$root"
	mkdir -p "$root"/{bin,sbin,lib,lib64,proc,sys,dev,tmp,run}
	cp "$(command -v busybox)" "$root/bin/busybox"
	for f in $(busybox --list); do
		[ "$f" = busybox ] || ln -s busybox "$root/bin/$f"
	done
	bin=$(command -v ethtool) || skip "ethtool not installed"
	cp "$bin" "$root/bin/ethtool"
	# Its shared libraries, at the paths the loader looks them up.
	for lib in $(ldd "$bin" | grep -o '/[^ ]*'); do
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done
	# A distribution kernel's virtio drivers (L2_MODULES: modules.order
	# and modules/, scripts/l2-kernel.sh), loaded in that order by l2-init.
	if [ -n "${L2_MODULES:-}" ]; then
		mkdir -p "$root/lib/l2mod"
		for f in $(cat "$L2_MODULES/modules.order"); do
			cp "$L2_MODULES/modules/$f" "$root/lib/l2mod/"
			echo "$f" >>"$root/lib/l2mod/order"
		done
	fi
	install -m 755 "$VHOST_LIB/l2-init" "$root/init"
	(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$L2_INITRD" || fail "L2 initramfs"
	rm -rf "$root"
}

# l2_start NAME VHOSTDEV MAC [QEMU ARGS...]: boots guest NAME with one
# virtio-net-pci on VHOSTDEV (extra QEMU arguments after), in the background.
# L2_NETDEV_OPTS and L2_NIC_OPTS add options to -netdev and -device;
# L2_QEMU_ARGS adds QEMU arguments (e.g. "-trace vhost_vdpa_*", whose
# output goes to qemu.log).
l2_start() {
	local name=$1 chr=$2 mac=$3 dir=$L2_DIR/$1 cpu=max
	L2_LAST=("$@")
	shift 3
	l2_accel
	l2_initramfs
	[ -e "${L2_KERNEL:-}" ] || skip "no L2 guest kernel (L2_KERNEL; scripts/kernel.sh l2 builds it)"
	rm -rf "$dir"
	mkdir -p "$dir"
	[ "$L2_ACCEL" = kvm ] && cpu=host
	# vhost-vdpa pins the guest's memory for a device that takes physical
	# addresses (dpaa_vdpa does: its DMA is the port's), counted against
	# RLIMIT_MEMLOCK, root or not (the default 8 MiB fails the first large
	# map, as EFAULT: vhost turns every IOTLB error into EFAULT).
	ulimit -l $((L2_MEM * 1024 * 2)) || fail "RLIMIT_MEMLOCK"
	# no-kvmclock: under KVM nested in TCG's SVM emulation the guest's
	# kvm-clock stops now and then (seen: most boots on 2026-12-03 hung
	# early with the guest's clock frozen); without it they boot.
	qemu-system-x86_64 -accel "$L2_ACCEL" -cpu "$cpu" -smp 1 -m "${L2_MEM}M" \
		-object memory-backend-memfd,id=mem0,size="${L2_MEM}M",share=on \
		-machine q35,memory-backend=mem0 \
		-nodefaults -nographic -no-reboot \
		-kernel "$L2_KERNEL" -initrd "$L2_INITRD" \
		-append "console=ttyS0 panic=-1 loglevel=4 no-kvmclock" \
		-serial file:"$dir/console.log" \
		-device virtio-serial-pci,id=vser \
		-chardev socket,id=ctl,path="$dir/ctl.sock",server=on,wait=off \
		-device virtconsole,chardev=ctl \
		-monitor unix:"$dir/mon.sock",server=on,wait=off \
		-netdev type=vhost-vdpa,vhostdev="$chr",id=n0${L2_NETDEV_OPTS:+,$L2_NETDEV_OPTS} \
		-device virtio-net-pci,id=nic0,netdev=n0,mac="$mac",romfile=${L2_NIC_OPTS:+,$L2_NIC_OPTS} \
		-pidfile "$dir/pid" ${L2_QEMU_ARGS:-} "$@" </dev/null >"$dir/qemu.log" 2>&1 &
	echo $! >"$dir/qemu.pid"
	L2_PIDS="$L2_PIDS $!"
}

# l2 NAME CMD...: runs CMD (one shell line) in guest NAME; its output on
# stdout, its status returned. L2_TIMEOUT (default 60 s) bounds it.
l2() {
	local name=$1
	shift
	local rc=0
	$PY "$VHOST_LIB/l2ctl.py" "$L2_DIR/$name/ctl.sock" "${L2_TIMEOUT:-60}" "$*" || rc=$?
	[ $rc = 0 ] || [ -S "$L2_DIR/$name/ctl.sock" ] || l2_gone "$name"
	return $rc
}

# l2_gone NAME: says why guest NAME's control socket is gone, if its QEMU
# exited (while it starts, the socket is not there yet). QEMU removes
# it when it exits; with -no-reboot a reset of the guest ends QEMU with
# status 0, and a triple fault (seen once nested in TCG's SVM emulation,
# 2026-12-03) resets it without a word on its console.
l2_gone() {
	local dir=$L2_DIR/$1 pid rc=unknown
	pid=$(cat "$dir/qemu.pid" 2>/dev/null)
	[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && return
	# Only the shell that started QEMU can collect its status (127 else).
	if [ -n "$pid" ]; then
		wait "$pid" 2>/dev/null
		rc=$?
		[ $rc = 127 ] && rc=unknown
	fi
	echo "l2: $1: QEMU exited (status $rc; 0 is a guest reset or power-off);" \
		"its log: $(tail -c 300 "$dir/qemu.log" 2>/dev/null | tr '\n' ' ');" \
		"console: $(tail -c 300 "$dir/console.log" 2>/dev/null | tr -cd '[:print:]\n' | tr '\n' ' ')" >&2
}

# l2_mon NAME CMD...: one command to guest NAME's QEMU monitor (HMP); its
# output on stdout.
l2_mon() {
	local name=$1
	shift
	{ echo "$*"; sleep 1; } | socat -t 2 - UNIX-CONNECT:"$L2_DIR/$name/mon.sock" 2>/dev/null |
		tr -d '\r' | grep -av '^(qemu)\|^QEMU .* monitor'
}

# l2_vq NAME QUEUE: queue QUEUE of guest NAME's virtio-net as the guest's
# memory has it (avail and used index, the event indices), read by QEMU:
# what the device and the driver each did, when one of them waits.
l2_vq() {
	local name=$1 q=$2 st desc avail used num
	st=$(l2_mon "$name" "info virtio-queue-status /machine/peripheral/nic0/virtio-backend $q")
	avail=$(sed -n 's/.*avail: *\(0x[0-9a-f]*\).*/\1/p' <<<"$st" | head -n1)
	used=$(sed -n 's/.*used: *\(0x[0-9a-f]*\).*/\1/p' <<<"$st" | head -n1)
	num=$(sed -n 's/.*num: *\([0-9]*\).*/\1/p' <<<"$st" | head -n1)
	echo "$st" | tr -s ' \n' ' '
	echo
	[ -n "$avail" ] && [ -n "$used" ] && [ -n "$num" ] || return 0
	echo "guest avail flags/idx: $(l2_mon "$name" "xp /2hx $avail" | cut -d: -f2)" \
		"used_event: $(l2_mon "$name" "xp /1hx $((avail + 4 + 2 * num))" | cut -d: -f2)"
	echo "guest used flags/idx: $(l2_mon "$name" "xp /2hx $used" | cut -d: -f2)" \
		"avail_event: $(l2_mon "$name" "xp /1hx $((used + 4 + 8 * num))" | cut -d: -f2)"
}

# l2_check NAME: guest NAME's console has no kernel report and its QEMU no
# message, but for what QEMU 7.2 prints when it stops (Documentation/
# vdpa.rst, "QEMU guests").
l2_check() {
	local dir=$L2_DIR/$1 bad
	bad=$(grep -a -m3 -E 'WARNING|BUG|Oops|Call Trace|Kernel panic|virtio_net.*(error|fail)|bad (ring|descriptor)' \
		"$dir/console.log" | tr -cd '[:print:]\n')
	[ -z "$bad" ] || fail "L2 $1 console: ${bad:0:300}"
	# With L2_QEMU_ARGS (traces, say) QEMU's log is not only messages.
	[ -z "${L2_QEMU_ARGS:-}" ] || return 0
	bad=$(grep -a -v -E 'terminating on signal|Desc next is|bogus descriptor or out of resources' \
		"$dir/qemu.log" | grep -a . | head -n 3)
	[ -z "$bad" ] || fail "L2 $1 QEMU: $bad"
}

# l2_wait NAME: waits until guest NAME answers (booted), up to 180 s;
# prints its boot time. Nested virtualisation under TCG's emulation of SVM
# is not the device: a guest that does not come up is booted again once.
# Its console stays in its log (copied to the results by l2_teardown), out
# of the VM's console, whose reports fail the run: only a sanitised first
# line is shown.
l2_wait() {
	local t0=$SECONDS try why
	for try in 1 2; do
		L2_TIMEOUT=180 l2 "$1" --sync && break
		why=$(grep -a -m1 -oE '(WARNING|BUG|Kernel panic)[^[]{0,60}' "$L2_DIR/$1/console.log" |
			tr 'A-Z' 'a-z')
		log "L2 $1 did not come up (try $try): ${why:-no report}; its console: l2-$1-console.log"
		[ $try = 2 ] && fail "L2 guest $1 did not come up"
		l2_stop "$1"
		cp "$L2_DIR/$1/console.log" "$L2_DIR/$1.try$try.log" 2>/dev/null
		l2_start "${L2_LAST[@]}"
	done
	log "L2 $1 up in $((SECONDS - t0)) s ($L2_ACCEL)"
}

# l2_stop NAME: powers guest NAME off (QEMU killed if it does not exit).
l2_stop() {
	local dir=$L2_DIR/$1 pid
	pid=$(cat "$dir/qemu.pid" 2>/dev/null) || return 0
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	rm -f "$dir/qemu.pid"
}

# l2_teardown: every guest still running; their logs kept in the VM's
# results directory (l2-NAME-console.log, l2-NAME-qemu.log).
l2_teardown() {
	local p d
	for p in $L2_PIDS; do kill "$p" 2>/dev/null; done
	for p in $L2_PIDS; do wait "$p" 2>/dev/null; done
	L2_PIDS=""
	[ -n "${VM_OUT:-}" ] && [ -d "$VM_OUT" ] || return 0
	for d in "$L2_DIR"/*/; do
		[ -e "$d/console.log" ] || continue
		p=$(basename "$d")
		cp "$d/console.log" "$VM_OUT/l2-$p-console.log"
		cp "$d/qemu.log" "$VM_OUT/l2-$p-qemu.log"
	done
}
