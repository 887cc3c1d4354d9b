// SPDX-License-Identifier: GPL-2.0

//! A fixed-capacity FIFO over storage allocated once (it never grows on the
//! datapath): an FQ's frames, a portal's ready queue.

use core::ops::DerefMut;

/// A FIFO in the slots of `S`.
///
/// # Invariants
///
/// `len <= slots.len()`; the entries are `slots[(head + i) % slots.len()]`
/// for `i < len`, oldest first.
pub struct FixedRing<T: Copy, S> {
    slots: S,
    head: usize,
    len: usize,
    _t: core::marker::PhantomData<T>,
}

impl<T: Copy, S: DerefMut<Target = [T]>> FixedRing<T, S> {
    /// An empty ring over `slots` (its capacity is their number).
    pub fn new(slots: S) -> Self {
        Self {
            slots,
            head: 0,
            len: 0,
            _t: core::marker::PhantomData,
        }
    }

    /// Entries held.
    pub fn len(&self) -> usize {
        self.len
    }

    /// No entry held.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// How many entries fit.
    pub fn capacity(&self) -> usize {
        self.slots.len()
    }

    /// Adds `v` at the tail; the caller made sure there is room.
    pub fn push(&mut self, v: T) {
        let cap = self.slots.len();
        debug_assert!(self.len < cap);
        self.slots[(self.head + self.len) % cap] = v;
        self.len += 1;
    }

    /// Puts `v` back at the head (taken, not consumed); the caller made
    /// sure there is room.
    pub fn push_front(&mut self, v: T) {
        let cap = self.slots.len();
        debug_assert!(self.len < cap);
        self.head = (self.head + cap - 1) % cap;
        self.slots[self.head] = v;
        self.len += 1;
    }

    /// Takes the oldest entry.
    pub fn pop(&mut self) -> Option<T> {
        if self.len == 0 {
            return None;
        }
        let v = self.slots[self.head];
        self.head = (self.head + 1) % self.slots.len();
        self.len -= 1;
        Some(v)
    }

    /// Removes every entry equal to `v`, keeping the order of the others.
    pub fn remove(&mut self, v: T)
    where
        T: PartialEq,
    {
        let cap = self.slots.len();
        let mut kept = 0;
        for i in 0..self.len {
            let x = self.slots[(self.head + i) % cap];
            if x != v {
                self.slots[(self.head + kept) % cap] = x;
                kept += 1;
            }
        }
        self.len = kept;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fifo_push_front_and_remove() {
        let mut r = FixedRing::new(vec![0u32; 4]);
        r.push(1);
        r.push(2);
        r.push(3);
        assert_eq!(r.pop(), Some(1));
        r.push_front(1);
        r.push(4);
        assert_eq!(r.len(), r.capacity());
        r.remove(3);
        assert_eq!(
            (r.pop(), r.pop(), r.pop(), r.pop()),
            (Some(1), Some(2), Some(4), None)
        );
        assert!(r.is_empty());
    }
}
