// SPDX-License-Identifier: GPL-2.0

//! Doorbells: a kick is an FD on the queue's doorbell FQ, so the queue's
//! work runs in its portal's poll. Kicks coalesce in a pending flag: while
//! one is on the FQ, another is the same kick (nothing is enqueued, so
//! nothing is rejected: on QMan every rejection is an ERN message).

use super::{rx, tx, vq::Role, Device};
use crate::{
    dpaa::{Dqrr, Ern, Fq, FqHandler, FrameQueue},
    kapi::{backref::BackRef, napi::NapiCtx},
};
use core::sync::atomic::{
    AtomicBool,
    Ordering::{AcqRel, Release},
};
use dpaa_core::fd::QmFd;

/// The handler of virtqueue `vq`'s doorbell FQ.
pub(crate) struct Kick {
    /// The device; its datapath (holding this FQ) goes first.
    dev: BackRef<dyn Device>,
    vq: u16,
    /// A kick is on the FQ and its work not started yet.
    pending: AtomicBool,
}

impl Kick {
    pub(crate) fn new(dev: BackRef<dyn Device>, vq: u16) -> Self {
        Self {
            dev,
            vq,
            pending: AtomicBool::new(false),
        }
    }

    /// Rings the doorbell `fq` (whose handler this is): one kick, unless
    /// one is pending. What the ringer wrote before (the avail ring) is
    /// seen by the work the pending kick starts (release, then the
    /// handler's acquire).
    pub(crate) fn ring(fq: &Fq<Kick>) {
        let h = fq.handler();
        if h.pending.swap(true, AcqRel) {
            return;
        }
        if fq.enqueue(QmFd::default()).is_err() {
            h.pending.store(false, Release);
        }
    }
}

impl Kick {
    /// The kick's work: the queue's relay.
    fn work(&self) {
        // From here on a kick is a new one: it rings again.
        self.pending.swap(false, AcqRel);
        let dev = self.dev.get();
        if dev.broken() {
            return;
        }
        let vq = &dev.vqs()[self.vq as usize];
        match dev.role(self.vq) {
            Some(Role::Tx(_)) => tx::process(dev, vq),
            Some(Role::Rx(_)) => rx::refill(dev, vq),
            Some(Role::Ctrl) => dev.control(vq),
            None => {}
        }
    }
}

impl FqHandler for Kick {
    fn dqrr(&self, _fd: &QmFd, _napi: &NapiCtx) -> Dqrr {
        self.work();
        Dqrr::Consume
    }

    fn drain(&self, _fd: &QmFd) {}

    /// A kick QMan rejected. Kicks coalesced behind it (and a relay that
    /// asked to be called again) wait for it: unless the FQ is retired
    /// (teardown), its work runs here, in the portal's context, as the
    /// dequeue would have run it.
    fn ern(&self, _fd: &QmFd, why: Ern) {
        if why == Ern::State {
            self.pending.store(false, Release);
        } else {
            self.work();
        }
    }
}
