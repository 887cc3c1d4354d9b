#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The device-tree side of the board backend, checked on the host:
#
#   scripts/dt-check.sh KSRC OUTDIR
#
#   1. the binding (Documentation/devicetree/bindings/net/fsl,dpaa-vdpa.yaml)
#      passes dt-doc-validate against the meta-schemas, and its example its
#      own schema (what dt_binding_check does);
#   2. each overlay of dts/ (<board>-dpaa-vdpa.dtso) compiles with dtc and
#      applies with fdtoverlay to its board's mainline dtb (built from the
#      kernel source KSRC with symbols, -@);
#   3. dt-validate (dtschema) accepts the result against the binding and
#      the FMan bindings it points into: no report that the board's own dtb
#      does not already have;
#   4. broken overlays (a MAC without fsl,fman-mac, a reg above 15, an
#      unknown property) are refused by it.
#
# One "dt: ok|not ok NAME" line per check; exit status 1 if any failed.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/env.sh"
src=${1:?usage: dt-check.sh KSRC OUTDIR}
out=${2:?usage: dt-check.sh KSRC OUTDIR}
dts=$TOOLS/dtschema-$DTSCHEMA_VERSION/bin
mkdir -p "$out"
rc=0
ok() { echo "dt: ok $1"; }
nok() { echo "dt: not ok $1"; shift; [ $# -eq 0 ] || sed 's/^/  /' "$@" | head -n 20; rc=1; }

binding=$top/Documentation/devicetree/bindings/net/fsl,dpaa-vdpa.yaml
if "$dts/dt-doc-validate" -u "$src/Documentation/devicetree/bindings" "$binding" >"$out/doc.txt" 2>&1 &&
	! grep -q . "$out/doc.txt"; then
	ok "binding fsl,dpaa-vdpa.yaml"
else
	nok "binding fsl,dpaa-vdpa.yaml" "$out/doc.txt"
fi

# The binding and the mainline schemas a tree with it is checked against
# (the FMan's, and what they reference). Schema processing prints one
# warning about a mainline schema (nvmem-cells) that is not a report.
b=$src/Documentation/devicetree/bindings
mkdir -p "$out/bindings/net"
cp "$binding" "$out/bindings/net/"
"$dts/dt-mk-schema" -j "$out/bindings" "$b"/net/fsl,fman*.yaml "$b/net/ethernet-controller.yaml" \
	"$b/net/ethernet-phy.yaml" "$b/net/mdio.yaml" >"$out/schema.json" 2>"$out/schema.log" ||
	nok "dt-mk-schema" "$out/schema.log"

# validate DTB: its reports, one per line (dt-validate exits 0 on reports).
validate() {
	"$dts/dt-validate" -s "$out/schema.json" "$1" 2>&1 | grep -v 'missing type definition' |
		sed "s|^$1: ||" | sort
}

# The binding's example, as dt_binding_check builds it, must pass its schema.
"$dts/dt-extract-example" "$binding" >"$out/example.dts" &&
	dtc -q -I dts -O dtb -o "$out/example.dtb" "$out/example.dts" 2>"$out/example.log"
if [ -s "$out/example.dtb" ] && ! validate "$out/example.dtb" | tee -a "$out/example.log" | grep -q .; then
	ok "binding example"
else
	nok "binding example" "$out/example.log"
fi

# dtb BOARD: the board's mainline dtb, with symbols for overlays.
dtb() {
	local d=$src/arch/arm64/boot/dts
	cpp -nostdinc -I "$src/include" -I "$d" -I "$src/scripts/dtc/include-prefixes" -undef -D__DTS__ \
		-x assembler-with-cpp "$d/freescale/$1.dts" -o "$out/$1.dts.pp" &&
		dtc -q -@ -I dts -O dtb -o "$out/$1.dtb" "$out/$1.dts.pp"
}

# overlay BOARD DTSO NAME: applies DTSO to BOARD's dtb into NAME.dtb; a
# dtc warning on the overlay (unit address vs reg, ...) is a failure.
overlay() {
	dtc -@ -I dts -O dtb -o "$out/$3.dtbo" "$2" 2>"$out/$3.log" && ! grep -q . "$out/$3.log" &&
		fdtoverlay -i "$out/$1.dtb" -o "$out/$3.dtb" "$out/$3.dtbo" 2>>"$out/$3.log"
}

# refused BOARD DTSO NAME SED WANT: the overlay edited by SED must apply and
# be reported by dt-validate with a line matching WANT.
refused() {
	sed "$4" "$2" >"$out/$3.dtso"
	if overlay "$1" "$out/$3.dtso" "$3" && validate "$out/$3.dtb" | grep -q -- "$5"; then
		ok "$(basename "$2"): refused: $3"
	else
		nok "$(basename "$2"): refused: $3" "$out/$3.log"
	fi
}

for o in "$top"/dts/*-dpaa-vdpa.dtso; do
	board=$(basename "$o" -dpaa-vdpa.dtso)
	name=$(basename "$o")
	if ! dtb "$board" >"$out/$board.log" 2>&1; then
		nok "$name: $board.dtb" "$out/$board.log"
		continue
	fi
	if ! overlay "$board" "$o" "$board-vdpa"; then
		nok "$name applies to $board.dtb" "$out/$board-vdpa.log"
		continue
	fi
	# The node must be there, and checked.
	if ! fdtget "$out/$board-vdpa.dtb" /dpaa-vdpa compatible >"$out/$board-vdpa.get" 2>&1 ||
		[ "$(cat "$out/$board-vdpa.get")" != fsl,dpaa-vdpa ]; then
		nok "$name: /dpaa-vdpa in the result" "$out/$board-vdpa.get"
		continue
	fi
	validate "$out/$board.dtb" >"$out/$board.val"
	validate "$out/$board-vdpa.dtb" >"$out/$board-vdpa.val"
	comm -13 "$out/$board.val" "$out/$board-vdpa.val" >"$out/$board-vdpa.new"
	if grep -q . "$out/$board-vdpa.new"; then
		nok "$name: dt-validate" "$out/$board-vdpa.new"
	else
		ok "$name: applies to $board.dtb, dt-validate clean ($(fdtget -l "$out/$board-vdpa.dtb" /dpaa-vdpa | wc -l) MACs)"
	fi
	# The schema is what checked it: broken nodes are reported.
	refused "$board" "$o" "$board-no-mac" 's/fsl,fman-mac = /fsl,fman-mac-missing = /' \
		"'fsl,fman-mac' is a required property"
	refused "$board" "$o" "$board-reg-16" 's/mac@0 {/mac@10 {/; s/reg = <0>;/reg = <16>;/' \
		"16 is greater than the maximum of 15"
	refused "$board" "$o" "$board-unknown-property" 's/reg = <0>;/reg = <0>;\n\t\t\tfsl,max-vqp = <4>;/' \
		"'fsl,max-vqp' does not match any of the regexes"
done
exit $rc
