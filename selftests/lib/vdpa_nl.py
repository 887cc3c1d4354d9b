#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""A minimal vDPA generic netlink client, for what iproute2 6.1's `vdpa`
lacks: `dev add ... device_features` and `dev set ... mac`.

  vdpa_nl.py add NAME MGMTDEV [mac M] [mtu N] [max_vqp N] [device_features F]
  vdpa_nl.py set NAME mac M

Exit status 0, or the errno the kernel answered (message on stderr, with the
extack text if there is one)."""

import os
import socket
import struct
import sys

NETLINK_GENERIC = 16
GENL_ID_CTRL = 0x10
CTRL_CMD_GETFAMILY = 3
CTRL_ATTR_FAMILY_ID = 1
CTRL_ATTR_FAMILY_NAME = 2
NLM_F_REQUEST, NLM_F_ACK = 1, 4
NLMSG_ERROR = 2
NLMSGERR_ATTR_MSG = 1

# include/uapi/linux/vdpa.h
CMD_DEV_NEW, CMD_DEV_ATTR_SET = 3, 8
A_MGMTDEV_DEV_NAME, A_DEV_NAME = 2, 4
A_MAC, A_MAX_VQP, A_MTU, A_FEATURES = 10, 12, 13, 20


def attr(kind, payload):
    n = 4 + len(payload)
    return struct.pack("HH", n, kind) + payload + b"\0" * ((4 - n % 4) % 4)


def string(s):
    return s.encode() + b"\0"


def request(sock, family, cmd, attrs, seq):
    body = struct.pack("BBH", cmd, 1, 0) + b"".join(attrs)
    msg = struct.pack("IHHII", 16 + len(body), family, NLM_F_REQUEST | NLM_F_ACK, seq, 0) + body
    sock.send(msg)
    while True:
        data = sock.recv(65536)
        off = 0
        while off < len(data):
            length, kind, flags, rseq, _ = struct.unpack_from("IHHII", data, off)
            if kind == NLMSG_ERROR and rseq == seq:
                err = -struct.unpack_from("i", data, off + 16)[0]
                return err, data[off:off + length], flags
            if kind == family and cmd == CTRL_CMD_GETFAMILY:
                return 0, data[off:off + length], flags
            off += (length + 3) & ~3


def attrs_of(msg, start):
    off = start
    while off + 4 <= len(msg):
        n, kind = struct.unpack_from("HH", msg, off)
        if n < 4:
            break
        yield kind & 0x3FFF, msg[off + 4:off + n]
        off += (n + 3) & ~3


def family_id(sock):
    _, msg, _ = request(sock, GENL_ID_CTRL, CTRL_CMD_GETFAMILY,
                        [attr(CTRL_ATTR_FAMILY_NAME, string("vdpa"))], 1)
    for kind, val in attrs_of(msg, 20):
        if kind == CTRL_ATTR_FAMILY_ID:
            return struct.unpack("H", val[:2])[0]
    sys.exit("vdpa_nl: no vdpa genetlink family")


def mac(s):
    return bytes(int(x, 16) for x in s.split(":"))


def main(argv):
    if len(argv) < 3:
        sys.exit(__doc__)
    op, name = argv[1], argv[2]
    attrs = [attr(A_DEV_NAME, string(name))]
    rest = argv[3:]
    if op == "add":
        attrs.append(attr(A_MGMTDEV_DEV_NAME, string(rest[0])))
        rest = rest[1:]
        cmd = CMD_DEV_NEW
    elif op == "set":
        cmd = CMD_DEV_ATTR_SET
    else:
        sys.exit(__doc__)
    for key, val in zip(rest[::2], rest[1::2]):
        if key == "mac":
            attrs.append(attr(A_MAC, mac(val)))
        elif key == "mtu":
            attrs.append(attr(A_MTU, struct.pack("H", int(val, 0))))
        elif key == "max_vqp":
            attrs.append(attr(A_MAX_VQP, struct.pack("H", int(val, 0))))
        elif key == "device_features":
            attrs.append(attr(A_FEATURES, struct.pack("Q", int(val, 0))))
        else:
            sys.exit(f"vdpa_nl: unknown attribute {key}")
    sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_GENERIC)
    sock.setsockopt(270, 11, 1)  # SOL_NETLINK, NETLINK_EXT_ACK
    sock.bind((0, 0))
    err, msg, flags = request(sock, family_id(sock), cmd, attrs, 2)
    if err:
        text = ""
        if flags & 0x200:  # NLM_F_ACK_TLVS: the extack follows the echoed request
            inner = struct.unpack_from("I", msg, 20)[0]
            for kind, val in attrs_of(msg, 20 + inner if not flags & 0x100 else 36):
                if kind == NLMSGERR_ATTR_MSG:
                    text = ": " + val.rstrip(b"\0").decode()
        print(f"vdpa_nl: {os.strerror(err)}{text}", file=sys.stderr)
    return err


if __name__ == "__main__":
    sys.exit(main(sys.argv))
