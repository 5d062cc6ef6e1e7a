/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers for the SQPOLL and IOPOLL selftests, on top of xuring_io.h: the
 * SQ thread as /proc shows it (found through the ring's fdinfo), the
 * NEED_WAKEUP protocol, waiting for CQEs without entering the kernel, and
 * what the kernel shows of block polling (/proc/interrupts, the poll
 * queues in sysfs and debugfs).
 */
#ifndef XURING_POLL_H
#define XURING_POLL_H

#include <dirent.h>
#include <libgen.h>

#include "xuring_io.h"

/* ------------------------------------------------------------ /proc */

/* Read /proc/<pid>/<file> into buf; the length, or -1. */
static inline ssize_t xr_read_proc_file(int pid, const char *file, char *buf,
					size_t size)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/%s", pid, file);
	return xr_read_file(path, buf, size);
}

/* Field nr (1-based, as proc(5) counts) of /proc/<pid>/stat, or -1. */
static inline long long xr_task_stat_field(int pid, int nr)
{
	char buf[1024], *p;
	int i;

	if (xr_read_proc_file(pid, "stat", buf, sizeof(buf)) <= 0)
		return -1;
	/* "pid (comm) state ...": comm may hold spaces or ')' */
	p = strrchr(buf, ')');
	if (!p)
		return -1;
	/* p + 2 is field 3 */
	p += 2;
	for (i = 3; i < nr; i++) {
		p = strchr(p, ' ');
		if (!p)
			return -1;
		p++;
	}
	return strtoll(p, NULL, 10);
}

/* The CPU a task last ran on. */
static inline int xr_task_last_cpu(int pid)
{
	return xr_task_stat_field(pid, 39);
}

/*
 * Nanoseconds a task has spent on a CPU (/proc/<pid>/schedstat, which
 * counts exactly rather than in clock ticks), or -1.
 */
static inline long long xr_task_runtime_ns(int pid)
{
	char buf[128];

	if (xr_read_proc_file(pid, "schedstat", buf, sizeof(buf)) <= 0)
		return -1;
	return strtoll(buf, NULL, 10);
}

/* The task's name, without the newline; false if it is gone. */
static inline bool xr_task_comm(int pid, char *buf, size_t size)
{
	ssize_t n = xr_read_proc_file(pid, "comm", buf, size);

	if (n <= 0)
		return false;
	if (buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	return true;
}

/* The value of a "Key:\t..." line of /proc/<pid>/status, or false. */
static inline bool xr_task_status(int pid, const char *key, char *val,
				  size_t size)
{
	char buf[4096], *line;
	size_t klen = strlen(key);

	if (xr_read_proc_file(pid, "status", buf, sizeof(buf)) <= 0)
		return false;
	for (line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
		if (strncmp(line, key, klen) || line[klen] != ':')
			continue;
		line += klen + 1;
		line += strspn(line, " \t");
		snprintf(val, size, "%s", line);
		return true;
	}
	return false;
}

/* A "Key: <n> kB" line of /proc/meminfo, in kB, or -1. */
static inline long xr_meminfo_kb(const char *key)
{
	return xr_file_key_value("/proc/meminfo", key);
}

/* The value of a "Key:\t<n>" line of a ring's fdinfo, or -1. */
static inline long xr_fdinfo_value(int ring_fd, const char *key)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", ring_fd);
	return xr_file_key_value(path, key);
}

/* ------------------------------------------------------- the SQ thread */

/* The SQ thread's name starts with this (then "/<owner pid>"). */
#define XR_SQ_THREAD_NAME	"xuring-sq"

/* What a ring's fdinfo says of its SQ thread. */
struct xr_sq_info {
	int pid;
	int cpu;
	unsigned int idle_ms;
};

/* The SQ thread of a ring of this process; false if it has none. */
static inline bool xr_fdinfo_sq(int ring_fd, struct xr_sq_info *info)
{
	char path[64], line[256];
	unsigned int found = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", ring_fd);
	f = fopen(path, "re");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		found += sscanf(line, "SqThread: %d", &info->pid) == 1;
		found += sscanf(line, "SqThreadCpu: %d", &info->cpu) == 1;
		found += sscanf(line, "SqIdleMs: %u", &info->idle_ms) == 1;
	}
	fclose(f);
	return found == 3;
}

/* The pid of a ring's SQ thread, or -1. */
static inline int xr_sq_thread_pid(int ring_fd)
{
	struct xr_sq_info info;

	return xr_fdinfo_sq(ring_fd, &info) ? info.pid : -1;
}

/* Is pid (still) an SQ thread? */
static inline bool xr_is_sq_thread(int pid)
{
	char comm[32];

	return xr_task_comm(pid, comm, sizeof(comm)) &&
	       !strncmp(comm, XR_SQ_THREAD_NAME, strlen(XR_SQ_THREAD_NAME));
}

/* Wait at most timeout_ms for SQ thread pid to have exited. */
static inline bool xr_sq_thread_gone(int pid, unsigned int timeout_ms)
{
	__u64 start = xr_now_ns();

	while (xr_is_sq_thread(pid)) {
		if (xr_ms_since(start) >= timeout_ms)
			return false;
		xr_sleep_ms(10);
	}
	return true;
}

/* Set up an SQPOLL ring whose thread sleeps after idle_ms without work. */
static inline int xr_sq_ring_init(struct xr_ring *r, unsigned int entries,
				  unsigned int idle_ms, unsigned int flags)
{
	struct xuring_params p = {
		.flags = XURING_SETUP_SQPOLL | flags,
		.sq_thread_idle = idle_ms,
	};

	return xr_ring_init_params(r, entries, &p);
}

static inline bool xr_sq_needs_wakeup(const struct xr_ring *r)
{
	return xr_load_acquire(r->sq_flags) & XURING_SQ_NEED_WAKEUP;
}

/*
 * Submit on an SQPOLL ring the way liburing does: publish the tail, then
 * (after a full barrier, which pairs with the thread's between setting
 * NEED_WAKEUP and looking at the tail once more) wake the thread if it
 * said it sleeps. 1 if it had to be woken, 0 if not, or -errno.
 */
static inline int xr_sqpoll_submit(struct xr_ring *r)
{
	int ret;

	xr_flush_sq(r);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (!xr_sq_needs_wakeup(r))
		return 0;
	ret = xr_enter(r->fd, 0, 0, XURING_ENTER_SQ_WAKEUP, NULL, 0);
	return ret < 0 ? ret : 1;
}


/* Wait at most timeout_ms for the thread to say it sleeps. */
static inline bool xr_wait_sq_asleep(const struct xr_ring *r,
				     unsigned int timeout_ms)
{
	__u64 start = xr_now_ns();

	while (!xr_sq_needs_wakeup(r)) {
		if (xr_ms_since(start) >= timeout_ms)
			return false;
		xr_sleep_ms(1);
	}
	return true;
}

/* Wait at most timeout_ms for the kernel to have consumed every SQE. */
static inline bool xr_wait_sq_consumed(const struct xr_ring *r,
				       unsigned int timeout_ms)
{
	__u64 start = xr_now_ns();

	while (xr_load_acquire(r->sq_head) != *r->sq_tail) {
		if (xr_ms_since(start) >= timeout_ms)
			return false;
		xr_sleep_ms(1);
	}
	return true;
}

/*
 * Submit what is queued on any ring: with ENTER, or on an SQPOLL ring the
 * SQPOLL way and then waiting until the thread has taken every SQE. How
 * many SQEs were taken, or -errno.
 */
static inline int xr_any_submit(struct xr_ring *r)
{
	unsigned int pending = r->sqe_tail - xr_load_acquire(r->sq_head);
	int ret;

	if (!(r->p.flags & XURING_SETUP_SQPOLL))
		return xr_submit(r);
	ret = xr_sqpoll_submit(r);
	if (ret < 0)
		return ret;
	return xr_wait_sq_consumed(r, XR_IO_TIMEOUT_MS) ? (int)pending : -ETIME;
}

/*
 * xr_any_submit() one SQE and reap its CQE: its res, or INT_MIN, as
 * xr_run_one().
 */
static inline int xr_any_run_one(struct xr_ring *r, struct xuring_cqe *cqe)
{
	__u64 ud = xr_last_sqe_ud(r);

	if (xr_any_submit(r) != 1 ||
	    xr_wait_cqe_ms(r, cqe, XR_IO_TIMEOUT_MS))
		return INT_MIN;
	return xr_check_one(r, cqe, ud);
}

/*
 * Wait at most timeout_ms, without entering the kernel for the ring, for
 * n CQEs to be ready; returns how many are.
 */
static inline unsigned int xr_spin_for_cqes(const struct xr_ring *r,
					    unsigned int n,
					    unsigned int timeout_ms)
{
	__u64 start = xr_now_ns();
	unsigned int ready;

	while ((ready = xr_cq_ready(r)) < n) {
		if (xr_ms_since(start) >= timeout_ms)
			break;
		usleep(200);
	}
	return ready;
}

/* ------------------------------------------------------------ SIGKILL */

/*
 * SIGKILL a child in the middle of its work: fork, run victim(ready_fd,
 * arg) in the child (it does not return, and writes ready_len bytes to
 * ready_fd once it is at work), read those bytes into ready, wait
 * delay_ms, kill it, and wait for it to die. NULL when it died of SIGKILL
 * within 10 s, otherwise what went wrong.
 */
static inline const char *xr_kill_at_work(void (*victim)(int, const void *),
					  const void *arg, void *ready,
					  size_t ready_len,
					  unsigned int delay_ms)
{
	static char why[96];
	int fds[2], status;
	pid_t child;
	ssize_t n;

	if (pipe(fds))
		return "pipe() failed";
	child = fork();
	if (child < 0)
		return "fork() failed";
	if (child == 0) {
		close(fds[0]);
		victim(fds[1], arg);
		_exit(99);
	}
	close(fds[1]);
	n = read(fds[0], ready, ready_len);
	close(fds[0]);
	if (n != (ssize_t)ready_len) {
		status = xr_wait_child_ms(child, 1000);
		snprintf(why, sizeof(why),
			 "the child ended (exit status %d) before it was at work",
			 status >= 0 && WIFEXITED(status) ?
			 WEXITSTATUS(status) : -1);
		return why;
	}
	xr_sleep_ms(delay_ms);
	if (kill(child, SIGKILL))
		return "kill() failed";
	status = xr_wait_child_ms(child, 10000);
	if (status == -ETIME)
		return "the killed child did not exit within 10 s";
	if (status < 0 || !WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL)
		return "the child did not die of SIGKILL";
	return NULL;
}

/* ------------------------------------------------------- block polling */

/* "nvme0n1" for "/dev/nvme0n1", in buf. */
static inline const char *xr_dev_name(const char *path, char *buf,
				      size_t size)
{
	char tmp[256];

	snprintf(tmp, sizeof(tmp), "%s", path);
	snprintf(buf, size, "%s", basename(tmp));
	return buf;
}

/* /sys/block/<name>/queue/io_poll: 1, 0, or -1 if unreadable. */
static inline int xr_dev_io_poll(const char *name)
{
	char path[128], buf[16];

	snprintf(path, sizeof(path), "/sys/block/%s/queue/io_poll", name);
	if (xr_read_file(path, buf, sizeof(buf)) <= 0)
		return -1;
	return buf[0] == '1' ? 1 : buf[0] == '0' ? 0 : -1;
}

/*
 * Interrupts so far on every CPU from the lines of /proc/interrupts
 * whose name starts with prefix, leaving out the one named exactly skip
 * (an NVMe admin queue); -1 if no such line.
 */
static inline long long xr_irq_count(const char *prefix, const char *skip)
{
	char line[1024];
	long long total = -1;
	FILE *f = fopen("/proc/interrupts", "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *name = strrchr(line, ' '), *p, *end;

		if (!name)
			continue;
		name++;
		name[strcspn(name, "\n")] = '\0';
		if (strncmp(name, prefix, strlen(prefix)) ||
		    (skip && !strcmp(name, skip)))
			continue;
		/* " 24:  16  0  PCI-MSI ...": counts follow the colon */
		p = strchr(line, ':');
		if (!p)
			continue;
		if (total < 0)
			total = 0;
		for (p++;; p = end) {
			long long v = strtoll(p, &end, 10);

			if (end == p)
				break;
			total += v;
		}
	}
	fclose(f);
	return total;
}

/*
 * Requests in flight on a block device's poll queues (the "busy=" of
 * each hctx whose type is "poll", in blk-mq's debugfs), or -1 where
 * debugfs does not show them.
 */
static inline int xr_poll_queue_busy(const char *name)
{
	char dir[128], path[512], buf[512];
	struct dirent *de;
	int total = -1;
	DIR *d;

	snprintf(dir, sizeof(dir), "/sys/kernel/debug/block/%s", name);
	d = opendir(dir);
	if (!d)
		return -1;
	while ((de = readdir(d))) {
		char *busy;

		if (strncmp(de->d_name, "hctx", 4))
			continue;
		snprintf(path, sizeof(path), "%s/%s/type", dir, de->d_name);
		if (xr_read_file(path, buf, sizeof(buf)) <= 0 ||
		    strncmp(buf, "poll", 4))
			continue;
		snprintf(path, sizeof(path), "%s/%s/tags", dir, de->d_name);
		if (xr_read_file(path, buf, sizeof(buf)) <= 0)
			continue;
		busy = strstr(buf, "busy=");
		if (!busy)
			continue;
		if (total < 0)
			total = 0;
		total += atoi(busy + 5);
	}
	closedir(d);
	return total;
}

#endif /* XURING_POLL_H */
