// SPDX-License-Identifier: GPL-2.0

//! A device's receive filters (its MAC, the CVQ's MAC tables, promiscuous
//! and all-multicast modes, the active queue pairs) as rules of the port's
//! shared classifier, and the unicast MACs the device owns on the port.
//!
//! A device owns its admin MAC (`vdpa dev add`/`dev set`) for its whole life
//! and, while its filters use them, the MACs a trusted driver set through
//! the CVQ; a MAC another entity owns is refused whether or not a rule for
//! it is installed at the moment.

use crate::switch::CLASSIFIER_SLOTS;
use dpaa_core::classify::{Classifier, ClassifyError, Key, Member, Rule, Target};

/// Extra unicast addresses a device filters exactly; more make it
/// promiscuous (as a NIC whose exact-match table is full).
pub(crate) const MAX_UC: usize = 8;
/// Multicast groups filtered exactly; more make it all-multicast.
pub(crate) const MAX_MC: usize = 32;

type Cls = Classifier<CLASSIFIER_SLOTS>;

/// What a device wants to receive.
#[derive(Clone, Copy)]
pub(crate) struct Filters {
    pub(crate) mac: [u8; 6],
    pub(crate) uc: [[u8; 6]; MAX_UC],
    pub(crate) n_uc: usize,
    pub(crate) mc: [[u8; 6]; MAX_MC],
    pub(crate) n_mc: usize,
    pub(crate) promisc: bool,
    pub(crate) allmulti: bool,
    /// More addresses than the tables hold.
    pub(crate) uc_overflow: bool,
    pub(crate) mc_overflow: bool,
    /// Active queue pairs (RX FQs the hash spreads over).
    pub(crate) pairs: u16,
    /// The admin trusts the device: promiscuous mode sees other members'
    /// unicast too.
    pub(crate) trusted: bool,
}

impl Filters {
    pub(crate) fn new(mac: [u8; 6]) -> Self {
        Self {
            mac,
            uc: [[0; 6]; MAX_UC],
            n_uc: 0,
            mc: [[0; 6]; MAX_MC],
            n_mc: 0,
            promisc: false,
            allmulti: false,
            uc_overflow: false,
            mc_overflow: false,
            pairs: 1,
            trusted: false,
        }
    }

    /// The unicast MACs the filters receive on (the primary first), each
    /// once.
    fn macs(&self) -> impl Iterator<Item = &[u8; 6]> {
        let mac = self.mac;
        core::iter::once(&self.mac).chain(self.uc[..self.n_uc].iter().filter(move |u| **u != mac))
    }

    /// Whether the filters receive on the unicast `mac`.
    fn uses(&self, mac: &[u8; 6]) -> bool {
        self.macs().any(|m| m == mac)
    }

    /// Drops the extra unicast addresses (the multicast table stays).
    pub(crate) fn clear_uc(&mut self) {
        self.n_uc = 0;
        self.uc_overflow = false;
    }

    /// The extra unicast addresses.
    pub(crate) fn uc(&self) -> &[[u8; 6]] {
        &self.uc[..self.n_uc]
    }

    /// Replaces the MAC tables (6 bytes per address), leaving out unicast
    /// addresses `allow` refuses; returns whether it refused none.
    pub(crate) fn set_tables(
        &mut self,
        uc: &[u8],
        mc: &[u8],
        allow: impl Fn(&[u8; 6]) -> bool,
    ) -> bool {
        let mut all = true;
        self.n_uc = 0;
        self.uc_overflow = false;
        for a in uc.chunks_exact(6) {
            let a: [u8; 6] = a.try_into().unwrap_or_default();
            if a == self.mac || a[0] & 1 != 0 || self.uc[..self.n_uc].contains(&a) {
                continue;
            }
            if !allow(&a) {
                all = false;
                continue;
            }
            if self.n_uc == MAX_UC {
                self.uc_overflow = true;
                break;
            }
            self.uc[self.n_uc] = a;
            self.n_uc += 1;
        }
        self.n_mc = 0;
        self.mc_overflow = false;
        for a in mc.chunks_exact(6) {
            let a: [u8; 6] = a.try_into().unwrap_or_default();
            if a[0] & 1 == 0 || self.mc[..self.n_mc].contains(&a) {
                continue;
            }
            if self.n_mc == MAX_MC {
                self.mc_overflow = true;
                break;
            }
            self.mc[self.n_mc] = a;
            self.n_mc += 1;
        }
        all
    }

    fn target(&self, base: Target) -> Target {
        Target {
            fq_count: self.pairs.max(1),
            ..base
        }
    }

    fn install(&self, c: &mut Cls, base: Target) -> Result<(), ClassifyError> {
        let t = self.target(base);
        let member = |allmulti| Member {
            target: t,
            promisc: self.promisc || self.uc_overflow,
            allmulti,
            trusted: self.trusted,
            ..Default::default()
        };
        let allmulti = self.allmulti || self.mc_overflow;
        c.set_member(t.member, member(allmulti))?;
        for mac in self.macs() {
            c.insert(Rule {
                key: Key::Mac(*mac),
                target: t,
                prio: 0,
            })?;
        }
        // The group table is shared by the port's members: when it is full
        // the member gets every group instead (as a NIC's full filter).
        let mut full = false;
        for mac in &self.mc[..self.n_mc] {
            full |= c.join(*mac, t.member).is_err();
        }
        if full && !allmulti {
            c.set_member(t.member, member(true))?;
        }
        Ok(())
    }

    /// Removes what `install` added (what of it is there).
    fn uninstall(&self, c: &mut Cls, base: Target) {
        let t = self.target(base);
        for mac in self.macs() {
            // Only the rules that are ours.
            let _ = c.remove_owned(&Key::Mac(*mac), t.member);
        }
        c.remove_member(t.member);
    }
}

/// Why new filters were refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FilterError {
    /// A MAC another entity of the port owns.
    InUse,
    /// The classifier refused a rule (a table full).
    Classifier(ClassifyError),
}

/// Moves member `member` from filters `old` to `new`, all or nothing: the
/// MACs `new` adds are claimed (`admin` is always the member's), and, if
/// the device runs (`base`), its rules are replaced; MACs only `old` used
/// are given up. On failure the old filters and claims are back.
pub(crate) fn update(
    c: &mut Cls,
    member: u8,
    admin: [u8; 6],
    base: Option<Target>,
    old: &Filters,
    new: &Filters,
) -> Result<(), FilterError> {
    let added = |m: &&[u8; 6]| **m != admin && !old.uses(m);
    for (i, mac) in new.macs().filter(added).enumerate() {
        if c.claim(*mac, member).is_err() {
            new.macs()
                .filter(added)
                .take(i)
                .for_each(|m| c.release(*m, member));
            return Err(FilterError::InUse);
        }
    }
    if let Some(t) = base {
        old.uninstall(c, t);
        if let Err(e) = new.install(c, t) {
            new.uninstall(c, t);
            let _ = old.install(c, t);
            new.macs().filter(added).for_each(|m| c.release(*m, member));
            return Err(FilterError::Classifier(e));
        }
    }
    for mac in old.macs().filter(|m| **m != admin && !new.uses(m)) {
        c.release(*mac, member);
    }
    Ok(())
}

/// Installs the rules of running filters (`start`).
pub(crate) fn install(c: &mut Cls, base: Target, f: &Filters) -> Result<(), ClassifyError> {
    f.install(c, base).inspect_err(|_| f.uninstall(c, base))
}

/// Removes the rules of filters that ran (`stop`).
pub(crate) fn uninstall(c: &mut Cls, base: Target, f: &Filters) {
    f.uninstall(c, base)
}
