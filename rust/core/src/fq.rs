// SPDX-License-Identifier: GPL-2.0

//! One frame queue as QMan keeps it: its state (`enum qman_fq_state`), its
//! frames in order, its tail-drop threshold, and what an enqueue or a portal's
//! poll does to them. Pure logic: the model's QMan wraps it in a lock and a
//! portal; on a board, QMan itself is this state machine.
//!
//! The lifecycle of `include/soc/fsl/qman.h`: an FQ is initialised parked or
//! scheduled; `qman_schedule_fq()` moves parked to scheduled; frames are
//! dequeued only while scheduled; a retired FQ accepts nothing and is not
//! dequeued, its frames are drained, and it is taken out of service.

use crate::{dqrr::Handover, fd::QmFd, ring::FixedRing};

/// Frames a poll takes from one FQ at once. An FQ keeps room for that many
/// beyond its threshold, so frames taken and not consumed can go back.
pub const BATCH: usize = 16;

/// FQ states of the qman.h lifecycle (`enum qman_fq_state`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum FqState {
    /// `qman_fq_state_oos`: out of service.
    Oos,
    /// `qman_fq_state_parked`: frames are kept, not dequeued.
    Parked,
    /// `qman_fq_state_sched`: dequeued by its portal.
    Scheduled,
    /// `qman_fq_state_retired`: enqueues are rejected, nothing is dequeued.
    Retired,
}

/// Why an enqueue was rejected (the enqueue rejection, ERN, of
/// `qman_enqueue()`; the `rc` of its message ring entry).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Ern {
    /// The FQ does not accept frames (out of service or retired).
    State,
    /// The FQ is at its tail-drop threshold (`QM_MR_RC_FQ_TAILDROP`).
    TailDrop,
    /// The FQ's congestion group is congested and drops at the tail
    /// (`QM_MR_RC_CGR_TAILDROP`).
    CgrTailDrop,
    /// Fault injection.
    Fault,
}

/// The tail-drop threshold of an FQ (`QM_INITFQ_WE_TDTHRESH`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum TailDrop {
    /// At most this many frames wait in the FQ (the model's DPAA-style
    /// shortcut; QMan itself counts bytes).
    Frames(usize),
    /// `qm_fqd_set_taildrop()`: an enqueue is rejected while the frames
    /// waiting add up to at least this many bytes (so the last frame
    /// accepted may overshoot it, as in QMan's instantaneous count).
    Bytes(u32),
}

/// A byte tail-drop threshold as QMan stores it (`qm_fqd_set_taildrop()`
/// with roundup): `None` above `QM_FQD_TD_MAX` (-ERANGE).
pub fn round_taildrop(val: u32) -> Option<u32> {
    if val > 0xe000_0000 {
        return None;
    }
    crate::cgr::round_thres(val as u64).map(|v| v as u32)
}

/// Room a frame list needs for `taildrop`: the frames it lets wait plus a
/// poll's batch. A byte threshold lets zero-length frames wait without
/// bound on QMan; the model stores at most `frames_cap` of them.
pub const fn slots_for(taildrop: TailDrop, frames_cap: usize) -> usize {
    match taildrop {
        TailDrop::Frames(n) => n + BATCH,
        TailDrop::Bytes(_) => frames_cap + BATCH,
    }
}

/// One FQ's state and frames, over fixed storage `S` (never grows).
///
/// # Invariants
///
/// `bytes` is the sum of the lengths of the frames in `fds`; frames
/// beyond the threshold are only ever frames a poll put back (at most
/// BATCH); `busy` is set exactly while a poll holds frames taken from it.
pub struct FqCore<S> {
    state: FqState,
    fds: FixedRing<QmFd, S>,
    bytes: u64,
    taildrop: TailDrop,
    queued: bool,
    busy: bool,
}

impl<S: core::ops::DerefMut<Target = [QmFd]>> FqCore<S> {
    /// An FQ initialised with `taildrop` (scheduled if `sched`, else
    /// parked), its frames in `slots` (at least `slots_for()` of them; more
    /// than BATCH in any case).
    pub fn new(slots: S, taildrop: TailDrop, sched: bool) -> Self {
        debug_assert!(slots.len() > BATCH);
        Self {
            state: if sched {
                FqState::Scheduled
            } else {
                FqState::Parked
            },
            fds: FixedRing::new(slots),
            bytes: 0,
            taildrop,
            queued: false,
            busy: false,
        }
    }

    /// Where in its lifecycle the FQ is.
    pub fn state(&self) -> FqState {
        self.state
    }

    /// Frames waiting.
    pub fn len(&self) -> usize {
        self.fds.len()
    }

    /// No frame waits.
    pub fn is_empty(&self) -> bool {
        self.fds.is_empty()
    }

    /// Bytes waiting (the byte count tail drop compares).
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// A poll holds frames taken from this FQ.
    pub fn busy(&self) -> bool {
        self.busy
    }

    fn at_threshold(&self) -> bool {
        // Room for a poll's batch stays free in any case.
        if self.fds.len() + BATCH >= self.fds.capacity() {
            return true;
        }
        match self.taildrop {
            TailDrop::Frames(n) => self.fds.len() >= n,
            TailDrop::Bytes(b) => self.bytes >= b as u64,
        }
    }

    fn push_back(&mut self, fd: QmFd) {
        self.fds.push(fd);
        self.bytes += fd.length() as u64;
    }

    fn push_front(&mut self, fd: QmFd) {
        self.fds.push_front(fd);
        self.bytes += fd.length() as u64;
    }

    fn pop_front(&mut self) -> Option<QmFd> {
        let fd = self.fds.pop()?;
        self.bytes -= fd.length() as u64;
        Some(fd)
    }

    /// `qman_enqueue()`: `Ok(true)` if the FQ must now be put on its
    /// portal's ready queue (scheduled, and not there yet).
    pub fn enqueue(&mut self, fd: QmFd) -> Result<bool, Ern> {
        if !matches!(self.state, FqState::Parked | FqState::Scheduled) {
            return Err(Ern::State);
        }
        if self.at_threshold() {
            return Err(Ern::TailDrop);
        }
        self.push_back(fd);
        Ok(self.mark_queued())
    }

    /// Whether the FQ goes on the ready queue now; marks it so.
    fn mark_queued(&mut self) -> bool {
        let kick = self.state == FqState::Scheduled && !self.fds.is_empty() && !self.queued;
        self.queued |= kick;
        kick
    }

    /// `qman_schedule_fq()`: parked -> scheduled. `true` if the FQ must be
    /// put on its portal's ready queue (frames are waiting).
    pub fn schedule(&mut self) -> bool {
        if self.state != FqState::Parked {
            return false;
        }
        self.state = FqState::Scheduled;
        self.mark_queued()
    }

    /// A portal's poll takes up to `batch.len()` (at most BATCH) frames;
    /// returns how many: none if the FQ is not scheduled (it then leaves
    /// the ready queue).
    pub fn take(&mut self, batch: &mut [QmFd]) -> usize {
        if self.state != FqState::Scheduled {
            self.queued = false;
            return 0;
        }
        let mut n = 0;
        while n < batch.len().min(BATCH) {
            match self.pop_front() {
                Some(fd) => {
                    batch[n] = fd;
                    n += 1;
                }
                None => break,
            }
        }
        self.busy = n > 0;
        n
    }

    /// The poll handed `batch` (what `take` filled) over with result `h`:
    /// what was not consumed goes back to the head in order; a park parks.
    /// Returns whether the FQ stays on the ready queue (scheduled, frames
    /// left).
    pub fn end_poll(&mut self, batch: &[QmFd], h: Handover) -> bool {
        self.busy = false;
        for fd in batch[h.consumed.min(batch.len())..].iter().rev() {
            self.push_front(*fd);
        }
        if h.park && self.state == FqState::Scheduled {
            self.state = FqState::Parked;
        }
        let more = self.state == FqState::Scheduled && !self.fds.is_empty();
        self.queued = more;
        more
    }

    /// `qman_retire_fq()`: nothing is accepted or dequeued any more. A poll
    /// may still hold frames (`busy`): the caller waits it out before it
    /// drains.
    pub fn retire(&mut self) {
        if self.state != FqState::Oos {
            self.state = FqState::Retired;
        }
    }

    /// Drains a retired FQ one frame at a time (oldest first).
    pub fn drain_one(&mut self) -> Option<QmFd> {
        if self.state != FqState::Retired {
            return None;
        }
        self.pop_front()
    }

    /// `qman_oos_fq()`: a retired, drained FQ goes out of service. Refused
    /// (false) for one that is not retired or still holds frames
    /// (`ERR_NOTEMPTY`); true if it is out of service now.
    pub fn oos(&mut self) -> bool {
        if self.state == FqState::Retired && self.fds.is_empty() {
            self.state = FqState::Oos;
            self.queued = false;
        }
        self.state == FqState::Oos
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dqrr::{hand_over, Dqrr};

    fn fd(tag: u64, len: u32) -> QmFd {
        QmFd::contig(1, 0x1000 * tag, 0, len).unwrap()
    }

    fn fq(taildrop: TailDrop, sched: bool) -> FqCore<Vec<QmFd>> {
        FqCore::new(
            vec![QmFd::default(); slots_for(taildrop, 64)],
            taildrop,
            sched,
        )
    }

    /// Polls like a portal: takes a batch, hands it over with `answers`.
    fn poll(q: &mut FqCore<Vec<QmFd>>, answers: &[Dqrr]) -> (Vec<u64>, Handover, bool) {
        let mut batch = [QmFd::default(); BATCH];
        let n = q.take(&mut batch);
        let mut seen = Vec::new();
        let h = hand_over(n, |i| {
            seen.push(batch[i].addr() / 0x1000);
            answers.get(i).copied().unwrap_or(Dqrr::Consume)
        });
        let more = q.end_poll(&batch[..n], h);
        (seen, h, more)
    }

    #[test]
    fn lifecycle() {
        let mut q = fq(TailDrop::Frames(4), false);
        assert_eq!(q.state(), FqState::Parked);
        // Parked: kept, not queued, not dequeued.
        assert_eq!(q.enqueue(fd(1, 60)), Ok(false));
        assert_eq!(poll(&mut q, &[]).0, Vec::<u64>::new());
        // Scheduling with frames waiting queues it, once.
        assert!(q.schedule());
        assert!(!q.schedule());
        assert_eq!(q.enqueue(fd(2, 60)), Ok(false));
        assert_eq!(poll(&mut q, &[]).0, vec![1, 2]);
        // Idle and scheduled: the next enqueue queues it again.
        assert_eq!(q.enqueue(fd(3, 60)), Ok(true));
        assert_eq!(q.enqueue(fd(4, 60)), Ok(false));
        q.retire();
        assert_eq!(q.state(), FqState::Retired);
        assert_eq!(q.enqueue(fd(5, 60)), Err(Ern::State));
        assert_eq!(poll(&mut q, &[]).0, Vec::<u64>::new());
        // Not out of service with frames left; drained in order.
        assert!(!q.oos());
        assert_eq!(q.state(), FqState::Retired);
        assert_eq!(q.drain_one().map(|f| f.addr()), Some(0x3000));
        assert_eq!(q.drain_one().map(|f| f.addr()), Some(0x4000));
        assert_eq!(q.drain_one(), None);
        assert!(q.oos());
        assert_eq!(q.state(), FqState::Oos);
        assert_eq!(q.enqueue(fd(6, 60)), Err(Ern::State));
        assert!(!q.schedule());
        // Retiring again is harmless.
        q.retire();
        assert_eq!(q.state(), FqState::Oos);
    }

    #[test]
    fn drain_only_when_retired() {
        let mut q = fq(TailDrop::Frames(4), true);
        q.enqueue(fd(1, 60)).unwrap();
        assert_eq!(q.drain_one(), None);
        // Not retired: not out of service either.
        assert!(!q.oos());
        assert_eq!(q.state(), FqState::Scheduled);
        assert_eq!(q.len(), 1);
    }

    #[test]
    fn taildrop_frames() {
        let mut q = fq(TailDrop::Frames(3), true);
        for i in 0..3 {
            q.enqueue(fd(i, 1500)).unwrap();
        }
        assert_eq!(q.enqueue(fd(9, 60)), Err(Ern::TailDrop));
        assert_eq!(q.len(), 3);
        poll(&mut q, &[Dqrr::ConsumeStop]);
        assert_eq!(q.enqueue(fd(9, 60)), Ok(false));
    }

    #[test]
    fn taildrop_bytes() {
        let mut q = fq(TailDrop::Bytes(3000), true);
        q.enqueue(fd(1, 1500)).unwrap();
        q.enqueue(fd(2, 1400)).unwrap();
        assert_eq!(q.bytes(), 2900);
        // Under the threshold: accepted, and may overshoot it.
        q.enqueue(fd(3, 1500)).unwrap();
        assert_eq!(q.bytes(), 4400);
        assert_eq!(q.enqueue(fd(4, 60)), Err(Ern::TailDrop));
        // Dequeuing frees bytes, not just slots.
        poll(&mut q, &[Dqrr::ConsumeStop]);
        assert_eq!(q.bytes(), 2900);
        q.enqueue(fd(4, 60)).unwrap();
        q.enqueue(fd(5, 60)).unwrap();
        assert_eq!(q.bytes(), 3020);
        assert_eq!(q.enqueue(fd(6, 60)), Err(Ern::TailDrop));
    }

    #[test]
    fn taildrop_threshold_encoding() {
        assert_eq!(round_taildrop(3000), Some(3008));
        assert_eq!(round_taildrop(0xe000_0000), Some(0xe000_0000));
        assert_eq!(round_taildrop(0xe000_0001), None);
    }

    #[test]
    fn taildrop_bytes_zero_length_bounded_by_storage() {
        let mut q = fq(TailDrop::Bytes(1), true);
        let mut n = 0;
        while q.enqueue(fd(n, 0)).is_ok() {
            n += 1;
        }
        assert_eq!(n, 64);
        assert_eq!(q.bytes(), 0);
    }

    #[test]
    fn stop_hands_the_frame_over_again_first() {
        let mut q = fq(TailDrop::Frames(8), true);
        for i in 1..=4 {
            q.enqueue(fd(i, 100)).unwrap();
        }
        let (seen, h, more) = poll(&mut q, &[Dqrr::Consume, Dqrr::Stop]);
        assert_eq!(seen, vec![1, 2]);
        assert_eq!(h.consumed, 1);
        assert!(h.stop && more);
        assert_eq!(q.bytes(), 300);
        assert_eq!(poll(&mut q, &[]).0, vec![2, 3, 4]);
        assert!(q.is_empty() && !q.busy());
    }

    #[test]
    fn consume_stop_keeps_the_rest_in_order() {
        let mut q = fq(TailDrop::Frames(8), true);
        for i in 1..=3 {
            q.enqueue(fd(i, 100)).unwrap();
        }
        let (seen, h, more) = poll(&mut q, &[Dqrr::ConsumeStop]);
        assert_eq!((seen, h.consumed, h.stop, more), (vec![1], 1, true, true));
        assert_eq!(poll(&mut q, &[]).0, vec![2, 3]);
    }

    #[test]
    fn park_then_schedule() {
        let mut q = fq(TailDrop::Frames(8), true);
        for i in 1..=3 {
            q.enqueue(fd(i, 100)).unwrap();
        }
        let (seen, h, more) = poll(&mut q, &[Dqrr::Park]);
        assert_eq!((seen, h.park, more), (vec![1], true, false));
        assert_eq!(q.state(), FqState::Parked);
        // Parked: still accepts, not queued, not dequeued.
        assert_eq!(q.enqueue(fd(4, 100)), Ok(false));
        assert_eq!(poll(&mut q, &[]).0, Vec::<u64>::new());
        assert!(q.schedule());
        assert_eq!(poll(&mut q, &[]).0, vec![2, 3, 4]);
    }

    #[test]
    fn frames_put_back_fit_beyond_the_threshold() {
        // A full FQ whose whole batch is refused, while enqueues raced in
        // to the threshold meanwhile: the batch still goes back.
        let mut q = fq(TailDrop::Frames(4), true);
        for i in 1..=4 {
            q.enqueue(fd(i, 100)).unwrap();
        }
        let mut batch = [QmFd::default(); BATCH];
        let n = q.take(&mut batch);
        assert_eq!(n, 4);
        assert!(q.busy());
        for i in 5..=8 {
            q.enqueue(fd(i, 100)).unwrap();
        }
        assert_eq!(q.enqueue(fd(9, 100)), Err(Ern::TailDrop));
        let h = hand_over(n, |_| Dqrr::Stop);
        assert!(q.end_poll(&batch[..n], h));
        assert_eq!(q.len(), 8);
        assert_eq!(poll(&mut q, &[]).0, (1..=8).collect::<Vec<_>>());
    }

    #[test]
    fn take_respects_the_batch_and_budget() {
        let mut q = fq(TailDrop::Frames(40), true);
        for i in 0..40 {
            q.enqueue(fd(i, 64)).unwrap();
        }
        let mut small = [QmFd::default(); 3];
        assert_eq!(q.take(&mut small), 3);
        q.end_poll(
            &small,
            Handover {
                consumed: 3,
                park: false,
                stop: false,
            },
        );
        let (seen, _, more) = poll(&mut q, &[]);
        assert_eq!(seen.len(), BATCH);
        assert!(more);
    }
}
