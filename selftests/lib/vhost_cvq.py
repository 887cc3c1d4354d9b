#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""A userspace vhost-vdpa driver of just a control virtqueue, for hostile
tests a kernel driver would never run.

  vhost_cvq.py /dev/vhost-vdpa-N MAX_VQP CMD...

Maps 1 MiB of its memory through the device's IOTLB (ASID 0), negotiates
VERSION_1 | ACCESS_PLATFORM | CTRL_VQ | MQ, sets up only the CVQ (index
2 * MAX_VQP), sets DRIVER_OK and runs each CMD, printing one line each:

  pairs:N      VQ_PAIRS_SET(N)        -> "pairs:N ack=A"
  class:C:M    an empty command C/M   -> "class:C:M ack=A"
  member:M     prints classifier member M of port 0 (debugfs)
  fault        a command whose buffer is outside every mapping
               -> "fault status=0xSS" (the device status afterwards)
"""

import ctypes
import fcntl
import mmap
import os
import struct
import sys
import time

VHOST = 0xAF


def _ioc(d, nr, size):
    return (d << 30) | (size << 16) | (VHOST << 8) | nr


IOW = lambda nr, size: _ioc(1, nr, size)
IOR = lambda nr, size: _ioc(2, nr, size)
SET_OWNER = _ioc(0, 0x01, 0)
GET_FEATURES, SET_FEATURES = IOR(0x00, 8), IOW(0x00, 8)
GET_BACKEND, SET_BACKEND = IOR(0x26, 8), IOW(0x25, 8)
SET_VRING_NUM, SET_VRING_ADDR, SET_VRING_BASE = IOW(0x10, 8), IOW(0x11, 40), IOW(0x12, 8)
SET_VRING_KICK = IOW(0x20, 8)
GET_STATUS, SET_STATUS = IOR(0x71, 1), IOW(0x72, 1)
SET_VRING_ENABLE = IOW(0x75, 8)

F_CTRL_VQ, F_MQ, F_VERSION_1, F_ACCESS_PLATFORM = 17, 22, 32, 33
S_ACK, S_DRIVER, S_DRIVER_OK, S_FEATURES_OK = 1, 2, 4, 8
BACKEND_IOTLB_MSG_V2 = 1 << 1
IOTLB_MSG_V2, IOTLB_UPDATE, ACCESS_RW = 2, 2, 3

MEM = 1 << 20
NUM = 16
DESC, AVAIL, USED = 0x1000, 0x2000, 0x3000
CMD, ACK = 0x10000, 0x11000
UNMAPPED = 0x4000_0000


class Dev:
    def __init__(self, path, max_vqp):
        self.fd = os.open(path, os.O_RDWR)
        self.mem = mmap.mmap(-1, MEM, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
        self.mem[:] = b"\0" * MEM  # fault the pages in before they are pinned
        self.uaddr = ctypes.addressof(ctypes.c_char.from_buffer(self.mem))
        self.cvq = 2 * max_vqp
        self.avail_idx = 0
        self.used_seen = 0
        fcntl.ioctl(self.fd, SET_OWNER)
        back = struct.unpack("Q", fcntl.ioctl(self.fd, GET_BACKEND, b"\0" * 8))[0]
        fcntl.ioctl(self.fd, SET_BACKEND, struct.pack("Q", back & BACKEND_IOTLB_MSG_V2))
        self.status(S_ACK | S_DRIVER)
        offer = struct.unpack("Q", fcntl.ioctl(self.fd, GET_FEATURES, b"\0" * 8))[0]
        want = sum(1 << f for f in (F_CTRL_VQ, F_MQ, F_VERSION_1, F_ACCESS_PLATFORM))
        if offer & want != want:
            sys.exit(f"vhost_cvq: device offers {offer:#x}, need {want:#x}")
        fcntl.ioctl(self.fd, SET_FEATURES, struct.pack("Q", want))
        self.status(S_ACK | S_DRIVER | S_FEATURES_OK)
        # iova 0 .. MEM -> our memory, ASID 0 (the CVQ's group maps there).
        msg = struct.pack("II", IOTLB_MSG_V2, 0) + struct.pack("QQQBB", 0, MEM, self.uaddr, ACCESS_RW, IOTLB_UPDATE)
        os.write(self.fd, msg + b"\0" * (72 - len(msg)))
        q = self.cvq
        fcntl.ioctl(self.fd, SET_VRING_NUM, struct.pack("II", q, NUM))
        fcntl.ioctl(self.fd, SET_VRING_ADDR, struct.pack("IIQQQQ", q, 0, DESC, USED, AVAIL, 0))
        fcntl.ioctl(self.fd, SET_VRING_BASE, struct.pack("II", q, 0))
        self.kick_fd = os.eventfd(0)
        fcntl.ioctl(self.fd, SET_VRING_KICK, struct.pack("Ii", q, self.kick_fd))
        fcntl.ioctl(self.fd, SET_VRING_ENABLE, struct.pack("II", q, 1))
        self.status(S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK)

    def status(self, s=None):
        if s is not None:
            fcntl.ioctl(self.fd, SET_STATUS, bytes([s]))
        return fcntl.ioctl(self.fd, GET_STATUS, b"\0")[0]

    def put(self, off, data):
        self.mem[off:off + len(data)] = data

    def command(self, payload, cmd_addr=CMD):
        """Submits header+data (readable) and an ack byte (writable);
        returns the ack, or None if the device never used the chain."""
        self.put(CMD, payload)
        self.put(ACK, b"\xee")
        self.put(DESC, struct.pack("<QIHH", cmd_addr, len(payload), 1, 1))
        self.put(DESC + 16, struct.pack("<QIHH", ACK, 1, 2, 0))
        self.put(AVAIL + 4 + 2 * (self.avail_idx % NUM), struct.pack("<H", 0))
        self.avail_idx = (self.avail_idx + 1) & 0xFFFF
        self.put(AVAIL + 2, struct.pack("<H", self.avail_idx))
        os.eventfd_write(self.kick_fd, 1)
        for _ in range(200):
            used = struct.unpack_from("<H", self.mem, USED + 2)[0]
            if used != self.used_seen:
                self.used_seen = used
                return self.mem[ACK]
            time.sleep(0.01)
        return None


def main(argv):
    dev = Dev(argv[1], int(argv[2]))
    for c in argv[3:]:
        kind, _, arg = c.partition(":")
        if kind == "pairs":
            ack = dev.command(bytes([4, 0]) + struct.pack("<H", int(arg, 0)))
            print(f"{c} ack={ack}")
        elif kind == "class":
            cl, cmd = (int(x, 0) for x in arg.split(":"))
            print(f"{c} ack={dev.command(bytes([cl, cmd]))}")
        elif kind == "member":
            # The device's classifier member line (debugfs of port 0).
            cls = open("/sys/kernel/debug/dpaa_vdpa/dpaa_sim0/classifier").read()
            line = [l for l in cls.splitlines() if l.startswith(f"member {arg}:")]
            print(line[0] if line else f"member {arg}: none")
        elif kind == "fault":
            dev.command(bytes([4, 0, 1, 0]), cmd_addr=UNMAPPED)
            print(f"fault status={dev.status():#04x}")
        else:
            sys.exit(f"vhost_cvq: unknown command {c}")
        sys.stdout.flush()
    dev.status(0)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
