// SPDX-License-Identifier: GPL-2.0
/*
 * Ordering between requests: IO_LINK (the next starts only after this one
 * succeeded; a failure or short transfer cancels the rest), IO_HARDLINK
 * (the chain goes on whatever the result), bad SQEs inside a chain,
 * CQE_SKIP_SUCCESS, and IO_DRAIN. Every check makes the order observable:
 * data a later request can only see if an earlier one finished, pipes
 * that hold a request back until the test writes to them, CQE order.
 */
#include "xuring_poll.h"
#include "kselftest_harness.h"

XR_SKIP_ALL_WITHOUT_DEVICE()

#define BUF_SIZE	(1 << 20)

FIXTURE(link) {
	struct xr_ring r;
	int fd;
	unsigned char *buf, *buf2;
	/* the user_data of request k is ud + k (k < LINK_UDS) */
	__u64 ud;
};

#define LINK_UDS	64

/* Fresh user_data for the next requests, k counting from 0 again. */
#define NEW_UDS()	(self->ud = xr_ud_block(LINK_UDS))

FIXTURE_SETUP(link)
{
	self->fd = -1;
	NEW_UDS();
	ASSERT_EQ(0, xr_ring_init(&self->r, 64, 0));
	self->buf = xr_alloc(BUF_SIZE);
	self->buf2 = xr_alloc(BUF_SIZE);
	ASSERT_NE(NULL, self->buf);
	ASSERT_NE(NULL, self->buf2);
}

FIXTURE_TEARDOWN(link)
{
	if (self->fd >= 0)
		close(self->fd);
	xr_ring_exit(&self->r);
	xr_free(self->buf, BUF_SIZE);
	xr_free(self->buf2, BUF_SIZE);
}

#define OPEN_SCRATCH(fd) XR_OPEN_SCRATCH(fd, O_RDWR)

/* Queue request k, a read/write with the given SQE flags. */
#define QUEUE_RW(op, fd, addr, len, off, sqe_flags, k) do {		\
	struct xuring_sqe *__sqe;					\
	XR_GET_SQE(__sqe, &self->r);					\
	xr_prep_rw(__sqe, (op), (fd), (addr), (len), (off),		\
		   self->ud + (k));					\
	__sqe->flags = (sqe_flags);					\
} while (0)

#define QUEUE_NOP(sqe_flags, k) do {					\
	struct xuring_sqe *__sqe;					\
	XR_GET_SQE(__sqe, &self->r);					\
	xr_prep_nop(__sqe, self->ud + (k));				\
	__sqe->flags = (sqe_flags);					\
} while (0)

/*
 * Reap n CQEs and check that they are those of requests k[0..n-1], in
 * this order, with results res[].
 */
static void expect_cqes(struct __test_metadata *_metadata, struct xr_ring *r,
			__u64 ud, unsigned int n, const unsigned int *k,
			const int *res)
{
	struct xuring_cqe cqe;
	unsigned int i;

	for (i = 0; i < n; i++) {
		ASSERT_EQ(0, xr_wait_cqe_ms(r, &cqe, XR_IO_TIMEOUT_MS))
			TH_LOG("CQE %u of %u missing", i, n);
		ASSERT_EQ(ud + k[i], cqe.user_data)
			TH_LOG("CQE %u: request %lld, want %u", i,
			       (long long)(cqe.user_data - ud), k[i]);
		ASSERT_EQ(res[i], cqe.res) TH_LOG("CQE %u (request %u)",
						  i, k[i]);
	}
}

/* EXPECT_CQES(n, UD(request k...), RES(res...)) */
#define UD(...)		((const unsigned int[]){ __VA_ARGS__ })
#define RES(...)	((const int[]){ __VA_ARGS__ })
#define EXPECT_CQES(n, k, res)	\
	expect_cqes(_metadata, &self->r, self->ud, (n), k, res)

/* No further CQE shows up, even given some time. */
#define ASSERT_NO_MORE_CQES(ms)						\
	ASSERT_TRUE(xr_no_cqe_for_ms(&self->r, (ms)))			\
		TH_LOG("unexpected CQE (%u ready)", xr_cq_ready(&self->r))

/*
 * WRITE linked to a READ of the same range of a new file: the READ runs
 * only after the WRITE completed, so it sees the data (an early READ would
 * find an empty file). Also with the WRITE forced through io-wq.
 */
TEST_F(link, write_then_read)
{
	const size_t len = 200000;
	unsigned int round;

	OPEN_SCRATCH(self->fd);
	for (round = 0; round < 2; round++) {
		unsigned int wflags = XURING_SQE_IO_LINK;

		if (round)
			wflags |= XURING_SQE_ASYNC;
		NEW_UDS();
		ASSERT_EQ(0, ftruncate(self->fd, 0));
		xr_fill_pattern(self->buf, len, 0, 1 + round);
		memset(self->buf2, 0, len);
		QUEUE_RW(XURING_OP_WRITE, self->fd, self->buf, len, 0,
			 wflags, 1);
		QUEUE_RW(XURING_OP_READ, self->fd, self->buf2, len, 0, 0, 2);
		ASSERT_EQ(2, xr_submit(&self->r));
		EXPECT_CQES(2, UD(1, 2), RES(len, len));
		XR_ASSERT_PATTERN(self->buf2, len, 0, 1 + round);
	}
}

/* A long chain of writes to one range: the read at its end sees the last. */
TEST_F(link, chain_of_writes)
{
	const size_t len = 8192;
	int res[17];
	unsigned int i;

	OPEN_SCRATCH(self->fd);
	for (i = 0; i < 16; i++) {
		xr_fill_pattern(self->buf + i * len, len, 0, 10 + i);
		/* every other one through io-wq, to mix completion contexts */
		QUEUE_RW(XURING_OP_WRITE, self->fd, self->buf + i * len, len,
			 0, XURING_SQE_IO_LINK |
			    (i % 2 ? XURING_SQE_ASYNC : 0), i);
		res[i] = len;
	}
	QUEUE_RW(XURING_OP_READ, self->fd, self->buf2, len, 0, 0, 16);
	res[16] = len;
	ASSERT_EQ(17, xr_submit(&self->r));
	EXPECT_CQES(17, UD(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
			   15, 16), res);
	XR_ASSERT_PATTERN(self->buf2, len, 0, 10 + 15);
}

/*
 * The same with O_DIRECT overwrites, which complete from interrupts: each
 * successor is started from there, still in order.
 */
TEST_F(link, chain_of_direct_writes)
{
	const char *ext4 = xr_env_path("XURING_EXT4_DIR");
	const size_t len = 4096;
	int res[9];
	unsigned int i;

	if (!ext4)
		SKIP(return, "XURING_EXT4_DIR is not set");
	self->fd = xr_scratch_file(ext4, O_RDWR | O_DIRECT);
	ASSERT_LE(0, self->fd);
	/* allocated and written: later writes are pure overwrites */
	memset(self->buf, 0, len);
	ASSERT_TRUE(xr_pwrite_all(self->fd, self->buf, len, 0));
	ASSERT_EQ(0, fsync(self->fd));
	for (i = 0; i < 8; i++) {
		xr_fill_pattern(self->buf + i * len, len, 0, 90 + i);
		QUEUE_RW(XURING_OP_WRITE, self->fd, self->buf + i * len, len,
			 0, XURING_SQE_IO_LINK, i);
		res[i] = len;
	}
	QUEUE_RW(XURING_OP_READ, self->fd, self->buf2, len, 0, 0, 8);
	res[8] = len;
	ASSERT_EQ(9, xr_submit(&self->r));
	EXPECT_CQES(9, UD(0, 1, 2, 3, 4, 5, 6, 7, 8), res);
	XR_ASSERT_PATTERN(self->buf2, len, 0, 90 + 7);
}

/* WRITE -> FSYNC -> READ, all linked: each in turn, all succeed. */
TEST_F(link, write_fsync_read)
{
	struct xuring_sqe *sqe;

	OPEN_SCRATCH(self->fd);
	xr_fill_pattern(self->buf, 4096, 0, 30);
	QUEUE_RW(XURING_OP_WRITE, self->fd, self->buf, 4096, 0,
		 XURING_SQE_IO_LINK, 1);
	XR_GET_SQE(sqe, &self->r);
	xr_prep_fsync(sqe, self->fd, 0, self->ud + 2);
	sqe->flags = XURING_SQE_IO_LINK;
	QUEUE_RW(XURING_OP_READ, self->fd, self->buf2, 4096, 0, 0, 3);
	ASSERT_EQ(3, xr_submit(&self->r));
	EXPECT_CQES(3, UD(1, 2, 3), RES(4096, 0, 4096));
	XR_ASSERT_PATTERN(self->buf2, 4096, 0, 30);
}

/*
 * A READ blocked on an empty pipe, linked to a NOP: nothing completes until
 * the pipe has data, then the READ's CQE comes first.
 */
TEST_F(link, pipe_read_then_nop)
{
	int p[2];

	ASSERT_EQ(0, pipe(p));
	QUEUE_RW(XURING_OP_READ, p[0], self->buf2, 100, -1,
		 XURING_SQE_IO_LINK, 1);
	QUEUE_NOP(0, 2);
	ASSERT_EQ(2, xr_submit(&self->r));
	ASSERT_NO_MORE_CQES(300);

	xr_fill_pattern(self->buf, 100, 0, 40);
	ASSERT_EQ(100, write(p[1], self->buf, 100));
	EXPECT_CQES(2, UD(1, 2), RES(100, 0));
	XR_ASSERT_PATTERN(self->buf2, 100, 0, 40);
	close(p[0]);
	close(p[1]);
}

/* A short read (past EOF) breaks the link: the rest is cancelled. */
TEST_F(link, short_read_breaks_link)
{
	OPEN_SCRATCH(self->fd);
	xr_fill_pattern(self->buf, 100, 0, 50);
	ASSERT_TRUE(xr_pwrite_all(self->fd, self->buf, 100, 0));
	memset(self->buf2, 0, 8192);
	QUEUE_RW(XURING_OP_READ, self->fd, self->buf2, 4096, 0,
		 XURING_SQE_IO_LINK, 1);
	/* would overwrite the file if it ran */
	QUEUE_RW(XURING_OP_WRITE, self->fd, self->buf + 4096, 4096, 0,
		 XURING_SQE_IO_LINK, 2);
	QUEUE_NOP(0, 3);
	ASSERT_EQ(3, xr_submit(&self->r));
	EXPECT_CQES(3, UD(1, 2, 3), RES(100, -ECANCELED, -ECANCELED));
	XR_ASSERT_PATTERN(self->buf2, 100, 0, 50);
	/* the cancelled write did not happen */
	ASSERT_EQ(100, pread(self->fd, self->buf2, 8192, 0));
	XR_ASSERT_PATTERN(self->buf2, 100, 0, 50);
}

/* The same with a hard link: the next request runs and succeeds. */
TEST_F(link, short_read_hardlink)
{
	OPEN_SCRATCH(self->fd);
	xr_fill_pattern(self->buf, 100, 0, 51);
	ASSERT_TRUE(xr_pwrite_all(self->fd, self->buf, 100, 0));
	memset(self->buf2, 0, 8192);
	QUEUE_RW(XURING_OP_READ, self->fd, self->buf2, 4096, 0,
		 XURING_SQE_IO_HARDLINK, 1);
	QUEUE_RW(XURING_OP_READ, self->fd, self->buf2 + 4096, 100, 0,
		 XURING_SQE_IO_LINK, 2);
	QUEUE_NOP(0, 3);
	ASSERT_EQ(3, xr_submit(&self->r));
	EXPECT_CQES(3, UD(1, 2, 3), RES(100, 100, 0));
	XR_ASSERT_PATTERN(self->buf2, 100, 0, 51);
	XR_ASSERT_PATTERN(self->buf2 + 4096, 100, 0, 51);
}

/*
 * An error at issue time (a negative offset) breaks the link; the
 * cancelled WRITE leaves the file alone.
 */
TEST_F(link, error_breaks_link)
{
	OPEN_SCRATCH(self->fd);
	QUEUE_RW(XURING_OP_READ, self->fd, self->buf2, 4096, -2ULL,
		 XURING_SQE_IO_LINK, 1);
	QUEUE_RW(XURING_OP_WRITE, self->fd, self->buf, 4096, 0,
		 XURING_SQE_IO_LINK, 2);
	QUEUE_NOP(0, 3);
	ASSERT_EQ(3, xr_submit(&self->r));
	EXPECT_CQES(3, UD(1, 2, 3), RES(-EINVAL, -ECANCELED, -ECANCELED));
	ASSERT_EQ(0, lseek(self->fd, 0, SEEK_END));
}

/* A hard link runs the next request after an error too. */
TEST_F(link, error_hardlink)
{
	OPEN_SCRATCH(self->fd);
	xr_fill_pattern(self->buf, 4096, 0, 52);
	QUEUE_RW(XURING_OP_READ, self->fd, self->buf2, 4096, -2ULL,
		 XURING_SQE_IO_HARDLINK, 1);
	QUEUE_RW(XURING_OP_WRITE, self->fd, self->buf, 4096, 0,
		 XURING_SQE_IO_HARDLINK, 2);
	/* a soft link after a hard one: this error ends the chain */
	QUEUE_RW(XURING_OP_READ, self->fd, self->buf2, 4096, -2ULL,
		 XURING_SQE_IO_LINK, 3);
	QUEUE_NOP(0, 4);
	ASSERT_EQ(4, xr_submit(&self->r));
	EXPECT_CQES(4, UD(1, 2, 3, 4), RES(-EINVAL, 4096, -EINVAL, -ECANCELED));
	ASSERT_TRUE(xr_pread_all(self->fd, self->buf2, 4096, 0));
	XR_ASSERT_PATTERN(self->buf2, 4096, 0, 52);
}

/*
 * An SQE that fails prep in the middle of a chain: it gets its error, the
 * other members -ECANCELED, head included, posted in chain order. As in
 * io_uring, a bad SQE that links on lets the chain be assembled to its
 * end, and submission goes on after the chain.
 */
TEST_F(link, bad_sqe_mid_chain)
{
	struct xuring_sqe *sqe;

	OPEN_SCRATCH(self->fd);
	QUEUE_RW(XURING_OP_WRITE, self->fd, self->buf, 4096, 0,
		 XURING_SQE_IO_LINK, 1);
	XR_GET_SQE(sqe, &self->r);
	xr_prep_rw(sqe, XURING_OP_READ, self->fd, self->buf2, 4096, 0,
		   self->ud + 2);
	sqe->flags = XURING_SQE_IO_LINK;
	sqe->buf_index = 1;		/* not allowed on a plain READ */
	QUEUE_RW(XURING_OP_WRITE, self->fd, self->buf, 4096, 8192, 0, 3);
	QUEUE_NOP(0, 4);
	ASSERT_EQ(4, xr_submit(&self->r));
	EXPECT_CQES(4, UD(1, 2, 3, 4), RES(-ECANCELED, -EINVAL, -ECANCELED, 0));
	ASSERT_NO_MORE_CQES(50);
	/* neither write ran */
	ASSERT_EQ(0, lseek(self->fd, 0, SEEK_END));
}

/*
 * A bad SQE that ends a chain ends the submission too: ENTER counts it and
 * leaves what follows in the SQ.
 */
TEST_F(link, bad_sqe_ends_chain)
{
	struct xuring_sqe *sqe;

	OPEN_SCRATCH(self->fd);
	QUEUE_NOP(XURING_SQE_IO_LINK, 1);
	QUEUE_RW(XURING_OP_WRITE, self->fd, self->buf, 4096, 0,
		 XURING_SQE_IO_LINK, 2);
	XR_GET_SQE(sqe, &self->r);
	xr_prep_rw(sqe, XURING_OP_READ, self->fd, self->buf2, 4096, 0,
		   self->ud + 3);
	sqe->addr3 = 1;			/* unused field set */
	QUEUE_NOP(0, 4);
	ASSERT_EQ(3, xr_submit(&self->r));
	EXPECT_CQES(3, UD(1, 2, 3), RES(-ECANCELED, -ECANCELED, -EINVAL));
	ASSERT_NO_MORE_CQES(50);
	ASSERT_EQ(0, lseek(self->fd, 0, SEEK_END));
	/* the NOP is still queued and goes with the next ENTER */
	ASSERT_EQ(1, xr_enter(self->r.fd, 1, 1, XURING_ENTER_GETEVENTS,
			      NULL, 0));
	EXPECT_CQES(1, UD(4), RES(0));
}

/* A bad first SQE of a chain cancels the whole chain. */
TEST_F(link, bad_sqe_head)
{
	QUEUE_RW(XURING_OP_READ, 9999, self->buf2, 4096, 0,
		 XURING_SQE_IO_LINK, 1);
	QUEUE_NOP(XURING_SQE_IO_LINK, 2);
	QUEUE_NOP(0, 3);
	QUEUE_NOP(0, 4);
	ASSERT_EQ(4, xr_submit(&self->r));
	EXPECT_CQES(4, UD(1, 2, 3, 4), RES(-EBADF, -ECANCELED, -ECANCELED, 0));
}

/* CQE_SKIP_SUCCESS: no CQE for a success, a CQE for a failure. */
TEST_F(link, cqe_skip_success)
{
	OPEN_SCRATCH(self->fd);
	QUEUE_NOP(XURING_SQE_CQE_SKIP_SUCCESS, 1);
	QUEUE_RW(XURING_OP_READ, self->fd, self->buf2, 4096, -2ULL,
		 XURING_SQE_CQE_SKIP_SUCCESS, 2);
	QUEUE_NOP(0, 3);
	ASSERT_EQ(3, xr_submit(&self->r));
	EXPECT_CQES(2, UD(2, 3), RES(-EINVAL, 0));
	ASSERT_NO_MORE_CQES(100);

	/*
	 * A skipped success in a chain lets the chain go on: the READ's CQE
	 * is the only one, and it sees the data of the WRITE (forced through
	 * io-wq the second time).
	 */
	for (unsigned int round = 0; round < 2; round++) {
		NEW_UDS();
		memset(self->buf2, 0, 4096);
		xr_fill_pattern(self->buf, 4096, 0, 61 + round);
		QUEUE_RW(XURING_OP_WRITE, self->fd, self->buf, 4096, 0,
			 XURING_SQE_CQE_SKIP_SUCCESS | XURING_SQE_IO_LINK |
			 (round ? XURING_SQE_ASYNC : 0), 5);
		QUEUE_RW(XURING_OP_READ, self->fd, self->buf2, 4096, 0, 0, 6);
		ASSERT_EQ(2, xr_submit(&self->r));
		EXPECT_CQES(1, UD(6), RES(4096));
		ASSERT_NO_MORE_CQES(100);
		XR_ASSERT_PATTERN(self->buf2, 4096, 0, 61 + round);
	}
}

/*
 * A failed CQE_SKIP_SUCCESS request that breaks a link: its own CQE is
 * posted, the cancelled links post none.
 */
TEST_F(link, cqe_skip_failed_link)
{
	OPEN_SCRATCH(self->fd);
	QUEUE_RW(XURING_OP_READ, self->fd, self->buf2, 4096, -2ULL,
		 XURING_SQE_CQE_SKIP_SUCCESS | XURING_SQE_IO_LINK, 1);
	QUEUE_RW(XURING_OP_WRITE, self->fd, self->buf, 4096, 0,
		 XURING_SQE_IO_LINK, 2);
	QUEUE_NOP(0, 3);
	/* a marker after the chain */
	QUEUE_NOP(0, 4);
	ASSERT_EQ(4, xr_submit(&self->r));
	EXPECT_CQES(2, UD(1, 4), RES(-EINVAL, 0));
	ASSERT_NO_MORE_CQES(100);
	ASSERT_EQ(0, lseek(self->fd, 0, SEEK_END));
}

/*
 * Drain: reads blocked on four pipes, then a DRAIN NOP, then a plain NOP.
 * Neither NOP completes while a read is pending; once the pipes have
 * data the CQEs come reads first, then the drain NOP, then the other.
 */
TEST_F(link, drain_after_blocked_reads)
{
	int pipes[4][2];
	bool seen[4] = { false };
	struct xuring_cqe cqe;
	unsigned int i;

	for (i = 0; i < 4; i++) {
		ASSERT_EQ(0, pipe(pipes[i]));
		QUEUE_RW(XURING_OP_READ, pipes[i][0], self->buf2 + i * 4096,
			 64, -1, 0, 1 + i);
	}
	QUEUE_NOP(XURING_SQE_IO_DRAIN, 10);
	QUEUE_NOP(0, 11);
	ASSERT_EQ(6, xr_submit(&self->r));
	ASSERT_NO_MORE_CQES(300);
	/* both NOPs wait on the drain list, and fdinfo counts them */
	EXPECT_EQ(2, xr_fdinfo_value(self->r.fd, "DrainDeferred"));

	/* three of the four reads complete, the NOPs still wait */
	for (i = 0; i < 3; i++) {
		xr_fill_pattern(self->buf, 64, 0, 70 + i);
		ASSERT_EQ(64, write(pipes[i][1], self->buf, 64));
	}
	for (i = 0; i < 3; i++) {
		long k;

		ASSERT_EQ(0, xr_wait_cqe_ms(&self->r, &cqe, XR_IO_TIMEOUT_MS));
		k = xr_ud_index(cqe.user_data, self->ud + 1, 3);
		ASSERT_LE(0, k) TH_LOG("CQE for request %lld too early",
				       (long long)(cqe.user_data - self->ud));
		ASSERT_EQ(64, cqe.res);
		ASSERT_FALSE(seen[k]);
		seen[k] = true;
	}
	ASSERT_NO_MORE_CQES(300);

	xr_fill_pattern(self->buf, 64, 0, 73);
	ASSERT_EQ(64, write(pipes[3][1], self->buf, 64));
	EXPECT_CQES(3, UD(4, 10, 11), RES(64, 0, 0));
	EXPECT_EQ(0, xr_fdinfo_value(self->r.fd, "DrainDeferred"));
	for (i = 0; i < 4; i++) {
		XR_ASSERT_PATTERN(self->buf2 + i * 4096, 64, 0, 70 + i);
		close(pipes[i][0]);
		close(pipes[i][1]);
	}
}

/*
 * Drain with data: writes forced into io-wq, then a DRAIN read of the
 * whole range, which must see every write.
 */
TEST_F(link, drain_sees_all_writes)
{
	const size_t chunk = 16384;
	struct xuring_cqe cqe;
	unsigned int i, nwrites = 0;
	bool written[32] = { false };
	long k;

	OPEN_SCRATCH(self->fd);
	xr_fill_pattern(self->buf, 32 * chunk, 0, 80);
	/* requests 0-31 write, 32 reads */
	for (i = 0; i < 32; i++)
		QUEUE_RW(XURING_OP_WRITE, self->fd, self->buf + i * chunk,
			 chunk, i * chunk, XURING_SQE_ASYNC, i);
	QUEUE_RW(XURING_OP_READ, self->fd, self->buf2, 32 * chunk, 0,
		 XURING_SQE_IO_DRAIN, 32);
	ASSERT_EQ(33, xr_submit(&self->r));
	for (i = 0; i < 33; i++) {
		ASSERT_EQ(0, xr_wait_cqe_ms(&self->r, &cqe, XR_IO_TIMEOUT_MS));
		k = xr_ud_index(cqe.user_data, self->ud, 32);
		if (k >= 0) {
			ASSERT_FALSE(written[k]);
			written[k] = true;
			ASSERT_EQ((int)chunk, cqe.res);
			nwrites++;
			continue;
		}
		ASSERT_EQ(self->ud + 32, cqe.user_data);
		ASSERT_EQ(32U, nwrites) TH_LOG("drain read ran too early");
		ASSERT_EQ((int)(32 * chunk), cqe.res);
	}
	XR_ASSERT_PATTERN(self->buf2, 32 * chunk, 0, 80);
}

TEST_HARNESS_MAIN
