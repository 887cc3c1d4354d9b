// SPDX-License-Identifier: GPL-2.0

//! Guest TX: a chain's frame (past the virtio-net header) is copied once,
//! from the driver's buffers into a buffer of the port's pools, and the
//! chain is used at once. The copy is what the switch checks (anti-spoof),
//! classifies and delivers, and what the port transmits: the driver cannot
//! change it after the check. A frame for the wire goes on the queue
//! pair's TX FQ, which the port consumes; it releases the buffer after
//! transmission.

use super::{
    kick::Kick,
    vq::{Vq, VqDrop, VqState},
    Device, Link, LinkKind, HDR_LEN, SG_MAX,
};
use crate::{
    dpaa::{DropReason, FrameQueue, TxOwner, MAX_FRAME},
    kapi::backref::BackRef,
    switch::Switch,
};
use core::sync::atomic::Ordering::Relaxed;
use dpaa_core::{
    fd::{status, QmFd},
    vring::{Chain, GuestMem},
};
use kernel::sync::Arc;

/// Chains taken per kick before the relay yields (and re-kicks itself).
const BUDGET: usize = 64;

/// The frame's length, if `c` is a TX chain the device takes: readable
/// buffers only, a virtio-net header and an Ethernet frame.
fn frame_len(c: &Chain<SG_MAX>) -> Option<u32> {
    if c.truncated || c.readable == 0 || c.n != c.readable {
        return None;
    }
    let len = c.read_len.checked_sub(HDR_LEN as u64)?;
    (14..=MAX_FRAME as u64).contains(&len).then_some(len as u32)
}

/// Copies the frame of `c` (its readable bytes past the header) into `dst`.
fn gather(mem: &dyn GuestMem, c: &Chain<SG_MAX>, dst: &mut [u8]) -> Result<(), ()> {
    let mut skip = HDR_LEN as u64;
    let mut off = 0usize;
    for s in c.readable() {
        if skip >= s.len as u64 {
            skip -= s.len as u64;
            continue;
        }
        let n = s.len as usize - skip as usize;
        let d = dst.get_mut(off..off + n).ok_or(())?;
        mem.read(s.addr.wrapping_add(skip), d).map_err(|_| ())?;
        skip = 0;
        off += n;
    }
    (off == dst.len()).then_some(()).ok_or(())
}

/// What became of one chain.
enum Sent {
    Ok,
    Dropped(VqDrop),
    /// The driver broke the rules (an address its space does not map).
    Fault,
}

/// A kick of TX queue `vq`: send what the driver made available.
pub(crate) fn process(dev: &dyn Device, vq: &Vq) {
    let mem = dev.space_of(vq.idx);
    let s = &vq.stats;
    let mut c = Chain::<SG_MAX>::default();
    let mut st = vq.st.lock();
    let (notify, err) = {
        let VqState { ring, link, .. } = &mut *st;
        let (
            Some(ring),
            Some(Link {
                doorbell,
                kind: LinkKind::Tx { fq },
            }),
        ) = (ring.as_mut(), link.as_ref())
        else {
            return;
        };
        let (mut n, mut completed, mut err) = (0, false, false);
        // No kicks needed while chains are being taken anyway.
        let _ = ring.set_no_notify(mem, true);
        while n < BUDGET {
            match ring.pop(mem, &mut c) {
                Ok(true) => {}
                Ok(false) => break,
                Err(_) => {
                    err = true;
                    break;
                }
            }
            n += 1;
            s.descs.fetch_add(1, Relaxed);
            match send_from(dev, vq, &c, &**fq) {
                Sent::Ok => {}
                Sent::Dropped(why) => s.drop(why),
                Sent::Fault => {
                    s.drop(VqDrop::Fault);
                    err = true;
                }
            }
            // Copied (or refused): the chain is done.
            if ring.push_used(mem, c.head, 0).is_err() {
                err = true;
            }
            s.used.fetch_add(1, Relaxed);
            completed = true;
            if err {
                break;
            }
        }
        // More to do, or a chain made available after the last look but
        // before kicks were asked for again: come back.
        let again = n == BUDGET
            || (!err
                && match ring
                    .set_no_notify(mem, false)
                    .and_then(|()| ring.pending(mem))
                {
                    Ok(p) => p > 0,
                    // Kicks cannot be asked for: the driver's error.
                    Err(_) => {
                        err = true;
                        false
                    }
                });
        if again && !err {
            Kick::ring(doorbell);
        }
        let notify = completed
            && ring.publish(mem).unwrap_or_else(|_| {
                err = true;
                false
            });
        (notify, err)
    };
    if notify {
        st.notify(s);
    }
    drop(st);
    if err {
        dev.device_error();
    }
}

/// Sends the frame of chain `c` of queue `vq` (whose lock the caller
/// holds); a frame sent is counted here.
fn send_from(dev: &dyn Device, vq: &Vq, c: &Chain<SG_MAX>, fq: &dyn FrameQueue) -> Sent {
    let Some(len) = frame_len(c) else {
        return Sent::Dropped(VqDrop::BadChain);
    };
    let sw = dev.switch();
    let Some(buf) = sw.bufs().acquire(len) else {
        return Sent::Dropped(VqDrop::NoBuffer);
    };
    let mem = dev.space_of(vq.idx);
    let fd = match sw.bufs().fill(buf, len, |dst| gather(mem, c, dst)) {
        Ok(fd) => fd,
        Err(Some(())) => return Sent::Fault,
        Err(None) => return Sent::Dropped(VqDrop::TxError),
    };
    let out = match sw.member_frame(fd, dev.member(), dev.spoofchk()) {
        Ok(out) => out,
        Err(why) => {
            // SAFETY: the switch gives it back on `Err`: still ours.
            unsafe { sw.bufs().release_fd(&fd) };
            return Sent::Dropped(if why == DropReason::Spoofed {
                VqDrop::Spoofed
            } else {
                VqDrop::TxError
            });
        }
    };
    // Counted before the enqueue: QMan may reject the frame later
    // (`tx_done`), which uncounts it, and must find it counted.
    let s = &vq.stats;
    s.sent(len);
    // `None`: delivered locally, the buffer given on.
    let Some(fd) = out else {
        return Sent::Ok;
    };
    if fq.enqueue(fd).is_err() {
        s.unsent(len);
        // SAFETY: not taken: still ours.
        unsafe { sw.bufs().release_fd(&fd) };
        return Sent::Dropped(VqDrop::Enqueue);
    }
    Sent::Ok
}

/// The owner of a device's TX FQ: hears of frames the port did not take.
pub(crate) struct DevTx {
    /// The device; its datapath (holding this FQ) goes first.
    pub(crate) dev: BackRef<dyn Device>,
    pub(crate) vq: u16,
    pub(crate) sw: Arc<Switch>,
}

impl TxOwner for DevTx {
    /// Sent; or never given to the port (rejected by QMan, left at
    /// teardown: `ERR_NON_FM`), which was counted as sent and becomes a
    /// drop; or failed by the port (other status bits) when its TX error
    /// FQ could not take it: handed to the port, counted by the port. The
    /// chain was used when it was copied; the buffer goes back.
    fn tx_done(&self, fd: &QmFd) {
        if fd.status() == status::ERR_NON_FM {
            let dev = self.dev.get();
            if let Some(vq) = dev.vqs().get(self.vq as usize) {
                vq.stats.unsent(fd.length());
                vq.stats.drop(VqDrop::Enqueue);
            }
        }
        // SAFETY: a frame the port hands back (rejected or drained): ours.
        unsafe { self.sw.bufs().release_fd(fd) };
    }
}
