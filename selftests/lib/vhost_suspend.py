#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Suspend, resume and the vq state, as a migrating VMM uses them.

  vhost_suspend.py DEV_A DEV_B NAME_A WIRE_NETNS WIRE_IF

NAME_A is A's vdpa device name (its vstats are read with $VDPA, `vdpa`).

A and B are vhost-vdpa devices on one port; B's anti-spoof is off (it sends
with A's MAC, as the migrated guest does).
1. A sends frames 0..9 (each numbered), the wire gets them.
2. A is suspended (VHOST_VDPA_SUSPEND). TX chains 10..19 are made available
   and kicked, and the wire sends 5 frames to A: for 1 s no used entry, no
   interrupt, nothing on the wire (the 5 are dropped, counted in RX's
   drop_suspended: the caller checks). GET_VRING_BASE: TX 10, RX 0.
   While suspended, RX moves to a new ring (SET_VRING_NUM/ADDR/BASE and
   ENABLE, which vhost-vdpa allows while suspended).
3. A resumes: 10..19 go out in order; 5 more frames from the wire arrive,
   in order, in the new RX ring (the old one gets nothing).
4. A is suspended again; 20..29 are made available; TX state 20.
   B takes the rings where A left them (same memory, SET_VRING_BASE 20,
   DRIVER_OK): 20..29 go out, in order, once each.
The wire must see 0..29 exactly once each, in order.
5. B is reset; A, suspended, is reset (a VMM's failed migration) and set up
   again: it works (frames 30..32 go out).
Prints one line.
"""

import os
import re
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from vhost import *  # noqa: E402,F403

MEM = 1 << 20
FEATURES = bits(F_VERSION_1, F_ACCESS_PLATFORM, F_MAC, F_MRG_RXBUF)
BUF = 0x10000


def frame(dst, src, n):
    return dst + src + b"\x88\xb5" + struct.pack(">I", n) + bytes([n & 0xff]) * 56


def start(d, base=None, keep=False, mapped=False):
    """Negotiates, maps the memory (unless `mapped`: a reset keeps the
    IOTLB) and sets up RX and TX."""
    if not d.backend & bits(BACKEND_SUSPEND, BACKEND_RESUME) == bits(BACKEND_SUSPEND, BACKEND_RESUME):
        raise AssertionError(f"backend features {d.backend_offer:#x}: no SUSPEND/RESUME")
    d.negotiate(FEATURES)
    if not mapped:
        d.map(0, MEM)
    rx, tx = d.ring(0, num=64, base=0x1000), d.ring(1, num=64, base=0x4000)
    rx.setup(base=base[0] if base else 0, keep=keep)
    tx.setup(base=base[1] if base else 0, keep=keep)
    rx.enable()
    tx.enable()
    return rx, tx


def send(d, tx, dst, src, first, n, kick=True):
    for k in range(first, first + n):
        off = BUF + 0x40000 + (k % 64) * 2048
        d.put(off, b"\0" * HDR_LEN + frame(dst, src, k))
        tx.offer(tx.chain([(off, HDR_LEN + 64, False)]), publish=False)
    tx.publish()
    if kick:
        tx.kick()


def post_rx(ring, base, n):
    """Makes n 2 KiB receive buffers from `base` (also their IOVAs) available
    and kicks; returns {head: buffer}."""
    bufs = {}
    for k in range(n):
        head = ring.chain([(base + k * 2048, 2048, True)])
        bufs[head] = base + k * 2048
        ring.offer(head, publish=False)
    ring.publish()
    ring.kick()
    return bufs


def vstat(name, qidx, key):
    out = subprocess.run([os.environ.get("VDPA", "vdpa"), "-j", "dev", "vstats", "show", name,
                          "qidx", str(qidx)], check=True, capture_output=True, text=True).stdout
    m = re.search(rf'"{key}":(\d+)', out)
    if not m:
        raise AssertionError(f"no vstat {key} for {name} qidx {qidx}: {out}")
    return int(m.group(1))


def vstat_at_least(name, qidx, key, want, secs=5.0):
    """Polls a counter the datapath updates as frames come; returns it."""
    end = time.monotonic() + secs
    while True:
        v = vstat(name, qidx, key)
        if v >= want or time.monotonic() > end:
            return v
        time.sleep(0.2)


def wire_numbers(sock, want, secs):
    """Numbers of our frames the wire receives within `secs`."""
    got = []
    end = time.monotonic() + secs
    while len(got) < want and time.monotonic() < end:
        try:
            pkt = sock.recv(2048)
        except OSError:
            continue
        if pkt[12:14] == b"\x88\xb5" and len(pkt) >= 18:
            got.append(struct.unpack(">I", pkt[14:18])[0])
    return got


def main(argv):
    path_a, path_b, name_a, netns, wire_if = argv[1:6]
    sock, wire_mac = wire_socket(netns, wire_if)
    wm = mac_bytes(wire_mac)
    a = Vdpa(path_a, size=MEM)
    mac = mac_bytes(a.mac())
    rx, tx = start(a)
    a.driver_ok()
    post_rx(rx, BUF, 16)
    seen = []
    send(a, tx, wm, mac, 0, 10)
    seen += wire_numbers(sock, 10, 5)
    tx.wait_used(10, 5)

    # Suspended: silence.
    dropped0 = vstat(name_a, 0, "drop_suspended")
    a.suspend()
    rx.calls()
    tx.calls()
    send(a, tx, wm, mac, 10, 10)
    for k in range(5):
        sock.send(frame(mac, wm, 1000 + k))
    quiet = wire_numbers(sock, 1, 1.0)
    if quiet or tx.reap() or rx.reap() or rx.calls() or tx.calls():
        raise AssertionError(f"suspended device worked: wire {quiet}")
    rx_base, tx_base = a.vring_base(0), a.vring_base(1)
    if (rx_base, tx_base) != (0, 10):
        raise AssertionError(f"RX/TX state {rx_base}/{tx_base}, want 0/10")
    dropped = vstat_at_least(name_a, 0, "drop_suspended", dropped0 + 5) - dropped0
    if dropped != 5:
        raise AssertionError(f"RX drop_suspended +{dropped}, want +5")
    # RX moves to a new ring while suspended: it starts at the resume.
    rx2 = a.ring(0, num=32, base=0x7000)
    rx2.setup(base=7)
    a.put(rx2.used + 2, struct.pack("<H", 7))  # a ring that was at 7 (a VMM's)
    rx2.enable()
    bufs2 = post_rx(rx2, BUF + 0x40000 + 64 * 2048, 8)
    for k in range(3):
        sock.send(frame(mac, wm, 1500 + k))
    quiet = (wire_numbers(sock, 1, 0.5), rx2.reap(), rx2.calls())
    if any(quiet):
        raise AssertionError(f"suspended device started a ring enabled meanwhile: {quiet}")
    dropped = vstat_at_least(name_a, 0, "drop_suspended", dropped0 + 8) - dropped0
    if dropped != 8:
        raise AssertionError(f"RX drop_suspended +{dropped}, want +8 (5, then 3 with the new ring)")

    # Resumed: what waited goes, in order; RX works again, on the new ring.
    a.resume()
    seen += wire_numbers(sock, 10, 5)
    sent_rx = [frame(mac, wm, 2000 + k) for k in range(5)]
    for f in sent_rx:
        sock.send(f)
    got = rx2.wait_used(5, 5)
    if len(got) != 5:
        raise AssertionError(f"after resume: {len(got)} of 5 RX frames on the new ring")
    for (i, n), f in zip(got, sent_rx):
        if a.get(bufs2[i] + HDR_LEN, len(f)) != f:
            raise AssertionError("after resume: RX frames out of order or wrong")
    if rx.reap():
        raise AssertionError("after resume: the old RX ring was used")
    if a.vring_base(0) != 12:
        raise AssertionError(f"RX state {a.vring_base(0)} on the new ring, want 7 + 5")
    tx.wait_used(10, 5)

    # Suspended again; B carries on from A's state.
    a.suspend()
    send(a, tx, wm, mac, 20, 10)
    if wire_numbers(sock, 1, 0.5):
        raise AssertionError("suspended device sent")
    state = (a.vring_base(0), a.vring_base(1))
    if state[1] != 20:
        raise AssertionError(f"TX state {state[1]}, want 20")
    b = Vdpa(path_b, size=MEM, share=a)
    rxb, txb = start(b, base=state, keep=True)
    txb.avail_idx, txb.used_seen, txb.free = tx.avail_idx, tx.used_seen, tx.free
    b.driver_ok()
    txb.kick()
    seen += wire_numbers(sock, 10, 5)
    used = txb.wait_used(10, 5)
    late = wire_numbers(sock, 1, 0.5)
    if seen + late != list(range(30)):
        raise AssertionError(f"wire saw {seen + late}, want 0..29 once each in order")
    if len(used) != 10:
        raise AssertionError(f"B used {len(used)} of the 10 chains")
    # A failed migration: the VMM resets the suspended source and starts it
    # again. The reset ends the suspension.
    b.status(0)
    a.status(0)
    rx, tx = start(a, mapped=True)
    a.driver_ok()
    send(a, tx, wm, mac, 30, 3)
    again = wire_numbers(sock, 3, 5)
    if again != [30, 31, 32]:
        raise AssertionError(f"after suspend and reset: wire saw {again}, want 30..32")
    a.status(0)
    print(f"suspend: tx 0..29 in order once each (10 before, 10 after resume, 10 on B from "
          f"state {state[1]}), 30..32 after a reset; rx 5 after resume in order on a ring set while suspended; 0 used entries, 0 interrupts, "
          f"0 frames sent while suspended, the {dropped} RX frames that came dropped and counted")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
