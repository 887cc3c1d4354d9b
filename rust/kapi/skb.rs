// SPDX-License-Identifier: GPL-2.0

//! Socket buffers (`struct sk_buff`) owned by the driver.

use crate::ffi;
use core::ptr::NonNull;

/// An `sk_buff` the driver owns: freed on drop unless handed on.
///
/// # Invariants
///
/// `self.0` is a valid `sk_buff` that nobody else frees.
pub(crate) struct Skb(NonNull<ffi::sk_buff>);

// SAFETY: an owned skb may move between CPUs.
unsafe impl Send for Skb {}

impl Skb {
    /// Takes ownership of `skb`.
    ///
    /// # Safety
    ///
    /// `skb` must be a valid `sk_buff` whose ownership passes to the caller.
    pub(crate) unsafe fn from_raw(skb: *mut ffi::sk_buff) -> Option<Self> {
        NonNull::new(skb).map(Self)
    }

    /// Gives up ownership (it is now the caller's to free).
    pub(crate) fn into_raw(self) -> *mut ffi::sk_buff {
        let p = self.0.as_ptr();
        core::mem::forget(self);
        p
    }

    pub(crate) fn as_ptr(&self) -> *mut ffi::sk_buff {
        self.0.as_ptr()
    }

    /// Total length (linear part and fragments).
    pub(crate) fn len(&self) -> u32 {
        // SAFETY: valid skb (type invariant).
        unsafe { (*self.0.as_ptr()).len }
    }

    /// The linear part.
    pub(crate) fn head(&self) -> &[u8] {
        // SAFETY: `data` points at `headlen` readable bytes of a valid skb.
        unsafe {
            let len = ffi::dpaa_vdpa_skb_headlen(self.0.as_ptr());
            core::slice::from_raw_parts((*self.0.as_ptr()).data, len as usize)
        }
    }

    /// Number of paged fragments.
    pub(crate) fn nr_frags(&self) -> u32 {
        // SAFETY: valid skb (type invariant).
        unsafe { ffi::dpaa_vdpa_skb_nr_frags(self.0.as_ptr()) }
    }

    /// Makes the headroom at least `len` bytes and private (writable).
    pub(crate) fn cow_head(&mut self, len: u32) -> kernel::error::Result {
        // SAFETY: valid skb (type invariant).
        kernel::error::to_result(unsafe { ffi::dpaa_vdpa_skb_cow_head(self.0.as_ptr(), len) })
    }

    /// Address of the first byte of data.
    pub(crate) fn data_ptr(&self) -> *mut u8 {
        // SAFETY: valid skb (type invariant).
        unsafe { (*self.0.as_ptr()).data }
    }
}

impl Drop for Skb {
    fn drop(&mut self) {
        // SAFETY: we own the skb (type invariant); any context is fine.
        unsafe { ffi::dpaa_vdpa_dev_kfree_skb_any(self.0.as_ptr()) };
    }
}
