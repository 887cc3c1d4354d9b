// SPDX-License-Identifier: GPL-2.0

//! Host RX: frames the FMan wrote into the host's pool buffers become skbs
//! built around those buffers (no copy), and the pool is refilled. Every
//! buffer is mapped for the port while the pool or the FMan has it.

use super::HostIf;
use crate::{
    dpaa::{BufFree, Dqrr, Ern, FqHandler, Pool, PortDma},
    kapi::{
        backref::BackRef,
        dma::Dir,
        napi::NapiCtx,
        skb::{Frag, Skb},
    },
};
use core::sync::atomic::Ordering::Relaxed;
use dpaa_core::fd::QmFd;
use kernel::sync::Arc;

/// The host's RX buffers: page fragments of `frag_size` bytes, of which the
/// first `room` (offset and frame) are mapped for the port's writes while
/// the pool or a frame holds them.
pub(super) struct HostBufs {
    pub(super) dma: Arc<PortDma>,
    pub(super) frag_size: u32,
    pub(super) room: u32,
}

impl HostBufs {
    /// Takes back a buffer of the host's pool, given its address: unmaps it.
    ///
    /// # Safety
    ///
    /// `addr` is a buffer of the host's pool (handed on by `refill` of these
    /// buffers) that is ours again: taken from the pool or returned in a
    /// frame descriptor, the FMan done with it, and not taken back before.
    unsafe fn take(&self, addr: u64) -> Frag {
        // SAFETY: the caller's guarantee; mapped by `refill` with this
        // length and direction.
        unsafe { Frag::from_dma(&*self.dma, addr, self.room, Dir::FromDevice, self.frag_size) }
    }

    /// Allocates and maps up to `n` (<= 8) buffers into `pool`; returns how
    /// many went in.
    pub(super) fn refill(&self, pool: &Pool, n: usize) -> usize {
        let mut bufs = [0u64; 8];
        let mut got = 0;
        while got < n.min(8) {
            let Some(a) = Frag::alloc(self.frag_size)
                .and_then(|f| f.into_dma(&*self.dma, self.room, Dir::FromDevice))
            else {
                break;
            };
            bufs[got] = a;
            got += 1;
        }
        // A failed release frees the buffers itself.
        match pool.release(&bufs[..got]) {
            Ok(()) => got,
            Err(_) => 0,
        }
    }
}

/// The pool frees what it holds at teardown (and a release it cannot keep).
impl BufFree for HostBufs {
    fn free(&self, addr: u64) {
        // SAFETY: what the pool frees is one of its buffers, handed on by
        // `refill`, ours again.
        drop(unsafe { self.take(addr) });
    }
}

/// The handler of the host's RX FQs.
pub(super) struct HostRx {
    /// The host interface; its FQs (and so this handler) live no longer.
    pub(super) host: BackRef<HostIf>,
    /// The buffers of the pool the port fills these FQs' frames from.
    pub(super) bufs: Arc<HostBufs>,
}

impl FqHandler for HostRx {
    fn dqrr(&self, fd: &QmFd, napi: &NapiCtx) -> Dqrr {
        let host = self.host.get();
        // SAFETY: an FD on the host's RX FQ carries a buffer of its pool,
        // now ours (the FMan acquired it and wrote the frame).
        let frag = unsafe { self.bufs.take(fd.addr()) };
        let Some(rt) = host.running() else {
            host.stats.rx_dropped.fetch_add(1, Relaxed);
            return Dqrr::Consume;
        };
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
                let n = self.bufs.refill(&rt.pool, (due - done).min(8) as usize);
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
        self.bufs.free(fd.addr());
        let host = self.host.get();
        host.stats.rx_dropped.fetch_add(1, Relaxed);
    }

    /// Only the FMan enqueues here, and it handles its own rejections;
    /// should one come, it is a frame never received.
    fn ern(&self, fd: &QmFd, _why: Ern) {
        self.drain(fd);
    }
}
