// SPDX-License-Identifier: GPL-2.0

//! Guest RX: the queue's buffers go to its own pool (remembering which
//! chain each came from); the FMan writes a frame past the room for the
//! virtio-net header; the relay writes the header and completes the chain.

use super::{
    kick::Kick,
    vq::{Vq, VqDrop, VqState},
    Device, Link, LinkKind, HDR_LEN,
};
use crate::{
    dpaa::{Dqrr, Ern, FqHandler},
    kapi::{backref::BackRef, napi::NapiCtx},
};
use core::sync::atomic::Ordering::Relaxed;
use dpaa_core::{
    fd::{QmFd, ADDR_MAX},
    vring::{Chain, GuestMem},
};

/// Chains one lend takes from the avail ring before it yields: a driver
/// that keeps making buffers available (or recycles bad ones) cannot hold
/// the portal; the doorbell brings the relay back for the rest.
const LEND_BUDGET: usize = 64;

/// Lends the buffers the driver made available to the pool; completes
/// (empty) those that cannot take a frame. Returns whether used entries
/// were added.
fn lend(dev: &dyn Device, vq: &Vq, st: &mut VqState) -> Result<bool, ()> {
    let mem = dev.space_of(vq.idx);
    let room = dev.rx_room();
    let s = &vq.stats;
    let VqState { ring, link, .. } = st;
    let (
        Some(ring),
        Some(Link {
            doorbell,
            kind: LinkKind::Rx { pool, bufs, .. },
        }),
    ) = (ring.as_mut(), link.as_mut())
    else {
        return Ok(false);
    };
    let mut c = Chain::<4>::default();
    let mut batch = [0u64; 8];
    let mut nb = 0;
    let mut completed = false;
    for n in 0.. {
        if n == LEND_BUDGET {
            // More may wait: come back through the doorbell.
            Kick::ring(doorbell);
            break;
        }
        if !ring.pop(mem, &mut c).map_err(|_| ())? {
            break;
        }
        s.descs.fetch_add(1, Relaxed);
        let seg = c.segs[0];
        // The buffer must fit what an FD can address.
        let usable = c.readable == 0
            && c.n > 0
            && seg.len >= room
            && seg
                .addr
                .checked_add(seg.len as u64)
                .is_some_and(|e| e <= ADDR_MAX);
        if usable && bufs.insert(seg.addr, c.head).is_ok() {
            batch[nb] = seg.addr;
            nb += 1;
            if nb == batch.len() {
                let _ = pool.release(&batch);
                nb = 0;
            }
            continue;
        }
        s.drop(VqDrop::BadChain);
        ring.push_used(mem, c.head, 0).map_err(|_| ())?;
        s.used.fetch_add(1, Relaxed);
        completed = true;
    }
    if nb > 0 {
        let _ = pool.release(&batch[..nb]);
    }
    Ok(completed)
}

fn publish(dev: &dyn Device, vq: &Vq, st: &mut VqState) -> Result<bool, ()> {
    let mem = dev.space_of(vq.idx);
    match st.ring.as_mut() {
        Some(r) => r.publish(mem).map_err(|_| ()),
        None => Ok(false),
    }
}

/// A kick of RX queue `vq`: lend what the driver made available.
pub(crate) fn refill(dev: &dyn Device, vq: &Vq) {
    let mut st = vq.st.lock();
    let r = lend(dev, vq, &mut st).and_then(|c| Ok(c && publish(dev, vq, &mut st)?));
    match r {
        Ok(true) => st.notify(&vq.stats),
        Ok(false) => {}
        Err(()) => {
            drop(st);
            dev.device_error();
        }
    }
}

/// The relay side of a device's RX FQ.
pub(crate) struct RxFq {
    /// The device; its datapath (holding this FQ) goes first.
    pub(crate) dev: BackRef<dyn Device>,
    pub(crate) vq: u16,
}

/// The virtio-net header of a received frame: no offloads, one buffer.
const RX_HDR: [u8; HDR_LEN] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0];

impl FqHandler for RxFq {
    fn dqrr(&self, fd: &QmFd, _napi: &NapiCtx) -> Dqrr {
        let dev = self.dev.get();
        let vq = &dev.vqs()[self.vq as usize];
        let mem = dev.space_of(self.vq);
        let s = &vq.stats;
        let mut st = vq.st.lock();
        let VqState { ring, link, .. } = &mut *st;
        let (
            Some(ring),
            Some(Link {
                kind: LinkKind::Rx { bufs, .. },
                ..
            }),
        ) = (ring.as_mut(), link.as_mut())
        else {
            // Stopped: the buffer goes with the ring.
            return Dqrr::Consume;
        };
        let Some(head) = bufs.take(fd.addr()) else {
            s.drop(VqDrop::Fault);
            return Dqrr::Consume;
        };
        let len = fd.length();
        let ok = mem.write(fd.addr(), &RX_HDR).is_ok()
            && ring.push_used(mem, head, HDR_LEN as u32 + len).is_ok();
        if !ok {
            drop(st);
            dev.device_error();
            return Dqrr::Consume;
        }
        s.frames.fetch_add(1, Relaxed);
        s.bytes.fetch_add(len as u64, Relaxed);
        s.used.fetch_add(1, Relaxed);
        Dqrr::Consume
    }

    fn drain(&self, _fd: &QmFd) {}

    /// Only the FMan enqueues here, and it handles its own rejections
    /// (the buffer is one the relay lent and tracks: nothing to free).
    fn ern(&self, _fd: &QmFd, _why: Ern) {}

    fn batch_end(&self, _napi: &NapiCtx) {
        let dev = self.dev.get();
        let vq = &dev.vqs()[self.vq as usize];
        let mut st = vq.st.lock();
        let r = publish(dev, vq, &mut st).and_then(|n| Ok(lend(dev, vq, &mut st)? | n));
        let r = r.and_then(|n| Ok(publish(dev, vq, &mut st)? | n));
        match r {
            Ok(true) => st.notify(&vq.stats),
            Ok(false) => {}
            Err(()) => {
                drop(st);
                dev.device_error();
            }
        }
    }
}
