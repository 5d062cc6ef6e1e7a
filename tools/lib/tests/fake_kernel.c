// SPDX-License-Identifier: (GPL-2.0 OR MIT)
/*
 * A simulated /dev/xuring for the unit tests (see unit.h): just enough of
 * the module's ring protocol to drive the library through every path that
 * does not need real I/O.
 *
 * The rings live in a memfd: the SQ ring at file offset 0, the CQ ring at
 * XURING_OFF_CQ_RING (or also at 0 with FEAT_SINGLE_MMAP), the SQEs at
 * XURING_OFF_SQES. Both ring regions use struct fake_rings; without
 * SINGLE_MMAP only the SQ fields of the first and the CQ fields of the
 * second are used, since a memfd cannot map one object at two offsets.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include "unit.h"

struct fake_kernel fake;
int ut_failed;

int __real_open(const char *path, int flags, ...);
int __real_ioctl(int fd, unsigned long request, ...);
int __real_close(int fd);

struct fake_rings {
	unsigned int sq_head, sq_tail, sq_mask, sq_entries;
	unsigned int sq_flags, sq_dropped;
	unsigned int cq_head, cq_tail, cq_mask, cq_entries;
	unsigned int cq_overflow, cq_flags;
	struct io_uring_cqe cqes[];
	/* then the SQ array: sq_entries unsigned ints */
};

#define FAKE_MAX_RINGS		8
#define FAKE_MAX_OVERFLOW	64

struct fake_ring {
	bool used;
	int fd;
	bool set_up;
	unsigned int setup_flags;
	struct fake_rings *sq, *cq;	/* the module's view of the rings */
	unsigned int *sq_array;
	struct io_uring_sqe *sqes;
	size_t region_size, sqes_size;
	struct io_uring_cqe overflow[FAKE_MAX_OVERFLOW];
	unsigned int nr_overflow;
};

static struct fake_ring rings[FAKE_MAX_RINGS];

static struct fake_ring *fake_ring(int fd)
{
	int i;

	for (i = 0; i < FAKE_MAX_RINGS; i++)
		if (rings[i].used && rings[i].fd == fd)
			return &rings[i];
	return NULL;
}

static struct fake_ring *fake_ring_alloc(int fd)
{
	int i;

	for (i = 0; i < FAKE_MAX_RINGS; i++) {
		if (!rings[i].used) {
			memset(&rings[i], 0, sizeof(rings[i]));
			rings[i].used = true;
			rings[i].fd = fd;
			return &rings[i];
		}
	}
	return NULL;
}

static void fake_ring_free(struct fake_ring *r)
{
	if (r->sqes)
		munmap(r->sqes, r->sqes_size);
	if (r->cq && r->cq != r->sq)
		munmap(r->cq, r->region_size);
	if (r->sq)
		munmap(r->sq, r->region_size);
	memset(r, 0, sizeof(*r));
}

void fake_reset(void)
{
	int i;

	for (i = 0; i < FAKE_MAX_RINGS; i++) {
		if (rings[i].used) {
			__real_close(rings[i].fd);
			fake_ring_free(&rings[i]);
		}
	}
	memset(&fake, 0, sizeof(fake));
	fake.config.features = FAKE_FEATURES;
}

int __wrap_open(const char *path, int flags, ...)
{
	mode_t mode = 0;
	va_list ap;
	int fd;

	if (strcmp(path, XURING_DEVICE_PATH)) {
		va_start(ap, flags);
		if (flags & (O_CREAT | O_TMPFILE))
			mode = va_arg(ap, mode_t);
		va_end(ap);
		return __real_open(path, flags, mode);
	}
	if (fake.config.absent) {
		errno = ENOENT;
		return -1;
	}
	fd = memfd_create("fake-xuring", (flags & O_CLOEXEC) ? MFD_CLOEXEC : 0);
	if (fd < 0)
		return -1;
	if (!fake_ring_alloc(fd)) {
		__real_close(fd);
		errno = ENFILE;
		return -1;
	}
	return fd;
}

int __wrap_close(int fd)
{
	struct fake_ring *r = fake_ring(fd);

	if (r)
		fake_ring_free(r);
	return __real_close(fd);
}

static unsigned int roundup_pow2(unsigned int n)
{
	unsigned int v = 1;

	while (v < n)
		v <<= 1;
	return v;
}

static void *fake_map(int fd, size_t len, off_t off)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, off);

	return p == MAP_FAILED ? NULL : p;
}

static int fake_setup(struct fake_ring *r, const struct xuring_setup_arg *arg)
{
	struct io_uring_params *p = (struct io_uring_params *)(uintptr_t)arg->params;
	unsigned int sq_entries, cq_entries, i;
	bool single = fake.config.features & IORING_FEAT_SINGLE_MMAP;

	if (r->set_up)
		return -EBUSY;
	if (arg->resv || !arg->entries || arg->entries > 32768)
		return -EINVAL;
	sq_entries = roundup_pow2(arg->entries);
	cq_entries = 2 * sq_entries;
	if (p->flags & IORING_SETUP_CQSIZE) {
		if (p->cq_entries < sq_entries)
			return -EINVAL;
		cq_entries = roundup_pow2(p->cq_entries);
	}

	r->region_size = sizeof(struct fake_rings) +
			 cq_entries * sizeof(struct io_uring_cqe) +
			 sq_entries * sizeof(unsigned int);
	r->sqes_size = sq_entries * sizeof(struct io_uring_sqe);
	if (ftruncate(r->fd, IORING_OFF_SQES + r->sqes_size))
		return -errno;
	r->sq = fake_map(r->fd, r->region_size, IORING_OFF_SQ_RING);
	r->cq = single ? r->sq : fake_map(r->fd, r->region_size,
					    IORING_OFF_CQ_RING);
	r->sqes = fake_map(r->fd, r->sqes_size, IORING_OFF_SQES);
	if (!r->sq || !r->cq || !r->sqes)
		return -ENOMEM;
	r->sq_array = (unsigned int *)&r->sq->cqes[cq_entries];

	r->sq->sq_mask = sq_entries - 1;
	r->sq->sq_entries = sq_entries;
	r->cq->cq_mask = cq_entries - 1;
	r->cq->cq_entries = cq_entries;
	/* garbage the library must overwrite with the identity mapping */
	for (i = 0; i < sq_entries; i++)
		r->sq_array[i] = ~0U;

	p->sq_entries = sq_entries;
	p->cq_entries = cq_entries;
	p->features = fake.config.features;
	memset(&p->sq_off, 0, sizeof(p->sq_off));
	p->sq_off.head = offsetof(struct fake_rings, sq_head);
	p->sq_off.tail = offsetof(struct fake_rings, sq_tail);
	p->sq_off.ring_mask = offsetof(struct fake_rings, sq_mask);
	p->sq_off.ring_entries = offsetof(struct fake_rings, sq_entries);
	p->sq_off.flags = offsetof(struct fake_rings, sq_flags);
	p->sq_off.dropped = offsetof(struct fake_rings, sq_dropped);
	p->sq_off.array = (char *)r->sq_array - (char *)r->sq;
	memset(&p->cq_off, 0, sizeof(p->cq_off));
	p->cq_off.head = offsetof(struct fake_rings, cq_head);
	p->cq_off.tail = offsetof(struct fake_rings, cq_tail);
	p->cq_off.ring_mask = offsetof(struct fake_rings, cq_mask);
	p->cq_off.ring_entries = offsetof(struct fake_rings, cq_entries);
	p->cq_off.overflow = offsetof(struct fake_rings, cq_overflow);
	p->cq_off.cqes = offsetof(struct fake_rings, cqes);
	p->cq_off.flags = offsetof(struct fake_rings, cq_flags);

	r->setup_flags = p->flags;
	r->set_up = true;
	return 0;
}

static void post_cqe(struct fake_ring *r, __u64 user_data, __s32 res,
		     __u32 flags)
{
	struct fake_rings *cq = r->cq;
	unsigned int tail = cq->cq_tail;
	struct io_uring_cqe *cqe;

	if (tail - __atomic_load_n(&cq->cq_head, __ATOMIC_ACQUIRE) ==
	    cq->cq_entries || r->nr_overflow) {
		if (r->nr_overflow < FAKE_MAX_OVERFLOW) {
			cqe = &r->overflow[r->nr_overflow++];
			cqe->user_data = user_data;
			cqe->res = res;
			cqe->flags = flags;
		} else {
			cq->cq_overflow++;
		}
		__atomic_or_fetch(&r->sq->sq_flags, IORING_SQ_CQ_OVERFLOW,
				  __ATOMIC_RELAXED);
		return;
	}
	cqe = &cq->cqes[tail & cq->cq_mask];
	cqe->user_data = user_data;
	cqe->res = res;
	cqe->flags = flags;
	__atomic_store_n(&cq->cq_tail, tail + 1, __ATOMIC_RELEASE);
}

static void flush_overflow(struct fake_ring *r)
{
	unsigned int i, n = r->nr_overflow;

	r->nr_overflow = 0;
	for (i = 0; i < n; i++)
		post_cqe(r, r->overflow[i].user_data, r->overflow[i].res,
			 r->overflow[i].flags);
	/* what did not fit went back to the list */
	if (!r->nr_overflow)
		__atomic_and_fetch(&r->sq->sq_flags, ~IORING_SQ_CQ_OVERFLOW,
				   __ATOMIC_RELAXED);
}

static __s32 fake_issue(const struct io_uring_sqe *sqe)
{
	switch (sqe->opcode) {
	case IORING_OP_NOP:
		return 0;
	case IORING_OP_TIMEOUT:	/* not implemented by xuring */
		return -EOPNOTSUPP;
	}
	return sqe->opcode < IORING_OP_LAST ? -EOPNOTSUPP : -EINVAL;
}

/* consume up to max published SQEs, as submission does */
static unsigned int fake_consume(struct fake_ring *r, unsigned int max)
{
	struct fake_rings *sq = r->sq;
	unsigned int head = sq->sq_head, done = 0;

	while (done < max &&
	       head != __atomic_load_n(&sq->sq_tail, __ATOMIC_ACQUIRE)) {
		unsigned int idx = r->sq_array[head & sq->sq_mask];
		struct io_uring_sqe *sqe;
		__s32 res;

		head++;
		done++;
		if (idx >= sq->sq_entries) {
			sq->sq_dropped++;
			continue;
		}
		sqe = &r->sqes[idx];
		res = fake_issue(sqe);
		if (res >= 0 && (sqe->flags & IOSQE_CQE_SKIP_SUCCESS))
			continue;
		post_cqe(r, sqe->user_data, res, 0);
	}
	__atomic_store_n(&sq->sq_head, head, __ATOMIC_RELEASE);
	return done;
}

static unsigned int cq_ready(struct fake_ring *r)
{
	return r->cq->cq_tail - __atomic_load_n(&r->cq->cq_head,
						__ATOMIC_ACQUIRE);
}

#define FAKE_ENTER_FLAGS (IORING_ENTER_GETEVENTS | IORING_ENTER_SQ_WAKEUP | \
			  IORING_ENTER_SQ_WAIT | IORING_ENTER_EXT_ARG)

static int fake_enter(struct fake_ring *r, const struct xuring_enter_arg *a)
{
	struct fake_enter *e = &fake.enter;
	bool has_ts = false;
	int submitted = 0;

	fake.nr_enter++;
	memset(e, 0, sizeof(*e));
	e->to_submit = a->to_submit;
	e->min_complete = a->min_complete;
	e->flags = a->flags;
	e->argsz = a->argsz;
	e->arg = (const void *)(uintptr_t)a->arg;
	if (a->resv || (a->flags & ~FAKE_ENTER_FLAGS))
		return e->ret = -EINVAL;
	if (a->flags & IORING_ENTER_EXT_ARG) {
		if (a->argsz != sizeof(e->ext))
			return e->ret = -EINVAL;
		memcpy(&e->ext, e->arg, sizeof(e->ext));
		has_ts = e->ext.ts != 0;
	}

	if (!(r->setup_flags & IORING_SETUP_SQPOLL)) {
		submitted = fake_consume(r, a->to_submit);
	} else {
		/* the SQ thread does the work; enter only wakes it */
		if (a->flags & IORING_ENTER_SQ_WAKEUP) {
			fake_sq_flags(r->fd, 0, IORING_SQ_NEED_WAKEUP);
			fake_consume(r, ~0U);
		}
		submitted = a->to_submit;
	}

	if (a->flags & IORING_ENTER_GETEVENTS) {
		flush_overflow(r);
		/*
		 * Nothing more will complete here, so a wait can only time
		 * out (or, without a timeout, be interrupted); like io_uring,
		 * report that only if no CQE at all is ready.
		 */
		if (cq_ready(r) < a->min_complete && !submitted &&
		    !cq_ready(r))
			return e->ret = has_ts ? -ETIME : -EINTR;
	}
	return e->ret = submitted;
}

static int fake_probe(struct io_uring_probe *p, unsigned int nr)
{
	static const unsigned char implemented[] = {
		IORING_OP_NOP, IORING_OP_READV, IORING_OP_WRITEV,
		IORING_OP_FSYNC, IORING_OP_READ_FIXED, IORING_OP_WRITE_FIXED,
		IORING_OP_SYNC_FILE_RANGE, IORING_OP_FALLOCATE, IORING_OP_READ,
		IORING_OP_WRITE, IORING_OP_FADVISE,
	};
	unsigned int i;

	if (nr > 256)
		return -EINVAL;
	p->last_op = IORING_OP_LAST - 1;
	p->ops_len = nr < IORING_OP_LAST ? nr : IORING_OP_LAST;
	for (i = 0; i < p->ops_len; i++)
		p->ops[i].op = i;
	for (i = 0; i < sizeof(implemented); i++)
		if (implemented[i] < p->ops_len)
			p->ops[implemented[i]].flags = IO_URING_OP_SUPPORTED;
	return 0;
}

static int fake_register(const struct xuring_register_arg *a)
{
	struct fake_register *reg = &fake.reg;
	struct fake_config *c = &fake.config;
	unsigned int *counts;

	fake.nr_register++;
	reg->opcode = a->opcode;
	reg->nr_args = a->nr_args;
	reg->arg = (const void *)(uintptr_t)a->arg;
	if (c->nr_register_ret) {
		reg->ret = c->register_ret[0];
		memmove(c->register_ret, c->register_ret + 1,
			sizeof(c->register_ret) - sizeof(c->register_ret[0]));
		c->nr_register_ret--;
		return reg->ret;
	}

	switch (a->opcode) {
	case IORING_REGISTER_PROBE:
		return reg->ret = fake_probe((struct io_uring_probe *)reg->arg,
					     a->nr_args);
	case IORING_REGISTER_BUFFERS:
	case IORING_REGISTER_FILES:
		/* a positive result, which liburing reports as 0 for buffers */
		return reg->ret = a->nr_args;
	case IORING_REGISTER_FILES_UPDATE:
		return reg->ret = a->nr_args;
	case IORING_REGISTER_IOWQ_MAX_WORKERS:
		counts = (unsigned int *)reg->arg;
		counts[0] = 4;
		counts[1] = 16;
		return reg->ret = 0;
	}
	return reg->ret = -EINVAL;
}

int __wrap_ioctl(int fd, unsigned long request, ...)
{
	struct fake_ring *r = fake_ring(fd);
	va_list ap;
	void *arg;
	int ret;

	va_start(ap, request);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (!r)
		return __real_ioctl(fd, request, arg);

	if (request == XURING_IOC_SETUP)
		ret = fake_setup(r, arg);
	else if (!r->set_up)
		ret = -EBADFD;
	else if (request == XURING_IOC_ENTER)
		ret = fake_enter(r, arg);
	else if (request == XURING_IOC_REGISTER)
		ret = fake_register(arg);
	else
		ret = -ENOTTY;
	if (ret < 0) {
		errno = -ret;
		return -1;
	}
	return ret;
}

void fake_post_cqe(int ring_fd, __u64 user_data, __s32 res, __u32 flags)
{
	post_cqe(fake_ring(ring_fd), user_data, res, flags);
}

unsigned int fake_sqpoll_run(int ring_fd)
{
	return fake_consume(fake_ring(ring_fd), ~0U);
}

void fake_sq_flags(int ring_fd, unsigned int set, unsigned int clear)
{
	struct fake_ring *r = fake_ring(ring_fd);

	__atomic_or_fetch(&r->sq->sq_flags, set, __ATOMIC_RELAXED);
	__atomic_and_fetch(&r->sq->sq_flags, ~clear, __ATOMIC_RELAXED);
}

unsigned int fake_overflowed(int ring_fd)
{
	return fake_ring(ring_fd)->nr_overflow;
}
