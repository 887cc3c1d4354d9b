# SPDX-License-Identifier: GPL-2.0
# The port on a board (DPAA_VDPA_HW=1, Documentation/board.rst): what the
# tests (lib.sh) and the runner (run.sh) both find and put back, the module
# staying loaded between tests.

# board_devs VDPA PORT: the vDPA devices of management device PORT, one a
# line; fails, printing nothing, when vdpa or jq does.
board_devs() {
	local json
	json=$("$1" -j dev show) || return 1
	jq -r --arg m "$2" '.dev // {} | to_entries[] | select(.value.mgmtdev == $m) | .key' <<<"$json"
}

# board_rules IF: the ntuple rules of IF, one location a line.
board_rules() {
	ethtool -n "$1" 2>/dev/null | awk '/^Filter:/ { print $2 }'
}

# board_reset HOST MTU MAC DISABLE_IPV6 WIRE WIRE_MTU: the host netdev down,
# without addresses, upper devices or ntuple rules, promiscuous and
# all-multicast off, with that MTU, MAC and IPv6 setting; the wire end, when
# in this namespace, with its MTU.
board_reset() {
	local host=$1 mtu=$2 mac=$3 v6=$4 wire=$5 wire_mtu=$6 u r
	for u in /sys/class/net/$host/upper_*; do
		[ -e "$u" ] && ip link del "${u##*/upper_}"
	done
	for r in $(board_rules "$host"); do ethtool -N "$host" delete "$r"; done
	ip link set "$host" down
	ip addr flush dev "$host"
	ip link set "$host" promisc off allmulticast off mtu "$mtu" address "$mac"
	sysctl -qw net.ipv6.conf."$host".disable_ipv6="$v6"
	[ -e /sys/class/net/"$wire" ] && ip link set "$wire" mtu "$wire_mtu"
	return 0
}
