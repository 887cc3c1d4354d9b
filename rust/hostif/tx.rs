// SPDX-License-Identifier: GPL-2.0

//! Host TX: an skb becomes a frame descriptor pointing at its data (no
//! copy), with a back-pointer to the skb in the headroom (as dpaa_eth does);
//! the FMan transmits it and returns it on the TX-confirmation FQ, where the
//! skb is freed.

use super::{HostIf, TX_INFLIGHT_MAX};
use crate::{
    dpaa::{Dqrr, FmanPort, Fq, FqHandler, FrameQueue, HOST_MEMBER, MAX_FRAME, NO_BPID},
    ffi,
    kapi::{napi::NapiCtx, netdev::NetDev, skb::Skb},
};
use core::sync::atomic::Ordering::{Acquire, Relaxed};
use dpaa_core::fd::QmFd;
use kernel::sync::Arc;

/// Bytes in front of the data the back-pointer and alignment may use.
const TX_PRIV: usize = 64;
/// Headroom asked of the stack (and made by skb_cow_head when missing).
const TX_HEADROOM: u32 = 128;

/// Frees the skb a TX frame descriptor points back to.
fn free_tx_skb(fd: &QmFd, budget: i32) {
    // SAFETY: TX FDs point at a buffer whose first 8 bytes hold the skb
    // pointer written by `xmit`; the skb is owned by the FD.
    unsafe {
        let buf = ffi::dpaa_vdpa_phys_to_virt(fd.addr()).cast::<*mut ffi::sk_buff>();
        ffi::napi_consume_skb(buf.read(), budget);
    }
}

impl HostIf {
    pub(super) fn xmit(&self, dev: &NetDev, mut skb: Skb) {
        let Some(rt) = self.running() else {
            self.stats.tx_dropped.fetch_add(1, Relaxed);
            return;
        };
        let len = skb.len();
        // Without NETIF_F_SG the stack hands over linear skbs; linearise
        // anything else (a copy, but never on the normal path).
        let linear = skb.nr_frags() == 0 || {
            // SAFETY: an skb we own; linearising may reallocate its data.
            unsafe { ffi::dpaa_vdpa_skb_linearize(skb.as_ptr()) == 0 }
        };
        if len > MAX_FRAME || !linear {
            self.stats.tx_dropped.fetch_add(1, Relaxed);
            return;
        }
        // The back-pointer goes into the headroom: it must be this skb's
        // own. A clone (netem duplicate, mirred, a bridge flooding several
        // ports) shares its head with others: skb_cow_head() un-shares it
        // (and makes room), as dpaa_eth does.
        if skb.cow_head(TX_HEADROOM).is_err() {
            self.stats.tx_dropped.fetch_add(1, Relaxed);
            return;
        }
        let data = skb.data_ptr();
        let buf = (data as usize - TX_PRIV) & !63;
        let offset = data as usize - buf;
        // SAFETY: `buf` lies in the skb's private headroom (at least
        // TX_HEADROOM bytes, made writable above), 8-byte aligned.
        let addr = unsafe {
            (buf as *mut *mut ffi::sk_buff).write(skb.as_ptr());
            ffi::dpaa_vdpa_virt_to_phys(buf as *mut _)
        };
        let Ok(fd) = QmFd::contig(NO_BPID, addr, offset as u16, len) else {
            self.stats.tx_dropped.fetch_add(1, Relaxed);
            return;
        };
        // Backpressure: stop before the FQs can fill.
        if self.inflight.fetch_add(1, Relaxed) + 1 >= TX_INFLIGHT_MAX {
            dev.stop_queue();
        }
        // SAFETY: plain read of the CPU number.
        let cpu = unsafe { ffi::dpaa_vdpa_cpu() } as usize;
        // No division that can panic: objtool would see a fall-through.
        let q = cpu.checked_rem(rt.tx.len()).unwrap_or(0);
        match rt.tx.get(q).enqueue(fd) {
            Ok(()) => {
                // The FD owns the skb now; its confirmation counts it.
                let _ = skb.into_raw();
            }
            Err(_) => {
                self.inflight.fetch_sub(1, Relaxed);
                self.stats.tx_dropped.fetch_add(1, Relaxed);
            }
        }
    }

    /// A frame is back from the FMan (or drained, never sent): counted as
    /// sent only if its confirmation status says so.
    fn tx_confirmed(&self, fd: &QmFd, budget: i32) {
        if fd.status() == 0 {
            self.stats.tx_packets.fetch_add(1, Relaxed);
            self.stats.tx_bytes.fetch_add(fd.length() as u64, Relaxed);
        } else {
            self.stats.tx_dropped.fetch_add(1, Relaxed);
        }
        free_tx_skb(fd, budget);
        if self.inflight.fetch_sub(1, Relaxed) - 1 < TX_INFLIGHT_MAX / 2 {
            let dev = self.dev();
            if dev.queue_stopped() && self.up.load(Acquire) {
                dev.wake_queue();
            }
        }
    }
}

/// The FMan side of the host's TX FQs: transmit, then confirm.
pub(super) struct FmanTx {
    pub(super) fman: Arc<FmanPort>,
    pub(super) conf: Arc<Fq<HostTxConf>>,
}

impl FqHandler for FmanTx {
    fn dqrr(&self, fd: &QmFd, _napi: &NapiCtx) -> Dqrr {
        let ok = self.fman.tx(fd, HOST_MEMBER);
        let mut c = *fd;
        c.set_status(if ok { 0 } else { 1 });
        if self.conf.enqueue(c).is_err() {
            // The confirmation must not be lost: it frees the skb.
            self.conf.handler().confirm(&c, 0);
        }
        Dqrr::Consume
    }

    fn drain(&self, fd: &QmFd) {
        // Retired before the FMan took it: not sent.
        let mut c = *fd;
        c.set_status(1);
        self.conf.handler().confirm(&c, 0);
    }
}

/// The handler of the host's TX-confirmation FQ.
pub(super) struct HostTxConf {
    pub(super) host: *const HostIf,
}

// SAFETY: `host` is shared, read-only state that outlives the FQ.
unsafe impl Send for HostTxConf {}
// SAFETY: as above.
unsafe impl Sync for HostTxConf {}

impl HostTxConf {
    fn confirm(&self, fd: &QmFd, budget: i32) {
        // SAFETY: the FQs are destroyed before the host interface.
        unsafe { &*self.host }.tx_confirmed(fd, budget);
    }
}

impl FqHandler for HostTxConf {
    fn dqrr(&self, fd: &QmFd, _napi: &NapiCtx) -> Dqrr {
        self.confirm(fd, 64);
        Dqrr::Consume
    }

    fn drain(&self, fd: &QmFd) {
        self.confirm(fd, 0);
    }
}
