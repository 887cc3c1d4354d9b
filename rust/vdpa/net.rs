// SPDX-License-Identifier: GPL-2.0

//! A virtio-net vDPA device whose virtqueues are backed by frame queues.
//!
//! The config ops keep the device state (status, features, virtqueue
//! setup, address spaces); DRIVER_OK starts the relay's datapath (frame
//! queues, pools, classifier rules) and reset tears it down, from any state.
//! An error the device cannot recover from (a ring or buffer address its
//! address space does not map, a malformed ring, an invalid status
//! transition) sets DEVICE_NEEDS_RESET and notifies the driver through the
//! config callback.
//!
//! The driver is untrusted (a vhost-vdpa user, a guest): it reaches only the
//! memory it mapped, may use only the MACs its admin allowed (the admin MAC,
//! or any free MAC once the admin sets `trust`), and every loop it can feed
//! has a budget (the relay's).

use super::filter::{self, FilterError, Filters};
use crate::{
    ffi,
    kapi::{
        error::errno,
        ratelimit::RateLimit,
        rcu,
        sync::{new_spinlock_bh, SpinLockBh},
        vdpa::{Callback, DevFlag, Driver, VdpaOps, VqStatsMsg},
    },
    relay::{
        self,
        space::{AddrSpace, Spaces},
        vq::{Role, Vq, VQ_DROP_NAMES, VQ_NUM_MAX},
        Datapath,
    },
    switch::Switch,
};
use core::sync::atomic::{
    AtomicBool, AtomicU32, AtomicU64, AtomicU8,
    Ordering::{AcqRel, Acquire, Relaxed},
};
use dpaa_core::{
    classify::Target,
    ctrl::{self, CONFIG_SIZE},
    virtio_net::{self as vn, bit},
};
use kernel::{c_str, new_mutex, prelude::*, str::CString, sync::Arc, sync::Mutex};

/// virtio status bits.
const S_DRIVER_OK: u8 = 4;
const S_FEATURES_OK: u8 = 8;
const S_NEEDS_RESET: u8 = 0x40;

/// vq groups: the data queues, and the CVQ alone (vhost-vdpa can then give
/// it its own address space, for QEMU to shadow it).
pub(crate) const NGROUPS: u32 = 2;
/// Address spaces (ASIDs).
pub(crate) const NAS: u32 = 2;
const DATA_GROUP: u32 = 0;
const CVQ_GROUP: u32 = 1;

/// What `vdpa dev add` asked for, validated.
pub(crate) struct Params {
    pub(crate) name: CString,
    pub(crate) mac: [u8; 6],
    pub(crate) mtu: u16,
    pub(crate) max_vqp: u16,
    pub(crate) offer: u64,
    pub(crate) member: u8,
}

/// State changed only by config ops (process context).
struct Cfg {
    dp: Option<Datapath>,
}

/// A virtio-net vDPA device.
#[pin_data(PinnedDrop)]
pub(crate) struct VdpaNet {
    pub(crate) sw: Arc<Switch>,
    pub(crate) member: u8,
    pub(crate) name: CString,
    pub(crate) max_vqp: u16,
    pub(crate) mtu: u16,
    offer: u64,
    admin: Admin,
    /// The MAC in use (config space, classifier), as a u64.
    mac: AtomicU64,
    status: AtomicU8,
    features: AtomicU64,
    generation: AtomicU32,
    #[pin]
    cfg: Mutex<Cfg>,
    #[pin]
    config_cb: SpinLockBh<Callback>,
    /// The receive filters and, while running, the classifier target they
    /// are installed with.
    #[pin]
    filters: SpinLockBh<(Filters, Option<Target>)>,
    /// Device error messages (a hostile driver can cause them in a loop).
    errlog: RateLimit<5, 60>,
    spaces: Spaces,
    pub(crate) vqs: KVec<Pin<KBox<Vq>>>,
}

/// What the admin set for a device.
struct Admin {
    /// The MAC given with `vdpa dev add`/`dev set`, owned on the port for
    /// the device's life; as a u64.
    mac: AtomicU64,
    /// `trust` (sysfs): the driver may use any free MAC and sees other
    /// members' unicast in promiscuous mode.
    trusted: AtomicBool,
    /// `spoofchk` (sysfs): TX frames must come from a MAC the device owns.
    spoofchk: AtomicBool,
}

fn mac_u64(m: [u8; 6]) -> u64 {
    let mut b = [0u8; 8];
    b[..6].copy_from_slice(&m);
    u64::from_le_bytes(b)
}

fn u64_mac(v: u64) -> [u8; 6] {
    let b = v.to_le_bytes();
    [b[0], b[1], b[2], b[3], b[4], b[5]]
}

fn in_use() -> Error {
    errno(ffi::EADDRINUSE)
}

impl VdpaNet {
    /// A device on member `p.member`, whose admin MAC the caller claimed.
    pub(crate) fn new(sw: Arc<Switch>, p: Params) -> Result<Arc<Self>> {
        let nvqs = vn::max_vqs(p.max_vqp) as usize;
        let mut vqs = KVec::with_capacity(nvqs, GFP_KERNEL)?;
        for i in 0..nvqs {
            vqs.push(KBox::pin_init(Vq::new(i as u16), GFP_KERNEL)?, GFP_KERNEL)?;
        }
        let spaces = Spaces::new(NAS, NGROUPS)?;
        let filters = Filters::new(p.mac);
        Arc::pin_init(
            try_pin_init!(Self {
                sw,
                member: p.member,
                name: p.name,
                max_vqp: p.max_vqp,
                mtu: p.mtu,
                offer: p.offer,
                admin: Admin {
                    mac: AtomicU64::new(mac_u64(p.mac)),
                    trusted: AtomicBool::new(false),
                    spoofchk: AtomicBool::new(true),
                },
                mac: AtomicU64::new(mac_u64(p.mac)),
                status: AtomicU8::new(0),
                features: AtomicU64::new(0),
                generation: AtomicU32::new(0),
                cfg <- new_mutex!(Cfg { dp: None }, "vdpa_net_cfg"),
                config_cb <- new_spinlock_bh!(Callback::NONE, "vdpa_net_config_cb"),
                filters <- new_spinlock_bh!((filters, None), "vdpa_net_filters"),
                errlog: RateLimit::new(),
                spaces,
                vqs,
            }? Error),
            GFP_KERNEL,
        )
    }

    /// The MAC in use.
    pub(crate) fn mac(&self) -> [u8; 6] {
        u64_mac(self.mac.load(Relaxed))
    }

    /// The admin's MAC.
    pub(crate) fn admin_mac(&self) -> [u8; 6] {
        u64_mac(self.admin.mac.load(Relaxed))
    }

    pub(crate) fn trusted(&self) -> bool {
        self.admin.trusted.load(Relaxed)
    }

    /// Whether TX frames must come from a MAC the device owns.
    pub(crate) fn spoofchk(&self) -> bool {
        self.admin.spoofchk.load(Relaxed)
    }

    pub(crate) fn features(&self) -> u64 {
        self.features.load(Relaxed)
    }

    pub(crate) fn has(&self, f: u32) -> bool {
        self.features() & bit(f) != 0
    }

    /// Index of the CVQ, if the driver took one.
    pub(crate) fn cvq(&self) -> Option<u16> {
        self.has(vn::F_CTRL_VQ)
            .then(|| ctrl::cvq_index(self.has(vn::F_MQ), self.max_vqp))
    }

    /// Queue pairs the datapath backs with the negotiated features.
    pub(crate) fn pairs_possible(&self) -> u16 {
        if self.has(vn::F_MQ) {
            self.max_vqp
        } else {
            1
        }
    }

    /// What virtqueue `idx` is for, if it is in use.
    pub(crate) fn role(&self, idx: u16) -> Option<Role> {
        if Some(idx) == self.cvq() {
            return Some(Role::Ctrl);
        }
        if idx >= 2 * self.pairs_possible() {
            return None;
        }
        Some(if idx % 2 == 0 {
            Role::Rx(idx / 2)
        } else {
            Role::Tx(idx / 2)
        })
    }

    fn group(&self, idx: u16) -> u32 {
        if Some(idx) == self.cvq() {
            CVQ_GROUP
        } else {
            DATA_GROUP
        }
    }

    /// The address space virtqueue `idx` (its rings and buffers) lives in.
    pub(crate) fn space_of(&self, idx: u16) -> &AddrSpace {
        self.space_of_group(self.group(idx))
    }

    /// The address space of vq group `group` (see [`Spaces::of_group`]).
    pub(crate) fn space_of_group(&self, group: u32) -> &AddrSpace {
        self.spaces.of_group(group)
    }

    /// An unrecoverable error: DEVICE_NEEDS_RESET and a config change
    /// notification (once); the datapath stops at the next reset.
    pub(crate) fn device_error(&self) {
        let old = self.status.fetch_or(S_NEEDS_RESET, AcqRel);
        if old & S_NEEDS_RESET == 0 {
            if self.errlog.allow() {
                pr_warn!("{}: device error, needs reset\n", &*self.name);
            }
            self.config_cb.lock().call();
        }
    }

    pub(crate) fn broken(&self) -> bool {
        self.status.load(Acquire) & S_NEEDS_RESET != 0
    }

    /// Sets the status to `v`, keeping DEVICE_NEEDS_RESET if the datapath
    /// raised it meanwhile (only a reset clears it).
    fn publish_status(&self, v: u8) {
        let _ = self
            .status
            .fetch_update(AcqRel, Acquire, |s| Some(v | (s & S_NEEDS_RESET)));
    }

    /// Runs `f` on the receive filters and moves the device's MACs and
    /// classifier rules to the result; nothing changes if that fails.
    pub(crate) fn update_filters(&self, f: impl FnOnce(&mut Filters) -> Result) -> Result {
        let mut g = self.filters.lock();
        let mut new = g.0;
        f(&mut new)?;
        new.trusted = self.trusted();
        let (old, base) = (g.0, g.1);
        let admin = self.admin_mac();
        self.sw
            .with_classifier(|c| filter::update(c, self.member, admin, base, &old, &new))
            .map_err(|e| match e {
                FilterError::InUse => in_use(),
                FilterError::Classifier(_) => ENOSPC,
            })?;
        g.0 = new;
        self.mac.store(mac_u64(new.mac), Relaxed);
        Ok(())
    }

    /// Whether the driver may receive on unicast `mac` (the admin MAC, or
    /// any MAC if trusted; `update_filters` claims it). Checked inside the
    /// closure given to `update_filters`, under the filters lock, which the
    /// admin's changes of trust and MAC also take.
    pub(crate) fn allowed(&self, mac: &[u8; 6]) -> bool {
        self.trusted() || *mac == self.admin_mac()
    }

    /// `vdpa dev set mac`: the admin gives the device `mac` (the caller
    /// checked nobody else owns it).
    pub(crate) fn set_admin_mac(&self, mac: [u8; 6]) -> Result {
        // Admin changes one at a time (vs. `trust`).
        let _cfg = self.cfg.lock();
        let old = self.admin_mac();
        self.sw
            .with_classifier(|c| c.claim(mac, self.member))
            .map_err(|_| in_use())?;
        self.admin.mac.store(mac_u64(mac), Relaxed);
        let r = self.update_filters(|f| {
            f.mac = mac;
            Ok(())
        });
        let keep = if r.is_ok() { old } else { mac };
        if r.is_err() {
            self.admin.mac.store(mac_u64(old), Relaxed);
        }
        // The MAC given up, unless the filters still use it.
        let g = self.filters.lock();
        if g.0.mac != keep && !g.0.uc().contains(&keep) {
            self.sw.with_classifier(|c| c.release(keep, self.member));
        }
        drop(g);
        r?;
        self.generation.fetch_add(1, Relaxed);
        self.config_cb.lock().call();
        Ok(())
    }

    /// The filters a reset device starts with (the admin MAC), and the MACs
    /// its driver set given up.
    fn reset_filters(&self) {
        let admin = self.admin_mac();
        let _ = self.update_filters(|f| {
            *f = Filters::new(admin);
            Ok(())
        });
    }

    /// `trust` (sysfs): off takes back what trust allowed.
    fn set_trusted(&self, on: bool) {
        let _cfg = self.cfg.lock();
        self.admin.trusted.store(on, Relaxed);
        let admin = self.admin_mac();
        let _ = self.update_filters(|f| {
            if !on {
                f.mac = admin;
                f.clear_uc();
            }
            Ok(())
        });
    }

    fn start(&self, cfg: &mut Cfg) -> Result {
        let dp = Datapath::start(self)?;
        let base = dp.target(self.member);
        {
            let mut g = self.filters.lock();
            let mut f = g.0;
            f.pairs = 1;
            f.trusted = self.trusted();
            if self
                .sw
                .with_classifier(|c| filter::install(c, base, &f))
                .is_err()
            {
                drop(g);
                // A rule installed before the failure (and rolled back)
                // may have routed a frame to our FQs: wait it out before
                // their FQIDs can be handed out again.
                rcu::synchronize();
                drop(dp);
                return Err(in_use());
            }
            *g = (f, Some(base));
        }
        cfg.dp = Some(dp);
        // On failure the caller stops what started.
        cfg.dp.as_mut().ok_or(EINVAL)?.link_vqs(self)
    }

    fn stop(&self, cfg: &mut Cfg) {
        {
            let mut g = self.filters.lock();
            if let Some(t) = g.1.take() {
                let f = g.0;
                self.sw.with_classifier(|c| filter::uninstall(c, t, &f));
            }
        }
        if let Some(dp) = cfg.dp.take() {
            // The switch may be handing a frame it routed before the rules
            // went to one of our FQs (it does so in BH context): wait for
            // that, or it could land in a new FQ that reuses the FQID.
            rcu::synchronize();
            dp.unlink_vqs(self);
            drop(dp);
        }
    }

    fn do_reset(&self, cfg: &mut Cfg) {
        self.stop(cfg);
        for vq in self.vqs.iter() {
            let mut st = vq.st.lock();
            st.desc = 0;
            st.driver = 0;
            st.device = 0;
            st.num = 0;
            st.ready = false;
            st.cb = Callback::NONE;
            st.last_avail = 0;
        }
        // The driver that set the callbacks may be gone after a reset
        // (unbound): nothing may call them any more.
        *self.config_cb.lock() = Callback::NONE;
        self.spaces.reset();
        self.reset_filters();
        self.features.store(0, Relaxed);
        self.status.store(0, Relaxed);
        self.generation.fetch_add(1, Relaxed);
    }

    /// Tears everything down (`vdpa dev del`, module unload).
    pub(crate) fn shutdown(&self) {
        let mut cfg = self.cfg.lock();
        self.do_reset(&mut cfg);
    }

    fn vq(&self, idx: u16) -> Option<&Vq> {
        self.vqs.get(idx as usize).map(|v| &**v)
    }

    /// A queue is disabled: its ring is stopped (its state kept for
    /// `get_vq_state`); once this returns nothing is written into it.
    fn disable_vq(&self, vq: &Vq) {
        let _ = vq.st.lock().stop_ring(self.space_of(vq.idx));
    }
}

#[pinned_drop]
impl PinnedDrop for VdpaNet {
    fn drop(self: Pin<&mut Self>) {
        self.shutdown();
    }
}

impl relay::Device for VdpaNet {
    fn vqs(&self) -> &[Pin<KBox<Vq>>] {
        &self.vqs
    }

    fn role(&self, idx: u16) -> Option<Role> {
        VdpaNet::role(self, idx)
    }

    fn space_of(&self, idx: u16) -> &AddrSpace {
        VdpaNet::space_of(self, idx)
    }

    fn device_error(&self) {
        VdpaNet::device_error(self)
    }

    fn broken(&self) -> bool {
        VdpaNet::broken(self)
    }

    fn switch(&self) -> &Arc<Switch> {
        &self.sw
    }

    fn member(&self) -> u8 {
        self.member
    }

    fn spoofchk(&self) -> bool {
        VdpaNet::spoofchk(self)
    }

    fn pairs_possible(&self) -> u16 {
        VdpaNet::pairs_possible(self)
    }

    fn cvq(&self) -> Option<u16> {
        VdpaNet::cvq(self)
    }

    fn features(&self) -> u64 {
        VdpaNet::features(self)
    }

    fn control(&self, vq: &Vq) {
        super::cvq::process(self, vq)
    }
}

impl VdpaOps for VdpaNet {
    const DEVICE_ID: u32 = vn::VIRTIO_ID_NET;
    // "DPAA" in ASCII: no PCI vendor behind a software parent.
    const VENDOR_ID: u32 = 0x4450_4141;
    const VQ_ALIGN: u32 = 4096;
    const CONFIG_SIZE: usize = CONFIG_SIZE;
    // Guest addresses never reach the FMan (the relay copies): all of them.
    const IOVA_LAST: u64 = u64::MAX;

    fn set_vq_address(&self, idx: u16, desc: u64, driver: u64, device: u64) -> Result {
        let vq = self.vq(idx).ok_or(EINVAL)?;
        let mut st = vq.st.lock();
        if st.ring.is_some() {
            return Err(EBUSY);
        }
        st.desc = desc;
        st.driver = driver;
        st.device = device;
        Ok(())
    }

    fn set_vq_num(&self, idx: u16, num: u32) {
        if let Some(vq) = self.vq(idx) {
            let mut st = vq.st.lock();
            if st.ring.is_none() {
                st.num = num.min(u16::MAX as u32) as u16;
            }
        }
    }

    fn kick_vq(&self, idx: u16) {
        if let Some(vq) = self.vq(idx) {
            vq.kick();
        }
    }

    fn set_vq_cb(&self, idx: u16, cb: Callback) {
        if let Some(vq) = self.vq(idx) {
            vq.st.lock().cb = cb;
        }
    }

    fn set_vq_ready(&self, idx: u16, ready: bool) {
        let Some(vq) = self.vq(idx) else {
            return;
        };
        let start = {
            let mut st = vq.st.lock();
            st.ready = ready;
            ready && st.link.is_some() && st.ring.is_none() && !st.suspended
        };
        if !ready {
            return self.disable_vq(vq);
        }
        // Enabled after DRIVER_OK (vhost-vdpa may do that): run it now.
        if start {
            if !crate::relay::start_ring(self, vq) {
                self.device_error();
            }
            vq.kick();
        }
    }

    fn vq_ready(&self, idx: u16) -> bool {
        self.vq(idx).is_some_and(|vq| vq.st.lock().ready)
    }

    fn set_vq_state(&self, idx: u16, avail_index: u16) -> Result {
        let vq = self.vq(idx).ok_or(EINVAL)?;
        let mut st = vq.st.lock();
        if st.ring.is_some() {
            return Err(EBUSY);
        }
        st.last_avail = avail_index;
        Ok(())
    }

    fn vq_state(&self, idx: u16) -> Result<u16> {
        let vq = self.vq(idx).ok_or(EINVAL)?;
        let st = vq.st.lock();
        Ok(st.ring.as_ref().map_or(st.last_avail, |r| r.last_avail))
    }

    fn vq_stats(&self, idx: u16, msg: &mut VqStatsMsg) -> Result {
        let vq = self.vq(idx).ok_or(EINVAL)?;
        let s = &vq.stats;
        let l = |v: &AtomicU64| v.load(Relaxed);
        msg.put(c_str!("kicks"), l(&s.kicks))?;
        msg.put(c_str!("descriptors"), l(&s.descs))?;
        msg.put(c_str!("frames"), l(&s.frames))?;
        msg.put(c_str!("bytes"), l(&s.bytes))?;
        msg.put(c_str!("used"), l(&s.used))?;
        msg.put(c_str!("irqs"), l(&s.irqs))?;
        for (name, v) in VQ_DROP_NAMES.iter().zip(s.drops.iter()) {
            msg.put(name, l(v))?;
        }
        let st = vq.st.lock();
        if let Some(link) = &st.link {
            link.put_stats(msg)?;
        }
        Ok(())
    }

    fn vq_size(&self, idx: u16) -> u16 {
        match self.vq(idx) {
            Some(vq) if self.status() & S_DRIVER_OK != 0 => vq.st.lock().num,
            Some(_) => VQ_NUM_MAX,
            None => 0,
        }
    }

    fn vq_num_max(&self) -> u16 {
        VQ_NUM_MAX
    }

    fn vq_group(&self, idx: u16) -> u32 {
        self.group(idx)
    }

    fn device_features(&self) -> u64 {
        self.offer
    }

    fn set_driver_features(&self, features: u64) -> Result {
        if self.status() & S_FEATURES_OK != 0 {
            return Err(EBUSY);
        }
        // Only modern drivers (0 = the core's "none yet").
        if features != 0 && features & bit(vn::F_VERSION_1) == 0 {
            return Err(EINVAL);
        }
        self.features.store(features & self.offer, Relaxed);
        Ok(())
    }

    fn driver_features(&self) -> u64 {
        self.features()
    }

    fn set_config_cb(&self, cb: Callback) {
        *self.config_cb.lock() = cb;
    }

    fn status(&self) -> u8 {
        self.status.load(Acquire)
    }

    fn set_status(&self, status: u8, driver: Driver) {
        let mut cfg = self.cfg.lock();
        if status == 0 {
            return self.do_reset(&mut cfg);
        }
        let old = self.status();
        let mut new = status | (old & S_NEEDS_RESET);
        // Features the device cannot run with (a dependency missing, no
        // VERSION_1 or ACCESS_PLATFORM) do not get FEATURES_OK: the driver
        // reads it back and gives up (virtio 1.2, 3.1.1).
        if new & S_FEATURES_OK != 0
            && old & S_FEATURES_OK == 0
            && vn::validate_offer(self.features(), self.offer).is_err()
        {
            new &= !S_FEATURES_OK;
        }
        if new & S_DRIVER_OK != 0 && old & S_DRIVER_OK == 0 && new & S_FEATURES_OK == 0 {
            // DRIVER_OK before the features were accepted.
            self.publish_status(new & !S_DRIVER_OK);
            drop(cfg);
            return self.device_error();
        }
        if new & S_DRIVER_OK != 0 && old & S_DRIVER_OK == 0 {
            self.spaces.set_kernel_driver(driver == Driver::Kernel);
            // The ops a driver may call in atomic context (kick) only see
            // DRIVER_OK once the datapath is linked.
            self.publish_status(new & !S_DRIVER_OK);
            if let Err(e) = self.start(&mut cfg) {
                if self.errlog.allow() {
                    pr_err!("{}: cannot start the datapath: {:?}\n", &*self.name, e);
                }
                self.stop(&mut cfg);
                drop(cfg);
                return self.device_error();
            }
        } else if new & S_DRIVER_OK == 0 && old & S_DRIVER_OK != 0 {
            self.stop(&mut cfg);
        }
        self.publish_status(new);
    }

    fn reset(&self) -> Result {
        let mut cfg = self.cfg.lock();
        self.do_reset(&mut cfg);
        Ok(())
    }

    /// vhost-vdpa calls it only with DRIVER_OK; without a datapath (one
    /// that failed to start) there is nothing to stop.
    fn suspend(&self) -> Result {
        let cfg = self.cfg.lock();
        if let Some(dp) = cfg.dp.as_ref() {
            dp.suspend(self);
        }
        Ok(())
    }

    fn resume(&self) -> Result {
        let cfg = self.cfg.lock();
        match cfg.dp.as_ref() {
            // A queue's state (set while suspended) is invalid: the
            // device needs a reset, and says so.
            Some(dp) if !dp.resume(self) => Err(EIO),
            _ => Ok(()),
        }
    }

    fn config(&self, out: &mut [u8]) {
        let c = ctrl::config_space(self.mac(), ctrl::STATUS_LINK_UP, self.max_vqp, self.mtu);
        let n = out.len().min(c.len());
        out[..n].copy_from_slice(&c[..n]);
    }

    fn generation(&self) -> u32 {
        self.generation.load(Relaxed)
    }

    fn flag(&self, f: DevFlag) -> bool {
        match f {
            DevFlag::Trust => self.trusted(),
            DevFlag::SpoofChk => self.spoofchk(),
        }
    }

    fn set_flag(&self, f: DevFlag, on: bool) -> Result {
        match f {
            DevFlag::Trust => self.set_trusted(on),
            DevFlag::SpoofChk => {
                let _cfg = self.cfg.lock();
                self.admin.spoofchk.store(on, Relaxed)
            }
        }
        Ok(())
    }

    // Only dma_map/dma_unmap, no set_map: with both, vhost-vdpa calls
    // set_map (a copy of its whole IOTLB) after every unmap as well.
    //
    // Accesses through an address space happen only while the datapath
    // runs (DRIVER_OK); the config mutex keeps it from starting meanwhile,
    // so unmapping from a stopped device needs no grace period (vhost-vdpa
    // unmaps one mapping at a time when its file is closed).

    fn dma_map(&self, asid: u32, iova: u64, size: u64, pa: u64, perm: u32) -> Result {
        self.spaces.asid(asid)?.map(iova, size, pa, perm)
    }

    fn dma_unmap(&self, asid: u32, iova: u64, size: u64) -> Result {
        let cfg = self.cfg.lock();
        self.spaces.asid(asid)?.unmap(iova, size, cfg.dp.is_some())
    }

    fn reset_map(&self, asid: u32) -> Result {
        let cfg = self.cfg.lock();
        self.spaces.asid(asid)?.reset_map(cfg.dp.is_some());
        Ok(())
    }

    fn set_group_asid(&self, group: u32, asid: u32) -> Result {
        if self.status() & S_DRIVER_OK != 0 {
            return Err(EBUSY);
        }
        self.spaces.set_group_asid(group, asid)
    }
}
