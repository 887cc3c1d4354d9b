// SPDX-License-Identifier: GPL-2.0
//! A driver's ring memory is any bytes: the device side never panics, never
//! loops, and everything it takes it can give back. The first 8 bytes pick
//! the ring's addresses (some outside the memory), the queue size and the
//! negotiated ring features (indirect tables, event indices).
#![no_main]

use dpaa_core::vring::{
    read_chain, write_chain, Chain, Fault, GuestMem, SplitRing, F_EVENT_IDX, F_INDIRECT_DESC,
};
use libfuzzer_sys::fuzz_target;
use std::cell::RefCell;

/// Memory, counting descriptor-sized reads.
struct Mem(RefCell<Vec<u8>>, std::cell::Cell<u32>);

impl Mem {
    fn range(&self, addr: u64, len: usize) -> Result<std::ops::Range<usize>, Fault> {
        let start = usize::try_from(addr).map_err(|_| Fault)?;
        let end = start.checked_add(len).ok_or(Fault)?;
        (end <= self.0.borrow().len())
            .then_some(start..end)
            .ok_or(Fault)
    }
}

impl GuestMem for Mem {
    fn read(&self, addr: u64, buf: &mut [u8]) -> Result<(), Fault> {
        if buf.len() == 16 {
            self.1.set(self.1.get() + 1);
        }
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

fuzz_target!(|data: &[u8]| {
    let Some((head, mem)) = data.split_first_chunk::<8>() else {
        return;
    };
    let num = 1u16 << (head[0] % 9);
    let at = |b: u8| {
        if b == 0xff {
            u64::MAX - 3
        } else {
            b as u64 * 16
        }
    };
    let Some(ring) = SplitRing::new(at(head[1]), at(head[2]), at(head[3]), num, head[4] as u16)
    else {
        return;
    };
    let features =
        (head[6] as u64 & 1) << F_INDIRECT_DESC | (head[6] as u64 >> 1 & 1) << F_EVENT_IDX;
    let mut ring = ring.with_features(features);
    let m = Mem(RefCell::new(mem.to_vec()), std::cell::Cell::new(0));
    let mut c = Chain::<4>::default();
    let mut taken = 0u32;
    loop {
        m.1.set(0);
        if ring.pop(&m, &mut c) != Ok(true) {
            break;
        }
        // However long a chain or table: the kept buffers, one more, and
        // the ring descriptor that points at a table.
        assert!(m.1.get() <= 4 + 2, "a chain read past what it keeps");
        taken += 1;
        assert!(taken <= num as u32, "more chains than the ring holds");
        assert!(c.n <= 4 && c.readable <= c.n);
        let mut buf = [0u8; 32];
        let _ = read_chain(&m, &c, head[5] as u64, &mut buf);
        let _ = write_chain(&m, &c, &buf);
        if ring.push_used(&m, c.head, 1).is_err() {
            break;
        }
        let _ = ring.set_no_notify(&m, taken % 2 == 0);
        if head[7] & 1 != 0 {
            let _ = ring.publish(&m);
        }
    }
    let _ = ring.publish(&m);
});
