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

import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from vhost import (  # noqa: E402
    CTRL_MQ, F_ACCESS_PLATFORM, F_CTRL_VQ, F_MQ, F_VERSION_1, MQ_VQ_PAIRS_SET, Vdpa, bits,
    cvq_command)

MEM = 1 << 20
CMD = 0x10000
UNMAPPED = 0x4000_0000


def main(argv):
    dev = Vdpa(argv[1], size=MEM)
    want = bits(F_CTRL_VQ, F_MQ, F_VERSION_1, F_ACCESS_PLATFORM)
    if dev.device_features() & want != want:
        sys.exit(f"vhost_cvq: device offers {dev.device_features():#x}, need {want:#x}")
    dev.negotiate(want)
    dev.map(0, MEM)
    cvq = dev.ring(2 * int(argv[2]), num=16, base=0x1000)
    cvq.setup()
    cvq.enable()
    dev.driver_ok()
    for c in argv[3:]:
        kind, _, arg = c.partition(":")
        if kind == "pairs":
            ack = cvq_command(dev, cvq, CTRL_MQ, MQ_VQ_PAIRS_SET, struct.pack("<H", int(arg, 0)), CMD)
            print(f"{c} ack={ack}")
        elif kind == "class":
            cl, cmd = (int(x, 0) for x in arg.split(":"))
            print(f"{c} ack={cvq_command(dev, cvq, cl, cmd, b'', CMD)}")
        elif kind == "member":
            # The device's classifier member line (the switch's debugfs
            # of the port under test, lib.sh's $DBG).
            cls = open(os.environ.get("DBG", "/sys/kernel/debug/dpaa_vdpa/dpaa_sim0") + "/classifier").read()
            line = [ln for ln in cls.splitlines() if ln.startswith(f"member {arg}:")]
            print(line[0] if line else f"member {arg}: none")
        elif kind == "fault":
            # The command's buffer is outside every mapping.
            head = cvq.chain([(UNMAPPED, 4, False), (CMD + 4095, 1, True)])
            dev.put(CMD, bytes([CTRL_MQ, MQ_VQ_PAIRS_SET, 1, 0]))
            cvq.offer(head)
            cvq.kick()
            cvq.wait_used(1, 2.0)
            print(f"fault status={dev.status():#04x}")
        else:
            sys.exit(f"vhost_cvq: unknown command {c}")
        sys.stdout.flush()
    dev.status(0)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
