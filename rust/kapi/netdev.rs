// SPDX-License-Identifier: GPL-2.0

//! Network devices (`struct net_device`) driven by Rust.
//!
//! C headers: `include/linux/netdevice.h`, `include/linux/ethtool.h`. A driver
//! implements [`NetDevOps`] (ndo and ethtool callbacks) on its per-device state
//! `T`, which lives in the net_device's private area; [`Registration`]
//! allocates, registers and tears the device down. The `extern "C"`
//! trampolines of [`Adapter`] turn the C calls into trait calls.

use crate::{ffi, kapi::skb::Skb};
use core::{marker::PhantomData, mem::MaybeUninit, ptr::NonNull};
use kernel::{
    error::{from_result, to_result},
    ffi::{c_char, c_int, c_void},
    prelude::*,
    types::Opaque,
};

/// A `struct net_device`, borrowed.
///
/// # Invariants
///
/// The wrapped net_device is allocated (and, in callbacks, registered) for
/// the lifetime of `&NetDev`.
#[repr(transparent)]
pub(crate) struct NetDev(Opaque<ffi::net_device>);

// SAFETY: the net core synchronises the fields the methods below touch
// (atomic bit operations, or the callers hold RTNL where required).
unsafe impl Sync for NetDev {}
// SAFETY: as above.
unsafe impl Send for NetDev {}

/// Feature bits (`NETIF_F_*`).
pub(crate) mod features {
    use crate::ffi;

    const fn bit(b: u32) -> u64 {
        1u64 << b
    }
    pub(crate) const NTUPLE: u64 = bit(ffi::NETIF_F_NTUPLE_BIT);
}

impl NetDev {
    /// # Safety
    ///
    /// `ptr` must point at an allocated net_device valid for `'a`.
    pub(crate) unsafe fn from_raw<'a>(ptr: *mut ffi::net_device) -> &'a Self {
        // SAFETY: transparent wrapper; validity is the caller's guarantee.
        unsafe { &*ptr.cast() }
    }

    pub(crate) fn as_raw(&self) -> *mut ffi::net_device {
        self.0.get()
    }

    pub(crate) fn mac(&self) -> [u8; 6] {
        let mut mac = [0u8; 6];
        // SAFETY: `dev_addr` points at ETH_ALEN bytes for an Ethernet device.
        let p = unsafe { ffi::dpaa_vdpa_netdev_addr(self.as_raw()) };
        // SAFETY: as above.
        mac.copy_from_slice(unsafe { core::slice::from_raw_parts(p, 6) });
        mac
    }

    /// Sets the MAC address; the caller holds RTNL or the device is not registered.
    pub(crate) fn set_mac(&self, mac: &[u8; 6]) {
        // SAFETY: valid net_device; `mac` has ETH_ALEN bytes.
        unsafe { ffi::dpaa_vdpa_eth_hw_addr_set(self.as_raw(), mac.as_ptr()) };
    }

    /// Sets the MTU (from `ndo_change_mtu`, under RTNL).
    pub(crate) fn set_mtu(&self, mtu: u32) {
        // SAFETY: valid net_device; the core reads it with READ_ONCE.
        unsafe { core::ptr::addr_of_mut!((*self.as_raw()).mtu).write_volatile(mtu) };
    }

    /// Sets the features, the user-changeable ones and the MTU range
    /// (before registration).
    pub(crate) fn configure(
        &self,
        features: u64,
        hw_features: u64,
        min_mtu: u32,
        max_mtu: u32,
        headroom: u16,
    ) {
        let d = self.as_raw();
        // SAFETY: before registration nobody else uses the device.
        unsafe {
            (*d).features = features;
            (*d).hw_features = hw_features;
            (*d).min_mtu = min_mtu;
            (*d).max_mtu = max_mtu;
            (*d).needed_headroom = headroom;
        }
    }

    pub(crate) fn carrier_on(&self) {
        // SAFETY: valid net_device.
        unsafe { ffi::netif_carrier_on(self.as_raw()) };
    }

    pub(crate) fn carrier_off(&self) {
        // SAFETY: valid net_device.
        unsafe { ffi::netif_carrier_off(self.as_raw()) };
    }

    #[cfg_attr(dpaa_qbman, allow(dead_code))] // The model's only.
    pub(crate) fn start_queue(&self) {
        // SAFETY: valid, registered net_device.
        unsafe { ffi::dpaa_vdpa_netif_start_queue(self.as_raw()) };
    }

    pub(crate) fn stop_queue(&self) {
        // SAFETY: valid, registered net_device.
        unsafe { ffi::dpaa_vdpa_netif_stop_queue(self.as_raw()) };
    }

    /// Stops the queue and waits for an `ndo_start_xmit` in progress
    /// (netif_tx_disable: takes each TX queue's lock). Process context.
    pub(crate) fn tx_disable(&self) {
        // SAFETY: valid, registered net_device; process context.
        unsafe { ffi::dpaa_vdpa_netif_tx_disable(self.as_raw()) };
    }

    pub(crate) fn wake_queue(&self) {
        // SAFETY: valid, registered net_device.
        unsafe { ffi::dpaa_vdpa_netif_wake_queue(self.as_raw()) };
    }

    /// Hands a received frame to the stack from any context (`netif_rx`).
    #[cfg_attr(dpaa_qbman, allow(dead_code))] // The model's only.
    pub(crate) fn rx(&self, skb: Skb) {
        let skb = skb.into_raw();
        // SAFETY: `skb` is ours to give; the shim sets dev and protocol.
        unsafe {
            ffi::dpaa_vdpa_eth_type_trans(skb, self.as_raw());
            ffi::netif_rx(skb);
        }
    }

    /// Allocates an skb for a frame of `len` bytes received on this device.
    #[cfg_attr(dpaa_qbman, allow(dead_code))] // The model's only.
    pub(crate) fn alloc_skb(&self, len: u32) -> Option<Skb> {
        // SAFETY: valid net_device; a new skb is owned by the caller.
        unsafe { Skb::from_raw(ffi::dpaa_vdpa_netdev_alloc_skb(self.as_raw(), len)) }
    }

    /// The driver state `T` in the private area.
    ///
    /// # Safety
    ///
    /// The device must have been created by a `Registration<T>`.
    unsafe fn data<T>(&self) -> &T {
        // SAFETY: `Registration<T>` wrote a `T` there, alive as long as the device.
        unsafe { &*ffi::dpaa_vdpa_netdev_priv(self.as_raw()).cast::<T>() }
    }
}

/// `ndo_start_xmit` outcome: the skb was consumed (sent or dropped).
pub(crate) struct TxDone;

/// What a driver's per-device state implements: the `net_device_ops` and
/// `ethtool_ops` callbacks it supports.
#[vtable]
pub(crate) trait NetDevOps: Send + Sync + Sized {
    fn open(&self, dev: &NetDev) -> Result;
    fn stop(&self, dev: &NetDev) -> Result;
    fn start_xmit(&self, dev: &NetDev, skb: Skb) -> TxDone;
    fn get_stats64(&self, dev: &NetDev, stats: &mut ffi::rtnl_link_stats64);

    fn set_mac_address(&self, _dev: &NetDev, _mac: &[u8; 6]) -> Result {
        kernel::build_error(kernel::error::VTABLE_DEFAULT_ERROR)
    }
    fn change_mtu(&self, _dev: &NetDev, _mtu: u32) -> Result {
        kernel::build_error(kernel::error::VTABLE_DEFAULT_ERROR)
    }
    fn get_drvinfo(&self, _dev: &NetDev, _info: &mut ffi::ethtool_drvinfo) {
        kernel::build_error(kernel::error::VTABLE_DEFAULT_ERROR)
    }
    /// Number of `ETH_SS_STATS` strings/values.
    fn stats_count(&self, _dev: &NetDev) -> u32 {
        kernel::build_error(kernel::error::VTABLE_DEFAULT_ERROR)
    }
    /// Writes the stat names, `ETH_GSTRING_LEN` bytes each.
    fn stats_strings(&self, _dev: &NetDev, _out: &mut [u8]) {
        kernel::build_error(kernel::error::VTABLE_DEFAULT_ERROR)
    }
    fn stats_values(&self, _dev: &NetDev, _out: &mut [u64]) {
        kernel::build_error(kernel::error::VTABLE_DEFAULT_ERROR)
    }
    /// `ethtool -n`; `locs` receives rule locations for ETHTOOL_GRXCLSRLALL.
    fn get_rxnfc(&self, _dev: &NetDev, _cmd: &mut ffi::ethtool_rxnfc, _locs: &mut [u32]) -> Result {
        kernel::build_error(kernel::error::VTABLE_DEFAULT_ERROR)
    }
    /// `ethtool -N`.
    fn set_rxnfc(&self, _dev: &NetDev, _cmd: &mut ffi::ethtool_rxnfc) -> Result {
        kernel::build_error(kernel::error::VTABLE_DEFAULT_ERROR)
    }
}

/// The C callbacks of a `T: NetDevOps` device.
pub(crate) struct Adapter<T>(PhantomData<T>);

impl<T: NetDevOps> Adapter<T> {
    const NDO: ffi::net_device_ops = {
        // SAFETY: all-zero is a valid `net_device_ops` (every callback NULL).
        let mut o: ffi::net_device_ops = unsafe { MaybeUninit::zeroed().assume_init() };
        o.ndo_open = Some(Self::open);
        o.ndo_stop = Some(Self::stop);
        o.ndo_start_xmit = Some(Self::start_xmit);
        o.ndo_get_stats64 = Some(Self::get_stats64);
        o.ndo_validate_addr = Some(ffi::eth_validate_addr);
        if T::HAS_SET_MAC_ADDRESS {
            o.ndo_set_mac_address = Some(Self::set_mac_address);
        }
        if T::HAS_CHANGE_MTU {
            o.ndo_change_mtu = Some(Self::change_mtu);
        }
        o
    };

    const ETHTOOL: ffi::ethtool_ops = {
        // SAFETY: all-zero is a valid `ethtool_ops`.
        let mut o: ffi::ethtool_ops = unsafe { MaybeUninit::zeroed().assume_init() };
        o.get_link = Some(ffi::ethtool_op_get_link);
        if T::HAS_GET_DRVINFO {
            o.get_drvinfo = Some(Self::get_drvinfo);
        }
        if T::HAS_STATS_COUNT {
            o.get_sset_count = Some(Self::get_sset_count);
            o.get_strings = Some(Self::get_strings);
            o.get_ethtool_stats = Some(Self::get_ethtool_stats);
        }
        if T::HAS_GET_RXNFC {
            o.get_rxnfc = Some(Self::get_rxnfc);
        }
        if T::HAS_SET_RXNFC {
            o.set_rxnfc = Some(Self::set_rxnfc);
        }
        o
    };

    /// # Safety
    ///
    /// `dev` must be a device of a `Registration<T>`.
    unsafe fn this<'a>(dev: *mut ffi::net_device) -> (&'a NetDev, &'a T) {
        // SAFETY: the caller's guarantee; the net core passes live devices.
        let nd = unsafe { NetDev::from_raw(dev) };
        // SAFETY: created by a `Registration<T>`.
        (nd, unsafe { nd.data::<T>() })
    }

    /// # Safety
    ///
    /// Called by the net core with a device of a `Registration<T>`.
    unsafe extern "C" fn open(dev: *mut ffi::net_device) -> c_int {
        // SAFETY: the function's contract.
        let (nd, t) = unsafe { Self::this(dev) };
        from_result(|| t.open(nd).map(|()| 0))
    }

    /// # Safety
    ///
    /// Called by the net core with a device of a `Registration<T>`.
    unsafe extern "C" fn stop(dev: *mut ffi::net_device) -> c_int {
        // SAFETY: the function's contract.
        let (nd, t) = unsafe { Self::this(dev) };
        from_result(|| t.stop(nd).map(|()| 0))
    }

    /// # Safety
    ///
    /// Called by the net core with an skb it hands over and a device of a
    /// `Registration<T>`.
    unsafe extern "C" fn start_xmit(
        skb: *mut ffi::sk_buff,
        dev: *mut ffi::net_device,
    ) -> ffi::netdev_tx_t {
        // SAFETY: the function's contract.
        let (nd, t) = unsafe { Self::this(dev) };
        // SAFETY: the core passes ownership of a valid skb.
        if let Some(skb) = unsafe { Skb::from_raw(skb) } {
            let TxDone = t.start_xmit(nd, skb);
        }
        ffi::netdev_tx_NETDEV_TX_OK
    }

    /// # Safety
    ///
    /// Called by the net core with a device of a `Registration<T>`.
    unsafe extern "C" fn get_stats64(
        dev: *mut ffi::net_device,
        stats: *mut ffi::rtnl_link_stats64,
    ) {
        // SAFETY: the function's contract.
        let (nd, t) = unsafe { Self::this(dev) };
        // `stats` may point into a netlink attribute, not 8-byte aligned:
        // work on an aligned copy.
        // SAFETY: `stats` is valid and exclusive for the call.
        let mut st = unsafe { stats.read_unaligned() };
        t.get_stats64(nd, &mut st);
        // SAFETY: as above.
        unsafe { stats.write_unaligned(st) };
    }

    /// # Safety
    ///
    /// Called by the net core (RTNL held) with a `struct sockaddr *`.
    unsafe extern "C" fn set_mac_address(dev: *mut ffi::net_device, addr: *mut c_void) -> c_int {
        // SAFETY: the function's contract.
        let (nd, t) = unsafe { Self::this(dev) };
        from_result(|| {
            let mut mac = [0u8; 6];
            // SAFETY: `addr` is a `struct sockaddr` whose `sa_data` holds the MAC.
            mac.copy_from_slice(unsafe {
                core::slice::from_raw_parts(ffi::dpaa_vdpa_sockaddr_data(addr), 6)
            });
            if mac[0] & 1 != 0 || mac == [0; 6] {
                return Err(kernel::error::Error::from_errno(
                    -(ffi::EADDRNOTAVAIL as i32),
                ));
            }
            t.set_mac_address(nd, &mac)?;
            nd.set_mac(&mac);
            Ok(0)
        })
    }

    /// # Safety
    ///
    /// Called by the net core (RTNL held) with a device of a `Registration<T>`.
    unsafe extern "C" fn change_mtu(dev: *mut ffi::net_device, mtu: c_int) -> c_int {
        // SAFETY: the function's contract.
        let (nd, t) = unsafe { Self::this(dev) };
        from_result(|| {
            t.change_mtu(nd, mtu as u32)?;
            nd.set_mtu(mtu as u32);
            Ok(0)
        })
    }

    /// # Safety
    ///
    /// Called by ethtool with a device of a `Registration<T>`.
    unsafe extern "C" fn get_drvinfo(dev: *mut ffi::net_device, info: *mut ffi::ethtool_drvinfo) {
        // SAFETY: the function's contract.
        let (nd, t) = unsafe { Self::this(dev) };
        // SAFETY: `info` is valid and exclusive for the call.
        t.get_drvinfo(nd, unsafe { &mut *info });
    }

    /// # Safety
    ///
    /// Called by ethtool with a device of a `Registration<T>`.
    unsafe extern "C" fn get_sset_count(dev: *mut ffi::net_device, sset: c_int) -> c_int {
        // SAFETY: the function's contract.
        let (nd, t) = unsafe { Self::this(dev) };
        if sset as u32 == ffi::ethtool_stringset_ETH_SS_STATS {
            t.stats_count(nd) as c_int
        } else {
            -(ffi::EOPNOTSUPP as c_int)
        }
    }

    /// # Safety
    ///
    /// Called by ethtool with a buffer of `get_sset_count()` strings.
    unsafe extern "C" fn get_strings(dev: *mut ffi::net_device, sset: u32, data: *mut u8) {
        // SAFETY: the function's contract.
        let (nd, t) = unsafe { Self::this(dev) };
        if sset == ffi::ethtool_stringset_ETH_SS_STATS {
            let len = t.stats_count(nd) as usize * ffi::ETH_GSTRING_LEN as usize;
            // SAFETY: ethtool sized the buffer with `get_sset_count()`.
            t.stats_strings(nd, unsafe { core::slice::from_raw_parts_mut(data, len) });
        }
    }

    /// # Safety
    ///
    /// Called by ethtool with a buffer of `get_sset_count()` values.
    unsafe extern "C" fn get_ethtool_stats(
        dev: *mut ffi::net_device,
        _stats: *mut ffi::ethtool_stats,
        data: *mut u64,
    ) {
        // SAFETY: the function's contract.
        let (nd, t) = unsafe { Self::this(dev) };
        let n = t.stats_count(nd) as usize;
        // SAFETY: ethtool sized the buffer with `get_sset_count()`.
        t.stats_values(nd, unsafe { core::slice::from_raw_parts_mut(data, n) });
    }

    /// # Safety
    ///
    /// Called by ethtool; for ETHTOOL_GRXCLSRLALL `locs` has `cmd.rule_cnt` slots.
    unsafe extern "C" fn get_rxnfc(
        dev: *mut ffi::net_device,
        cmd: *mut ffi::ethtool_rxnfc,
        locs: *mut u32,
    ) -> c_int {
        // SAFETY: the function's contract.
        let (nd, t) = unsafe { Self::this(dev) };
        from_result(|| {
            // SAFETY: `cmd` is valid and exclusive for the call.
            let cmd = unsafe { &mut *cmd };
            let n = if cmd.cmd == ffi::ETHTOOL_GRXCLSRLALL && !locs.is_null() {
                // SAFETY: `rule_cnt` is the size of `locs` for this command.
                unsafe { cmd.__bindgen_anon_1.rule_cnt as usize }
            } else {
                0
            };
            let locs = if n == 0 {
                &mut [][..]
            } else {
                // SAFETY: as above.
                unsafe { core::slice::from_raw_parts_mut(locs, n) }
            };
            t.get_rxnfc(nd, cmd, locs)?;
            Ok(0)
        })
    }

    /// # Safety
    ///
    /// Called by ethtool (RTNL held) with a device of a `Registration<T>`.
    unsafe extern "C" fn set_rxnfc(
        dev: *mut ffi::net_device,
        cmd: *mut ffi::ethtool_rxnfc,
    ) -> c_int {
        // SAFETY: the function's contract.
        let (nd, t) = unsafe { Self::this(dev) };
        // SAFETY: `cmd` is valid and exclusive for the call.
        from_result(|| t.set_rxnfc(nd, unsafe { &mut *cmd }).map(|()| 0))
    }
}

/// A registered Ethernet device whose private area holds a `T`.
///
/// # Invariants
///
/// `dev` is a registered net_device created by [`Registration::new`], its
/// private area holds an initialised `T`.
pub(crate) struct Registration<T: NetDevOps> {
    dev: NonNull<ffi::net_device>,
    _t: PhantomData<T>,
}

// SAFETY: the device and `T: Send + Sync` may be used and dropped anywhere.
unsafe impl<T: NetDevOps> Send for Registration<T> {}
// SAFETY: as above.
unsafe impl<T: NetDevOps> Sync for Registration<T> {}

impl<T: NetDevOps> Registration<T> {
    /// Allocates an Ethernet device named after `name` (a `%d` pattern
    /// allowed), lets `setup` configure it and make its state, registers it.
    pub(crate) fn new(name: &CStr, setup: impl FnOnce(&NetDev) -> Result<T>) -> Result<Self> {
        // SAFETY: plain allocation; one TX and one RX queue.
        let dev = unsafe { ffi::alloc_etherdev_mqs(core::mem::size_of::<T>() as c_int, 1, 1) };
        let dev = NonNull::new(dev).ok_or(ENOMEM)?;
        let raw = dev.as_ptr();
        // SAFETY: `raw` is a fresh, unregistered device only we know.
        let nd = unsafe { NetDev::from_raw(raw) };
        let name = name.as_bytes_with_nul();
        // SAFETY: as above; `name` is at most IFNAMSIZ long (checked).
        unsafe {
            let dst = &mut (*raw).name;
            if name.len() > dst.len() {
                ffi::free_netdev(raw);
                return Err(EINVAL);
            }
            for (d, s) in dst.iter_mut().zip(name) {
                *d = *s as c_char;
            }
            (*raw).netdev_ops = &Self::NDO_REF;
            (*raw).ethtool_ops = &Self::ETHTOOL_REF;
        }
        let state = match setup(nd) {
            Ok(s) => s,
            Err(e) => {
                // SAFETY: never registered.
                unsafe { ffi::free_netdev(raw) };
                return Err(e);
            }
        };
        // SAFETY: the private area has room for a `T` (size given at alloc,
        // aligned to NETDEV_ALIGN = 32, enough for the driver's types).
        unsafe { ffi::dpaa_vdpa_netdev_priv(raw).cast::<T>().write(state) };
        // SAFETY: fully set up.
        if let Err(e) = to_result(unsafe { ffi::register_netdev(raw) }) {
            // SAFETY: registration failed: drop the state and the device.
            unsafe {
                core::ptr::drop_in_place(ffi::dpaa_vdpa_netdev_priv(raw).cast::<T>());
                ffi::free_netdev(raw);
            }
            return Err(e);
        }
        Ok(Self {
            dev,
            _t: PhantomData,
        })
    }

    #[cfg_attr(dpaa_qbman, allow(dead_code))] // The model's only.
    pub(crate) fn dev(&self) -> &NetDev {
        // SAFETY: registered until drop (type invariant).
        unsafe { NetDev::from_raw(self.dev.as_ptr()) }
    }

    const NDO_REF: ffi::net_device_ops = Adapter::<T>::NDO;
    const ETHTOOL_REF: ffi::ethtool_ops = Adapter::<T>::ETHTOOL;
}

impl<T: NetDevOps> Drop for Registration<T> {
    fn drop(&mut self) {
        let raw = self.dev.as_ptr();
        // SAFETY: registered (type invariant). unregister_netdev stops the
        // device (ndo_stop) and waits for its users; then nothing calls into
        // `T` any more and the state and device can go.
        unsafe {
            ffi::unregister_netdev(raw);
            core::ptr::drop_in_place(ffi::dpaa_vdpa_netdev_priv(raw).cast::<T>());
            ffi::free_netdev(raw);
        }
    }
}
