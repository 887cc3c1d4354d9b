// SPDX-License-Identifier: GPL-2.0

//! QMan frame descriptors (`struct qm_fd`) and scatter/gather table entries
//! (`struct qm_sg_entry`), bit for bit as `include/soc/fsl/qman.h` lays them
//! out: 16 big-endian bytes each.
//!
//! ```text
//! qm_fd:       0: cfg8b_w1  1: bpid  2: cfg8b_w3  3: addr[39:32]  4..8: addr[31:0]
//!              8..12: cfg = format[31:29] | offset[28:20] | length[19:0]
//!                     (big formats: length[28:0], no offset)
//!              12..16: cmd (enqueue) / status (dequeue)
//! qm_sg_entry: 3: addr[39:32]  4..8: addr[31:0]
//!              8..12: cfg = E[31] | F[30] | length[29:0]
//!              13: bpid  14..16: offset[12:0]
//! ```

/// Largest DMA address a descriptor can carry (40 bits).
pub const ADDR_MAX: u64 = (1 << 40) - 1;
/// Largest offset of the short formats (9 bits).
pub const OFFSET_MAX: u16 = (1 << 9) - 1;
/// Largest length of the short formats (20 bits).
pub const LEN_MAX: u32 = (1 << 20) - 1;
/// Largest length of the big formats (29 bits).
pub const LEN_BIG_MAX: u32 = (1 << 29) - 1;
/// Largest length of an S/G entry (30 bits).
pub const SG_LEN_MAX: u32 = (1 << 30) - 1;
/// Largest offset of an S/G entry (13 bits).
pub const SG_OFFSET_MAX: u16 = (1 << 13) - 1;

const FORMAT_SHIFT: u32 = 29;
const FORMAT_MASK: u32 = 0b111 << FORMAT_SHIFT;
const OFF_SHIFT: u32 = 20;
const OFF_MASK: u32 = (OFFSET_MAX as u32) << OFF_SHIFT;
const SG_FIN: u32 = 1 << 30;
const SG_EXT: u32 = 1 << 31;

/// How the buffer a descriptor points at is to be read (`enum qm_fd_format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One contiguous buffer; 9-bit offset, 20-bit length.
    Contig,
    /// One contiguous buffer; 29-bit length, no offset.
    ContigBig,
    /// An S/G table at the offset; 20-bit total length.
    Sg,
    /// An S/G table; 29-bit total length, no offset.
    SgBig,
    /// A table of frames; the length is a congestion weight.
    Compound,
}

impl Format {
    const fn bits(self) -> u32 {
        match self {
            Self::Contig => 0b000,
            Self::ContigBig => 0b010,
            Self::Sg => 0b100,
            Self::SgBig => 0b110,
            Self::Compound => 0b001,
        }
    }

    const fn from_bits(bits: u32) -> Option<Self> {
        match bits {
            0b000 => Some(Self::Contig),
            0b010 => Some(Self::ContigBig),
            0b100 => Some(Self::Sg),
            0b110 => Some(Self::SgBig),
            0b001 => Some(Self::Compound),
            _ => None,
        }
    }

    /// Big formats have a 29-bit length and no offset.
    pub const fn is_big(self) -> bool {
        matches!(self, Self::ContigBig | Self::SgBig | Self::Compound)
    }

    /// The buffer holds an S/G table rather than the frame itself.
    pub const fn is_sg(self) -> bool {
        matches!(self, Self::Sg | Self::SgBig)
    }
}

/// A field does not fit its descriptor bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FdError {
    /// The address is above [`ADDR_MAX`].
    Addr,
    /// The offset does not fit the format.
    Offset,
    /// The length does not fit the format.
    Length,
}

fn check_addr(addr: u64) -> Result<(), FdError> {
    if addr > ADDR_MAX {
        return Err(FdError::Addr);
    }
    Ok(())
}

fn put_addr(b: &mut [u8; 16], addr: u64) {
    b[3] = (addr >> 32) as u8;
    b[4..8].copy_from_slice(&(addr as u32).to_be_bytes());
}

fn get_addr(b: &[u8; 16]) -> u64 {
    u64::from_be_bytes([0, 0, 0, b[3], b[4], b[5], b[6], b[7]])
}

fn get_be32(b: &[u8; 16], at: usize) -> u32 {
    u32::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

/// A QMan frame descriptor, layout-compatible with `struct qm_fd`.
#[derive(Clone, Copy, PartialEq, Eq, Default)]
#[repr(C, align(8))]
pub struct QmFd([u8; 16]);

impl core::fmt::Debug for QmFd {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("QmFd")
            .field("format", &self.format())
            .field("bpid", &self.bpid())
            .field("addr", &format_args!("{:#x}", self.addr()))
            .field("offset", &self.offset())
            .field("length", &self.length())
            .field("status", &format_args!("{:#x}", self.status()))
            .finish()
    }
}

impl QmFd {
    /// A descriptor of `format` for the buffer at `addr` from pool `bpid`.
    /// `offset` must be 0 for big formats.
    pub fn new(
        format: Format,
        bpid: u8,
        addr: u64,
        offset: u16,
        len: u32,
    ) -> Result<Self, FdError> {
        check_addr(addr)?;
        let (off_max, len_max) = if format.is_big() {
            (0, LEN_BIG_MAX)
        } else {
            (OFFSET_MAX, LEN_MAX)
        };
        if offset > off_max {
            return Err(FdError::Offset);
        }
        if len > len_max {
            return Err(FdError::Length);
        }
        let mut b = [0u8; 16];
        b[1] = bpid;
        put_addr(&mut b, addr);
        let cfg = (format.bits() << FORMAT_SHIFT) | ((offset as u32) << OFF_SHIFT) | len;
        b[8..12].copy_from_slice(&cfg.to_be_bytes());
        Ok(Self(b))
    }

    /// A contiguous frame of `len` bytes at `addr + offset`.
    pub fn contig(bpid: u8, addr: u64, offset: u16, len: u32) -> Result<Self, FdError> {
        Self::new(Format::Contig, bpid, addr, offset, len)
    }

    /// A frame of `len` bytes described by the S/G table at `addr + offset`.
    pub fn sg(bpid: u8, addr: u64, offset: u16, len: u32) -> Result<Self, FdError> {
        Self::new(Format::Sg, bpid, addr, offset, len)
    }

    /// The descriptor's 16 bytes, as the hardware reads them.
    pub const fn from_bytes(b: [u8; 16]) -> Self {
        Self(b)
    }

    /// The descriptor's 16 bytes.
    pub const fn to_bytes(self) -> [u8; 16] {
        self.0
    }

    fn cfg(&self) -> u32 {
        get_be32(&self.0, 8)
    }

    /// The format, or `None` for the three reserved encodings.
    pub fn format(&self) -> Option<Format> {
        Format::from_bits((self.cfg() & FORMAT_MASK) >> FORMAT_SHIFT)
    }

    /// Buffer pool ID: where the buffer returns when the frame is consumed.
    pub fn bpid(&self) -> u8 {
        self.0[1]
    }

    /// Sets the buffer pool ID.
    pub fn set_bpid(&mut self, bpid: u8) {
        self.0[1] = bpid;
    }

    /// The 40-bit buffer address.
    pub fn addr(&self) -> u64 {
        get_addr(&self.0)
    }

    /// Offset of the data (or S/G table) in the buffer; 0 for big formats.
    pub fn offset(&self) -> u16 {
        match self.format() {
            Some(f) if !f.is_big() => ((self.cfg() & OFF_MASK) >> OFF_SHIFT) as u16,
            _ => 0,
        }
    }

    /// Frame length (the congestion weight for compound frames).
    pub fn length(&self) -> u32 {
        match self.format() {
            Some(f) if f.is_big() => self.cfg() & LEN_BIG_MAX,
            _ => self.cfg() & LEN_MAX,
        }
    }

    /// The command word of an enqueued descriptor.
    pub fn cmd(&self) -> u32 {
        get_be32(&self.0, 12)
    }

    /// The status word of a dequeued descriptor (same bytes as `cmd`).
    pub fn status(&self) -> u32 {
        self.cmd()
    }

    /// Sets the command/status word.
    pub fn set_status(&mut self, status: u32) {
        self.0[12..16].copy_from_slice(&status.to_be_bytes());
    }
}

/// A scatter/gather table entry, layout-compatible with `struct qm_sg_entry`.
#[derive(Clone, Copy, PartialEq, Eq, Default, Debug)]
#[repr(C)]
pub struct SgEntry([u8; 16]);

/// Size of one S/G entry in a table.
pub const SG_ENTRY_SIZE: usize = 16;

impl SgEntry {
    /// An entry for `len` bytes at `addr + offset` of a buffer from `bpid`;
    /// `last` sets the F bit that ends the table.
    pub fn new(bpid: u8, addr: u64, offset: u16, len: u32, last: bool) -> Result<Self, FdError> {
        check_addr(addr)?;
        if offset > SG_OFFSET_MAX {
            return Err(FdError::Offset);
        }
        if len > SG_LEN_MAX {
            return Err(FdError::Length);
        }
        let mut b = [0u8; 16];
        put_addr(&mut b, addr);
        let cfg = len | if last { SG_FIN } else { 0 };
        b[8..12].copy_from_slice(&cfg.to_be_bytes());
        b[13] = bpid;
        b[14..16].copy_from_slice(&offset.to_be_bytes());
        Ok(Self(b))
    }

    /// An entry from the 16 bytes of a table in buffer memory.
    pub fn from_bytes(b: [u8; 16]) -> Self {
        Self(b)
    }

    /// The entry's 16 bytes.
    pub const fn to_bytes(self) -> [u8; 16] {
        self.0
    }

    /// The 40-bit buffer address.
    pub fn addr(&self) -> u64 {
        get_addr(&self.0)
    }

    /// Length of this piece of the frame.
    pub fn length(&self) -> u32 {
        get_be32(&self.0, 8) & SG_LEN_MAX
    }

    /// The F bit: the last entry of the table.
    pub fn is_final(&self) -> bool {
        get_be32(&self.0, 8) & SG_FIN != 0
    }

    /// The E bit: the entry points at a further table rather than data.
    pub fn is_ext(&self) -> bool {
        get_be32(&self.0, 8) & SG_EXT != 0
    }

    /// Buffer pool of the buffer.
    pub fn bpid(&self) -> u8 {
        self.0[13]
    }

    /// Offset of the data in the buffer (13 bits; the reserved bits ignored).
    pub fn offset(&self) -> u16 {
        u16::from_be_bytes([self.0[14], self.0[15]]) & SG_OFFSET_MAX
    }
}

/// Why an S/G table cannot be walked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SgError {
    /// The table ends (runs out of bytes or entries) before an entry with F set.
    Unterminated,
    /// An entry has the E bit: extension tables are not supported.
    Extension,
    /// The pieces add up to more (or less) than the descriptor's length.
    LengthMismatch,
}

/// Walks the S/G table in `table` (raw bytes, at most `max_entries` entries)
/// and calls `piece(entry)` for each entry up to the final one. The lengths
/// must add up to `frame_len`. Returns the number of entries.
pub fn walk_sg(
    table: &[u8],
    max_entries: usize,
    frame_len: u32,
    mut piece: impl FnMut(&SgEntry),
) -> Result<usize, SgError> {
    let mut total: u64 = 0;
    for (i, chunk) in table
        .chunks_exact(SG_ENTRY_SIZE)
        .take(max_entries)
        .enumerate()
    {
        let mut b = [0u8; 16];
        b.copy_from_slice(chunk);
        let e = SgEntry::from_bytes(b);
        if e.is_ext() {
            return Err(SgError::Extension);
        }
        total += e.length() as u64;
        piece(&e);
        if e.is_final() {
            if total != frame_len as u64 {
                return Err(SgError::LengthMismatch);
            }
            return Ok(i + 1);
        }
    }
    Err(SgError::Unterminated)
}

/// Frame status bits the FMan writes in an FD's status word (`FM_FD_ERR_*`
/// in `fman.h`), and the masks `dpaa_eth` checks.
pub mod status {
    /// TX: the FD's format is not one the port transmits.
    pub const ERR_UNSUPPORTED_FORMAT: u32 = 0x0400_0000;
    /// TX: the frame's length is out of range.
    pub const ERR_LENGTH: u32 = 0x0200_0000;
    /// RX and TX: a DMA error (the port could not read or write the buffer).
    pub const ERR_DMA: u32 = 0x0100_0000;
    /// RX: FIFO overflow, FCS, code or PHY error.
    pub const ERR_PHYSICAL: u32 = 0x0008_0000;
    /// RX: the frame is longer than the MAC's maximum (truncated to it).
    pub const ERR_SIZE: u32 = 0x0004_0000;
    /// Not an FMan error (`FM_FD_RX_STATUS_ERR_NON_FM`): what software sets
    /// on a frame the port never had (a rejected enqueue, a drained FQ).
    pub const ERR_NON_FM: u32 = 0x0040_0000;
    /// RX errors `dpaa_eth` checks (`FM_FD_STAT_RX_ERRORS`). The port
    /// sends size, DMA, physical, parser and KeyGen errors to its RX error
    /// FQ and discards classification discards by default; frames there
    /// may also carry bits outside this mask (keysize overflow, block
    /// limit, reassembly).
    pub const RX_ERRORS: u32 = ERR_DMA
        | ERR_PHYSICAL
        | ERR_SIZE
        | 0x0002_0000 // classification discard
        | 0x0000_8000 // extraction
        | 0x0000_4000 // no scheme
        | 0x0000_0080 // parser timeout
        | 0x0000_0040 // parser illegal instruction
        | 0x0000_0020; // parser header error
    /// TX errors (`FM_FD_STAT_TX_ERRORS`).
    pub const TX_ERRORS: u32 = ERR_UNSUPPORTED_FORMAT | ERR_LENGTH | ERR_DMA;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::Rng;

    #[test]
    fn contig_layout_matches_qman_h() {
        let fd = QmFd::contig(7, 0x12_3456_789a, 64, 1514).unwrap();
        // cfg = qm_fd_contig | 64 << 20 | 1514 = 0x040005ea
        assert_eq!(
            fd.to_bytes(),
            [0, 7, 0, 0x12, 0x34, 0x56, 0x78, 0x9a, 0x04, 0x00, 0x05, 0xea, 0, 0, 0, 0]
        );
        assert_eq!(core::mem::size_of::<QmFd>(), 16);
        assert_eq!(core::mem::align_of::<QmFd>(), 8);
    }

    #[test]
    fn format_bits_match_qman_h() {
        // QM_FD_FORMAT_SG = BIT(31), _LONG = BIT(30), _COMPOUND = BIT(29)
        let cfg = |f| QmFd::new(f, 0, 0, 0, 0).unwrap().to_bytes()[8];
        assert_eq!(cfg(Format::Contig), 0x00);
        assert_eq!(cfg(Format::ContigBig), 0x40);
        assert_eq!(cfg(Format::Sg), 0x80);
        assert_eq!(cfg(Format::SgBig), 0xc0);
        assert_eq!(cfg(Format::Compound), 0x20);
    }

    #[test]
    fn big_formats_have_29_bit_length_and_no_offset() {
        let fd = QmFd::new(Format::ContigBig, 1, 0x1000, 0, LEN_BIG_MAX).unwrap();
        assert_eq!(fd.length(), LEN_BIG_MAX);
        assert_eq!(fd.offset(), 0);
        assert_eq!(
            QmFd::new(Format::ContigBig, 1, 0x1000, 1, 10),
            Err(FdError::Offset)
        );
        assert_eq!(
            QmFd::new(Format::SgBig, 1, 0x1000, 0, LEN_BIG_MAX + 1),
            Err(FdError::Length)
        );
    }

    #[test]
    fn limits_are_enforced() {
        assert_eq!(QmFd::contig(0, ADDR_MAX + 1, 0, 0), Err(FdError::Addr));
        assert_eq!(QmFd::contig(0, 0, OFFSET_MAX + 1, 0), Err(FdError::Offset));
        assert_eq!(QmFd::contig(0, 0, 0, LEN_MAX + 1), Err(FdError::Length));
        assert!(QmFd::contig(0, ADDR_MAX, OFFSET_MAX, LEN_MAX).is_ok());
        assert_eq!(
            SgEntry::new(0, 0, SG_OFFSET_MAX + 1, 0, true),
            Err(FdError::Offset)
        );
        assert_eq!(
            SgEntry::new(0, 0, 0, SG_LEN_MAX + 1, true),
            Err(FdError::Length)
        );
    }

    #[test]
    fn reserved_formats_decode_as_none() {
        for top in [0b011u8, 0b101, 0b111] {
            let mut b = [0u8; 16];
            b[8] = top << 5;
            assert_eq!(QmFd::from_bytes(b).format(), None, "format {top:#b}");
        }
    }

    #[test]
    fn status_is_the_last_word() {
        let mut fd = QmFd::contig(1, 2, 3, 4).unwrap();
        fd.set_status(0x8000_0001);
        assert_eq!(fd.to_bytes()[12..16], [0x80, 0, 0, 1]);
        assert_eq!(fd.status(), 0x8000_0001);
        assert_eq!(fd.length(), 4);
    }

    #[test]
    fn random_round_trips() {
        let mut rng = Rng::new(1);
        let formats = [
            Format::Contig,
            Format::ContigBig,
            Format::Sg,
            Format::SgBig,
            Format::Compound,
        ];
        for _ in 0..100_000 {
            let f = formats[rng.below(5) as usize];
            let bpid = rng.next() as u8;
            let addr = rng.next() & ADDR_MAX;
            let (off, len) = if f.is_big() {
                (0, rng.next() as u32 & LEN_BIG_MAX)
            } else {
                (rng.next() as u16 & OFFSET_MAX, rng.next() as u32 & LEN_MAX)
            };
            let fd = QmFd::new(f, bpid, addr, off, len).unwrap();
            assert_eq!(
                (
                    fd.format(),
                    fd.bpid(),
                    fd.addr(),
                    fd.offset(),
                    fd.length(),
                    fd.status()
                ),
                (Some(f), bpid, addr, off, len, 0)
            );
            assert_eq!(QmFd::from_bytes(fd.to_bytes()), fd);
        }
    }

    #[test]
    fn sg_entry_layout_matches_qman_h() {
        let e = SgEntry::new(9, 0xab_cdef_0123, 0x1ff, 2048, true).unwrap();
        assert_eq!(
            e.to_bytes(),
            [0, 0, 0, 0xab, 0xcd, 0xef, 0x01, 0x23, 0x40, 0, 0x08, 0x00, 0, 9, 0x01, 0xff]
        );
        assert!(e.is_final() && !e.is_ext());
        assert_eq!(
            (e.bpid(), e.addr(), e.offset(), e.length()),
            (9, 0xab_cdef_0123, 0x1ff, 2048)
        );
    }

    fn table(entries: &[SgEntry]) -> [u8; 256] {
        let mut t = [0u8; 256];
        for (i, e) in entries.iter().enumerate() {
            t[i * 16..i * 16 + 16].copy_from_slice(&e.to_bytes());
        }
        t
    }

    #[test]
    fn sg_walk() {
        let t = table(&[
            SgEntry::new(1, 0x1000, 0, 100, false).unwrap(),
            SgEntry::new(1, 0x2000, 8, 200, false).unwrap(),
            SgEntry::new(1, 0x3000, 0, 50, true).unwrap(),
        ]);
        let mut seen = [0u64; 3];
        let mut n = 0;
        assert_eq!(
            walk_sg(&t, 16, 350, |e| {
                seen[n] = e.addr();
                n += 1
            }),
            Ok(3)
        );
        assert_eq!(seen, [0x1000, 0x2000, 0x3000]);
        assert_eq!(walk_sg(&t, 16, 351, |_| ()), Err(SgError::LengthMismatch));
        assert_eq!(walk_sg(&t, 2, 350, |_| ()), Err(SgError::Unterminated));
        assert_eq!(
            walk_sg(&t[..40], 16, 350, |_| ()),
            Err(SgError::Unterminated)
        );
        let mut ext = table(&[SgEntry::new(1, 0x1000, 0, 100, true).unwrap()]);
        ext[8] |= 0x80;
        assert_eq!(walk_sg(&ext, 16, 100, |_| ()), Err(SgError::Extension));
    }
}
