// SPDX-License-Identifier: GPL-2.0

//! Doorbells: a kick is an FD on the queue's depth-1 doorbell FQ, so the
//! queue's work runs in its portal's poll (and kicks coalesce).

use super::{rx, tx, vq::Role, Device};
use crate::{
    dpaa::{Dqrr, FqHandler},
    kapi::{backref::BackRef, napi::NapiCtx},
};
use dpaa_core::fd::QmFd;

/// The handler of virtqueue `vq`'s doorbell FQ.
pub(crate) struct Kick {
    /// The device; its datapath (holding this FQ) goes first.
    pub(crate) dev: BackRef<dyn Device>,
    pub(crate) vq: u16,
}

impl FqHandler for Kick {
    fn dqrr(&self, _fd: &QmFd, _napi: &NapiCtx) -> Dqrr {
        let dev = self.dev.get();
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
