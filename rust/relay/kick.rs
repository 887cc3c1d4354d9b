// SPDX-License-Identifier: GPL-2.0

//! Doorbells: a kick is an FD on the queue's depth-1 doorbell FQ, so the
//! queue's work runs in its portal's poll (and kicks coalesce).

use super::{rx, tx, vq::Role, Device};
use crate::{
    dpaa::{Dqrr, FqHandler},
    kapi::napi::NapiCtx,
};
use dpaa_core::fd::QmFd;

/// The handler of virtqueue `vq`'s doorbell FQ.
pub(crate) struct Kick {
    /// The device; its datapath (holding this FQ) goes first.
    pub(crate) dev: *const dyn Device,
    pub(crate) vq: u16,
}

// SAFETY: `dev` is only read, and outlives the FQ (see the field).
unsafe impl Send for Kick {}
// SAFETY: as above.
unsafe impl Sync for Kick {}

impl FqHandler for Kick {
    fn dqrr(&self, _fd: &QmFd, _napi: &NapiCtx) -> Dqrr {
        // SAFETY: see the field.
        let dev = unsafe { &*self.dev };
        if dev.broken() {
            return Dqrr::Consume;
        }
        let vq = &dev.vqs()[self.vq as usize];
        match dev.role(self.vq) {
            Some(Role::Tx(_)) => tx::process(dev, vq),
            Some(Role::Rx(_)) => rx::refill(dev, vq),
            Some(Role::Ctrl) => dev.control(vq),
            None => {}
        }
        Dqrr::Consume
    }

    fn drain(&self, _fd: &QmFd) {}
}
