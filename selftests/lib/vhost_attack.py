#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Hostile vhost-vdpa users, one scenario per command, each printing one
result line per check ("name key=value ...") for the calling selftest.

  vhost_attack.py DEV CMD [ARGS...]

DEV is /dev/vhost-vdpa-N of a dpaa_vdpa device with one queue pair.
"""

import ctypes
import os
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from vhost import *  # noqa: E402,F403

BASIC = bits(F_VERSION_1, F_ACCESS_PLATFORM)
ETH_P_IP = b"\x08\x00"


def frame(dst, src, payload=b"x" * 46):
    return mac_bytes(dst) + mac_bytes(src) + ETH_P_IP + payload


def nonzero(b):
    return len(b) - b.count(0)


def out(*kv):
    print(" ".join(str(x) for x in kv))
    sys.stdout.flush()


def tx_by_phys(path, group_asid=None):
    """Maps nothing usable and points a TX ring and a frame at host
    physical addresses (our own pages); kicks. A device that honours
    only what was mapped never touches them."""
    d = Vdpa(path, size=64 << 10)
    d.negotiate(BASIC)
    if group_asid is not None:
        # ASID 0 maps our memory properly; the data group moves to an ASID
        # nobody mapped.
        d.map(0, 64 << 10)
        d.set_group_asid(d.vring_group(1), group_asid)
    tx = d.ring(1, num=8, base=0x1000)
    buf = 0x3000
    d.put(buf, b"\0" * HDR_LEN + frame("02:d0:aa:00:ff:ff", d.mac()))
    tx.setup(desc=d.phys(tx.desc), avail=d.phys(tx.avail), used=d.phys(tx.used))
    tx.enable()
    d.driver_ok()
    tx.write_desc(0, d.phys(buf), HDR_LEN + 60, 0, 0)
    tx.offer(0)
    tx.kick()
    time.sleep(0.5)
    r = tx.used_idx(), d.status(), d.get(tx.used, 2)
    d.status(0)
    d.close()
    return r


def tx_dev(path):
    """A running device whose TX queue (ring at 0x1000) goes through a
    proper map of our 64 KiB."""
    d = Vdpa(path, size=64 << 10)
    d.negotiate(BASIC)
    d.map(0, 64 << 10)
    tx = d.ring(1, num=8, base=0x1000)
    tx.setup()
    tx.enable()
    d.driver_ok()
    return d, tx


def cmd_race(path, netns, wire_if, n="300"):
    """TX frames whose source MAC another process flips between the
    device's and a foreign one while the device works on them: what leaves
    on the wire must carry the MAC the device checked, so no frame with the
    foreign source arrives, whatever the timing."""
    sock, wire_mac = wire_socket(netns, wire_if)
    sock.settimeout(0.2)
    d, tx = tx_dev(path)
    own, bad = mac_bytes(d.mac()), mac_bytes("02:de:ad:be:ef:01")
    buf = 0x3000
    d.put(buf, b"\0" * HDR_LEN + mac_bytes(wire_mac) + own + struct.pack("!H", ETH_P_LOCAL) + b"r" * 46)
    child = os.fork()
    if child == 0:  # the other vCPU of a guest
        m, off = d.mem, buf + HDR_LEN + 6
        while True:
            m[off:off + 6] = bad
            m[off:off + 6] = own
    sent = 0
    try:
        for _ in range(int(n)):
            tx.offer(tx.chain([(buf, HDR_LEN + 60, False)]))
            tx.kick()
            if tx.wait_used(1, 5.0):
                sent += 1
    finally:
        os.kill(child, 9)
        os.waitpid(child, 0)
    good = foreign = 0
    while True:
        try:
            f = sock.recv(2048)
        except socket.timeout:
            break
        if f[6:12] == own:
            good += 1
        elif f[6:12] == bad:
            foreign += 1
    out("race", f"chains={sent}", f"wire_own={good}", f"wire_foreign={foreign}", f"status={d.status():#04x}")
    d.status(0)
    d.close()


def cmd_phys(path):
    used, status, flags = tx_by_phys(path)
    out("phys", f"used={used}", f"status={status:#04x}", f"used_flags={flags.hex()}")
    used, status, flags = tx_by_phys(path, group_asid=1)
    out("asid1", f"used={used}", f"status={status:#04x}", f"used_flags={flags.hex()}")


def cmd_mapped(path):
    """The control: the same TX through a proper map is sent."""
    d, tx = tx_dev(path)
    buf = 0x3000
    d.put(buf, b"\0" * HDR_LEN + frame("02:d0:aa:00:ff:ff", d.mac()))
    tx.offer(tx.chain([(buf, HDR_LEN + 60, False)]))
    tx.kick()
    got = tx.wait_used(1, 5.0)
    out("mapped", f"used={len(got)}", f"status={d.status():#04x}")
    d.status(0)
    d.close()


def cvq_dev(path, features, max_vqp=1):
    """A device with only its CVQ running (ring at 0x1000, commands at
    0x10000), through a proper map."""
    d = Vdpa(path, size=1 << 20)
    d.negotiate(features)
    d.map(0, 1 << 20)
    q = 2 * max_vqp if features & bits(F_MQ) else 2
    cvq = d.ring(q, num=16, base=0x1000)
    cvq.setup()
    cvq.enable()
    d.driver_ok()
    return d, cvq


CVQ_FEATURES = bits(F_VERSION_1, F_ACCESS_PLATFORM, F_MAC, F_CTRL_VQ, F_CTRL_RX, F_CTRL_MAC_ADDR)


def cmd_cvq_mac(path, *macs):
    """MAC_ADDR_SET with each MAC in turn; then a MAC_TABLE_SET with each
    as its one unicast entry. Prints the acks and the MAC in use."""
    d, cvq = cvq_dev(path, CVQ_FEATURES)
    for m in macs:
        ack = cvq_command(d, cvq, CTRL_MAC, MAC_ADDR_SET, mac_bytes(m), 0x10000)
        out("mac_addr_set", m, f"ack={ack}", f"mac={d.mac()}")
    for m in macs:
        table = struct.pack("<I", 1) + mac_bytes(m) + struct.pack("<I", 0)
        ack = cvq_command(d, cvq, CTRL_MAC, MAC_TABLE_SET, table, 0x10000)
        out("mac_table_set", m, f"ack={ack}")
    # Hold the device (and what it set) until the caller has looked.
    if os.environ.get("HOLD"):
        out("holding")
        sys.stdin.readline()
    d.status(0)


RX_FEATURES = bits(F_VERSION_1, F_ACCESS_PLATFORM, F_MAC, F_MRG_RXBUF)
RXBUF = 2048


def rx_dev(path, features=RX_FEATURES, size=1 << 20, nbufs=64, num=128):
    """A device whose RX queue (ring at 0x1000) has `nbufs` 2 KiB buffers
    (descriptor i's at 0x10000 + i * 2 KiB), through a proper map of all
    our memory."""
    d = Vdpa(path, size=size)
    d.negotiate(features)
    d.map(0, size)
    rx = d.ring(0, num=num, base=0x1000)
    rx.setup()
    rx.enable()
    d.driver_ok()
    post_rx(rx, nbufs)
    return d, rx


def post_rx(rx, n):
    """Makes `n` more RX buffers available (as descriptors are free)."""
    for _ in range(min(n, len(rx.free))):
        i = rx.free.pop()
        rx.write_desc(i, 0x10000 + i * RXBUF, RXBUF, DESC_F_WRITE, 0)
        rx.offer(i, publish=False)
    rx.publish()
    rx.kick()


def cmd_callswap(path, rounds="2000"):
    """Frames arrive (the caller floods from the wire) while the call
    eventfd is swapped: a new one set, the old one closed."""
    d, rx = rx_dev(path)
    frames = 0
    old = rx.call_fd
    for _ in range(int(rounds)):
        new = os.eventfd(0, os.EFD_NONBLOCK)
        rx.set_call(new)
        os.close(old)
        old = new
        used = rx.reap()
        frames += len(used)
        if used:
            post_rx(rx, len(used))
    rx.call_fd = old
    out("callswap", f"rounds={rounds}", f"frames={frames}", f"status={d.status():#04x}")


def cmd_rx_disable(path):
    """RX buffers lent, then the queue disabled: none is written into after
    SET_VRING_ENABLE(0) returns, while frames keep arriving."""
    d, rx = rx_dev(path, nbufs=32)
    got = rx.wait_used(1, 10.0)  # frames flow
    rx.enable(False)
    d.put(0x10000, b"\0" * (128 * RXBUF))
    used0 = rx.used_idx()
    time.sleep(2.0)
    dirty = nonzero(d.get(0x10000, 128 * RXBUF))
    out("rx_disable", f"before={len(got) > 0}", f"written_after={dirty}",
        f"used_after={(rx.used_idx() - used0) & 0xFFFF}")


def cmd_unmap_race(path, rounds="30"):
    """Buffers unmapped (IOTLB invalidate) while frames arrive: once the
    invalidate returns, nothing is written into them."""
    dirty_total = 0
    faults = 0
    for _ in range(int(rounds)):
        d, rx = rx_dev(path, nbufs=64)
        rx.wait_used(1, 5.0)
        d.unmap(0x10000, (1 << 20) - 0x10000)
        d.put(0x10000, b"\0" * ((1 << 20) - 0x10000))
        time.sleep(0.05)
        dirty_total += nonzero(d.get(0x10000, 128 * RXBUF))
        faults += bool(d.status() & S_NEEDS_RESET)
        d.status(0)
        d.close()
    out("unmap_race", f"rounds={rounds}", f"written_after={dirty_total}", f"resets={faults}")


def cmd_unmap_freed(path, rounds="10"):
    """RX buffers in memory the user has already unmapped from itself
    (only vhost-vdpa's pin keeps the pages), invalidated while frames
    arrive: vhost-vdpa unpins them before it tells the device, so without
    the device's own page references they are freed and reused while the
    device may still write into them (KASAN reports that)."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.mmap.restype = ctypes.c_void_p
    libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int,
                          ctypes.c_int, ctypes.c_long]
    libc.munmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
    size = 256 << 10
    resets = 0
    for _ in range(int(rounds)):
        d = Vdpa(path, size=64 << 10)
        d.negotiate(RX_FEATURES)
        d.map(0, 64 << 10)
        buf = libc.mmap(None, size, 3, 0x22, -1, 0)  # RW, MAP_PRIVATE|MAP_ANONYMOUS
        ctypes.memset(buf, 0x5A, size)
        d.iotlb(IOTLB_UPDATE, 0x100000, size, buf, RW)
        rx = d.ring(0, num=128, base=0x1000)
        rx.setup()
        rx.enable()
        d.driver_ok()
        for i in range(min(size // RXBUF, 120)):
            j = rx.free.pop()
            rx.write_desc(j, 0x100000 + i * RXBUF, RXBUF, DESC_F_WRITE, 0)
            rx.offer(j, publish=False)
        rx.publish()
        rx.kick()
        libc.munmap(buf, size)
        rx.wait_used(4, 2.0)
        d.unmap(0x100000, size)
        time.sleep(0.02)
        resets += bool(d.status() & S_NEEDS_RESET)
        d.status(0)
        d.close()
    out("unmap_freed", f"rounds={rounds}", f"resets={resets}")


def cmd_feed(path, secs="30"):
    """Keeps the RX ring and the CVQ full of work for `secs` seconds: every
    RX buffer too small (completed as frames arrive), every command refused; the
    avail indexes run ahead as fast as the device completes."""
    d = Vdpa(path, size=1 << 20)
    d.negotiate(CVQ_FEATURES)
    d.map(0, 1 << 20)
    rx = d.ring(0, num=256, base=0x1000)
    cvq = d.ring(2, num=256, base=0x8000)
    for r in (rx, cvq):
        r.setup()
        r.enable()
    d.driver_ok()
    rx.write_desc(0, 0x20000, 16, DESC_F_WRITE, 0)  # too small for a frame
    d.put(0x21000, bytes([9, 9]))  # an unknown command
    cvq.write_desc(0, 0x21000, 2, DESC_F_NEXT, 1)
    cvq.write_desc(1, 0x21800, 1, DESC_F_WRITE, 0)
    for r in (rx, cvq):
        for i in range(r.num):
            d.put(r.avail + 4 + 2 * i, struct.pack("<H", 0))
    end = time.monotonic() + float(secs)
    n = 0
    while time.monotonic() < end:
        for r in (rx, cvq):
            r.avail_idx = (r.used_idx() + r.num) & 0xFFFF
            r.publish()
            r.kick()
        n += 1
    done = (rx.used_idx(), cvq.used_idx())
    out("feed", f"secs={secs}", f"rounds={n}", f"status={d.status():#04x}", f"rx_used={done[0]}", f"cvq_used={done[1]}")
    d.status(0)


def cmd_status(path):
    """Status and feature rules."""
    d = Vdpa(path, size=64 << 10)
    # MQ without CTRL_VQ: FEATURES_OK is not accepted.
    st = d.negotiate(bits(F_VERSION_1, F_ACCESS_PLATFORM, F_MQ))
    out("mq_without_cvq", f"status={st:#04x}")
    # No ACCESS_PLATFORM: not accepted either.
    st = d.negotiate(bits(F_VERSION_1))
    out("no_access_platform", f"status={st:#04x}")
    # DRIVER_OK before FEATURES_OK: a device error.
    d.status(0)
    d.status(S_ACK | S_DRIVER)
    d.set_features(BASIC)
    st = d.status(S_ACK | S_DRIVER | S_DRIVER_OK)
    out("driver_ok_first", f"status={st:#04x}")
    # A good negotiation works after a reset.
    st = d.negotiate(BASIC)
    out("good", f"status={st:#04x}")
    # Features cannot change once accepted.
    try:
        d.set_features(BASIC | bits(F_MAC))
        r = "accepted"
    except OSError as e:
        r = f"errno={e.errno}"
    out("features_after_ok", r)
    # Config reads past the end are zero or refused, never kernel memory.
    try:
        c = d.config(0, 256)
        r = f"len={len(c)} tail_zero={not any(c[64:])}"
    except OSError as e:
        r = f"errno={e.errno}"
    out("config_past_end", r)
    d.status(0)


def cmd_errors(path, rounds="50"):
    """Many device errors in a row (reset in between): a TX buffer outside
    every mapping."""
    status = 0
    for _ in range(int(rounds)):
        d, tx = tx_dev(path)
        tx.offer(tx.chain([(0x4000_0000, HDR_LEN + 60, False)]))
        tx.kick()
        for _ in range(100):
            if d.status() & S_NEEDS_RESET:
                break
            time.sleep(0.005)
        status = d.status()
        d.status(0)
        d.close()
    out("errors", f"rounds={rounds}", f"status={status:#04x}")


def main(argv):
    path, cmd = argv[1], argv[2]
    globals()["cmd_" + cmd](path, *argv[3:])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
