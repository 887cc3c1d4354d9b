// SPDX-License-Identifier: GPL-2.0

//! Socket buffers (`struct sk_buff`) owned by the driver, and the page
//! fragments received frames are built in.

use crate::{
    ffi,
    kapi::{napi::NapiCtx, netdev::NetDev},
};
use core::ptr::NonNull;

/// Bytes `build_skb()` puts after a frame's data for its
/// `struct skb_shared_info`.
pub(crate) fn shinfo_size() -> u32 {
    // SAFETY: a constant of the kernel's build.
    unsafe { ffi::dpaa_vdpa_skb_shinfo_size() }
}

/// A page fragment (`netdev_alloc_frag()`) the driver owns: freed on drop
/// unless handed on as an address.
///
/// # Invariants
///
/// `self.0` is a page fragment from `netdev_alloc_frag()` of `self.1`
/// bytes that nobody else frees.
pub(crate) struct Frag(NonNull<u8>, u32);

// SAFETY: an owned fragment may move between CPUs.
unsafe impl Send for Frag {}

impl Frag {
    /// A fragment of `size` bytes (atomic: may run in softirq).
    pub(crate) fn alloc(size: u32) -> Option<Self> {
        // SAFETY: plain allocation, any context.
        let p = unsafe { ffi::dpaa_vdpa_netdev_alloc_frag(size) };
        NonNull::new(p.cast()).map(|p| Self(p, size))
    }

    /// Hands the fragment on as its physical address (how pools and frame
    /// descriptors hold buffers); [`Frag::from_phys`] takes it back.
    pub(crate) fn into_phys(self) -> u64 {
        // SAFETY: a direct-map address (type invariant).
        let a = unsafe { ffi::dpaa_vdpa_virt_to_phys(self.0.as_ptr().cast()) };
        core::mem::forget(self);
        a
    }

    /// Takes back a fragment of `size` bytes handed on by `into_phys`.
    ///
    /// # Safety
    ///
    /// `phys` came from [`Frag::into_phys`] of a `size`-byte fragment whose
    /// ownership passes back to the caller (nobody else frees it).
    pub(crate) unsafe fn from_phys(phys: u64, size: u32) -> Self {
        // SAFETY: the direct-map address of a live fragment (the caller's
        // guarantee), so not null.
        Self(
            unsafe { NonNull::new_unchecked(ffi::dpaa_vdpa_phys_to_virt(phys).cast()) },
            size,
        )
    }
}

impl Frag {
    /// Frees a fragment handed on by `into_phys`, whatever its size.
    ///
    /// # Safety
    ///
    /// As for [`Frag::from_phys`].
    pub(crate) unsafe fn free_phys(phys: u64) {
        // SAFETY: the caller's guarantee; the size is not needed to free.
        drop(unsafe { Self::from_phys(phys, 0) });
    }
}

impl Drop for Frag {
    fn drop(&mut self) {
        // SAFETY: we own the fragment (type invariant); any context.
        unsafe { ffi::dpaa_vdpa_skb_free_frag(self.0.as_ptr().cast()) };
    }
}

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

    /// An skb around a received frame of `len` bytes at `offset` in `frag`
    /// (no copy), for `dev`, in the NAPI poll `_napi` (napi_build_skb uses
    /// the CPU's NAPI skb cache). `None` (the fragment freed) if the frame
    /// and the skb's shared info do not fit the fragment or no skb could be
    /// had.
    pub(crate) fn build_rx(
        frag: Frag,
        offset: u16,
        len: u32,
        dev: &NetDev,
        _napi: &NapiCtx,
    ) -> Option<Self> {
        let fits = (offset as u32)
            .checked_add(len)
            .and_then(|e| e.checked_add(shinfo_size()))
            .is_some_and(|e| e <= frag.1);
        if !fits {
            return None;
        }
        // SAFETY: a fragment of `frag.1` bytes we own; napi_build_skb takes
        // it over when it returns an skb.
        let skb = unsafe { ffi::napi_build_skb(frag.0.as_ptr().cast(), frag.1) };
        let skb = NonNull::new(skb).map(Self)?;
        core::mem::forget(frag);
        // SAFETY: `offset + len` bytes lie in the fragment, before the
        // shared info (checked above); `dev` is a valid net_device.
        unsafe {
            ffi::dpaa_vdpa_skb_reserve(skb.as_ptr(), offset as i32);
            ffi::skb_put(skb.as_ptr(), len);
            ffi::dpaa_vdpa_eth_type_trans(skb.as_ptr(), dev.as_raw());
        }
        Some(skb)
    }

    /// Makes the data one linear buffer (a copy when it has paged
    /// fragments or a frag list).
    pub(crate) fn linearize(&mut self) -> kernel::error::Result {
        if self.head().len() as u32 == self.len() {
            return Ok(());
        }
        // SAFETY: valid skb (type invariant); its data may be reallocated.
        kernel::error::to_result(unsafe { ffi::dpaa_vdpa_skb_linearize(self.0.as_ptr()) })
    }

    /// For TX the way `dpaa_eth` does it: writes a pointer to the skb into
    /// its headroom, 64-byte aligned and `ROOM` to `ROOM + 63` bytes before
    /// the data, and gives the skb up to that buffer. Returns the buffer's
    /// physical address and the data's offset in it; [`Skb::from_stash`]
    /// takes the skb back. The headroom is made private (a clone shares its
    /// head) and large enough first; if it cannot be, the skb is freed and
    /// `Err` returned.
    pub(crate) fn stash<const ROOM: usize>(mut self) -> Result<(u64, u16), ()> {
        const { assert!(ROOM >= 8 && ROOM <= 1024) };
        if self.cow_head(ROOM as u32 + 64).is_err() {
            return Err(());
        }
        let data = self.data_ptr() as usize;
        let buf = (data - ROOM) & !63;
        // SAFETY: `buf` is at most ROOM + 63 bytes before the data, inside
        // the skb's private headroom (made above), 8-byte aligned; the skb
        // is ours to give up.
        let phys = unsafe {
            (buf as *mut *mut ffi::sk_buff).write(self.into_raw());
            ffi::dpaa_vdpa_virt_to_phys(buf as *mut _)
        };
        Ok((phys, (data - buf) as u16))
    }

    /// Takes back an skb given up by [`Skb::stash`].
    ///
    /// # Safety
    ///
    /// `phys` is what a `stash` returned, and the skb is still given up
    /// (not taken back before).
    pub(crate) unsafe fn from_stash(phys: u64) -> Self {
        // SAFETY: the caller's guarantee: the buffer holds the pointer of a
        // valid skb whose ownership passes back.
        unsafe {
            let buf = ffi::dpaa_vdpa_phys_to_virt(phys).cast::<*mut ffi::sk_buff>();
            Self(NonNull::new_unchecked(buf.read()))
        }
    }

    /// Frees the skb as consumed (not dropped): into the CPU's NAPI skb
    /// cache when called in a NAPI poll (`napi`), else from any context.
    pub(crate) fn consume(self, napi: Option<&NapiCtx>) {
        // A non-zero budget means "in a NAPI poll": only with the proof.
        let budget = napi.map_or(0, |_| 64);
        // SAFETY: we own the skb; a non-zero budget only in a NAPI poll.
        unsafe { ffi::napi_consume_skb(self.into_raw(), budget) };
    }
}

impl Drop for Skb {
    fn drop(&mut self) {
        // SAFETY: we own the skb (type invariant); any context is fine.
        unsafe { ffi::dpaa_vdpa_dev_kfree_skb_any(self.0.as_ptr()) };
    }
}
