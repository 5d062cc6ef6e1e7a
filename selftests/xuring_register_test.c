// SPDX-License-Identifier: GPL-2.0
/*
 * XURING_IOC_REGISTER, io_uring_register(2)'s stand-in: the opcode probe,
 * its argument checks, unknown register opcodes, and that what the probe
 * reports matches what submission does.
 */
#include "xuring_test.h"
#include "kselftest_harness.h"

XR_SKIP_ALL_WITHOUT_DEVICE()

#define PROBE_MAX_OPS	256

struct probe_buf {
	struct xuring_probe probe;
	struct xuring_probe_op ops[PROBE_MAX_OPS + 1];
};

FIXTURE(ring) {
	struct xr_ring r;
	struct probe_buf buf;
};

FIXTURE_SETUP(ring)
{
	ASSERT_EQ(0, xr_ring_init(&self->r, 8, 0));
	memset(&self->buf, 0, sizeof(self->buf));
}

FIXTURE_TEARDOWN(ring)
{
	xr_ring_exit(&self->r);
}

static int probe(struct xr_ring *r, struct probe_buf *buf, unsigned int nr)
{
	return xr_register(r->fd, XURING_REGISTER_PROBE, buf, nr);
}

/* The probe as io_uring fills it for a buffer of nr ops. */
static void check_probe(struct __test_metadata *_metadata,
			const struct probe_buf *buf, unsigned int nr)
{
	unsigned int expect_len = nr < XURING_OP_LAST ? nr : XURING_OP_LAST;
	unsigned int i;

	EXPECT_EQ(XURING_OP_LAST - 1, buf->probe.last_op);
	EXPECT_EQ(expect_len, buf->probe.ops_len);
	EXPECT_EQ(0, buf->probe.resv);
	for (i = 0; i < 3; i++)
		EXPECT_EQ(0U, buf->probe.resv2[i]);
	for (i = 0; i < expect_len; i++) {
		EXPECT_EQ(i, buf->ops[i].op) TH_LOG("ops[%u]", i);
		EXPECT_EQ(0, buf->ops[i].resv);
		EXPECT_EQ(0U, buf->ops[i].flags & ~XURING_OP_SUPPORTED)
			TH_LOG("ops[%u].flags %#x", i, buf->ops[i].flags);
		EXPECT_EQ(0U, buf->ops[i].resv2);
	}
	/* nothing written past what was asked for, or past last_op */
	for (; i <= PROBE_MAX_OPS; i++) {
		EXPECT_EQ(0, buf->ops[i].op) TH_LOG("ops[%u]", i);
		EXPECT_EQ(0, buf->ops[i].flags) TH_LOG("ops[%u]", i);
	}
}

TEST_F(ring, probe_all_ops)
{
	ASSERT_EQ(0, probe(&self->r, &self->buf, PROBE_MAX_OPS));
	check_probe(_metadata, &self->buf, PROBE_MAX_OPS);
	EXPECT_EQ(XURING_OP_SUPPORTED,
		  self->buf.ops[XURING_OP_NOP].flags & XURING_OP_SUPPORTED);
	/* POLL_ADD and TIMEOUT are io_uring's, not xuring's */
	EXPECT_EQ(0U, self->buf.ops[6].flags & XURING_OP_SUPPORTED);
	EXPECT_EQ(0U, self->buf.ops[11].flags & XURING_OP_SUPPORTED);
}

TEST_F(ring, probe_exactly_op_last)
{
	ASSERT_EQ(0, probe(&self->r, &self->buf, XURING_OP_LAST));
	check_probe(_metadata, &self->buf, XURING_OP_LAST);
}

TEST_F(ring, probe_few_ops)
{
	ASSERT_EQ(0, probe(&self->r, &self->buf, 4));
	check_probe(_metadata, &self->buf, 4);
	EXPECT_EQ(XURING_OP_SUPPORTED, self->buf.ops[0].flags);
}

TEST_F(ring, probe_zero_ops)
{
	ASSERT_EQ(0, probe(&self->r, &self->buf, 0));
	check_probe(_metadata, &self->buf, 0);
}

TEST_F(ring, probe_too_many_ops_einval)
{
	EXPECT_EQ(-EINVAL, probe(&self->r, &self->buf, PROBE_MAX_OPS + 1));
	EXPECT_EQ(-EINVAL, probe(&self->r, &self->buf, ~0U));
	EXPECT_EQ(0, self->buf.probe.last_op);
}

TEST_F(ring, probe_not_zeroed_einval)
{
	self->buf.probe.resv2[1] = 1;
	EXPECT_EQ(-EINVAL, probe(&self->r, &self->buf, 16));
	EXPECT_EQ(0, self->buf.probe.last_op);

	memset(&self->buf, 0, sizeof(self->buf));
	self->buf.ops[15].resv2 = 1;
	EXPECT_EQ(-EINVAL, probe(&self->r, &self->buf, 16));

	memset(&self->buf, 0, sizeof(self->buf));
	self->buf.probe.ops_len = 3;
	EXPECT_EQ(-EINVAL, probe(&self->r, &self->buf, 16));
}

TEST_F(ring, probe_bad_pointer_efault)
{
	void *none = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
			  -1, 0);

	int ret;

	ASSERT_NE(MAP_FAILED, none);
	/* io_uring_register(2) refuses a NULL probe with EINVAL */
	ret = xr_register(self->r.fd, XURING_REGISTER_PROBE, NULL, 16);
	EXPECT_TRUE(ret == -EFAULT || ret == -EINVAL) TH_LOG("ret %d", ret);
	EXPECT_EQ(-EFAULT, xr_register(self->r.fd, XURING_REGISTER_PROBE,
				       none, 16));
	munmap(none, 4096);
	EXPECT_EQ(-EFAULT, xr_ioctl(self->r.fd, XURING_IOC_REGISTER, NULL));
}

TEST_F(ring, unknown_register_opcode_einval)
{
	static const unsigned int opcodes[] = {
		XURING_REGISTER_LAST, 99, 255, ~0U,
	};
	unsigned int i;

	for (i = 0; i < sizeof(opcodes) / sizeof(opcodes[0]); i++) {
		EXPECT_EQ(-EINVAL, xr_register(self->r.fd, opcodes[i],
					       &self->buf, 0))
			TH_LOG("opcode %u", opcodes[i]);
	}
}

/*
 * What the probe says is what submission does: every opcode it does not
 * flag completes with -EOPNOTSUPP, and NOP (flagged) succeeds.
 */
TEST_F(ring, probe_matches_submission)
{
	struct xuring_sqe *sqe;
	struct xuring_cqe cqe;
	unsigned int op;
	__u64 ud;

	ASSERT_EQ(0, probe(&self->r, &self->buf, PROBE_MAX_OPS));
	ASSERT_EQ(XURING_OP_LAST, self->buf.probe.ops_len);
	for (op = 0; op < XURING_OP_LAST; op++) {
		if (self->buf.ops[op].flags & XURING_OP_SUPPORTED)
			continue;
		ud = xr_ud();
		sqe = xr_get_sqe(&self->r);
		ASSERT_NE(NULL, sqe);
		memset(sqe, 0, sizeof(*sqe));
		sqe->opcode = op;
		sqe->user_data = ud;
		ASSERT_EQ(1, xr_submit_and_wait(&self->r, 1));
		ASSERT_TRUE(xr_reap_cqe(&self->r, &cqe));
		EXPECT_EQ(ud, cqe.user_data);
		EXPECT_EQ(-EOPNOTSUPP, cqe.res) TH_LOG("opcode %u", op);
	}
}

TEST_HARNESS_MAIN
