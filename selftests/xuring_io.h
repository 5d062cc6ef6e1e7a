/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers for the selftests of the file I/O engine, on top of
 * xuring_test.h: SQE preparation for the read/write/sync ops, bounded
 * waits for CQEs, a position-dependent data pattern, scratch files on the
 * file systems the VM provides, the module's counters, and child process
 * handling.
 *
 * The pattern makes every byte depend on its file offset and a seed, so a
 * block written to or read from the wrong place, or a stale block, shows up
 * in a byte-for-byte comparison.
 */
#ifndef XURING_IO_H
#define XURING_IO_H

#include <grp.h>
#include <limits.h>
#include <sys/resource.h>
#include <sys/uio.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <linux/fs.h>
#include <linux/magic.h>

#include "xuring_test.h"

/* Generous: the VM is an emulated (TCG) machine with two vCPUs. */
#define XR_IO_TIMEOUT_MS	20000

#define XR_SYSFS_DIR		"/sys/class/misc/xuring"

/* ------------------------------------------------------------------ SQEs */

static inline void xr_prep_rw(struct xuring_sqe *sqe, __u8 opcode, int fd,
			      const void *addr, __u32 len, __u64 off,
			      __u64 user_data)
{
	memset(sqe, 0, sizeof(*sqe));
	sqe->opcode = opcode;
	sqe->fd = fd;
	sqe->addr = (uintptr_t)addr;
	sqe->len = len;
	sqe->off = off;
	sqe->user_data = user_data;
}

static inline void xr_prep_fixed(struct xuring_sqe *sqe, __u8 opcode, int fd,
				 const void *addr, __u32 len, __u64 off,
				 __u16 buf_index, __u64 user_data)
{
	xr_prep_rw(sqe, opcode, fd, addr, len, off, user_data);
	sqe->buf_index = buf_index;
}

static inline void xr_prep_fsync(struct xuring_sqe *sqe, int fd,
				 __u32 fsync_flags, __u64 user_data)
{
	xr_prep_rw(sqe, XURING_OP_FSYNC, fd, NULL, 0, 0, user_data);
	sqe->fsync_flags = fsync_flags;
}

/* In a harness test: the next SQE, or fail the test if the SQ is full. */
#define XR_GET_SQE(sqe, r) do {						\
	(sqe) = xr_get_sqe(r);						\
	ASSERT_NE(NULL, (sqe)) TH_LOG("SQ full");			\
} while (0)

/* ------------------------------------------------------------- reaping */

/*
 * Reap one CQE, waiting at most timeout_ms for it: 0, -ETIME when none
 * came, or the -errno of ENTER.
 */
static inline int xr_wait_cqe_ms(struct xr_ring *r, struct xuring_cqe *cqe,
				 unsigned int timeout_ms)
{
	__u64 start = xr_now_ns();

	while (!xr_reap_cqe(r, cqe)) {
		__u64 spent = xr_ms_since(start);
		__u64 left;
		struct __kernel_timespec ts;
		struct xuring_getevents_arg arg = {
			.ts = (uintptr_t)&ts,
		};
		int ret;

		if (spent >= timeout_ms)
			return -ETIME;
		left = timeout_ms - spent;
		ts.tv_sec = left / 1000;
		ts.tv_nsec = (left % 1000) * 1000000;
		ret = xr_enter(r->fd, 0, 1,
			       XURING_ENTER_GETEVENTS | XURING_ENTER_EXT_ARG,
			       &arg, sizeof(arg));
		if (ret < 0 && ret != -ETIME && ret != -EINTR)
			return ret;
	}
	return 0;
}

/*
 * Reap n CQEs into out[] in completion order; returns how many came.
 * Each must be a request's in flight, and so must whatever else waits in
 * the CQ afterwards (xr_cq_audit()).
 */
static inline unsigned int xr_reap_n(struct xr_ring *r,
				     struct xuring_cqe *out, unsigned int n,
				     unsigned int timeout_ms)
{
	__u64 start = xr_now_ns();
	unsigned int got = 0;

	while (got < n) {
		__u64 spent = xr_ms_since(start);

		if (spent >= timeout_ms)
			break;
		if (xr_wait_cqe_ms(r, &out[got], timeout_ms - spent))
			break;
		got++;
	}
	xr_cq_audit(r, "after xr_reap_n()");
	return got;
}

/*
 * The one CQE reaped for the SQE just submitted must carry its
 * user_data, and nothing but other requests' CQEs may wait behind it:
 * res, or INT_MIN with the reason on stderr.
 */
static inline int xr_check_one(struct xr_ring *r,
			       const struct xuring_cqe *cqe, __u64 ud)
{
	if (cqe->user_data != ud) {
		fprintf(stderr, "# xuring: ring fd %d: CQE user_data %#llx res %d, but the request submitted was %#llx\n",
			r->fd, (unsigned long long)cqe->user_data, cqe->res,
			(unsigned long long)ud);
		return INT_MIN;
	}
	xr_cq_audit(r, "after the CQE of a single request");
	return cqe->res;
}

/*
 * Submit the one SQE queued and reap its CQE: its res, or INT_MIN (never
 * a valid res) if the submission or the wait failed, or the CQE was not
 * that SQE's (xr_check_one()).
 */
static inline int xr_run_one(struct xr_ring *r, struct xuring_cqe *cqe)
{
	struct xuring_cqe dummy;
	__u64 ud = xr_last_sqe_ud(r);

	if (!cqe)
		cqe = &dummy;
	if (xr_submit(r) != 1)
		return INT_MIN;
	if (xr_wait_cqe_ms(r, cqe, XR_IO_TIMEOUT_MS))
		return INT_MIN;
	return xr_check_one(r, cqe, ud);
}

/* No CQE shows up within ms milliseconds. */
static inline bool xr_no_cqe_for_ms(struct xr_ring *r, unsigned int ms)
{
	__u64 start = xr_now_ns();

	while (xr_ms_since(start) < ms) {
		if (xr_cq_ready(r))
			return false;
		xr_sleep_ms(10);
	}
	return !xr_cq_ready(r);
}

/* A NOP goes through: the ring still works after whatever came before. */
static inline bool xr_nop_works(struct xr_ring *r)
{
	struct xuring_cqe cqe;

	if (!xr_queue_nop(r, xr_ud()))
		return false;
	return xr_run_one(r, &cqe) == 0 && cqe.flags == 0;
}

/* ------------------------------------------------------------- pattern */

static inline uint64_t xr_mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

/* The byte the pattern seeded with seed has at file offset off. */
static inline uint8_t xr_pattern_byte(uint64_t off, uint32_t seed)
{
	uint64_t w = xr_mix64((off >> 3) ^ ((uint64_t)seed << 40));

	return w >> ((off & 7) * 8);
}

/* Fill buf with the pattern of the file range [off, off + len). */
static inline void xr_fill_pattern(void *buf, size_t len, uint64_t off,
				   uint32_t seed)
{
	unsigned char *p = buf;
	uint64_t word = UINT64_MAX, w = 0;
	size_t i;

	for (i = 0; i < len; i++) {
		uint64_t o = off + i;

		if (o >> 3 != word) {
			word = o >> 3;
			w = xr_mix64(word ^ ((uint64_t)seed << 40));
		}
		p[i] = w >> ((o & 7) * 8);
	}
}

/*
 * Check buf against the pattern of [off, off + len): the index of the first
 * wrong byte, or -1 if all are right.
 */
static inline long xr_pattern_mismatch(const void *buf, size_t len,
				       uint64_t off, uint32_t seed)
{
	const unsigned char *p = buf;
	uint64_t word = UINT64_MAX, w = 0;
	size_t i;

	for (i = 0; i < len; i++) {
		uint64_t o = off + i;

		if (o >> 3 != word) {
			word = o >> 3;
			w = xr_mix64(word ^ ((uint64_t)seed << 40));
		}
		if (p[i] != (unsigned char)(w >> ((o & 7) * 8)))
			return i;
	}
	return -1;
}

/* The index of the first byte that is not c, or -1. */
static inline long xr_mismatch_byte(const void *buf, size_t len, int c)
{
	const unsigned char *p = buf;
	size_t i;

	for (i = 0; i < len; i++) {
		if (p[i] != (unsigned char)c)
			return i;
	}
	return -1;
}

/*
 * Assert (in a harness test) that buf holds the pattern of [off, off+len),
 * naming the first wrong byte.
 */
#define XR_ASSERT_PATTERN(buf, len, off, seed) do {			\
	long __bad = xr_pattern_mismatch((buf), (len), (off), (seed));	\
	if (__bad >= 0)							\
		TH_LOG("byte %ld of [%llu, +%zu): got 0x%02x, want 0x%02x", \
		       __bad, (unsigned long long)(off), (size_t)(len),	\
		       ((const unsigned char *)(buf))[__bad],		\
		       xr_pattern_byte((off) + __bad, (seed)));		\
	ASSERT_EQ(-1, __bad);						\
} while (0)

/* --------------------------------------------------------------- memory */

/* Page-aligned anonymous memory (O_DIRECT wants 4096 alignment). */
static inline void *xr_alloc(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

static inline void xr_free(void *p, size_t len)
{
	if (p)
		munmap(p, len);
}

/* An address with nothing mapped behind it. */
static inline void *xr_unmapped_addr(void)
{
	size_t page = sysconf(_SC_PAGESIZE);
	void *p = mmap(NULL, 4 * page, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	munmap(p, 4 * page);
	return (char *)p + page;
}

/* ----------------------------------------------------------------- files */

/* The value of an environment variable naming a path, or NULL. */
static inline const char *xr_env_path(const char *name)
{
	const char *v = getenv(name);

	if (!v || !*v || access(v, F_OK))
		return NULL;
	return v;
}

/*
 * Create a scratch file in dir, open with flags (plus O_CREAT | O_EXCL),
 * and unlink it at once: the fd is all that is left. -errno on failure.
 * If other_fd is given, *other_fd is a second open of the same file with
 * other_flags (for read-only / write-only variants).
 */
static inline int xr_scratch_file2(const char *dir, int flags, int *other_fd,
				   int other_flags)
{
	static unsigned int seq;
	char path[4096];
	int fd, err;

	snprintf(path, sizeof(path), "%s/xuring-io-%d-%u", dir, getpid(),
		 seq++);
	fd = open(path, flags | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	if (other_fd) {
		*other_fd = open(path, other_flags | O_CLOEXEC);
		if (*other_fd < 0) {
			err = -errno;
			close(fd);
			unlink(path);
			return err;
		}
	}
	unlink(path);
	return fd;
}

static inline int xr_scratch_file(const char *dir, int flags)
{
	return xr_scratch_file2(dir, flags, NULL, 0);
}

/* Where scratch regular files go: ext4 if the VM gave one, else tmpfs. */
static inline const char *xr_scratch_dir(void)
{
	const char *dir = xr_env_path("XURING_EXT4_DIR");

	return dir ? dir : xr_env_path("XURING_TMPDIR");
}

/* A scratch regular file in xr_scratch_dir(), or SKIP the test. */
#define XR_OPEN_SCRATCH(fd, flags) do {					\
	const char *__dir = xr_scratch_dir();				\
	if (!__dir)							\
		SKIP(return, "neither XURING_EXT4_DIR nor XURING_TMPDIR"); \
	fd = xr_scratch_file(__dir, (flags));				\
	ASSERT_LE(0, fd) TH_LOG("scratch file in %s: %s", __dir,	\
				strerror(-fd));				\
} while (0)

/* pwrite/pread all of it, or false. */
static inline bool xr_pwrite_all(int fd, const void *buf, size_t len,
				 off_t off)
{
	const char *p = buf;

	while (len) {
		ssize_t n = pwrite(fd, p, len, off);

		if (n <= 0)
			return false;
		p += n;
		len -= n;
		off += n;
	}
	return true;
}

static inline bool xr_pread_all(int fd, void *buf, size_t len, off_t off)
{
	char *p = buf;

	while (len) {
		ssize_t n = pread(fd, p, len, off);

		if (n <= 0)
			return false;
		p += n;
		len -= n;
		off += n;
	}
	return true;
}

/*
 * Make the next read of [off, off + len) of fd come from the storage
 * below the page cache: write the dirty pages back, drop the file's clean
 * ones (POSIX_FADV_DONTNEED), and check with mincore() that none of the
 * range is left. Data a write put only in the page cache, or in the wrong
 * pages, then shows in the comparison that follows. tmpfs keeps its
 * data in those pages: nothing to drop there. 0, or -errno (-EBUSY:
 * pages stayed in the cache).
 */
static inline int xr_drop_cache(int fd, off_t off, size_t len)
{
	size_t page = sysconf(_SC_PAGESIZE);
	off_t start = off & ~(off_t)(page - 1);
	size_t span = (off - start + len + page - 1) & ~(page - 1);
	unsigned int tries;
	struct statfs sfs;
	unsigned char *vec;
	int ret = -EBUSY;

	if (fdatasync(fd) || fstatfs(fd, &sfs))
		return -errno;
	if (sfs.f_type == TMPFS_MAGIC || !len)
		return 0;
	vec = malloc(span / page);
	if (!vec)
		return -ENOMEM;
	/* a page under writeback stays: wait it out a little */
	for (tries = 0; tries < 20 && ret == -EBUSY; tries++) {
		void *map;
		size_t i;

		if (tries)
			xr_sleep_ms(10);
		/*
		 * The whole file: DONTNEED drops only the folios wholly
		 * inside its range, and newer kernels (7.x on ext4) cache
		 * files in folios larger than a page.
		 */
		ret = -posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
		if (ret)
			break;
		/* not populated: mincore() sees what the cache holds */
		map = mmap(NULL, span, PROT_READ, MAP_SHARED, fd, start);
		if (map == MAP_FAILED) {
			ret = -errno;
			break;
		}
		if (mincore(map, span, vec))
			ret = -errno;
		for (i = 0; !ret && i < span / page; i++) {
			if (vec[i] & 1)
				ret = -EBUSY;
		}
		munmap(map, span);
	}
	free(vec);
	return ret;
}

/* In a harness test: xr_drop_cache() or fail, naming the error. */
#define XR_DROP_CACHE(fd, off, len) do {				\
	int __err = xr_drop_cache((fd), (off), (len));			\
	ASSERT_EQ(0, __err) TH_LOG("dropping [%llu, +%zu) from the page cache: %s", \
				   (unsigned long long)(off), (size_t)(len), \
				   strerror(-__err));			\
} while (0)

/* Size of a block device, or -errno. */
static inline long long xr_blkdev_size(int fd)
{
	unsigned long long size;

	if (ioctl(fd, BLKGETSIZE64, &size))
		return -errno;
	return size;
}

/* ------------------------------------------------------------ counters */

/* /sys/class/misc/xuring/<name>, or -1 if it cannot be read. */
static inline long xr_counter(const char *name)
{
	char path[128], buf[64];

	snprintf(path, sizeof(path), XR_SYSFS_DIR "/%s", name);
	if (xr_read_file(path, buf, sizeof(buf)) <= 0)
		return -1;
	return strtol(buf, NULL, 10);
}

struct xr_counters {
	long rings, requests, workers, pinned_pages;
};

static inline bool xr_read_counters(struct xr_counters *c)
{
	c->rings = xr_counter("rings");
	c->requests = xr_counter("requests");
	c->workers = xr_counter("workers");
	c->pinned_pages = xr_counter("pinned_pages");
	return c->rings >= 0 && c->requests >= 0 && c->workers >= 0 &&
	       c->pinned_pages >= 0;
}

/*
 * Poll until the counters are back where they were, or below: rings,
 * requests and pinned pages within timeout_ms, io-wq workers and SQ
 * threads (whose teardown may wait for their idle timeout) within
 * workers_ms. Below, because the baseline may include a ring an earlier
 * test closed and whose teardown was still running; what a test leaks
 * keeps the counters above it (and the runner checks them at zero after
 * every program). False, with *now filled in, if they did not get there.
 */
static inline bool xr_counters_settle(const struct xr_counters *base,
				      struct xr_counters *now,
				      unsigned int timeout_ms,
				      unsigned int workers_ms)
{
	__u64 start = xr_now_ns();

	for (;;) {
		bool ok;

		if (!xr_read_counters(now))
			return false;
		ok = now->rings <= base->rings &&
		     now->requests <= base->requests &&
		     now->pinned_pages <= base->pinned_pages;
		if (ok && now->workers <= base->workers)
			return true;
		if (!ok && xr_ms_since(start) >= timeout_ms)
			return false;
		if (xr_ms_since(start) >= workers_ms)
			return false;
		xr_sleep_ms(50);
	}
}

/* In a harness test: everything the test created is gone again. */
#define XR_ASSERT_COUNTERS_SETTLE(base) do {				\
	struct xr_counters __now;					\
	bool __ok = xr_counters_settle((base), &__now, 10000, 15000);	\
	if (!__ok)							\
		TH_LOG("rings %ld->%ld requests %ld->%ld pinned %ld->%ld " \
		       "workers %ld->%ld", (base)->rings, __now.rings,	\
		       (base)->requests, __now.requests,		\
		       (base)->pinned_pages, __now.pinned_pages,	\
		       (base)->workers, __now.workers);			\
	ASSERT_TRUE(__ok);						\
} while (0)

/* In a harness test: the counters before it starts, or SKIP. */
#define XR_READ_BASELINE(base) do {					\
	if (!xr_read_counters(base))					\
		SKIP(return, "no counters in " XR_SYSFS_DIR);		\
} while (0)

struct xr_iowq_state {
	unsigned int workers, idle, max, queued;
};

/*
 * The "IoWq<cls>:" line of a ring's fdinfo (cls "bound" or "unbound"),
 * for a ring of this process; false if there is none.
 */
static inline bool xr_fdinfo_iowq(int ring_fd, const char *cls,
				  struct xr_iowq_state *st)
{
	char path[64], key[32], line[256];
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", ring_fd);
	snprintf(key, sizeof(key), "IoWq%s:", cls);
	f = fopen(path, "re");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, key, strlen(key)))
			continue;
		found = sscanf(line + strlen(key),
			       " workers=%u idle=%u max=%u queued=%u",
			       &st->workers, &st->idle, &st->max,
			       &st->queued) == 4;
		break;
	}
	fclose(f);
	return found;
}

/*
 * The number of the "Key: <n>..." line of a file like /proc/meminfo or
 * an fdinfo, or -1.
 */
static inline long xr_file_key_value(const char *path, const char *key)
{
	char line[256];
	size_t klen = strlen(key);
	long val = -1;
	FILE *f = fopen(path, "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, key, klen) && line[klen] == ':') {
			val = strtol(line + klen + 1, NULL, 10);
			break;
		}
	}
	fclose(f);
	return val;
}

/* A "Key:\t<n> kB" line of /proc/self/status, in kB, or -1. */
static inline long xr_status_kb(const char *key)
{
	return xr_file_key_value("/proc/self/status", key);
}

/* ---------------------------------------------------- module parameters */

#define XR_PARAM_DIR		"/sys/module/xuring/parameters"

/* A module parameter's value without its newline: the length, or -1. */
static inline ssize_t xr_param_read(const char *name, char *buf, size_t size)
{
	char path[128];
	ssize_t n;

	snprintf(path, sizeof(path), XR_PARAM_DIR "/%s", name);
	n = xr_read_file(path, buf, size);
	if (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	return n;
}

/* Set a module parameter (root only), as echo would: 0 or -errno. */
static inline int xr_param_write(const char *name, const char *value)
{
	char path[128], line[4096];
	ssize_t len, n;
	int fd, err;

	snprintf(path, sizeof(path), XR_PARAM_DIR "/%s", name);
	len = snprintf(line, sizeof(line), "%s\n", value);
	if (len >= (ssize_t)sizeof(line))
		return -E2BIG;
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, line, len);
	err = errno;
	close(fd);
	if (n < 0)
		return -err;
	return n == len ? 0 : -EIO;
}

/* --------------------------------------------------------------- children */

/*
 * Wait for a child at most timeout_ms: its wait status, or -ETIME after
 * killing it (and reaping it) when it did not finish in time.
 */
static inline int xr_wait_child_ms(pid_t pid, unsigned int timeout_ms)
{
	__u64 start = xr_now_ns();
	int status;

	for (;;) {
		pid_t ret = waitpid(pid, &status, WNOHANG);

		if (ret == pid)
			return status;
		if (ret < 0)
			return -errno;
		if (xr_ms_since(start) >= timeout_ms)
			break;
		xr_sleep_ms(5);
	}
	/* a child stuck in the kernel may not die: do not wait forever */
	kill(pid, SIGKILL);
	start = xr_now_ns();
	while (waitpid(pid, &status, WNOHANG) == 0 &&
	       xr_ms_since(start) < 1000)
		xr_sleep_ms(5);
	return -ETIME;
}

/* Become user and group 65534 with no capabilities (from root). */
static inline int xr_become_nobody(void)
{
	struct stat st;
	gid_t grp;

	/* keep access to the device the way it is granted: by its group */
	if (stat(XURING_DEVICE_PATH, &st))
		return -errno;
	grp = st.st_gid;
	if (setgroups(1, &grp) || setgid(65534) || setuid(65534))
		return -errno;
	return 0;
}

#endif /* XURING_IO_H */
