// SPDX-License-Identifier: GPL-2.0

//! A QMan congestion group (CGR): the bytes waiting in its member FQs
//! against a congestion-state threshold (`cs_thres` of
//! `struct qm_mcc_initcgr`), with optional congestion-state tail drop
//! (`cstd_en`). QMan notifies the group's owner of every entry into and exit
//! from congestion (`qman_cb_cgr`); `dpaa_eth` stops and wakes its TX queues
//! on them. Pure logic: the model keeps one of these under a lock per group.

/// A threshold as QMan stores it: an 8-bit mantissa and a 5-bit exponent,
/// rounded up (`qm_cgr_cs_thres_set64(..., roundup = 1)`, and the same
/// encoding for FQ tail drop, `qm_fqd_set_taildrop()`). What the hardware
/// compares against is this value, not the one asked for; `None` if it
/// does not fit the encoding.
pub fn round_thres(mut val: u64) -> Option<u64> {
    let mut e = 0u32;
    while val > 0xff {
        let odd = val & 1;
        val = (val >> 1) + odd;
        e += 1;
    }
    (e <= 31).then(|| val << e)
}

/// A congestion group's count and state.
///
/// # Invariants
///
/// `congested == (count >= thres)` after every call; `entries` counts the
/// false -> true changes and `exits` the true -> false ones, so
/// `entries - exits` is 1 exactly while congested.
#[derive(Debug)]
pub struct CgrCore {
    count: u64,
    thres: u64,
    taildrop: bool,
    congested: bool,
    entries: u64,
    exits: u64,
}

impl CgrCore {
    /// A group congested at `thres` bytes and above; with `taildrop`, an
    /// enqueue onto a member FQ is rejected while congested
    /// (`QM_MR_RC_CGR_TAILDROP`).
    pub const fn new(thres: u64, taildrop: bool) -> Self {
        Self {
            count: 0,
            thres,
            taildrop,
            congested: thres == 0,
            entries: 0,
            exits: 0,
        }
    }

    /// Whether an enqueue onto a member FQ is accepted now.
    pub fn admits(&self) -> bool {
        !(self.taildrop && self.congested)
    }

    /// Frames of `delta` bytes joined (> 0) or left (< 0) the member FQs.
    /// Returns the new congestion state if it changed (the notification).
    pub fn adjust(&mut self, delta: i64) -> Option<bool> {
        self.count = if delta >= 0 {
            self.count.saturating_add(delta as u64)
        } else {
            // Never below zero: a caller's accounting bug is not a wrap.
            self.count.saturating_sub(delta.unsigned_abs())
        };
        let now = self.count >= self.thres;
        if now == self.congested {
            return None;
        }
        self.congested = now;
        if now {
            self.entries += 1;
        } else {
            self.exits += 1;
        }
        Some(now)
    }

    /// Bytes waiting in the member FQs (the instantaneous count).
    pub fn count(&self) -> u64 {
        self.count
    }

    /// Whether the group is congested.
    pub fn congested(&self) -> bool {
        self.congested
    }

    /// (entries into congestion, exits from it).
    pub fn transitions(&self) -> (u64, u64) {
        (self.entries, self.exits)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_round_up_to_mantissa_and_exponent() {
        assert_eq!(round_thres(0), Some(0));
        assert_eq!(round_thres(255), Some(255));
        assert_eq!(round_thres(256), Some(256));
        // 3000 = 0b1011_1011_1000: 187.5 << 4 rounds up to 188 << 4.
        assert_eq!(round_thres(3000), Some(3008));
        // The carry of a rounding can take the mantissa to 0x100.
        assert_eq!(round_thres(0x1ff), Some(0x200));
        assert_eq!(round_thres(256 * 1024), Some(256 * 1024));
        assert_eq!(round_thres(0xff << 31), Some(0xff << 31));
        assert_eq!(round_thres((0xff << 31) + 1), None);
        // Never below what was asked for, and within 1/128 of it.
        for v in [1u64, 300, 4097, 65_535, 1 << 20, 123_456_789] {
            let r = round_thres(v).unwrap();
            assert!(r >= v && r - v <= v / 128 + 1, "{v} -> {r}");
        }
    }

    #[test]
    fn entry_and_exit_notified_once_each() {
        let mut c = CgrCore::new(3000, false);
        assert!(!c.congested());
        assert_eq!(c.adjust(1500), None);
        assert_eq!(c.adjust(1499), None);
        // Reaching the threshold enters congestion, once.
        assert_eq!(c.adjust(1), Some(true));
        assert_eq!(c.adjust(1500), None);
        assert!(c.congested());
        assert_eq!(c.adjust(-1500), None);
        // Below the threshold: exit, once.
        assert_eq!(c.adjust(-1), Some(false));
        assert_eq!(c.adjust(-100), None);
        assert_eq!(c.transitions(), (1, 1));
        assert_eq!(c.count(), 2899);
    }

    #[test]
    fn taildrop_only_while_congested_and_enabled() {
        let mut c = CgrCore::new(100, true);
        assert!(c.admits());
        c.adjust(100);
        assert!(!c.admits());
        c.adjust(-1);
        assert!(c.admits());
        let mut n = CgrCore::new(100, false);
        n.adjust(1000);
        assert!(n.congested() && n.admits());
    }

    #[test]
    fn count_never_wraps() {
        let mut c = CgrCore::new(10, false);
        assert_eq!(c.adjust(-5), None);
        assert_eq!(c.count(), 0);
        c.adjust(i64::MAX);
        c.adjust(i64::MAX);
        c.adjust(i64::MAX);
        assert_eq!(c.count(), u64::MAX);
    }

    #[test]
    fn zero_length_frames_move_nothing() {
        let mut c = CgrCore::new(1, false);
        for _ in 0..1000 {
            assert_eq!(c.adjust(0), None);
        }
        assert!(!c.congested());
    }

    #[test]
    fn notifications_alternate() {
        // Whatever the order of adjustments, notifications alternate and
        // the final state matches the final count.
        let deltas = [700i64, 400, -300, 500, -900, -400, 1200, -1200, 50];
        let mut c = CgrCore::new(1000, false);
        let mut last = false;
        for d in deltas {
            if let Some(s) = c.adjust(d) {
                assert_ne!(s, last);
                last = s;
            }
        }
        assert_eq!(last, c.count() >= 1000);
        let (e, x) = c.transitions();
        assert_eq!(e - x, last as u64);
    }
}
