// SPDX-License-Identifier: GPL-2.0
#include <linux/device.h>
#include <linux/sysfs.h>

#include "stats.h"

struct xr_stats xr_stats;

#define XR_STATS_ATTR(name)						\
static ssize_t name##_show(struct device *dev,				\
			   struct device_attribute *attr, char *buf)	\
{									\
	return sysfs_emit(buf, "%ld\n", atomic_long_read(&xr_stats.name)); \
}									\
static DEVICE_ATTR_RO(name)

XR_STATS_ATTR(rings);
XR_STATS_ATTR(requests);
XR_STATS_ATTR(workers);
XR_STATS_ATTR(pinned_pages);

static struct attribute *xr_stats_attrs[] = {
	&dev_attr_rings.attr,
	&dev_attr_requests.attr,
	&dev_attr_workers.attr,
	&dev_attr_pinned_pages.attr,
	NULL,
};

static const struct attribute_group xr_stats_group = {
	.attrs = xr_stats_attrs,
};

const struct attribute_group *xr_stats_groups[] = {
	&xr_stats_group,
	NULL,
};
