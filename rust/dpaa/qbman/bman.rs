// SPDX-License-Identifier: GPL-2.0

//! BMan on a QorIQ board: buffer pools through `include/soc/fsl/bman.h`.
//!
//! A pool holds the DMA addresses of the owner's buffers; the FMan takes
//! from it directly (RX) and gives back to it (a TX frame's buffer). BMan
//! cannot be asked what a pool holds without a management command, so
//! `count` is what software put in minus what software took out: the
//! FMan's takes and gives are not in it.

use crate::dpaa::{BufFree, PoolStats, MAX_BUFS_PER_CMD};
use core::{
    ptr::NonNull,
    sync::atomic::{
        AtomicBool, AtomicIsize,
        Ordering::{Acquire, Relaxed, Release},
    },
};
use kernel::{prelude::*, sync::Arc};

/// A buffer pool (`struct bman_pool`).
///
/// # Invariants
///
/// `raw` is a pool made by `bman_new_pool()`, freed on drop.
pub(crate) struct Pool {
    raw: NonNull<crate::ffi::dpaa_vdpa_bpool>,
    bpid: u8,
    free_buf: Arc<dyn BufFree>,
    /// Its owner let it go: released buffers are freed, not kept.
    closed: AtomicBool,
    /// Released minus acquired, by software.
    held: AtomicIsize,
    pub(crate) stats: PoolStats,
}

// SAFETY: BMan's commands on a pool may be issued from any CPU (each goes
// through the CPU's affine portal).
unsafe impl Send for Pool {}
// SAFETY: as above.
unsafe impl Sync for Pool {}

impl Pool {
    pub(crate) fn bpid(&self) -> u8 {
        self.bpid
    }

    /// What software released and did not take back (see the module doc).
    pub(crate) fn count(&self) -> usize {
        self.held.load(Relaxed).max(0) as usize
    }

    /// `bman_release()` of up to 8 buffers. A buffer BMan does not take
    /// (or a closed pool) is freed: a release never loses one.
    pub(crate) fn release(&self, bufs: &[u64]) -> Result {
        if bufs.is_empty() || bufs.len() > MAX_BUFS_PER_CMD {
            return Err(EINVAL);
        }
        // Under RCU: a close waits for releases that saw the pool open.
        let _rcu = crate::kapi::rcu::read_lock();
        let r = if self.closed.load(Acquire) {
            Err(ENOSPC)
        } else {
            // SAFETY: a live pool (type invariant), at most 8 addresses.
            kernel::error::to_result(unsafe {
                crate::ffi::dpaa_vdpa_bpool_release(
                    self.raw.as_ptr(),
                    bufs.as_ptr(),
                    bufs.len() as u8,
                )
            })
        };
        match r {
            Ok(()) => {
                self.held.fetch_add(bufs.len() as isize, Relaxed);
                self.stats.released.fetch_add(bufs.len() as u64, Relaxed);
            }
            Err(_) => bufs.iter().for_each(|&b| self.free_buf.free(b)),
        }
        r
    }

    /// `bman_acquire()`: `out.len()` (at most 8) buffers, or none.
    pub(crate) fn acquire(&self, out: &mut [u64]) -> bool {
        if out.is_empty() || out.len() > MAX_BUFS_PER_CMD {
            return false;
        }
        // SAFETY: a live pool (type invariant), room for the addresses.
        let got = unsafe {
            crate::ffi::dpaa_vdpa_bpool_acquire(
                self.raw.as_ptr(),
                out.as_mut_ptr(),
                out.len() as u8,
            )
        };
        if got == out.len() as i32 {
            self.held.fetch_sub(out.len() as isize, Relaxed);
            self.stats.acquired.fetch_add(out.len() as u64, Relaxed);
            true
        } else {
            self.stats.depleted.fetch_add(1, Relaxed);
            false
        }
    }

    /// Closes the pool, waits for releases that saw it open, and frees
    /// every buffer in it (the FMan's included: the port is disabled by
    /// then). Process context.
    fn close(&self) {
        self.closed.store(true, Release);
        crate::kapi::rcu::synchronize();
        self.drain();
    }

    /// Frees every buffer in the pool. Any context.
    fn drain(&self) {
        let mut b = [0u64; 1];
        // One at a time: an acquire of 8 fails when fewer are left.
        // Bounded: nothing releases into a closed pool.
        while self.acquire(&mut b) {
            self.free_buf.free(b[0]);
        }
    }
}

impl Drop for Pool {
    /// After its `PoolRef` closed it (the last reference may go in any
    /// context): what came back since is freed.
    fn drop(&mut self) {
        self.drain();
        // SAFETY: made in `new_pools`, freed once, empty.
        unsafe { crate::ffi::dpaa_vdpa_bpool_free(self.raw.as_ptr()) };
    }
}

/// BMan: pools come from its allocator (`bman_new_pool()`).
pub(crate) struct Bman(());

impl Bman {
    pub(crate) fn new() -> Result<Arc<Self>> {
        Ok(Arc::new(Self(()), GFP_KERNEL)?)
    }

    /// `bman_new_pool()`: a pool whose buffers are freed with `free_buf`
    /// at teardown. `capacity` is the model's: BMan's pools are bounded
    /// by its memory only.
    pub(crate) fn new_pool(&self, capacity: usize, free_buf: Arc<dyn BufFree>) -> Result<PoolRef> {
        let v = self.new_pools(1, capacity, free_buf)?;
        v.into_iter().next().ok_or(EINVAL)
    }

    /// `count` pools like [`Bman::new_pool`]'s (BPIDs as BMan gives them).
    pub(crate) fn new_pools(
        &self,
        count: usize,
        _capacity: usize,
        free_buf: Arc<dyn BufFree>,
    ) -> Result<KVec<PoolRef>> {
        let mut out = KVec::with_capacity(count, GFP_KERNEL)?;
        for _ in 0..count {
            // SAFETY: allocates a BPID and its pool object.
            let raw =
                NonNull::new(unsafe { crate::ffi::dpaa_vdpa_bpool_create() }).ok_or(ENOSPC)?;
            // SAFETY: a live pool.
            let bpid = unsafe { crate::ffi::dpaa_vdpa_bpool_bpid(raw.as_ptr()) };
            let pool = Arc::new(
                Pool {
                    raw,
                    bpid,
                    free_buf: free_buf.clone(),
                    closed: AtomicBool::new(false),
                    held: AtomicIsize::new(0),
                    stats: PoolStats::default(),
                },
                GFP_KERNEL,
            );
            let pool = match pool {
                Ok(p) => p,
                Err(e) => {
                    // SAFETY: made above, never shared.
                    unsafe { crate::ffi::dpaa_vdpa_bpool_free(raw.as_ptr()) };
                    return Err(e.into());
                }
            };
            out.push(PoolRef { pool }, GFP_KERNEL)?;
        }
        Ok(out)
    }
}

/// A pool owned by one user; closed (its buffers freed) on drop, and its
/// BPID freed with the last reference.
pub(crate) struct PoolRef {
    pool: Arc<Pool>,
}

impl PoolRef {
    /// A shared handle on the pool, for the users of its buffers.
    pub(crate) fn shared(&self) -> Arc<Pool> {
        self.pool.clone()
    }
}

impl core::ops::Deref for PoolRef {
    type Target = Pool;
    fn deref(&self) -> &Pool {
        &self.pool
    }
}

impl Drop for PoolRef {
    fn drop(&mut self) {
        // Buffers in flight come back to a closed pool and are freed then.
        self.pool.close();
    }
}
