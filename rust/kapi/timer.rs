// SPDX-License-Identifier: GPL-2.0

//! A periodic timer (`struct timer_list`, re-armed after each expiry).

use crate::ffi;
use core::marker::PhantomPinned;
use kernel::{ffi::c_void, prelude::*, types::Opaque};

/// What a [`Periodic`] timer does on each expiry (softirq context).
#[cfg_attr(dpaa_qbman, allow(dead_code))] // The model's only.
pub(crate) trait Tick: Send + Sync {
    fn tick(&self);
}

/// A timer calling `T::tick` every period until dropped.
///
/// # Invariants
///
/// The timer is armed from the end of initialisation until drop, with
/// `data` pointing at `self.data`.
#[pin_data(PinnedDrop)]
pub(crate) struct Periodic<T: Tick> {
    #[pin]
    timer: Opaque<ffi::dpaa_vdpa_timer>,
    data: T,
    #[pin]
    _pin: PhantomPinned,
}

// SAFETY: the timer may be stopped from any thread; `T` is Send + Sync.
unsafe impl<T: Tick> Send for Periodic<T> {}
// SAFETY: as above.
unsafe impl<T: Tick> Sync for Periodic<T> {}

#[cfg_attr(dpaa_qbman, allow(dead_code))] // The model's only.
impl<T: Tick> Periodic<T> {
    pub(crate) fn new(data: T, period_ms: u32) -> impl PinInit<Self, Error> {
        // SAFETY: the closure initialises `data` first, then arms the timer
        // with a pointer to the pinned, initialised `data`.
        unsafe {
            kernel::init::pin_init_from_closure(move |this: *mut Self| {
                let d = core::ptr::addr_of_mut!((*this).data);
                d.write(data);
                let t = Opaque::raw_get(core::ptr::addr_of!((*this).timer));
                ffi::dpaa_vdpa_timer_start(t, Some(Self::tick_cb), d.cast::<c_void>(), period_ms);
                Ok::<(), Error>(())
            })
        }
    }

    /// # Safety
    ///
    /// Called by the shim's timer with the `data` given at start.
    unsafe extern "C" fn tick_cb(data: *mut c_void) {
        // SAFETY: `data` is the `T` of a live `Periodic<T>`: drop stops the
        // timer (waiting for a running callback) before `T` goes.
        unsafe { &*data.cast::<T>() }.tick();
    }
}

#[pinned_drop]
impl<T: Tick> PinnedDrop for Periodic<T> {
    fn drop(self: Pin<&mut Self>) {
        // SAFETY: armed since initialisation (type invariant).
        unsafe { ffi::dpaa_vdpa_timer_stop(self.timer.get()) };
    }
}
