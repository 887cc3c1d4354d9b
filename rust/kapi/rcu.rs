// SPDX-License-Identifier: GPL-2.0

//! RCU (`include/linux/rcupdate.h`): read-side sections and grace periods.
//!
//! The 6.12 `kernel` crate has no RCU abstraction; this is the part the
//! driver needs. A [`Guard`] is a read-side critical section; [`synchronize`]
//! waits until every section that started before it has ended.

use crate::ffi;
use core::{
    marker::PhantomData,
    sync::atomic::{
        AtomicPtr,
        Ordering::{AcqRel, Acquire},
    },
};
use kernel::{prelude::*, sync::Arc};

/// An RCU read-side critical section, ended on drop.
///
/// # Invariants
///
/// `rcu_read_lock()` was called when it was made and `rcu_read_unlock()`
/// has not been called for it yet.
pub(crate) struct Guard(core::marker::PhantomData<*mut ()>);

/// Enters a read-side critical section (it must not sleep).
pub(crate) fn read_lock() -> Guard {
    // SAFETY: always allowed; the guard ends the section.
    unsafe { ffi::dpaa_vdpa_rcu_read_lock() };
    Guard(core::marker::PhantomData)
}

impl Drop for Guard {
    fn drop(&mut self) {
        // SAFETY: the section this guard opened (type invariant).
        unsafe { ffi::dpaa_vdpa_rcu_read_unlock() };
    }
}

/// [`synchronize`] for the networking paths (`synchronize_net()`):
/// expedited when RTNL is held, so configuration under RTNL does not wait
/// for a full grace period each time.
pub(crate) fn synchronize_net() {
    // SAFETY: the callers are config ops: process context.
    unsafe { ffi::synchronize_net() };
}

/// Waits for a grace period: every read-side section (and every region
/// with BHs or preemption off) that started before the call has ended.
/// Process context only (it sleeps).
pub(crate) fn synchronize() {
    // SAFETY: the callers are config ops and teardown: process context.
    unsafe { ffi::synchronize_rcu() };
}

/// An optional `Arc<T>` that readers reach under RCU without touching its
/// count (the datapath), and that configuration replaces.
///
/// # Invariants
///
/// `ptr` is null or comes from `KBox::into_raw` of a `KBox<Arc<T>>` that
/// this cell owns. A value replaced is freed only after a grace period:
/// no read-side section that could have loaded it is still running.
pub(crate) struct RcuArc<T: ?Sized> {
    ptr: AtomicPtr<Arc<T>>,
    /// Shares and sends the `Arc<T>` it holds: its bounds apply.
    _owns: PhantomData<Arc<T>>,
}

impl<T: ?Sized> RcuArc<T> {
    /// An empty cell.
    pub(crate) const fn new() -> Self {
        Self {
            ptr: AtomicPtr::new(core::ptr::null_mut()),
            _owns: PhantomData,
        }
    }

    /// The value, for as long as the read-side section `_g` lasts.
    pub(crate) fn get<'a>(&'a self, _g: &'a Guard) -> Option<&'a T> {
        let p = self.ptr.load(Acquire);
        // SAFETY: null or an owned `KBox<Arc<T>>` (type invariant), freed
        // only after a grace period, which `_g` holds off while borrowed.
        unsafe { p.as_ref() }.map(|a| &**a)
    }

    /// Publishes `new` and returns the old value after a grace period
    /// (`synchronize_net()`: process context, sleeps): once this returns,
    /// no read-side section that began before it is still running.
    pub(crate) fn replace(&self, new: Option<Arc<T>>) -> Result<Option<Arc<T>>> {
        let p = match new {
            Some(a) => KBox::into_raw(KBox::new(a, GFP_KERNEL)?),
            None => core::ptr::null_mut(),
        };
        let old = self.ptr.swap(p, AcqRel);
        synchronize_net();
        if old.is_null() {
            return Ok(None);
        }
        // SAFETY: ours (type invariant) and out of the cell; after the
        // grace period no reader holds it.
        Ok(Some(KBox::into_inner(unsafe { KBox::from_raw(old) })))
    }
}

impl<T: ?Sized> Drop for RcuArc<T> {
    fn drop(&mut self) {
        let p = *self.ptr.get_mut();
        if !p.is_null() {
            // SAFETY: ours (type invariant); `&mut self`: no reader borrows
            // the cell.
            drop(unsafe { KBox::from_raw(p) });
        }
    }
}
