// SPDX-License-Identifier: GPL-2.0

//! Physical pages: the vDPA IOTLB gives physical addresses (the pages
//! vhost-vdpa pinned), which the relay reaches through the direct map while
//! it holds its own references on them.

use crate::ffi;

const PAGE: u64 = 4096;

/// Whether every page of `[pa, pa + len)` is RAM with a struct page.
pub(crate) fn ram(pa: u64, len: u64) -> bool {
    let Some(last) = len.checked_sub(1).and_then(|l| pa.checked_add(l)) else {
        return false;
    };
    let mut p = pa & !(PAGE - 1);
    while p <= last {
        // SAFETY: a pure lookup of the PFN.
        if !unsafe { ffi::dpaa_vdpa_phys_valid(p) } {
            return false;
        }
        p += PAGE;
    }
    true
}

/// The direct-map address of `pa`, which [`ram`] said is RAM.
pub(crate) fn direct(pa: u64) -> *mut u8 {
    // SAFETY: only address arithmetic (`phys_to_virt()`); the caller
    // dereferences it only for RAM with a struct page, which the direct
    // map covers.
    unsafe { ffi::dpaa_vdpa_phys_to_virt(pa).cast() }
}

/// Takes a reference on every page of `[pa, pa + len)`; false (and none
/// taken) if one is not a page.
pub(crate) fn get_pages(pa: u64, len: u64) -> bool {
    // SAFETY: the shim checks every PFN before it takes a reference.
    unsafe { ffi::dpaa_vdpa_get_pages(pa, len) }
}

/// Drops what [`get_pages`] took for the same range.
///
/// # Safety
///
/// Every page of `[pa, pa + len)` has a reference the caller took with
/// [`get_pages`] and gives up now.
pub(crate) unsafe fn put_pages(pa: u64, len: u64) {
    // SAFETY: the caller's guarantee.
    unsafe { ffi::dpaa_vdpa_put_pages(pa, len) }
}
