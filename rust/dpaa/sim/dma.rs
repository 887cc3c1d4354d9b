// SPDX-License-Identifier: GPL-2.0

//! The model's DMA: how the FMan reaches a buffer given its address.
//!
//! Every address in a frame descriptor or a buffer pool belongs to its
//! owner's address space: the host's (the kernel's direct map, as the DMA
//! API gives on a board without an IOMMU) or a vDPA device's (its IOTLB).
//! The FMan resolves an address through the owner's [`Dma`] before each
//! access; an address the space does not map is a fault the owner hears of,
//! never an access.

use crate::ffi;

/// A piece of kernel memory an address resolved to.
#[derive(Clone, Copy)]
pub(crate) struct Span {
    pub(crate) ptr: *mut u8,
    pub(crate) len: usize,
}

/// Most pieces one buffer resolves to (a buffer crossing IOTLB entries).
pub(crate) const MAX_SPANS: usize = 8;

/// The pieces of one buffer, in order.
pub(crate) struct Spans {
    s: [Span; MAX_SPANS],
    n: usize,
}

impl Spans {
    pub(crate) const fn new() -> Self {
        Self {
            s: [Span {
                ptr: core::ptr::null_mut(),
                len: 0,
            }; MAX_SPANS],
            n: 0,
        }
    }

    /// Appends a piece; `Err` when there are too many.
    pub(crate) fn push(&mut self, ptr: *mut u8, len: usize) -> Result<(), DmaFault> {
        let slot = self.s.get_mut(self.n).ok_or(DmaFault)?;
        *slot = Span { ptr, len };
        self.n += 1;
        Ok(())
    }

    pub(crate) fn as_slice(&self) -> &[Span] {
        &self.s[..self.n]
    }
}

/// An address the owner's space does not map for the access.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DmaFault;

/// An owner's address space, as the FMan sees it.
pub(crate) trait Dma: Send + Sync {
    /// Resolves `len` bytes at `addr`, for writing if `write`, into `out`.
    fn resolve(&self, addr: u64, len: usize, write: bool, out: &mut Spans) -> Result<(), DmaFault>;

    /// The device met an address `resolve` refused: the owner's error.
    fn fault(&self) {}
}

/// Copies `data` to `addr` in `dma`'s space.
pub(crate) fn write(dma: &dyn Dma, addr: u64, data: &[u8]) -> Result<(), DmaFault> {
    let mut spans = Spans::new();
    dma.resolve(addr, data.len(), true, &mut spans)?;
    let mut done = 0;
    for s in spans.as_slice() {
        // SAFETY: `resolve` gave `s.len` writable bytes at `s.ptr`, and the
        // spans add up to `data.len()`.
        unsafe { core::ptr::copy_nonoverlapping(data[done..].as_ptr(), s.ptr, s.len) };
        done += s.len;
    }
    Ok(())
}

/// Copies `out.len()` bytes at `addr` in `dma`'s space into `out`.
pub(crate) fn read(dma: &dyn Dma, addr: u64, out: &mut [u8]) -> Result<(), DmaFault> {
    let mut spans = Spans::new();
    dma.resolve(addr, out.len(), false, &mut spans)?;
    let mut done = 0;
    for s in spans.as_slice() {
        // SAFETY: `resolve` gave `s.len` readable bytes at `s.ptr`, and the
        // spans add up to `out.len()`.
        unsafe { core::ptr::copy_nonoverlapping(s.ptr, out[done..].as_mut_ptr(), s.len) };
        done += s.len;
    }
    Ok(())
}

/// The host's space: buffers of the kernel's direct map, by physical address.
pub(crate) struct HostDma;

impl Dma for HostDma {
    fn resolve(
        &self,
        addr: u64,
        len: usize,
        _write: bool,
        out: &mut Spans,
    ) -> Result<(), DmaFault> {
        // SAFETY: host buffers (netdev page fragments, skb data) are
        // direct-map memory; their physical address maps back.
        let p = unsafe { ffi::dpaa_vdpa_phys_to_virt(addr) };
        out.push(p.cast(), len)
    }
}
