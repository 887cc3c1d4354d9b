// SPDX-License-Identifier: GPL-2.0

//! Host RX: frames for the host come in the port's buffers, from the
//! switch on the portal that dequeued them from the wire, or on the host's
//! RX FQs (a rule's queue, a local entity's frame); each becomes an skb
//! built around its buffer (no copy), which leaves the port's pool, and
//! the pool is given a new one.

use super::HostIf;
use crate::{
    dpaa::{Dqrr, Ern, FqHandler},
    kapi::{backref::BackRef, napi::NapiCtx, skb::Skb},
    switch::{HostReceive, Switch},
};
use core::sync::atomic::Ordering::Relaxed;
use dpaa_core::fd::QmFd;
use kernel::sync::Arc;

/// The host's receive path: the handler of its RX FQ `queue`, and (any
/// queue) what the switch calls for frames from the wire.
pub(super) struct HostRx {
    /// The host interface; it removes this from the switch and retires
    /// its FQs (and so this handler) before it goes.
    pub(super) host: BackRef<HostIf>,
    /// The port's switch, whose buffers the frames are in.
    pub(super) sw: Arc<Switch>,
    pub(super) queue: usize,
}

impl HostReceive for HostRx {
    fn receive(&self, fd: &QmFd, queue: usize, napi: &NapiCtx) {
        let host = self.host.get();
        let bufs = self.sw.bufs();
        if host.running().is_none() {
            // SAFETY: given to us: ours, used no more.
            unsafe { bufs.release_fd(fd) };
            host.stats.rx_dropped.fetch_add(1, Relaxed);
            return;
        }
        // SAFETY: an FD given to us carries a port buffer that is now ours;
        // it leaves the pool for the skb.
        let Some(frag) = (unsafe { bufs.take(fd) }) else {
            // SAFETY: as above; not a frame in one of the port's buffers
            // (logged, and released if it names one of its pools).
            unsafe { bufs.release_fd(fd) };
            host.stats.rx_dropped.fetch_add(1, Relaxed);
            return;
        };
        bufs.replenish();
        let Some(skb) = Skb::build_rx(frag, fd.offset(), fd.length(), host.dev(), napi) else {
            host.stats.rx_dropped.fetch_add(1, Relaxed);
            return;
        };
        host.stats.rx_packets.fetch_add(1, Relaxed);
        host.stats.rx_bytes.fetch_add(fd.length() as u64, Relaxed);
        if let Some(q) = host.stats.rxq_packets.get(queue) {
            q.fetch_add(1, Relaxed);
        }
        napi.gro_receive(skb);
    }

    /// Not sent: counted as dropped by its status, the skb freed.
    fn tx_error(&self, fd: &QmFd) {
        self.host.get().tx_confirmed(fd, None);
    }
}

impl FqHandler for HostRx {
    fn dqrr(&self, fd: &QmFd, napi: &NapiCtx) -> Dqrr {
        self.receive(fd, self.queue, napi);
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
