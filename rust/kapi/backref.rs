// SPDX-License-Identifier: GPL-2.0

//! References from what an owner owns back to the owner.
//!
//! FQ handlers, congestion-group owners and pool DMA views are called from
//! QMan's portals and need the object that created them (a host interface
//! in its net_device's private area, a vDPA device). That object tears
//! them down (retires and drains its FQs, drops its groups and pools)
//! before it goes, which a lifetime cannot say: the handlers are
//! `'static` to QMan. A [`BackRef`] carries that promise, made once where
//! the owner creates them, so that using one is safe.

use core::ptr::NonNull;

/// A shared reference to an owner that outlives every holder of this.
///
/// # Invariants
///
/// `self.0` points at a live `T` for as long as any copy of this exists.
pub(crate) struct BackRef<T: ?Sized>(NonNull<T>);

impl<T: ?Sized> BackRef<T> {
    /// A reference back to `owner`.
    ///
    /// # Safety
    ///
    /// `owner` does not move, and outlives every copy of the result: it
    /// drops (or waits out) every holder before it goes.
    pub(crate) unsafe fn new(owner: &T) -> Self {
        Self(NonNull::from(owner))
    }

    /// The owner.
    pub(crate) fn get(&self) -> &T {
        // SAFETY: live while this exists (type invariant).
        unsafe { self.0.as_ref() }
    }
}

impl<T: ?Sized> Clone for BackRef<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: ?Sized> Copy for BackRef<T> {}

// SAFETY: a `BackRef` gives only `&T`, from any thread: sending it is
// sharing `T`, which `T: Sync` allows.
unsafe impl<T: ?Sized + Sync> Send for BackRef<T> {}
// SAFETY: as above.
unsafe impl<T: ?Sized + Sync> Sync for BackRef<T> {}
