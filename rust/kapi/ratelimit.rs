// SPDX-License-Identifier: GPL-2.0

//! A message ratelimit per object (`__ratelimit()` wants a `struct
//! ratelimit_state` per user; this is the same idea in two atomics).

use crate::ffi;
use core::sync::atomic::{AtomicU32, AtomicU64, Ordering::Relaxed};

/// At most `BURST` messages per `SECS` seconds.
pub(crate) struct RateLimit<const BURST: u32, const SECS: u32> {
    /// Start of the current window, in jiffies.
    start: AtomicU64,
    /// Messages allowed in it so far.
    count: AtomicU32,
}

impl<const BURST: u32, const SECS: u32> RateLimit<BURST, SECS> {
    pub(crate) const fn new() -> Self {
        Self {
            start: AtomicU64::new(0),
            count: AtomicU32::new(0),
        }
    }

    /// Whether one more message may go out now. Races between callers only
    /// let a message more or less through.
    pub(crate) fn allow(&self) -> bool {
        // SAFETY: reads the jiffies counter and HZ.
        let (now, hz) = unsafe { (ffi::dpaa_vdpa_jiffies(), ffi::dpaa_vdpa_hz()) };
        let start = self.start.load(Relaxed);
        if start == 0 || now.wrapping_sub(start) >= SECS as u64 * hz as u64 {
            self.start.store(now.max(1), Relaxed);
            self.count.store(0, Relaxed);
        }
        self.count.fetch_add(1, Relaxed) < BURST
    }
}
