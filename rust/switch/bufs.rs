// SPDX-License-Identifier: GPL-2.0

//! The port's buffers: page fragments in a few BMan pools by size, the
//! pools the FMan receives into (`FmanPort::set_rx`) and the switch copies
//! frames into. Every buffer is mapped for the port's device (both
//! directions: the FMan writes received frames and reads frames to
//! transmit) while a pool, an FD or the switch has it; the host builds its
//! skbs around them (unmapping them then, and giving the pool a new one).

use crate::{
    dpaa::{BufFree, Pool, PoolRef, PortDma, MAX_BUFS_PER_CMD, MAX_PORT_POOLS, RX_OFFSET},
    kapi::{
        dma::{Dir, DmaMap},
        skb::{self, Frag},
    },
};
use core::sync::atomic::{AtomicU64, Ordering::Relaxed};
use dpaa_core::{
    fd::{Format, QmFd},
    pools::choose,
};
use kernel::{prelude::*, sync::Arc};

/// The port's pools: bytes of each fragment, and how many. The small pool
/// takes standard frames (1518 bytes and a VLAN tag), the large one jumbo
/// frames up to the port's maximum; each leaves room at the end for
/// `struct skb_shared_info` (build_skb).
const POOLS: [(u32, usize); 2] = [(2048, 1024), (10240, 64)];
const _: () = assert!(POOLS.len() <= MAX_PORT_POOLS);

/// Frees a buffer a pool gives back (at teardown, or a release it cannot
/// keep).
struct FragFree {
    dma: Arc<PortDma>,
    frag_size: u32,
    room: u32,
}

impl BufFree for FragFree {
    fn free(&self, addr: u64) {
        // SAFETY: what a pool frees is one of its buffers, mapped by
        // `PortBufs::add` with this length, ours again.
        drop(unsafe {
            Frag::from_dma(
                &*self.dma,
                addr,
                self.room,
                Dir::Bidirectional,
                self.frag_size,
            )
        });
    }
}

/// One pool of the port.
struct SizedPool {
    pool: PoolRef,
    frag_size: u32,
    /// Bytes of a buffer the port may use (offset and frame): the
    /// fragment less the skb's shared info.
    room: u32,
    /// Buffers taken out for good (into skbs) and not replaced yet.
    deficit: AtomicU64,
}

/// A buffer of one of the port's pools, acquired and not handed on: the
/// only way to fill one, and to give it back.
///
/// # Invariants
///
/// `addr` is a buffer of pool `bpid` of the port, owned by whoever holds
/// this (not in a pool, an FD or anywhere else).
pub(crate) struct Buf {
    bpid: u8,
    addr: u64,
}

/// The port's pools and their buffers.
pub(crate) struct PortBufs {
    dma: Arc<PortDma>,
    /// Smallest first.
    pools: KVec<SizedPool>,
}

impl PortBufs {
    pub(crate) fn new(fman: &crate::dpaa::FmanPort) -> Result<Self> {
        let dma = fman.dma().clone();
        let shinfo = skb::shinfo_size();
        let mut pools = KVec::with_capacity(POOLS.len(), GFP_KERNEL)?;
        for (frag_size, count) in POOLS {
            let room = frag_size - shinfo;
            let free = Arc::new(
                FragFree {
                    dma: dma.clone(),
                    frag_size,
                    room,
                },
                GFP_KERNEL,
            )?;
            let pool = fman.bman().new_pool(count, free)?;
            pools.push(
                SizedPool {
                    pool,
                    frag_size,
                    room,
                    deficit: AtomicU64::new(0),
                },
                GFP_KERNEL,
            )?;
        }
        let this = Self { dma, pools };
        for (i, (_, count)) in POOLS.iter().enumerate() {
            let mut left = *count;
            while left > 0 {
                let n = this.add(&this.pools[i], left.min(MAX_BUFS_PER_CMD));
                if n == 0 {
                    return Err(ENOMEM);
                }
                left -= n;
            }
        }
        Ok(this)
    }

    /// The pools and the bytes of a buffer the port may write, smallest
    /// first (the port's RX configuration).
    pub(crate) fn rx_pools(&self) -> Result<KVec<(Arc<Pool>, u32)>> {
        let mut v = KVec::with_capacity(self.pools.len(), GFP_KERNEL)?;
        for p in self.pools.iter() {
            v.push((p.pool.shared(), p.room), GFP_KERNEL)?;
        }
        Ok(v)
    }

    /// Calls `f(bpid, bytes, pool)` for every pool (ethtool, debugfs).
    pub(crate) fn for_each(&self, mut f: impl FnMut(u8, u32, &Pool)) {
        for p in self.pools.iter() {
            f(p.pool.bpid(), p.room, &p.pool);
        }
    }

    /// Allocates and maps up to `n` (<= 8) buffers into `p`; returns how
    /// many went in.
    fn add(&self, p: &SizedPool, n: usize) -> usize {
        let mut bufs = [0u64; MAX_BUFS_PER_CMD];
        let mut got = 0;
        while got < n.min(MAX_BUFS_PER_CMD) {
            let Some(a) = Frag::alloc(p.frag_size)
                .and_then(|f| f.into_dma(&*self.dma, p.room, Dir::Bidirectional))
            else {
                break;
            };
            bufs[got] = a;
            got += 1;
        }
        // A failed release frees the buffers itself.
        match p.pool.release(&bufs[..got]) {
            Ok(()) => got,
            Err(_) => 0,
        }
    }

    fn pool(&self, bpid: u8) -> Option<&SizedPool> {
        self.pools.iter().find(|p| p.pool.bpid() == bpid)
    }

    /// A buffer for a frame of `len` bytes at the port's data offset: from
    /// the smallest pool that fits it, else a larger one.
    pub(crate) fn acquire(&self, len: u32) -> Option<Buf> {
        let sizes = self.pools.iter().map(|p| p.room);
        let (i, addr) = choose(sizes, RX_OFFSET as u32 + len, true, |i| {
            let mut b = [0u64; 1];
            self.pools[i].pool.acquire(&mut b).then_some(b[0])
        })
        .ok()?;
        Some(Buf {
            bpid: self.pools[i].pool.bpid(),
            addr,
        })
    }

    /// Gives a buffer back to its pool.
    pub(crate) fn release(&self, buf: Buf) {
        // SAFETY: the type invariant: the buffer is ours to give back.
        unsafe { self.release_addr(buf.bpid, buf.addr) }
    }

    /// # Safety
    ///
    /// The buffer at `addr` is the caller's and not used after.
    unsafe fn release_addr(&self, bpid: u8, addr: u64) {
        match self.pool(bpid) {
            Some(p) => {
                let _ = p.pool.release(&[addr]);
            }
            None => pr_err!("dpaa switch: buffer {addr:#x} of unknown pool {bpid}\n"),
        }
    }

    /// Gives the buffer of a contiguous FD back to its pool.
    ///
    /// # Safety
    ///
    /// The FD's buffer is the caller's (dequeued, drained, rejected back
    /// to it, or never given on) and is not used after.
    pub(crate) unsafe fn release_fd(&self, fd: &QmFd) {
        // SAFETY: the caller's guarantee.
        unsafe { self.release_addr(fd.bpid(), fd.addr()) }
    }

    /// The bytes of `fd`'s frame, checked against its pool's buffers.
    fn span(&self, fd: &QmFd) -> Option<(&SizedPool, usize, usize)> {
        let p = self.pool(fd.bpid())?;
        let (off, len) = (fd.offset() as usize, fd.length() as usize);
        (fd.format() == Some(Format::Contig) && off + len <= p.room as usize)
            .then_some((p, off, len))
    }

    /// Runs `f` on the frame of `fd`, a contiguous FD of one of the port's
    /// buffers (synced for the CPU first); `None` if it is not one.
    ///
    /// # Safety
    ///
    /// The buffer is the caller's (dequeued, not released or enqueued) for
    /// the duration of the call; it is enqueued or released only after
    /// its last use in `f`.
    pub(crate) unsafe fn with_frame<R>(&self, fd: &QmFd, f: impl FnOnce(&[u8]) -> R) -> Option<R> {
        let (p, off, len) = self.span(fd)?;
        let base = self.dma.virt(fd.addr(), p.room as usize)?;
        // SAFETY: a live mapping of the port (the buffer is in an FD, so
        // mapped), `off + len` within it (checked by `span`).
        unsafe {
            self.dma
                .sync_for_cpu(fd.addr() + off as u64, len, Dir::Bidirectional)
        };
        // SAFETY: the buffer is the caller's and `off + len` lies in it; the
        // device does not write it while the caller has it.
        Some(f(unsafe {
            core::slice::from_raw_parts(base.as_ptr().add(off), len)
        }))
    }

    /// Runs `f` on the `len` bytes at the data offset of `buf` to fill
    /// them, hands them to the device and returns the FD of the frame: the
    /// buffer is the FD's now. On failure the buffer is back in its pool:
    /// `Err(Some(e))` if `f` failed, `Err(None)` if `buf` cannot hold a
    /// frame of `len` bytes.
    pub(crate) fn fill<E>(
        &self,
        buf: Buf,
        len: u32,
        f: impl FnOnce(&mut [u8]) -> Result<(), E>,
    ) -> Result<QmFd, Option<E>> {
        let fits = self.pool(buf.bpid).and_then(|p| {
            let fd = QmFd::contig(buf.bpid, buf.addr, RX_OFFSET, len).ok()?;
            let end = RX_OFFSET as usize + len as usize;
            (end <= p.room as usize).then_some(())?;
            Some((fd, self.dma.virt(buf.addr, end)?))
        });
        let Some((fd, base)) = fits else {
            self.release(buf);
            return Err(None);
        };
        let (off, len) = (RX_OFFSET as usize, len as usize);
        // SAFETY: `buf` is ours (its type invariant), and `off + len` lies
        // in it (checked against its pool's room).
        let r = f(unsafe { core::slice::from_raw_parts_mut(base.as_ptr().add(off), len) });
        if let Err(e) = r {
            self.release(buf);
            return Err(Some(e));
        }
        // SAFETY: a live mapping of the port covering the bytes written.
        unsafe {
            self.dma
                .sync_for_device(buf.addr + off as u64, len, Dir::Bidirectional)
        };
        // `buf` ends here: the FD holds the buffer now.
        Ok(fd)
    }

    /// Takes the buffer of `fd` out for good (the host builds an skb
    /// around it): unmapped, and the pool owed a new one.
    ///
    /// # Safety
    ///
    /// As [`PortBufs::with_frame`]; the buffer is not used as the pool's
    /// afterwards.
    pub(crate) unsafe fn take(&self, fd: &QmFd) -> Option<Frag> {
        let (p, _, _) = self.span(fd)?;
        p.deficit.fetch_add(1, Relaxed);
        // SAFETY: one of the pool's buffers, mapped by `add` with this
        // length and direction, ours (the caller's guarantee).
        Some(unsafe {
            Frag::from_dma(
                &*self.dma,
                fd.addr(),
                p.room,
                Dir::Bidirectional,
                p.frag_size,
            )
        })
    }

    /// Replaces the buffers taken out of the pools, in batches of 8:
    /// whoever sees a batch due takes a pool's whole deficit, and gives
    /// back what it could not allocate (the next caller tries again).
    pub(crate) fn replenish(&self) {
        for p in self.pools.iter() {
            if p.deficit.load(Relaxed) < MAX_BUFS_PER_CMD as u64 {
                continue;
            }
            let due = p.deficit.swap(0, Relaxed);
            let mut done = 0;
            while done < due {
                let n = self.add(p, (due - done).min(MAX_BUFS_PER_CMD as u64) as usize);
                if n == 0 {
                    break;
                }
                done += n as u64;
            }
            p.deficit.fetch_add(due - done, Relaxed);
        }
    }
}
