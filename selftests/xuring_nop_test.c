// SPDX-License-Identifier: GPL-2.0
/*
 * XURING_OP_NOP through the rings: batches of every size, wrap-around,
 * what a NOP SQE may and may not carry, unknown and unimplemented opcodes,
 * SQE flags, dropped SQ entries, and how a bad SQE ends a submission.
 */
#include <limits.h>
#include <stddef.h>

#include "xuring_test.h"
#include "kselftest_harness.h"

XR_SKIP_ALL_WITHOUT_DEVICE()

FIXTURE(ring) {
	struct xr_ring r;
};

FIXTURE_SETUP(ring)
{
	ASSERT_EQ(0, xr_ring_init(&self->r, 8, 0));
}

FIXTURE_TEARDOWN(ring)
{
	xr_ring_exit(&self->r);
}

/*
 * Submit the SQE queued last (already filled in) and return its CQE's
 * res; the CQE must carry the SQE's user_data, and be the only one.
 */
static int submit_one(struct __test_metadata *_metadata, struct xr_ring *r)
{
	__u64 user_data = xr_last_sqe_ud(r);
	struct xuring_cqe cqe;

	EXPECT_EQ(1, xr_submit_and_wait(r, 1));
	if (!xr_reap_cqe(r, &cqe)) {
		TH_LOG("no CQE");
		_metadata->passed = 0;
		return INT_MIN;
	}
	EXPECT_EQ(user_data, cqe.user_data);
	EXPECT_EQ(0U, cqe.flags);
	EXPECT_EQ(0U, xr_cq_ready(r));
	return cqe.res;
}

static int submit_nop(struct __test_metadata *_metadata, struct xr_ring *r,
		      __u64 user_data)
{
	struct xuring_sqe *sqe = xr_get_sqe(r);

	if (!sqe) {
		_metadata->passed = 0;
		return INT_MIN;
	}
	xr_prep_nop(sqe, user_data);
	return submit_one(_metadata, r);
}

/*
 * Submit n NOPs (fresh user_data, base..base+n-1) in one ENTER, reap
 * them all, and check each user_data came back once with res 0.
 */
static void nop_batch(struct __test_metadata *_metadata, struct xr_ring *r,
		      unsigned int n)
{
	struct xuring_cqe *cqes = calloc(n, sizeof(*cqes));
	__u64 base = xr_ud_block(n);
	unsigned int i;

	ASSERT_NE(NULL, cqes);
	for (i = 0; i < n; i++) {
		ASSERT_TRUE(xr_queue_nop(r, base + i));
	}
	ASSERT_EQ((int)n, xr_submit_and_wait(r, n));
	ASSERT_EQ(n, xr_cq_ready(r));
	for (i = 0; i < n; i++) {
		ASSERT_TRUE(xr_reap_cqe(r, &cqes[i]));
		ASSERT_EQ(0, cqes[i].res);
		ASSERT_EQ(0U, cqes[i].flags);
	}
	XR_ASSERT_EACH_ONCE(cqes, n, base);
	EXPECT_EQ(0U, xr_cq_ready(r));
	EXPECT_EQ(*r->sq_tail, xr_load_acquire(r->sq_head));
	free(cqes);
}

/* user_data comes back as it went in, all 64 bits, 0 and ~0 included. */
TEST_F(ring, single_nop)
{
	EXPECT_EQ(0, submit_nop(_metadata, &self->r, 0xfedcba9876543210ULL));
	EXPECT_EQ(0, submit_nop(_metadata, &self->r, 0));
	EXPECT_EQ(0, submit_nop(_metadata, &self->r, ~0ULL));
	EXPECT_EQ(0, submit_nop(_metadata, &self->r, xr_ud()));
}

TEST_F(ring, batch_of_8)
{
	nop_batch(_metadata, &self->r, 8);
}

TEST(full_sq_in_one_enter)
{
	static const unsigned int sizes[] = { 64, 4096 };
	unsigned int i;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct xr_ring r;

		ASSERT_EQ(0, xr_ring_init(&r, sizes[i], 0));
		ASSERT_EQ(sizes[i], r.p.sq_entries);
		nop_batch(_metadata, &r, sizes[i]);
		/* the SQ is empty again: a second full batch fits */
		nop_batch(_metadata, &r, sizes[i]);
		xr_ring_exit(&r);
	}
}

TEST(hundred_rounds_of_full_batches)
{
	struct xr_ring r;
	unsigned int round;

	ASSERT_EQ(0, xr_ring_init(&r, 32, 0));
	for (round = 0; round < 100; round++)
		nop_batch(_metadata, &r, 32);
	EXPECT_EQ(3200U, *r.sq_head);
	EXPECT_EQ(3200U, *r.cq_tail);
	xr_ring_exit(&r);
}

/* Batches of 3 on a ring of 4: the indexes wrap at every offset. */
TEST(wraparound_uneven_batches)
{
	struct xr_ring r;
	unsigned int round;

	ASSERT_EQ(0, xr_ring_init(&r, 4, 0));
	for (round = 0; round < 50; round++)
		nop_batch(_metadata, &r, 3);
	EXPECT_EQ(150U, *r.sq_head);
	xr_ring_exit(&r);
}

/* liburing's io_uring_prep_nop() sets fd -1; a zeroed SQE has fd 0. */
TEST_F(ring, fd_minus_one_and_zero_accepted)
{
	struct xuring_sqe *sqe;

	sqe = xr_get_sqe(&self->r);
	ASSERT_NE(NULL, sqe);
	xr_prep_nop(sqe, xr_ud());
	sqe->fd = -1;
	EXPECT_EQ(0, submit_one(_metadata, &self->r));

	sqe = xr_get_sqe(&self->r);
	ASSERT_NE(NULL, sqe);
	xr_prep_nop(sqe, xr_ud());
	sqe->fd = 0;
	EXPECT_EQ(0, submit_one(_metadata, &self->r));
}

/* A NOP carries nothing: any of these fields set is -EINVAL. */
FIXTURE(nop_field) {
	struct xr_ring r;
};

FIXTURE_VARIANT(nop_field) {
	size_t offset;
	size_t size;
};

#define NOP_FIELD(name, field)						\
	FIXTURE_VARIANT_ADD(nop_field, name) {				\
		.offset = offsetof(struct xuring_sqe, field),		\
		.size = sizeof(((struct xuring_sqe *)0)->field),	\
	}

NOP_FIELD(off, off);
NOP_FIELD(addr, addr);
NOP_FIELD(len, len);
NOP_FIELD(rw_flags, rw_flags);
NOP_FIELD(buf_index, buf_index);
NOP_FIELD(personality, personality);
NOP_FIELD(file_index, file_index);
NOP_FIELD(addr3, addr3);
NOP_FIELD(pad2, __pad2);
NOP_FIELD(ioprio, ioprio);

FIXTURE_SETUP(nop_field)
{
	ASSERT_EQ(0, xr_ring_init(&self->r, 8, 0));
}

FIXTURE_TEARDOWN(nop_field)
{
	xr_ring_exit(&self->r);
}

TEST_F(nop_field, nonzero_field_einval_and_ring_still_works)
{
	struct xuring_sqe *sqe;
	unsigned int i;

	/* the low byte set, and then every byte */
	for (i = 0; i < 2; i++) {
		sqe = xr_get_sqe(&self->r);
		ASSERT_NE(NULL, sqe);
		xr_prep_nop(sqe, xr_ud());
		if (i == 0)
			((char *)sqe)[variant->offset] = 1;
		else
			memset((char *)sqe + variant->offset, 0xff,
			       variant->size);
		EXPECT_EQ(-EINVAL, submit_one(_metadata, &self->r));
	}
	EXPECT_EQ(0, submit_nop(_metadata, &self->r, xr_ud()));
}

TEST_F(ring, unknown_opcode_einval)
{
	static const unsigned int opcodes[] = { XURING_OP_LAST, 100, 200, 255 };
	struct xuring_sqe *sqe;
	unsigned int i;

	for (i = 0; i < sizeof(opcodes) / sizeof(opcodes[0]); i++) {
		sqe = xr_get_sqe(&self->r);
		ASSERT_NE(NULL, sqe);
		xr_prep_nop(sqe, xr_ud());
		sqe->opcode = opcodes[i];
		EXPECT_EQ(-EINVAL, submit_one(_metadata, &self->r))
			TH_LOG("opcode %u", opcodes[i]);
	}
	EXPECT_EQ(0, submit_nop(_metadata, &self->r, xr_ud()));
}

/* io_uring opcodes xuring does not implement: -EOPNOTSUPP. */
TEST_F(ring, unimplemented_opcode_eopnotsupp)
{
	static const unsigned int opcodes[] = {
		6,	/* POLL_ADD */
		11,	/* TIMEOUT */
	};
	struct xuring_sqe *sqe;
	unsigned int i;

	for (i = 0; i < sizeof(opcodes) / sizeof(opcodes[0]); i++) {
		sqe = xr_get_sqe(&self->r);
		ASSERT_NE(NULL, sqe);
		memset(sqe, 0, sizeof(*sqe));
		sqe->opcode = opcodes[i];
		sqe->user_data = xr_ud();
		EXPECT_EQ(-EOPNOTSUPP, submit_one(_metadata, &self->r))
			TH_LOG("opcode %u", opcodes[i]);
	}
	EXPECT_EQ(0, submit_nop(_metadata, &self->r, xr_ud()));
}

TEST_F(ring, unknown_sqe_flag_einval)
{
	struct xuring_sqe *sqe = xr_get_sqe(&self->r);

	ASSERT_NE(NULL, sqe);
	xr_prep_nop(sqe, xr_ud());
	sqe->flags = 1U << 7;
	EXPECT_EQ(-EINVAL, submit_one(_metadata, &self->r));
	EXPECT_EQ(0, submit_nop(_metadata, &self->r, xr_ud()));
}

TEST_F(ring, buffer_select_rejected)
{
	struct xuring_sqe *sqe = xr_get_sqe(&self->r);
	int res;

	ASSERT_NE(NULL, sqe);
	xr_prep_nop(sqe, xr_ud());
	sqe->flags = XURING_SQE_BUFFER_SELECT;
	res = submit_one(_metadata, &self->r);
	EXPECT_TRUE(res == -EINVAL || res == -EOPNOTSUPP)
		TH_LOG("res %d", res);
	EXPECT_EQ(0, submit_nop(_metadata, &self->r, xr_ud()));
}

TEST_F(ring, fixed_file_on_nop_einval)
{
	struct xuring_sqe *sqe = xr_get_sqe(&self->r);

	ASSERT_NE(NULL, sqe);
	xr_prep_nop(sqe, xr_ud());
	sqe->fd = 0;
	sqe->flags = XURING_SQE_FIXED_FILE;
	EXPECT_EQ(-EINVAL, submit_one(_metadata, &self->r));
	EXPECT_EQ(0, submit_nop(_metadata, &self->r, xr_ud()));
}

/* Publish one SQ array entry holding idx, whatever it is. */
static void queue_raw_index(struct xr_ring *r, unsigned int idx)
{
	unsigned int tail = *r->sq_tail;

	r->sq_array[tail & (r->p.sq_entries - 1)] = idx;
	xr_store_release(r->sq_tail, tail + 1);
	r->sqe_tail = tail + 1;
}

/* An SQ array entry past the SQE array is dropped and counted. */
TEST_F(ring, out_of_range_sq_index_dropped)
{
	struct xuring_cqe cqe;

	queue_raw_index(&self->r, self->r.p.sq_entries);
	/* consumed, but not submitted: io_uring returns 0 */
	EXPECT_EQ(0, xr_enter(self->r.fd, 1, 0, 0, NULL, 0));
	EXPECT_EQ(1U, xr_load_acquire(self->r.sq_head));
	EXPECT_EQ(1U, *self->r.sq_dropped);
	EXPECT_EQ(0U, xr_cq_ready(&self->r));

	queue_raw_index(&self->r, ~0U);
	EXPECT_EQ(0, xr_enter(self->r.fd, 1, 0, 0, NULL, 0));
	EXPECT_EQ(2U, xr_load_acquire(self->r.sq_head));
	EXPECT_EQ(2U, *self->r.sq_dropped);
	EXPECT_EQ(0U, xr_cq_ready(&self->r));

	/* the ring goes on, and only the good NOP completes */
	EXPECT_EQ(0, submit_nop(_metadata, &self->r, xr_ud()));
	EXPECT_FALSE(xr_reap_cqe(&self->r, &cqe));
	EXPECT_EQ(2U, *self->r.sq_dropped);
}

/* A dropped entry between good ones: the good ones complete, once each. */
TEST_F(ring, dropped_entry_between_good_ones)
{
	__u64 ud = xr_ud_block(2);
	struct xuring_cqe cqe;
	unsigned int spins = 0;
	bool seen1 = false, seen2 = false;

	ASSERT_TRUE(xr_queue_nop(&self->r, ud));
	xr_flush_sq(&self->r);
	queue_raw_index(&self->r, 1000);
	ASSERT_TRUE(xr_queue_nop(&self->r, ud + 1));
	ASSERT_EQ(3U, xr_flush_sq(&self->r));

	while (xr_load_acquire(self->r.sq_head) != *self->r.sq_tail) {
		unsigned int pending = *self->r.sq_tail -
				       xr_load_acquire(self->r.sq_head);

		ASSERT_LE(0, xr_enter(self->r.fd, pending, 0, 0, NULL, 0));
		ASSERT_GT(10U, ++spins);
	}
	EXPECT_EQ(1U, *self->r.sq_dropped);
	while (xr_reap_cqe(&self->r, &cqe)) {
		EXPECT_EQ(0, cqe.res);
		if (cqe.user_data == ud) {
			EXPECT_FALSE(seen1);
			seen1 = true;
		} else {
			EXPECT_EQ(ud + 1, cqe.user_data);
			EXPECT_FALSE(seen2);
			seen2 = true;
		}
	}
	EXPECT_TRUE(seen1);
	EXPECT_TRUE(seen2);
}

/*
 * Without SUBMIT_ALL, submission stops at the first SQE that fails: it
 * is consumed (its error is in its CQE), the ones after it are not.
 */
TEST_F(ring, bad_sqe_stops_submission)
{
	__u64 ud = xr_ud_block(3);
	struct xuring_sqe *sqe;
	struct xuring_cqe cqe;

	ASSERT_TRUE(xr_queue_nop(&self->r, ud));
	sqe = xr_get_sqe(&self->r);
	ASSERT_NE(NULL, sqe);
	xr_prep_nop(sqe, ud + 1);
	sqe->len = 1;
	ASSERT_TRUE(xr_queue_nop(&self->r, ud + 2));

	ASSERT_EQ(3U, xr_flush_sq(&self->r));
	EXPECT_EQ(2, xr_enter(self->r.fd, 3, 0, 0, NULL, 0));
	EXPECT_EQ(2U, xr_load_acquire(self->r.sq_head));
	ASSERT_EQ(2U, xr_cq_ready(&self->r));
	ASSERT_TRUE(xr_reap_cqe(&self->r, &cqe));
	EXPECT_EQ(ud, cqe.user_data);
	EXPECT_EQ(0, cqe.res);
	ASSERT_TRUE(xr_reap_cqe(&self->r, &cqe));
	EXPECT_EQ(ud + 1, cqe.user_data);
	EXPECT_EQ(-EINVAL, cqe.res);

	EXPECT_EQ(1, xr_enter(self->r.fd, 1, 0, 0, NULL, 0));
	ASSERT_TRUE(xr_reap_cqe(&self->r, &cqe));
	EXPECT_EQ(ud + 2, cqe.user_data);
	EXPECT_EQ(0, cqe.res);
}

TEST(submit_all_continues_after_bad_sqe)
{
	__u64 ud = xr_ud_block(3);
	struct xuring_sqe *sqe;
	struct xuring_cqe cqe;
	struct xr_ring r;

	ASSERT_EQ(0, xr_ring_init(&r, 8, XURING_SETUP_SUBMIT_ALL));
	ASSERT_TRUE(xr_queue_nop(&r, ud));
	sqe = xr_get_sqe(&r);
	ASSERT_NE(NULL, sqe);
	xr_prep_nop(sqe, ud + 1);
	sqe->len = 1;
	ASSERT_TRUE(xr_queue_nop(&r, ud + 2));

	EXPECT_EQ(3, xr_submit(&r));
	ASSERT_EQ(3U, xr_cq_ready(&r));
	ASSERT_TRUE(xr_reap_cqe(&r, &cqe));
	EXPECT_EQ(ud, cqe.user_data);
	EXPECT_EQ(0, cqe.res);
	ASSERT_TRUE(xr_reap_cqe(&r, &cqe));
	EXPECT_EQ(ud + 1, cqe.user_data);
	EXPECT_EQ(-EINVAL, cqe.res);
	ASSERT_TRUE(xr_reap_cqe(&r, &cqe));
	EXPECT_EQ(ud + 2, cqe.user_data);
	EXPECT_EQ(0, cqe.res);
	xr_ring_exit(&r);
}

TEST_F(ring, cqe_skip_success)
{
	struct __kernel_timespec ts = { .tv_nsec = 50 * 1000000 };
	struct xuring_getevents_arg arg = { .ts = (uintptr_t)&ts };
	__u64 ud = xr_ud_block(3);
	struct xuring_sqe *sqe;
	struct xuring_cqe cqe;

	if (!(self->r.p.features & XURING_FEAT_CQE_SKIP))
		SKIP(return, "FEAT_CQE_SKIP not offered");

	sqe = xr_get_sqe(&self->r);
	ASSERT_NE(NULL, sqe);
	xr_prep_nop(sqe, ud);
	sqe->flags = XURING_SQE_CQE_SKIP_SUCCESS;
	ASSERT_TRUE(xr_queue_nop(&self->r, ud + 1));
	/* a failure posts its CQE all the same */
	sqe = xr_get_sqe(&self->r);
	ASSERT_NE(NULL, sqe);
	xr_prep_nop(sqe, ud + 2);
	sqe->flags = XURING_SQE_CQE_SKIP_SUCCESS;
	sqe->len = 1;

	EXPECT_EQ(3, xr_submit(&self->r));
	ASSERT_TRUE(xr_reap_cqe(&self->r, &cqe));
	EXPECT_EQ(ud + 1, cqe.user_data);
	EXPECT_EQ(0, cqe.res);
	ASSERT_TRUE(xr_reap_cqe(&self->r, &cqe));
	EXPECT_EQ(ud + 2, cqe.user_data);
	EXPECT_EQ(-EINVAL, cqe.res);
	/* and no CQE for the first, even after waiting a little */
	EXPECT_EQ(-ETIME, xr_enter(self->r.fd, 0, 1,
				   XURING_ENTER_GETEVENTS |
				   XURING_ENTER_EXT_ARG, &arg, sizeof(arg)));
	EXPECT_EQ(0U, xr_cq_ready(&self->r));
}

TEST_F(ring, async_nop_completes)
{
	struct xuring_sqe *sqe = xr_get_sqe(&self->r);
	__u64 ud = xr_ud();
	struct xuring_cqe cqe;

	ASSERT_NE(NULL, sqe);
	xr_prep_nop(sqe, ud);
	sqe->flags = XURING_SQE_ASYNC;
	EXPECT_EQ(1, xr_submit(&self->r));
	ASSERT_EQ(0, xr_wait_cqe(&self->r, &cqe));
	EXPECT_EQ(ud, cqe.user_data);
	EXPECT_EQ(0, cqe.res);
}

TEST_F(ring, linked_nops_complete_in_order)
{
	__u64 ud = xr_ud_block(4);
	struct xuring_sqe *sqe;
	struct xuring_cqe cqe;
	unsigned int i;

	for (i = 0; i < 4; i++) {
		sqe = xr_get_sqe(&self->r);
		ASSERT_NE(NULL, sqe);
		xr_prep_nop(sqe, ud + i);
		if (i < 3)
			sqe->flags = XURING_SQE_IO_LINK;
		if (i == 1)
			sqe->flags |= XURING_SQE_ASYNC;
	}
	EXPECT_EQ(4, xr_submit_and_wait(&self->r, 4));
	for (i = 0; i < 4; i++) {
		ASSERT_EQ(0, xr_wait_cqe(&self->r, &cqe));
		EXPECT_EQ(ud + i, cqe.user_data);
		EXPECT_EQ(0, cqe.res);
	}
}

/*
 * A bad SQE inside a link fails the whole chain: it gets its own error,
 * every other member -ECANCELED, and none of them runs.
 */
TEST_F(ring, bad_sqe_in_link_cancels_chain)
{
	static const int expect[] = { -ECANCELED, -EINVAL, -ECANCELED,
				      -ECANCELED };
	__u64 ud = xr_ud_block(4);
	struct xuring_cqe cqes[4];
	struct xuring_sqe *sqe;
	unsigned int i;

	for (i = 0; i < 4; i++) {
		sqe = xr_get_sqe(&self->r);
		ASSERT_NE(NULL, sqe);
		xr_prep_nop(sqe, ud + i);
		if (i < 3)
			sqe->flags = XURING_SQE_IO_LINK;
		if (i == 1)
			sqe->len = 1;
	}
	EXPECT_EQ(4, xr_submit_and_wait(&self->r, 4));
	for (i = 0; i < 4; i++)
		ASSERT_EQ(0, xr_wait_cqe(&self->r, &cqes[i]));
	XR_ASSERT_EACH_ONCE(cqes, 4, ud);
	for (i = 0; i < 4; i++) {
		EXPECT_EQ(expect[cqes[i].user_data - ud], cqes[i].res)
			TH_LOG("request %llu",
			       (unsigned long long)(cqes[i].user_data - ud));
	}
	EXPECT_EQ(0U, xr_cq_ready(&self->r));
	EXPECT_EQ(0, submit_nop(_metadata, &self->r, xr_ud()));
}

/*
 * IO_DRAIN: the drain SQE starts only after everything before it has
 * completed, and what follows only after it has.
 */
TEST_F(ring, drain_orders_completions)
{
	__u64 ud = xr_ud_block(3);
	struct xuring_sqe *sqe;
	struct xuring_cqe cqe;
	unsigned int i;

	sqe = xr_get_sqe(&self->r);
	ASSERT_NE(NULL, sqe);
	xr_prep_nop(sqe, ud);
	sqe->flags = XURING_SQE_ASYNC;
	sqe = xr_get_sqe(&self->r);
	ASSERT_NE(NULL, sqe);
	xr_prep_nop(sqe, ud + 1);
	sqe->flags = XURING_SQE_IO_DRAIN;
	ASSERT_TRUE(xr_queue_nop(&self->r, ud + 2));

	EXPECT_EQ(3, xr_submit(&self->r));
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, xr_wait_cqe(&self->r, &cqe));
		EXPECT_EQ(ud + i, cqe.user_data);
		EXPECT_EQ(0, cqe.res);
	}
}

TEST_HARNESS_MAIN
