// SPDX-License-Identifier: GPL-2.0

//! Host RX: frames for the host arrive on its RX FQs in the port's buffers;
//! each becomes an skb built around its buffer (no copy), which leaves the
//! port's pool, and the pool is given a new one.

use super::HostIf;
use crate::{
    dpaa::{Dqrr, Ern, FqHandler},
    kapi::{backref::BackRef, napi::NapiCtx, skb::Skb},
    switch::Switch,
};
use core::sync::atomic::Ordering::Relaxed;
use dpaa_core::fd::QmFd;
use kernel::sync::Arc;

/// The handler of the host's RX FQs.
pub(super) struct HostRx {
    /// The host interface; its FQs (and so this handler) live no longer.
    pub(super) host: BackRef<HostIf>,
    /// The port's switch, whose buffers the frames are in.
    pub(super) sw: Arc<Switch>,
}

impl FqHandler for HostRx {
    fn dqrr(&self, fd: &QmFd, napi: &NapiCtx) -> Dqrr {
        let host = self.host.get();
        let bufs = self.sw.bufs();
        if host.running().is_none() {
            // SAFETY: dequeued from our FQ: ours, used no more.
            unsafe { bufs.release_fd(fd) };
            host.stats.rx_dropped.fetch_add(1, Relaxed);
            return Dqrr::Consume;
        }
        // SAFETY: an FD on our RX FQ carries a port buffer that is now ours;
        // it leaves the pool for the skb.
        let Some(frag) = (unsafe { bufs.take(fd) }) else {
            // SAFETY: as above; not a frame in one of the port's buffers
            // (logged, and released if it names one of its pools).
            unsafe { bufs.release_fd(fd) };
            host.stats.rx_dropped.fetch_add(1, Relaxed);
            return Dqrr::Consume;
        };
        bufs.replenish();
        let Some(skb) = Skb::build_rx(frag, fd.offset(), fd.length(), host.dev(), napi) else {
            host.stats.rx_dropped.fetch_add(1, Relaxed);
            return Dqrr::Consume;
        };
        host.stats.rx_packets.fetch_add(1, Relaxed);
        host.stats.rx_bytes.fetch_add(fd.length() as u64, Relaxed);
        napi.gro_receive(skb);
        Dqrr::Consume
    }

    /// A frame left on a retired FQ: delivered by the switch, never
    /// received.
    fn drain(&self, fd: &QmFd) {
        // SAFETY: drained from our FQ: ours.
        unsafe { self.sw.bufs().release_fd(fd) };
        self.host.get().stats.rx_dropped.fetch_add(1, Relaxed);
    }

    /// The switch's enqueue, rejected: the switch counts and frees it.
    fn ern(&self, fd: &QmFd, why: Ern) {
        // SAFETY: the switch's frame, rejected back once.
        unsafe { self.sw.rejected(fd, why) };
    }
}
