/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xuring-bench and xuring-demo: one submission loop over two rings, the
 * xuring module's (/dev/xuring and its ioctls) and the kernel's own
 * io_uring (its three system calls). The ABI is the same byte for byte,
 * so everything but setup, enter and register is shared: both contenders
 * run exactly the same user-space code.
 */
#ifndef XURING_BENCH_H
#define XURING_BENCH_H

#include <stdbool.h>
#include <stdint.h>

#include <linux/xuring.h>

enum bench_backend {
	BACKEND_XURING,
	BACKEND_IO_URING,
};

enum bench_mode {
	MODE_NOP,
	MODE_READ,
};

struct bench_opts {
	enum bench_backend backend;
	enum bench_mode mode;
	const char *path;		/* the file or device read from */
	unsigned int depth;		/* requests in flight, at most */
	unsigned int submit_batch;	/* SQEs per submission */
	unsigned int complete_batch;	/* CQEs to wait for when full */
	unsigned int bs;		/* bytes per read */
	bool fixed_files;		/* REGISTER_FILES, SQE FIXED_FILE */
	bool fixed_bufs;		/* REGISTER_BUFFERS, READ_FIXED */
	bool direct;			/* O_DIRECT */
	bool iopoll;			/* SETUP_IOPOLL */
	bool sqpoll;			/* SETUP_SQPOLL */
	int sqpoll_cpu;			/* SQ_AFF, or -1 */
	double seconds;			/* run time (0: until max_ops) */
	uint64_t max_ops;		/* stop after this many (0: no limit) */
	bool profile_marks;		/* mark the loop for tools/prof */
};

/* One mapped ring, of either kind. */
struct bench_ring {
	enum bench_backend backend;
	int fd;
	unsigned int flags;		/* the SETUP flags it got */
	unsigned int features;

	unsigned int *sq_head, *sq_tail, *sq_flags, *sq_array;
	unsigned int sq_mask, sq_entries;
	struct xuring_sqe *sqes;

	unsigned int *cq_head, *cq_tail;
	unsigned int cq_mask, cq_entries;
	struct xuring_cqe *cqes;

	void *sq_map, *cq_map;		/* cq_map == sq_map with SINGLE_MMAP */
	size_t sq_map_len, cq_map_len, sqes_len;
};

/* What one run did. */
struct bench_result {
	uint64_t ops;			/* CQEs reaped */
	uint64_t enters;		/* ENTER ioctls or io_uring_enter calls */
	uint64_t wakeups;		/* of those, SQPOLL wakeups */
	double seconds;			/* elapsed, CLOCK_MONOTONIC */
	double user_s, sys_s;		/* CPU time of the process */
};

const char *backend_name(enum bench_backend backend);

/* ring.c: each returns 0 or -errno (bench_ring_enter: >= 0 or -errno) */
int bench_ring_setup(struct bench_ring *ring, enum bench_backend backend,
		     unsigned int entries, struct xuring_params *p);
int bench_ring_enter(struct bench_ring *ring, unsigned int to_submit,
		     unsigned int min_complete, unsigned int flags);
int bench_ring_register(struct bench_ring *ring, unsigned int opcode,
			const void *arg, unsigned int nr);
void bench_ring_exit(struct bench_ring *ring);

/* loop.c: returns 0, or prints what went wrong and returns -1 */
int bench_run(const struct bench_opts *o, struct bench_result *res);

#endif /* XURING_BENCH_H */
