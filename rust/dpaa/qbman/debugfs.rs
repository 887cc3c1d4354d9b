// SPDX-License-Identifier: GPL-2.0

//! The qbman backend's debugfs file: `qman/portals` (polls and frames of
//! each CPU's portal context). The model's fault injection has no board
//! counterpart.

use super::{bman::Bman, qman::Qman};
use crate::kapi::debugfs::{file, seq_print, Dir, SeqFile, Show};
use kernel::{c_str, prelude::*, sync::Arc};

struct Portals(Arc<Qman>);

impl Show for Portals {
    fn show(&self, m: &SeqFile) {
        seq_print!(m, "mode interrupt\nportal polls frames\n");
        for i in 0..self.0.nr_portals() {
            let (polls, frames) = self.0.portal_stats(i);
            seq_print!(m, "{i} {polls} {frames}\n");
        }
    }
}

/// The backend's module-wide files.
pub(crate) struct DpaaDebugfs {
    _files: KVec<Arc<dyn Send + Sync>>,
    _qman_dir: Dir,
}

impl DpaaDebugfs {
    pub(crate) fn new(root: &Dir, qman: &Arc<Qman>, _bman: &Arc<Bman>) -> Result<Self> {
        let qd = Dir::new(c_str!("qman"), Some(root));
        let mut files = KVec::new();
        files.push(
            file(c_str!("portals"), &qd, Portals(qman.clone()))?,
            GFP_KERNEL,
        )?;
        Ok(Self {
            _files: files,
            _qman_dir: qd,
        })
    }
}
