#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""A hostile vhost-vdpa driver with seeded random input.

  vhost_fuzz.py DEV WIRE_NETNS WIRE_IF SEED ROUNDS

Each round sets the device up, often in a hostile way (vq sizes 0, not a
power of two or huge; ring addresses unmapped, misaligned, past 2^40 or
wrapping 2^64; IOTLB maps of [0, 2^64-1], overlapping, with bad ASIDs or
permissions; status out of order; features changed after DRIVER_OK; the
data group moved to another ASID; config reads past the end), then makes
chains available on the RX, TX and control queues, most of them hostile
(descriptor loops, chains longer than the ring, next >= num, len 0 or
huge, addr + len wrapping 2^64 or crossing 2^40, unmapped and read-only
buffers, avail index jumps, INDIRECT descriptors: not negotiated, or
tables that nest, loop, run past their end, are not whole or not mapped),
with the ring features (indirect tables, event indices) negotiated or
not, good chains sometimes through indirect tables; and sometimes resets
the device mid-traffic, or suspends it, moves a ring's base or size while
suspended and resumes it (or leaves it suspended). After every round the device must either work or
report DEVICE_NEEDS_RESET; then it is reset and set up properly, and
every few rounds a good frame must go each way between the device and the
wire end, bytes checked. The last line counts what was done:

  fuzz seed=S rounds=R chains=C hostile=H needs_reset=N verified=V
      refused=F suspends=U

Any other outcome raises (non-zero exit) with the seed and round.
"""

import fcntl
import os
import random
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from vhost import *  # noqa: E402,F403

MEM = 1 << 20
FEATURES = bits(F_VERSION_1, F_ACCESS_PLATFORM, F_MAC, F_MRG_RXBUF, F_CTRL_VQ, F_CTRL_RX,
                F_CTRL_MAC_ADDR)
RX, TX, CVQ = 0, 1, 2
NUM = 64
RING = {RX: 0x1000, TX: 0x4000, CVQ: 0x7000}
BUF = 0x10000  # buffers: 0x10000 .. MEM
TABLES = BUF + 0xC0000  # indirect tables: 64 bytes per (queue, head)
RING_FEATURES = [0, bits(F_RING_INDIRECT_DESC), bits(F_RING_EVENT_IDX),
                 bits(F_RING_INDIRECT_DESC, F_RING_EVENT_IDX)]
ADDR40 = 1 << 40


class Fuzzer:
    def __init__(self, path, netns, wire_if, seed):
        self.path = path
        self.rng = random.Random(seed)
        self.seed = seed
        self.sock, self.wire_mac = wire_socket(netns, wire_if)
        self.dev = Vdpa(path, size=MEM)
        self.mac = self.dev.mac()
        self.stats = dict(chains=0, hostile=0, needs_reset=0, verified=0, refused=0, suspends=0)

    # --- set-up ----------------------------------------------------------
    def try_(self, f, *a):
        """An operation a hostile driver may try; refusals are fine."""
        try:
            f(*a)
            return True
        except OSError:
            self.stats["refused"] += 1
            return False

    def setup(self, hostile):
        d, r = self.dev, self.rng
        d.status(0)
        d.status(S_ACK | S_DRIVER)
        feats = FEATURES | r.choice(RING_FEATURES)
        if hostile and r.random() < 0.2:
            feats = r.getrandbits(40)
        self.indirect = bool(feats & bits(F_RING_INDIRECT_DESC))
        self.try_(d.set_features, feats)
        st = S_ACK | S_DRIVER | S_FEATURES_OK
        if hostile and r.random() < 0.1:
            st = r.choice([S_ACK | S_DRIVER | S_DRIVER_OK, S_DRIVER_OK, S_FEATURES_OK | S_DRIVER_OK])
        self.try_(d.status, st)
        # The IOTLB: our memory at IOVA 0, sometimes plus hostile maps.
        self.try_(d.unmap, 0, (1 << 64) - 1)
        self.try_(d.map, 0, MEM)
        if hostile:
            for _ in range(r.randrange(3)):
                iova = r.choice([0, MEM // 2, ADDR40 - 4096, (1 << 64) - 4096, r.getrandbits(64)])
                size = r.choice([1, 4096, MEM, (1 << 64) - 1, r.getrandbits(48)])
                self.try_(d.iotlb, r.choice([IOTLB_UPDATE, IOTLB_INVALIDATE, 9]), iova, size,
                          d.uaddr + r.randrange(MEM // 4096) * 4096, r.choice([0, RO, WO, RW, 7]),
                          r.choice([0, 0, 1, 2, 0xFFFFFFFF]))
            if r.random() < 0.1:
                self.try_(d.set_group_asid, r.choice([0, 1, 2]), r.choice([0, 1, 5]))
            if r.random() < 0.05:
                self.try_(d.config, r.choice([0, 6, 63, 64, 4096]), r.choice([1, 8, 64, 4096]))
        for old in getattr(self, "rings", {}).values():
            old.close()
        self.rings = {}
        for q in (RX, TX, CVQ):
            ring = d.ring(q, num=NUM, base=RING[q])
            num, addrs = None, [None, None, None]
            if hostile and r.random() < 0.1:
                num = r.choice([0, 3, 1 << 15, 1024, 256, 1])
            if hostile and r.random() < 0.1:
                k = r.randrange(3)
                addrs[k] = r.choice([MEM + 4096, ADDR40, (1 << 64) - 2, RING[q] + 1, 0x1_0000_0000])
            self.try_(ring.setup, num, *addrs)
            self.try_(ring.enable, not (hostile and r.random() < 0.05))
            self.rings[q] = ring
        self.try_(d.status, st | S_DRIVER_OK)
        if hostile and r.random() < 0.05:
            self.try_(d.set_features, FEATURES ^ bits(F_MRG_RXBUF))

    # --- chains ------------------------------------------------------------
    def rand_buf(self, write):
        r = self.rng
        return (BUF + r.randrange((MEM - BUF) // 64) * 64, r.choice([16, 60, 1514, 2048]), write)

    def hostile_chain(self, ring):
        """Writes one hostile chain into `ring`'s descriptors; returns its head."""
        r, n = self.rng, ring.num
        kind = r.randrange(12)
        head = r.randrange(n)
        if kind == 0:  # a loop
            a, b = head, (head + 1) % n
            ring.write_desc(a, BUF, 64, DESC_F_NEXT, b)
            ring.write_desc(b, BUF + 64, 64, DESC_F_NEXT, a)
        elif kind == 1:  # longer than the ring
            for i in range(n):
                ring.write_desc(i, BUF + 64 * i, 64, DESC_F_NEXT, (i + 1) % n)
        elif kind == 2:  # next out of range
            ring.write_desc(head, BUF, 64, DESC_F_NEXT, r.choice([n, 0xFFFF, n + 1]))
        elif kind == 3:  # len 0 or huge
            ring.write_desc(head, BUF, r.choice([0, 0xFFFFFFFF, 0x80000000, 1]), r.choice([0, DESC_F_WRITE]), 0)
        elif kind == 4:  # addr + len wraps 2^64
            ring.write_desc(head, (1 << 64) - 8, 64, r.choice([0, DESC_F_WRITE]), 0)
        elif kind == 5:  # crosses 2^40 / beyond the map
            ring.write_desc(head, r.choice([ADDR40 - 32, MEM - 32, MEM]), 64, r.choice([0, DESC_F_WRITE]), 0)
        elif kind == 6:  # unmapped
            ring.write_desc(head, r.choice([MEM + r.getrandbits(20), 1 << 50]), 128,
                            r.choice([0, DESC_F_WRITE]), 0)
        elif kind == 7 and not self.indirect:  # indirect (not negotiated)
            ring.write_desc(head, BUF, 32, DESC_F_INDIRECT, 0)
        elif kind == 7:  # a hostile indirect table
            t = self.table(ring, head)
            sub = r.randrange(6)
            ent = lambda i, f, nxt: ring.dev.put(t + 16 * i, struct.pack("<QIHH", BUF, 64, f, nxt))
            length = 32
            if sub == 0:  # nested
                ent(0, DESC_F_INDIRECT, 0)
            elif sub == 1:  # a loop
                ent(0, DESC_F_NEXT, 1)
                ent(1, DESC_F_NEXT, 0)
            elif sub == 2:  # next past the end
                ent(0, DESC_F_NEXT, r.choice([2, 0xFFFF]))
            elif sub == 3:  # not a whole table, empty, or huge
                length = r.choice([0, 8, 33, 0xFFFFFFF0])
                ent(0, 0, 0)
            elif sub == 4:  # the table unmapped or wrapping
                t = r.choice([MEM, (1 << 64) - 16, ADDR40 - 8])
            else:  # chained on (INDIRECT | NEXT)
                ent(0, 0, 0)
            ring.write_desc(head, t, length, DESC_F_INDIRECT | (DESC_F_NEXT if sub == 5 else 0),
                            (head + 1) % n)
        elif kind == 8:  # readable after writable
            nxt = (head + 1) % n
            ring.write_desc(head, BUF, 64, DESC_F_WRITE | DESC_F_NEXT, nxt)
            ring.write_desc(nxt, BUF + 64, 64, 0, 0)
        elif kind == 9:  # wrong direction for the queue
            ring.write_desc(head, *self.rand_buf(False)[:2], DESC_F_WRITE if ring.idx == TX else 0, 0)
        elif kind == 10:  # random bytes
            for i in range(r.randrange(1, 4)):
                ring.dev.put(ring.desc + 16 * r.randrange(n), r.randbytes(16))
        else:  # a head index out of range in the avail ring
            head = r.choice([n, 0xFFFF, n + 7])
        return head

    def table(self, ring, head):
        return TABLES + (ring.idx * NUM + head % NUM) * 64

    def chain(self, ring, bufs):
        """`bufs` as a chain, through an indirect table half the time when
        negotiated."""
        if self.indirect and ring.free and self.rng.random() < 0.5:
            return ring.indirect_chain(bufs, self.table(ring, ring.free[-1]))
        return ring.chain(bufs)

    def good_chain(self, ring):
        """A chain the queue's driver would make (may still be refused by
        the device for its content)."""
        r, d = self.rng, self.dev
        if not ring.free:
            return None
        if ring.idx == RX:
            i = ring.free.pop()
            ring.write_desc(i, BUF + i * 2048, 2048, DESC_F_WRITE, 0)
            return i
        if ring.idx == TX:
            off = BUF + 0x40000 + r.randrange(64) * 2048
            f = b"\0" * HDR_LEN + mac_bytes(self.wire_mac) + mac_bytes(self.mac) + b"\x88\xb5" + r.randbytes(46)
            d.put(off, f)
            return self.chain(ring, [(off, len(f), False)])
        off = BUF + 0x80000
        cmd = r.choice([bytes([CTRL_RX, RX_PROMISC, r.randrange(2)]),
                        bytes([CTRL_MAC, MAC_ADDR_SET]) + r.randbytes(6),
                        bytes([CTRL_MAC, MAC_TABLE_SET]) + struct.pack("<I", r.randrange(3)) + r.randbytes(24),
                        bytes([CTRL_MQ, 0]) + struct.pack("<H", r.randrange(4)),
                        r.randbytes(r.randrange(1, 16))])
        d.put(off, cmd)
        d.put(off + 4095, b"\xee")
        return self.chain(ring, [(off, len(cmd), False), (off + 4095, 1, True)])

    def round(self, hostile):
        r = self.rng
        self.setup(hostile)
        nchains = r.randrange(4, 24)
        for _ in range(nchains):
            ring = self.rings[r.choice([RX, RX, TX, TX, CVQ])]
            bad = hostile and r.random() < 0.7
            head = self.hostile_chain(ring) if bad else self.good_chain(ring)
            if head is None:
                continue
            ring.offer(head)
            if hostile and r.random() < 0.05:  # the avail index jumps
                ring.avail_idx = (ring.avail_idx + r.choice([ring.num + 1, 0x8000, 0xFFFF])) & 0xFFFF
                ring.publish()
            self.stats["chains"] += 1
            self.stats["hostile"] += bad
            ring.kick()
            if hostile and r.random() < 0.03:  # reset mid-traffic
                self.try_(self.dev.status, 0)
            if hostile and r.random() < 0.05:  # suspended mid-traffic, a ring moved
                self.stats["suspends"] += 1
                self.try_(self.dev.suspend)
                if r.random() < 0.5:
                    q = r.choice([RX, TX, CVQ])
                    self.try_(fcntl.ioctl, self.dev.fd, SET_VRING_BASE, struct.pack("II", q, r.getrandbits(16)))
                if r.random() < 0.5:
                    q = r.choice([RX, TX, CVQ])
                    self.try_(fcntl.ioctl, self.dev.fd, SET_VRING_NUM, struct.pack("II", q, r.choice([3, 64, 4096])))
                if r.random() < 0.8:  # else it stays suspended until the next set-up
                    self.try_(self.dev.resume)
        # Let the device take them; then it works or wants a reset.
        time.sleep(0.005)
        st = self.dev.status()
        if st & S_NEEDS_RESET:
            self.stats["needs_reset"] += 1
        elif st & S_FAILED:
            raise AssertionError(f"status {st:#x}")

    # --- the check ---------------------------------------------------------
    def verify(self):
        """Reset, set up properly: a frame each way, bytes checked."""
        d, r = self.dev, self.rng
        self.setup(False)
        if d.status() != S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK:
            raise AssertionError(f"status {d.status():#x} after a clean set-up")
        rx, tx = self.rings[RX], self.rings[TX]
        for _ in range(8):
            rx.offer(self.good_chain(rx), publish=False)
        rx.publish()
        rx.kick()
        # wire -> device. The kick lends the buffers to the port's pool in
        # the doorbell's portal, which may not have run yet when the frame
        # arrives (dropped for no buffer, as on a NIC with an empty ring):
        # the wire sends again, up to 3 s in all, until one arrives.
        payload = r.randbytes(60)
        frame = mac_bytes(self.mac) + mac_bytes(self.wire_mac) + b"\x88\xb5" + payload
        got = []
        for _ in range(6):
            self.sock.send(frame)
            got = rx.wait_used(1, 0.5)
            if got:
                break
        if len(got) != 1:
            raise AssertionError(f"wire -> device: {got}, status {d.status():#x}")
        i, n = got[0]
        data = d.get(BUF + i * 2048, n)
        if data[HDR_LEN + 14:HDR_LEN + 74] != payload:
            raise AssertionError("wire -> device: wrong bytes")
        # device -> wire
        off = BUF + 0x40000
        payload = r.randbytes(60)
        f = mac_bytes(self.wire_mac) + mac_bytes(self.mac) + b"\x88\xb5" + payload
        d.put(off, b"\0" * HDR_LEN + f)
        tx.offer(self.chain(tx, [(off, HDR_LEN + len(f), False)]))
        tx.kick()
        end = time.monotonic() + 3.0
        while True:
            try:
                pkt = self.sock.recv(2048)
            except socket.timeout:
                raise AssertionError(f"device -> wire: nothing, status {d.status():#x}")
            if pkt[:len(f)] == f:
                break
            if time.monotonic() > end:
                raise AssertionError("device -> wire: not the frame sent")
        self.stats["verified"] += 1


def main(argv):
    path, netns, wire_if, seed, rounds = argv[1], argv[2], argv[3], int(argv[4]), int(argv[5])
    fz = Fuzzer(path, netns, wire_if, seed)
    for n in range(rounds):
        try:
            fz.round(hostile=True)
            if n % 10 == 9:
                fz.verify()
        except AssertionError as e:
            sys.exit(f"vhost_fuzz: seed {seed} round {n}: {e}")
    fz.verify()
    fz.dev.status(0)
    s = fz.stats
    print(f"fuzz seed={seed} rounds={rounds} chains={s['chains']} hostile={s['hostile']} "
          f"needs_reset={s['needs_reset']} verified={s['verified']} refused={s['refused']} "
          f"suspends={s['suspends']}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
