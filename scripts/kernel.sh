#!/usr/bin/env bash
# Build (or reuse) the test kernel and print its tree on stdout.
#
#   scripts/kernel.sh base|debug|l2|arm64
#
# l2 is the small kernel of the QEMU guests that the selftests run inside
# the test VM (no Rust, no module built). arm64 is a QorIQ Layerscape kernel
# with the mainline DPAA drivers (cross-built with LLVM), for the board
# backend and the arm64 QEMU boot.
#
# The tree is cached outside the repository, in
#   ${DPAA_VDPA_CACHE:-~/.cache/dpaa-vdpa}/kernel/<flavor>-<key>
# where <key> hashes the kernel source version, the config fragments, this
# script and the versions of rustc, clang and bindgen. A cached tree is reused as
# is; a build holds a lock so two kernel builds never run at once. After
# olddefconfig every option named in the fragments is checked: one that did not
# stick fails the build.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
. "$here/env.sh"

flavor=${1:?usage: kernel.sh base|debug|l2|arm64}
arch=x86 image=bzImage
case "$flavor" in
base) frags=("$here/kconfig/base.config") ;;
debug) frags=("$here/kconfig/base.config" "$here/kconfig/debug.config") ;;
l2) frags=("$here/kconfig/l2.config") ;;
arm64) frags=("$here/kconfig/arm64.config") arch=arm64 image=Image ;;
*) echo "kernel.sh: unknown flavor '$flavor'" >&2; exit 2 ;;
esac
# x86 trees are built for the host's ARCH (x86_64), as the module is.
[ "$arch" = x86 ] || KMAKE+=" ARCH=$arch"

src_tar=/usr/src/linux-source-6.12.tar.xz
src_ver=$(dpkg-query -W -f='${Version}' linux-source-6.12)
key=$( {
	echo "$src_ver"
	cat "${frags[@]}"
	sed -n '/^# --- build ---/,$p' "$0"
	$RUSTC --version; $CLANG --version | head -1; $BINDGEN --version
} | sha256sum | cut -c1-16)

cache=$DPAA_VDPA_CACHE/kernel
kdir=$cache/$flavor-$key
if [ -e "$kdir/.built" ]; then
	echo "$kdir"
	exit 0
fi

mkdir -p "$cache"
exec 9>"$cache/.lock"
if ! flock -n 9; then
	echo "kernel.sh: another kernel build is running; waiting" >&2
	flock 9
fi
if [ -e "$kdir/.built" ]; then
	echo "$kdir"
	exit 0
fi

# --- build ---
log=$cache/$flavor-$key.log
echo "kernel.sh: building the $flavor kernel into $kdir (log: $log; ~10-25 min on 2 cores)" >&2
rm -rf "$kdir" "$kdir.tmp"
mkdir -p "$kdir.tmp"
tar -xf "$src_tar" -C "$kdir.tmp" --strip-components=1

check_config() {
	local cfg=$1 frag line opt want got bad=0
	for frag in "${frags[@]}"; do
		while IFS= read -r line; do
			case "$line" in
			CONFIG_*=*) opt=${line%%=*}; want=${line#*=} ;;
			"# CONFIG_"*" is not set") opt=${line#\# }; opt=${opt%% *}; want=n ;;
			*) continue ;;
			esac
			got=$(grep -E "^$opt=" "$cfg" | cut -d= -f2- || true)
			[ -n "$got" ] || got=n
			if [ "$got" != "$want" ]; then
				echo "kernel.sh: $opt=$want requested in $(basename "$frag") but the config has $got" >&2
				bad=1
			fi
		done <"$frag"
	done
	return $bad
}

(
	cd "$kdir.tmp"
	make $KMAKE tinyconfig
	scripts/kconfig/merge_config.sh -m .config kernel/configs/kvm_guest.config "${frags[@]}"
	make $KMAKE olddefconfig
) >"$log" 2>&1 || { echo "kernel.sh: configuration failed, see $log" >&2; exit 1; }
check_config "$kdir.tmp/.config" || { echo "kernel.sh: config check failed" >&2; exit 1; }

start=$(date +%s)
if ! make -C "$kdir.tmp" -j"$(nproc)" $KMAKE $image modules >>"$log" 2>&1; then
	tail -n 30 "$log" >&2
	echo "kernel.sh: kernel build failed, see $log" >&2
	exit 1
fi
echo "kernel.sh: built in $(($(date +%s) - start)) s" >&2
mv "$kdir.tmp" "$kdir"
touch "$kdir/.built"
echo "$kdir"
