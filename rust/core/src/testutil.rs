// SPDX-License-Identifier: GPL-2.0

//! Helpers for the unit tests.

/// A small deterministic PRNG (xorshift64*), so tests need no crates.
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Self {
        Self(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1)
    }

    pub(crate) fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// Uniform enough in `0..n` for tests.
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}
