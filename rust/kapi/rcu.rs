// SPDX-License-Identifier: GPL-2.0

//! RCU (`include/linux/rcupdate.h`): read-side sections and grace periods.
//!
//! The 6.12 `kernel` crate has no RCU abstraction; this is the part the
//! driver needs. A [`Guard`] is a read-side critical section; [`synchronize`]
//! waits until every section that started before it has ended.

use crate::ffi;

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
