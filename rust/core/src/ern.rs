// SPDX-License-Identifier: GPL-2.0

//! Enqueue rejections on their way to the FQ's `cb.ern` callback.
//!
//! `qman_enqueue()` does not say whether QMan accepted a frame: it fails
//! only when the portal's enqueue ring is full (`-EBUSY`, the frame is still
//! the caller's). A frame QMan rejects (tail drop, congestion-group tail
//! drop, an FQ not in service) comes back later as a message on the
//! portal's message ring, and the portal's poll hands it to the FQ's `ern`
//! callback, which then owns the frame (`dpaa_eth`'s `egress_ern` frees the
//! skb). The model keeps those messages per FQ in an [`ErnQueue`], delivered
//! by the FQ's portal; at teardown the owner closes the queue, waits out a
//! delivery in progress and drains the rest itself, so no rejected frame is
//! lost and no callback runs after its FQ is retired.

use crate::{fd::QmFd, fq::Ern, ring::FixedRing};
use core::ops::DerefMut;

/// A rejected frame and why (a message ring entry: `struct qm_mr_entry`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ErnMsg {
    /// The frame, as enqueued.
    pub fd: QmFd,
    /// Why QMan rejected it.
    pub why: Ern,
}

impl Default for ErnMsg {
    fn default() -> Self {
        Self {
            fd: QmFd::default(),
            why: Ern::State,
        }
    }
}

/// `qman_enqueue()`'s `-EBUSY`: no room for the message (or the FQ is being
/// torn down); the frame is still the caller's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Busy;

/// The pending rejections of one FQ.
///
/// # Invariants
///
/// `queued` is set while the FQ is (or is being put) on its portal's list
/// of FQs with messages, so it is there at most once; `delivering` counts
/// deliveries between [`ErnQueue::take`] and [`ErnQueue::end`]; once
/// `closed`, nothing is posted or taken by a delivery.
pub struct ErnQueue<S> {
    msgs: FixedRing<ErnMsg, S>,
    queued: bool,
    delivering: u32,
    closed: bool,
}

impl<S: DerefMut<Target = [ErnMsg]>> ErnQueue<S> {
    /// An empty queue with room for `slots.len()` messages.
    pub fn new(slots: S) -> Self {
        Self {
            msgs: FixedRing::new(slots),
            queued: false,
            delivering: 0,
            closed: false,
        }
    }

    /// Messages waiting.
    pub fn len(&self) -> usize {
        self.msgs.len()
    }

    /// Whether no message waits.
    pub fn is_empty(&self) -> bool {
        self.msgs.is_empty()
    }

    /// A rejected frame for the callback: `Ok(true)` if the FQ must now be
    /// put on its portal's list (the caller does, once the lock is
    /// dropped), `Ok(false)` if it is there already, [`Busy`] if there is no
    /// room or the queue is closed.
    pub fn post(&mut self, fd: QmFd, why: Ern) -> Result<bool, Busy> {
        if self.closed || self.msgs.len() == self.msgs.capacity() {
            return Err(Busy);
        }
        self.msgs.push(ErnMsg { fd, why });
        let kick = !self.queued;
        self.queued = true;
        Ok(kick)
    }

    /// A portal's delivery: takes up to `out.len()` messages, oldest
    /// first. Nothing once closed. When it took some, the caller calls
    /// [`ErnQueue::end`] after their callbacks; when none, the FQ is off
    /// its portal's list.
    pub fn take(&mut self, out: &mut [ErnMsg]) -> usize {
        if self.closed {
            return 0;
        }
        let mut n = 0;
        while n < out.len() {
            match self.msgs.pop() {
                Some(m) => {
                    out[n] = m;
                    n += 1;
                }
                None => break,
            }
        }
        if n == 0 {
            self.queued = false;
        } else {
            self.delivering += 1;
        }
        n
    }

    /// The end of a delivery that took messages: whether the FQ stays on
    /// its portal's list (more arrived meanwhile: the caller puts it back).
    pub fn end(&mut self) -> bool {
        self.delivering = self.delivering.saturating_sub(1);
        let more = !self.closed && !self.msgs.is_empty();
        if !more {
            self.queued = false;
        }
        more
    }

    /// Teardown: no more posts or deliveries (what is left, the owner
    /// drains once no delivery is in progress).
    pub fn close(&mut self) {
        self.closed = true;
    }

    /// Whether a delivery is running callbacks now.
    pub fn delivering(&self) -> bool {
        self.delivering > 0
    }

    /// The next message left at teardown: only once closed and no
    /// delivery runs.
    pub fn drain_one(&mut self) -> Option<ErnMsg> {
        if !self.closed || self.delivering > 0 {
            return None;
        }
        self.msgs.pop()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fd(tag: u32) -> QmFd {
        QmFd::contig(1, 0x1000 * tag as u64, 0, 60 + tag).unwrap()
    }

    fn q(n: usize) -> ErnQueue<Vec<ErnMsg>> {
        ErnQueue::new(vec![ErnMsg::default(); n])
    }

    #[test]
    fn delivered_in_order_with_one_kick() {
        let mut e = q(4);
        assert_eq!(e.post(fd(1), Ern::TailDrop), Ok(true));
        assert_eq!(e.post(fd(2), Ern::CgrTailDrop), Ok(false));
        let mut out = [ErnMsg::default(); 8];
        assert_eq!(e.take(&mut out), 2);
        assert_eq!(
            out[0],
            ErnMsg {
                fd: fd(1),
                why: Ern::TailDrop
            }
        );
        assert_eq!(out[1].why, Ern::CgrTailDrop);
        assert!(e.delivering());
        // A rejection while the callbacks run: the FQ stays listed.
        assert_eq!(e.post(fd(3), Ern::State), Ok(false));
        assert!(e.end());
        assert_eq!(e.take(&mut out), 1);
        assert!(!e.end());
        // Off the list: the next rejection lists it again.
        assert_eq!(e.post(fd(4), Ern::Fault), Ok(true));
    }

    #[test]
    fn full_or_closed_is_busy_and_the_frame_stays_the_callers() {
        let mut e = q(2);
        e.post(fd(1), Ern::TailDrop).unwrap();
        e.post(fd(2), Ern::TailDrop).unwrap();
        assert_eq!(e.post(fd(3), Ern::TailDrop), Err(Busy));
        assert_eq!(e.len(), 2);
        e.close();
        let mut out = [ErnMsg::default(); 1];
        assert_eq!(e.take(&mut out), 0);
        assert_eq!(e.post(fd(4), Ern::State), Err(Busy));
        // Nothing lost: the owner drains both.
        assert_eq!(e.drain_one().map(|m| m.fd), Some(fd(1)));
        assert_eq!(e.drain_one().map(|m| m.fd), Some(fd(2)));
        assert_eq!(e.drain_one(), None);
    }

    #[test]
    fn no_drain_while_a_delivery_runs() {
        let mut e = q(4);
        e.post(fd(1), Ern::TailDrop).unwrap();
        e.post(fd(2), Ern::TailDrop).unwrap();
        let mut out = [ErnMsg::default(); 1];
        assert_eq!(e.take(&mut out), 1);
        e.close();
        // The owner waits for the delivery in progress before draining.
        assert_eq!(e.drain_one(), None);
        assert!(!e.end());
        assert_eq!(e.drain_one().map(|m| m.fd), Some(fd(2)));
        assert!(e.is_empty());
    }
}
