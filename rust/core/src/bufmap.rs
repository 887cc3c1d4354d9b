// SPDX-License-Identifier: GPL-2.0

//! Buffer address -> descriptor head, for the RX buffers a virtqueue lends
//! to a buffer pool.
//!
//! A frame descriptor carries only the buffer's address; the relay needs the
//! chain that buffer came from to complete it in the used ring. A
//! fixed-capacity open-addressing table (linear probing, backward-shift
//! deletion): no allocation after creation, O(1) expected.

/// Why an insert failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MapError {
    /// The address is lent already (the driver offered one buffer twice).
    Duplicate,
    /// More buffers than the table holds.
    Full,
}

/// At most `N - 1` buffers (`N` a power of two; one slot stays free so
/// probes end).
pub struct BufMap<const N: usize> {
    addr: [u64; N],
    head: [u16; N],
    used: [bool; N],
    len: usize,
}

impl<const N: usize> Default for BufMap<N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize> BufMap<N> {
    const MASK: usize = {
        assert!(N.is_power_of_two() && N >= 2);
        N - 1
    };

    /// An empty map (so is zeroed memory).
    pub const fn new() -> Self {
        Self {
            addr: [0; N],
            head: [0; N],
            used: [false; N],
            len: 0,
        }
    }

    fn slot(addr: u64) -> usize {
        // Buffers are at least 64-byte aligned in practice: mix the bits.
        let h = (addr >> 6).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        (h >> 32) as usize & Self::MASK
    }

    /// Buffers in the map.
    pub fn len(&self) -> usize {
        self.len
    }

    /// No buffer in the map.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Records buffer `addr` of chain `head`.
    pub fn insert(&mut self, addr: u64, head: u16) -> Result<(), MapError> {
        if self.len + 1 >= N {
            return Err(MapError::Full);
        }
        let mut i = Self::slot(addr);
        while self.used[i] {
            if self.addr[i] == addr {
                return Err(MapError::Duplicate);
            }
            i = (i + 1) & Self::MASK;
        }
        self.used[i] = true;
        self.addr[i] = addr;
        self.head[i] = head;
        self.len += 1;
        Ok(())
    }

    /// Removes `addr` and returns its head.
    pub fn take(&mut self, addr: u64) -> Option<u16> {
        let mut i = Self::slot(addr);
        loop {
            if !self.used[i] {
                return None;
            }
            if self.addr[i] == addr {
                break;
            }
            i = (i + 1) & Self::MASK;
        }
        let head = self.head[i];
        self.used[i] = false;
        self.len -= 1;
        // Backward shift: pull later entries of the probe run into the hole.
        let mut hole = i;
        let mut j = (i + 1) & Self::MASK;
        while self.used[j] {
            let home = Self::slot(self.addr[j]);
            // Entry j may move to the hole if its home is not in (hole, j].
            let dist_hole = hole.wrapping_sub(home) & Self::MASK;
            let dist_j = j.wrapping_sub(home) & Self::MASK;
            if dist_hole < dist_j {
                self.addr[hole] = self.addr[j];
                self.head[hole] = self.head[j];
                self.used[hole] = true;
                self.used[j] = false;
                hole = j;
            }
            j = (j + 1) & Self::MASK;
        }
        Some(head)
    }

    /// The heads of the buffers in the map (in table order).
    pub fn heads(&self) -> impl Iterator<Item = u16> + '_ {
        (0..N).filter(|&i| self.used[i]).map(|i| self.head[i])
    }

    /// Empties the table.
    pub fn clear(&mut self) {
        self.used = [false; N];
        self.len = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::Rng;
    use std::collections::HashMap;

    #[test]
    fn insert_take() {
        let mut m = BufMap::<8>::new();
        assert_eq!(m.insert(0x1000, 3), Ok(()));
        assert_eq!(m.insert(0x1000, 4), Err(MapError::Duplicate));
        assert_eq!(m.take(0x2000), None);
        assert_eq!(m.take(0x1000), Some(3));
        assert_eq!(m.take(0x1000), None);
        for i in 0..7 {
            assert_eq!(m.insert(i * 64, i as u16), Ok(()));
        }
        assert_eq!(m.insert(0x9999, 0), Err(MapError::Full));
        assert_eq!(m.len(), 7);
        m.clear();
        assert!(m.is_empty());
    }

    /// Against a HashMap model, with addresses that collide a lot.
    #[test]
    fn matches_a_model() {
        let mut m = BufMap::<64>::new();
        let mut model = HashMap::new();
        let mut rng = Rng::new(42);
        for _ in 0..100_000 {
            let addr = rng.below(200) * 64;
            if rng.below(2) == 0 {
                let head = rng.below(256) as u16;
                let r = m.insert(addr, head);
                if model.len() + 1 >= 64 {
                    assert_eq!(r, Err(MapError::Full));
                } else if model.contains_key(&addr) {
                    assert_eq!(r, Err(MapError::Duplicate));
                } else {
                    assert_eq!(r, Ok(()));
                    model.insert(addr, head);
                }
            } else {
                assert_eq!(m.take(addr), model.remove(&addr));
            }
            assert_eq!(m.len(), model.len());
        }
    }
}
