# SPDX-License-Identifier: GPL-2.0
"""A userspace vhost-vdpa driver library, for tests that drive a device the
way no kernel driver would (hostile or precise input).

  dev = Vdpa("/dev/vhost-vdpa-0")           # opens, SET_OWNER, backend features
  dev.negotiate(FEATURES)                   # ACK, DRIVER, features, FEATURES_OK
  dev.map(iova, size, offset)               # IOTLB update (ASID 0) of our memory
  rx = dev.ring(0, num=64, base=0x1000)     # split ring in our memory at IOVA base
  rx.setup(); rx.enable()
  dev.driver_ok()

Memory is one shared anonymous mapping (`dev.mem`, IOVA = offset unless a
test maps it otherwise), so a forked helper can change it under the device.
"""

import ctypes
import fcntl
import mmap
import os
import socket
import struct
import time

VHOST = 0xAF


def _ioc(d, nr, size):
    return (d << 30) | (size << 16) | (VHOST << 8) | nr


def IO(nr):
    return _ioc(0, nr, 0)


def IOW(nr, size):
    return _ioc(1, nr, size)


def IOR(nr, size):
    return _ioc(2, nr, size)


def IOWR(nr, size):
    return _ioc(3, nr, size)


GET_FEATURES, SET_FEATURES = IOR(0x00, 8), IOW(0x00, 8)
SET_OWNER = IO(0x01)
VDPA_SUSPEND = IO(0x7D)
VDPA_RESUME = IO(0x7E)
SET_VRING_NUM, SET_VRING_ADDR = IOW(0x10, 8), IOW(0x11, 40)
SET_VRING_BASE, GET_VRING_BASE = IOW(0x12, 8), IOWR(0x12, 8)
SET_VRING_KICK, SET_VRING_CALL = IOW(0x20, 8), IOW(0x21, 8)
SET_BACKEND, GET_BACKEND = IOW(0x25, 8), IOR(0x26, 8)
GET_DEVICE_ID = IOR(0x70, 4)
GET_STATUS, SET_STATUS = IOR(0x71, 1), IOW(0x72, 1)
GET_CONFIG = IOR(0x73, 8)
SET_VRING_ENABLE = IOW(0x75, 8)
GET_VRING_NUM = IOR(0x76, 2)
SET_CONFIG_CALL = IOW(0x77, 4)
GET_IOVA_RANGE = IOR(0x78, 16)
GET_CONFIG_SIZE = IOR(0x79, 4)
GET_AS_NUM = IOR(0x7A, 4)
GET_VRING_GROUP = IOWR(0x7B, 8)
SET_GROUP_ASID = IOW(0x7C, 8)
GET_GROUP_NUM = IOR(0x81, 4)

# virtio-net feature bits
F_CSUM, F_MAC, F_MRG_RXBUF, F_STATUS = 0, 5, 15, 16
F_CTRL_VQ, F_CTRL_RX, F_MQ, F_CTRL_MAC_ADDR = 17, 18, 22, 23
F_VERSION_1, F_ACCESS_PLATFORM = 32, 33
F_RING_INDIRECT_DESC, F_RING_EVENT_IDX = 28, 29

S_ACK, S_DRIVER, S_DRIVER_OK, S_FEATURES_OK = 1, 2, 4, 8
S_NEEDS_RESET, S_FAILED = 0x40, 0x80

BACKEND_IOTLB_MSG_V2, BACKEND_IOTLB_BATCH, BACKEND_IOTLB_ASID = 0, 1, 3
BACKEND_SUSPEND, BACKEND_RESUME = 4, 5
IOTLB_MSG_V2 = 2
IOTLB_UPDATE, IOTLB_INVALIDATE, IOTLB_BATCH_BEGIN, IOTLB_BATCH_END = 2, 3, 5, 6
RO, WO, RW = 1, 2, 3

DESC_F_NEXT, DESC_F_WRITE, DESC_F_INDIRECT = 1, 2, 4
HDR_LEN = 12  # struct virtio_net_hdr_mrg_rxbuf

# control virtqueue
CTRL_RX, CTRL_MAC, CTRL_MQ = 0, 1, 4
RX_PROMISC, RX_ALLMULTI = 0, 1
MAC_TABLE_SET, MAC_ADDR_SET = 0, 1
MQ_VQ_PAIRS_SET = 0


CLONE_NEWNET = 0x40000000
ETH_P_LOCAL = 0x88B5  # local experimental EtherType: the tests' raw frames


def wire_socket(netns, ifname):
    """A raw socket on the wire end, made inside its namespace."""
    libc = ctypes.CDLL(None, use_errno=True)
    here = os.open("/proc/self/ns/net", os.O_RDONLY)
    there = os.open(f"/run/netns/{netns}", os.O_RDONLY)
    if libc.setns(there, CLONE_NEWNET):
        raise OSError(ctypes.get_errno(), "setns")
    try:
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_LOCAL))
        s.bind((ifname, 0))
        # (sysfs shows the namespace that mounted it: ask the socket.)
        mac = mac_str(s.getsockname()[4])
    finally:
        libc.setns(here, CLONE_NEWNET)
        os.close(here)
        os.close(there)
    s.settimeout(2.0)
    return s, mac


def bits(*fs):
    return sum(1 << f for f in fs)


def mac_bytes(mac):
    return bytes(int(x, 16) for x in mac.split(":"))


def mac_str(b):
    return ":".join(f"{x:02x}" for x in b)


class Vdpa:
    """One /dev/vhost-vdpa-N, with `size` bytes of driver memory."""

    def __init__(self, path, size=1 << 20, backend=None, share=None):
        """`share`: another Vdpa whose memory (rings, buffers) this one
        uses too, as a migration destination does."""
        self.fd = os.open(path, os.O_RDWR)
        self.size = size
        if share is not None:
            self.mem, self.uaddr = share.mem, share.uaddr
        else:
            self.mem = mmap.mmap(-1, size, flags=mmap.MAP_SHARED | mmap.MAP_ANONYMOUS)
            self.mem[:] = b"\0" * size  # fault the pages in before they are pinned
            self.uaddr = ctypes.addressof(ctypes.c_char.from_buffer(self.mem))
        fcntl.ioctl(self.fd, SET_OWNER)
        offer = struct.unpack("Q", fcntl.ioctl(self.fd, GET_BACKEND, b"\0" * 8))[0]
        self.backend_offer = offer
        want = bits(BACKEND_IOTLB_MSG_V2, BACKEND_IOTLB_BATCH, BACKEND_IOTLB_ASID, BACKEND_SUSPEND,
                    BACKEND_RESUME)
        if backend is not None:
            want = backend
        self.backend = offer & want
        fcntl.ioctl(self.fd, SET_BACKEND, struct.pack("Q", self.backend))

    def close(self):
        os.close(self.fd)

    def suspend(self):
        fcntl.ioctl(self.fd, VDPA_SUSPEND)

    def resume(self):
        fcntl.ioctl(self.fd, VDPA_RESUME)

    # --- plain ioctls -------------------------------------------------------
    def _u64(self, req, v=None):
        if v is None:
            return struct.unpack("Q", fcntl.ioctl(self.fd, req, b"\0" * 8))[0]
        fcntl.ioctl(self.fd, req, struct.pack("Q", v))

    def device_features(self):
        return self._u64(GET_FEATURES)

    def set_features(self, f):
        self._u64(SET_FEATURES, f)

    def status(self, s=None):
        if s is not None:
            fcntl.ioctl(self.fd, SET_STATUS, bytes([s & 0xFF]))
        return fcntl.ioctl(self.fd, GET_STATUS, b"\0")[0]

    def config(self, off, n):
        # A mutable buffer: ioctl() copies immutable ones only up to 1 KiB.
        buf = bytearray(struct.pack("II", off, n) + b"\0" * n)
        fcntl.ioctl(self.fd, GET_CONFIG, buf, True)
        return bytes(buf[8:])

    def mac(self):
        return mac_str(self.config(0, 6))

    def vring_num_max(self):
        return struct.unpack("H", fcntl.ioctl(self.fd, GET_VRING_NUM, b"\0" * 2))[0]

    def iova_range(self):
        return struct.unpack("QQ", fcntl.ioctl(self.fd, GET_IOVA_RANGE, b"\0" * 16))

    def vring_group(self, idx):
        return struct.unpack("II", fcntl.ioctl(self.fd, GET_VRING_GROUP, struct.pack("II", idx, 0)))[1]

    def set_group_asid(self, group, asid):
        fcntl.ioctl(self.fd, SET_GROUP_ASID, struct.pack("II", group, asid))

    def vring_base(self, idx):
        return struct.unpack("II", fcntl.ioctl(self.fd, GET_VRING_BASE, struct.pack("II", idx, 0)))[1]

    def negotiate(self, features):
        """Reset, then ACK, DRIVER, the features, FEATURES_OK; returns the status."""
        self.status(0)
        self.status(S_ACK | S_DRIVER)
        self.set_features(features)
        return self.status(S_ACK | S_DRIVER | S_FEATURES_OK)

    def driver_ok(self):
        return self.status(S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK)

    # --- IOTLB ---------------------------------------------------------------
    def iotlb(self, kind, iova=0, size=0, uaddr=0, perm=RW, asid=0):
        msg = struct.pack("II", IOTLB_MSG_V2, asid) + struct.pack("QQQBB", iova, size, uaddr, perm, kind)
        os.write(self.fd, msg + b"\0" * (72 - len(msg)))

    def map(self, iova, size, off=0, perm=RW, asid=0):
        """Maps `size` bytes of our memory at offset `off` to `iova`."""
        self.iotlb(IOTLB_UPDATE, iova, size, self.uaddr + off, perm, asid)

    def unmap(self, iova, size, asid=0):
        self.iotlb(IOTLB_INVALIDATE, iova, size, 0, 0, asid)

    def phys(self, off):
        """Host physical address of our memory at `off` (root: pagemap)."""
        va = self.uaddr + off
        with open("/proc/self/pagemap", "rb") as f:
            f.seek(va // 4096 * 8)
            e = struct.unpack("Q", f.read(8))[0]
        if not e >> 63:
            raise RuntimeError("page not present")
        return (e & ((1 << 55) - 1)) * 4096 + va % 4096

    # --- memory ----------------------------------------------------------------
    def put(self, off, data):
        self.mem[off:off + len(data)] = data

    def get(self, off, n):
        return bytes(self.mem[off:off + n])

    def u16(self, off):
        return struct.unpack_from("<H", self.mem, off)[0]

    def ring(self, idx, num, base, iova=None):
        return Ring(self, idx, num, base, base if iova is None else iova)


class Ring:
    """A split virtqueue in the driver's memory: descriptors at `off`, the
    avail ring after them, the used ring 4 KiB-aligned after that. `iova`
    is where the device sees `off`."""

    def __init__(self, dev, idx, num, off, iova):
        self.dev, self.idx, self.num = dev, idx, num
        self.desc = off
        self.avail = off + 16 * num
        self.used = (self.avail + 6 + 2 * num + 4095) & ~4095
        self.end = self.used + 6 + 8 * num
        self.iova = iova - off  # offset -> IOVA
        self.avail_idx = 0
        self.used_seen = 0
        self.free = list(range(num))
        self.kick_fd = os.eventfd(0, os.EFD_NONBLOCK)
        self.call_fd = os.eventfd(0, os.EFD_NONBLOCK)

    def setup(self, num=None, desc=None, avail=None, used=None, base=0, keep=False):
        """`keep`: the ring memory holds a live ring (another device's,
        migrated): not cleared."""
        d = self.dev
        if not keep:
            d.put(self.desc, b"\0" * (self.end - self.desc))  # no stale ring state
        fcntl.ioctl(d.fd, SET_VRING_NUM, struct.pack("II", self.idx, self.num if num is None else num))
        a = [self.desc + self.iova, self.avail + self.iova, self.used + self.iova]
        a = [x if y is None else y for x, y in zip(a, (desc, avail, used))]
        fcntl.ioctl(d.fd, SET_VRING_ADDR, struct.pack("IIQQQQ", self.idx, 0, a[0], a[2], a[1], 0))
        fcntl.ioctl(d.fd, SET_VRING_BASE, struct.pack("II", self.idx, base))
        fcntl.ioctl(d.fd, SET_VRING_KICK, struct.pack("Ii", self.idx, self.kick_fd))
        fcntl.ioctl(d.fd, SET_VRING_CALL, struct.pack("Ii", self.idx, self.call_fd))
        self.avail_idx = self.used_seen = base

    def close(self):
        """Closes the ring's eventfds (the device may keep using them until
        its next set-up)."""
        os.close(self.kick_fd)
        os.close(self.call_fd)

    def enable(self, on=True):
        fcntl.ioctl(self.dev.fd, SET_VRING_ENABLE, struct.pack("II", self.idx, int(on)))

    def set_call(self, fd):
        fcntl.ioctl(self.dev.fd, SET_VRING_CALL, struct.pack("Ii", self.idx, fd))

    def write_desc(self, i, addr, length, flags, nxt):
        self.dev.put(self.desc + 16 * i, struct.pack("<QIHH", addr & (2**64 - 1), length & 0xFFFFFFFF, flags, nxt))

    def chain(self, bufs):
        """Writes a chain of (iova, len, writable) buffers from free
        descriptors; returns its head (None when the ring is full)."""
        if len(self.free) < len(bufs):
            return None
        ids = [self.free.pop() for _ in bufs]
        for k, (addr, n, w) in enumerate(bufs):
            last = k + 1 == len(bufs)
            self.write_desc(ids[k], addr, n, (0 if last else DESC_F_NEXT) | (DESC_F_WRITE if w else 0),
                            0 if last else ids[k + 1])
        return ids[0]

    def indirect_chain(self, bufs, table):
        """Writes (iova, len, writable) buffers into an indirect table at
        offset `table` (also its IOVA under the identity map) and one ring
        descriptor pointing at it; returns that head (None when full)."""
        if not self.free:
            return None
        for k, (addr, n, w) in enumerate(bufs):
            last = k + 1 == len(bufs)
            flags = (0 if last else DESC_F_NEXT) | (DESC_F_WRITE if w else 0)
            self.dev.put(table + 16 * k, struct.pack("<QIHH", addr, n, flags, 0 if last else k + 1))
        i = self.free.pop()
        self.write_desc(i, table, 16 * len(bufs), DESC_F_INDIRECT, 0)
        return i

    def used_event(self, v):
        """EVENT_IDX: interrupt me when the used index passes `v`."""
        self.dev.put(self.avail + 4 + 2 * self.num, struct.pack("<H", v & 0xFFFF))

    def avail_event(self):
        """EVENT_IDX: the avail index at which the device wants a kick."""
        return self.dev.u16(self.used + 4 + 8 * self.num)

    def calls(self):
        """Interrupts (call eventfd signals) since the last look."""
        try:
            return os.eventfd_read(self.call_fd)
        except BlockingIOError:
            return 0

    def offer(self, head, publish=True):
        """Makes chain `head` available."""
        self.dev.put(self.avail + 4 + 2 * (self.avail_idx % self.num), struct.pack("<H", head))
        self.avail_idx = (self.avail_idx + 1) & 0xFFFF
        if publish:
            self.publish()

    def publish(self):
        self.dev.put(self.avail + 2, struct.pack("<H", self.avail_idx))

    def kick(self):
        os.eventfd_write(self.kick_fd, 1)

    def used_idx(self):
        return self.dev.u16(self.used + 2)

    def reap(self):
        """New used elements: [(id, len)], their descriptors freed."""
        out = []
        idx = self.used_idx()
        while self.used_seen != idx:
            e = self.used + 4 + 8 * (self.used_seen % self.num)
            i, n = struct.unpack_from("<II", self.dev.mem, e)
            out.append((i, n))
            self.used_seen = (self.used_seen + 1) & 0xFFFF
            # give the chain's descriptors back
            d = i
            for _ in range(self.num):
                if d >= self.num or d in self.free:
                    break
                self.free.append(d)
                flags, nxt = struct.unpack_from("<HH", self.dev.mem, self.desc + 16 * d + 12)
                if not flags & DESC_F_NEXT:
                    break
                d = nxt
        return out

    def wait_used(self, n=1, timeout=5.0):
        """Polls until `n` more used elements arrive; returns them."""
        got = []
        end = time.monotonic() + timeout
        while len(got) < n and time.monotonic() < end:
            r = self.reap()
            got += r
            if not r:
                time.sleep(0.002)
        return got


def cvq_command(dev, cvq, cls, cmd, data, buf_off):
    """One control command through ring `cvq`: returns the ack byte or None."""
    payload = bytes([cls, cmd]) + data
    dev.put(buf_off, payload)
    dev.put(buf_off + 4096 - 1, b"\xee")
    base = cvq.iova + buf_off
    head = cvq.chain([(base, len(payload), False), (base + 4095, 1, True)])
    cvq.offer(head)
    cvq.kick()
    if not cvq.wait_used(1, 5.0):
        return None
    return dev.get(buf_off + 4095, 1)[0]
