// SPDX-License-Identifier: GPL-2.0

//! Host RX: frames the FMan wrote into the host's pool buffers become skbs
//! built around those buffers (no copy), and the pool is refilled.

use super::HostIf;
use crate::{
    dpaa::{Dqrr, FqHandler, Pool},
    ffi,
    kapi::{napi::NapiCtx, skb::Skb},
};
use core::sync::atomic::Ordering::Relaxed;
use dpaa_core::fd::QmFd;

/// Frees an RX buffer (a page fragment), given its address.
pub(super) fn free_frag(addr: u64) {
    // SAFETY: pool buffers of the host are page fragments from
    // `netdev_alloc_frag`, addressed by their physical address.
    unsafe { ffi::dpaa_vdpa_skb_free_frag(ffi::dpaa_vdpa_phys_to_virt(addr)) };
}

/// Allocates up to `n` (<= 8) buffers of `frag_size` into `pool`; returns
/// how many went in.
pub(super) fn refill(pool: &Pool, frag_size: u32, n: usize) -> usize {
    let mut bufs = [0u64; 8];
    let mut got = 0;
    while got < n.min(8) {
        // SAFETY: plain allocation (atomic: may run in softirq).
        let p = unsafe { ffi::dpaa_vdpa_netdev_alloc_frag(frag_size) };
        if p.is_null() {
            break;
        }
        // SAFETY: a direct-map address.
        bufs[got] = unsafe { ffi::dpaa_vdpa_virt_to_phys(p) };
        got += 1;
    }
    // A failed release frees the buffers itself.
    match pool.release(&bufs[..got]) {
        Ok(()) => got,
        Err(_) => 0,
    }
}

/// The handler of the host's RX FQs.
pub(super) struct HostRx {
    /// The host interface; its FQs (and so this handler) live no longer.
    pub(super) host: *const HostIf,
}

// SAFETY: `host` is shared, read-only state that outlives the FQ.
unsafe impl Send for HostRx {}
// SAFETY: as above.
unsafe impl Sync for HostRx {}

impl FqHandler for HostRx {
    fn dqrr(&self, fd: &QmFd, napi: &NapiCtx) -> Dqrr {
        // SAFETY: the FQs are destroyed before the host interface.
        let host = unsafe { &*self.host };
        let Some(rt) = host.running() else {
            free_frag(fd.addr());
            host.stats.rx_dropped.fetch_add(1, Relaxed);
            return Dqrr::Consume;
        };
        // SAFETY: the buffer is a fragment of `frag_size` bytes holding a
        // frame at `offset` (written by the FMan); build_skb takes it over.
        let skb = unsafe {
            let va = ffi::dpaa_vdpa_phys_to_virt(fd.addr());
            Skb::from_raw(ffi::napi_build_skb(va, rt.frag_size))
        };
        let Some(skb) = skb else {
            free_frag(fd.addr());
            host.stats.rx_dropped.fetch_add(1, Relaxed);
            return Dqrr::Consume;
        };
        // SAFETY: offset + length lie inside the buffer (the FMan checked
        // against the pool's room).
        unsafe {
            ffi::dpaa_vdpa_skb_reserve(skb.as_ptr(), fd.offset() as i32);
            ffi::skb_put(skb.as_ptr(), fd.length());
            ffi::dpaa_vdpa_eth_type_trans(skb.as_ptr(), host.dev);
        }
        host.stats.rx_packets.fetch_add(1, Relaxed);
        host.stats.rx_bytes.fetch_add(fd.length() as u64, Relaxed);
        napi.gro_receive(skb);
        // Refill in batches of 8. Portals on other CPUs refill too: whoever
        // sees a batch due takes the whole deficit, and gives back what it
        // could not allocate.
        if host.refill_deficit.fetch_add(1, Relaxed) + 1 >= 8 {
            let due = host.refill_deficit.swap(0, Relaxed);
            let mut done = 0;
            while done < due {
                let n = refill(&rt.pool, rt.frag_size, (due - done).min(8) as usize);
                if n == 0 {
                    break;
                }
                done += n as u64;
            }
            host.refill_deficit.fetch_add(due - done, Relaxed);
        }
        Dqrr::Consume
    }

    /// A frame left on a retired FQ: delivered by the port, never received.
    fn drain(&self, fd: &QmFd) {
        free_frag(fd.addr());
        // SAFETY: the FQs are destroyed before the host interface.
        let host = unsafe { &*self.host };
        host.stats.rx_dropped.fetch_add(1, Relaxed);
    }
}
