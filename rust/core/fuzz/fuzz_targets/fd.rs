// SPDX-License-Identifier: GPL-2.0
//! Any 16 bytes as a frame descriptor: decoding never panics and a valid
//! descriptor re-encodes to the same fields. The rest of the input is walked
//! as an S/G table.
#![no_main]

use dpaa_core::fd::{walk_sg, QmFd, SgEntry};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some(head) = data.get(..16) else { return };
    let fd = QmFd::from_bytes(head.try_into().unwrap());
    if let Some(format) = fd.format() {
        let again = QmFd::new(format, fd.bpid(), fd.addr(), fd.offset(), fd.length()).unwrap();
        assert_eq!(
            (
                again.format(),
                again.bpid(),
                again.addr(),
                again.offset(),
                again.length()
            ),
            (fd.format(), fd.bpid(), fd.addr(), fd.offset(), fd.length())
        );
    }
    let mut total = 0u64;
    if let Ok(n) = walk_sg(&data[16..], 64, fd.length(), |e: &SgEntry| {
        total += e.length() as u64
    }) {
        assert!(n >= 1 && n <= 64);
        assert_eq!(total, fd.length() as u64);
    }
});
