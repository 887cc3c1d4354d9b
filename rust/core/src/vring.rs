// SPDX-License-Identifier: GPL-2.0

//! The device side of a split virtqueue (virtio 1.2, §2.7).
//!
//! Every access to the ring and to the descriptors goes through a
//! [`GuestMem`]: the device's address space. A miss there, and any
//! descriptor that breaks the spec's rules (an index out of range, a loop, a
//! chain longer than the queue, a readable descriptor after a writable one,
//! an indirect descriptor that was not negotiated, or one that is nested,
//! chained on, or not a whole table), is a [`RingError`]: the caller marks
//! the device as needing a reset. Every descriptor is read once. Nothing
//! here trusts the driver.
//!
//! With `VIRTIO_RING_F_INDIRECT_DESC` a chain may end in a descriptor that
//! points at a table of descriptors (§2.7.5.3), walked like the ring's own,
//! its `next` indices into the table. With `VIRTIO_RING_F_EVENT_IDX` the
//! driver asks for an interrupt through `used_event` and the device for
//! kicks through `avail_event` (§2.7.7, §2.7.10), instead of the flags.
//!
//! ```text
//! desc:  num x { addr: le64, len: le32, flags: le16, next: le16 }
//! avail: flags: le16, idx: le16, ring: num x le16, used_event: le16
//! used:  flags: le16, idx: le16, ring: num x { id: le32, len: le32 }, avail_event: le16
//! ```

use core::sync::atomic::{fence, Ordering};

/// The descriptor continues in `next`.
pub const DESC_F_NEXT: u16 = 1;
/// The buffer is device-writable.
pub const DESC_F_WRITE: u16 = 2;
/// The buffer is a table of descriptors.
pub const DESC_F_INDIRECT: u16 = 4;
/// `avail.flags`: the driver does not want interrupts.
pub const AVAIL_F_NO_INTERRUPT: u16 = 1;
/// `used.flags`: the device does not want kicks.
pub const USED_F_NO_NOTIFY: u16 = 1;
/// Largest queue size of a split ring.
pub const MAX_QUEUE_SIZE: u16 = 32768;
/// Feature bit: descriptors may point at tables of descriptors.
pub const F_INDIRECT_DESC: u32 = 28;
/// Feature bit: `used_event` and `avail_event` replace the flags.
pub const F_EVENT_IDX: u32 = 29;
/// Most descriptors an indirect table may hold (the largest queue size;
/// Linux may send tables longer than its queue). A walk reads at most
/// `N + 1` of them anyway: a longer chain is truncated (and refused).
pub const MAX_INDIRECT: u32 = MAX_QUEUE_SIZE as u32;

/// `vring_need_event()`: whether moving an index from `old` to `new`
/// passes `event` (the other side asked to hear when it does).
pub fn need_event(event: u16, new: u16, old: u16) -> bool {
    new.wrapping_sub(event).wrapping_sub(1) < new.wrapping_sub(old)
}

/// An address the device's address space does not map (or not with the
/// access asked for).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fault;

/// The memory a ring and its buffers live in, as the device sees it.
pub trait GuestMem {
    /// Copies `buf.len()` bytes at `addr` into `buf`.
    fn read(&self, addr: u64, buf: &mut [u8]) -> Result<(), Fault>;
    /// Copies `data` to `addr`.
    fn write(&self, addr: u64, data: &[u8]) -> Result<(), Fault>;
}

/// A driver error: the device needs a reset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RingError {
    /// An access missed the address space.
    Fault,
    /// The driver made more buffers available than the queue holds.
    AvailOverrun,
    /// A head or `next` index is not below the queue size.
    BadIndex,
    /// A chain visits more descriptors than the queue has.
    Loop,
    /// A readable descriptor follows a writable one.
    ReadAfterWrite,
    /// An indirect descriptor not negotiated, nested in a table, with
    /// `NEXT` set, or whose table is not a whole number of descriptors
    /// (or is empty, or too long).
    Indirect,
}

impl From<Fault> for RingError {
    fn from(_: Fault) -> Self {
        Self::Fault
    }
}

/// One buffer of a chain.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Seg {
    /// Address in the device's address space.
    pub addr: u64,
    /// Bytes.
    pub len: u32,
}

/// A descriptor chain: its head and up to `N` buffers, readable ones first.
#[derive(Debug, Clone, Copy)]
pub struct Chain<const N: usize> {
    /// The head descriptor's index (what the used ring returns).
    pub head: u16,
    /// The buffers.
    pub segs: [Seg; N],
    /// Buffers in `segs`.
    pub n: usize,
    /// The first `readable` of them are device-readable, the rest writable.
    pub readable: usize,
    /// The chain had more than `N` buffers; `segs` holds the first `N`.
    pub truncated: bool,
    /// Bytes of the readable buffers.
    pub read_len: u64,
    /// Bytes of the writable buffers.
    pub write_len: u64,
    /// A writable descriptor was seen (even one not kept, or empty).
    writable_seen: bool,
}

impl<const N: usize> Default for Chain<N> {
    fn default() -> Self {
        Self {
            head: 0,
            segs: [Seg::default(); N],
            n: 0,
            readable: 0,
            truncated: false,
            read_len: 0,
            write_len: 0,
            writable_seen: false,
        }
    }
}

impl<const N: usize> Chain<N> {
    /// The device-readable buffers.
    pub fn readable(&self) -> &[Seg] {
        &self.segs[..self.readable]
    }

    /// The device-writable buffers.
    pub fn writable(&self) -> &[Seg] {
        &self.segs[self.readable..self.n]
    }
}

/// One descriptor, as read (once) from the table.
struct Desc {
    addr: u64,
    len: u32,
    flags: u16,
    next: u16,
}

impl Desc {
    fn read(m: &impl GuestMem, at: u64) -> Result<Self, Fault> {
        let mut d = [0u8; 16];
        m.read(at, &mut d)?;
        Ok(Self {
            addr: u64::from_le_bytes([d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7]]),
            len: u32::from_le_bytes([d[8], d[9], d[10], d[11]]),
            flags: u16::from_le_bytes([d[12], d[13]]),
            next: u16::from_le_bytes([d[14], d[15]]),
        })
    }
}

impl<const N: usize> Chain<N> {
    /// Appends a buffer descriptor (readable ones must come first).
    fn add(&mut self, d: &Desc) -> Result<(), RingError> {
        let writable = d.flags & DESC_F_WRITE != 0;
        if writable {
            self.writable_seen = true;
            self.write_len += d.len as u64;
        } else {
            if self.writable_seen {
                return Err(RingError::ReadAfterWrite);
            }
            self.read_len += d.len as u64;
        }
        if self.n < N {
            self.segs[self.n] = Seg {
                addr: d.addr,
                len: d.len,
            };
            self.n += 1;
            if !writable {
                self.readable += 1;
            }
        } else {
            self.truncated = true;
        }
        Ok(())
    }
}

fn read_u16(m: &impl GuestMem, addr: u64) -> Result<u16, Fault> {
    let mut b = [0; 2];
    m.read(addr, &mut b)?;
    Ok(u16::from_le_bytes(b))
}

/// Reads `len` bytes from the readable buffers of a chain, starting `skip`
/// bytes in, into `out`; returns how many were copied.
pub fn read_chain<const N: usize>(
    m: &impl GuestMem,
    c: &Chain<N>,
    mut skip: u64,
    out: &mut [u8],
) -> Result<usize, Fault> {
    let mut done = 0;
    for s in c.readable() {
        if done == out.len() {
            break;
        }
        if skip >= s.len as u64 {
            skip -= s.len as u64;
            continue;
        }
        let n = ((s.len as u64 - skip) as usize).min(out.len() - done);
        m.read(s.addr.wrapping_add(skip), &mut out[done..done + n])?;
        done += n;
        skip = 0;
    }
    Ok(done)
}

/// Writes `data` into the writable buffers of a chain; returns how many
/// bytes fit.
pub fn write_chain<const N: usize>(
    m: &impl GuestMem,
    c: &Chain<N>,
    data: &[u8],
) -> Result<usize, Fault> {
    let mut done = 0;
    for s in c.writable() {
        if done == data.len() {
            break;
        }
        let n = (s.len as usize).min(data.len() - done);
        m.write(s.addr, &data[done..done + n])?;
        done += n;
    }
    Ok(done)
}

/// The device's view of one split virtqueue: where it is and how far it got.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SplitRing {
    /// Descriptor table address.
    pub desc: u64,
    /// Avail (driver) ring address.
    pub avail: u64,
    /// Used (device) ring address.
    pub used: u64,
    /// Queue size.
    pub num: u16,
    /// Next avail ring entry to take.
    pub last_avail: u16,
    /// Next used ring entry to fill.
    pub next_used: u16,
    /// Used entries filled since the last publish.
    unpublished: u32,
    /// An interrupt was asked for since the ring started: until then the
    /// driver's `used_event` may be stale (a restart), and the first
    /// publish interrupts (vhost's `signalled_used_valid`).
    signalled: bool,
    /// `VIRTIO_RING_F_INDIRECT_DESC` was negotiated.
    pub indirect: bool,
    /// `VIRTIO_RING_F_EVENT_IDX` was negotiated.
    pub event_idx: bool,
}

impl SplitRing {
    /// A ring of `num` entries (a power of two, 1..=32768) at the three
    /// addresses, starting at avail/used index `start`.
    pub fn new(desc: u64, avail: u64, used: u64, num: u16, start: u16) -> Option<Self> {
        if num == 0 || !num.is_power_of_two() || num > MAX_QUEUE_SIZE {
            return None;
        }
        Some(Self {
            desc,
            avail,
            used,
            num,
            last_avail: start,
            next_used: start,
            unpublished: 0,
            signalled: false,
            indirect: false,
            event_idx: false,
        })
    }

    /// The ring with the negotiated `features` (bits 28 and 29 matter).
    pub fn with_features(mut self, features: u64) -> Self {
        self.indirect = features & (1 << F_INDIRECT_DESC) != 0;
        self.event_idx = features & (1 << F_EVENT_IDX) != 0;
        self
    }

    /// Ring slot of free-running index `i` (`num` is a power of two; no
    /// division, so no panic path).
    fn wrap(&self, i: u16) -> u64 {
        (i & self.num.wrapping_sub(1)) as u64
    }

    /// Buffers made available and not taken yet.
    pub fn pending(&self, m: &impl GuestMem) -> Result<u16, RingError> {
        let idx = read_u16(m, self.avail.wrapping_add(2))?;
        let n = idx.wrapping_sub(self.last_avail);
        if n > self.num {
            return Err(RingError::AvailOverrun);
        }
        Ok(n)
    }

    /// Takes the next available chain into `c`; `Ok(false)` if there is none.
    pub fn pop<const N: usize>(
        &mut self,
        m: &impl GuestMem,
        c: &mut Chain<N>,
    ) -> Result<bool, RingError> {
        if self.pending(m)? == 0 {
            return Ok(false);
        }
        // The ring entry and the descriptors were written before the index.
        fence(Ordering::Acquire);
        let slot = self.avail.wrapping_add(4 + 2 * self.wrap(self.last_avail));
        let head = read_u16(m, slot)?;
        self.walk(m, head, c)?;
        self.last_avail = self.last_avail.wrapping_add(1);
        Ok(true)
    }

    fn walk<const N: usize>(
        &self,
        m: &impl GuestMem,
        head: u16,
        c: &mut Chain<N>,
    ) -> Result<(), RingError> {
        *c = Chain {
            head,
            ..Chain::default()
        };
        let mut i = head;
        let mut seen = 0u32;
        loop {
            if i >= self.num {
                return Err(RingError::BadIndex);
            }
            seen += 1;
            if seen > self.num as u32 {
                return Err(RingError::Loop);
            }
            let d = Desc::read(m, self.desc.wrapping_add(16 * i as u64))?;
            if d.flags & DESC_F_INDIRECT != 0 {
                // The last of the ring's descriptors of this chain.
                if !self.indirect || d.flags & DESC_F_NEXT != 0 {
                    return Err(RingError::Indirect);
                }
                return Self::walk_table(m, &d, c);
            }
            c.add(&d)?;
            // Longer than anyone takes: no need to read the rest (the
            // consumers refuse a truncated chain and return it used).
            if d.flags & DESC_F_NEXT == 0 || c.truncated {
                return Ok(());
            }
            i = d.next;
        }
    }

    /// Walks the indirect table `t` points at, from its entry 0; the
    /// table's `WRITE` flag is ignored (§2.7.5.3.2).
    fn walk_table<const N: usize>(
        m: &impl GuestMem,
        t: &Desc,
        c: &mut Chain<N>,
    ) -> Result<(), RingError> {
        let count = t.len / 16;
        if t.len % 16 != 0 || count == 0 || count > MAX_INDIRECT {
            return Err(RingError::Indirect);
        }
        let mut i = 0u32;
        let mut seen = 0u32;
        loop {
            if i >= count {
                return Err(RingError::BadIndex);
            }
            seen += 1;
            if seen > count {
                return Err(RingError::Loop);
            }
            let d = Desc::read(m, t.addr.wrapping_add(16 * i as u64))?;
            if d.flags & DESC_F_INDIRECT != 0 {
                return Err(RingError::Indirect);
            }
            c.add(&d)?;
            // A table may be 32768 long: at most N + 1 of it is read.
            if d.flags & DESC_F_NEXT == 0 || c.truncated {
                return Ok(());
            }
            i = d.next as u32;
        }
    }

    /// Puts the chain `head` in the used ring with `len` bytes written; the
    /// driver sees it at the next [`SplitRing::publish`].
    pub fn push_used(&mut self, m: &impl GuestMem, head: u16, len: u32) -> Result<(), RingError> {
        let slot = self.used.wrapping_add(4 + 8 * self.wrap(self.next_used));
        let mut e = [0u8; 8];
        e[..4].copy_from_slice(&(head as u32).to_le_bytes());
        e[4..].copy_from_slice(&len.to_le_bytes());
        m.write(slot, &e)?;
        self.next_used = self.next_used.wrapping_add(1);
        self.unpublished = self.unpublished.saturating_add(1);
        Ok(())
    }

    /// Makes the used entries pushed so far visible to the driver. Returns
    /// whether the driver wants to be interrupted for them.
    pub fn publish(&mut self, m: &impl GuestMem) -> Result<bool, RingError> {
        if self.unpublished == 0 {
            return Ok(false);
        }
        // The entries before the index that exposes them.
        fence(Ordering::Release);
        m.write(self.used.wrapping_add(2), &self.next_used.to_le_bytes())?;
        let old = self.next_used.wrapping_sub(self.unpublished as u16);
        // As many entries as the ring holds: `old` says nothing any more.
        let many = self.unpublished >= self.num as u32;
        self.unpublished = 0;
        // The index before the driver's flags or event (it sets them, then
        // rechecks).
        fence(Ordering::SeqCst);
        if self.event_idx {
            let at = self.avail.wrapping_add(4 + 2 * self.num as u64);
            let used_event = read_u16(m, at)?;
            let first = !self.signalled;
            self.signalled = true;
            return Ok(first || many || need_event(used_event, self.next_used, old));
        }
        let flags = read_u16(m, self.avail)?;
        Ok(flags & AVAIL_F_NO_INTERRUPT == 0)
    }

    /// What a ring starting (or restarting, on memory a ring used before)
    /// tells the driver: `used.flags` clear (with EVENT_IDX the driver
    /// ignores them, §2.7.10, but they must be 0) and a kick at the next
    /// buffer made available.
    pub fn start_notify(&self, m: &impl GuestMem) -> Result<(), RingError> {
        m.write(self.used, &0u16.to_le_bytes())?;
        self.set_no_notify(m, false)
    }

    /// Asks for no kicks (`on`) or for a kick at the next buffer made
    /// available: `used.flags` NO_NOTIFY, or with EVENT_IDX `avail_event`
    /// (which asking for none leaves as it is: the driver kicks once more
    /// at most).
    pub fn set_no_notify(&self, m: &impl GuestMem, on: bool) -> Result<(), RingError> {
        if self.event_idx {
            if !on {
                let at = self.used.wrapping_add(4 + 8 * self.num as u64);
                m.write(at, &self.last_avail.to_le_bytes())?;
            }
        } else {
            let f = if on { USED_F_NO_NOTIFY } else { 0 };
            m.write(self.used, &f.to_le_bytes())?;
        }
        fence(Ordering::SeqCst);
        Ok(())
    }

    /// Bytes of the descriptor table, the avail ring and the used ring.
    pub fn sizes(num: u16) -> (u64, u64, u64) {
        let n = num as u64;
        (16 * n, 6 + 2 * n, 6 + 8 * n)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::testutil::Rng;
    use core::cell::RefCell;

    /// Flat memory at addresses 0x1000.. with a hole below 0x1000.
    pub(crate) struct Mem(pub RefCell<Vec<u8>>);

    const BASE: u64 = 0x1000;

    impl Mem {
        pub(crate) fn new(size: usize) -> Self {
            Self(RefCell::new(vec![0; size]))
        }
        fn range(&self, addr: u64, len: usize) -> Result<core::ops::Range<usize>, Fault> {
            let start = addr.checked_sub(BASE).ok_or(Fault)? as usize;
            let end = start.checked_add(len).ok_or(Fault)?;
            if end > self.0.borrow().len() {
                return Err(Fault);
            }
            Ok(start..end)
        }
    }

    impl GuestMem for Mem {
        fn read(&self, addr: u64, buf: &mut [u8]) -> Result<(), Fault> {
            let r = self.range(addr, buf.len())?;
            buf.copy_from_slice(&self.0.borrow()[r]);
            Ok(())
        }
        fn write(&self, addr: u64, data: &[u8]) -> Result<(), Fault> {
            let r = self.range(addr, data.len())?;
            self.0.borrow_mut()[r].copy_from_slice(data);
            Ok(())
        }
    }

    /// A driver for the tests: lays out a ring of `num` at BASE.
    pub(crate) struct Driver {
        pub(crate) num: u16,
        pub(crate) avail_idx: u16,
        pub(crate) used_seen: u16,
        pub(crate) desc: u64,
        pub(crate) avail: u64,
        pub(crate) used: u64,
    }

    impl Driver {
        pub(crate) fn new(num: u16) -> Self {
            let (d, a, _) = SplitRing::sizes(num);
            Self {
                num,
                avail_idx: 0,
                used_seen: 0,
                desc: BASE,
                avail: BASE + d,
                used: BASE + ((d + a + 3) & !3),
            }
        }

        pub(crate) fn ring(&self) -> SplitRing {
            SplitRing::new(self.desc, self.avail, self.used, self.num, 0).unwrap()
        }

        pub(crate) fn set_desc(&self, m: &Mem, i: u16, addr: u64, len: u32, flags: u16, next: u16) {
            let mut d = [0u8; 16];
            d[..8].copy_from_slice(&addr.to_le_bytes());
            d[8..12].copy_from_slice(&len.to_le_bytes());
            d[12..14].copy_from_slice(&flags.to_le_bytes());
            d[14..].copy_from_slice(&next.to_le_bytes());
            m.write(self.desc + 16 * i as u64, &d).unwrap();
        }

        pub(crate) fn make_avail(&mut self, m: &Mem, head: u16) {
            let slot = self.avail + 4 + 2 * (self.avail_idx % self.num) as u64;
            m.write(slot, &head.to_le_bytes()).unwrap();
            self.avail_idx = self.avail_idx.wrapping_add(1);
            m.write(self.avail + 2, &self.avail_idx.to_le_bytes())
                .unwrap();
        }

        pub(crate) fn take_used(&mut self, m: &Mem) -> Option<(u32, u32)> {
            let mut b = [0u8; 2];
            m.read(self.used + 2, &mut b).unwrap();
            if u16::from_le_bytes(b) == self.used_seen {
                return None;
            }
            let mut e = [0u8; 8];
            let slot = self.used + 4 + 8 * (self.used_seen % self.num) as u64;
            m.read(slot, &mut e).unwrap();
            self.used_seen = self.used_seen.wrapping_add(1);
            Some((
                u32::from_le_bytes([e[0], e[1], e[2], e[3]]),
                u32::from_le_bytes([e[4], e[5], e[6], e[7]]),
            ))
        }
    }

    #[test]
    fn sizes_must_be_powers_of_two() {
        assert!(SplitRing::new(0, 0, 0, 0, 0).is_none());
        assert!(SplitRing::new(0, 0, 0, 3, 0).is_none());
        assert!(SplitRing::new(0, 0, 0, 256, 0).is_some());
        assert!(SplitRing::new(0, 0, 0, 32768, 0).is_some());
    }

    #[test]
    fn chain_round_trip() {
        let m = Mem::new(0x10000);
        let mut drv = Driver::new(8);
        let mut ring = drv.ring();
        let mut c = Chain::<4>::default();
        assert_eq!(ring.pop(&m, &mut c), Ok(false));
        // head 5 -> 2 (readable) -> 7 (writable)
        drv.set_desc(&m, 5, 0x8000, 12, DESC_F_NEXT, 2);
        drv.set_desc(&m, 2, 0x8100, 100, DESC_F_NEXT, 7);
        drv.set_desc(&m, 7, 0x9000, 1500, DESC_F_WRITE, 0);
        drv.make_avail(&m, 5);
        assert_eq!(ring.pending(&m), Ok(1));
        assert_eq!(ring.pop(&m, &mut c), Ok(true));
        assert_eq!(c.head, 5);
        assert_eq!(
            c.readable(),
            &[
                Seg {
                    addr: 0x8000,
                    len: 12
                },
                Seg {
                    addr: 0x8100,
                    len: 100
                }
            ]
        );
        assert_eq!(
            c.writable(),
            &[Seg {
                addr: 0x9000,
                len: 1500
            }]
        );
        assert_eq!((c.read_len, c.write_len, c.truncated), (112, 1500, false));
        assert_eq!(ring.pop(&m, &mut c), Ok(false));
        ring.push_used(&m, 5, 42).unwrap();
        // Not visible before publish.
        assert_eq!(drv.take_used(&m), None);
        assert_eq!(ring.publish(&m), Ok(true));
        assert_eq!(drv.take_used(&m), Some((5, 42)));
        // Nothing new: no interrupt asked for.
        assert_eq!(ring.publish(&m), Ok(false));
    }

    #[test]
    fn no_interrupt_flag_is_honoured() {
        let m = Mem::new(0x10000);
        let mut drv = Driver::new(4);
        let mut ring = drv.ring();
        drv.set_desc(&m, 0, 0x8000, 64, 0, 0);
        drv.make_avail(&m, 0);
        m.write(drv.avail, &AVAIL_F_NO_INTERRUPT.to_le_bytes())
            .unwrap();
        let mut c = Chain::<2>::default();
        assert_eq!(ring.pop(&m, &mut c), Ok(true));
        ring.push_used(&m, 0, 0).unwrap();
        assert_eq!(ring.publish(&m), Ok(false));
        assert_eq!(drv.take_used(&m), Some((0, 0)));
    }

    #[test]
    fn driver_errors_are_caught() {
        let m = Mem::new(0x10000);
        let mut drv = Driver::new(4);
        let mut c = Chain::<4>::default();
        // Loop: 0 -> 1 -> 0.
        drv.set_desc(&m, 0, 0x8000, 1, DESC_F_NEXT, 1);
        drv.set_desc(&m, 1, 0x8000, 1, DESC_F_NEXT, 0);
        drv.make_avail(&m, 0);
        assert_eq!(drv.ring().pop(&m, &mut c), Err(RingError::Loop));
        // next out of range.
        drv.set_desc(&m, 1, 0x8000, 1, DESC_F_NEXT, 4);
        assert_eq!(drv.ring().pop(&m, &mut c), Err(RingError::BadIndex));
        // readable after writable.
        drv.set_desc(&m, 0, 0x8000, 1, DESC_F_NEXT | DESC_F_WRITE, 1);
        drv.set_desc(&m, 1, 0x8000, 1, 0, 0);
        assert_eq!(drv.ring().pop(&m, &mut c), Err(RingError::ReadAfterWrite));
        // indirect.
        drv.set_desc(&m, 0, 0x8000, 16, DESC_F_INDIRECT, 0);
        assert_eq!(drv.ring().pop(&m, &mut c), Err(RingError::Indirect));
        // head out of range.
        let mut drv2 = Driver::new(4);
        drv2.make_avail(&m, 9);
        assert_eq!(drv2.ring().pop(&m, &mut c), Err(RingError::BadIndex));
        // avail index too far ahead.
        m.write(drv2.avail + 2, &100u16.to_le_bytes()).unwrap();
        assert_eq!(drv2.ring().pop(&m, &mut c), Err(RingError::AvailOverrun));
        // ring outside memory.
        let mut bad = drv2.ring();
        bad.avail = 0x10;
        assert_eq!(bad.pop(&m, &mut c), Err(RingError::Fault));
        // Addresses at the top of the space wrap and miss, never overflow.
        let top = SplitRing::new(u64::MAX - 8, u64::MAX - 3, u64::MAX - 1, 4, 0).unwrap();
        assert_eq!(top.clone().pop(&m, &mut c), Err(RingError::Fault));
        assert_eq!(top.clone().push_used(&m, 0, 0), Err(RingError::Fault));
        let mut d = Driver::new(4);
        d.set_desc(&m, 0, u64::MAX, 16, 0, 0);
        d.make_avail(&m, 0);
        let mut r = d.ring();
        assert_eq!(r.pop(&m, &mut c), Ok(true));
        let mut out = [0u8; 8];
        assert_eq!(read_chain(&m, &c, 4, &mut out), Err(Fault));
    }

    /// Writes descriptor `i` of a table at `table`.
    fn table_desc(m: &Mem, table: u64, i: u16, addr: u64, len: u32, flags: u16, next: u16) {
        let mut d = [0u8; 16];
        d[..8].copy_from_slice(&addr.to_le_bytes());
        d[8..12].copy_from_slice(&len.to_le_bytes());
        d[12..14].copy_from_slice(&flags.to_le_bytes());
        d[14..].copy_from_slice(&next.to_le_bytes());
        m.write(table + 16 * i as u64, &d).unwrap();
    }

    #[test]
    fn indirect_tables_when_negotiated() {
        const T: u64 = 0xa000;
        let m = Mem::new(0x10000);
        let mut drv = Driver::new(4);
        let mut ring = drv.ring().with_features(1 << F_INDIRECT_DESC);
        let mut c = Chain::<4>::default();
        // A direct readable descriptor, then a table: header (readable),
        // then two writable buffers through table entries 0 -> 2 -> 1. The
        // table descriptor's WRITE flag is ignored.
        drv.set_desc(&m, 3, 0x8000, 12, DESC_F_NEXT, 1);
        drv.set_desc(&m, 1, T, 48, DESC_F_INDIRECT | DESC_F_WRITE, 0);
        table_desc(&m, T, 0, 0x8100, 20, DESC_F_NEXT, 2);
        table_desc(&m, T, 2, 0x9000, 1000, DESC_F_WRITE | DESC_F_NEXT, 1);
        table_desc(&m, T, 1, 0x9800, 500, DESC_F_WRITE, 0);
        drv.make_avail(&m, 3);
        assert_eq!(ring.pop(&m, &mut c), Ok(true));
        assert_eq!(c.head, 3);
        assert_eq!(c.readable().len(), 2);
        assert_eq!(
            c.writable()[1],
            Seg {
                addr: 0x9800,
                len: 500
            }
        );
        assert_eq!((c.read_len, c.write_len), (32, 1500));
        ring.push_used(&m, 3, 7).unwrap();
        assert_eq!(ring.publish(&m), Ok(true));
        assert_eq!(drv.take_used(&m), Some((3, 7)));

        // Each rule of §2.7.5.3, one chain each.
        let cases: [(&str, u32, u16, &[(u16, u16, u16)], RingError); 7] = [
            (
                "table with NEXT",
                32,
                DESC_F_INDIRECT | DESC_F_NEXT,
                &[(0, 0, 0)],
                RingError::Indirect,
            ),
            (
                "not a whole table",
                40,
                DESC_F_INDIRECT,
                &[(0, 0, 0)],
                RingError::Indirect,
            ),
            ("empty table", 0, DESC_F_INDIRECT, &[], RingError::Indirect),
            (
                "nested table",
                32,
                DESC_F_INDIRECT,
                &[(0, DESC_F_INDIRECT, 0)],
                RingError::Indirect,
            ),
            (
                "next past the table",
                32,
                DESC_F_INDIRECT,
                &[(0, DESC_F_NEXT, 2)],
                RingError::BadIndex,
            ),
            (
                "loop in the table",
                32,
                DESC_F_INDIRECT,
                &[(0, DESC_F_NEXT, 1), (1, DESC_F_NEXT, 0)],
                RingError::Loop,
            ),
            (
                "readable after writable",
                32,
                DESC_F_INDIRECT,
                &[(0, DESC_F_NEXT | DESC_F_WRITE, 1), (1, 0, 0)],
                RingError::ReadAfterWrite,
            ),
        ];
        for (what, len, flags, entries, want) in cases {
            let mut drv = Driver::new(4);
            drv.set_desc(&m, 0, T, len, flags, 1);
            for &(i, f, next) in entries {
                table_desc(&m, T, i, 0x8000, 8, f, next);
            }
            drv.make_avail(&m, 0);
            let mut r = drv.ring().with_features(1 << F_INDIRECT_DESC);
            assert_eq!(r.pop(&m, &mut c), Err(want), "{what}");
        }
        // A table outside the address space.
        let mut drv = Driver::new(4);
        drv.set_desc(&m, 0, 0x10, 32, DESC_F_INDIRECT, 0);
        drv.make_avail(&m, 0);
        let mut r = drv.ring().with_features(1 << F_INDIRECT_DESC);
        assert_eq!(r.pop(&m, &mut c), Err(RingError::Fault));
        // Not negotiated.
        let mut drv = Driver::new(4);
        drv.set_desc(&m, 0, T, 32, DESC_F_INDIRECT, 0);
        drv.make_avail(&m, 0);
        assert_eq!(drv.ring().pop(&m, &mut c), Err(RingError::Indirect));
    }

    #[test]
    fn need_event_is_vring_need_event() {
        // The driver asked to hear when the index passes 5.
        assert!(need_event(5, 6, 5));
        assert!(need_event(5, 9, 3));
        assert!(!need_event(5, 5, 3));
        assert!(!need_event(5, 8, 6));
        // Across the wrap.
        assert!(need_event(0xffff, 2, 0xfffe));
        assert!(!need_event(3, 2, 0xfffe));
        // Exhaustively against the C formula on a small window.
        for old in 0..40u16 {
            for new in old..old + 40 {
                for ev in 0..80u16 {
                    let c = (new.wrapping_sub(ev).wrapping_sub(1)) < new.wrapping_sub(old);
                    assert_eq!(need_event(ev, new, old), c);
                    // The event is in (old, new] exactly.
                    assert_eq!(c, ev >= old && ev < new);
                }
            }
        }
    }

    #[test]
    fn event_idx_replaces_the_flags() {
        let m = Mem::new(0x10000);
        let mut drv = Driver::new(8);
        let mut ring = drv.ring().with_features(1 << F_EVENT_IDX);
        let used_event = drv.avail + 4 + 2 * 8;
        let avail_event = drv.used + 4 + 8 * 8;
        let mut c = Chain::<2>::default();
        for i in 0..6 {
            drv.set_desc(&m, i, 0x8000, 64, 0, 0);
            drv.make_avail(&m, i);
        }
        let mut used_one = |ring: &mut SplitRing| {
            assert_eq!(ring.pop(&m, &mut c), Ok(true));
            ring.push_used(&m, c.head, 0).unwrap();
        };
        // NO_INTERRUPT is ignored. The first publish of a (re)started ring
        // interrupts whatever used_event says: it may be stale.
        m.write(drv.avail, &AVAIL_F_NO_INTERRUPT.to_le_bytes())
            .unwrap();
        m.write(used_event, &5u16.to_le_bytes()).unwrap();
        used_one(&mut ring);
        assert_eq!(ring.publish(&m), Ok(true), "first publish");
        // Then exactly when the used index passes used_event.
        m.write(used_event, &2u16.to_le_bytes()).unwrap();
        used_one(&mut ring);
        assert_eq!(ring.publish(&m), Ok(false), "used 1 -> 2 does not pass 2");
        used_one(&mut ring);
        assert_eq!(ring.publish(&m), Ok(true), "used 2 -> 3 passes 2");
        used_one(&mut ring);
        assert_eq!(
            ring.publish(&m),
            Ok(false),
            "used 3 -> 4: 2 was passed before"
        );
        // Two entries in one publish that pass the event together.
        m.write(used_event, &4u16.to_le_bytes()).unwrap();
        used_one(&mut ring);
        used_one(&mut ring);
        assert_eq!(ring.publish(&m), Ok(true), "used 4 -> 6 passes 4");
        // Kicks: avail_event, not the flags.
        ring.set_no_notify(&m, true).unwrap();
        let mut f = [0u8; 2];
        m.read(drv.used, &mut f).unwrap();
        assert_eq!(u16::from_le_bytes(f), 0, "used.flags untouched");
        ring.set_no_notify(&m, false).unwrap();
        m.read(avail_event, &mut f).unwrap();
        assert_eq!(
            u16::from_le_bytes(f),
            ring.last_avail,
            "kick at the next buffer"
        );
        assert_eq!(ring.last_avail, 6);
        // A restart on the same memory: flags cleared, a kick asked for at
        // the state's index, the first publish interrupts.
        m.write(drv.used, &USED_F_NO_NOTIFY.to_le_bytes()).unwrap();
        drv.set_desc(&m, 6, 0x8000, 64, 0, 0);
        drv.make_avail(&m, 6);
        let mut r2 = SplitRing::new(drv.desc, drv.avail, drv.used, 8, 6)
            .unwrap()
            .with_features(1 << F_EVENT_IDX);
        r2.start_notify(&m).unwrap();
        m.read(drv.used, &mut f).unwrap();
        assert_eq!(u16::from_le_bytes(f), 0);
        m.read(avail_event, &mut f).unwrap();
        assert_eq!(u16::from_le_bytes(f), 6);
        m.write(used_event, &0u16.to_le_bytes()).unwrap();
        used_one(&mut r2);
        assert_eq!(
            r2.publish(&m),
            Ok(true),
            "stale used_event: still interrupted"
        );
    }

    /// Counts descriptor-sized reads.
    struct Counting<'a>(&'a Mem, core::cell::Cell<u32>);

    impl GuestMem for Counting<'_> {
        fn read(&self, addr: u64, buf: &mut [u8]) -> Result<(), Fault> {
            if buf.len() == 16 {
                self.1.set(self.1.get() + 1);
            }
            self.0.read(addr, buf)
        }
        fn write(&self, addr: u64, data: &[u8]) -> Result<(), Fault> {
            self.0.write(addr, data)
        }
    }

    #[test]
    fn long_tables_are_read_only_as_far_as_kept() {
        const T: u64 = 0x8000;
        let m = Mem::new(0x20000);
        let mut drv = Driver::new(4);
        // 1000 linked entries of nothing: a driver's attempt at making the
        // device walk a long way for every head.
        for i in 0..1000u16 {
            table_desc(&m, T, i, 0x1000, 0, DESC_F_NEXT, i + 1);
        }
        drv.set_desc(&m, 0, T, 16 * 1000, DESC_F_INDIRECT, 0);
        drv.make_avail(&m, 0);
        let cm = Counting(&m, core::cell::Cell::new(0));
        let mut c = Chain::<4>::default();
        let mut r = drv.ring().with_features(1 << F_INDIRECT_DESC);
        assert_eq!(r.pop(&cm, &mut c), Ok(true));
        assert!(c.truncated);
        // The ring's descriptor and N + 1 of the table's.
        assert_eq!(cm.1.get(), 1 + 5);
        // The same through the ring itself.
        let mut drv = Driver::new(64);
        for i in 0..64u16 {
            drv.set_desc(&m, i, 0x1000, 0, DESC_F_NEXT, (i + 1) % 64);
        }
        drv.make_avail(&m, 0);
        cm.1.set(0);
        assert_eq!(drv.ring().pop(&cm, &mut c), Ok(true));
        assert_eq!(cm.1.get(), 5);
    }

    #[test]
    fn read_after_write_beyond_what_is_kept() {
        let m = Mem::new(0x10000);
        let mut drv = Driver::new(8);
        let mut c = Chain::<1>::default();
        // One kept (writable), then an empty writable one (truncated: the
        // walk stops there, refused anyway); and with room for two, the
        // readable after them is caught.
        drv.set_desc(&m, 0, 0x8000, 8, DESC_F_NEXT | DESC_F_WRITE, 1);
        drv.set_desc(&m, 1, 0x8000, 0, DESC_F_NEXT | DESC_F_WRITE, 2);
        drv.set_desc(&m, 2, 0x8000, 8, 0, 0);
        drv.make_avail(&m, 0);
        assert_eq!(drv.ring().pop(&m, &mut c), Ok(true));
        assert!(c.truncated);
        let mut c2 = Chain::<3>::default();
        assert_eq!(drv.ring().pop(&m, &mut c2), Err(RingError::ReadAfterWrite));
    }

    #[test]
    fn long_chains_are_truncated_not_lost() {
        let m = Mem::new(0x10000);
        let mut drv = Driver::new(8);
        for i in 0..5 {
            drv.set_desc(
                &m,
                i,
                0x8000 + i as u64,
                10,
                if i < 4 { DESC_F_NEXT } else { 0 },
                i + 1,
            );
        }
        drv.make_avail(&m, 0);
        let mut c = Chain::<3>::default();
        assert_eq!(drv.ring().pop(&m, &mut c), Ok(true));
        assert!(c.truncated);
        // The walk stops at the first descriptor past the third.
        assert_eq!((c.n, c.read_len), (3, 40));
    }

    #[test]
    fn chain_copies_cross_buffers() {
        let m = Mem::new(0x10000);
        let mut drv = Driver::new(4);
        m.write(0x8000, &[1, 2, 3]).unwrap();
        m.write(0x8100, &[4, 5, 6, 7]).unwrap();
        drv.set_desc(&m, 0, 0x8000, 3, DESC_F_NEXT, 1);
        drv.set_desc(&m, 1, 0x8100, 4, DESC_F_NEXT, 2);
        drv.set_desc(&m, 2, 0x9000, 2, DESC_F_WRITE | DESC_F_NEXT, 3);
        drv.set_desc(&m, 3, 0x9100, 8, DESC_F_WRITE, 0);
        drv.make_avail(&m, 0);
        let mut c = Chain::<4>::default();
        assert_eq!(drv.ring().pop(&m, &mut c), Ok(true));
        let mut out = [0u8; 5];
        assert_eq!(read_chain(&m, &c, 2, &mut out), Ok(5));
        assert_eq!(out, [3, 4, 5, 6, 7]);
        assert_eq!(write_chain(&m, &c, &[9, 8, 7, 6]), Ok(4));
        let mut w = [0u8; 2];
        m.read(0x9100, &mut w).unwrap();
        assert_eq!(w, [7, 6]);
        assert_eq!(write_chain(&m, &c, &[0; 20]), Ok(10));
    }

    /// Many rounds with wrapping indexes: every chain made available comes
    /// back exactly once, in order, with its length.
    #[test]
    fn wraps_around_in_order() {
        let m = Mem::new(0x10000);
        let mut drv = Driver::new(16);
        let mut ring = drv.ring();
        ring.last_avail = 65530;
        ring.next_used = 65530;
        drv.avail_idx = 65530;
        drv.used_seen = 65530;
        let mut rng = Rng::new(7);
        let mut c = Chain::<1>::default();
        let mut next_head = 0u16;
        for _ in 0..200 {
            let k = 1 + rng.below(16) as u16;
            let mut heads = Vec::new();
            for _ in 0..k {
                let h = next_head % 16;
                next_head += 1;
                drv.set_desc(&m, h, 0x8000, h as u32, DESC_F_WRITE, 0);
                drv.make_avail(&m, h);
                heads.push(h);
            }
            for &h in &heads {
                assert_eq!(ring.pop(&m, &mut c), Ok(true));
                assert_eq!(c.head, h);
                ring.push_used(&m, h, c.write_len as u32).unwrap();
            }
            ring.publish(&m).unwrap();
            for &h in &heads {
                assert_eq!(drv.take_used(&m), Some((h as u32, h as u32)));
            }
            assert_eq!(drv.take_used(&m), None);
        }
    }
}
