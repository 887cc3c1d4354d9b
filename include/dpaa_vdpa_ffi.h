/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Input of the module's bindgen step (rust/ffi/) and the prototypes of the C
 * shims in rust/ffi/shims.c: static inline functions and macros that Rust
 * cannot call directly.
 */
#ifndef DPAA_VDPA_FFI_H
#define DPAA_VDPA_FFI_H

#include <linux/device.h>
#include <linux/errno.h>
#include <linux/dev_printk.h>
#include <linux/vdpa.h>
#include <linux/virtio_config.h>
#include <uapi/linux/vdpa.h>
#include <uapi/linux/virtio_ids.h>
#include <uapi/linux/virtio_net.h>

/* root_device_register() is a macro that passes THIS_MODULE. */
struct device *dpaa_vdpa_root_device_register(const char *name);

/* Value of the sim_ports module parameter (module_param is a macro). */
unsigned int dpaa_vdpa_param_sim_ports(void);

#endif /* DPAA_VDPA_FFI_H */
