/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Raw helpers for the xuring selftests: open /dev/xuring, set up a ring,
 * map its three regions, fill SQEs, submit and reap. No liburing: these
 * tests check the ABI itself, so they speak it directly.
 *
 * Ring protocol, as in io_uring: the application owns the SQ tail and the
 * CQ head, the kernel the SQ head and the CQ tail. Each side publishes its
 * index with a store-release after writing the entries it covers, and
 * reads the other side's index with a load-acquire before reading entries.
 *
 * Helpers return 0 or a count on success and -errno on failure, so a test
 * can say ASSERT_EQ(-EINVAL, xr_setup(...)).
 */
#ifndef XURING_TEST_H
#define XURING_TEST_H

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <linux/xuring.h>

#include "kselftest.h"

/* The kernel's sigset_t, which ENTER's sigmask is: not glibc's 128 bytes. */
#define XR_KERNEL_SIGSET_SIZE	(_NSIG / 8)

/* A ring set up and mapped by xr_ring_init(). */
struct xr_ring {
	int fd;
	struct xuring_params p;

	void *sq_ring;
	size_t sq_ring_size;
	void *cq_ring;
	size_t cq_ring_size;
	struct xuring_sqe *sqes;
	size_t sqes_size;

	/* the SQ ring, at p.sq_off in sq_ring */
	unsigned int *sq_head;
	unsigned int *sq_tail;
	unsigned int *sq_ring_mask;
	unsigned int *sq_ring_entries;
	unsigned int *sq_flags;
	unsigned int *sq_dropped;
	unsigned int *sq_array;

	/* the CQ ring, at p.cq_off in cq_ring */
	unsigned int *cq_head;
	unsigned int *cq_tail;
	unsigned int *cq_ring_mask;
	unsigned int *cq_ring_entries;
	unsigned int *cq_overflow;
	unsigned int *cq_flags;
	struct xuring_cqe *cqes;

	/* SQEs handed out by xr_get_sqe(), published by xr_flush_sq() */
	unsigned int sqe_tail;

	/* what is in flight, by user_data (see "exactly once" below) */
	struct xr_track *track;
	bool untracked;
};

/*
 * Whether the running kernel is MAJOR.MINOR or newer: where io_uring's
 * behaviour, and so xuring's, changed between kernels (include/compat.h).
 */
static inline bool xr_kernel_since(unsigned int major, unsigned int minor)
{
	unsigned int kmajor = 0, kminor = 0;
	struct utsname u;

	if (uname(&u) || sscanf(u.release, "%u.%u", &kmajor, &kminor) != 2)
		return false;
	return kmajor > major || (kmajor == major && kminor >= minor);
}

static inline unsigned int xr_load_acquire(const unsigned int *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static inline void xr_store_release(unsigned int *p, unsigned int v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

static inline int xr_errno_ret(int ret)
{
	return ret < 0 ? -errno : ret;
}

static inline __u64 xr_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static inline __u64 xr_ms_since(__u64 start_ns)
{
	return (xr_now_ns() - start_ns) / 1000000;
}

static inline void xr_sleep_ms(unsigned int ms)
{
	struct timespec ts = {
		.tv_sec = ms / 1000,
		.tv_nsec = (long)(ms % 1000) * 1000000L,
	};

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* ------------------------------------------------------------ exactly once */

/*
 * Every request a test submits carries a user_data that no other request
 * of the test program carries, from xr_ud(): "XR" in the top 16 bits, a
 * counter below. The counter lives in a mapping shared by every process
 * of the program (made before the harness forks its tests), so the
 * tests and the children they fork never hand out the same value twice,
 * and a zeroed CQE, or one left over from an earlier request, never
 * matches a request in flight.
 */
#define XR_UD_TAG	0x5852000000000000ULL

static __u64 *xr_ud_next_p;

static void __attribute__((constructor)) xr_ud_setup(void)
{
	static __u64 private_next;
	void *p = mmap(NULL, sizeof(__u64), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	xr_ud_next_p = p == MAP_FAILED ? &private_next : p;
	*xr_ud_next_p = 1;
}

/* n user_data values never handed out before: base, base + 1, ... */
static inline __u64 xr_ud_block(unsigned int n)
{
	return XR_UD_TAG |
	       __atomic_fetch_add(xr_ud_next_p, n, __ATOMIC_RELAXED);
}

/* A user_data value never handed out before. */
static inline __u64 xr_ud(void)
{
	return xr_ud_block(1);
}

/* i when ud is the i-th of the n values from base, else -1. */
static inline long xr_ud_index(__u64 ud, __u64 base, unsigned int n)
{
	return ud - base < n ? (long)(ud - base) : -1;
}

/*
 * What a ring has in flight, by user_data. xr_flush_sq() adds the
 * user_data of every SQE it publishes (before the kernel can see the
 * SQE), xr_reap_cqe() takes away that of every CQE it consumes. A CQE
 * whose user_data is not in flight is a second completion of a request
 * already reaped, or the completion of something this ring never
 * submitted; so is a CQE more for one user_data than are in flight
 * waiting in the CQ. An SQE published with an xr_ud() value already in
 * flight would make the two requests indistinguishable. Each of these
 * ends the test at once (abort(), after a "# xuring: ..." line saying
 * what was seen), whichever helper met it: no test can overlook it.
 * (A user_data chosen by hand may be in flight more than once; its CQEs
 * are then counted, not told apart. Tests use xr_ud().)
 *
 * An open-addressing hash table in a shared mapping, like the ring
 * itself, so that a forked child and its parent keep one account. A
 * robust process-shared mutex guards it: a thread may submit while
 * another reaps, and a child may be killed anywhere.
 */
struct xr_track_slot {
	__u64 ud;
	__u32 used;	/* requests in flight with this user_data */
	__u32 in_cq;	/* counted while xr_cq_audit() walks the CQ */
};

struct xr_track {
	pthread_mutex_t lock;
	size_t map_size;
	unsigned int mask;
	unsigned int inflight;	/* slots used: user_data values in flight */
	__u64 submitted;
	struct xr_track_slot slot[];
};

/* How long a late duplicate CQE gets to show up before a ring goes. */
#define XR_LATE_CQE_MS	20

/*
 * The most slots a table may grow to. The mapping reserves room for all
 * of them (MAP_NORESERVE: only the pages in use take memory), so that it
 * can grow where every process sharing it sees it.
 */
#define XR_TRACK_MAX_SLOTS	(1U << 20)

/* Room for the SQ and CQ twice over; more as a CQ overflow backlog grows. */
static inline struct xr_track *xr_track_new(unsigned int sq_entries,
					    unsigned int cq_entries)
{
	unsigned int slots = 256;
	pthread_mutexattr_t attr;
	struct xr_track *t;
	size_t size;

	while (slots < 2 * (sq_entries + cq_entries) &&
	       slots < XR_TRACK_MAX_SLOTS)
		slots *= 2;
	size = sizeof(*t) + XR_TRACK_MAX_SLOTS * sizeof(t->slot[0]);
	t = mmap(NULL, size, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (t == MAP_FAILED)
		return NULL;
	t->map_size = size;
	t->mask = slots - 1;
	pthread_mutexattr_init(&attr);
	pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
	pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
	pthread_mutex_init(&t->lock, &attr);
	pthread_mutexattr_destroy(&attr);
	return t;
}

static inline void xr_track_lock(struct xr_track *t)
{
	/* the holder died (SIGKILL): the table was consistent between ops */
	if (pthread_mutex_lock(&t->lock) == EOWNERDEAD)
		pthread_mutex_consistent(&t->lock);
}

static inline void xr_track_unlock(struct xr_track *t)
{
	pthread_mutex_unlock(&t->lock);
}

static inline unsigned int xr_track_home(const struct xr_track *t, __u64 ud)
{
	ud ^= ud >> 33;
	ud *= 0xff51afd7ed558ccdULL;
	ud ^= ud >> 33;
	return ud & t->mask;
}

/* The slot holding ud, or -1. */
static inline long xr_track_find(const struct xr_track *t, __u64 ud)
{
	unsigned int i = xr_track_home(t, ud);

	for (; t->slot[i].used; i = (i + 1) & t->mask) {
		if (t->slot[i].ud == ud)
			return i;
	}
	return -1;
}

/* A free slot for ud, which is not in the table. */
static inline unsigned int xr_track_free_slot(const struct xr_track *t,
					      __u64 ud)
{
	unsigned int i = xr_track_home(t, ud);

	while (t->slot[i].used)
		i = (i + 1) & t->mask;
	return i;
}

/* Twice the slots, when 3/4 are used; false at the limit. */
static inline bool xr_track_grow(struct xr_track *t)
{
	unsigned int old = t->mask + 1, i, n = 0;
	struct xr_track_slot *keep;

	if (old * 2 > XR_TRACK_MAX_SLOTS)
		return false;
	keep = malloc(t->inflight * sizeof(*keep));
	if (!keep)
		return false;
	for (i = 0; i < old; i++) {
		if (t->slot[i].used)
			keep[n++] = t->slot[i];
	}
	memset(t->slot, 0, old * sizeof(t->slot[0]));
	t->mask = old * 2 - 1;
	for (i = 0; i < n; i++)
		t->slot[xr_track_free_slot(t, keep[i].ud)] = keep[i];
	free(keep);
	return true;
}

/* Empty slot i, moving back what probed past it (no tombstones). */
static inline void xr_track_remove(struct xr_track *t, unsigned int i)
{
	unsigned int j = i;

	for (;;) {
		unsigned int home;

		j = (j + 1) & t->mask;
		if (!t->slot[j].used)
			break;
		home = xr_track_home(t, t->slot[j].ud);
		/* j's entry may fill i if i is not before its home slot */
		if (((j - home) & t->mask) >= ((j - i) & t->mask)) {
			t->slot[i] = t->slot[j];
			i = j;
		}
	}
	t->slot[i].used = 0;
	t->slot[i].in_cq = 0;
	t->inflight--;
}

/* Say what broke exactly-once, and end the test. */
static inline void __attribute__((format(printf, 2, 3), noreturn))
xr_track_fail(const struct xr_ring *r, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "# xuring: ring fd %d: ", r->fd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (%u user_data values in flight)\n",
		r->track ? r->track->inflight : 0);
	fflush(stderr);
	abort();
}

/* Account for the SQEs xr_flush_sq() is about to publish. */
static inline void xr_track_publish(struct xr_ring *r, unsigned int from,
				    unsigned int to)
{
	unsigned int mask = r->p.sq_entries - 1;
	struct xr_track *t;

	if (r->untracked)
		return;
	/* a ring mapped by hand rather than by xr_ring_init() */
	if (!r->track) {
		r->track = xr_track_new(r->p.sq_entries, r->p.cq_entries);
		if (!r->track)
			xr_track_fail(r, "no memory to track requests");
	}
	t = r->track;
	xr_track_lock(t);
	for (; from != to; from++) {
		__u64 ud = r->sqes[from & mask].user_data;
		long found = xr_track_find(t, ud);

		if (found >= 0 && (ud & ~0xffffffffffffULL) == XR_UD_TAG) {
			xr_track_unlock(t);
			xr_track_fail(r, "SQE with user_data %#llx published while a request with it is in flight",
				      (unsigned long long)ud);
		}
		t->submitted++;
		if (found >= 0) {
			t->slot[found].used++;
			continue;
		}
		if (t->inflight >= (t->mask + 1) / 4 * 3 && !xr_track_grow(t)) {
			xr_track_unlock(t);
			xr_track_fail(r, "no room to track more user_data in flight");
		}
		found = xr_track_free_slot(t, ud);
		t->slot[found].ud = ud;
		t->slot[found].used = 1;
		t->inflight++;
	}
	xr_track_unlock(t);
}

/*
 * Every CQE waiting in the CQ belongs to a request in flight, and no
 * two of them to the same one; where names the moment for the message.
 * Consumes nothing. Under the table's lock.
 */
static inline void xr_cq_audit_locked(struct xr_ring *r, const char *where)
{
	struct xr_track *t = r->track;
	unsigned int head = *r->cq_head;
	unsigned int tail = xr_load_acquire(r->cq_tail);
	unsigned int pos;

	for (pos = head; pos != tail; pos++) {
		const struct xuring_cqe *cqe =
			&r->cqes[pos & (r->p.cq_entries - 1)];
		long i = xr_track_find(t, cqe->user_data);

		if (i < 0 || t->slot[i].in_cq == t->slot[i].used) {
			xr_track_unlock(t);
			xr_track_fail(r, "%s: CQE %u of %u waiting (user_data %#llx res %d) is %s",
				      where, pos - head + 1, tail - head,
				      (unsigned long long)cqe->user_data,
				      cqe->res, i < 0 ?
				      "of no request in flight" :
				      "a second CQE for its request");
		}
		t->slot[i].in_cq++;
	}
	for (pos = head; pos != tail; pos++)
		t->slot[xr_track_find(t, r->cqes[pos & (r->p.cq_entries - 1)]
				      .user_data)].in_cq = 0;
}

static inline void xr_cq_audit(struct xr_ring *r, const char *where)
{
	if (!r->track || !r->cq_ring)
		return;
	xr_track_lock(r->track);
	xr_cq_audit_locked(r, where);
	xr_track_unlock(r->track);
}

/*
 * A CQE was consumed: its request must have been in flight. When that
 * was the last request in flight, nothing may wait in the CQ either: a
 * cheap audit, and the one that matters after a single request.
 */
static inline void xr_track_retire(struct xr_ring *r,
				   const struct xuring_cqe *cqe)
{
	struct xr_track *t = r->track;
	long i;

	xr_track_lock(t);
	i = xr_track_find(t, cqe->user_data);
	if (i < 0) {
		xr_track_unlock(t);
		xr_track_fail(r, "CQE user_data %#llx res %d flags %#x matches no request in flight: a second completion, or one of nothing submitted",
			      (unsigned long long)cqe->user_data, cqe->res,
			      cqe->flags);
	}
	if (!--t->slot[i].used)
		xr_track_remove(t, i);
	if (!t->inflight)
		xr_cq_audit_locked(r, "with nothing in flight");
	xr_track_unlock(t);
}

/*
 * Before a ring that ran requests goes: give a late duplicate CQE the
 * moment it needs to show up, then audit the CQ.
 */
static inline void xr_ring_settle(struct xr_ring *r)
{
	if (!r->track || !r->cq_ring || !r->track->submitted)
		return;
	xr_sleep_ms(XR_LATE_CQE_MS);
	xr_cq_audit(r, "at the end");
}

/*
 * For a ring this process maps but another one submits to (received
 * with SCM_RIGHTS, say): the other process's requests are not in this
 * process's account, so their CQEs cannot be checked here.
 */
static inline void xr_track_off(struct xr_ring *r)
{
	if (r->track)
		munmap(r->track, r->track->map_size);
	r->track = NULL;
	r->untracked = true;
}

/*
 * Programs whose every test needs the device skip as a whole when it is
 * absent (the module is not loaded), the kselftest way.
 */
static inline void xr_require_device(void)
{
	if (access(XURING_DEVICE_PATH, F_OK) == 0)
		return;
	ksft_print_header();
	ksft_exit_skip("%s: %s (is xuring.ko loaded?)\n", XURING_DEVICE_PATH,
		       strerror(errno));
}

#define XR_SKIP_ALL_WITHOUT_DEVICE()					\
	static void __attribute__((constructor)) xr_skip_without_device(void) \
	{								\
		xr_require_device();					\
	}

static inline int xr_open(void)
{
	return xr_errno_ret(open(XURING_DEVICE_PATH, O_RDWR | O_CLOEXEC));
}

/* An ioctl number for nr with an argument of size bytes, as userspace
 * built against a newer (or older) xuring.h would encode it. */
#define XR_IOC(nr, size)	_IOC(_IOC_WRITE, XURING_IOC_MAGIC, (nr), (size))

static inline int xr_ioctl(int fd, unsigned long cmd, void *arg)
{
	return xr_errno_ret(ioctl(fd, cmd, arg));
}

static inline int xr_setup(int fd, unsigned int entries,
			   struct xuring_params *p)
{
	struct xuring_setup_arg arg = {
		.entries = entries,
		.params = (uintptr_t)p,
	};

	return xr_ioctl(fd, XURING_IOC_SETUP, &arg);
}

static inline int xr_enter(int fd, unsigned int to_submit,
			   unsigned int min_complete, unsigned int flags,
			   const void *argp, size_t argsz)
{
	struct xuring_enter_arg arg = {
		.to_submit = to_submit,
		.min_complete = min_complete,
		.flags = flags,
		.arg = (uintptr_t)argp,
		.argsz = argsz,
	};

	return xr_ioctl(fd, XURING_IOC_ENTER, &arg);
}

static inline int xr_register(int fd, unsigned int opcode, void *argp,
			      unsigned int nr_args)
{
	struct xuring_register_arg arg = {
		.opcode = opcode,
		.nr_args = nr_args,
		.arg = (uintptr_t)argp,
	};

	return xr_ioctl(fd, XURING_IOC_REGISTER, &arg);
}

/* The region sizes io_uring_setup(2) documents for its mmap() calls. */
static inline size_t xr_sq_ring_bytes(const struct xuring_params *p)
{
	return p->sq_off.array + p->sq_entries * sizeof(__u32);
}

static inline size_t xr_cq_ring_bytes(const struct xuring_params *p)
{
	return p->cq_off.cqes + p->cq_entries * sizeof(struct xuring_cqe);
}

static inline size_t xr_sqes_bytes(const struct xuring_params *p)
{
	return p->sq_entries * sizeof(struct xuring_sqe);
}

static inline size_t xr_page_align(size_t size)
{
	size_t page = sysconf(_SC_PAGESIZE);

	return (size + page - 1) & ~(page - 1);
}

/* mmap() a region of a ring: the pointer, or NULL with errno set. */
static inline void *xr_mmap(int fd, size_t len, off_t offset)
{
	void *ptr = mmap(NULL, len, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_POPULATE, fd, offset);

	return ptr == MAP_FAILED ? NULL : ptr;
}

#define XR_AT(base, off)	((unsigned int *)((char *)(base) + (off)))

/* Point the ring's fields into its mappings. */
static inline void xr_ring_set_pointers(struct xr_ring *r)
{
	const struct xuring_params *p = &r->p;

	r->sq_head = XR_AT(r->sq_ring, p->sq_off.head);
	r->sq_tail = XR_AT(r->sq_ring, p->sq_off.tail);
	r->sq_ring_mask = XR_AT(r->sq_ring, p->sq_off.ring_mask);
	r->sq_ring_entries = XR_AT(r->sq_ring, p->sq_off.ring_entries);
	r->sq_flags = XR_AT(r->sq_ring, p->sq_off.flags);
	r->sq_dropped = XR_AT(r->sq_ring, p->sq_off.dropped);
	r->sq_array = XR_AT(r->sq_ring, p->sq_off.array);

	r->cq_head = XR_AT(r->cq_ring, p->cq_off.head);
	r->cq_tail = XR_AT(r->cq_ring, p->cq_off.tail);
	r->cq_ring_mask = XR_AT(r->cq_ring, p->cq_off.ring_mask);
	r->cq_ring_entries = XR_AT(r->cq_ring, p->cq_off.ring_entries);
	r->cq_overflow = XR_AT(r->cq_ring, p->cq_off.overflow);
	r->cq_flags = XR_AT(r->cq_ring, p->cq_off.flags);
	r->cqes = (struct xuring_cqe *)((char *)r->cq_ring + p->cq_off.cqes);

	r->sqe_tail = *r->sq_tail;
}

static inline void xr_ring_unmap(struct xr_ring *r)
{
	if (r->sq_ring)
		munmap(r->sq_ring, r->sq_ring_size);
	if (r->cq_ring)
		munmap(r->cq_ring, r->cq_ring_size);
	if (r->sqes)
		munmap(r->sqes, r->sqes_size);
	r->sq_ring = r->cq_ring = NULL;
	r->sqes = NULL;
}

/* Map the three regions separately, as a program ignoring SINGLE_MMAP. */
static inline int xr_ring_map(struct xr_ring *r)
{
	r->sq_ring_size = xr_sq_ring_bytes(&r->p);
	r->cq_ring_size = xr_cq_ring_bytes(&r->p);
	r->sqes_size = xr_sqes_bytes(&r->p);

	r->sq_ring = xr_mmap(r->fd, r->sq_ring_size, XURING_OFF_SQ_RING);
	if (!r->sq_ring)
		goto fail;
	r->cq_ring = xr_mmap(r->fd, r->cq_ring_size, XURING_OFF_CQ_RING);
	if (!r->cq_ring)
		goto fail;
	r->sqes = xr_mmap(r->fd, r->sqes_size, XURING_OFF_SQES);
	if (!r->sqes)
		goto fail;
	xr_ring_set_pointers(r);
	return 0;
fail:
	{
		int err = errno;

		xr_ring_unmap(r);
		return -err;
	}
}

/* Open, set up with *p as the parameters, and map a ring. */
static inline int xr_ring_init_params(struct xr_ring *r, unsigned int entries,
				      const struct xuring_params *p)
{
	int ret;

	memset(r, 0, sizeof(*r));
	r->fd = xr_open();
	if (r->fd < 0)
		return r->fd;
	r->p = *p;
	ret = xr_setup(r->fd, entries, &r->p);
	if (!ret)
		ret = xr_ring_map(r);
	if (!ret) {
		/* now, so that children forked from here share the account */
		r->track = xr_track_new(r->p.sq_entries, r->p.cq_entries);
		if (!r->track) {
			ret = -ENOMEM;
			xr_ring_unmap(r);
		}
	}
	if (ret) {
		close(r->fd);
		r->fd = -1;
	}
	return ret;
}

static inline int xr_ring_init(struct xr_ring *r, unsigned int entries,
			       unsigned int flags)
{
	struct xuring_params p = { .flags = flags };

	return xr_ring_init_params(r, entries, &p);
}

static inline void xr_ring_exit(struct xr_ring *r)
{
	xr_ring_settle(r);
	xr_ring_unmap(r);
	if (r->fd >= 0)
		close(r->fd);
	r->fd = -1;
	if (r->track)
		munmap(r->track, r->track->map_size);
	r->track = NULL;
}

/* The next free SQE, zeroed, or NULL when the SQ is full. */
static inline struct xuring_sqe *xr_get_sqe(struct xr_ring *r)
{
	unsigned int head = xr_load_acquire(r->sq_head);
	struct xuring_sqe *sqe;

	if (r->sqe_tail - head >= r->p.sq_entries)
		return NULL;
	sqe = &r->sqes[r->sqe_tail & (r->p.sq_entries - 1)];
	r->sqe_tail++;
	memset(sqe, 0, sizeof(*sqe));
	return sqe;
}

/* As liburing's io_uring_prep_nop(): fd -1, everything else zero. */
static inline void xr_prep_nop(struct xuring_sqe *sqe, __u64 user_data)
{
	memset(sqe, 0, sizeof(*sqe));
	sqe->opcode = XURING_OP_NOP;
	sqe->fd = -1;
	sqe->user_data = user_data;
}

/*
 * Publish the SQEs handed out so far: fill the SQ array, then move the SQ
 * tail with a store-release. Returns how many SQEs the kernel has yet to
 * consume.
 */
static inline unsigned int xr_flush_sq(struct xr_ring *r)
{
	unsigned int mask = r->p.sq_entries - 1;
	unsigned int tail = *r->sq_tail;

	if (tail != r->sqe_tail)
		xr_track_publish(r, tail, r->sqe_tail);
	for (; tail != r->sqe_tail; tail++)
		r->sq_array[tail & mask] = tail & mask;
	xr_store_release(r->sq_tail, tail);
	return tail - xr_load_acquire(r->sq_head);
}

static inline int xr_submit(struct xr_ring *r)
{
	return xr_enter(r->fd, xr_flush_sq(r), 0, 0, NULL, 0);
}

static inline int xr_submit_and_wait(struct xr_ring *r,
				     unsigned int wait_nr)
{
	return xr_enter(r->fd, xr_flush_sq(r), wait_nr,
			wait_nr ? XURING_ENTER_GETEVENTS : 0, NULL, 0);
}

/* Queue one NOP; false if the SQ is full. */
static inline bool xr_queue_nop(struct xr_ring *r, __u64 user_data)
{
	struct xuring_sqe *sqe = xr_get_sqe(r);

	if (!sqe)
		return false;
	xr_prep_nop(sqe, user_data);
	return true;
}

/* CQEs posted and not yet consumed. */
static inline unsigned int xr_cq_ready(const struct xr_ring *r)
{
	return xr_load_acquire(r->cq_tail) - *r->cq_head;
}

/*
 * Copy out and consume the oldest CQE; false if the CQ is empty. Ends
 * the test if the CQE belongs to no request in flight.
 */
static inline bool xr_reap_cqe(struct xr_ring *r, struct xuring_cqe *cqe)
{
	unsigned int head = *r->cq_head;

	if (xr_load_acquire(r->cq_tail) == head)
		return false;
	*cqe = r->cqes[head & (r->p.cq_entries - 1)];
	/* the slot is free for the kernel only after we have read it */
	xr_store_release(r->cq_head, head + 1);
	if (r->track)
		xr_track_retire(r, cqe);
	return true;
}

/* The user_data of the SQE xr_get_sqe() handed out last. */
static inline __u64 xr_last_sqe_ud(const struct xr_ring *r)
{
	return r->sqes[(r->sqe_tail - 1) & (r->p.sq_entries - 1)].user_data;
}

/*
 * The index of the first of n CQEs whose user_data is not one of the n
 * values from base, or repeats an earlier CQE's; -1 when each of the n
 * came exactly once. -2 if there is no memory to tell.
 */
static inline long xr_cqes_each_once(const struct xuring_cqe *cqes,
				     unsigned int n, __u64 base)
{
	unsigned char *seen = calloc(n ? n : 1, 1);
	unsigned int i;
	long bad = -1;

	if (!seen)
		return -2;
	for (i = 0; i < n && bad < 0; i++) {
		long k = xr_ud_index(cqes[i].user_data, base, n);

		if (k < 0 || seen[k])
			bad = i;
		else
			seen[k] = 1;
	}
	free(seen);
	return bad;
}

/* Assert (in a harness test) that xr_cqes_each_once() finds no fault. */
#define XR_ASSERT_EACH_ONCE(cqes, n, base) do {				\
	long __bad = xr_cqes_each_once((cqes), (n), (base));		\
	if (__bad >= 0)							\
		TH_LOG("CQE %ld of %u: user_data %#llx is not one of %#llx + [0, %u), or came twice", \
		       __bad, (unsigned int)(n),			\
		       (unsigned long long)(cqes)[__bad].user_data,	\
		       (unsigned long long)(base), (unsigned int)(n));	\
	ASSERT_EQ(-1, __bad);						\
} while (0)

/* Reap one CQE, waiting for it with ENTER(GETEVENTS) if need be. */
static inline int xr_wait_cqe(struct xr_ring *r, struct xuring_cqe *cqe)
{
	int ret;

	while (!xr_reap_cqe(r, cqe)) {
		ret = xr_enter(r->fd, 0, 1, XURING_ENTER_GETEVENTS, NULL, 0);
		if (ret < 0)
			return ret;
	}
	return 0;
}

static inline pid_t xr_gettid(void)
{
	return syscall(SYS_gettid);
}

/*
 * Read a small file (procfs, sysfs) into buf, NUL-terminated: its length,
 * or -1.
 */
static inline ssize_t xr_read_file(const char *path, char *buf, size_t size)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n >= 0)
		buf[n] = '\0';
	return n;
}

/* Read /proc/self/task/<tid>/<file> into buf; the length, or -1. */
static inline ssize_t xr_read_task_file(pid_t tid, const char *file,
					char *buf, size_t size)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/task/%d/%s", tid, file);
	return xr_read_file(path, buf, size);
}

/*
 * Wait until thread tid of this process is asleep (state S) inside an
 * ioctl (per /proc/.../syscall, where the kernel offers it), so that a
 * signal sent next reaches it inside ENTER's wait rather than before it.
 * False after timeout_ms.
 */
static inline bool xr_wait_task_sleeping(pid_t tid, unsigned int timeout_ms)
{
	__u64 start = xr_now_ns();
	char buf[512], nr[16];
	char *paren;

	snprintf(nr, sizeof(nr), "%d ", SYS_ioctl);
	while (xr_ms_since(start) < timeout_ms) {
		/* "tid (comm) S ...": comm may hold spaces or ')' */
		if (xr_read_task_file(tid, "stat", buf, sizeof(buf)) > 0 &&
		    (paren = strrchr(buf, ')')) && paren[1] == ' ' &&
		    paren[2] == 'S') {
			/* "16 0x3 0x4020b901 ..." while blocked in ioctl */
			if (xr_read_task_file(tid, "syscall", buf,
					      sizeof(buf)) <= 0 ||
			    !strncmp(buf, nr, strlen(nr)))
				return true;
		}
		xr_sleep_ms(1);
	}
	return false;
}

/* Install handler for sig without SA_RESTART, so waits see EINTR. */
static inline int xr_catch_signal(int sig, void (*handler)(int))
{
	struct sigaction sa = { .sa_handler = handler };

	sigemptyset(&sa.sa_mask);
	return xr_errno_ret(sigaction(sig, &sa, NULL));
}

#endif /* XURING_TEST_H */
