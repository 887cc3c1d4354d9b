#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The ring features through vhost-vdpa, as a driver sees them.

  vhost_ring.py DEV WIRE_NETNS WIRE_IF

VIRTIO_RING_F_INDIRECT_DESC: frames sent through indirect tables (header
and frame in separate table entries) reach the wire with their bytes, and
frames from the wire land in RX buffers given through tables. A bad table
(nested) is DEVICE_NEEDS_RESET.
VIRTIO_RING_F_EVENT_IDX: after the first publish of a started ring (which
interrupts whatever used_event says: it may be stale), the device
interrupts only when the used index passes used_event (N frames with
used_event far ahead: no interrupt; then one as it is passed), and after taking TX chains it asks for the next kick
through avail_event (= the avail index it has reached).
Prints one line of counts; raises on anything else.
"""

import os
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from vhost import *  # noqa: E402,F403

MEM = 1 << 20
FEATURES = bits(F_VERSION_1, F_ACCESS_PLATFORM, F_MAC, F_MRG_RXBUF, F_RING_INDIRECT_DESC,
                F_RING_EVENT_IDX)
BUF = 0x10000
TABLES = 0xC0000
N = 16


def setup(path):
    d = Vdpa(path, size=MEM)
    if not d.device_features() & bits(F_RING_INDIRECT_DESC, F_RING_EVENT_IDX):
        raise AssertionError(f"features {d.device_features():#x} lack INDIRECT_DESC/EVENT_IDX")
    d.negotiate(FEATURES)
    d.map(0, MEM)
    rx, tx = d.ring(0, num=64, base=0x1000), d.ring(1, num=64, base=0x4000)
    for r in (rx, tx):
        r.setup()
        r.enable()
    st = d.driver_ok()
    if st & S_NEEDS_RESET or not st & S_DRIVER_OK:
        raise AssertionError(f"status {st:#x} after set-up")
    return d, rx, tx


def main(argv):
    path, netns, wire_if = argv[1], argv[2], argv[3]
    sock, wire_mac = wire_socket(netns, wire_if)
    d, rx, tx = setup(path)
    mac = d.mac()
    # TX through tables: header in entry 0, frame in entry 1.
    sent = []
    for k in range(N):
        hdr, frm = BUF + 0x40000 + k * 4096, BUF + 0x40000 + k * 4096 + 64
        f = mac_bytes(wire_mac) + mac_bytes(mac) + b"\x88\xb5" + os.urandom(60 + k)
        d.put(hdr, b"\0" * HDR_LEN)
        d.put(frm, f)
        tx.offer(tx.indirect_chain([(hdr, HDR_LEN, False), (frm, len(f), False)], TABLES + k * 64),
                 publish=False)
        sent.append(f)
    tx.publish()
    tx.kick()
    got = []
    end = time.monotonic() + 5
    while len(got) < N and time.monotonic() < end:
        try:
            pkt = sock.recv(2048)
        except OSError:
            break
        if pkt[12:14] == b"\x88\xb5":
            got.append(pkt)
    if [p[:len(f)] for p, f in zip(got, sent)] != sent:
        raise AssertionError(f"TX through indirect tables: {len(got)} of {N} frames, or wrong bytes")
    used = tx.wait_used(N, 5.0)
    if len(used) != N:
        raise AssertionError(f"TX: {len(used)} of {N} chains used")
    # The device took every chain and asked for the next kick.
    if tx.avail_event() != tx.avail_idx:
        raise AssertionError(f"avail_event {tx.avail_event()}, avail index {tx.avail_idx}")

    # RX through tables; used_event far ahead: no interrupt for N frames.
    rx.used_event(rx.used_seen + 1000)
    buf_of = {}
    for k in range(2 * N):
        buf = BUF + k * 2048
        head = rx.indirect_chain([(buf, 2048, True)], TABLES + 0x10000 + k * 64)
        buf_of[head] = buf
        rx.offer(head, publish=False)
    rx.publish()
    rx.kick()
    warm = mac_bytes(mac) + mac_bytes(wire_mac) + b"\x88\xb5" + os.urandom(60)
    sock.send(warm)
    if len(rx.wait_used(1, 2.0)) != 1:
        raise AssertionError("RX: the first frame did not arrive")
    time.sleep(0.05)
    if rx.calls() < 1:
        raise AssertionError("no interrupt at the first publish of the started ring")
    frames = [mac_bytes(mac) + mac_bytes(wire_mac) + b"\x88\xb5" + os.urandom(60) for _ in range(N)]
    got = []
    for f in frames:
        sock.send(f)
        got += rx.wait_used(1, 2.0)
    if len(got) != N:
        raise AssertionError(f"RX through indirect tables: {len(got)} of {N} frames")
    for (head, n), f in zip(got, frames):
        data = d.get(buf_of[head] + HDR_LEN, len(f))
        if n < HDR_LEN + len(f) or data != f:
            raise AssertionError(f"RX through indirect table of head {head}: wrong bytes ({n} written)")
    quiet = rx.calls()
    if quiet:
        raise AssertionError(f"{quiet} interrupts with used_event far ahead")
    # Ask for one at the next used entry: exactly when it is passed.
    rx.used_event(rx.used_seen)
    sock.send(frames[0])
    if len(rx.wait_used(1, 2.0)) != 1:
        raise AssertionError("RX: the frame after used_event did not arrive")
    time.sleep(0.05)
    woke = rx.calls()
    if woke < 1:
        raise AssertionError("no interrupt when the used index passed used_event")

    # A nested table: the device wants a reset, and says so.
    t = TABLES + 0x20000
    d.put(t, struct.pack("<QIHH", t + 64, 16, DESC_F_INDIRECT, 0))
    i = tx.free.pop()
    tx.write_desc(i, t, 16, DESC_F_INDIRECT, 0)
    tx.offer(i)
    tx.kick()
    end = time.monotonic() + 3
    while not d.status() & S_NEEDS_RESET and time.monotonic() < end:
        time.sleep(0.01)
    if not d.status() & S_NEEDS_RESET:
        raise AssertionError(f"nested table: status {d.status():#x}")
    d.status(0)
    print(f"ring: tx_indirect={N} rx_indirect={N} quiet_interrupts={quiet} woke={woke} "
          f"avail_event=ok nested=needs_reset")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
