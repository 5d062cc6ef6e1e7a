/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers for the safety regression tests (issue 11's findings), on top of
 * xuring_poll.h: becoming an unprivileged user who may still open the
 * device, cgroup v2 (mounted, and its controllers enabled, here when the
 * guest has not done it), kernel threads found by name, a setuid-root copy
 * of the test binary, and the kernel log as the test sees it, so that a
 * test that provokes a kernel report fails by itself rather than only
 * through the runner's dmesg check.
 *
 * The tests run as root and drop privileges themselves where the attack
 * is an unprivileged one; those that need root SKIP without it.
 */
#ifndef XURING_SAFETY_H
#define XURING_SAFETY_H

#include <ctype.h>
#include <dirent.h>
#include <poll.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/statfs.h>
#include <linux/magic.h>

#include "xuring_poll.h"

/* the unprivileged user the attacks run as */
#define XR_NOBODY		65534
/* the group that is granted /dev/xuring (udev rule, module parameter) */
#define XR_XURING_GID		990

/* In a harness test: SKIP unless started as root. */
#define XR_REQUIRE_ROOT() do {						\
	if (geteuid())							\
		SKIP(return, "needs root (drops privileges itself)");	\
} while (0)

/*
 * Become uid/gid 65534 with no capabilities, in the xuring group and in
 * the device's group (whichever it is: access to the device is granted
 * by its group), so the device stays open to us: a user who has been
 * granted access. Stays dumpable, so that /proc/self/fdinfo remains
 * readable to us.
 */
static inline int xr_become_nobody_with_device(void)
{
	gid_t groups[2] = { XR_XURING_GID };
	struct stat st;
	int n = 1;

	if (!stat(XURING_DEVICE_PATH, &st) && st.st_gid != XR_XURING_GID)
		groups[n++] = st.st_gid;
	if (setgroups(n, groups) || setgid(XR_NOBODY) || setuid(XR_NOBODY))
		return -errno;
	if (prctl(PR_SET_DUMPABLE, 1, 0, 0, 0))
		return -errno;
	return 0;
}

/* ------------------------------------------------------------- cgroups */

#define XR_CGROUP_ROOT		"/sys/fs/cgroup"

struct xr_cgroup {
	char path[256];
};

/* Write a string to a file (sysfs, cgroupfs): 0 or -errno. */
static inline int xr_write_file(const char *path, const char *val)
{
	ssize_t n;
	int fd, err = 0;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	if (n < 0)
		err = -errno;
	else if ((size_t)n != strlen(val))
		err = -EIO;
	close(fd);
	return err;
}

/* Mount cgroup v2 on /sys/fs/cgroup unless it is there already. */
static inline int xr_cgroup_mount(void)
{
	struct statfs sfs;

	if (!statfs(XR_CGROUP_ROOT, &sfs) && sfs.f_type == CGROUP2_SUPER_MAGIC)
		return 0;
	if (mount("cgroup2", XR_CGROUP_ROOT, "cgroup2", 0, NULL))
		return -errno;
	return 0;
}

/* Is word one of the space-separated words of the file at path? */
static inline bool xr_file_has_word(const char *path, const char *word)
{
	char buf[512], *tok, *save;

	if (xr_read_file(path, buf, sizeof(buf)) < 0)
		return false;
	for (tok = strtok_r(buf, "\n ", &save); tok;
	     tok = strtok_r(NULL, "\n ", &save)) {
		if (!strcmp(tok, word))
			return true;
	}
	return false;
}

/*
 * Mount cgroup v2 if need be and enable the controllers named in
 * controllers (space-separated, e.g. "memory pids") for the root's
 * children. 0, or -errno with the controller that failed in *failed.
 */
static inline int xr_cgroup_enable(const char *controllers,
				   const char **failed)
{
	static char name[32];
	const char *p = controllers;
	int ret;

	*failed = "cgroup2";
	ret = xr_cgroup_mount();
	if (ret)
		return ret;
	while (*p) {
		size_t len = strcspn(p, " ");
		char op[40];

		snprintf(name, sizeof(name), "%.*s", (int)len, p);
		p += len + (p[len] == ' ');
		if (!*name)
			continue;
		*failed = name;
		if (xr_file_has_word(XR_CGROUP_ROOT "/cgroup.subtree_control",
				     name))
			continue;
		if (!xr_file_has_word(XR_CGROUP_ROOT "/cgroup.controllers",
				      name))
			return -ENOENT;
		snprintf(op, sizeof(op), "+%s", name);
		ret = xr_write_file(XR_CGROUP_ROOT "/cgroup.subtree_control", op);
		if (ret)
			return ret;
	}
	return 0;
}

/*
 * In a harness test: cgroup v2 with these controllers enabled, or SKIP
 * naming what the kernel lacks (a controller not built in).
 */
#define XR_REQUIRE_CGROUP(controllers) do {				\
	const char *__failed;						\
	int __ret = xr_cgroup_enable((controllers), &__failed);	\
	if (__ret == -ENOENT)						\
		SKIP(return, "the kernel has no cgroup v2 '%s' controller", \
		     __failed);						\
	ASSERT_EQ(0, __ret) TH_LOG("cgroup v2 '%s': %s", __failed,	\
				   strerror(-__ret));			\
} while (0)

/* Create a child of the root cgroup, named after the test and its pid. */
static inline int xr_cgroup_create(struct xr_cgroup *cg, const char *name)
{
	snprintf(cg->path, sizeof(cg->path), XR_CGROUP_ROOT "/xuring-%s-%d",
		 name, getpid());
	if (mkdir(cg->path, 0755) && errno != EEXIST)
		return -errno;
	return 0;
}

static inline int xr_cgroup_write(const struct xr_cgroup *cg,
				  const char *file, const char *val)
{
	char path[320];

	snprintf(path, sizeof(path), "%s/%s", cg->path, file);
	return xr_write_file(path, val);
}

/* The number a cgroup file starts with ("max" is LLONG_MAX), or -1. */
static inline long long xr_cgroup_read(const struct xr_cgroup *cg,
				       const char *file)
{
	char path[320], buf[64];

	snprintf(path, sizeof(path), "%s/%s", cg->path, file);
	if (xr_read_file(path, buf, sizeof(buf)) <= 0)
		return -1;
	if (!strncmp(buf, "max", 3))
		return LLONG_MAX;
	return strtoll(buf, NULL, 10);
}

/* The value of a "key value" line (cpu.stat, memory.events), or -1. */
static inline long long xr_cgroup_key(const struct xr_cgroup *cg,
				      const char *file, const char *key)
{
	char path[320], line[256];
	size_t klen = strlen(key);
	long long val = -1;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", cg->path, file);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, key, klen) && line[klen] == ' ') {
			val = strtoll(line + klen + 1, NULL, 10);
			break;
		}
	}
	fclose(f);
	return val;
}

/* Move process pid (0: the caller) into the cgroup. */
static inline int xr_cgroup_enter(const struct xr_cgroup *cg, pid_t pid)
{
	char val[16];

	snprintf(val, sizeof(val), "%d", pid ? pid : getpid());
	return xr_cgroup_write(cg, "cgroup.procs", val);
}

/*
 * Remove the cgroup: move what is left in it to the root, then rmdir,
 * retrying while exiting tasks (kernel threads among them) still count.
 */
static inline void xr_cgroup_destroy(struct xr_cgroup *cg)
{
	char path[320], line[32];
	__u64 start = xr_now_ns();
	FILE *f;

	if (!cg->path[0])
		return;
	snprintf(path, sizeof(path), "%s/cgroup.procs", cg->path);
	while (rmdir(cg->path) && errno == EBUSY &&
	       xr_ms_since(start) < 10000) {
		f = fopen(path, "re");
		while (f && fgets(line, sizeof(line), f))
			xr_write_file(XR_CGROUP_ROOT "/cgroup.procs", line);
		if (f)
			fclose(f);
		xr_sleep_ms(50);
	}
	cg->path[0] = '\0';
}

/* The cgroup v2 path of a task ("/xuring-..."), from /proc/<pid>/cgroup. */
static inline bool xr_task_cgroup(int pid, char *buf, size_t size)
{
	char raw[512], *line, *save;

	if (xr_read_proc_file(pid, "cgroup", raw, sizeof(raw)) <= 0)
		return false;
	for (line = strtok_r(raw, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (!strncmp(line, "0::", 3)) {
			snprintf(buf, size, "%s", line + 3);
			return true;
		}
	}
	return false;
}

/* ------------------------------------------------------------- children */

/*
 * Read exactly len bytes from fd, waiting at most ms in all: true if they
 * came, false on EOF, error or timeout.
 */
static inline bool xr_read_full_ms(int fd, void *buf, size_t len,
				   unsigned int ms)
{
	__u64 start = xr_now_ns();
	char *p = buf;

	while (len) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		__u64 spent = xr_ms_since(start);
		ssize_t n;

		if (spent >= ms || poll(&pfd, 1, ms - spent) != 1)
			return false;
		n = read(fd, p, len);
		if (n <= 0)
			return false;
		p += n;
		len -= n;
	}
	return true;
}

/* Write all of buf to fd (a report pipe), or _exit() the child. */
static inline void xr_report(int fd, const void *buf, size_t len)
{
	if (write(fd, buf, len) != (ssize_t)len)
		_exit(125);
}

/*
 * Fork a child that enters cgroup cg (if given), becomes nobody with
 * access to the device (if nobody), runs fn(arg, report_fd) and exits 0;
 * fn reports to the parent through report_fd, whose other end the parent
 * gets in *report_rfd. Exit statuses 120 and up mean the set-up failed.
 * The child's pid, or -errno.
 */
static inline pid_t xr_spawn(const struct xr_cgroup *cg, bool nobody,
			     void (*fn)(void *arg, int report_fd), void *arg,
			     int *report_rfd)
{
	int fds[2];
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC))
		return -errno;
	pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return -errno;
	}
	if (pid == 0) {
		close(fds[0]);
		if (cg && xr_cgroup_enter(cg, 0))
			_exit(120);
		if (nobody && xr_become_nobody_with_device())
			_exit(121);
		fn(arg, fds[1]);
		_exit(0);
	}
	close(fds[1]);
	*report_rfd = fds[0];
	return pid;
}

/* Kill a spawned child and reap it; its wait status, or -errno. */
static inline int xr_kill_child(pid_t pid)
{
	kill(pid, SIGKILL);
	return xr_wait_child_ms(pid, 20000);
}

/* --------------------------------------------------------- kernel threads */

/*
 * The pids of the processes (kernel threads are processes) named comm,
 * or whose name starts with comm if prefix; at most max of them in pids.
 * Returns how many there are.
 */
static inline int xr_find_tasks(const char *comm, bool prefix, int *pids,
				int max)
{
	struct dirent *de;
	int n = 0;
	DIR *d;

	d = opendir("/proc");
	if (!d)
		return -1;
	while ((de = readdir(d))) {
		char name[32];
		int pid;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		pid = atoi(de->d_name);
		if (!xr_task_comm(pid, name, sizeof(name)))
			continue;
		if (prefix ? strncmp(name, comm, strlen(comm)) :
			     strcmp(name, comm))
			continue;
		if (pids && n < max)
			pids[n] = pid;
		n++;
	}
	closedir(d);
	return n;
}

/*
 * The module's threads of one kind ("xuring-sq", "xuring-wq") working for
 * process pid, named "<kind>/<pid>" (15 characters hold any pid the VM
 * has); at most max of their pids in pids.
 */
static inline int xr_owner_threads(const char *kind, int pid, int *pids,
				   int max)
{
	char comm[32];

	snprintf(comm, sizeof(comm), "%s/%d", kind, pid);
	return xr_find_tasks(comm, false, pids, max);
}

/* -------------------------------------------------------- setuid helper */

/*
 * Install a copy of the running program at path, owned by root, mode 4755:
 * a setuid-root program an unprivileged user can exec. Made at run time
 * because a build tree's files are not root's (and must not be setuid).
 */
static inline int xr_install_setuid_copy(const char *path)
{
	char buf[65536];
	int in, out, err = 0;
	ssize_t n;

	in = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return -errno;
	unlink(path);
	out = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0700);
	if (out < 0) {
		err = -errno;
		close(in);
		return err;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0) {
		if (write(out, buf, n) != n) {
			err = -EIO;
			break;
		}
	}
	if (n < 0)
		err = -errno;
	/* chown clears the setuid bit: chmod after it */
	if (!err && (fchown(out, 0, 0) || fchmod(out, 04755)))
		err = -errno;
	close(out);
	close(in);
	if (err)
		unlink(path);
	return err;
}

/* ------------------------------------------------------------ kernel log */

/*
 * What the kernel logs from now on: /dev/kmsg positioned at its end. -1
 * if it cannot be read (the test then relies on the runner's dmesg check).
 */
static inline int xr_kmsg_open(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd >= 0)
		lseek(fd, 0, SEEK_END);
	return fd;
}

/* Messages that mean a kernel bug (the runner's list, and slab debugging's). */
static inline bool xr_kmsg_is_report(const char *msg)
{
	static const char * const reports[] = {
		"WARNING:", "BUG:", "Oops", "Kernel panic",
		"general protection fault", "blocked for more than",
		"circular locking", "inconsistent lock state",
		"possible recursive locking", "suspicious RCU usage",
		"KASAN", "UBSAN", "soft lockup", "hard LOCKUP",
		"sleeping function called from invalid context",
		"list_add corruption", "list_del corruption", "refcount_t:",
		"Poison overwritten", "Redzone overwritten",
		"Object padding overwritten", "Freepointer corrupt",
		"Slab cache still has objects",
	};
	unsigned int i;

	/* slab debugging: "BUG xuring_req (Not tainted): Poison overwritten" */
	if (!strncmp(msg, "BUG ", 4))
		return true;
	for (i = 0; i < ARRAY_SIZE(reports); i++) {
		if (strstr(msg, reports[i]))
			return true;
	}
	return false;
}

/*
 * The first kernel report logged since xr_kmsg_open() (its message, in
 * buf); false if there is none.
 */
static inline bool xr_kmsg_report(int fd, char *buf, size_t size)
{
	char rec[2048];

	if (fd < 0)
		return false;
	for (;;) {
		ssize_t n = read(fd, rec, sizeof(rec) - 1);
		char *msg;

		if (n < 0 && errno == EPIPE)	/* overwritten: go on */
			continue;
		if (n <= 0)
			return false;
		rec[n] = '\0';
		/* "prio,seq,usec,flags;message\n continuation..." */
		msg = strchr(rec, ';');
		msg = msg ? msg + 1 : rec;
		msg[strcspn(msg, "\n")] = '\0';
		if (xr_kmsg_is_report(msg)) {
			size_t len = strlen(msg);

			if (len >= size)
				len = size - 1;
			memcpy(buf, msg, len);
			buf[len] = '\0';
			return true;
		}
	}
}

/* In a harness test: nothing the kernel logged since fd was opened is a report. */
#define XR_ASSERT_KMSG_CLEAN(fd) do {					\
	char __report[512];						\
	bool __found = xr_kmsg_report((fd), __report, sizeof(__report)); \
	if (__found)							\
		TH_LOG("kernel report: %s", __report);			\
	ASSERT_FALSE(__found);						\
} while (0)

/*
 * Have slab debugging check every object of a cache now (free ones for
 * their poison too); what it finds goes to the kernel log. False if the
 * cache has no such file (no SLUB debugging support).
 */
static inline bool xr_slab_validate(const char *cache)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/kernel/slab/%s/validate", cache);
	return !xr_write_file(path, "1");
}

/* Does slab debugging poison the cache's free objects (slub_debug=P)? */
static inline bool xr_slab_poisoned(const char *cache)
{
	char path[128], buf[8];

	snprintf(path, sizeof(path), "/sys/kernel/slab/%s/poison", cache);
	return xr_read_file(path, buf, sizeof(buf)) > 0 && buf[0] == '1';
}

#endif /* XURING_SAFETY_H */
