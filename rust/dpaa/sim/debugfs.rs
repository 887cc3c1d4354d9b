// SPDX-License-Identifier: GPL-2.0

//! The model's debugfs files, under `/sys/kernel/debug/dpaa_vdpa/`.
//!
//! ```text
//! qman/fqs            every FQ: fqid state portal depth and its counters
//! qman/portals        per portal: polls, frames, stalled
//! qman/fail_enqueue   (rw) reject the next N enqueues
//! qman/stall_portal   (w) "IDX 1" stalls portal IDX, "IDX 0" resumes it
//! bman/pools          every pool: bpid count capacity counters
//! bman/deplete        (w) "BPID 1" makes pool BPID act empty, "BPID 0" undoes it
//! fman/fail_tx        (rw) the next N transmissions (any port) fail with a
//!                     DMA error
//! fman/max_frm        (rw) the MACs' maximum frame, FCS included (the FMan
//!                     driver's fsl_fm_max_frm): longer frames are errors
//! ```

use super::{bman::Bman, fman, qman::Qman};
use crate::{
    dpaa::FqState,
    kapi::debugfs::{file, seq_print, Dir, SeqFile, Show},
};
use core::sync::atomic::Ordering::Relaxed;
use kernel::{c_str, prelude::*, sync::Arc};

fn two_numbers(s: &str) -> Result<(u32, u32)> {
    let mut it = s
        .split_whitespace()
        .map(|w| w.parse::<u32>().map_err(|_| EINVAL));
    let a = it.next().ok_or(EINVAL)??;
    let b = it.next().ok_or(EINVAL)??;
    if it.next().is_some() {
        return Err(EINVAL);
    }
    Ok((a, b))
}

struct Fqs(Arc<Qman>);
impl Show for Fqs {
    fn show(&self, m: &SeqFile) {
        seq_print!(
            m,
            "fqid   state     portal depth enqueued dequeued ern_taildrop ern_state ern_fault\n"
        );
        self.0.for_each_fq(|fq| {
            let (state, depth, portal) = fq.snapshot();
            let s = fq.stats();
            let st = match state {
                FqState::Oos => "oos",
                FqState::Parked => "parked",
                FqState::Scheduled => "scheduled",
                FqState::Retired => "retired",
            };
            seq_print!(
                m,
                "{:#06x} {:9} {:6} {:5} {} {} {} {} {}\n",
                fq.fqid(),
                st,
                portal,
                depth,
                s.enqueued.load(Relaxed),
                s.dequeued.load(Relaxed),
                s.ern_taildrop.load(Relaxed),
                s.ern_state.load(Relaxed),
                s.ern_fault.load(Relaxed)
            );
        });
    }
}

struct Portals(Arc<Qman>);
impl Show for Portals {
    fn show(&self, m: &SeqFile) {
        let mode = if self.0.poll_mode() {
            "poll"
        } else {
            "interrupt"
        };
        seq_print!(m, "mode {mode}\nportal polls frames stalled\n");
        for i in 0..self.0.nr_portals() {
            let (polls, frames, stalled) = self.0.portal_stats(i);
            seq_print!(m, "{i} {polls} {frames} {}\n", stalled as u8);
        }
    }
}

struct FailEnqueue(Arc<Qman>);
impl Show for FailEnqueue {
    const WRITABLE: bool = true;
    fn show(&self, m: &SeqFile) {
        seq_print!(m, "{}\n", self.0.fail_enqueue());
    }
    fn write(&self, s: &str) -> Result {
        self.0.set_fail_enqueue(s.parse().map_err(|_| EINVAL)?);
        Ok(())
    }
}

struct StallPortal(Arc<Qman>);
impl Show for StallPortal {
    const WRITABLE: bool = true;
    fn show(&self, m: &SeqFile) {
        seq_print!(m, "write \"PORTAL 1\" to stall, \"PORTAL 0\" to resume\n");
    }
    fn write(&self, s: &str) -> Result {
        let (i, on) = two_numbers(s)?;
        self.0.stall_portal(i as usize, on != 0)
    }
}

struct Pools(Arc<Bman>);
impl Show for Pools {
    fn show(&self, m: &SeqFile) {
        seq_print!(
            m,
            "bpid count capacity acquired released depleted deplete_fault\n"
        );
        self.0.for_each_pool(|p| {
            seq_print!(
                m,
                "{} {} {} {} {} {} {}\n",
                p.bpid(),
                p.count(),
                p.capacity(),
                p.stats.acquired.load(Relaxed),
                p.stats.released.load(Relaxed),
                p.stats.depleted.load(Relaxed),
                p.depleted_by_fault() as u8
            );
        });
    }
}

struct Deplete(Arc<Bman>);
impl Show for Deplete {
    const WRITABLE: bool = true;
    fn show(&self, m: &SeqFile) {
        seq_print!(m, "write \"BPID 1\" to deplete, \"BPID 0\" to restore\n");
    }
    fn write(&self, s: &str) -> Result {
        let (bpid, on) = two_numbers(s)?;
        self.0
            .set_deplete(u8::try_from(bpid).map_err(|_| EINVAL)?, on != 0)
    }
}

struct FailTx;
impl Show for FailTx {
    const WRITABLE: bool = true;
    fn show(&self, m: &SeqFile) {
        seq_print!(m, "{}\n", fman::fail_tx());
    }
    fn write(&self, s: &str) -> Result {
        fman::set_fail_tx(s.trim().parse().map_err(|_| EINVAL)?);
        Ok(())
    }
}

struct MaxFrm;
impl Show for MaxFrm {
    const WRITABLE: bool = true;
    fn show(&self, m: &SeqFile) {
        seq_print!(m, "{}\n", fman::max_frm());
    }
    fn write(&self, s: &str) -> Result {
        fman::set_max_frm(s.trim().parse().map_err(|_| EINVAL)?)
    }
}

/// The model's module-wide files; dropped before their directories, which
/// go before the root they are in.
pub(crate) struct DpaaDebugfs {
    _files: KVec<Arc<dyn Send + Sync>>,
    _qman_dir: Dir,
    _bman_dir: Dir,
    _fman_dir: Dir,
}

impl DpaaDebugfs {
    pub(crate) fn new(root: &Dir, qman: &Arc<Qman>, bman: &Arc<Bman>) -> Result<Self> {
        let qd = Dir::new(c_str!("qman"), Some(root));
        let bd = Dir::new(c_str!("bman"), Some(root));
        let fd = Dir::new(c_str!("fman"), Some(root));
        let mut files = KVec::new();
        files.push(file(c_str!("fqs"), &qd, Fqs(qman.clone()))?, GFP_KERNEL)?;
        files.push(
            file(c_str!("portals"), &qd, Portals(qman.clone()))?,
            GFP_KERNEL,
        )?;
        files.push(
            file(c_str!("fail_enqueue"), &qd, FailEnqueue(qman.clone()))?,
            GFP_KERNEL,
        )?;
        files.push(
            file(c_str!("stall_portal"), &qd, StallPortal(qman.clone()))?,
            GFP_KERNEL,
        )?;
        files.push(file(c_str!("pools"), &bd, Pools(bman.clone()))?, GFP_KERNEL)?;
        files.push(
            file(c_str!("deplete"), &bd, Deplete(bman.clone()))?,
            GFP_KERNEL,
        )?;
        files.push(file(c_str!("fail_tx"), &fd, FailTx)?, GFP_KERNEL)?;
        files.push(file(c_str!("max_frm"), &fd, MaxFrm)?, GFP_KERNEL)?;
        Ok(Self {
            _files: files,
            _qman_dir: qd,
            _bman_dir: bd,
            _fman_dir: fd,
        })
    }
}
