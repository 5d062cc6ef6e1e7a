// SPDX-License-Identifier: GPL-2.0
#include <linux/device.h>
#include <linux/sysfs.h>

#include "stats.h"

struct xr_stats xr_stats;
DEFINE_PER_CPU(unsigned long, xr_sqes_submitted);

/* one read-only file per counter, all shown by the same routine */
struct xr_stat_attr {
	struct device_attribute	attr;
	atomic_long_t		*counter;
};

static ssize_t xr_stat_show(struct device *dev, struct device_attribute *attr,
			    char *buf)
{
	struct xr_stat_attr *sa = container_of(attr, struct xr_stat_attr, attr);

	return sysfs_emit(buf, "%ld\n", atomic_long_read(sa->counter));
}

/* the sum over all CPUs: exact once the submitters are quiet */
static ssize_t sqes_submitted_show(struct device *dev,
				   struct device_attribute *attr, char *buf)
{
	unsigned long sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += per_cpu(xr_sqes_submitted, cpu);
	return sysfs_emit(buf, "%lu\n", sum);
}
static DEVICE_ATTR_RO(sqes_submitted);

static struct xr_stat_attr xr_stat_attrs[] = {
	{ __ATTR(rings, 0444, xr_stat_show, NULL), &xr_stats.rings },
	{ __ATTR(requests, 0444, xr_stat_show, NULL), &xr_stats.requests },
	{ __ATTR(workers, 0444, xr_stat_show, NULL), &xr_stats.workers },
	{ __ATTR(pinned_pages, 0444, xr_stat_show, NULL),
	  &xr_stats.pinned_pages },
	{ __ATTR(rings_setup, 0444, xr_stat_show, NULL),
	  &xr_stats.rings_setup },
};

static struct attribute *xr_stats_attrs[] = {
	&xr_stat_attrs[0].attr.attr,
	&xr_stat_attrs[1].attr.attr,
	&xr_stat_attrs[2].attr.attr,
	&xr_stat_attrs[3].attr.attr,
	&xr_stat_attrs[4].attr.attr,
	&dev_attr_sqes_submitted.attr,
	NULL,
};

static const struct attribute_group xr_stats_group = {
	.attrs = xr_stats_attrs,
};

const struct attribute_group *xr_stats_groups[] = {
	&xr_stats_group,
	NULL,
};
