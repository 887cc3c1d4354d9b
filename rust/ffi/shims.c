// SPDX-License-Identifier: GPL-2.0
/*
 * C shims for what Rust cannot reach through bindgen: macros and static
 * inline functions, plus the few C tables (a bus, debugfs file operations)
 * whose callbacks lead back into Rust. Keep each one thin.
 */
#include <linux/debugfs.h>
#include <linux/dma-direct.h>
#include <linux/dma-mapping.h>
#include <linux/etherdevice.h>
#include <linux/io.h>
#include <linux/iommu.h>
#include <linux/irq_work.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/netdevice.h>
#include <linux/seq_file.h>
#include <linux/skbuff.h>
#include <linux/swiotlb.h>
#include <linux/uaccess.h>

#include "dpaa_vdpa_ffi.h"

static unsigned int sim_ports = 1;
module_param(sim_ports, uint, 0444);
MODULE_PARM_DESC(sim_ports, "Software DPAA ports created at load (default 1)");

static unsigned int portal_poll_ms;
module_param(portal_poll_ms, uint, 0444);
MODULE_PARM_DESC(portal_poll_ms,
		 "0: portals are interrupt driven (default); N: polled every N ms");

unsigned int dpaa_vdpa_param_portal_poll_ms(void)
{
	return portal_poll_ms;
}

static void dpaa_vdpa_timer_fn(struct timer_list *tl)
{
	struct dpaa_vdpa_timer *t = from_timer(t, tl, timer);

	t->fn(t->data);
	mod_timer(&t->timer, jiffies + t->period);
}

void dpaa_vdpa_timer_start(struct dpaa_vdpa_timer *t, void (*fn)(void *data),
			   void *data, unsigned int period_ms)
{
	t->fn = fn;
	t->data = data;
	t->period = max(msecs_to_jiffies(period_ms), 1UL);
	timer_setup(&t->timer, dpaa_vdpa_timer_fn, 0);
	mod_timer(&t->timer, jiffies + t->period);
}

void dpaa_vdpa_timer_stop(struct dpaa_vdpa_timer *t)
{
	timer_shutdown_sync(&t->timer);
}

struct device *dpaa_vdpa_root_device_register(const char *name)
{
	return root_device_register(name);
}

unsigned int dpaa_vdpa_param_sim_ports(void)
{
	return sim_ports;
}

/* --- the dpaa_sim bus: control files only -------------------------------- */

static dpaa_vdpa_port_ctl_fn sim_new_port, sim_del_port;

static ssize_t port_ctl(dpaa_vdpa_port_ctl_fn fn, const char *buf, size_t count)
{
	unsigned int id;
	int err;

	err = kstrtouint(buf, 0, &id);
	if (err)
		return err;
	err = fn(id);
	return err ? err : count;
}

static ssize_t new_port_store(const struct bus_type *bus, const char *buf,
			      size_t count)
{
	return port_ctl(sim_new_port, buf, count);
}
static BUS_ATTR_WO(new_port);

static ssize_t del_port_store(const struct bus_type *bus, const char *buf,
			      size_t count)
{
	return port_ctl(sim_del_port, buf, count);
}
static BUS_ATTR_WO(del_port);

static struct attribute *dpaa_sim_bus_attrs[] = {
	&bus_attr_new_port.attr,
	&bus_attr_del_port.attr,
	NULL,
};
ATTRIBUTE_GROUPS(dpaa_sim_bus);

static const struct bus_type dpaa_sim_bus = {
	.name = "dpaa_sim",
	.bus_groups = dpaa_sim_bus_groups,
};

int dpaa_vdpa_sim_bus_register(dpaa_vdpa_port_ctl_fn new_port,
			       dpaa_vdpa_port_ctl_fn del_port)
{
	sim_new_port = new_port;
	sim_del_port = del_port;
	return bus_register(&dpaa_sim_bus);
}

void dpaa_vdpa_sim_bus_unregister(void)
{
	bus_unregister(&dpaa_sim_bus);
}

unsigned int dpaa_vdpa_nr_cpus(void)
{
	return num_online_cpus();
}

unsigned int dpaa_vdpa_cpu(void)
{
	return raw_smp_processor_id();
}

/* --- locks ---------------------------------------------------------------- */

void dpaa_vdpa_spin_lock_bh(spinlock_t *lock)
{
	spin_lock_bh(lock);
}

void dpaa_vdpa_spin_unlock_bh(spinlock_t *lock)
{
	spin_unlock_bh(lock);
}

unsigned long dpaa_vdpa_spin_lock_irqsave(spinlock_t *lock)
{
	unsigned long flags;

	spin_lock_irqsave(lock, flags);
	return flags;
}

void dpaa_vdpa_spin_unlock_irqrestore(spinlock_t *lock, unsigned long flags)
{
	spin_unlock_irqrestore(lock, flags);
}

/* --- net_device ----------------------------------------------------------- */

void *dpaa_vdpa_netdev_priv(const struct net_device *dev)
{
	return netdev_priv(dev);
}

void dpaa_vdpa_eth_hw_addr_set(struct net_device *dev, const u8 *addr)
{
	eth_hw_addr_set(dev, addr);
}

const u8 *dpaa_vdpa_netdev_addr(const struct net_device *dev)
{
	return dev->dev_addr;
}

void dpaa_vdpa_netif_start_queue(struct net_device *dev)
{
	netif_start_queue(dev);
}

void dpaa_vdpa_netif_stop_queue(struct net_device *dev)
{
	netif_stop_queue(dev);
}

void dpaa_vdpa_netif_tx_disable(struct net_device *dev)
{
	netif_tx_disable(dev);
}

void dpaa_vdpa_netif_wake_queue(struct net_device *dev)
{
	netif_wake_queue(dev);
}

bool dpaa_vdpa_netif_running(const struct net_device *dev)
{
	return netif_running(dev);
}

const u8 *dpaa_vdpa_sockaddr_data(const void *sa)
{
	return (const u8 *)((const struct sockaddr *)sa)->sa_data;
}

void dpaa_vdpa_eth_type_trans(struct sk_buff *skb, struct net_device *dev)
{
	skb->protocol = eth_type_trans(skb, dev);
}

static void dpaa_vdpa_napi_kick_fn(struct irq_work *work)
{
	napi_schedule(&container_of(work, struct dpaa_vdpa_napi, kick)->napi);
}

void dpaa_vdpa_napi_kick_init(struct dpaa_vdpa_napi *n)
{
	init_irq_work(&n->kick, dpaa_vdpa_napi_kick_fn);
}

static void dpaa_vdpa_napi_schedule_ipi(void *n)
{
	napi_schedule(&((struct dpaa_vdpa_napi *)n)->napi);
}

/* irq_work_queue_on() is not exported: an IPI that does not wait. */
int dpaa_vdpa_napi_schedule_on(struct dpaa_vdpa_napi *n, int cpu)
{
	return smp_call_function_single(cpu, dpaa_vdpa_napi_schedule_ipi, n, 0);
}

void dpaa_vdpa_napi_kick_sync(struct dpaa_vdpa_napi *n)
{
	irq_work_sync(&n->kick);
}

/*
 * napi_schedule() only raises NET_RX, which runs at the next interrupt's
 * exit or local_bh_enable(). From process context, local_bh_enable() here
 * runs it now. With hard IRQs off and BHs on (a vhost-vdpa kick, from an
 * eventfd wakeup) that is not allowed: an irq_work's self-interrupt
 * schedules the poll and its exit runs it.
 */
void dpaa_vdpa_napi_schedule(struct dpaa_vdpa_napi *n)
{
	if (!irqs_disabled()) {
		local_bh_disable();
		napi_schedule(&n->napi);
		local_bh_enable();
	} else if (in_interrupt()) {
		napi_schedule(&n->napi);
	} else {
		irq_work_queue(&n->kick);
	}
}

void dpaa_vdpa_netif_napi_del(struct napi_struct *napi)
{
	netif_napi_del(napi);
}

/* --- sk_buff -------------------------------------------------------------- */

unsigned int dpaa_vdpa_skb_headlen(const struct sk_buff *skb)
{
	return skb_headlen(skb);
}

void *dpaa_vdpa_skb_frag_address(const struct sk_buff *skb, unsigned int i,
				 unsigned int *len)
{
	const skb_frag_t *frag = &skb_shinfo(skb)->frags[i];

	*len = skb_frag_size(frag);
	return skb_frag_address(frag);
}

int dpaa_vdpa_skb_linearize(struct sk_buff *skb)
{
	return skb_linearize(skb);
}

int dpaa_vdpa_skb_cow_head(struct sk_buff *skb, unsigned int headroom)
{
	return skb_cow_head(skb, headroom);
}

void dpaa_vdpa_skb_reserve(struct sk_buff *skb, int len)
{
	skb_reserve(skb, len);
}

void dpaa_vdpa_dev_kfree_skb_any(struct sk_buff *skb)
{
	dev_kfree_skb_any(skb);
}

struct sk_buff *dpaa_vdpa_netdev_alloc_skb(struct net_device *dev,
					   unsigned int len)
{
	return netdev_alloc_skb(dev, len);
}

void *dpaa_vdpa_netdev_alloc_frag(unsigned int size)
{
	return netdev_alloc_frag(size);
}

void dpaa_vdpa_skb_free_frag(void *addr)
{
	skb_free_frag(addr);
}

unsigned int dpaa_vdpa_skb_shinfo_size(void)
{
	return SKB_DATA_ALIGN(sizeof(struct skb_shared_info));
}

u64 dpaa_vdpa_virt_to_phys(void *addr)
{
	return virt_to_phys(addr);
}

void *dpaa_vdpa_phys_to_virt(u64 addr)
{
	return phys_to_virt(addr);
}

/* --- debugfs -------------------------------------------------------------- */

static int dbg_open(struct inode *inode, struct file *file)
{
	struct dpaa_vdpa_dbg_file *f = inode->i_private;

	return single_open(file, f->show, f->data);
}

static ssize_t dbg_write(struct file *file, const char __user *ubuf,
			 size_t len, loff_t *ppos)
{
	struct dpaa_vdpa_dbg_file *f = file_inode(file)->i_private;
	char buf[64];

	if (!f->write)
		return -EPERM;
	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	return f->write(f->data, buf, len);
}

static const struct file_operations dbg_fops = {
	.owner = THIS_MODULE,
	.open = dbg_open,
	.read = seq_read,
	.write = dbg_write,
	.llseek = seq_lseek,
	.release = single_release,
};

struct dentry *dpaa_vdpa_debugfs_file(const char *name, struct dentry *parent,
				      struct dpaa_vdpa_dbg_file *file)
{
	return debugfs_create_file(name, file->write ? 0600 : 0400, parent,
				   file, &dbg_fops);
}

/* --- vDPA devices ---------------------------------------------------------- */

static struct dpaa_vdpa_dev *to_dpaa_vdpa_dev(struct device *dev)
{
	return container_of(dev_to_vdpa(dev), struct dpaa_vdpa_dev, vdpa);
}

static ssize_t flag_show(struct device *dev, unsigned int flag, char *buf)
{
	struct dpaa_vdpa_dev *d = to_dpaa_vdpa_dev(dev);
	void *drv = READ_ONCE(d->drv);
	int v;

	if (!drv)
		return -ENODEV;
	v = d->flag_ops->get(drv, flag);
	return v < 0 ? v : sysfs_emit(buf, "%d\n", v);
}

static ssize_t flag_store(struct device *dev, unsigned int flag,
			  const char *buf, size_t count)
{
	struct dpaa_vdpa_dev *d = to_dpaa_vdpa_dev(dev);
	void *drv = READ_ONCE(d->drv);
	bool on;
	int err;

	if (!drv)
		return -ENODEV;
	err = kstrtobool(buf, &on);
	if (err)
		return err;
	err = d->flag_ops->set(drv, flag, on);
	return err ? err : count;
}

static ssize_t trust_show(struct device *dev, struct device_attribute *attr,
			  char *buf)
{
	return flag_show(dev, DPAA_VDPA_FLAG_TRUST, buf);
}

static ssize_t trust_store(struct device *dev, struct device_attribute *attr,
			   const char *buf, size_t count)
{
	return flag_store(dev, DPAA_VDPA_FLAG_TRUST, buf, count);
}
static DEVICE_ATTR_RW(trust);

static ssize_t spoofchk_show(struct device *dev,
			     struct device_attribute *attr, char *buf)
{
	return flag_show(dev, DPAA_VDPA_FLAG_SPOOFCHK, buf);
}

static ssize_t spoofchk_store(struct device *dev,
			      struct device_attribute *attr, const char *buf,
			      size_t count)
{
	return flag_store(dev, DPAA_VDPA_FLAG_SPOOFCHK, buf, count);
}
static DEVICE_ATTR_RW(spoofchk);

static struct attribute *dpaa_vdpa_dev_attrs[] = {
	&dev_attr_trust.attr,
	&dev_attr_spoofchk.attr,
	NULL,
};
ATTRIBUTE_GROUPS(dpaa_vdpa_dev);

struct vdpa_device *dpaa_vdpa_dev_alloc(struct device *parent,
					const struct vdpa_config_ops *ops,
					const struct dpaa_vdpa_flag_ops *flag_ops,
					struct vdpa_mgmt_dev *mdev,
					unsigned int ngroups, unsigned int nas,
					const char *name, void *drv, int *err)
{
	struct dpaa_vdpa_dev *d;
	struct device *dev;

	d = vdpa_alloc_device(struct dpaa_vdpa_dev, vdpa, parent, ops, ngroups,
			      nas, name, false);
	if (IS_ERR(d)) {
		*err = PTR_ERR(d);
		return NULL;
	}
	/*
	 * virtio_vdpa maps through the device itself: with no IOMMU in front
	 * of the model, its DMA addresses are physical (the device's kernel
	 * address space, used only while virtio_vdpa drives it).
	 */
	dev = &d->vdpa.dev;
	dev->dma_mask = &dev->coherent_dma_mask;
	*err = dma_set_mask_and_coherent(dev, DMA_BIT_MASK(64));
	if (*err) {
		/* drv is not set: ops->free finds nothing to drop. */
		put_device(dev);
		return NULL;
	}
	d->vdpa.dma_dev = dev;
	d->vdpa.mdev = mdev;
	/* Made with the device (device_add), gone before it is freed. */
	dev->groups = dpaa_vdpa_dev_groups;
	d->flag_ops = flag_ops;
	d->drv = drv;
	return &d->vdpa;
}

void *dpaa_vdpa_dev_drv(struct vdpa_device *vdev)
{
	return container_of(vdev, struct dpaa_vdpa_dev, vdpa)->drv;
}

void *dpaa_vdpa_dev_take_drv(struct vdpa_device *vdev)
{
	struct dpaa_vdpa_dev *d = container_of(vdev, struct dpaa_vdpa_dev, vdpa);

	return xchg(&d->drv, NULL);
}

const char *dpaa_vdpa_dev_name(struct vdpa_device *vdev)
{
	return dev_name(&vdev->dev);
}

struct device *dpaa_vdpa_dev_device(struct vdpa_device *vdev)
{
	return &vdev->dev;
}

void dpaa_vdpa_rcu_read_lock(void)
{
	rcu_read_lock();
}

void dpaa_vdpa_rcu_read_unlock(void)
{
	rcu_read_unlock();
}

/*
 * Called by the device's own config ops, i.e. by the bound driver: the
 * binding cannot change under the call.
 */
bool dpaa_vdpa_dev_kernel_driver(struct vdpa_device *vdev)
{
	const struct device_driver *drv = READ_ONCE(vdev->dev.driver);

	return drv && !strcmp(drv->name, "virtio_vdpa");
}

u64 dpaa_vdpa_jiffies(void)
{
	return get_jiffies_64();
}

unsigned int dpaa_vdpa_hz(void)
{
	return HZ;
}

bool dpaa_vdpa_get_pages(u64 pa, u64 len)
{
	unsigned long first = PHYS_PFN(pa), last = PHYS_PFN(pa + len - 1), pfn;

	for (pfn = first; pfn <= last; pfn++) {
		if (!pfn_valid(pfn)) {
			while (pfn-- > first)
				put_page(pfn_to_page(pfn));
			return false;
		}
		get_page(pfn_to_page(pfn));
		if (!((pfn - first + 1) % 4096))
			cond_resched();
	}
	return true;
}

void dpaa_vdpa_put_pages(u64 pa, u64 len)
{
	unsigned long first = PHYS_PFN(pa), last = PHYS_PFN(pa + len - 1), pfn;

	for (pfn = first; pfn <= last; pfn++) {
		put_page(pfn_to_page(pfn));
		if (!((pfn - first + 1) % 4096))
			cond_resched();
	}
}

int dpaa_vdpa_dma_setup(struct device *dev, unsigned int bits)
{
	if (!dev->dma_mask)
		dev->dma_mask = &dev->coherent_dma_mask;
#if defined(CONFIG_ARCH_HAS_SYNC_DMA_FOR_DEVICE) || \
	defined(CONFIG_ARCH_HAS_SYNC_DMA_FOR_CPU) || \
	defined(CONFIG_ARCH_HAS_SYNC_DMA_FOR_CPU_ALL)
	/* A device without a bus is the model's: its "DMA" is the CPU's. */
	dev->dma_coherent = true;
#endif
	return dma_set_mask_and_coherent(dev, DMA_BIT_MASK(bits));
}

static phys_addr_t dpaa_vdpa_dma_to_phys(struct device *dev, dma_addr_t addr)
{
	struct iommu_domain *dom = iommu_get_domain_for_dev(dev);

	if (dom && (dom->type & __IOMMU_DOMAIN_PAGING))
		return iommu_iova_to_phys(dom, addr);
	return dma_to_phys(dev, addr);
}

dma_addr_t dpaa_vdpa_dma_map_single(struct device *dev, void *ptr, size_t len,
				    enum dma_data_direction dir)
{
	dma_addr_t addr = dma_map_single(dev, ptr, len, dir);

	if (dma_mapping_error(dev, addr))
		return DMA_MAPPING_ERROR;
	/*
	 * The driver gets its buffer back from the DMA address: a bounced
	 * mapping would give the bounce slot, so it is refused.
	 */
	if (swiotlb_find_pool(dev, dpaa_vdpa_dma_to_phys(dev, addr))) {
		dma_unmap_single(dev, addr, len, dir);
		return DMA_MAPPING_ERROR;
	}
	return addr;
}

void dpaa_vdpa_dma_unmap_single(struct device *dev, dma_addr_t addr,
				size_t len, enum dma_data_direction dir)
{
	dma_unmap_single(dev, addr, len, dir);
}

void dpaa_vdpa_dma_sync_for_device(struct device *dev, dma_addr_t addr,
				   size_t len, enum dma_data_direction dir)
{
	dma_sync_single_for_device(dev, addr, len, dir);
}

void dpaa_vdpa_dma_sync_for_cpu(struct device *dev, dma_addr_t addr,
				size_t len, enum dma_data_direction dir)
{
	dma_sync_single_for_cpu(dev, addr, len, dir);
}

void *dpaa_vdpa_dma_to_virt(struct device *dev, dma_addr_t addr)
{
	return phys_to_virt(dpaa_vdpa_dma_to_phys(dev, addr));
}

bool dpaa_vdpa_phys_valid(u64 phys)
{
	return pfn_valid(PHYS_PFN(phys));
}

int dpaa_vdpa_nla_put_string(struct sk_buff *msg, int type, const char *s)
{
	return nla_put_string(msg, type, s);
}

int dpaa_vdpa_nla_put_u64(struct sk_buff *msg, int type, u64 v)
{
	return nla_put_u64_64bit(msg, type, v, VDPA_ATTR_PAD);
}
