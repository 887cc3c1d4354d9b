// SPDX-License-Identifier: GPL-2.0

//! The model's IOMMU in strict mode: which pages the DMA API has mapped for
//! a port's device, in which direction, and the translation of the
//! addresses the device is given (IOVAs) back to bus addresses.
//!
//! The driver maps a buffer for the port's device (`dma_map_single()`) and
//! gets an IOVA; the model's FMan reaches memory only through
//! [`Iommu::translate`], which refuses an address that is not an IOVA (a
//! physical address handed over by mistake), a page not mapped or no longer
//! mapped (strict mode: an unmap takes effect at once), and an access the
//! mapping's direction does not allow (a `DMA_FROM_DEVICE` buffer is
//! write-only for the device: stricter than an SMMU, whose page tables
//! cannot express write-only). Pages are counted per
//! mapping: two buffers in one page (page fragments) keep it mapped until
//! both are unmapped, as an IOMMU's page granularity does.
//!
//! Pure logic: storage is the caller's (no allocation), and the model keeps
//! one of these under a lock per port.

/// A mapping's direction (`enum dma_data_direction`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dir {
    /// `DMA_BIDIRECTIONAL`: the device reads and writes.
    Bidirectional,
    /// `DMA_TO_DEVICE`: the device reads.
    ToDevice,
    /// `DMA_FROM_DEVICE`: the device writes.
    FromDevice,
}

impl Dir {
    fn counts(self) -> (u64, u64) {
        match self {
            Dir::Bidirectional => (1, 1),
            Dir::ToDevice => (1, 0),
            Dir::FromDevice => (0, 1),
        }
    }
}

/// What the device does at an address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// The device reads memory (TX, S/G tables).
    Read,
    /// The device writes memory (RX into pool buffers).
    Write,
}

/// Why a map or unmap was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MapError {
    /// The table is full (or a page is mapped too many times).
    Full,
    /// An unmap of pages not mapped in that direction (a driver bug: a
    /// double unmap, or the wrong length or direction).
    NotMapped,
    /// The range is empty or beyond the bus addresses the table covers.
    Range,
}

use core::ops::DerefMut;

/// Bits of an entry: read count, write count, page frame number + 1 (0 is
/// an empty slot).
const CNT_BITS: u32 = 12;
const CNT_MAX: u64 = (1 << CNT_BITS) - 1;
const PFN_SHIFT: u32 = 2 * CNT_BITS;
/// Bus addresses the table covers: 40 bits, as a frame descriptor carries.
pub const ADDR_BITS: u32 = 40;

/// A strict-mode IOMMU over caller-provided storage.
///
/// # Invariants
///
/// `slots.len()` is a power of two; every non-empty slot holds a page with a
/// non-zero count, found by linear probing from its hash with no empty slot
/// in between; `used` is the number of non-empty slots and stays at most
/// 3/4 of the capacity.
pub struct Iommu<S> {
    slots: S,
    used: usize,
    page_shift: u32,
    /// What the device is given: bus address + `base`.
    base: u64,
}

impl<S: DerefMut<Target = [u64]>> Iommu<S> {
    /// An empty table over `slots` (a power of two in length, zeroed), for
    /// pages of `1 << page_shift` bytes, handing out bus address + `base`
    /// as IOVAs (`base` above every bus address, so that a bus address is
    /// never a valid IOVA). `None` if the storage or base is unusable.
    pub fn new(mut slots: S, page_shift: u32, base: u64) -> Option<Self> {
        let n = slots.len();
        if !n.is_power_of_two()
            || !(9..=16).contains(&page_shift)
            || base < (1 << (ADDR_BITS - 1))
            || base.checked_add(1 << (ADDR_BITS - 1))? > 1 << ADDR_BITS
        {
            return None;
        }
        slots.fill(0);
        Some(Self {
            slots,
            used: 0,
            page_shift,
            base,
        })
    }

    /// Pages mapped now.
    pub fn pages(&self) -> usize {
        self.used
    }

    /// The page frames of `[bus, bus + len)`.
    fn pfns(&self, bus: u64, len: u64) -> Result<core::ops::RangeInclusive<u64>, MapError> {
        let last = bus.checked_add(len.checked_sub(1).ok_or(MapError::Range)?);
        match last {
            Some(l) if l < 1 << (ADDR_BITS - 1) => {
                Ok(bus >> self.page_shift..=l >> self.page_shift)
            }
            _ => Err(MapError::Range),
        }
    }

    fn home(&self, pfn: u64) -> usize {
        let mask = self.slots.len() - 1;
        (pfn.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 32) as usize & mask
    }

    /// The slot holding `pfn`, if any.
    fn find(&self, pfn: u64) -> Option<usize> {
        let s = &self.slots;
        let mask = s.len() - 1;
        let mut i = self.home(pfn);
        // Bounded: the table always has empty slots (invariant).
        for _ in 0..s.len() {
            match s[i] {
                0 => return None,
                e if e >> PFN_SHIFT == pfn + 1 => return Some(i),
                _ => i = (i + 1) & mask,
            }
        }
        None
    }

    /// Adds `(rd, wr)` to `pfn`'s counts, making its entry if needed.
    fn add(&mut self, pfn: u64, rd: u64, wr: u64) -> Result<(), MapError> {
        if let Some(i) = self.find(pfn) {
            let e = self.slots[i];
            let (r, w) = (e & CNT_MAX, (e >> CNT_BITS) & CNT_MAX);
            if r + rd > CNT_MAX || w + wr > CNT_MAX {
                return Err(MapError::Full);
            }
            self.slots[i] = e + rd + (wr << CNT_BITS);
            return Ok(());
        }
        let cap = self.slots.len();
        if (self.used + 1) * 4 > cap * 3 {
            return Err(MapError::Full);
        }
        let mask = cap - 1;
        let mut i = self.home(pfn);
        while self.slots[i] != 0 {
            i = (i + 1) & mask;
        }
        self.slots[i] = ((pfn + 1) << PFN_SHIFT) | rd | (wr << CNT_BITS);
        self.used += 1;
        Ok(())
    }

    /// Takes `(rd, wr)` off `pfn`'s counts (the caller checked they are
    /// there), removing the entry when both reach zero.
    fn sub(&mut self, pfn: u64, rd: u64, wr: u64) {
        let Some(mut i) = self.find(pfn) else {
            return;
        };
        let e = self.slots[i] - rd - (wr << CNT_BITS);
        if e & ((1 << PFN_SHIFT) - 1) != 0 {
            self.slots[i] = e;
            return;
        }
        // Backward-shift deletion keeps every probe chain unbroken.
        let mask = self.slots.len() - 1;
        let mut j = i;
        loop {
            j = (j + 1) & mask;
            let f = self.slots[j];
            if f == 0 {
                break;
            }
            let h = self.home((f >> PFN_SHIFT) - 1);
            // Move `f` into the hole unless its home lies cyclically in
            // (i, j].
            let stays = if i <= j {
                i < h && h <= j
            } else {
                i < h || h <= j
            };
            if !stays {
                self.slots[i] = f;
                i = j;
            }
        }
        self.slots[i] = 0;
        self.used -= 1;
    }

    /// `dma_map_single()`: maps `[bus, bus + len)` for the device in
    /// direction `dir`, all pages or none; returns the IOVA to give the
    /// device.
    pub fn map(&mut self, bus: u64, len: u64, dir: Dir) -> Result<u64, MapError> {
        let pfns = self.pfns(bus, len)?;
        let (rd, wr) = dir.counts();
        for pfn in pfns.clone() {
            if let Err(e) = self.add(pfn, rd, wr) {
                for done in *pfns.start()..pfn {
                    self.sub(done, rd, wr);
                }
                return Err(e);
            }
        }
        Ok(bus + self.base)
    }

    /// `dma_unmap_single()`: unmaps what [`Iommu::map`] mapped at `iova`
    /// (same length and direction); returns the bus address. Refused, and
    /// nothing changed, if a page is not mapped that way.
    pub fn unmap(&mut self, iova: u64, len: u64, dir: Dir) -> Result<u64, MapError> {
        let bus = iova.checked_sub(self.base).ok_or(MapError::NotMapped)?;
        let pfns = self.pfns(bus, len)?;
        let (rd, wr) = dir.counts();
        for pfn in pfns.clone() {
            let e = self.find(pfn).map_or(0, |i| self.slots[i]);
            if e & CNT_MAX < rd || (e >> CNT_BITS) & CNT_MAX < wr {
                return Err(MapError::NotMapped);
            }
        }
        for pfn in pfns {
            self.sub(pfn, rd, wr);
        }
        Ok(bus)
    }

    /// The device's `access` of `len` bytes at `iova`: the bus address if
    /// every page is mapped for it, `None` (an IOMMU fault) otherwise.
    pub fn translate(&self, iova: u64, len: u64, access: Access) -> Option<u64> {
        let bus = iova.checked_sub(self.base)?;
        let pfns = self.pfns(bus, len).ok()?;
        for pfn in pfns {
            let e = self.slots[self.find(pfn)?];
            let n = match access {
                Access::Read => e & CNT_MAX,
                Access::Write => (e >> CNT_BITS) & CNT_MAX,
            };
            if n == 0 {
                return None;
            }
        }
        Some(bus)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: u64 = 1 << 39;

    fn iommu(n: usize) -> Iommu<Vec<u64>> {
        Iommu::new(vec![0; n], 12, BASE).unwrap()
    }

    #[test]
    fn rejects_bad_setup() {
        assert!(Iommu::new(vec![0u64; 12], 12, BASE).is_none());
        assert!(Iommu::new(vec![0u64; 16], 12, 0).is_none());
        assert!(Iommu::new(vec![0u64; 16], 12, 1 << 40).is_none());
        assert!(Iommu::new(vec![0u64; 16], 30, BASE).is_none());
    }

    #[test]
    fn map_translate_unmap() {
        let mut m = iommu(64);
        let iova = m.map(0x1234_5000 + 100, 3000, Dir::FromDevice).unwrap();
        assert_eq!(iova, BASE + 0x1234_5000 + 100);
        assert_eq!(m.pages(), 1);
        // Written by the device: yes; read: the mapping does not allow it.
        assert_eq!(m.translate(iova, 3000, Access::Write), Some(0x1234_5064));
        assert_eq!(m.translate(iova, 3000, Access::Read), None);
        // The bus address itself is not an IOVA.
        assert_eq!(m.translate(0x1234_5064, 10, Access::Write), None);
        // Past the mapped page.
        assert_eq!(m.translate(iova, 5000, Access::Write), None);
        assert_eq!(m.unmap(iova, 3000, Dir::FromDevice), Ok(0x1234_5064));
        assert_eq!(m.pages(), 0);
        // Strict: gone at once, and a second unmap is a driver bug.
        assert_eq!(m.translate(iova, 1, Access::Write), None);
        assert_eq!(
            m.unmap(iova, 3000, Dir::FromDevice),
            Err(MapError::NotMapped)
        );
    }

    #[test]
    fn pages_are_counted_per_mapping() {
        let mut m = iommu(64);
        // Two 2 KiB fragments of one page, and a buffer straddling pages.
        let a = m.map(0x10000, 2048, Dir::FromDevice).unwrap();
        let b = m.map(0x10800, 2048, Dir::ToDevice).unwrap();
        let c = m.map(0x10f00, 0x200, Dir::Bidirectional).unwrap();
        assert_eq!(m.pages(), 2);
        assert_eq!(m.translate(c, 0x200, Access::Read), Some(0x10f00));
        m.unmap(a, 2048, Dir::FromDevice).unwrap();
        // Still mapped for reading (b) and writing (c) in the first page.
        assert!(m.translate(BASE + 0x10000, 16, Access::Read).is_some());
        assert!(m.translate(BASE + 0x10000, 16, Access::Write).is_some());
        m.unmap(c, 0x200, Dir::Bidirectional).unwrap();
        assert!(m.translate(BASE + 0x10000, 16, Access::Write).is_none());
        assert!(m.translate(BASE + 0x11000, 16, Access::Read).is_none());
        assert_eq!(m.pages(), 1);
        // The wrong direction is refused and changes nothing.
        assert_eq!(m.unmap(b, 2048, Dir::FromDevice), Err(MapError::NotMapped));
        m.unmap(b, 2048, Dir::ToDevice).unwrap();
        assert_eq!(m.pages(), 0);
    }

    #[test]
    fn full_table_maps_nothing() {
        let mut m = iommu(8);
        // 6 pages fit (3/4 of 8); a 2-page buffer after 5 is refused whole.
        for p in 0..5u64 {
            m.map(p << 12, 1, Dir::ToDevice).unwrap();
        }
        assert_eq!(
            m.map(0x100 << 12, 0x2000, Dir::ToDevice),
            Err(MapError::Full)
        );
        assert_eq!(m.pages(), 5);
        assert!(m.translate(BASE + (0x100 << 12), 1, Access::Read).is_none());
        assert_eq!(m.map(0, 0, Dir::ToDevice), Err(MapError::Range));
        assert_eq!(m.map(1 << 39, 1, Dir::ToDevice), Err(MapError::Range));
        assert_eq!(m.map(u64::MAX, 2, Dir::ToDevice), Err(MapError::Range));
    }

    #[test]
    fn count_overflow_is_refused() {
        let mut m = iommu(8);
        for _ in 0..CNT_MAX {
            m.map(0x5000, 8, Dir::ToDevice).unwrap();
        }
        assert_eq!(m.map(0x5000, 8, Dir::ToDevice), Err(MapError::Full));
        assert!(m.map(0x5000, 8, Dir::FromDevice).is_ok());
    }

    /// Random maps and unmaps against a plain list of mappings: the table
    /// answers every translation as the list does, and deletions never
    /// break a probe chain (a tiny table makes collisions the rule).
    #[test]
    fn matches_a_reference_model() {
        let mut m = iommu(32);
        let mut live: Vec<(u64, u64, Dir)> = Vec::new();
        let mut x = 0x2545_f491_4f6c_dd1du64;
        let mut rnd = |n: u64| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x % n
        };
        for _ in 0..20000 {
            if live.len() < 12 && rnd(2) == 0 {
                let bus = rnd(40) << 11;
                let len = 1 + rnd(6000);
                let dir = [Dir::ToDevice, Dir::FromDevice, Dir::Bidirectional][rnd(3) as usize];
                if let Ok(iova) = m.map(bus, len, dir) {
                    live.push((iova, len, dir));
                }
            } else if !live.is_empty() {
                let (iova, len, dir) = live.swap_remove(rnd(live.len() as u64) as usize);
                assert!(m.unmap(iova, len, dir).is_ok());
            }
            let page = rnd(45) << 12;
            for access in [Access::Read, Access::Write] {
                let want = live.iter().any(|&(iova, len, dir)| {
                    let b = iova - BASE;
                    let ok = match access {
                        Access::Read => dir != Dir::FromDevice,
                        Access::Write => dir != Dir::ToDevice,
                    };
                    ok && b >> 12 <= page >> 12 && page >> 12 <= (b + len - 1) >> 12
                });
                assert_eq!(m.translate(BASE + page, 1, access).is_some(), want);
            }
        }
        while let Some((iova, len, dir)) = live.pop() {
            m.unmap(iova, len, dir).unwrap();
        }
        assert_eq!(m.pages(), 0);
        assert!(m.slots.iter().all(|&e| e == 0));
    }
}
