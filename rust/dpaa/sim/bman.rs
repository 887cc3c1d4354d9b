// SPDX-License-Identifier: GPL-2.0

//! BMan model: buffer pools.
//!
//! A pool holds buffer addresses; `release` puts up to 8 back, `acquire`
//! takes up to 8 (all or nothing, as `bman_acquire()`), and an acquire that
//! finds too few is counted as a depletion. Buffers are the owner's: the
//! pool only keeps their addresses, and gives every one back at teardown.

use crate::{
    dpaa::{BufFree, PoolStats, MAX_BUFS_PER_CMD},
    kapi::sync::{new_spinlock_bh, SpinLockBh},
};
use core::sync::atomic::{AtomicBool, Ordering::Relaxed};
use kernel::{prelude::*, sync::Arc};

/// BPIDs BMan has (`BM_POOL_MAX`; 0 is reserved, 0xff means "no pool" in
/// an FD).
const MAX_BPIDS: usize = 64;

struct Stack {
    addrs: KVec<u64>,
    len: usize,
}

/// A buffer pool.
#[pin_data(PinnedDrop)]
pub(crate) struct Pool {
    bpid: u8,
    free_buf: Arc<dyn BufFree>,
    /// Unregistered: released buffers are freed, not kept.
    closed: AtomicBool,
    #[pin]
    stack: SpinLockBh<Stack>,
    pub(crate) stats: PoolStats,
    /// Fault injection: every acquire fails.
    deplete: AtomicBool,
}

impl Pool {
    pub(crate) fn bpid(&self) -> u8 {
        self.bpid
    }

    /// Buffers in the pool.
    pub(crate) fn count(&self) -> usize {
        self.stack.lock().len
    }

    pub(super) fn capacity(&self) -> usize {
        self.stack.lock().addrs.len()
    }

    pub(super) fn depleted_by_fault(&self) -> bool {
        self.deplete.load(Relaxed)
    }

    /// Gives buffers back (at most 8). Buffers that do not fit, or go to a
    /// closed pool, are freed: a release never loses a buffer.
    pub(crate) fn release(&self, bufs: &[u64]) -> Result {
        if bufs.len() > MAX_BUFS_PER_CMD {
            return Err(EINVAL);
        }
        let mut s = self.stack.lock();
        if self.closed.load(Relaxed) || s.len + bufs.len() > s.addrs.len() {
            drop(s);
            bufs.iter().for_each(|&b| self.free_buf.free(b));
            return Err(ENOSPC);
        }
        for &b in bufs {
            let i = s.len;
            s.addrs[i] = b;
            s.len += 1;
        }
        drop(s);
        self.stats.released.fetch_add(bufs.len() as u64, Relaxed);
        Ok(())
    }

    /// Takes `out.len()` (at most 8) buffers, or none (`bman_acquire()`).
    pub(crate) fn acquire(&self, out: &mut [u64]) -> bool {
        if out.len() > MAX_BUFS_PER_CMD {
            return false;
        }
        let ok = !self.deplete.load(Relaxed) && {
            let mut s = self.stack.lock();
            if s.len >= out.len() {
                for o in out.iter_mut() {
                    s.len -= 1;
                    *o = s.addrs[s.len];
                }
                true
            } else {
                false
            }
        };
        if ok {
            self.stats.acquired.fetch_add(out.len() as u64, Relaxed);
        } else {
            self.stats.depleted.fetch_add(1, Relaxed);
        }
        ok
    }

    /// Closes the pool and frees every buffer in it.
    fn close(&self) {
        self.closed.store(true, Relaxed);
        let mut s = self.stack.lock();
        while s.len > 0 {
            s.len -= 1;
            self.free_buf.free(s.addrs[s.len]);
        }
    }
}

#[pinned_drop]
impl PinnedDrop for Pool {
    fn drop(self: Pin<&mut Self>) {
        self.close();
    }
}

/// The BMan model: the BPID space.
#[pin_data]
pub(crate) struct Bman {
    #[pin]
    pools: SpinLockBh<Slots>,
}

/// Pools by BPID, and BPIDs reserved for pools being made.
struct Slots {
    pools: KVec<Option<Arc<Pool>>>,
    reserved: KVec<bool>,
}

impl Bman {
    pub(crate) fn new() -> Result<Arc<Self>> {
        let mut pools = KVec::with_capacity(MAX_BPIDS, GFP_KERNEL)?;
        for _ in 0..MAX_BPIDS {
            pools.push(None, GFP_KERNEL)?;
        }
        let slots = Slots {
            pools,
            reserved: KVec::from_elem(false, MAX_BPIDS, GFP_KERNEL)?,
        };
        Arc::pin_init(
            try_pin_init!(Self { pools <- new_spinlock_bh!(slots, "bman_pools") }? Error),
            GFP_KERNEL,
        )
    }

    /// `bman_new_pool()`: a pool of up to `capacity` buffers (the model's
    /// stockpile), whose buffers are freed with `free_buf` at teardown.
    pub(crate) fn new_pool(&self, capacity: usize, free_buf: Arc<dyn BufFree>) -> Result<PoolRef> {
        let v = self.new_pools(1, capacity, free_buf)?;
        v.into_iter().next().ok_or(EINVAL)
    }

    /// `count` pools like [`Bman::new_pool`]'s, with consecutive BPIDs.
    pub(crate) fn new_pools(
        &self,
        count: usize,
        capacity: usize,
        free_buf: Arc<dyn BufFree>,
    ) -> Result<KVec<PoolRef>> {
        if count == 0 {
            return Err(EINVAL);
        }
        // Reserve the BPIDs under the lock, make the pools outside it (that
        // may sleep), then publish them.
        let first = {
            let mut slots = self.pools.lock();
            let free = |s: &Slots, b: usize| s.pools[b].is_none() && !s.reserved[b];
            let first = (1..=MAX_BPIDS - count)
                .find(|&b| (b..b + count).all(|i| free(&slots, i)))
                .ok_or(ENOSPC)?;
            slots.reserved[first..first + count].fill(true);
            first
        };
        let made = (|| -> Result<KVec<Arc<Pool>>> {
            let mut v = KVec::with_capacity(count, GFP_KERNEL)?;
            for i in 0..count {
                let free_buf = free_buf.clone();
                let pool = Arc::pin_init(
                    try_pin_init!(Pool {
                        bpid: (first + i) as u8,
                        free_buf,
                        closed: AtomicBool::new(false),
                        stack <- new_spinlock_bh!(
                            Stack { addrs: KVec::from_elem(0, capacity, GFP_KERNEL)?, len: 0 },
                            "bman_pool"
                        ),
                        stats: PoolStats::default(),
                        deplete: AtomicBool::new(false),
                    }? Error),
                    GFP_KERNEL,
                )?;
                v.push(pool, GFP_KERNEL)?;
            }
            Ok(v)
        })();
        let out = KVec::with_capacity(count, GFP_KERNEL);
        let mut slots = self.pools.lock();
        slots.reserved[first..first + count].fill(false);
        let pools = made?;
        let mut out = out?;
        for p in pools.into_iter() {
            slots.pools[p.bpid as usize] = Some(p.clone());
            // Capacity reserved above: cannot fail.
            let _ = out.push(
                PoolRef {
                    pool: p,
                    bman: self as *const Bman,
                },
                GFP_ATOMIC,
            );
        }
        Ok(out)
    }

    /// The pool with BPID `bpid`, if one is registered (the model's FMan).
    pub(crate) fn lookup(&self, bpid: u8) -> Option<Arc<Pool>> {
        self.pools.lock().pools.get(bpid as usize)?.clone()
    }

    /// Calls `f` on every pool (debugfs).
    pub(super) fn for_each_pool(&self, mut f: impl FnMut(&Pool)) {
        for bpid in 1..MAX_BPIDS {
            if let Some(p) = self.lookup(bpid as u8) {
                f(&p);
            }
        }
    }

    /// Fault injection: pool `bpid` acts depleted (or not).
    pub(super) fn set_deplete(&self, bpid: u8, on: bool) -> Result {
        self.lookup(bpid).ok_or(ENOENT)?.deplete.store(on, Relaxed);
        Ok(())
    }
}

/// A pool owned by one user; its BPID is freed on drop. The owner drains
/// the buffers first.
pub(crate) struct PoolRef {
    pool: Arc<Pool>,
    /// The BMan the pool is registered with; it outlives every pool.
    bman: *const Bman,
}

// SAFETY: `bman` is only used to unregister, from any thread.
unsafe impl Send for PoolRef {}
// SAFETY: as above.
unsafe impl Sync for PoolRef {}

impl PoolRef {
    /// A shared handle on the pool, for the users of its buffers; the BPID
    /// stays this `PoolRef`'s.
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
        // SAFETY: BMan outlives its pools (the module drops ports first).
        let bman = unsafe { &*self.bman };
        bman.pools.lock().pools[self.pool.bpid as usize] = None;
        // Buffers in flight come back to a closed pool and are freed then.
        self.pool.close();
    }
}
