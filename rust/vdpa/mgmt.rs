// SPDX-License-Identifier: GPL-2.0

//! A port's vDPA management device: what `vdpa mgmtdev show` lists and what
//! `vdpa dev add` creates virtio-net devices on.
//!
//! Every request is validated before anything is made, so a refused one
//! leaves nothing behind; the reason goes to the kernel log.

use super::net::{Params, VdpaNet, NAS, NGROUPS};
use crate::{
    dpaa::{PortCaps, MAX_FRAME},
    ffi,
    kapi::{
        device::{dev_err, Device},
        error::{eopnotsupp, errno},
        vdpa::{ConfigAttr, DevSetConfig, MgmtDevCaps, MgmtDevOps, MgmtHandle, VdpaDevice},
    },
    switch::{Switch, HOST_MEMBER, WIRE_MEMBER},
};
use dpaa_core::virtio_net::{self as vn, FeatureError};
use kernel::{fmt, new_mutex, prelude::*, str::CString, sync::Arc, sync::Mutex};

/// vDPA devices one port takes (classifier members 1..=MAX_DEVICES).
pub(crate) const MAX_DEVICES: usize = 16;
/// Largest MTU of a vDPA device: a frame must fit one RX buffer of the
/// driver (virtio-net's mergeable buffers hold 1518 bytes); frames over
/// several buffers are not implemented yet.
pub(crate) const MAX_MTU: u16 = 1500;
const MIN_MTU: u16 = 68;

/// A MAC address as people write it.
struct Mac([u8; 6]);

impl core::fmt::Display for Mac {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let m = &self.0;
        write!(
            f,
            "{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}",
            m[0], m[1], m[2], m[3], m[4], m[5]
        )
    }
}

/// A port's devices, by classifier member (slot `member - 1`).
type Devices = [Option<Arc<VdpaNet>>; MAX_DEVICES];

/// The management device operations of one port.
pub(crate) struct PortMgmt {
    index: u32,
    sw: Arc<Switch>,
    max_vqp: u16,
    /// Devices by classifier member (slot `member - 1`).
    devices: Pin<KBox<Mutex<Devices>>>,
}

impl PortMgmt {
    pub(crate) fn new(index: u32, sw: Arc<Switch>, caps: &PortCaps) -> Result<Self> {
        Ok(Self {
            index,
            sw,
            max_vqp: caps.max_vqp_per_device,
            devices: KBox::pin_init(
                new_mutex!([const { None }; MAX_DEVICES], "vdpa_port_devices"),
                GFP_KERNEL,
            )?,
        })
    }

    /// What the management device advertises for a port with `caps`.
    pub(crate) fn caps(caps: &PortCaps) -> MgmtDevCaps {
        MgmtDevCaps {
            config_attrs: ConfigAttr::Mac.mask()
                | ConfigAttr::Mtu.mask()
                | ConfigAttr::MaxVqp.mask()
                | ConfigAttr::Features.mask(),
            supported_features: vn::DEVICE_FEATURES,
            max_supported_vqs: vn::max_vqs(caps.max_vqp_per_device),
        }
    }

    /// Who on the port owns `mac`, if anyone but member `except`: the
    /// port's classifier keeps every entity's MACs (the host's, the wire
    /// end's, each device's admin MAC and the ones its driver set), in use
    /// or not at the moment.
    fn owner_of(&self, mac: [u8; 6], except: u8) -> Option<&'static str> {
        match self.sw.with_classifier(|c| c.owner(&mac))? {
            m if m == except => None,
            HOST_MEMBER => Some("the host interface"),
            WIRE_MEMBER => Some("the wire end"),
            _ => Some("another vDPA device"),
        }
    }

    fn check_mac(&self, parent: &Device, name: &CStr, mac: [u8; 6], member: u8) -> Result {
        if mac[0] & 1 != 0 || mac == [0; 6] {
            dev_err!(
                parent,
                "vDPA device '{name}': MAC {} is not a unicast address\n",
                Mac(mac)
            );
            return Err(EINVAL);
        }
        if let Some(who) = self.owner_of(mac, member) {
            dev_err!(
                parent,
                "vDPA device '{name}': MAC {} is already used by {who} on this port\n",
                Mac(mac)
            );
            return Err(errno(ffi::EADDRINUSE));
        }
        Ok(())
    }
}

#[vtable]
impl MgmtDevOps for PortMgmt {
    type Device = VdpaNet;

    fn dev_add(&self, mdev: &MgmtHandle<'_>, name: &CStr, config: &DevSetConfig) -> Result {
        let parent = mdev.parent();
        // The vDPA core runs management ops one at a time (its
        // vdpa_dev_lock): the free slot stays free until filled below. The
        // lock is not held while the device registers, which probes its
        // driver (and takes the driver's locks).
        let free = self.devices.lock().iter().position(|d| d.is_none());
        let Some(slot) = free else {
            dev_err!(
                parent,
                "cannot add vDPA device '{name}': the port has {MAX_DEVICES} already\n"
            );
            return Err(ENOSPC);
        };
        let offer = match config.device_features() {
            None => vn::DEVICE_FEATURES,
            Some(f) => match vn::validate_offer(f, vn::DEVICE_FEATURES) {
                Ok(f) => f,
                Err(FeatureError::Unsupported(b)) => {
                    dev_err!(
                        parent,
                        "vDPA device '{name}': unsupported device features {b:#x}\n"
                    );
                    return Err(eopnotsupp());
                }
                Err(FeatureError::MissingMandatory(b)) => {
                    dev_err!(parent, "vDPA device '{name}': device features must include {b:#x} (VERSION_1, ACCESS_PLATFORM)\n");
                    return Err(EINVAL);
                }
                Err(FeatureError::MissingDependency(f, n)) => {
                    dev_err!(
                        parent,
                        "vDPA device '{name}': feature bit {f} needs feature bit {n}\n"
                    );
                    return Err(EINVAL);
                }
            },
        };
        let max_vqp = config.max_vq_pairs().unwrap_or(1);
        if max_vqp == 0 || max_vqp > self.max_vqp {
            dev_err!(parent, "vDPA device '{name}': max_vqp {max_vqp} is not in 1..={} (the frame queues the port backs a device with)\n", self.max_vqp);
            return Err(EINVAL);
        }
        if max_vqp > 1 && offer & vn::bit(vn::F_MQ) == 0 {
            dev_err!(
                parent,
                "vDPA device '{name}': max_vqp {max_vqp} needs the MQ feature\n"
            );
            return Err(EINVAL);
        }
        let mtu = config.mtu().unwrap_or(MAX_MTU);
        let port_max = (MAX_FRAME - 22) as u16;
        if mtu > port_max {
            dev_err!(parent, "vDPA device '{name}': MTU {mtu} is beyond the port's maximum frame (MTU {port_max})\n");
            return Err(EINVAL);
        }
        if !(MIN_MTU..=MAX_MTU).contains(&mtu) {
            dev_err!(parent, "vDPA device '{name}': MTU {mtu} is not in {MIN_MTU}..={MAX_MTU} (frames must fit one RX buffer)\n");
            return Err(EINVAL);
        }
        let member = slot as u8 + 1;
        let mac = config
            .mac()
            .unwrap_or([0x02, 0xd0, 0xaa, self.index as u8, 0x01, member]);
        self.check_mac(parent, name, mac, member)?;
        self.sw
            .with_classifier(|c| c.claim(mac, member))
            .map_err(|_| errno(ffi::EADDRINUSE))?;
        let release = || self.sw.with_classifier(|c| c.release_all(member));
        let dev = VdpaNet::new(
            self.sw.clone(),
            Params {
                name: CString::try_from_fmt(fmt!("{name}"))?,
                mac,
                mtu,
                max_vqp,
                offer,
                member,
            },
        )
        .inspect_err(|_| release())?;
        mdev.create(name, vn::max_vqs(max_vqp), NGROUPS, NAS, dev.clone())
            .inspect_err(|_| release())?;
        self.devices.lock()[slot] = Some(dev);
        Ok(())
    }

    fn dev_del(&self, _parent: &Device, dev: VdpaDevice<'_, VdpaNet>) {
        let me: *const VdpaNet = dev.data();
        let taken = self
            .devices
            .lock()
            .iter_mut()
            .find(|d| d.as_ref().is_some_and(|d| core::ptr::eq(&**d, me)))
            .and_then(Option::take);
        // The driver on it (if any) is unbound, which resets the device.
        dev.unregister();
        if let Some(d) = taken {
            d.shutdown();
            // Its MACs are free for others now.
            self.sw.with_classifier(|c| c.release_all(d.member));
        }
    }

    fn dev_set_attr(&self, parent: &Device, dev: &VdpaNet, config: &DevSetConfig) -> Result {
        if config.mtu().is_some()
            || config.max_vq_pairs().is_some()
            || config.device_features().is_some()
        {
            dev_err!(
                parent,
                "vDPA device '{}': only the MAC can be changed\n",
                &*dev.name
            );
            return Err(eopnotsupp());
        }
        let Some(mac) = config.mac() else {
            return Ok(());
        };
        // Checked and claimed under the classifier's lock (set_admin_mac).
        self.check_mac(parent, &dev.name, mac, dev.member)?;
        dev.set_admin_mac(mac)
    }
}
