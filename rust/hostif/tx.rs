// SPDX-License-Identifier: GPL-2.0

//! Host TX: the port's switch sees every frame first (and copies it to the
//! local entities it is for); a frame for the wire becomes a frame
//! descriptor pointing at the skb's data (no copy), with a back-pointer to
//! the skb in the headroom, the buffer mapped for the port's device (as
//! dpaa_eth does); the port transmits it and returns it on the
//! TX-confirmation FQ, where the skb is freed.

use super::HostIf;
use crate::{
    dpaa::{CgrHandler, Dqrr, Ern, FqHandler, FrameQueue, TxOwner, MAX_FRAME, NO_BPID},
    kapi::{backref::BackRef, cpu, napi::NapiCtx, netdev::NetDev, skb::Skb},
};
use core::sync::atomic::Ordering::{Acquire, Relaxed};
use dpaa_core::fd::QmFd;

/// Bytes in front of the data the back-pointer and alignment may use (the
/// stack is asked for 128 bytes of headroom; `stash` makes them if missing).
const TX_PRIV: usize = 64;

impl HostIf {
    pub(super) fn xmit(&self, _dev: &NetDev, mut skb: Skb) {
        let Some(rt) = self.running() else {
            self.stats.tx_dropped.fetch_add(1, Relaxed);
            return;
        };
        let len = skb.len();
        // Without NETIF_F_SG the stack hands over linear skbs; linearise
        // anything else (a copy, but never on the normal path). The
        // back-pointer goes into the headroom: it must be this skb's own.
        // A clone (netem duplicate, mirred, a bridge flooding several
        // ports) shares its head with others: skb_cow_head() un-shares it
        // (and makes room), as dpaa_eth does.
        if len > MAX_FRAME || skb.linearize().is_err() {
            self.stats.tx_dropped.fetch_add(1, Relaxed);
            return;
        }
        // Local entities get their copies; only a frame for the wire goes on.
        if !self.sw.host_frame(skb.head()) {
            self.stats.tx_packets.fetch_add(1, Relaxed);
            self.stats.tx_bytes.fetch_add(len as u64, Relaxed);
            skb.consume(None);
            return;
        }
        // Mapped for the port (TX_PRIV, the data): what the FD points at.
        let dma = &**self.sw.fman().dma();
        let Ok((addr, offset)) = skb.stash::<TX_PRIV>(dma) else {
            self.stats.tx_dropped.fetch_add(1, Relaxed);
            return;
        };
        let Ok(fd) = QmFd::contig(NO_BPID, addr, offset, len) else {
            // SAFETY: stashed just above, not taken back, never given to
            // the port.
            drop(unsafe { Skb::from_stash(dma, addr, offset, len) });
            self.stats.tx_dropped.fetch_add(1, Relaxed);
            return;
        };
        // Backpressure is the TX congestion group's: it stops the queue
        // when the TX FQs hold too many bytes (see `HostCgr`).
        // No division that can panic: objtool would see a fall-through.
        let q = cpu::current().checked_rem(rt.tx.len()).unwrap_or(0);
        if rt.tx.get(q).enqueue(fd).is_err() {
            // SAFETY: the FD was not taken: the skb is still stashed, and
            // the port never had it.
            drop(unsafe { Skb::from_stash(dma, addr, offset, len) });
            self.stats.tx_dropped.fetch_add(1, Relaxed);
        }
        // Otherwise the FD owns the skb; its confirmation counts it.
    }

    /// A frame is back from the FMan (or drained, never sent): counted as
    /// sent only if its confirmation status says so.
    pub(super) fn tx_confirmed(&self, fd: &QmFd, napi: Option<&NapiCtx>) {
        if fd.status() == 0 {
            self.stats.tx_packets.fetch_add(1, Relaxed);
            self.stats.tx_bytes.fetch_add(fd.length() as u64, Relaxed);
        } else {
            self.stats.tx_dropped.fetch_add(1, Relaxed);
        }
        let dma = &**self.sw.fman().dma();
        // SAFETY: TX FDs carry what `xmit` stashed (offset and length
        // unchanged by the port); the FD owned the skb until now (confirmed
        // or drained once), and the port is done with it.
        let skb = unsafe { Skb::from_stash(dma, fd.addr(), fd.offset(), fd.length()) };
        skb.consume(napi);
    }
}

/// The owner of the host's TX congestion group: what `dpaa_eth_cgscn()`
/// does, stop the queue on entry into congestion, wake it on exit.
pub(super) struct HostCgr {
    /// The host interface; its congestion group lives no longer.
    pub(super) host: BackRef<HostIf>,
}

impl CgrHandler for HostCgr {
    fn congestion(&self, congested: bool) {
        let host = self.host.get();
        let dev = host.dev();
        if congested {
            host.stats.tx_cgr_entries.fetch_add(1, Relaxed);
            dev.stop_queue();
        } else {
            host.stats.tx_cgr_exits.fetch_add(1, Relaxed);
            // Not for an interface going down. An exit that read `up`
            // just before `halt()` cleared it may still wake the queue:
            // `halt()` disables it again once the TX FQs are retired.
            if host.up.load(Acquire) {
                dev.wake_queue();
            }
        }
    }
}

/// The handler of the host's TX-confirmation FQ, and the owner of its TX
/// FQs (frames not transmitted come back to it too).
pub(super) struct HostTxConf {
    /// The host interface; its FQs (and so this handler) live no longer.
    pub(super) host: BackRef<HostIf>,
}

impl HostTxConf {
    fn confirm(&self, fd: &QmFd, napi: Option<&NapiCtx>) {
        self.host.get().tx_confirmed(fd, napi);
    }
}

impl FqHandler for HostTxConf {
    fn dqrr(&self, fd: &QmFd, napi: &NapiCtx) -> Dqrr {
        self.confirm(fd, Some(napi));
        Dqrr::Consume
    }

    fn drain(&self, fd: &QmFd) {
        self.confirm(fd, None);
    }

    /// A confirmation QMan rejected: it still confirms (its status says
    /// whether the frame went out) and frees the skb.
    fn ern(&self, fd: &QmFd, _why: Ern) {
        self.confirm(fd, None);
    }
}

impl TxOwner for HostTxConf {
    /// Not transmitted (rejected by QMan: the egress group's tail drop, a
    /// retired FQ; or left at teardown), or transmitted with no room for
    /// its confirmation: counted by its status, the skb freed, as
    /// `dpaa_eth`'s `egress_ern`.
    fn tx_done(&self, fd: &QmFd) {
        self.confirm(fd, None);
    }
}
