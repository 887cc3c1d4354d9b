// SPDX-License-Identifier: GPL-2.0

//! The model's DMA: how the FMan reaches a buffer given its address.
//!
//! Every address in a frame descriptor or a buffer pool belongs to its
//! owner's address space: the host's (the kernel's direct map, as the DMA
//! API gives on a board without an IOMMU) or a vDPA device's (its IOTLB).
//! The FMan reaches an address through the owner's [`Dma`] only; an address
//! the space does not map is a fault the owner hears of, never an access.

use crate::{
    dpaa::{Dma, DmaFault},
    ffi,
};

/// The host's space: buffers of the kernel's direct map, by physical address.
pub(crate) struct HostDma;

impl HostDma {
    /// The host memory at `addr` (a host buffer: netdev page fragments, skb
    /// data), borrowed for as long as its owner keeps the buffer.
    ///
    /// # Safety
    ///
    /// `[addr, addr + len)` must be direct-map memory the caller's frame
    /// owns until the borrow ends.
    pub(crate) unsafe fn slice<'a>(addr: u64, len: usize) -> &'a [u8] {
        // SAFETY: guaranteed by the caller.
        unsafe { core::slice::from_raw_parts(ffi::dpaa_vdpa_phys_to_virt(addr).cast::<u8>(), len) }
    }
}

impl Dma for HostDma {
    fn read(&self, addr: u64, out: &mut [u8]) -> Result<(), DmaFault> {
        // SAFETY: host buffers are direct-map memory owned by their pool
        // or frame while the FMan uses them.
        out.copy_from_slice(unsafe { Self::slice(addr, out.len()) });
        Ok(())
    }

    fn write(&self, addr: u64, data: &[u8]) -> Result<(), DmaFault> {
        // SAFETY: as above; the buffer was acquired from its pool.
        unsafe {
            core::ptr::copy_nonoverlapping(
                data.as_ptr(),
                ffi::dpaa_vdpa_phys_to_virt(addr).cast::<u8>(),
                data.len(),
            )
        };
        Ok(())
    }
}
