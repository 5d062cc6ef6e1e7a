// SPDX-License-Identifier: GPL-2.0
/*
 * The measured loop, the same for both rings. Each pass prepares up to a
 * submit batch of SQEs (as many as the queue depth leaves room for),
 * submits them with one enter that also waits for a complete batch when
 * the queue is full, and reaps every CQE that is there. Every CQE is
 * checked: its user_data must name a request in flight, its result must be
 * what the request asked for. A wrong one stops the run as a failure.
 *
 * Each request owns a slot: its SQE, its buffer and its bit in the
 * in-flight map have the slot's index, which is also its user_data.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include <linux/fs.h>

#include "bench.h"

#define load_acquire(p)		__atomic_load_n((p), __ATOMIC_ACQUIRE)
#define store_release(p, v)	__atomic_store_n((p), (v), __ATOMIC_RELEASE)

/* passes between two looks at the clock */
#define CLOCK_CHECK_PASSES	64

struct bench_job {
	const struct bench_opts *o;
	struct bench_ring ring;
	int fd;			/* the file, or -1 */
	int sqe_fd;		/* what SQEs name: fd, or 0 with fixed files */
	uint8_t sqe_flags;
	uint8_t opcode;
	char *bufs;		/* depth buffers of bs bytes */
	uint64_t nr_blocks;	/* reads land on a random one of these */
	uint64_t rng;

	unsigned int *free_slots;	/* a stack of idle slots */
	unsigned int nr_free;
	bool *in_flight;
	unsigned int inflight;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* xorshift64*: cheap, and the same sequence for both contenders */
static uint64_t next_random(struct bench_job *job)
{
	uint64_t x = job->rng;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	job->rng = x;
	return x * 0x2545f4914f6cdd1dULL;
}

static int open_target(struct bench_job *job)
{
	const struct bench_opts *o = job->o;
	struct stat st;
	uint64_t size;

	job->fd = open(o->path, O_RDONLY | (o->direct ? O_DIRECT : 0));
	if (job->fd < 0) {
		fprintf(stderr, "xuring-bench: cannot open %s: %s\n", o->path,
			strerror(errno));
		return -1;
	}
	if (fstat(job->fd, &st)) {
		fprintf(stderr, "xuring-bench: stat %s: %s\n", o->path,
			strerror(errno));
		return -1;
	}
	size = st.st_size;
	if (S_ISBLK(st.st_mode) && ioctl(job->fd, BLKGETSIZE64, &size)) {
		fprintf(stderr, "xuring-bench: size of %s: %s\n", o->path,
			strerror(errno));
		return -1;
	}
	job->nr_blocks = size / o->bs;
	if (!job->nr_blocks) {
		fprintf(stderr, "xuring-bench: %s is smaller than one %u-byte block\n",
			o->path, o->bs);
		return -1;
	}
	return 0;
}

static int setup_ring(struct bench_job *job)
{
	const struct bench_opts *o = job->o;
	struct xuring_params p;
	int ret;

	memset(&p, 0, sizeof(p));
	if (o->iopoll)
		p.flags |= XURING_SETUP_IOPOLL;
	if (o->sqpoll) {
		p.flags |= XURING_SETUP_SQPOLL;
		if (o->sqpoll_cpu >= 0) {
			p.flags |= XURING_SETUP_SQ_AFF;
			p.sq_thread_cpu = o->sqpoll_cpu;
		}
	}
	ret = bench_ring_setup(&job->ring, o->backend, o->depth, &p);
	if (ret) {
		fprintf(stderr, "xuring-bench: %s ring setup (%u entries, flags 0x%x): %s%s\n",
			backend_name(o->backend), o->depth, p.flags,
			strerror(-ret),
			ret == -ENOENT && o->backend == BACKEND_XURING ?
			" (is xuring.ko loaded?)" : "");
		return -1;
	}
	return 0;
}

static int register_resources(struct bench_job *job)
{
	const struct bench_opts *o = job->o;
	const char *what;
	int ret = 0;

	job->sqe_fd = job->fd;
	if (o->fixed_files) {
		ret = bench_ring_register(&job->ring, XURING_REGISTER_FILES,
					  &job->fd, 1);
		what = "REGISTER_FILES";
		if (ret)
			goto fail;
		job->sqe_fd = 0;
		job->sqe_flags = XURING_SQE_FIXED_FILE;
	}
	if (o->fixed_bufs) {
		struct iovec *iov = calloc(o->depth, sizeof(*iov));
		unsigned int i;

		if (!iov)
			return -1;
		for (i = 0; i < o->depth; i++) {
			iov[i].iov_base = job->bufs + (size_t)i * o->bs;
			iov[i].iov_len = o->bs;
		}
		ret = bench_ring_register(&job->ring, XURING_REGISTER_BUFFERS,
					  iov, o->depth);
		free(iov);
		what = "REGISTER_BUFFERS";
		if (ret)
			goto fail;
	}
	return 0;
fail:
	fprintf(stderr, "xuring-bench: %s on the %s ring: %s\n", what,
		backend_name(o->backend), strerror(-ret));
	return -1;
}

static int job_init(struct bench_job *job, const struct bench_opts *o)
{
	unsigned int i;

	memset(job, 0, sizeof(*job));
	job->o = o;
	job->fd = -1;
	job->ring.fd = -1;
	job->rng = 0x9e3779b97f4a7c15ULL;
	job->opcode = XURING_OP_NOP;
	job->sqe_fd = -1;

	job->free_slots = calloc(o->depth, sizeof(*job->free_slots));
	job->in_flight = calloc(o->depth, sizeof(*job->in_flight));
	if (!job->free_slots || !job->in_flight)
		return -1;
	for (i = 0; i < o->depth; i++)
		job->free_slots[i] = o->depth - 1 - i;
	job->nr_free = o->depth;

	if (o->mode == MODE_READ) {
		size_t len = (size_t)o->depth * o->bs;

		if (open_target(job))
			return -1;
		/* page-aligned, as O_DIRECT and fixed buffers like it */
		job->bufs = mmap(NULL, len, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE,
				 -1, 0);
		if (job->bufs == MAP_FAILED) {
			job->bufs = NULL;
			return -1;
		}
		job->opcode = o->fixed_bufs ? XURING_OP_READ_FIXED :
					      XURING_OP_READ;
	}
	if (setup_ring(job))
		return -1;
	if (o->mode == MODE_READ && register_resources(job))
		return -1;
	return 0;
}

static void job_exit(struct bench_job *job)
{
	bench_ring_exit(&job->ring);
	if (job->bufs)
		munmap(job->bufs, (size_t)job->o->depth * job->o->bs);
	if (job->fd >= 0)
		close(job->fd);
	free(job->free_slots);
	free(job->in_flight);
}

/* Fill the SQE of a free slot and put it in the SQ; the tail moves later. */
static void prep_one(struct bench_job *job, unsigned int tail)
{
	struct bench_ring *ring = &job->ring;
	unsigned int slot = job->free_slots[--job->nr_free];
	struct xuring_sqe *sqe = &ring->sqes[slot];
	unsigned int bs = job->o->bs;

	sqe->opcode = job->opcode;
	sqe->flags = job->sqe_flags;
	sqe->ioprio = 0;
	sqe->fd = job->sqe_fd;
	sqe->rw_flags = 0;
	sqe->user_data = slot;
	sqe->buf_index = 0;
	sqe->personality = 0;
	sqe->file_index = 0;
	sqe->addr3 = 0;
	sqe->__pad2[0] = 0;
	if (job->opcode == XURING_OP_NOP) {
		sqe->off = 0;
		sqe->addr = 0;
		sqe->len = 0;
	} else {
		sqe->off = (next_random(job) % job->nr_blocks) * bs;
		sqe->addr = (uintptr_t)(job->bufs + (size_t)slot * bs);
		sqe->len = bs;
		if (job->opcode == XURING_OP_READ_FIXED)
			sqe->buf_index = slot;
	}
	job->in_flight[slot] = true;
	ring->sq_array[tail & ring->sq_mask] = slot;
}

/* Take every CQE that is there, checking each. */
static int reap(struct bench_job *job, struct bench_result *res)
{
	struct bench_ring *ring = &job->ring;
	unsigned int head = *ring->cq_head;
	unsigned int tail = load_acquire(ring->cq_tail);
	int want = job->opcode == XURING_OP_NOP ? 0 : (int)job->o->bs;

	for (; head != tail; head++) {
		const struct xuring_cqe *cqe = &ring->cqes[head & ring->cq_mask];
		uint64_t slot = cqe->user_data;

		if (slot >= job->o->depth || !job->in_flight[slot]) {
			fprintf(stderr, "xuring-bench: %s: a CQE with user_data %llu, which is no request in flight\n",
				backend_name(job->o->backend),
				(unsigned long long)slot);
			return -1;
		}
		if (cqe->res != want) {
			fprintf(stderr, "xuring-bench: %s: request %llu completed with %d (%s), expected %d\n",
				backend_name(job->o->backend),
				(unsigned long long)slot, cqe->res,
				cqe->res < 0 ? strerror(-cqe->res) : "short",
				want);
			return -1;
		}
		job->in_flight[slot] = false;
		job->free_slots[job->nr_free++] = slot;
		job->inflight--;
		res->ops++;
	}
	store_release(ring->cq_head, head);
	return 0;
}

static bool sq_needs_wakeup(struct bench_ring *ring)
{
	/* the tail store must be visible before we look at the flag */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return __atomic_load_n(ring->sq_flags, __ATOMIC_RELAXED) &
	       XURING_SQ_NEED_WAKEUP;
}

/* Submit what was prepared and wait for @wait completions: one enter. */
static int submit_and_wait(struct bench_job *job, unsigned int to_submit,
			   unsigned int wait, struct bench_result *res)
{
	struct bench_ring *ring = &job->ring;
	const struct bench_opts *o = job->o;
	unsigned int flags = 0;
	int ret;

	if (wait || o->iopoll)
		flags |= XURING_ENTER_GETEVENTS;
	if (o->sqpoll) {
		/* the SQ thread takes the SQEs; enter only to wake or wait */
		if (sq_needs_wakeup(ring)) {
			flags |= XURING_ENTER_SQ_WAKEUP;
			res->wakeups++;
		}
		if (!flags)
			return 0;
	} else if (!to_submit && !flags) {
		return 0;
	}
	for (;;) {
		res->enters++;
		ret = bench_ring_enter(ring, to_submit, wait, flags);
		if (ret >= 0)
			break;
		if (ret != -EINTR && ret != -EAGAIN && ret != -EBUSY) {
			fprintf(stderr, "xuring-bench: %s enter(%u, %u, 0x%x): %s\n",
				backend_name(o->backend), to_submit, wait,
				flags, strerror(-ret));
			return -1;
		}
		/* transient: completions first, then try again */
		if (reap(job, res))
			return -1;
	}
	if (!o->sqpoll && (unsigned int)ret != to_submit) {
		fprintf(stderr, "xuring-bench: %s took %d of %u SQEs\n",
			backend_name(o->backend), ret, to_submit);
		return -1;
	}
	return 0;
}

/*
 * "xchg %bx, %bx" changes nothing (Bochs' magic breakpoint): the QEMU
 * plugin of make profile (tools/prof/insn-profile.c) counts only the
 * kernel instructions that run between two of them.
 */
static inline void profile_mark(const struct bench_opts *o)
{
#if defined(__x86_64__) || defined(__i386__)
	if (o->profile_marks)
		asm volatile("xchg %%bx, %%bx" ::: "memory");
#endif
}

static int run_loop(struct bench_job *job, struct bench_result *res)
{
	const struct bench_opts *o = job->o;
	struct bench_ring *ring = &job->ring;
	double start = now(), end = start + o->seconds;
	unsigned int passes = 0;
	bool stopping = false;

	profile_mark(o);
	while (!stopping || job->inflight) {
		unsigned int tail = *ring->sq_tail;
		unsigned int nr = 0, wait = 0;

		if (!stopping) {
			nr = o->submit_batch;
			if (nr > o->depth - job->inflight)
				nr = o->depth - job->inflight;
			if (o->max_ops && nr > o->max_ops - res->ops - job->inflight)
				nr = o->max_ops - res->ops - job->inflight;
		}
		for (unsigned int i = 0; i < nr; i++)
			prep_one(job, tail + i);
		if (nr)
			store_release(ring->sq_tail, tail + nr);
		job->inflight += nr;

		/* no room for another batch: wait for a complete batch */
		if (stopping || job->inflight + o->submit_batch > o->depth) {
			wait = o->complete_batch;
			if (wait > job->inflight)
				wait = job->inflight;
		}
		if (submit_and_wait(job, nr, wait, res) || reap(job, res))
			return -1;

		if (o->max_ops && res->ops + job->inflight >= o->max_ops)
			stopping = true;
		if (o->seconds && ++passes % CLOCK_CHECK_PASSES == 0 &&
		    now() >= end)
			stopping = true;
	}
	profile_mark(o);
	res->seconds = now() - start;
	return 0;
}

int bench_run(const struct bench_opts *o, struct bench_result *res)
{
	struct bench_job job;
	struct rusage ru0, ru1;
	int ret = -1;

	memset(res, 0, sizeof(*res));
	if (job_init(&job, o))
		goto out;
	getrusage(RUSAGE_SELF, &ru0);
	ret = run_loop(&job, res);
	getrusage(RUSAGE_SELF, &ru1);
	res->user_s = (ru1.ru_utime.tv_sec - ru0.ru_utime.tv_sec) +
		      (ru1.ru_utime.tv_usec - ru0.ru_utime.tv_usec) / 1e6;
	res->sys_s = (ru1.ru_stime.tv_sec - ru0.ru_stime.tv_sec) +
		     (ru1.ru_stime.tv_usec - ru0.ru_stime.tv_usec) / 1e6;
out:
	job_exit(&job);
	return ret;
}
