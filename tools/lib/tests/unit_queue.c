// SPDX-License-Identifier: (GPL-2.0 OR MIT)
/*
 * Description: submission and completion against the simulated module:
 * when the library enters the kernel and with what, SQ and CQ accounting,
 * SQPOLL wakeups, CQ overflow flushes and timed waits.
 */
#include <string.h>

#include "unit.h"

static int init(struct io_uring *ring, unsigned int entries, unsigned int flags)
{
	int ret = io_uring_queue_init(entries, ring, flags);

	UT_EXPECT_EQ(ret, 0);
	return ret;
}

static void queue_nops(struct io_uring *ring, unsigned int n, __u64 first)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		struct io_uring_sqe *sqe = io_uring_get_sqe(ring);

		UT_EXPECT(sqe != NULL);
		if (!sqe)
			return;
		io_uring_prep_nop(sqe);
		io_uring_sqe_set_data64(sqe, first + i);
	}
}

static void get_sqe_until_full(void)
{
	struct io_uring ring;
	unsigned int i;

	if (init(&ring, 4, 0))
		return;
	for (i = 0; i < 4; i++)
		UT_EXPECT(io_uring_get_sqe(&ring) == &ring.sq.sqes[i]);
	UT_EXPECT(io_uring_get_sqe(&ring) == NULL);
	UT_EXPECT_EQ(io_uring_sq_ready(&ring), 4);
	UT_EXPECT_EQ(io_uring_sq_space_left(&ring), 0);
	/* prepared but unpublished SQEs are invisible to the kernel */
	UT_EXPECT_EQ(*ring.sq.ktail, 0);
	io_uring_queue_exit(&ring);
}

static void submit_then_reap(void)
{
	struct io_uring_cqe *cqe, *cqes[8];
	struct io_uring ring;
	unsigned int head, seen = 0;

	if (init(&ring, 8, 0))
		return;
	queue_nops(&ring, 3, 100);
	UT_EXPECT_EQ(io_uring_submit(&ring), 3);
	UT_EXPECT_EQ(fake.nr_enter, 1);
	UT_EXPECT_EQ(fake.enter.to_submit, 3);
	UT_EXPECT_EQ(fake.enter.min_complete, 0);
	UT_EXPECT_EQ(fake.enter.flags, 0);
	UT_EXPECT_EQ(fake.enter.argsz, _NSIG / 8);
	UT_EXPECT_EQ(*ring.sq.ktail, 3);
	UT_EXPECT_EQ(io_uring_sq_ready(&ring), 0);
	UT_EXPECT_EQ(io_uring_cq_ready(&ring), 3);

	/* ready CQEs cost no enter */
	UT_EXPECT_EQ(io_uring_peek_cqe(&ring, &cqe), 0);
	UT_EXPECT_EQ(cqe->user_data, 100);
	UT_EXPECT_EQ(cqe->res, 0);
	io_uring_cqe_seen(&ring, cqe);
	UT_EXPECT_EQ(io_uring_wait_cqe(&ring, &cqe), 0);
	UT_EXPECT_EQ(io_uring_cqe_get_data64(cqe), 101);
	UT_EXPECT_EQ(io_uring_peek_batch_cqe(&ring, cqes, 8), 2);
	UT_EXPECT(cqes[0] == cqe);
	io_uring_for_each_cqe(&ring, head, cqe)
		seen++;
	UT_EXPECT_EQ(seen, 2);
	io_uring_cq_advance(&ring, seen);
	UT_EXPECT_EQ(io_uring_cq_ready(&ring), 0);
	UT_EXPECT_EQ(fake.nr_enter, 1);

	/* nothing ready and nothing to wait for */
	UT_EXPECT_EQ(io_uring_peek_cqe(&ring, &cqe), -EAGAIN);
	UT_EXPECT(cqe == NULL);
	UT_EXPECT_EQ(fake.nr_enter, 1);
	/* and with nothing prepared, submit has no reason to enter */
	UT_EXPECT_EQ(io_uring_submit(&ring), 0);
	UT_EXPECT_EQ(fake.nr_enter, 1);
	io_uring_queue_exit(&ring);
}

static void submit_and_wait(void)
{
	struct io_uring_cqe *cqe;
	struct io_uring ring;

	if (init(&ring, 8, 0))
		return;
	queue_nops(&ring, 2, 1);
	UT_EXPECT_EQ(io_uring_submit_and_wait(&ring, 2), 2);
	UT_EXPECT_EQ(fake.enter.flags, IORING_ENTER_GETEVENTS);
	UT_EXPECT_EQ(fake.enter.min_complete, 2);

	/* wait_cqe_nr with enough ready does not enter */
	UT_EXPECT_EQ(io_uring_wait_cqe_nr(&ring, &cqe, 2), 0);
	UT_EXPECT_EQ(fake.nr_enter, 1);
	io_uring_cq_advance(&ring, 2);

	queue_nops(&ring, 1, 3);
	UT_EXPECT_EQ(io_uring_submit_and_get_events(&ring), 1);
	UT_EXPECT_EQ(fake.enter.flags, IORING_ENTER_GETEVENTS);
	UT_EXPECT_EQ(io_uring_get_events(&ring), 0);
	UT_EXPECT_EQ(fake.enter.flags, IORING_ENTER_GETEVENTS);
	UT_EXPECT_EQ(fake.enter.to_submit, 0);
	io_uring_queue_exit(&ring);
}

/* an SQE that fails and one that posts no CQE on success */
static void errors_and_skip(void)
{
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;
	struct io_uring ring;

	if (init(&ring, 4, 0))
		return;
	sqe = io_uring_get_sqe(&ring);
	io_uring_prep_nop(sqe);
	io_uring_sqe_set_flags(sqe, IOSQE_CQE_SKIP_SUCCESS);
	sqe = io_uring_get_sqe(&ring);
	io_uring_prep_rw(IORING_OP_ACCEPT, sqe, 0, NULL, 0, 0);
	sqe->user_data = 7;
	UT_EXPECT_EQ(io_uring_submit_and_wait(&ring, 1), 2);
	UT_EXPECT_EQ(io_uring_cq_ready(&ring), 1);
	UT_EXPECT_EQ(io_uring_wait_cqe(&ring, &cqe), 0);
	UT_EXPECT_EQ(cqe->user_data, 7);
	UT_EXPECT_EQ(cqe->res, -EOPNOTSUPP);
	io_uring_cqe_seen(&ring, cqe);
	io_uring_queue_exit(&ring);
}

/* with SQPOLL, enter only to wake a sleeping SQ thread */
static void sqpoll_wakeup(void)
{
	struct io_uring ring;

	if (init(&ring, 8, IORING_SETUP_SQPOLL))
		return;
	queue_nops(&ring, 2, 1);
	UT_EXPECT_EQ(io_uring_submit(&ring), 2);
	UT_EXPECT_EQ(fake.nr_enter, 0);
	UT_EXPECT_EQ(io_uring_sq_ready(&ring), 2);
	UT_EXPECT_EQ(fake_sqpoll_run(ring.ring_fd), 2);
	UT_EXPECT_EQ(io_uring_sq_ready(&ring), 0);
	UT_EXPECT_EQ(io_uring_sqring_wait(&ring), 0);

	fake_sq_flags(ring.ring_fd, IORING_SQ_NEED_WAKEUP, 0);
	queue_nops(&ring, 3, 3);
	UT_EXPECT_EQ(io_uring_submit(&ring), 3);
	UT_EXPECT_EQ(fake.nr_enter, 1);
	UT_EXPECT_EQ(fake.enter.flags, IORING_ENTER_SQ_WAKEUP);
	UT_EXPECT_EQ(fake.enter.to_submit, 3);
	UT_EXPECT_EQ(io_uring_cq_ready(&ring), 5);

	/* a full SQ ring: sqring_wait enters with SQ_WAIT */
	queue_nops(&ring, 8, 10);
	UT_EXPECT_EQ(io_uring_sq_space_left(&ring), 0);
	io_uring_sqring_wait(&ring);
	UT_EXPECT_EQ(fake.enter.flags, IORING_ENTER_SQ_WAIT);
	io_uring_queue_exit(&ring);
}

/* CQEs in the kernel's overflow list come back with GETEVENTS */
static void cq_overflow(void)
{
	struct io_uring_cqe *cqe, *cqes[4];
	struct io_uring ring;
	unsigned int i;

	if (init(&ring, 1, 0))	/* a CQ ring of 2 */
		return;
	for (i = 0; i < 3; i++)
		fake_post_cqe(ring.ring_fd, i, 0, 0);
	UT_EXPECT_EQ(fake_overflowed(ring.ring_fd), 1);
	UT_EXPECT(io_uring_cq_has_overflow(&ring));
	UT_EXPECT_EQ(io_uring_cq_ready(&ring), 2);
	io_uring_cq_advance(&ring, 2);

	/* an empty ring with overflow: peek enters once to flush */
	UT_EXPECT_EQ(io_uring_peek_cqe(&ring, &cqe), 0);
	UT_EXPECT_EQ(fake.nr_enter, 1);
	UT_EXPECT_EQ(fake.enter.flags, IORING_ENTER_GETEVENTS);
	UT_EXPECT_EQ(cqe->user_data, 2);
	UT_EXPECT(!io_uring_cq_has_overflow(&ring));
	io_uring_cqe_seen(&ring, cqe);

	for (i = 0; i < 3; i++)
		fake_post_cqe(ring.ring_fd, 10 + i, 0, 0);
	io_uring_cq_advance(&ring, 2);
	UT_EXPECT_EQ(io_uring_peek_batch_cqe(&ring, cqes, 4), 1);
	UT_EXPECT_EQ(cqes[0]->user_data, 12);
	UT_EXPECT_EQ(fake.nr_enter, 2);

	/* submit enters for the overflow even with nothing to submit */
	io_uring_cq_advance(&ring, 1);
	fake_post_cqe(ring.ring_fd, 20, 0, 0);
	fake_post_cqe(ring.ring_fd, 21, 0, 0);
	fake_post_cqe(ring.ring_fd, 22, 0, 0);
	UT_EXPECT_EQ(io_uring_submit(&ring), 0);
	UT_EXPECT_EQ(fake.nr_enter, 3);
	UT_EXPECT_EQ(fake.enter.flags, IORING_ENTER_GETEVENTS);
	io_uring_queue_exit(&ring);
}

/* timed waits pass the timeout and sigmask through IORING_ENTER_EXT_ARG */
static void wait_timeout_ext_arg(void)
{
	struct __kernel_timespec ts = { .tv_sec = 1, .tv_nsec = 5 };
	struct io_uring_cqe *cqe = (void *)1;
	struct io_uring ring;
	sigset_t mask;

	if (init(&ring, 4, 0))
		return;
	UT_EXPECT_EQ(io_uring_wait_cqe_timeout(&ring, &cqe, &ts), -ETIME);
	UT_EXPECT(cqe == NULL);
	UT_EXPECT_EQ(fake.nr_enter, 1);
	UT_EXPECT_EQ(fake.enter.flags,
		     IORING_ENTER_GETEVENTS | IORING_ENTER_EXT_ARG);
	UT_EXPECT_EQ(fake.enter.min_complete, 1);
	UT_EXPECT_EQ(fake.enter.argsz, sizeof(struct io_uring_getevents_arg));
	UT_EXPECT_EQ(fake.enter.ext.ts, (uintptr_t)&ts);
	UT_EXPECT_EQ(fake.enter.ext.sigmask, 0);
	UT_EXPECT_EQ(fake.enter.ext.sigmask_sz, _NSIG / 8);

	sigemptyset(&mask);
	fake_post_cqe(ring.ring_fd, 5, 0, 0);
	UT_EXPECT_EQ(io_uring_wait_cqes(&ring, &cqe, 2, &ts, &mask), 0);
	UT_EXPECT_EQ(fake.enter.ext.sigmask, (uintptr_t)&mask);
	UT_EXPECT_EQ(fake.enter.min_complete, 2);
	UT_EXPECT(cqe != NULL && cqe->user_data == 5);
	io_uring_cqe_seen(&ring, cqe);

	/* submit and wait in one enter; liburing returns the submit count */
	queue_nops(&ring, 2, 30);
	UT_EXPECT_EQ(io_uring_submit_and_wait_timeout(&ring, &cqe, 2, &ts,
						      NULL), 2);
	UT_EXPECT_EQ(fake.nr_enter, 3);
	UT_EXPECT_EQ(fake.enter.to_submit, 2);
	UT_EXPECT_EQ(fake.enter.flags,
		     IORING_ENTER_GETEVENTS | IORING_ENTER_EXT_ARG);
	UT_EXPECT(cqe != NULL && cqe->user_data == 30);
	io_uring_queue_exit(&ring);
}

/*
 * Without FEAT_EXT_ARG, liburing queues an IORING_OP_TIMEOUT SQE; xuring
 * completes it with -EOPNOTSUPP. liburing 2.3 then returns what the enter
 * returned (1 SQE submitted) and no CQE, and so does libxuring.
 */
static void wait_timeout_sqe(void)
{
	struct __kernel_timespec ts = { .tv_sec = 0, .tv_nsec = 1000 };
	struct io_uring_cqe *cqe;
	struct io_uring ring;

	fake.config.features &= ~IORING_FEAT_EXT_ARG;
	if (init(&ring, 4, 0))
		return;
	UT_EXPECT_EQ(io_uring_wait_cqe_timeout(&ring, &cqe, &ts), 1);
	UT_EXPECT(cqe == NULL);
	UT_EXPECT_EQ(fake.enter.to_submit, 1);
	UT_EXPECT_EQ(fake.enter.flags, IORING_ENTER_GETEVENTS);
	UT_EXPECT_EQ(ring.sq.sqes[0].opcode, IORING_OP_TIMEOUT);
	UT_EXPECT_EQ(ring.sq.sqes[0].user_data, LIBURING_UDATA_TIMEOUT);
	UT_EXPECT_EQ(ring.sq.sqes[0].addr, (uintptr_t)&ts);
	/* the timeout's CQE was consumed by the library */
	UT_EXPECT_EQ(io_uring_cq_ready(&ring), 0);
	io_uring_queue_exit(&ring);
}

/* the library's ring state survives a failed enter */
static void enter_error(void)
{
	struct io_uring_cqe *cqe;
	struct io_uring ring;

	if (init(&ring, 4, 0))
		return;
	/* no CQE will come: the simulated module reports a signal */
	UT_EXPECT_EQ(io_uring_wait_cqe(&ring, &cqe), -EINTR);
	queue_nops(&ring, 1, 1);
	UT_EXPECT_EQ(io_uring_submit(&ring), 1);
	io_uring_queue_exit(&ring);
}

UT_MAIN(UT(get_sqe_until_full), UT(submit_then_reap), UT(submit_and_wait),
	UT(errors_and_skip), UT(sqpoll_wakeup), UT(cq_overflow),
	UT(wait_timeout_ext_arg), UT(wait_timeout_sqe), UT(enter_error))
