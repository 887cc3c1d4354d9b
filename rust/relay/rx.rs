// SPDX-License-Identifier: GPL-2.0

//! Guest RX: a frame for the device arrives on its RX FQ in a port buffer;
//! the relay copies it, behind the virtio-net header, into the next chain
//! the driver made available (the one copy), completes the chain, and
//! gives the buffer back to the port's pool. No chain available: the frame
//! is dropped (counted), as a NIC does without RX descriptors.

use super::{
    vq::{Vq, VqDrop, VqState},
    Device, Link, LinkKind, HDR_LEN, SG_MAX,
};
use crate::{
    dpaa::{Dqrr, Ern, FqHandler},
    kapi::{backref::BackRef, napi::NapiCtx},
    switch::Switch,
};
use core::sync::atomic::Ordering::Relaxed;
use dpaa_core::{
    fd::QmFd,
    vring::{Chain, GuestMem},
};
use kernel::sync::Arc;

fn publish(dev: &dyn Device, vq: &Vq, st: &mut VqState) -> Result<bool, ()> {
    let mem = dev.space_of(vq.idx);
    match st.ring.as_mut() {
        Some(r) => r.publish(mem).map_err(|_| ()),
        None => Ok(false),
    }
}

/// A kick of RX queue `vq`: buffers are taken as frames arrive, nothing
/// to do now.
pub(crate) fn refill(_dev: &dyn Device, _vq: &Vq) {}

/// The relay side of a device's RX FQ.
pub(crate) struct RxFq {
    /// The device; its datapath (holding this FQ) goes first.
    pub(crate) dev: BackRef<dyn Device>,
    pub(crate) vq: u16,
    /// The port's switch, whose buffers the frames are in.
    pub(crate) sw: Arc<Switch>,
}

/// The virtio-net header of a received frame: no offloads, one buffer.
const RX_HDR: [u8; HDR_LEN] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0];

/// Writes `parts` one after the other into the writable segments of `c`.
fn write_chain(mem: &dyn GuestMem, c: &Chain<SG_MAX>, parts: &[&[u8]]) -> Result<(), ()> {
    let mut segs = c.segs[..c.n].iter();
    let (mut addr, mut room) = (0u64, 0u32);
    for part in parts {
        let mut data = *part;
        while !data.is_empty() {
            if room == 0 {
                let s = segs.next().ok_or(())?;
                (addr, room) = (s.addr, s.len);
                continue;
            }
            let n = data.len().min(room as usize);
            mem.write(addr, &data[..n]).map_err(|_| ())?;
            addr = addr.wrapping_add(n as u64);
            room -= n as u32;
            data = &data[n..];
        }
    }
    Ok(())
}

/// What became of a frame for the device.
enum Outcome {
    Done,
    /// Dropped (counted as `why`), the device fine.
    Dropped(VqDrop),
    /// The driver broke the rules.
    Error,
}

impl RxFq {
    fn receive(&self, dev: &dyn Device, vq: &Vq, fd: &QmFd) -> Outcome {
        let mem = dev.space_of(self.vq);
        let mut st = vq.st.lock();
        if st.suspended {
            // Nothing is taken from the ring: as a NIC whose RX is
            // stopped, the port drops it (and its buffer goes back to the
            // pool now, not held for a suspension of unknown length).
            return Outcome::Dropped(VqDrop::Suspended);
        }
        if dev.broken() {
            // DEVICE_NEEDS_RESET: its rings are used no more (TX and
            // control kicks stop the same way).
            return Outcome::Dropped(VqDrop::NoBuffer);
        }
        let VqState { ring, link, .. } = &mut *st;
        let (
            Some(ring),
            Some(Link {
                kind: LinkKind::Rx { .. },
                ..
            }),
        ) = (ring.as_mut(), link.as_ref())
        else {
            // Stopped or disabled.
            return Outcome::Dropped(VqDrop::NoBuffer);
        };
        let mut c = Chain::<SG_MAX>::default();
        match ring.pop(mem, &mut c) {
            Ok(true) => {}
            Ok(false) => return Outcome::Dropped(VqDrop::NoBuffer),
            Err(_) => return Outcome::Error,
        }
        vq.stats.descs.fetch_add(1, Relaxed);
        let len = fd.length();
        let fits = !c.truncated
            && c.readable == 0
            && c.n > 0
            && c.write_len >= HDR_LEN as u64 + len as u64;
        let written = fits
            && matches!(
                // SAFETY: dequeued from our FQ: the buffer is ours until
                // released below, after this call.
                unsafe {
                    self.sw
                        .bufs()
                        .with_frame(fd, |f| write_chain(mem, &c, &[&RX_HDR[..], f]))
                },
                Some(Ok(()))
            );
        let used = if written { HDR_LEN as u32 + len } else { 0 };
        if ring.push_used(mem, c.head, used).is_err() {
            return Outcome::Error;
        }
        vq.stats.used.fetch_add(1, Relaxed);
        if !written {
            // A chain that cannot take the frame (or a write the space
            // refused) is the driver's error.
            return if fits {
                Outcome::Error
            } else {
                Outcome::Dropped(VqDrop::BadChain)
            };
        }
        vq.stats.frames.fetch_add(1, Relaxed);
        vq.stats.bytes.fetch_add(len as u64, Relaxed);
        Outcome::Done
    }
}

impl FqHandler for RxFq {
    fn dqrr(&self, fd: &QmFd, _napi: &NapiCtx) -> Dqrr {
        let dev = self.dev.get();
        let vq = &dev.vqs()[self.vq as usize];
        let outcome = self.receive(dev, vq, fd);
        // SAFETY: dequeued from our FQ, copied (or not): ours, used no more.
        unsafe { self.sw.bufs().release_fd(fd) };
        match outcome {
            Outcome::Done => {}
            Outcome::Dropped(why) => vq.stats.drop(why),
            Outcome::Error => dev.device_error(),
        }
        Dqrr::Consume
    }

    /// Delivered, never received.
    fn drain(&self, fd: &QmFd) {
        // SAFETY: drained from our FQ: ours.
        unsafe { self.sw.bufs().release_fd(fd) };
    }

    /// The switch's enqueue, rejected: the switch counts and frees it.
    fn ern(&self, fd: &QmFd, why: Ern) {
        // SAFETY: the switch's frame, rejected back once.
        unsafe { self.sw.rejected(fd, why) };
    }

    fn batch_end(&self, _napi: &NapiCtx) {
        let dev = self.dev.get();
        let vq = &dev.vqs()[self.vq as usize];
        let mut st = vq.st.lock();
        match publish(dev, vq, &mut st) {
            Ok(true) => st.notify(&vq.stats),
            Ok(false) => {}
            Err(()) => {
                drop(st);
                dev.device_error();
            }
        }
    }
}
