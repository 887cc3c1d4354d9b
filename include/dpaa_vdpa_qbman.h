/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The qbman backend's C shims (rust/ffi/qbman.c): QMan, BMan, the FMan port
 * and MAC of Linux 6.12 (include/soc/fsl/{qman,bman}.h and the private
 * drivers/net/ethernet/freescale/fman/ headers), behind plain types. Rust
 * sees only opaque handles, byte images of frame descriptors (struct qm_fd,
 * 16 bytes, QMan's big-endian layout) and integers.
 *
 * Included by dpaa_vdpa_ffi.h when the module is built with
 * DPAA_VDPA_BACKEND=qbman.
 */
#ifndef DPAA_VDPA_QBMAN_H
#define DPAA_VDPA_QBMAN_H

#include <linux/types.h>

struct device;
struct qman_portal;
struct dpaa_vdpa_qfq;
struct dpaa_vdpa_qcgr;
struct dpaa_vdpa_bpool;
struct dpaa_vdpa_mac;

/* QMan and BMan are probed with all their portals: 1; absent: 0; failed: <0. */
int dpaa_vdpa_qbman_ready(void);

/* The affine portal of a CPU, its dequeue channel, its DQRR interrupt. */
struct qman_portal *dpaa_vdpa_qman_portal(int cpu);
u16 dpaa_vdpa_qman_channel(int cpu);
void dpaa_vdpa_qman_dqri(struct qman_portal *p, bool on);
int dpaa_vdpa_qman_poll(struct qman_portal *p, unsigned int limit);

/* What an FQ's callbacks reach (qman_fq_cb): the owner's functions. */
struct dpaa_vdpa_qfq_ops {
	/* A dequeued frame; returns an enum qman_cb_dqrr_result. */
	int (*dqrr)(void *owner, struct qman_portal *p, const u8 *fd,
		    bool sched_napi);
	/* A rejected enqueue (a software ERN); rc is msg->ern.rc & QM_MR_RC_MASK. */
	void (*ern)(void *owner, const u8 *fd, u8 rc);
};

/* FQIDs (qman_alloc_fqid_range/qman_release_fqid). */
int dpaa_vdpa_qman_alloc_fqids(u32 count, u32 *base);
void dpaa_vdpa_qman_release_fqid(u32 fqid);

/*
 * An FQ on fqid. to_port: consumed by the FMan (QMAN_FQ_FLAG_TO_DCPORTAL);
 * enqueue_only: an enqueue handle on someone else's FQ (NO_MODIFY).
 */
struct dpaa_vdpa_qfq *dpaa_vdpa_qfq_create(u32 fqid, bool to_port,
					   bool enqueue_only,
					   const struct dpaa_vdpa_qfq_ops *ops,
					   void *owner);

struct dpaa_vdpa_qfq_init {
	bool sched;		/* QMAN_INITFQ_FLAG_SCHED, else parked */
	u32 taildrop;		/* bytes, 0: none */
	int cgrid;		/* congestion group, -1: none */
	u8 oal;			/* bytes counted per frame by the group */
	u16 channel;		/* destination channel */
	u8 wq;			/* work queue */
	bool to_port;		/* consumed by the FMan (context_a/b set) */
};
int dpaa_vdpa_qfq_init(struct dpaa_vdpa_qfq *f,
		       const struct dpaa_vdpa_qfq_init *init);
u32 dpaa_vdpa_qfq_fqid(struct dpaa_vdpa_qfq *f);
/* qman_enqueue(); 0 does not mean accepted (an ERN may follow). */
int dpaa_vdpa_qfq_enqueue(struct dpaa_vdpa_qfq *f, const u8 *fd);
/*
 * Retire (waiting for a pending retirement), drain what is left through
 * the dqrr callback (volatile dequeues), take out of service. Sleeps.
 */
int dpaa_vdpa_qfq_shutdown(struct dpaa_vdpa_qfq *f);
/*
 * The owner is going: from now on the FQ's callbacks drop and count what
 * reaches it (the owner waits an RCU grace period before it goes).
 */
void dpaa_vdpa_qfq_orphan(struct dpaa_vdpa_qfq *f);
u64 dpaa_vdpa_qfq_orphan_frames(void);
/* qman_p_irqsource_add(p, QM_PIRQ_DQRI) on cpu. */
void dpaa_vdpa_qman_dqri_on_cpu(int cpu, struct qman_portal *p);
/* qman_destroy_fq() and free; the FQ is out of service or never inited. */
void dpaa_vdpa_qfq_free(struct dpaa_vdpa_qfq *f);

/* A congestion group (qman_create_cgr): the owner hears entry and exit. */
struct dpaa_vdpa_qcgr *dpaa_vdpa_qcgr_create(u64 thres, bool taildrop,
					     void (*cb)(void *owner, int congested),
					     void *owner);
u32 dpaa_vdpa_qcgr_id(struct dpaa_vdpa_qcgr *c);
bool dpaa_vdpa_qcgr_congested(struct dpaa_vdpa_qcgr *c);
void dpaa_vdpa_qcgr_free(struct dpaa_vdpa_qcgr *c);

/* BMan pools: up to 8 buffers per release or acquire. */
struct dpaa_vdpa_bpool *dpaa_vdpa_bpool_create(void);
u8 dpaa_vdpa_bpool_bpid(struct dpaa_vdpa_bpool *b);
int dpaa_vdpa_bpool_release(struct dpaa_vdpa_bpool *b, const u64 *addrs, u8 n);
int dpaa_vdpa_bpool_acquire(struct dpaa_vdpa_bpool *b, u64 *addrs, u8 n);
void dpaa_vdpa_bpool_free(struct dpaa_vdpa_bpool *b);

/*
 * The FMan MAC that a fsl,dpaa-vdpa node's mac@<id> child names: its
 * dpaa-ethernet device kept from dpaa_eth (driver_override) while we hold
 * it. Errors: -ENODEV (no such child, no fsl,fman-mac, not a probed FMan
 * MAC), -EBUSY (bound to dpaa_eth), each with a message on dev.
 */
struct dpaa_vdpa_mac *dpaa_vdpa_mac_get(u32 id, int *err);
void dpaa_vdpa_mac_put(struct dpaa_vdpa_mac *m);
struct device *dpaa_vdpa_mac_dma_dev(struct dpaa_vdpa_mac *m);
const u8 *dpaa_vdpa_mac_addr(struct dpaa_vdpa_mac *m);
bool dpaa_vdpa_mac_errata_a050385(struct dpaa_vdpa_mac *m);
/* Is there a fsl,dpaa-vdpa node, and which mac@<id> children are available. */
int dpaa_vdpa_mac_ids(u32 *mask);

/*
 * The port's RX side: fman_port_config() + KeyGen hash over a range of
 * fq_count FQs at pcd_fqid, error FQ, pools (bpid, buffer size), buffer
 * prefix, fman_port_init(), once; then enabled and disabled.
 */
int dpaa_vdpa_mac_rx_init(struct dpaa_vdpa_mac *m, u32 err_fqid, u32 dflt_fqid,
			  u32 pcd_fqid, u32 fq_count, const u8 *bpids,
			  const u16 *sizes, u8 npools);
int dpaa_vdpa_mac_tx_init(struct dpaa_vdpa_mac *m, u32 err_fqid, u32 conf_fqid);
u16 dpaa_vdpa_mac_tx_channel(struct dpaa_vdpa_mac *m);
int dpaa_vdpa_mac_enable(struct dpaa_vdpa_mac *m, bool on);
/* The MAC's filter (mac_device ops). */
int dpaa_vdpa_mac_set_promisc(struct dpaa_vdpa_mac *m, bool on);
int dpaa_vdpa_mac_set_allmulti(struct dpaa_vdpa_mac *m, bool on);
int dpaa_vdpa_mac_change_addr(struct dpaa_vdpa_mac *m, const u8 *addr);
int dpaa_vdpa_mac_hash(struct dpaa_vdpa_mac *m, const u8 *addr, bool add);
/* The largest frame the MACs take (fsl_fm_max_frm). */
u32 dpaa_vdpa_fman_max_frm(void);

#endif /* DPAA_VDPA_QBMAN_H */
