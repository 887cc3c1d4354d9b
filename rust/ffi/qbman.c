// SPDX-License-Identifier: GPL-2.0
/*
 * C shims of the qbman backend (include/dpaa_vdpa_qbman.h): the parts of
 * QMan, BMan and the FMan port and MAC drivers of Linux 6.12 that are
 * static inline, macros, callbacks or private headers, called the way
 * dpaa_eth calls them. Built only with DPAA_VDPA_BACKEND=qbman, against a
 * full kernel source tree (the FMan headers are not under include/).
 */
#include <linux/delay.h>
#include <linux/dma-mapping.h>
#include <linux/iommu.h>
#include <linux/iopoll.h>
#include <linux/of.h>
#include <linux/of_platform.h>
#include <linux/phylink.h>
#include <linux/platform_device.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>
#include <soc/fsl/bman.h>
#include <soc/fsl/qman.h>

#include "mac.h"
#include "dpaa_vdpa_ffi.h"

/* mac_device.port[]: the order of the MAC's fsl,fman-ports (dpaa_eth.h's RX, TX). */
#define PORT_RX 0
#define PORT_TX 1

/* Largest OAL QMan takes (FSL_QMAN_MAX_OAL, private to qbman). */
#define QFQ_MAX_OAL 127

int dpaa_vdpa_qbman_ready(void)
{
	int q = qman_is_probed(), b = bman_is_probed();

	if (q < 0 || b < 0)
		return -ENODEV;
	if (!q || !b)
		return 0;
	q = qman_portals_probed();
	b = bman_portals_probed();
	if (q < 0 || b < 0)
		return -ENODEV;
	return q && b;
}

struct qman_portal *dpaa_vdpa_qman_portal(int cpu)
{
	return qman_get_affine_portal(cpu);
}

u16 dpaa_vdpa_qman_channel(int cpu)
{
	return qman_affine_channel(cpu);
}

void dpaa_vdpa_qman_dqri(struct qman_portal *p, bool on)
{
	if (on)
		qman_p_irqsource_add(p, QM_PIRQ_DQRI);
	else
		qman_p_irqsource_remove(p, QM_PIRQ_DQRI);
}

int dpaa_vdpa_qman_poll(struct qman_portal *p, unsigned int limit)
{
	return qman_p_poll_dqrr(p, limit);
}

int dpaa_vdpa_qman_alloc_fqids(u32 count, u32 *base)
{
	return qman_alloc_fqid_range(base, count);
}

void dpaa_vdpa_qman_release_fqid(u32 fqid)
{
	if (qman_release_fqid(fqid))
		pr_warn("dpaa_vdpa: FQID %u not released (not out of service)\n",
			fqid);
}

/* struct qman_fq first: QMan's callbacks get its address. */
struct dpaa_vdpa_qfq {
	struct qman_fq fq;
	const struct dpaa_vdpa_qfq_ops *ops;
	void *owner;
};

/*
 * The ops are read once per callback: an orphaned FQ's (below) may replace
 * them at any time; the owner stays valid for a callback that read the
 * owner's ops (the owner waits an RCU grace period after orphaning: QMan's
 * callbacks run in interrupt, softirq or preemption-off context).
 */
static enum qman_cb_dqrr_result qfq_dqrr(struct qman_portal *p,
					 struct qman_fq *fq,
					 const struct qm_dqrr_entry *dq,
					 bool sched_napi)
{
	struct dpaa_vdpa_qfq *f = container_of(fq, struct dpaa_vdpa_qfq, fq);
	const struct dpaa_vdpa_qfq_ops *ops = READ_ONCE(f->ops);

	return ops->dqrr(f->owner, p, (const u8 *)&dq->fd, sched_napi);
}

static void qfq_ern(struct qman_portal *p, struct qman_fq *fq,
		    const union qm_mr_entry *msg)
{
	struct dpaa_vdpa_qfq *f = container_of(fq, struct dpaa_vdpa_qfq, fq);
	const struct dpaa_vdpa_qfq_ops *ops = READ_ONCE(f->ops);

	ops->ern(f->owner, (const u8 *)&msg->ern.fd, msg->ern.rc & QM_MR_RC_MASK);
}

/*
 * An orphaned FQ's callbacks: its owner is gone, a frame that still
 * reaches it (a rejection on its way from another CPU's message ring, a
 * stale dequeue) is counted and dropped. Its buffer is leaked: the pool it
 * came from may be gone, nothing is safe to give it back to.
 */
static atomic64_t qfq_orphan_frames = ATOMIC64_INIT(0);

static int qfq_dead_dqrr(void *owner, struct qman_portal *p, const u8 *fd,
			 bool sched_napi)
{
	atomic64_inc(&qfq_orphan_frames);
	return qman_cb_dqrr_consume;
}

static void qfq_dead_ern(void *owner, const u8 *fd, u8 rc)
{
	atomic64_inc(&qfq_orphan_frames);
}

static const struct dpaa_vdpa_qfq_ops qfq_dead_ops = {
	.dqrr = qfq_dead_dqrr,
	.ern = qfq_dead_ern,
};

void dpaa_vdpa_qfq_orphan(struct dpaa_vdpa_qfq *f)
{
	WRITE_ONCE(f->ops, &qfq_dead_ops);
}

u64 dpaa_vdpa_qfq_orphan_frames(void)
{
	return atomic64_read(&qfq_orphan_frames);
}

static void qman_dqri_on_fn(void *p)
{
	qman_p_irqsource_add(p, QM_PIRQ_DQRI);
}

void dpaa_vdpa_qman_dqri_on_cpu(int cpu, struct qman_portal *p)
{
	/* On the portal's interrupt CPU, as its poll would; else here. */
	if (smp_call_function_single(cpu, qman_dqri_on_fn, p, 1))
		qman_dqri_on_fn(p);
}

struct dpaa_vdpa_qfq *dpaa_vdpa_qfq_create(u32 fqid, bool to_port,
					   bool enqueue_only,
					   const struct dpaa_vdpa_qfq_ops *ops,
					   void *owner)
{
	struct dpaa_vdpa_qfq *f = kzalloc(sizeof(*f), GFP_KERNEL);
	u32 flags = 0;

	if (!f)
		return NULL;
	f->ops = ops;
	f->owner = owner;
	f->fq.cb.dqrr = qfq_dqrr;
	f->fq.cb.ern = qfq_ern;
	if (to_port)
		flags |= QMAN_FQ_FLAG_TO_DCPORTAL;
	if (enqueue_only)
		flags |= QMAN_FQ_FLAG_NO_MODIFY;
	if (qman_create_fq(fqid, flags, &f->fq)) {
		kfree(f);
		return NULL;
	}
	return f;
}

int dpaa_vdpa_qfq_init(struct dpaa_vdpa_qfq *f,
		       const struct dpaa_vdpa_qfq_init *init)
{
	struct qm_mcc_initfq opts = {};
	u16 we = QM_INITFQ_WE_DESTWQ | QM_INITFQ_WE_FQCTRL;
	u16 fqctrl = QM_FQCTRL_PREFERINCACHE;
	int err;

	qm_fqd_set_destwq(&opts.fqd, init->channel, init->wq);
	if (init->taildrop) {
		err = qm_fqd_set_taildrop(&opts.fqd, init->taildrop, 1);
		if (err)
			return err;
		we |= QM_INITFQ_WE_TDTHRESH;
		fqctrl |= QM_FQCTRL_TDE;
	}
	/* QMan takes no FQ tail drop with an OAC: a member's bound is its group's. */
	if (init->cgrid >= 0) {
		we &= ~QM_INITFQ_WE_TDTHRESH;
		fqctrl &= ~QM_FQCTRL_TDE;
		fqctrl |= QM_FQCTRL_CGE;
		opts.fqd.cgid = (u8)init->cgrid;
		we |= QM_INITFQ_WE_CGID;
		if (init->oal) {
			we |= QM_INITFQ_WE_OAC;
			qm_fqd_set_oac(&opts.fqd, QM_OAC_CG);
			qm_fqd_set_oal(&opts.fqd,
				       min_t(int, init->oal, QFQ_MAX_OAL));
		}
	}
	if (init->to_port) {
		/*
		 * As dpaa_fq_init() does for a TX FQ: context_a OVOM, A2V, A0V,
		 * B0V, A2 EBD (a buffer with a BPID goes back to its pool in
		 * the FMan); context_b B0 (ASPID) 0. Written for every FQ the
		 * port consumes: QMan keeps what an FQID's last user left. The
		 * confirmation FQ is named in each FD (FM_FD_CMD_FCO).
		 */
		we |= QM_INITFQ_WE_CONTEXTA | QM_INITFQ_WE_CONTEXTB;
		qm_fqd_context_a_set64(&opts.fqd, 0x1e00000080000000ULL);
		opts.fqd.context_b = 0;
	}
	opts.fqd.fq_ctrl = cpu_to_be16(fqctrl);
	opts.we_mask = cpu_to_be16(we);
	return qman_init_fq(&f->fq, init->sched ? QMAN_INITFQ_FLAG_SCHED : 0,
			    &opts);
}

u32 dpaa_vdpa_qfq_fqid(struct dpaa_vdpa_qfq *f)
{
	return qman_fq_fqid(&f->fq);
}

int dpaa_vdpa_qfq_enqueue(struct dpaa_vdpa_qfq *f, const u8 *fd)
{
	struct qm_fd qfd;

	memcpy(&qfd, fd, sizeof(qfd));
	return qman_enqueue(&f->fq, &qfd);
}

/* A pending retirement completes through the message ring: a few ms. */
#define QFQ_RETIRE_WAIT_MS 1000

int dpaa_vdpa_qfq_shutdown(struct dpaa_vdpa_qfq *f)
{
	enum qman_fq_state state;
	int err;

	switch (READ_ONCE(f->fq.state)) {
	case qman_fq_state_oos:
		return 0;
	case qman_fq_state_retired:
		err = 0;
		break;
	default:
		err = qman_retire_fq(&f->fq, NULL);
		if (err < 0)
			return err;
	}
	err = read_poll_timeout(READ_ONCE, state, state == qman_fq_state_retired,
				1000, QFQ_RETIRE_WAIT_MS * 1000, false, f->fq.state);
	if (err)
		return err;
	/* Frames left go to the dqrr callback, which drains them. */
	if (READ_ONCE(f->fq.flags) & QMAN_FQ_STATE_NE) {
		err = qman_volatile_dequeue(&f->fq, QMAN_VOLATILE_FLAG_WAIT |
					    QMAN_VOLATILE_FLAG_FINISH,
					    QM_VDQCR_NUMFRAMES_TILLEMPTY);
		if (err)
			return err;
	}
	return qman_oos_fq(&f->fq);
}

void dpaa_vdpa_qfq_free(struct dpaa_vdpa_qfq *f)
{
	qman_destroy_fq(&f->fq);
	kfree(f);
}

struct dpaa_vdpa_qcgr {
	struct qman_cgr cgr;
	void (*cb)(void *owner, int congested);
	void *owner;
};

static void qcgr_cb(struct qman_portal *p, struct qman_cgr *cgr, int congested)
{
	struct dpaa_vdpa_qcgr *c = container_of(cgr, struct dpaa_vdpa_qcgr, cgr);

	c->cb(c->owner, congested);
}

struct dpaa_vdpa_qcgr *dpaa_vdpa_qcgr_create(u64 thres, bool taildrop,
					     void (*cb)(void *owner, int congested),
					     void *owner)
{
	struct dpaa_vdpa_qcgr *c = kzalloc(sizeof(*c), GFP_KERNEL);
	struct qm_mcc_initcgr opts = {};
	u16 we = QM_CGR_WE_CSCN_EN | QM_CGR_WE_CS_THRES | QM_CGR_WE_MODE;

	if (!c)
		return NULL;
	if (qman_alloc_cgrid_range(&c->cgr.cgrid, 1))
		goto free;
	c->cgr.cb = qcgr_cb;
	c->cb = cb;
	c->owner = owner;
	/* Byte mode, as dpaa_eth_cgr_init(). */
	opts.cgr.cscn_en = QM_CGR_EN;
	opts.cgr.mode = 0;
	if (qm_cgr_cs_thres_set64(&opts.cgr.cs_thres, thres, 1))
		goto release;
	if (taildrop) {
		we |= QM_CGR_WE_CSTD_EN;
		opts.cgr.cstd_en = QM_CGR_EN;
	}
	opts.we_mask = cpu_to_be16(we);
	if (qman_create_cgr(&c->cgr, QMAN_CGR_FLAG_USE_INIT, &opts))
		goto release;
	return c;
release:
	qman_release_cgrid(c->cgr.cgrid);
free:
	kfree(c);
	return NULL;
}

u32 dpaa_vdpa_qcgr_id(struct dpaa_vdpa_qcgr *c)
{
	return c->cgr.cgrid;
}

bool dpaa_vdpa_qcgr_congested(struct dpaa_vdpa_qcgr *c)
{
	bool res = false;

	if (qman_query_cgr_congested(&c->cgr, &res))
		return false;
	return res;
}

void dpaa_vdpa_qcgr_free(struct dpaa_vdpa_qcgr *c)
{
	qman_delete_cgr_safe(&c->cgr);
	qman_release_cgrid(c->cgr.cgrid);
	kfree(c);
}

struct dpaa_vdpa_bpool *dpaa_vdpa_bpool_create(void)
{
	return (struct dpaa_vdpa_bpool *)bman_new_pool();
}

u8 dpaa_vdpa_bpool_bpid(struct dpaa_vdpa_bpool *b)
{
	return bman_get_bpid((struct bman_pool *)b);
}

int dpaa_vdpa_bpool_release(struct dpaa_vdpa_bpool *b, const u64 *addrs, u8 n)
{
	struct bm_buffer bufs[8] = {};
	int ret;
	u8 i;

	if (!n || n > ARRAY_SIZE(bufs))
		return -EINVAL;
	for (i = 0; i < n; i++)
		bm_buffer_set64(&bufs[i], addrs[i]);
	/* The portal's ring entry and command slot: softirq users too. */
	local_bh_disable();
	ret = bman_release((struct bman_pool *)b, bufs, n);
	local_bh_enable();
	return ret;
}

int dpaa_vdpa_bpool_acquire(struct dpaa_vdpa_bpool *b, u64 *addrs, u8 n)
{
	struct bm_buffer bufs[8];
	int got, i;

	if (!n || n > ARRAY_SIZE(bufs))
		return -EINVAL;
	local_bh_disable();
	got = bman_acquire((struct bman_pool *)b, bufs, n);
	local_bh_enable();
	for (i = 0; i < got; i++)
		addrs[i] = bm_buffer_get64(&bufs[i]);
	return got;
}

void dpaa_vdpa_bpool_free(struct dpaa_vdpa_bpool *b)
{
	bman_free_pool((struct bman_pool *)b);
}

/* An FMan MAC held for dpaa_vdpa. */
struct dpaa_vdpa_mac {
	struct device_node *np;		/* its mac@<id> node */
	struct device *mac;		/* the fsl_dpaa_mac device */
	struct device *eth;		/* its dpaa-ethernet child, kept from dpaa_eth */
	struct mac_device *mac_dev;
	bool held;			/* our driver_override is set */
	bool rx_inited, tx_inited, enabled;
};

static struct device_node *dpaa_vdpa_node(void)
{
	return of_find_compatible_node(NULL, NULL, "fsl,dpaa-vdpa");
}

int dpaa_vdpa_mac_ids(u32 *mask)
{
	struct device_node *np = dpaa_vdpa_node(), *child;
	u32 id;

	*mask = 0;
	if (!np)
		return -ENODEV;
	for_each_available_child_of_node(np, child) {
		if (of_property_read_u32(child, "reg", &id) || id > 15) {
			pr_err("dpaa_vdpa: %pOF: reg is missing or above 15\n",
			       child);
			continue;
		}
		*mask |= BIT(id);
	}
	of_node_put(np);
	return 0;
}

static int dpaa_eth_child(struct device *dev, void *data)
{
	return !strncmp(dev_name(dev), "dpaa-ethernet", 13);
}

static bool fman_mac_compatible(struct device_node *np)
{
	return of_device_is_compatible(np, "fsl,fman-memac") ||
	       of_device_is_compatible(np, "fsl,fman-dtsec") ||
	       of_device_is_compatible(np, "fsl,fman-xgec");
}

/* mac.c's phylink ops end with this; dpaa_eth sizes its CGR with it. */
static void dpaa_vdpa_update_speed(struct mac_device *mac_dev, int speed)
{
}

static struct device_node *mac_child(struct device_node *np, u32 id)
{
	struct device_node *child;
	u32 reg;

	for_each_available_child_of_node(np, child)
		if (!of_property_read_u32(child, "reg", &reg) && reg == id)
			return child;
	return NULL;
}

static int mac_take(struct dpaa_vdpa_mac *m, u32 id)
{
	struct device_node *root = dpaa_vdpa_node(), *mac_np;
	struct platform_device *pdev;
	struct dpaa_eth_data *data;
	struct device *rx, *tx;
	int err;

	if (!root) {
		pr_err("dpaa_vdpa: no fsl,dpaa-vdpa node in the device tree\n");
		return -ENODEV;
	}
	m->np = mac_child(root, id);
	of_node_put(root);
	if (!m->np) {
		pr_err("dpaa_vdpa: no available mac@%x node\n", id);
		return -ENODEV;
	}
	mac_np = of_parse_phandle(m->np, "fsl,fman-mac", 0);
	if (!mac_np) {
		pr_err("dpaa_vdpa: %pOF: no fsl,fman-mac phandle\n", m->np);
		return -ENODEV;
	}
	if (!fman_mac_compatible(mac_np) || !of_device_is_available(mac_np)) {
		pr_err("dpaa_vdpa: %pOF: %pOF is not an available FMan MAC\n",
		       m->np, mac_np);
		of_node_put(mac_np);
		return -ENODEV;
	}
	pdev = of_find_device_by_node(mac_np);
	of_node_put(mac_np);
	if (!pdev) {
		pr_err("dpaa_vdpa: %pOF: its FMan MAC has no device\n", m->np);
		return -ENODEV;
	}
	m->mac = &pdev->dev;
	m->eth = device_find_child(m->mac, NULL, dpaa_eth_child);
	if (!m->eth) {
		dev_err(m->mac, "not probed by fsl_dpaa_mac (no dpaa-ethernet device)\n");
		return -ENODEV;
	}
	/* Kept from dpaa_eth from now on; then checked that it is free. */
	err = device_set_driver_override(m->eth, KBUILD_MODNAME);
	if (err)
		return err;
	device_lock(m->eth);
	if (m->eth->driver) {
		dev_err(m->eth, "bound to %s: unbind it first (echo %s > /sys/bus/platform/drivers/%s/unbind)\n",
			m->eth->driver->name, dev_name(m->eth),
			m->eth->driver->name);
		err = -EBUSY;
	}
	device_unlock(m->eth);
	if (err) {
		device_set_driver_override(m->eth, "");
		return err;
	}
	m->held = true;
	data = dev_get_platdata(m->eth);
	m->mac_dev = data ? data->mac_dev : NULL;
	if (!m->mac_dev || !m->mac_dev->port[PORT_RX] || !m->mac_dev->port[PORT_TX])
		return -ENODEV;
	rx = fman_port_get_device(m->mac_dev->port[PORT_RX]);
	tx = fman_port_get_device(m->mac_dev->port[PORT_TX]);
	/* Pool buffers are written by the RX port and read by the TX port. */
	if (iommu_get_domain_for_dev(rx) != iommu_get_domain_for_dev(tx)) {
		dev_err(m->eth, "RX and TX ports in different IOMMU domains: not supported\n");
		return -EOPNOTSUPP;
	}
	err = dma_coerce_mask_and_coherent(rx, DMA_BIT_MASK(40));
	if (!err)
		err = dma_coerce_mask_and_coherent(tx, DMA_BIT_MASK(40));
	if (err)
		return err;
	m->mac_dev->phylink_config.dev = m->mac;
	m->mac_dev->phylink_config.type = PHYLINK_DEV;
	m->mac_dev->update_speed = dpaa_vdpa_update_speed;
	m->mac_dev->phylink = phylink_create(&m->mac_dev->phylink_config,
					     dev_fwnode(m->mac_dev->dev),
					     m->mac_dev->phy_if,
					     m->mac_dev->phylink_ops);
	if (IS_ERR(m->mac_dev->phylink)) {
		err = PTR_ERR(m->mac_dev->phylink);
		m->mac_dev->phylink = NULL;
		dev_err(m->eth, "phylink: %d\n", err);
		return err;
	}
	return 0;
}

struct dpaa_vdpa_mac *dpaa_vdpa_mac_get(u32 id, int *err)
{
	struct dpaa_vdpa_mac *m = kzalloc(sizeof(*m), GFP_KERNEL);

	if (!m) {
		*err = -ENOMEM;
		return NULL;
	}
	*err = mac_take(m, id);
	if (*err) {
		dpaa_vdpa_mac_put(m);
		return NULL;
	}
	return m;
}

void dpaa_vdpa_mac_put(struct dpaa_vdpa_mac *m)
{
	if (m->enabled)
		dpaa_vdpa_mac_enable(m, false);
	if (m->mac_dev && m->mac_dev->phylink) {
		phylink_destroy(m->mac_dev->phylink);
		m->mac_dev->phylink = NULL;
		/* Nothing of ours stays in the MAC for dpaa_eth to find. */
		m->mac_dev->update_speed = NULL;
		m->mac_dev->phylink_config.dev = NULL;
	}
	if (m->held)
		device_set_driver_override(m->eth, "");
	put_device(m->eth);
	put_device(m->mac);
	of_node_put(m->np);
	kfree(m);
}

struct device *dpaa_vdpa_mac_dma_dev(struct dpaa_vdpa_mac *m)
{
	return fman_port_get_device(m->mac_dev->port[PORT_RX]);
}

const u8 *dpaa_vdpa_mac_addr(struct dpaa_vdpa_mac *m)
{
	return m->mac_dev->addr;
}

bool dpaa_vdpa_mac_errata_a050385(struct dpaa_vdpa_mac *m)
{
	return fman_has_errata_a050385();
}

int dpaa_vdpa_mac_rx_init(struct dpaa_vdpa_mac *m, u32 err_fqid, u32 dflt_fqid,
			  u32 pcd_fqid, u32 fq_count, const u8 *bpids,
			  const u16 *sizes, u8 npools)
{
	struct fman_buffer_prefix_content prefix = {
		.pass_prs_result = true,
		.pass_hash_result = true,
		.pass_time_stamp = true,
		.data_align = fman_has_errata_a050385() ? 256 : 64,
	};
	struct fman_port *port = m->mac_dev->port[PORT_RX];
	struct fman_port_params params = {};
	struct fman_port_rx_params *rx = &params.specific_params.rx_params;
	int err, i;

	if (m->rx_inited)
		return -EBUSY;
	if (!npools || npools > FMAN_PORT_MAX_EXT_POOLS_NUM)
		return -EINVAL;
	rx->err_fqid = err_fqid;
	rx->dflt_fqid = dflt_fqid;
	rx->pcd_base_fqid = pcd_fqid;
	rx->pcd_fqs_count = fq_count;
	rx->ext_buf_pools.num_of_pools_used = npools;
	for (i = 0; i < npools; i++) {
		rx->ext_buf_pools.ext_buf_pool[i].id = bpids[i];
		rx->ext_buf_pools.ext_buf_pool[i].size = sizes[i];
	}
	err = fman_port_config(port, &params);
	if (err)
		return err;
	fman_port_use_kg_hash(port, true);
	err = fman_port_cfg_buf_prefix_content(port, &prefix);
	if (!err)
		err = fman_port_init(port);
	if (!err)
		m->rx_inited = true;
	return err;
}

int dpaa_vdpa_mac_tx_init(struct dpaa_vdpa_mac *m, u32 err_fqid, u32 conf_fqid)
{
	struct fman_port_params params = {};
	int err;

	if (m->tx_inited)
		return -EBUSY;
	params.specific_params.non_rx_params.err_fqid = err_fqid;
	params.specific_params.non_rx_params.dflt_fqid = conf_fqid;
	/* The default buffer prefix: the port writes nothing into a TX buffer. */
	err = fman_port_config(m->mac_dev->port[PORT_TX], &params);
	if (!err)
		err = fman_port_init(m->mac_dev->port[PORT_TX]);
	if (!err)
		m->tx_inited = true;
	return err;
}

u16 dpaa_vdpa_mac_tx_channel(struct dpaa_vdpa_mac *m)
{
	return fman_port_get_qman_channel_id(m->mac_dev->port[PORT_TX]);
}

/* As dpaa_open() and dpaa_stop(): ports, MAC, phylink. Takes the RTNL. */
int dpaa_vdpa_mac_enable(struct dpaa_vdpa_mac *m, bool on)
{
	struct mac_device *mac_dev = m->mac_dev;
	int err, i;

	if (on == m->enabled)
		return 0;
	if (!on) {
		rtnl_lock();
		phylink_stop(mac_dev->phylink);
		rtnl_unlock();
		mac_dev->disable(mac_dev->fman_mac);
		for (i = 0; i < ARRAY_SIZE(mac_dev->port); i++)
			fman_port_disable(mac_dev->port[i]);
		rtnl_lock();
		phylink_disconnect_phy(mac_dev->phylink);
		rtnl_unlock();
		m->enabled = false;
		return 0;
	}
	err = phylink_of_phy_connect(mac_dev->phylink, mac_dev->dev->of_node, 0);
	if (err)
		return err;
	for (i = 0; i < ARRAY_SIZE(mac_dev->port); i++) {
		err = fman_port_enable(mac_dev->port[i]);
		if (err)
			goto fail;
	}
	err = mac_dev->enable(mac_dev->fman_mac);
	if (err)
		goto fail;
	rtnl_lock();
	phylink_start(mac_dev->phylink);
	rtnl_unlock();
	m->enabled = true;
	return 0;
fail:
	for (i = 0; i < ARRAY_SIZE(mac_dev->port); i++)
		fman_port_disable(mac_dev->port[i]);
	rtnl_lock();
	phylink_disconnect_phy(mac_dev->phylink);
	rtnl_unlock();
	return err;
}

int dpaa_vdpa_mac_set_promisc(struct dpaa_vdpa_mac *m, bool on)
{
	return m->mac_dev->set_promisc(m->mac_dev->fman_mac, on);
}

int dpaa_vdpa_mac_set_allmulti(struct dpaa_vdpa_mac *m, bool on)
{
	return m->mac_dev->set_allmulti(m->mac_dev->fman_mac, on);
}

int dpaa_vdpa_mac_change_addr(struct dpaa_vdpa_mac *m, const u8 *addr)
{
	enet_addr_t a;

	memcpy(a, addr, ETH_ALEN);
	return m->mac_dev->change_addr(m->mac_dev->fman_mac, &a);
}

int dpaa_vdpa_mac_hash(struct dpaa_vdpa_mac *m, const u8 *addr, bool add)
{
	enet_addr_t a;

	memcpy(a, addr, ETH_ALEN);
	if (add)
		return m->mac_dev->add_hash_mac_addr(m->mac_dev->fman_mac, &a);
	return m->mac_dev->remove_hash_mac_addr(m->mac_dev->fman_mac, &a);
}

u32 dpaa_vdpa_fman_max_frm(void)
{
	return fman_get_max_frm();
}
