/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Input of the module's bindgen step (rust/ffi/) and the prototypes of the C
 * shims in rust/ffi/shims.c: static inline functions and macros that Rust
 * cannot call directly.
 */
#ifndef DPAA_VDPA_FFI_H
#define DPAA_VDPA_FFI_H

#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/timer.h>
#include <linux/device.h>
#include <linux/dev_printk.h>
#include <linux/errno.h>
#include <linux/irq_work.h>
#include <linux/etherdevice.h>
#include <linux/ethtool.h>
#include <linux/netdevice.h>
#include <linux/rcupdate.h>
#include <linux/jiffies.h>
#include <linux/rtnetlink.h>
#include <linux/seq_file.h>
#include <linux/skbuff.h>
#include <linux/spinlock.h>
#include <linux/vdpa.h>
#include <linux/vhost_iotlb.h>
#include <linux/dma-mapping.h>
#include <net/netlink.h>
#include <linux/virtio_config.h>
#include <uapi/linux/vdpa.h>
#include <uapi/linux/virtio_ids.h>
#include <uapi/linux/virtio_net.h>

/* root_device_register() is a macro that passes THIS_MODULE. */
struct device *dpaa_vdpa_root_device_register(const char *name);

/* Values of the module parameters (module_param is a macro). */
unsigned int dpaa_vdpa_param_sim_ports(void);
unsigned int dpaa_vdpa_param_portal_poll_ms(void);

/* A periodic timer calling fn(data) every period_ms (timer_setup is a macro). */
struct dpaa_vdpa_timer {
	struct timer_list timer;
	void (*fn)(void *data);
	void *data;
	unsigned long period;
};
void dpaa_vdpa_timer_start(struct dpaa_vdpa_timer *t, void (*fn)(void *data),
			   void *data, unsigned int period_ms);
void dpaa_vdpa_timer_stop(struct dpaa_vdpa_timer *t);

/* The dpaa_sim bus: /sys/bus/dpaa_sim/{new_port,del_port} call these. */
typedef int (*dpaa_vdpa_port_ctl_fn)(unsigned int id);
int dpaa_vdpa_sim_bus_register(dpaa_vdpa_port_ctl_fn new_port,
			       dpaa_vdpa_port_ctl_fn del_port);
void dpaa_vdpa_sim_bus_unregister(void);

/* Number of online CPUs, and the current one. */
unsigned int dpaa_vdpa_nr_cpus(void);
unsigned int dpaa_vdpa_cpu(void);

/* BH-safe spinlocks (spin_lock_bh() is a macro). */
void dpaa_vdpa_spin_lock_bh(spinlock_t *lock);
void dpaa_vdpa_spin_unlock_bh(spinlock_t *lock);
/* IRQ-safe spinlocks, for what runs with hard IRQs off (vhost kicks). */
unsigned long dpaa_vdpa_spin_lock_irqsave(spinlock_t *lock);
void dpaa_vdpa_spin_unlock_irqrestore(spinlock_t *lock, unsigned long flags);

/* net_device */
void *dpaa_vdpa_netdev_priv(const struct net_device *dev);
void dpaa_vdpa_eth_hw_addr_set(struct net_device *dev, const u8 *addr);
const u8 *dpaa_vdpa_netdev_addr(const struct net_device *dev);
void dpaa_vdpa_netif_start_queue(struct net_device *dev);
void dpaa_vdpa_netif_stop_queue(struct net_device *dev);
void dpaa_vdpa_netif_tx_disable(struct net_device *dev);
void dpaa_vdpa_netif_wake_queue(struct net_device *dev);
bool dpaa_vdpa_netif_running(const struct net_device *dev);
const u8 *dpaa_vdpa_sockaddr_data(const void *sa);
void dpaa_vdpa_eth_type_trans(struct sk_buff *skb, struct net_device *dev);

/* NAPI, with an irq_work to schedule it from where hard IRQs are off. */
struct dpaa_vdpa_napi {
	struct napi_struct napi;
	struct irq_work kick;
};

void dpaa_vdpa_napi_kick_init(struct dpaa_vdpa_napi *n);
void dpaa_vdpa_napi_kick_sync(struct dpaa_vdpa_napi *n);
void dpaa_vdpa_napi_schedule(struct dpaa_vdpa_napi *n);
/*
 * Schedules it on another CPU (an IPI; -ENXIO if that CPU is offline).
 * Not with hard IRQs off.
 */
int dpaa_vdpa_napi_schedule_on(struct dpaa_vdpa_napi *n, int cpu);
void dpaa_vdpa_netif_napi_del(struct napi_struct *napi);

/* sk_buff */
unsigned int dpaa_vdpa_skb_headlen(const struct sk_buff *skb);
void *dpaa_vdpa_skb_frag_address(const struct sk_buff *skb, unsigned int i,
				 unsigned int *len);
int dpaa_vdpa_skb_linearize(struct sk_buff *skb);
int dpaa_vdpa_skb_cow_head(struct sk_buff *skb, unsigned int headroom);
void dpaa_vdpa_skb_reserve(struct sk_buff *skb, int len);
void dpaa_vdpa_dev_kfree_skb_any(struct sk_buff *skb);
struct sk_buff *dpaa_vdpa_netdev_alloc_skb(struct net_device *dev,
					   unsigned int len);
void *dpaa_vdpa_netdev_alloc_frag(unsigned int size);
void dpaa_vdpa_skb_free_frag(void *addr);
unsigned int dpaa_vdpa_skb_shinfo_size(void);

/* Addresses of the software model's "DMA": the kernel's direct map. */
u64 dpaa_vdpa_virt_to_phys(void *addr);
void *dpaa_vdpa_phys_to_virt(u64 addr);

/* debugfs files whose reads and writes go to Rust callbacks. */
struct dpaa_vdpa_dbg_file {
	int (*show)(struct seq_file *m, void *data);
	ssize_t (*write)(void *data, const char *buf, size_t len);
	void *data;
};
struct dentry *dpaa_vdpa_debugfs_file(const char *name, struct dentry *parent,
				      struct dpaa_vdpa_dbg_file *file);

/*
 * A vDPA device of this driver: the vdpa core allocates it (with the size
 * vdpa_alloc_device() passes) and frees it on the last reference, after
 * calling ops->free, which drops drv.
 */
struct dpaa_vdpa_dev {
	struct vdpa_device vdpa;
	void *drv;
	const struct dpaa_vdpa_flag_ops *flag_ops;
};

/*
 * The admin's per-device settings, 0 or 1, as sysfs files of the vDPA
 * device (/sys/bus/vdpa/devices/NAME/{trust,spoofchk}); the vdpa netlink
 * of 6.12 has no attribute for them.
 */
enum dpaa_vdpa_flag {
	DPAA_VDPA_FLAG_TRUST,
	DPAA_VDPA_FLAG_SPOOFCHK,
};

struct dpaa_vdpa_flag_ops {
	int (*get)(void *drv, unsigned int flag);
	int (*set)(void *drv, unsigned int flag, bool on);
};

/*
 * vdpa_alloc_device() is a macro. Returns the device (with drv set and DMA
 * through the device's own address space) or NULL with *err set; drv stays
 * the caller's on failure.
 */
struct vdpa_device *dpaa_vdpa_dev_alloc(struct device *parent,
					const struct vdpa_config_ops *ops,
					const struct dpaa_vdpa_flag_ops *flag_ops,
					struct vdpa_mgmt_dev *mdev,
					unsigned int ngroups, unsigned int nas,
					const char *name, void *drv, int *err);
void *dpaa_vdpa_dev_drv(struct vdpa_device *vdev);
/* Takes drv back (ops->free); the device no longer has one. */
void *dpaa_vdpa_dev_take_drv(struct vdpa_device *vdev);
const char *dpaa_vdpa_dev_name(struct vdpa_device *vdev);
struct device *dpaa_vdpa_dev_device(struct vdpa_device *vdev);

/* rcu_read_lock() and rcu_read_unlock() are static inline. */
void dpaa_vdpa_rcu_read_lock(void);
void dpaa_vdpa_rcu_read_unlock(void);

/*
 * Whether the driver bound to a vDPA device is the in-kernel virtio_vdpa
 * (which reaches the device through the DMA API of its DMA device).
 */
bool dpaa_vdpa_dev_kernel_driver(struct vdpa_device *vdev);

/* jiffies (a macro over a volatile) and HZ. */
u64 dpaa_vdpa_jiffies(void);
unsigned int dpaa_vdpa_hz(void);

/*
 * A reference on every page of [pa, pa + len) (false, and none taken, if
 * one is not a valid page), and dropping them.
 */
bool dpaa_vdpa_get_pages(u64 pa, u64 len);
void dpaa_vdpa_put_pages(u64 pa, u64 len);

/*
 * The DMA API against a port's device (dma_map_single() is a macro).
 * dpaa_vdpa_dma_setup() gives a device without a bus (the model's port) a
 * DMA mask of `bits` and makes it coherent (its "DMA" is the CPU's);
 * dpaa_vdpa_dma_map_single() refuses a mapping swiotlb bounced;
 * dpaa_vdpa_dma_to_virt() is the kernel address of a mapped DMA address
 * (through the device's IOMMU domain if it has one).
 */
int dpaa_vdpa_dma_setup(struct device *dev, unsigned int bits);
dma_addr_t dpaa_vdpa_dma_map_single(struct device *dev, void *ptr, size_t len,
				    enum dma_data_direction dir);
void dpaa_vdpa_dma_unmap_single(struct device *dev, dma_addr_t addr,
				size_t len, enum dma_data_direction dir);
void dpaa_vdpa_dma_sync_for_device(struct device *dev, dma_addr_t addr,
				   size_t len, enum dma_data_direction dir);
void dpaa_vdpa_dma_sync_for_cpu(struct device *dev, dma_addr_t addr,
				size_t len, enum dma_data_direction dir);
void *dpaa_vdpa_dma_to_virt(struct device *dev, dma_addr_t addr);

/* pfn_valid() of the page holding phys. */
bool dpaa_vdpa_phys_valid(u64 phys);

/* nla_put_string() and NL_SET_ERR_MSG are inline/macros. */
int dpaa_vdpa_nla_put_string(struct sk_buff *msg, int type, const char *s);
int dpaa_vdpa_nla_put_u64(struct sk_buff *msg, int type, u64 v);

#ifdef DPAA_VDPA_QBMAN
#include "dpaa_vdpa_qbman.h"
#endif

#endif /* DPAA_VDPA_FFI_H */
