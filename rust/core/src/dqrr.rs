// SPDX-License-Identifier: GPL-2.0

//! How a portal hands dequeued frames to an FQ's callback (QMan's DQRR).
//!
//! A portal takes a few frames of an FQ at once but gives them to the
//! callback one at a time, and the callback's answer
//! (`enum qman_cb_dqrr_result` in `include/soc/fsl/qman.h`) applies from that
//! frame on: after anything but `Consume`, nothing more is handed over in this
//! poll; `Stop` leaves its own frame unconsumed, to be handed over again first.

/// A dequeue callback's answer.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Dqrr {
    /// `qman_cb_dqrr_consume`: frame consumed; go on.
    Consume,
    /// `qman_cb_dqrr_park`: frame consumed; stop dequeuing this FQ until it
    /// is rescheduled (`qman_schedule_fq()`).
    Park,
    /// `qman_cb_dqrr_stop`: frame *not* consumed; end this poll.
    Stop,
    /// `qman_cb_dqrr_consume_stop`: frame consumed; end this poll.
    ConsumeStop,
}

/// What handing over a batch came to.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct Handover {
    /// Frames consumed: the first `consumed` of the batch. The others were
    /// not, and go back to the head of the FQ in order.
    pub consumed: usize,
    /// The FQ is to be parked.
    pub park: bool,
    /// The poll is to end.
    pub stop: bool,
}

/// Hands the `n` frames of a batch over one at a time: `dqrr(i)` is the
/// callback for frame `i`.
pub fn hand_over(n: usize, mut dqrr: impl FnMut(usize) -> Dqrr) -> Handover {
    let mut h = Handover::default();
    for i in 0..n {
        let r = dqrr(i);
        if r != Dqrr::Stop {
            h.consumed += 1;
        }
        match r {
            Dqrr::Consume => continue,
            Dqrr::Park => h.park = true,
            Dqrr::Stop | Dqrr::ConsumeStop => h.stop = true,
        }
        break;
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The callback answers `answers` in turn; returns the handover and how
    /// many frames the callback saw.
    fn run(n: usize, answers: &[Dqrr]) -> (Handover, usize) {
        let mut seen = 0;
        let h = hand_over(n, |i| {
            seen += 1;
            answers[i]
        });
        (h, seen)
    }

    #[test]
    fn consume_all() {
        let (h, seen) = run(4, &[Dqrr::Consume; 4]);
        assert_eq!((h.consumed, h.park, h.stop), (4, false, false));
        assert_eq!(seen, 4);
    }

    #[test]
    fn empty_batch() {
        assert_eq!(run(0, &[]).0, Handover::default());
    }

    #[test]
    fn stop_does_not_consume_its_frame() {
        let a = [Dqrr::Consume, Dqrr::Stop, Dqrr::Consume];
        let (h, seen) = run(3, &a);
        assert_eq!((h.consumed, h.park, h.stop), (1, false, true));
        assert_eq!(seen, 2, "nothing is handed over after a stop");
    }

    #[test]
    fn stop_on_the_first_frame_consumes_nothing() {
        let (h, seen) = run(2, &[Dqrr::Stop, Dqrr::Consume]);
        assert_eq!((h.consumed, h.park, h.stop), (0, false, true));
        assert_eq!(seen, 1);
    }

    #[test]
    fn consume_stop_consumes_its_frame() {
        let a = [Dqrr::Consume, Dqrr::ConsumeStop, Dqrr::Consume];
        let (h, seen) = run(3, &a);
        assert_eq!((h.consumed, h.park, h.stop), (2, false, true));
        assert_eq!(seen, 2);
    }

    #[test]
    fn park_consumes_and_holds_the_rest() {
        let a = [Dqrr::Park, Dqrr::Consume, Dqrr::Consume];
        let (h, seen) = run(3, &a);
        assert_eq!((h.consumed, h.park, h.stop), (1, true, false));
        assert_eq!(seen, 1);
    }
}
