// SPDX-License-Identifier: GPL-2.0

//! NAPI contexts (`struct napi_struct`) with a Rust poll function.
//!
//! The DPAA model's portals are NAPI contexts of their own, on a dummy
//! net_device (as DPAA portals are shared by every interface of a port).

use crate::{ffi, kapi::skb::Skb};
use core::{marker::PhantomPinned, ptr::NonNull};
use kernel::{container_of, ffi::c_int, prelude::*, types::Opaque};

/// A poll function.
pub(crate) trait NapiPoll: Send + Sync {
    /// Processes up to `budget` work items; returns how many it did. Fewer
    /// than `budget` completes the poll (the context goes idle until the
    /// next [`Napi::schedule`]).
    fn poll(&self, napi: &NapiCtx, budget: i32) -> i32;

    /// The context went idle after a poll (`napi_complete_done()` said
    /// so): what re-arms the poll's source goes here (a QMan portal's DQRR
    /// interrupt).
    fn completed(&self) {}
}

/// What a poll function may do with its NAPI context (the `napi` of a
/// `struct dpaa_vdpa_napi`).
#[repr(transparent)]
pub(crate) struct NapiCtx(Opaque<ffi::napi_struct>);

impl NapiCtx {
    /// Schedules this context's poll on `cpu` (an IPI); false if that CPU
    /// is offline. Not with hard IRQs off (a poll is in softirq, IRQs on).
    #[cfg_attr(not(dpaa_qbman), allow(dead_code))]
    pub(crate) fn schedule_on(&self, cpu: usize) -> bool {
        // SAFETY: a `NapiCtx` is always the `napi` field (the first) of a
        // live, initialised `dpaa_vdpa_napi` (see `Napi`).
        unsafe {
            let outer = self.0.get().cast::<ffi::dpaa_vdpa_napi>();
            ffi::dpaa_vdpa_napi_schedule_on(outer, cpu as c_int) == 0
        }
    }

    /// Hands a received frame to GRO.
    pub(crate) fn gro_receive(&self, skb: Skb) {
        // SAFETY: we are in this NAPI's poll; the skb is ours to give.
        unsafe { ffi::napi_gro_receive(self.0.get(), skb.into_raw()) };
    }
}

/// The dummy net_device a NAPI context hangs off; freed on drop.
struct DummyDev(NonNull<ffi::net_device>);

impl Drop for DummyDev {
    fn drop(&mut self) {
        // SAFETY: allocated by alloc_netdev_dummy, its NAPI deleted (the
        // `napi` field drops first, see `Napi`'s drop).
        unsafe { ffi::free_netdev(self.0.as_ptr()) };
    }
}

/// A NAPI context with poll function `T`.
///
/// # Invariants
///
/// `napi.napi` is added to `dummy` and enabled, and `napi.kick` is an
/// initialised irq_work that schedules it, from the end of initialisation
/// until drop.
#[pin_data(PinnedDrop)]
pub(crate) struct Napi<T: NapiPoll> {
    #[pin]
    napi: Opaque<ffi::dpaa_vdpa_napi>,
    dummy: DummyDev,
    #[pin]
    poll: T,
    #[pin]
    _pin: PhantomPinned,
}

// SAFETY: NAPI is made to be scheduled from any CPU; `T` is Send + Sync.
unsafe impl<T: NapiPoll> Send for Napi<T> {}
// SAFETY: as above.
unsafe impl<T: NapiPoll> Sync for Napi<T> {}

impl<T: NapiPoll> Napi<T> {
    pub(crate) fn new(poll: impl PinInit<T, Error>) -> impl PinInit<Self, Error> {
        // SAFETY: allocation only.
        let dummy = unsafe { ffi::alloc_netdev_dummy(0) };
        let dummy_raw = dummy;
        let init = move |slot: *mut Opaque<ffi::dpaa_vdpa_napi>| {
            let slot = Opaque::raw_get(slot);
            // SAFETY: `slot` is valid for writes and pinned; zeroed is the
            // state netif_napi_add and init_irq_work expect; `dummy` was
            // checked non-NULL.
            unsafe {
                slot.write_bytes(0, 1);
                let napi = core::ptr::addr_of_mut!((*slot).napi);
                ffi::netif_napi_add_weight(
                    dummy_raw,
                    napi,
                    Some(Self::poll_cb),
                    ffi::NAPI_POLL_WEIGHT as c_int,
                );
                ffi::napi_enable(napi);
                ffi::dpaa_vdpa_napi_kick_init(slot);
            }
            Ok::<(), Error>(())
        };
        let dummy = NonNull::new(dummy);
        try_pin_init!(Self {
            dummy: DummyDev(dummy.ok_or(ENOMEM)?),
            poll <- poll,
            // SAFETY: `init` fully initialises the NAPI context.
            napi <- unsafe { kernel::init::pin_init_from_closure(init) },
            _pin: PhantomPinned,
        }? Error)
    }

    /// Makes the poll function run soon (softirq), unless it is already
    /// due. Any context, hard IRQs off included.
    pub(crate) fn schedule(&self) {
        // SAFETY: added and enabled (type invariant).
        unsafe { ffi::dpaa_vdpa_napi_schedule(self.napi.get()) };
    }

    /// The context as its poll function gets it (for work done on its
    /// behalf outside its poll, on its CPU, in softirq context).
    #[cfg_attr(not(dpaa_qbman), allow(dead_code))]
    pub(crate) fn napi_ctx(&self) -> &NapiCtx {
        // SAFETY: `NapiCtx` is a transparent wrapper of the napi_struct,
        // which is the first field of `dpaa_vdpa_napi`.
        unsafe { &*self.napi.get().cast::<NapiCtx>() }
    }

    pub(crate) fn handler(&self) -> &T {
        &self.poll
    }

    /// Waits until no poll runs and the last one completed, which hands
    /// up what GRO held (`napi_complete_done()` flushes it): skbs a poll
    /// gave GRO for a device are delivered once this returns. Schedules a
    /// poll after it, for work that came meanwhile. Process context.
    pub(crate) fn sync(&self) {
        let n = self.napi.get();
        // SAFETY: enabled and added (type invariant); napi_disable waits
        // for a scheduled or running poll to complete, napi_enable undoes
        // it: the type invariant holds again.
        unsafe {
            let napi = core::ptr::addr_of_mut!((*n).napi);
            ffi::napi_disable(napi);
            ffi::napi_enable(napi);
        }
        self.schedule();
    }

    /// # Safety
    ///
    /// Called by the net core with the `napi` of a live `Napi<T>`.
    unsafe extern "C" fn poll_cb(napi: *mut ffi::napi_struct, budget: c_int) -> c_int {
        // SAFETY: `napi` is the first field of the `dpaa_vdpa_napi` that is
        // the `napi` field of a `Napi<T>` (transparent Opaque), alive while
        // it is enabled.
        let this = unsafe {
            let outer = container_of!(napi, ffi::dpaa_vdpa_napi, napi);
            &*container_of!(outer.cast::<Opaque<ffi::dpaa_vdpa_napi>>(), Self, napi)
        };
        // SAFETY: transparent wrapper of the same napi_struct.
        let ctx = unsafe { &*napi.cast::<NapiCtx>() };
        let done = this.poll.poll(ctx, budget).clamp(0, budget);
        // SAFETY: in our own poll, as napi_complete_done requires.
        if done < budget && unsafe { ffi::napi_complete_done(napi, done) } {
            this.poll.completed();
        }
        done
    }
}

#[pinned_drop]
impl<T: NapiPoll> PinnedDrop for Napi<T> {
    fn drop(self: Pin<&mut Self>) {
        let n = self.napi.get();
        // SAFETY: enabled and added (type invariant); napi_disable waits for
        // a running poll and makes later schedules no-ops, the sync waits for
        // a pending kick; then the context and its dummy device go.
        unsafe {
            let napi = core::ptr::addr_of_mut!((*n).napi);
            ffi::napi_disable(napi);
            ffi::dpaa_vdpa_napi_kick_sync(n);
            ffi::dpaa_vdpa_netif_napi_del(napi);
        }
        // The dummy device goes after this, when the fields drop.
    }
}
