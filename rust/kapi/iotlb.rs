// SPDX-License-Identifier: GPL-2.0

//! Device IOTLBs (`struct vhost_iotlb`, `include/linux/vhost_iotlb.h`): the
//! IOVA -> physical address maps of a vDPA device's address spaces.

use crate::ffi;
use core::ptr::NonNull;
use kernel::{error::to_result, prelude::*};

/// Access bits of a mapping (`VHOST_MAP_RO/WO/RW`).
pub(crate) const MAP_RO: u32 = ffi::VHOST_MAP_RO;
pub(crate) const MAP_WO: u32 = ffi::VHOST_MAP_WO;

/// One mapping: `[start, last]` -> `addr`, with access `perm`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Mapping {
    pub(crate) start: u64,
    pub(crate) last: u64,
    pub(crate) addr: u64,
    pub(crate) perm: u32,
}

impl Mapping {
    /// # Safety
    ///
    /// `m` must point at a live `struct vhost_iotlb_map`.
    unsafe fn from_raw(m: *const ffi::vhost_iotlb_map) -> Self {
        // SAFETY: guaranteed by the caller.
        let m = unsafe { &*m };
        Self {
            start: m.start,
            last: m.last,
            addr: m.addr,
            perm: m.perm,
        }
    }
}

/// An IOTLB this driver owns.
///
/// # Invariants
///
/// `0` came from `vhost_iotlb_alloc()` and is freed only on drop.
pub(crate) struct Iotlb(NonNull<ffi::vhost_iotlb>);

// SAFETY: a plain data structure; `&mut self` serialises changes and the
// owner serialises lookups against them (it keeps the IOTLB under a lock).
unsafe impl Send for Iotlb {}
// SAFETY: lookups through `&self` do not modify the tree.
unsafe impl Sync for Iotlb {}

impl Iotlb {
    /// An empty IOTLB of at most `limit` mappings (0 is refused by every
    /// add: give a real bound).
    pub(crate) fn new(limit: u32) -> Result<Self> {
        // SAFETY: plain allocation; no flags (a full IOTLB refuses adds).
        let p = unsafe { ffi::vhost_iotlb_alloc(limit, 0) };
        NonNull::new(p).map(Self).ok_or(ENOMEM)
    }

    /// Maps `[start, last]` to `addr`.
    pub(crate) fn add(&mut self, start: u64, last: u64, addr: u64, perm: u32) -> Result {
        // SAFETY: a live IOTLB (type invariant), exclusively borrowed.
        to_result(unsafe { ffi::vhost_iotlb_add_range(self.0.as_ptr(), start, last, addr, perm) })
    }

    /// Unmaps whatever overlaps `[start, last]`.
    pub(crate) fn del(&mut self, start: u64, last: u64) {
        // SAFETY: as above.
        unsafe { ffi::vhost_iotlb_del_range(self.0.as_ptr(), start, last) }
    }

    /// The mapping holding `iova`.
    pub(crate) fn lookup(&self, iova: u64) -> Option<Mapping> {
        self.first_in(iova, iova)
    }

    /// The first mapping overlapping `[start, last]`.
    pub(crate) fn first_in(&self, start: u64, last: u64) -> Option<Mapping> {
        // SAFETY: a live IOTLB; the tree is not changed concurrently (see
        // the Sync impl). The map is copied before the borrow ends.
        unsafe {
            let m = ffi::vhost_iotlb_itree_first(self.0.as_ptr(), start, last);
            (!m.is_null()).then(|| Mapping::from_raw(m))
        }
    }
}

impl Drop for Iotlb {
    fn drop(&mut self) {
        // SAFETY: allocated by `vhost_iotlb_alloc` (type invariant), freed once.
        unsafe { ffi::vhost_iotlb_free(self.0.as_ptr()) }
    }
}
