// SPDX-License-Identifier: GPL-2.0
/*
 * C shims for what Rust cannot reach through bindgen: macros and static
 * inline functions. Keep each one a single call.
 */
#include <linux/module.h>
#include <linux/moduleparam.h>

#include "../../include/dpaa_vdpa_ffi.h"

static unsigned int sim_ports = 1;
module_param(sim_ports, uint, 0444);
MODULE_PARM_DESC(sim_ports, "Software DPAA ports created at load (default 1)");

struct device *dpaa_vdpa_root_device_register(const char *name)
{
	return root_device_register(name);
}

unsigned int dpaa_vdpa_param_sim_ports(void)
{
	return sim_ports;
}
