// SPDX-License-Identifier: GPL-2.0
/*
 * CQ overflow under FEAT_NODROP: completions that find the CQ full wait in
 * a backlog (XURING_SQ_CQ_OVERFLOW set in the SQ ring flags) instead of
 * being dropped, and reach the CQ, in order, as the application makes
 * room and calls ENTER with GETEVENTS.
 */
#include "xuring_test.h"
#include "kselftest_harness.h"

XR_SKIP_ALL_WITHOUT_DEVICE()

/* 4 SQ entries, 8 CQ entries */
FIXTURE(small_ring) {
	struct xr_ring r;
};

FIXTURE_SETUP(small_ring)
{
	ASSERT_EQ(0, xr_ring_init(&self->r, 4, 0));
	ASSERT_EQ(4U, self->r.p.sq_entries);
	ASSERT_EQ(8U, self->r.p.cq_entries);
	ASSERT_TRUE(!!(self->r.p.features & XURING_FEAT_NODROP));
}

FIXTURE_TEARDOWN(small_ring)
{
	xr_ring_exit(&self->r);
}

static bool cq_overflow_flag(const struct xr_ring *r)
{
	return xr_load_acquire(r->sq_flags) & XURING_SQ_CQ_OVERFLOW;
}

/* Submit n NOPs, user_data first..first+n-1, in ENTERs of 4. */
static void submit_nops(struct __test_metadata *_metadata, struct xr_ring *r,
			__u64 first, unsigned int n)
{
	unsigned int i, j;

	for (i = 0; i < n; i += 4) {
		unsigned int batch = n - i < 4 ? n - i : 4;

		for (j = 0; j < batch; j++) {
			ASSERT_TRUE(xr_queue_nop(r, first + i + j));
		}
		/*
		 * io_uring 6.1 returns EBUSY here only when it cannot
		 * allocate the overflow entry; xuring never drops, so every
		 * ENTER must submit its whole batch.
		 */
		ASSERT_EQ((int)batch, xr_submit(r)) TH_LOG("batch at %u", i);
	}
}

/*
 * Reap everything, calling ENTER(GETEVENTS, min_complete 0) to flush the
 * backlog whenever the CQ runs dry; the CQEs must be first..first+n-1 in
 * order, and the overflow flag must stay set exactly while a backlog
 * remains.
 */
static void reap_in_order(struct __test_metadata *_metadata,
			  struct xr_ring *r, __u64 first, unsigned int n)
{
	unsigned int flushes = 0;
	__u64 expect = first;
	struct xuring_cqe cqe;

	while (expect < first + n) {
		if (!xr_reap_cqe(r, &cqe)) {
			ASSERT_TRUE(cq_overflow_flag(r))
				TH_LOG("CQ empty, no backlog, %u CQEs missing",
				       (unsigned int)(first + n - expect));
			ASSERT_EQ(0, xr_enter(r->fd, 0, 0,
					      XURING_ENTER_GETEVENTS, NULL, 0));
			ASSERT_LT(0U, xr_cq_ready(r))
				TH_LOG("the flush moved nothing");
			ASSERT_GT(64U, ++flushes);
			/* the flag tells whether more is waiting */
			EXPECT_EQ(expect + xr_cq_ready(r) < first + n,
				  cq_overflow_flag(r));
			continue;
		}
		ASSERT_EQ(expect, cqe.user_data);
		EXPECT_EQ(0, cqe.res);
		expect++;
	}
	EXPECT_FALSE(cq_overflow_flag(r));
	EXPECT_EQ(0U, xr_cq_ready(r));
	EXPECT_EQ(0U, *r->cq_overflow);
}

TEST_F(small_ring, nodrop_keeps_every_completion_in_order)
{
	__u64 ud = xr_ud_block(36);

	submit_nops(_metadata, &self->r, ud, 32);
	EXPECT_TRUE(cq_overflow_flag(&self->r));
	/* nothing was dropped */
	EXPECT_EQ(0U, *self->r.cq_overflow);
	EXPECT_EQ(8U, xr_cq_ready(&self->r));
	reap_in_order(_metadata, &self->r, ud, 32);

	/* and the ring carries on normally */
	submit_nops(_metadata, &self->r, ud + 32, 4);
	EXPECT_FALSE(cq_overflow_flag(&self->r));
	reap_in_order(_metadata, &self->r, ud + 32, 4);
}

TEST_F(small_ring, flag_set_only_past_full_cq)
{
	__u64 ud = xr_ud_block(9);
	struct xuring_cqe cqe;
	unsigned int i;

	submit_nops(_metadata, &self->r, ud, 8);
	EXPECT_EQ(8U, xr_cq_ready(&self->r));
	EXPECT_FALSE(cq_overflow_flag(&self->r));

	submit_nops(_metadata, &self->r, ud + 8, 1);
	EXPECT_EQ(8U, xr_cq_ready(&self->r));
	EXPECT_TRUE(cq_overflow_flag(&self->r));

	for (i = 0; i < 8; i++) {
		ASSERT_TRUE(xr_reap_cqe(&self->r, &cqe));
		EXPECT_EQ(ud + i, cqe.user_data);
	}
	/* a wait flushes the backlog before it looks at the CQ */
	EXPECT_EQ(0, xr_enter(self->r.fd, 0, 1, XURING_ENTER_GETEVENTS,
			      NULL, 0));
	EXPECT_FALSE(cq_overflow_flag(&self->r));
	ASSERT_TRUE(xr_reap_cqe(&self->r, &cqe));
	EXPECT_EQ(ud + 8, cqe.user_data);
	EXPECT_EQ(0U, *self->r.cq_overflow);
}

/* A partial reap makes room for part of the backlog only. */
TEST_F(small_ring, partial_reap_flushes_partially)
{
	__u64 ud = xr_ud_block(12);
	struct xuring_cqe cqe;
	unsigned int i;

	submit_nops(_metadata, &self->r, ud, 12);
	EXPECT_TRUE(cq_overflow_flag(&self->r));
	for (i = 0; i < 2; i++) {
		ASSERT_TRUE(xr_reap_cqe(&self->r, &cqe));
		EXPECT_EQ(ud + i, cqe.user_data);
	}
	EXPECT_EQ(0, xr_enter(self->r.fd, 0, 0, XURING_ENTER_GETEVENTS,
			      NULL, 0));
	EXPECT_EQ(8U, xr_cq_ready(&self->r));
	EXPECT_TRUE(cq_overflow_flag(&self->r));
	reap_in_order(_metadata, &self->r, ud + 2, 10);
}

/*
 * A completion that finds room in the CQ while older ones wait in the
 * backlog must queue behind them, not jump ahead (io_uring forces it into
 * the overflow list for the same reason).
 */
TEST_F(small_ring, new_completion_queues_behind_backlog)
{
	__u64 ud = xr_ud_block(14);
	struct xuring_cqe cqe;
	unsigned int i;

	submit_nops(_metadata, &self->r, ud, 12);
	EXPECT_TRUE(cq_overflow_flag(&self->r));
	for (i = 0; i < 3; i++) {
		ASSERT_TRUE(xr_reap_cqe(&self->r, &cqe));
		EXPECT_EQ(ud + i, cqe.user_data);
	}
	/* room for three now, but 8..11 are older */
	submit_nops(_metadata, &self->r, ud + 12, 2);
	reap_in_order(_metadata, &self->r, ud + 3, 11);
}

/* Overflow with a larger ring and many rounds of submission. */
TEST(overflow_many_rounds)
{
	struct xr_ring r;
	unsigned int round;

	ASSERT_EQ(0, xr_ring_init(&r, 4, 0));
	for (round = 0; round < 20; round++) {
		__u64 ud = xr_ud_block(40);

		submit_nops(_metadata, &r, ud, 40);
		EXPECT_TRUE(cq_overflow_flag(&r));
		reap_in_order(_metadata, &r, ud, 40);
	}
	xr_ring_exit(&r);
}

TEST_HARNESS_MAIN
