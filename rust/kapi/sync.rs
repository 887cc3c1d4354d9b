// SPDX-License-Identifier: GPL-2.0

//! A spinlock that also disables bottom halves (`spin_lock_bh()`), as a
//! backend of the `kernel` crate's [`Lock`].
//!
//! The datapath state (frame queues, buffer pools, the classifier) is used
//! from NAPI polls (softirq) and from process context (configuration, the
//! host netdev's `ndo_start_xmit` runs with BHs off already): the 6.12
//! `SpinLock` does not disable BHs, so a softirq could deadlock on it.

use crate::ffi;
use kernel::sync::lock::{Backend, Lock};

/// A [`Lock`] taken with `spin_lock_bh()`.
pub(crate) type SpinLockBh<T> = Lock<T, SpinLockBhBackend>;

/// Creates an initialiser of lock type `$lock` (of this module) with its
/// own lockdep class (one per expansion site).
macro_rules! new_lock {
    ($lock:ident, $inner:expr, $name:literal) => {
        $crate::kapi::sync::$lock::new(
            $inner,
            ::kernel::c_str!($name),
            ::kernel::static_lock_class!(),
        )
    };
}
pub(crate) use new_lock;

/// Creates a [`SpinLockBh`] initialiser with its own lockdep class.
macro_rules! new_spinlock_bh {
    ($inner:expr, $name:literal $(,)?) => {
        $crate::kapi::sync::new_lock!(SpinLockBh, $inner, $name)
    };
}
pub(crate) use new_spinlock_bh;

/// What both backends' `init` is: `__spin_lock_init()`.
///
/// # Safety
///
/// As [`Backend::init`]: `ptr` valid for writes, `name` and `key` static.
unsafe fn init_spinlock(
    ptr: *mut kernel::bindings::spinlock_t,
    name: *const kernel::ffi::c_char,
    key: *mut kernel::bindings::lock_class_key,
) {
    // SAFETY: the caller's guarantee.
    unsafe { kernel::bindings::__spin_lock_init(ptr, name, key) }
}

/// The `spin_lock_bh()` backend.
pub(crate) struct SpinLockBhBackend;

// SAFETY: `spin_lock_bh()` gives exclusive access until `spin_unlock_bh()`,
// and the state is initialised by `__spin_lock_init()` before any use.
unsafe impl Backend for SpinLockBhBackend {
    type State = kernel::bindings::spinlock_t;
    type GuardState = ();

    unsafe fn init(
        ptr: *mut Self::State,
        name: *const kernel::ffi::c_char,
        key: *mut kernel::bindings::lock_class_key,
    ) {
        // SAFETY: the caller's guarantee, as `init_spinlock` requires.
        unsafe { init_spinlock(ptr, name, key) }
    }

    unsafe fn lock(ptr: *mut Self::State) -> Self::GuardState {
        // SAFETY: initialised by `init` (the caller's guarantee); the two
        // bindings describe the same C type.
        unsafe { ffi::dpaa_vdpa_spin_lock_bh(ptr.cast()) }
    }

    unsafe fn unlock(ptr: *mut Self::State, _guard_state: &Self::GuardState) {
        // SAFETY: the caller owns the lock.
        unsafe { ffi::dpaa_vdpa_spin_unlock_bh(ptr.cast()) }
    }
}

/// A [`Lock`] taken with `spin_lock_irqsave()`: for state that is also
/// reached with hard IRQs off (a vhost-vdpa kick runs in an eventfd's wakeup
/// callback, under `spin_lock_irq()`), where `spin_unlock_bh()` is a bug.
/// Hold it briefly, and take no [`SpinLockBh`] under it.
pub(crate) type SpinLockIrq<T> = Lock<T, SpinLockIrqBackend>;

/// Creates a [`SpinLockIrq`] initialiser with its own lockdep class.
macro_rules! new_spinlock_irq {
    ($inner:expr, $name:literal $(,)?) => {
        $crate::kapi::sync::new_lock!(SpinLockIrq, $inner, $name)
    };
}
pub(crate) use new_spinlock_irq;

/// The `spin_lock_irqsave()` backend; the guard keeps the saved flags.
pub(crate) struct SpinLockIrqBackend;

// SAFETY: `spin_lock_irqsave()` gives exclusive access until
// `spin_unlock_irqrestore()`, and the state is initialised by
// `__spin_lock_init()` before any use.
unsafe impl Backend for SpinLockIrqBackend {
    type State = kernel::bindings::spinlock_t;
    type GuardState = kernel::ffi::c_ulong;

    unsafe fn init(
        ptr: *mut Self::State,
        name: *const kernel::ffi::c_char,
        key: *mut kernel::bindings::lock_class_key,
    ) {
        // SAFETY: the caller's guarantee, as `init_spinlock` requires.
        unsafe { init_spinlock(ptr, name, key) }
    }

    unsafe fn lock(ptr: *mut Self::State) -> Self::GuardState {
        // SAFETY: initialised by `init` (the caller's guarantee); the two
        // bindings describe the same C type.
        unsafe { ffi::dpaa_vdpa_spin_lock_irqsave(ptr.cast()) }
    }

    unsafe fn unlock(ptr: *mut Self::State, flags: &Self::GuardState) {
        // SAFETY: the caller owns the lock; `flags` are what `lock` saved.
        unsafe { ffi::dpaa_vdpa_spin_unlock_irqrestore(ptr.cast(), *flags) }
    }
}
