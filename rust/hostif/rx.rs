// SPDX-License-Identifier: GPL-2.0

//! Host RX: frames the FMan wrote into the host's pool buffers become skbs
//! built around those buffers (no copy), and the pool is refilled.

use super::HostIf;
use crate::{
    dpaa::{Dqrr, FqHandler, Pool},
    kapi::{
        backref::BackRef,
        napi::NapiCtx,
        skb::{Frag, Skb},
    },
};
use core::sync::atomic::Ordering::Relaxed;
use dpaa_core::fd::QmFd;

/// Takes back an RX buffer of the host's pool (a page fragment), given its
/// address.
///
/// # Safety
///
/// `addr` is a buffer of the host's pool (a `Frag` of the running state's
/// frag size handed on by `refill`) that is ours again: taken from the pool
/// or returned in a frame descriptor, and not taken back before.
unsafe fn take_frag(addr: u64, frag_size: u32) -> Frag {
    // SAFETY: the caller's guarantee.
    unsafe { Frag::from_phys(addr, frag_size) }
}

/// Frees an RX buffer of the host's pool: the pool's free function, and
/// for frames the host drops.
pub(super) fn free_frag(addr: u64) {
    // SAFETY: what the pool frees (and what an FD on the host's RX FQs
    // carries) is one of its buffers, handed on by `refill`, ours again.
    unsafe { Frag::free_phys(addr) };
}

/// Allocates up to `n` (<= 8) buffers of `frag_size` into `pool`; returns
/// how many went in.
pub(super) fn refill(pool: &Pool, frag_size: u32, n: usize) -> usize {
    let mut bufs = [0u64; 8];
    let mut got = 0;
    while got < n.min(8) {
        let Some(f) = Frag::alloc(frag_size) else {
            break;
        };
        bufs[got] = f.into_phys();
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
    pub(super) host: BackRef<HostIf>,
}

impl FqHandler for HostRx {
    fn dqrr(&self, fd: &QmFd, napi: &NapiCtx) -> Dqrr {
        let host = self.host.get();
        let Some(rt) = host.running() else {
            free_frag(fd.addr());
            host.stats.rx_dropped.fetch_add(1, Relaxed);
            return Dqrr::Consume;
        };
        // SAFETY: an FD on the host's RX FQ carries a buffer of its pool,
        // now ours (the FMan acquired it and wrote the frame).
        let frag = unsafe { take_frag(fd.addr(), rt.frag_size) };
        let Some(skb) = Skb::build_rx(frag, fd.offset(), fd.length(), host.dev(), napi) else {
            host.stats.rx_dropped.fetch_add(1, Relaxed);
            return Dqrr::Consume;
        };
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
        let host = self.host.get();
        host.stats.rx_dropped.fetch_add(1, Relaxed);
    }
}
