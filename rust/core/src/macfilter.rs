// SPDX-License-Identifier: GPL-2.0

//! The receive address filter of an FMan MAC (mEMAC), as the mainline MAC
//! driver programs it (`mac_device` ops in `fman/mac.h`): one exact unicast
//! address (`change_addr`), a 64-bucket hash of multicast addresses
//! (`add_hash_mac_addr`/`remove_hash_mac_addr`; unicast is refused there),
//! all multicast (`set_allmulti`) and promiscuous (`set_promisc`).
//! Broadcast always passes.

/// Buckets of the multicast hash (`HASH_TABLE_SIZE`).
pub const HASH_BUCKETS: usize = 64;

/// The mEMAC's hash of an address: bit `5 - i` is the parity of the `i`th
/// group of 8 bits of the 48-bit address counted from its least significant
/// end (what `get_mac_addr_hash_code()` computes).
pub fn hash_code(mac: &[u8; 6]) -> usize {
    let mut a = mac.iter().fold(0u64, |a, &b| (a << 8) | b as u64);
    let mut code = 0;
    for i in 0..6 {
        let parity = (a & 0xff).count_ones() & 1;
        a >>= 8;
        code |= (parity as usize) << (5 - i);
    }
    code
}

/// Why an address cannot go into the hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilterError {
    /// A unicast address (the hash takes group addresses only).
    Unicast,
    /// Not in the hash (removing an address never added).
    Absent,
}

/// The filter's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MacFilter {
    /// Every frame passes.
    pub promisc: bool,
    /// Every multicast frame passes.
    pub allmulti: bool,
    /// The exact unicast address (all zero: none).
    pub addr: [u8; 6],
    /// Addresses in each hash bucket (the driver's per-bucket lists: a
    /// bucket stays set while any of its addresses is in).
    buckets: [u16; HASH_BUCKETS],
}

impl Default for MacFilter {
    /// Nothing but broadcast passes.
    fn default() -> Self {
        Self {
            promisc: false,
            allmulti: false,
            addr: [0; 6],
            buckets: [0; HASH_BUCKETS],
        }
    }
}

impl MacFilter {
    /// Adds a multicast address to the hash.
    pub fn add_hash(&mut self, mac: &[u8; 6]) -> Result<(), FilterError> {
        if mac[0] & 1 == 0 {
            return Err(FilterError::Unicast);
        }
        let b = &mut self.buckets[hash_code(mac)];
        *b = b.saturating_add(1);
        Ok(())
    }

    /// Removes a multicast address added with [`Self::add_hash`].
    pub fn remove_hash(&mut self, mac: &[u8; 6]) -> Result<(), FilterError> {
        if mac[0] & 1 == 0 {
            return Err(FilterError::Unicast);
        }
        let b = &mut self.buckets[hash_code(mac)];
        *b = b.checked_sub(1).ok_or(FilterError::Absent)?;
        Ok(())
    }

    /// Whether the two hashes have the same buckets set.
    pub fn same_hash(&self, other: &Self) -> bool {
        self.buckets
            .iter()
            .zip(other.buckets.iter())
            .all(|(a, b)| (*a > 0) == (*b > 0))
    }

    /// Empties the hash.
    pub fn clear_hash(&mut self) {
        self.buckets = [0; HASH_BUCKETS];
    }

    /// Whether a frame to `dst` passes.
    pub fn accepts(&self, dst: &[u8; 6]) -> bool {
        if self.promisc || *dst == [0xff; 6] {
            return true;
        }
        if dst[0] & 1 != 0 {
            return self.allmulti || self.buckets[hash_code(dst)] > 0;
        }
        *dst == self.addr && self.addr != [0; 6]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The C function, transcribed literally: bit by bit from the least
    /// significant end of the address as a u64.
    fn reference(mac: &[u8; 6]) -> usize {
        let mut a = mac.iter().fold(0u64, |a, &b| (a << 8) | b as u64);
        let mut x = 0u64;
        for i in 0..6 {
            let mut m1 = a & 1;
            a >>= 1;
            for _ in 0..7 {
                m1 ^= a & 1;
                a >>= 1;
            }
            x |= m1 << (5 - i);
        }
        x as usize
    }

    #[test]
    fn hash_matches_the_mac_driver() {
        let mut seed = 0x1234_5678_9abc_def0u64;
        for _ in 0..10_000 {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1);
            let b = seed.to_be_bytes();
            let mac = [b[0], b[1], b[2], b[3], b[4], b[5]];
            assert_eq!(hash_code(&mac), reference(&mac));
            assert!(hash_code(&mac) < HASH_BUCKETS);
        }
        assert_eq!(hash_code(&[0; 6]), 0);
        // One bit in the lowest byte flips bit 5 of the code.
        assert_eq!(hash_code(&[0, 0, 0, 0, 0, 1]), 1 << 5);
        assert_eq!(hash_code(&[1, 0, 0, 0, 0, 0]), 1);
    }

    #[test]
    fn exact_unicast_only_when_not_promiscuous() {
        let mine = [0x02, 0, 0, 0, 0, 1];
        let other = [0x02, 0, 0, 0, 0, 2];
        let mut f = MacFilter::default();
        assert!(!f.accepts(&mine), "no address: no unicast");
        assert!(!f.accepts(&[0; 6]), "the zero address is not an address");
        f.addr = mine;
        assert!(f.accepts(&mine));
        assert!(!f.accepts(&other));
        f.promisc = true;
        assert!(f.accepts(&other));
    }

    #[test]
    fn broadcast_always_multicast_by_hash_or_allmulti() {
        let m1 = [0x01, 0x00, 0x5e, 0, 0, 1];
        let f0 = MacFilter::default();
        assert!(f0.accepts(&[0xff; 6]));
        assert!(!f0.accepts(&m1));
        let mut f = f0;
        assert_eq!(
            f.add_hash(&[0x02, 0, 0, 0, 0, 1]),
            Err(FilterError::Unicast)
        );
        f.add_hash(&m1).unwrap();
        assert!(f.accepts(&m1));
        // Another group in the same bucket passes too (a hash, not a list).
        let same = (2..=255u8)
            .map(|b| [0x01, 0x00, 0x5e, 0, 0, b])
            .find(|m| hash_code(m) == hash_code(&m1))
            .unwrap();
        assert!(f.accepts(&same));
        let different = (0..=255u8)
            .map(|b| [0x01, 0x00, 0x5e, 0, 1, b])
            .find(|m| hash_code(m) != hash_code(&m1))
            .unwrap();
        assert!(!f.accepts(&different));
        // Two addresses in a bucket: it stays set until both are gone.
        f.add_hash(&same).unwrap();
        f.remove_hash(&m1).unwrap();
        assert!(f.accepts(&m1));
        f.remove_hash(&same).unwrap();
        assert!(!f.accepts(&m1));
        assert_eq!(f.remove_hash(&m1), Err(FilterError::Absent));
        let mut g = MacFilter::default();
        assert!(f.same_hash(&g));
        g.add_hash(&same).unwrap();
        g.add_hash(&m1).unwrap();
        assert!(!f.same_hash(&g));
        f.add_hash(&m1).unwrap();
        assert!(
            f.same_hash(&g),
            "one address or two in a bucket: same bucket set"
        );
        f.allmulti = true;
        assert!(f.accepts(&different));
        assert!(
            !f.accepts(&[0x02, 0, 0, 0, 0, 9]),
            "allmulti is not promisc"
        );
    }
}
