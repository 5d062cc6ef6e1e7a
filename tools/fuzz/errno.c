// SPDX-License-Identifier: GPL-2.0
/*
 * Which errno each ioctl may return: one table, read from the module's
 * code (src/main.c, setup.c, sqpoll.c, wait.c, iopoll.c, core.c,
 * register.c, rsrc.c, policy.c, user.c, include/ioctl.h) and
 * Documentation/xuring.rst. A
 * failure with any other errno fails the run. When the module learns a
 * new errno, add a row here, with where it comes from.
 *
 * A row applies to one ioctl (or to all: FZ_IOC_ANY) and, for REGISTER,
 * to one opcode (or to all: FZ_REG_ANY). The rows of fz_policy_rows
 * apply only when the module's parameters (src/policy.c), read at the
 * start, and the calling thread's credentials say it may return them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "fuzz.h"

#define FZ_IOC_ANY	-1
#define FZ_REG_ANY	0xffffffffU

#define FZ_PARAMS	"/sys/module/xuring/parameters/"

/* the policy parameters, as src/policy.c has them by default */
static struct {
	long		disabled;	/* 0 anyone, 1 CAP_SYS_ADMIN or group, 2 nobody */
	long		group;		/* -1: none */
	long		sqpoll;		/* 0 nobody, 1 privileged or group, 2 anyone */
	long		max_user_rings;	/* 0: no cap */
	uint32_t	denied;		/* implemented ops allowed_ops leaves out */
} fz_policy = { .group = -1, .sqpoll = 1 };

static bool fz_param_read(const char *name, char *buf, size_t len)
{
	FILE *f;
	bool ok;

	snprintf(buf, len, FZ_PARAMS "%s", name);
	f = fopen(buf, "r");
	if (!f)
		return false;
	ok = fgets(buf, len, f) != NULL;
	fclose(f);
	if (ok)
		buf[strcspn(buf, "\n")] = 0;
	return ok;
}

static void fz_param_long(const char *name, long *val)
{
	char buf[128];

	if (fz_param_read(name, buf, sizeof(buf)))
		*val = strtol(buf, NULL, 0);
}

void fz_policy_init(void)
{
	char buf[512], *tok, *save;
	unsigned int op;

	fz_param_long("disabled", &fz_policy.disabled);
	fz_param_long("group", &fz_policy.group);
	fz_param_long("sqpoll", &fz_policy.sqpoll);
	fz_param_long("max_user_rings", &fz_policy.max_user_rings);
	/* "NOP,READV,..." or "none": the ops a ring may run */
	if (fz_param_read("allowed_ops", buf, sizeof(buf))) {
		for (op = 0; op < XURING_OP_LAST; op++)
			if (fz_op_implemented(op))
				fz_policy.denied |= 1U << op;
		for (tok = strtok_r(buf, ",", &save); tok;
		     tok = strtok_r(NULL, ",", &save))
			for (op = 0; op < XURING_OP_LAST; op++)
				if (!strcasecmp(tok, fz_op_name(op)))
					fz_policy.denied &= ~(1U << op);
	}
	printf("xuring-fuzz: policy: disabled=%ld group=%ld sqpoll=%ld max_user_rings=%ld, %s\n",
	       fz_policy.disabled, fz_policy.group, fz_policy.sqpoll,
	       fz_policy.max_user_rings,
	       fz_policy.denied ? "some ops denied (-EACCES)" : "every op allowed");
}

bool fz_op_denied(unsigned int op)
{
	return op < XURING_OP_LAST && (fz_policy.denied & (1U << op));
}

/* in_group_p() of the calling thread: its fsgid (= egid) or a group */
static bool fz_in_policy_group(void)
{
	gid_t groups[64];
	int i, n;

	if (fz_policy.group < 0)
		return false;
	if (getegid() == (gid_t)fz_policy.group)
		return true;
	n = getgroups(64, groups);
	for (i = 0; i < n; i++)
		if (groups[i] == (gid_t)fz_policy.group)
			return true;
	return false;
}

/*
 * xr_policy_check_setup() or xr_policy_check_sqpoll() may refuse this
 * thread. An euid of 0 stands for CAP_SYS_ADMIN and CAP_SYS_NICE (the
 * fuzzer runs as root or drops to uid 65534 for good). The SETUP's flags
 * are not looked at: where SQPOLL is refused, EPERM may come from any.
 */
static bool fz_setup_may_eperm(void)
{
	bool privileged = geteuid() == 0, in_group = fz_in_policy_group();

	if (fz_policy.disabled >= 2 ||
	    (fz_policy.disabled == 1 && !privileged && !in_group))
		return true;
	return fz_policy.sqpoll <= 0 ||
	       (fz_policy.sqpoll == 1 && !privileged && !in_group);
}

static bool fz_rings_capped(void)
{
	return fz_policy.max_user_rings > 0;
}

static const struct fz_errno_row {
	int		kind;
	uint32_t	reg_op;
	int		err;
	const char	*from;
} fz_errno_rows[] = {
	/* any ioctl */
	{ FZ_IOC_ANY, FZ_REG_ANY, EBADF, "the fd is not open (fs/ioctl.c)" },
	{ FZ_IOC_ANY, FZ_REG_ANY, ENOTTY, "main.c: xuring_ioctl, not a command of ours" },
	{ FZ_IOC_ANY, FZ_REG_ANY, EINVAL, "ioctl.h: argument smaller than its first version" },
	{ FZ_IOC_ANY, FZ_REG_ANY, E2BIG, "ioctl.h: larger argument with unknown nonzero bytes" },
	{ FZ_IOC_ANY, FZ_REG_ANY, EFAULT, "ioctl.h: the argument is not readable" },

	/* SETUP */
	{ FZ_IOC_SETUP, FZ_REG_ANY, EBUSY, "setup.c: the file is a ring already" },
	{ FZ_IOC_SETUP, FZ_REG_ANY, ENOMEM, "setup.c, io-wq.c, sqpoll.c: allocations" },
	{ FZ_IOC_SETUP, FZ_REG_ANY, ENXIO, "sqpoll.c: ATTACH_WQ with wq_fd not open" },
	{ FZ_IOC_SETUP, FZ_REG_ANY, EAGAIN, "user.c: a kthread over RLIMIT_NPROC or max_user_threads (issue 11 #6)" },

	/* ENTER */
	{ FZ_IOC_ENTER, FZ_REG_ANY, EBADFD, "main.c: no SETUP yet" },
	{ FZ_IOC_ENTER, FZ_REG_ANY, EEXIST, "main.c: not the ring's address space, or SINGLE_ISSUER" },
	{ FZ_IOC_ENTER, FZ_REG_ANY, EOWNERDEAD, "main.c, sqpoll.c: the owner exited or exec'd (teardown.c)" },
	{ FZ_IOC_ENTER, FZ_REG_ANY, EAGAIN, "core.c: no memory for a request" },
	{ FZ_IOC_ENTER, FZ_REG_ANY, EBUSY, "core.c: submission while the CQ overflow backlog is at its cap (issue 11 #7)" },
	{ FZ_IOC_ENTER, FZ_REG_ANY, EINTR, "wait.c, iopoll.c: a signal ended the wait" },
	{ FZ_IOC_ENTER, FZ_REG_ANY, ETIME, "wait.c: the timeout expired" },

	/* REGISTER, every opcode */
	{ FZ_IOC_REGISTER, FZ_REG_ANY, EBADFD, "main.c: no SETUP yet" },
	{ FZ_IOC_REGISTER, FZ_REG_ANY, EEXIST, "register.c: not the ring's address space" },
	{ FZ_IOC_REGISTER, FZ_REG_ANY, EOWNERDEAD, "register.c: the owner exited or exec'd, as ENTER" },
	/* buffers */
	{ FZ_IOC_REGISTER, XURING_REGISTER_BUFFERS, EBUSY, "rsrc.c: buffers registered already" },
	{ FZ_IOC_REGISTER, XURING_REGISTER_BUFFERS, ENOMEM, "rsrc.c: allocations, RLIMIT_MEMLOCK" },
	{ FZ_IOC_REGISTER, XURING_REGISTER_BUFFERS, EOVERFLOW, "rsrc.c: the buffer wraps" },
	{ FZ_IOC_REGISTER, XURING_REGISTER_BUFFERS, EOPNOTSUPP, "rsrc.c: file-backed memory" },
	{ FZ_IOC_REGISTER, XURING_REGISTER_BUFFERS2, EBUSY, "rsrc.c: buffers registered already" },
	{ FZ_IOC_REGISTER, XURING_REGISTER_BUFFERS2, ENOMEM, "rsrc.c: allocations, RLIMIT_MEMLOCK" },
	{ FZ_IOC_REGISTER, XURING_REGISTER_BUFFERS2, EOVERFLOW, "rsrc.c: the buffer wraps" },
	{ FZ_IOC_REGISTER, XURING_REGISTER_BUFFERS2, EOPNOTSUPP, "rsrc.c: file-backed memory" },
	{ FZ_IOC_REGISTER, XURING_UNREGISTER_BUFFERS, ENXIO, "rsrc.c: no buffers" },
	{ FZ_IOC_REGISTER, XURING_UNREGISTER_BUFFERS, EBUSY, "rsrc.c: another unregister waits" },
	{ FZ_IOC_REGISTER, XURING_UNREGISTER_BUFFERS, EINTR, "rsrc.c: a signal ended the wait" },
	/* files */
	{ FZ_IOC_REGISTER, XURING_REGISTER_FILES, EBUSY, "rsrc.c: files registered already" },
	{ FZ_IOC_REGISTER, XURING_REGISTER_FILES, EMFILE, "rsrc.c: more than the limit" },
	{ FZ_IOC_REGISTER, XURING_REGISTER_FILES, ENOMEM, "rsrc.c: the table" },
	{ FZ_IOC_REGISTER, XURING_REGISTER_FILES, EBADF, "rsrc.c: an fd that is not open, or a ring" },
	{ FZ_IOC_REGISTER, XURING_REGISTER_FILES2, EBUSY, "rsrc.c: files registered already" },
	{ FZ_IOC_REGISTER, XURING_REGISTER_FILES2, EMFILE, "rsrc.c: more than the limit" },
	{ FZ_IOC_REGISTER, XURING_REGISTER_FILES2, ENOMEM, "rsrc.c: the table" },
	{ FZ_IOC_REGISTER, XURING_REGISTER_FILES2, EBADF, "rsrc.c: an fd that is not open, or a ring" },
	{ FZ_IOC_REGISTER, XURING_UNREGISTER_FILES, ENXIO, "rsrc.c: no files" },
	{ FZ_IOC_REGISTER, XURING_REGISTER_FILES_UPDATE, ENXIO, "rsrc.c: no files" },
	{ FZ_IOC_REGISTER, XURING_REGISTER_FILES_UPDATE, EBADF, "rsrc.c: an fd that is not open, or a ring" },
	{ FZ_IOC_REGISTER, XURING_REGISTER_FILES_UPDATE2, ENXIO, "rsrc.c: no files" },
	{ FZ_IOC_REGISTER, XURING_REGISTER_FILES_UPDATE2, EBADF, "rsrc.c: an fd that is not open, or a ring" },
	/* the rest */
	{ FZ_IOC_REGISTER, XURING_REGISTER_PROBE, ENOMEM, "register.c: the probe copy" },
};

/* The rows that hold only where the policy parameters say so. */
static const struct fz_policy_row {
	int		kind;
	int		err;
	const char	*from;
	bool		(*when)(void);
} fz_policy_rows[] = {
	{ FZ_IOC_SETUP, EPERM, "policy.c: disabled=, or SQPOLL under sqpoll= without CAP_SYS_NICE/ADMIN or group=",
	  fz_setup_may_eperm },
	{ FZ_IOC_SETUP, EMFILE, "user.c: more rings than max_user_rings",
	  fz_rings_capped },
};

int fz_ioc_kind(unsigned long cmd)
{
	if (_IOC_TYPE(cmd) != XURING_IOC_MAGIC)
		return FZ_IOC_FOREIGN;
	if (_IOC_DIR(cmd) != _IOC_WRITE)
		return FZ_IOC_UNKNOWN;
	switch (_IOC_NR(cmd)) {
	case _IOC_NR(XURING_IOC_SETUP): return FZ_IOC_SETUP;
	case _IOC_NR(XURING_IOC_ENTER): return FZ_IOC_ENTER;
	case _IOC_NR(XURING_IOC_REGISTER): return FZ_IOC_REGISTER;
	}
	return FZ_IOC_UNKNOWN;
}

const char *fz_ioc_kind_name(int kind)
{
	switch (kind) {
	case FZ_IOC_SETUP: return "SETUP";
	case FZ_IOC_ENTER: return "ENTER";
	case FZ_IOC_REGISTER: return "REGISTER";
	case FZ_IOC_UNKNOWN: return "an unknown xuring command";
	}
	return "another driver's command";
}

bool fz_errno_allowed(int kind, uint32_t reg_op, int err, bool compat,
		      bool injecting)
{
	unsigned int i;

	if (kind == FZ_IOC_FOREIGN)	/* the VFS or nobody: not ours */
		return true;
	/*
	 * A 32-bit caller is refused, whatever it asks (issue 11 #15); the
	 * fd is looked up before the driver runs.
	 */
	if (compat)
		return err == EOPNOTSUPP || err == EBADF ||
		       (kind == FZ_IOC_UNKNOWN && err == ENOTTY);
	if (kind == FZ_IOC_UNKNOWN)
		return err == ENOTTY || err == EBADF;
	/* an injected allocation failure may surface from any of them */
	if (injecting && err == ENOMEM)
		return true;
	for (i = 0; i < ARRAY_SIZE(fz_errno_rows); i++) {
		const struct fz_errno_row *row = &fz_errno_rows[i];

		if (row->err != err)
			continue;
		if (row->kind != FZ_IOC_ANY && row->kind != kind)
			continue;
		if (row->reg_op != FZ_REG_ANY &&
		    (kind != FZ_IOC_REGISTER || row->reg_op != reg_op))
			continue;
		return true;
	}
	for (i = 0; i < ARRAY_SIZE(fz_policy_rows); i++)
		if (fz_policy_rows[i].kind == kind &&
		    fz_policy_rows[i].err == err && fz_policy_rows[i].when())
			return true;
	return false;
}
