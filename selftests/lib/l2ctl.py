# SPDX-License-Identifier: GPL-2.0
"""Run one shell command in an L2 guest (selftests/lib/l2-init) over its
control socket: l2ctl.py SOCKET TIMEOUT COMMAND. Prints the command's output
and exits with its status (124 on timeout, 125 when the socket fails).
COMMAND "--sync" waits until the guest's shell answers: what reaches the
port before the guest has opened it is lost, so it asks again every second."""
import re
import socket
import sys
import time

path, timeout, cmd = sys.argv[1], float(sys.argv[2]), sys.argv[3]
if "\n" in cmd:
    sys.exit("l2ctl: one line only")
end = time.monotonic() + timeout
s = socket.socket(socket.AF_UNIX)
# QEMU's listening socket may not be there yet right after start.
while True:
    try:
        s.connect(path)
        break
    except OSError as e:
        if time.monotonic() > end:
            print(f"l2ctl: {path}: {e}", file=sys.stderr)
            sys.exit(125)
        time.sleep(0.2)

sync = cmd == "--sync"
if sync:
    cmd = "echo __SYNC"
    done = re.compile(rb"(?m)^__SYNC\r?\n__RC=(\d+)\r?\n")
else:
    done = re.compile(rb"__RC=(\d+)\r?\n")


def send():
    # QEMU stops reading the socket while the guest has not opened its port.
    s.settimeout(max(end - time.monotonic(), 0.1))
    try:
        s.sendall(cmd.encode() + b"\n")
    except socket.timeout:
        print(f"l2ctl: '{cmd}' could not be sent", file=sys.stderr)
        sys.exit(124)


send()
resend = time.monotonic() + 1
buf = b""
while True:
    m = done.search(buf)
    if m:
        if not sync:
            sys.stdout.buffer.write(buf[: m.start()])
        sys.exit(int(m.group(1)))
    now = time.monotonic()
    if now >= end:
        sys.stdout.buffer.write(buf)
        print(f"l2ctl: '{cmd}' timed out", file=sys.stderr)
        sys.exit(124)
    if sync and now >= resend:
        send()
        resend = now + 1
    s.settimeout(min(end, resend) - now if sync else end - now)
    try:
        data = s.recv(4096)
    except socket.timeout:
        continue
    if not data:
        sys.stdout.buffer.write(buf)
        print("l2ctl: the guest closed the control port", file=sys.stderr)
        sys.exit(125)
    buf += data
