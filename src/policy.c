// SPDX-License-Identifier: GPL-2.0
/*
 * The administrator's controls, as module parameters in
 * /sys/module/xuring/parameters/ (Documentation/xuring.rst, "Access
 * policy"):
 *
 * - disabled, group: io_uring_disabled and io_uring_group (Linux 6.6):
 *   who may set up rings at all, checked at SETUP.
 * - sqpoll: who may set up SQPOLL rings. io_uring asks the LSMs
 *   (security_uring_sqpoll()), which a module cannot call, and its SQ
 *   thread is a thread of the user's process; xuring's is a kthread, as
 *   io_uring's was while it required CAP_SYS_ADMIN or CAP_SYS_NICE
 *   (up to 5.12). So by default that is the rule again, or the group.
 * - allowed_ops: the ops rings may run, named as the opcode table's rows
 *   name them, checked for every SQE as IORING_REGISTER_RESTRICTIONS'
 *   opcode list is (-EACCES). An op added later is covered by its row.
 * - max_user_rings, max_user_threads, max_user_pinned: caps on what one
 *   user's rings make the module hold, beside RLIMIT_NPROC and
 *   RLIMIT_MEMLOCK (user.c charges them).
 *
 * Every one may change at any time: each is read where it applies, so a
 * change governs the next decision (the next SQE, SETUP or charge) and
 * leaves what was decided before alone.
 */
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/moduleparam.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "opdef.h"
#include "policy.h"

/* disabled: io_uring_disabled's values */
enum {
	XR_DISABLED_NO,		/* anyone who can open the device */
	XR_DISABLED_RESTRICTED,	/* CAP_SYS_ADMIN, or members of group */
	XR_DISABLED_ALL,	/* nobody */
};

/* sqpoll: who may set up a ring with an SQ thread */
enum {
	XR_SQPOLL_NOBODY,
	XR_SQPOLL_PRIVILEGED,	/* CAP_SYS_NICE, CAP_SYS_ADMIN, or group */
	XR_SQPOLL_ANYONE,	/* anyone who may set up a ring */
};

static unsigned int xr_disabled = XR_DISABLED_NO;
static int xr_group = -1;
static unsigned int xr_sqpoll = XR_SQPOLL_PRIVILEGED;

/*
 * Every op at first; xr_policy_init() keeps those that have a row, unless
 * allowed_ops was given at load time, which sets only ops with a row.
 */
unsigned long xr_ops_allowed[BITS_TO_LONGS(XURING_OP_LAST)] __read_mostly = {
	[0 ... BITS_TO_LONGS(XURING_OP_LAST) - 1] = ~0UL,
};

unsigned int xr_max_user_rings;
unsigned int xr_max_user_threads;
unsigned long long xr_max_user_pinned;

static int xr_set_disabled(const char *val, const struct kernel_param *kp)
{
	return param_set_uint_minmax(val, kp, XR_DISABLED_NO,
				     XR_DISABLED_ALL);
}

static const struct kernel_param_ops xr_disabled_ops = {
	.set	= xr_set_disabled,
	.get	= param_get_uint,
};

module_param_cb(disabled, &xr_disabled_ops, &xr_disabled, 0644);
MODULE_PARM_DESC(disabled,
		 "Who may set up rings: 0 anyone who can open /dev/xuring, 1 CAP_SYS_ADMIN or members of group, 2 nobody (as io_uring_disabled)");

static int xr_set_sqpoll(const char *val, const struct kernel_param *kp)
{
	return param_set_uint_minmax(val, kp, XR_SQPOLL_NOBODY,
				     XR_SQPOLL_ANYONE);
}

static const struct kernel_param_ops xr_sqpoll_ops = {
	.set	= xr_set_sqpoll,
	.get	= param_get_uint,
};

module_param_cb(sqpoll, &xr_sqpoll_ops, &xr_sqpoll, 0644);
MODULE_PARM_DESC(sqpoll,
		 "Who may set up SQPOLL rings: 0 nobody, 1 CAP_SYS_NICE, CAP_SYS_ADMIN or members of group (default), 2 anyone who may set up rings");

/* a gid of the initial user namespace, or -1 for none */
static int xr_set_group(const char *val, const struct kernel_param *kp)
{
	int gid, ret;

	ret = kstrtoint(val, 0, &gid);
	if (ret)
		return ret;
	if (gid < -1)
		return -EINVAL;
	WRITE_ONCE(*(int *)kp->arg, gid);
	return 0;
}

static const struct kernel_param_ops xr_group_ops = {
	.set	= xr_set_group,
	.get	= param_get_int,
};

module_param_cb(group, &xr_group_ops, &xr_group, 0644);
MODULE_PARM_DESC(group,
		 "Group whose members may set up rings when disabled=1, and SQPOLL rings when sqpoll=1 (-1: none)");

/*
 * A list of op names, any case, separated by commas; "all" or "none"
 * (or nothing). Unknown names refuse the whole list, which then changes
 * nothing.
 */
static int xr_set_allowed_ops(const char *val, const struct kernel_param *kp)
{
	DECLARE_BITMAP(ops, XURING_OP_LAST);
	char *buf, *list, *name;
	unsigned int i;
	int op, ret = 0;

	buf = kstrdup(val, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	bitmap_zero(ops, XURING_OP_LAST);
	list = strim(buf);
	if (!strcasecmp(list, "all")) {
		for (i = 0; i < XURING_OP_LAST; i++)
			if (xr_op_supported(i))
				__set_bit(i, ops);
	} else if (*list && strcasecmp(list, "none")) {
		while ((name = strsep(&list, ",")) != NULL) {
			name = strim(name);
			op = xr_op_by_name(name);
			if (op < 0) {
				pr_warn("xuring: allowed_ops: no op is named '%s'\n",
					name);
				ret = -EINVAL;
				break;
			}
			__set_bit(op, ops);
		}
	}
	kfree(buf);
	if (ret)
		return ret;
	/* a word at a time: each SQE sees its op's old or new bit */
	for (i = 0; i < ARRAY_SIZE(xr_ops_allowed); i++)
		WRITE_ONCE(xr_ops_allowed[i], ops[i]);
	return 0;
}

static int xr_get_allowed_ops(char *buf, const struct kernel_param *kp)
{
	const char *sep = "";
	unsigned int op;
	int len = 0;

	for (op = 0; op < XURING_OP_LAST; op++) {
		if (!xr_op_allowed(op))
			continue;
		len += scnprintf(buf + len, PAGE_SIZE - len, "%s%s", sep,
				 xr_op_defs[op].name);
		sep = ",";
	}
	if (!len)
		len = scnprintf(buf, PAGE_SIZE, "none");
	len += scnprintf(buf + len, PAGE_SIZE - len, "\n");
	return len;
}

static const struct kernel_param_ops xr_allowed_ops_ops = {
	.set	= xr_set_allowed_ops,
	.get	= xr_get_allowed_ops,
};

module_param_cb(allowed_ops, &xr_allowed_ops_ops, NULL, 0644);
MODULE_PARM_DESC(allowed_ops,
		 "Ops rings may run, by name (e.g. read,write,readv,writev,fsync,nop), or all or none; others fail with -EACCES (default: all)");

module_param_named(max_user_rings, xr_max_user_rings, uint, 0644);
MODULE_PARM_DESC(max_user_rings,
		 "Rings one user may have set up at once; more fail SETUP with -EMFILE (0: no cap)");

module_param_named(max_user_threads, xr_max_user_threads, uint, 0644);
MODULE_PARM_DESC(max_user_threads,
		 "io-wq workers plus SQ threads one user's rings may have at once; more fail with -EAGAIN (0: no cap, RLIMIT_NPROC still holds)");

/* bytes, with memparse()'s suffixes (K, M, G, ...) */
static int xr_set_bytes(const char *val, const struct kernel_param *kp)
{
	unsigned long long bytes;
	char *end;

	bytes = memparse(val, &end);
	if (end == val)
		return -EINVAL;
	if (*end == '\n')
		end++;
	if (*end)
		return -EINVAL;
	WRITE_ONCE(*(unsigned long long *)kp->arg, bytes);
	return 0;
}

static const struct kernel_param_ops xr_bytes_ops = {
	.set	= xr_set_bytes,
	.get	= param_get_ullong,
};

module_param_cb(max_user_pinned, &xr_bytes_ops, &xr_max_user_pinned, 0644);
MODULE_PARM_DESC(max_user_pinned,
		 "Bytes of registered buffers one user's rings may pin, suffixes K, M, G allowed; more fail with -ENOMEM (0: no cap, RLIMIT_MEMLOCK still holds)");

/* A member of group, by the caller's fsgid or supplementary groups. */
static bool xr_in_group(void)
{
	kgid_t gid = make_kgid(&init_user_ns, READ_ONCE(xr_group));

	return gid_valid(gid) && in_group_p(gid);
}

/* SETUP: io_uring_allowed() of Linux 6.6, with xuring's parameters. */
int xr_policy_check_setup(void)
{
	unsigned int disabled = READ_ONCE(xr_disabled);

	if (disabled == XR_DISABLED_ALL)
		return -EPERM;
	if (disabled == XR_DISABLED_NO || capable(CAP_SYS_ADMIN) ||
	    xr_in_group())
		return 0;
	return -EPERM;
}

/*
 * SETUP with SQPOLL, in place of security_uring_sqpoll(): an SQ thread
 * is a kthread that may spin on a CPU for sq_thread_idle at a time, out
 * of reach of the owner's signals and of the LSMs.
 */
int xr_policy_check_sqpoll(void)
{
	switch (READ_ONCE(xr_sqpoll)) {
	case XR_SQPOLL_ANYONE:
		return 0;
	case XR_SQPOLL_PRIVILEGED:
		if (xr_in_group() || capable(CAP_SYS_NICE) ||
		    capable(CAP_SYS_ADMIN))
			return 0;
		break;
	}
	return -EPERM;
}

void xr_policy_show_fdinfo(struct seq_file *m)
{
	const char *sep = "";
	unsigned int op;

	seq_puts(m, "AllowedOps:\t");
	for (op = 0; op < XURING_OP_LAST; op++) {
		if (!xr_op_allowed(op))
			continue;
		seq_printf(m, "%s%s", sep, xr_op_defs[op].name);
		sep = ",";
	}
	seq_puts(m, *sep ? "\n" : "none\n");
}

/* Module init, after the parameters given at load time were set. */
void xr_policy_init(void)
{
	unsigned int op;

	/* a write through sysfs may race with this: the parameters' lock */
	kernel_param_lock(THIS_MODULE);
	for (op = 0; op < XURING_OP_LAST; op++)
		if (!xr_op_supported(op))
			clear_bit(op, xr_ops_allowed);
	kernel_param_unlock(THIS_MODULE);
}
