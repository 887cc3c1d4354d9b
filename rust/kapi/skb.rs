// SPDX-License-Identifier: GPL-2.0

//! Socket buffers (`struct sk_buff`) owned by the driver, and the page
//! fragments received frames are built in.

use crate::{
    ffi,
    kapi::{
        dma::{Dir, DmaMap},
        napi::NapiCtx,
        netdev::NetDev,
    },
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

    /// Hands the fragment to a device: maps its first `len` bytes (at most
    /// its size) for `dir` through `m` and returns the DMA address (how
    /// pools and frame descriptors hold buffers); [`Frag::from_dma`] takes
    /// it back. `None`, the fragment freed, if it cannot be mapped.
    pub(crate) fn into_dma(self, m: &dyn DmaMap, len: u32, dir: Dir) -> Option<u64> {
        let len = len.min(self.1) as usize;
        // SAFETY: the fragment is ours (type invariant) and is not freed
        // until `from_dma` takes it back: it is forgotten below.
        let addr = unsafe { m.map(self.0, len, dir) }?;
        core::mem::forget(self);
        Some(addr)
    }

    /// Takes back a fragment of `size` bytes handed to a device by
    /// [`Frag::into_dma`]`(m, len, dir)` at `addr`: unmaps it.
    ///
    /// # Safety
    ///
    /// `addr` came from `into_dma` through `m` with `len` and `dir`, of a
    /// `size`-byte fragment whose ownership passes back to the caller
    /// (nobody else takes it back), and the device is done with it.
    pub(crate) unsafe fn from_dma(
        m: &dyn DmaMap,
        addr: u64,
        len: u32,
        dir: Dir,
        size: u32,
    ) -> Self {
        // SAFETY: a live mapping of `m` the device is done with (the
        // caller's guarantee); it gives back the fragment's address.
        Self(unsafe { m.unmap(addr, len.min(size) as usize, dir) }, size)
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
    /// the data, gives the skb up to that buffer and maps the buffer (up to
    /// the end of the data) for the device through `m`. Returns the
    /// buffer's DMA address and the data's offset in it;
    /// [`Skb::from_stash`] takes the skb back. The headroom is made private
    /// (a clone shares its head) and large enough first, and the skb must
    /// be linear; if it cannot be stashed, it is freed and `Err` returned.
    pub(crate) fn stash<const ROOM: usize>(mut self, m: &dyn DmaMap) -> Result<(u64, u16), ()> {
        const { assert!(ROOM >= 8 && ROOM <= 1024) };
        if self.head().len() as u32 != self.len() || self.cow_head(ROOM as u32 + 64).is_err() {
            return Err(());
        }
        let data = self.data_ptr() as usize;
        let buf = (data - ROOM) & !63;
        let len = data - buf + self.len() as usize;
        // SAFETY: `buf` is at most ROOM + 63 bytes before the data, inside
        // the skb's private headroom (made above), 8-byte aligned, so not
        // null.
        let buf = unsafe {
            (buf as *mut *mut ffi::sk_buff).write(self.0.as_ptr());
            NonNull::new_unchecked(buf as *mut u8)
        };
        // SAFETY: the buffer is the skb's head, which is ours until
        // `from_stash` unmaps it and takes the skb back.
        let addr = unsafe { m.map(buf, len, Dir::ToDevice) }.ok_or(())?;
        core::mem::forget(self);
        Ok((addr, (data - buf.as_ptr() as usize) as u16))
    }

    /// Takes back an skb given up by [`Skb::stash`]`(m)`: unmaps its
    /// buffer, of which the frame's offset and length (an FD's) give the
    /// mapped length.
    ///
    /// # Safety
    ///
    /// `addr` is what a `stash` through `m` returned, `offset` and `len` the
    /// data's, the skb is still given up (not taken back before), and the
    /// device is done with the buffer.
    pub(crate) unsafe fn from_stash(m: &dyn DmaMap, addr: u64, offset: u16, len: u32) -> Self {
        // SAFETY: the caller's guarantee: a live mapping of `m` of the
        // buffer holding the pointer of a valid skb whose ownership passes
        // back.
        unsafe {
            let buf = m.unmap(addr, offset as usize + len as usize, Dir::ToDevice);
            Self(NonNull::new_unchecked(
                buf.as_ptr().cast::<*mut ffi::sk_buff>().read(),
            ))
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
