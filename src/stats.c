// SPDX-License-Identifier: GPL-2.0
/*
 * Counters in sysfs, statistics in debugfs (stats.h). The debugfs files
 * are for tools/top/xuring-top and for people: a header line that names
 * the columns, then one line per opcode or per ring, fields separated by
 * single spaces.
 */
#include <linux/debugfs.h>
#include <linux/device.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/pid.h>
#include <linux/sched/task.h>
#include <linux/seq_file.h>
#include <linux/sysfs.h>

#include "core.h"
#include "opdef.h"
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

DEFINE_STATIC_KEY_FALSE(xr_stats_key);
DEFINE_STATIC_KEY_FALSE(xr_observe_key);
struct xr_cpu_stats __percpu *xr_cpu_stats;

/* A watcher of requests comes: the statistics, or a tracepoint's probe. */
int xr_observe_get(void)
{
	static_branch_inc(&xr_observe_key);
	return 0;
}

void xr_observe_put(void)
{
	static_branch_dec(&xr_observe_key);
}

/* every set-up ring, for the debugfs files; cold paths only */
static LIST_HEAD(xr_ring_list);
static DEFINE_MUTEX(xr_ring_list_lock);
static u64 xr_last_ring_id;

static struct dentry *xr_debugfs_dir;

/*
 * Forget the start times of submission batches and completion rounds:
 * one in progress when statistics are switched may have left its stamp,
 * and a request must not be timed against an old one. Those batches go
 * uncounted, and those rounds read the clock per request.
 */
static void xr_stats_forget_stamps(void)
{
	struct xuring_ring_ctx *ctx;

	mutex_lock(&xr_ring_list_lock);
	list_for_each_entry(ctx, &xr_ring_list, stats_node) {
		WRITE_ONCE(ctx->submit_stats.batch_ns, 0);
		WRITE_ONCE(ctx->complete_stats.now_ns, 0);
	}
	mutex_unlock(&xr_ring_list_lock);
}

/* The stats parameter switches the static key. */
static int xr_stats_param_set(const char *val, const struct kernel_param *kp)
{
	bool on;
	int ret;

	ret = kstrtobool(val, &on);
	if (ret)
		return ret;
	if (on == xr_stats_on())
		return 0;
	if (on) {
		xr_stats_forget_stamps();
		static_branch_enable(&xr_stats_key);
		xr_observe_get();
	} else {
		xr_observe_put();
		static_branch_disable(&xr_stats_key);
		xr_stats_forget_stamps();
	}
	return 0;
}

static int xr_stats_param_get(char *buf, const struct kernel_param *kp)
{
	return scnprintf(buf, PAGE_SIZE, "%c\n", xr_stats_on() ? 'Y' : 'N');
}

static const struct kernel_param_ops xr_stats_param_ops = {
	.set	= xr_stats_param_set,
	.get	= xr_stats_param_get,
};

module_param_cb(stats, &xr_stats_param_ops, NULL, 0644);
MODULE_PARM_DESC(stats,
		 "per-op completions, latency histograms and requests in flight in debugfs xuring/ (default N; Y costs a little per request)");

void xr_stats_ring_add(struct xuring_ring_ctx *ctx)
{
	mutex_lock(&xr_ring_list_lock);
	ctx->stats_id = ++xr_last_ring_id;
	list_add_tail(&ctx->stats_node, &xr_ring_list);
	mutex_unlock(&xr_ring_list_lock);
}

/* Before anything the debugfs reader looks at goes. */
void xr_stats_ring_del(struct xuring_ring_ctx *ctx)
{
	if (!ctx->stats_id)
		return;	/* setup failed before it was added */
	mutex_lock(&xr_ring_list_lock);
	list_del(&ctx->stats_node);
	mutex_unlock(&xr_ring_list_lock);
}

/* Requests of @ctx in flight with opcode @op, counted since stats were on. */
static u32 xr_ring_inflight(struct xuring_ring_ctx *ctx, unsigned int op)
{
	return READ_ONCE(ctx->submit_stats.submitted[op]) -
	       READ_ONCE(ctx->complete_stats.completed[op]);
}

static u64 xr_ring_completed(struct xuring_ring_ctx *ctx)
{
	u64 sum = 0;
	unsigned int op;

	for (op = 0; op < XURING_OP_LAST; op++)
		sum += READ_ONCE(ctx->complete_stats.completed[op]);
	return sum;
}

/*
 * xuring/ops: per opcode (only those xuring implements), the sums of the
 * per-CPU counters since the module was loaded, and the requests in
 * flight on all rings.
 */
static int xr_ops_show(struct seq_file *m, void *v)
{
	u64 inflight[XURING_OP_LAST] = { };
	struct xuring_ring_ctx *ctx;
	unsigned int op, b;

	mutex_lock(&xr_ring_list_lock);
	list_for_each_entry(ctx, &xr_ring_list, stats_node) {
		for (op = 0; op < XURING_OP_LAST; op++)
			inflight[op] += xr_ring_inflight(ctx, op);
	}
	mutex_unlock(&xr_ring_list_lock);

	seq_printf(m, "# stats %c, latency bucket 0 = 0 ns, bucket i = [2^(i-1), 2^i) ns, bucket %u = from 2^%u ns\n",
		   xr_stats_on() ? 'Y' : 'N', XR_LAT_BUCKETS - 1,
		   XR_LAT_BUCKETS - 2);
	seq_puts(m, "# op opcode completed failed inflight");
	for (b = 0; b < XR_LAT_BUCKETS; b++)
		seq_printf(m, " lat%u", b);
	seq_putc(m, '\n');

	for (op = 0; op < XURING_OP_LAST; op++) {
		struct xr_op_stats sum = { };
		int cpu;

		if (!xr_op_supported(op))
			continue;
		for_each_possible_cpu(cpu) {
			const struct xr_op_stats *s =
				&per_cpu_ptr(xr_cpu_stats, cpu)->op[op];

			sum.completed += READ_ONCE(s->completed);
			sum.failed += READ_ONCE(s->failed);
			for (b = 0; b < XR_LAT_BUCKETS; b++)
				sum.lat[b] += READ_ONCE(s->lat[b]);
		}
		seq_printf(m, "%s %u %llu %llu %llu", xr_op_name(op), op,
			   sum.completed, sum.failed, inflight[op]);
		for (b = 0; b < XR_LAT_BUCKETS; b++)
			seq_printf(m, " %llu", sum.lat[b]);
		seq_putc(m, '\n');
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(xr_ops);

static const char *xr_ring_state(struct xuring_ring_ctx *ctx)
{
	if (READ_ONCE(ctx->dying))
		return "dying";
	if (xr_owner_is_gone(&ctx->owner))
		return "owner_gone";
	return "live";
}

/* "READ:31,NOP:1", or "-" */
static void xr_show_ring_inflight(struct seq_file *m,
				  struct xuring_ring_ctx *ctx)
{
	unsigned int op;
	char sep = ' ';

	for (op = 0; op < XURING_OP_LAST; op++) {
		u32 n = xr_ring_inflight(ctx, op);

		if (!n)
			continue;
		seq_printf(m, "%c%s:%u", sep, xr_op_name(op), n);
		sep = ',';
	}
	if (sep == ' ')
		seq_puts(m, " -");
}

static void xr_show_ring(struct seq_file *m, struct xuring_ring_ctx *ctx)
{
	struct xr_rings *r = ctx->rings;
	char comm[TASK_COMM_LEN] = "-";
	struct task_struct *task;
	unsigned int workers[2];

	task = get_pid_task(ctx->owner.tgid, PIDTYPE_PID);
	if (task) {
		get_task_comm(comm, task);
		put_task_struct(task);
	}
	xr_iowq_nr_workers(ctx->iowq, workers);

	seq_printf(m, "%llu %d ", ctx->stats_id, pid_nr(ctx->owner.tgid));
	/* a name may hold anything: no field separators in it */
	seq_escape(m, comm, " \t\n\\");
	seq_printf(m, " %s 0x%x %u %u %u %u %u %u %u %ld %u %llu",
		   xr_ring_state(ctx), ctx->flags, ctx->sq_entries,
		   READ_ONCE(r->sq.tail) - READ_ONCE(r->sq.head),
		   ctx->cq_entries,
		   READ_ONCE(r->cq.tail) - READ_ONCE(r->cq.head),
		   READ_ONCE(ctx->nr_overflow), workers[0], workers[1],
		   atomic_long_read(&ctx->pinned_pages),
		   ctx->rings_region.nr_pages + ctx->sqes_region.nr_pages,
		   xr_ring_completed(ctx));
	xr_show_ring_inflight(m, ctx);
	seq_putc(m, '\n');
}

/*
 * xuring/rings: every ring from setup until it is freed. The SQ and CQ
 * counts are what the rings' indexes say (SQEs queued and not consumed,
 * CQEs posted and not reaped), read without a lock. The completed and
 * inflight columns count requests submitted with stats on.
 */
static int xr_rings_show(struct seq_file *m, void *v)
{
	struct xuring_ring_ctx *ctx;

	seq_printf(m, "# stats %c\n", xr_stats_on() ? 'Y' : 'N');
	seq_puts(m, "# ring pid comm state flags sq_entries sq_queued cq_entries cq_ready overflow iowq_bound iowq_unbound pinned_pages ring_pages completed inflight\n");
	mutex_lock(&xr_ring_list_lock);
	list_for_each_entry(ctx, &xr_ring_list, stats_node)
		xr_show_ring(m, ctx);
	mutex_unlock(&xr_ring_list_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(xr_rings);

int xr_stats_init(void)
{
	xr_cpu_stats = alloc_percpu(struct xr_cpu_stats);
	if (!xr_cpu_stats)
		return -ENOMEM;
	/* statistics are an aid: the module works without the files */
	xr_debugfs_dir = debugfs_create_dir("xuring", NULL);
	debugfs_create_file("ops", 0400, xr_debugfs_dir, NULL, &xr_ops_fops);
	debugfs_create_file("rings", 0400, xr_debugfs_dir, NULL,
			    &xr_rings_fops);
	return 0;
}

void xr_stats_exit(void)
{
	debugfs_remove_recursive(xr_debugfs_dir);
	free_percpu(xr_cpu_stats);
}
