#!/usr/bin/env bash
# Install everything the build, the tests and the demo need. Idempotent: when
# everything is present it does nothing and prints nothing.
#
# Pinned: Debian 12 packages (linux-source-6.12, rustc-web/cargo-web 1.96, LLVM 19),
# bindgen-cli 0.69.5 from crates.io.
set -euo pipefail

TOOLS=${DPAA_VDPA_TOOLS:-/opt/dpaa-vdpa}
BINDGEN_VERSION=0.69.5

PKGS=(
	linux-source-6.12 rustc-web cargo-web rust-web-src rust-web-clippy rustfmt-web
	clang-19 lld-19 llvm-19 libclang-19-dev
	make g++ flex bison bc libelf-dev libssl-dev cpio kmod xz-utils
	qemu-system-x86 iproute2 ethtool iperf3 socat tcpdump jq iputils-ping python3
	busybox-static device-tree-compiler python3-venv
)

sudo=""
[ "$(id -u)" = 0 ] || sudo=sudo

missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed' ||
		missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "setup: installing ${missing[*]}"
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
		"${missing[@]}" >/dev/null
fi

# The test VM mounts the guest kernel's modules there (scripts/vm-init.sh);
# the host's root is read-only in the guest, so the directory must exist.
[ -d /lib/modules ] || $sudo mkdir -p /lib/modules

if ! "$TOOLS/bindgen-$BINDGEN_VERSION/bin/bindgen" --version >/dev/null 2>&1; then
	echo "setup: cargo install bindgen-cli $BINDGEN_VERSION"
	$sudo mkdir -p "$TOOLS"
	LIBCLANG_PATH=/usr/lib/llvm-19/lib RUSTC=/usr/bin/rustc /usr/bin/cargo install -q bindgen-cli \
		--version "$BINDGEN_VERSION" --locked --root "$TOOLS/bindgen-$BINDGEN_VERSION"
fi

# dtschema and its dependencies, pinned (scripts/dt-check.sh).
. "$(dirname "$0")/env.sh"
venv=$TOOLS/dtschema-$DTSCHEMA_VERSION
if ! "$venv/bin/dt-validate" --version >/dev/null 2>&1; then
	echo "setup: pip install dtschema $DTSCHEMA_VERSION"
	$sudo rm -rf "$venv"
	$sudo python3 -m venv "$venv"
	$sudo "$venv/bin/pip" install -q --disable-pip-version-check "dtschema==$DTSCHEMA_VERSION" \
		jsonschema==4.17.3 pylibfdt==1.7.2.post2 ruamel.yaml==0.19.1 rfc3987==1.3.8 \
		attrs==26.1.0 pyrsistent==0.20.0
fi
