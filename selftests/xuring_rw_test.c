// SPDX-License-Identifier: GPL-2.0
/*
 * Data integrity of the file I/O engine: READ/WRITE, READV/WRITEV and
 * READ_FIXED/WRITE_FIXED, buffered and O_DIRECT, on ext4, tmpfs and a raw
 * block device, every byte read back and compared against a pattern that
 * depends on its file offset. Also the file position (offset -1), pipes,
 * holes, EOF, partially cached reads, RWF_* flags, FSYNC,
 * SYNC_FILE_RANGE, FALLOCATE and FADVISE, CQ overflow with I/O, thousands
 * of mixed requests in flight at once, and O_DIRECT on null_blk beyond
 * its queue depth.
 */
#include <linux/falloc.h>
#include <linux/ioprio.h>
#include <sys/sysmacros.h>

#include "xuring_io.h"
#include "kselftest_harness.h"

XR_SKIP_ALL_WITHOUT_DEVICE()

/* room for the largest transfer plus the offsets and gaps the cases use */
#define RW_BUF_SIZE	((8 << 20) + (64 << 10))
#define MAX_SEGS	64

enum rw_target { T_EXT4, T_EXT4_DIRECT, T_TMPFS, T_BLKDEV, T_BLKDEV_DIRECT };
enum rw_kind { K_PLAIN, K_VEC, K_FIXED };

/* Open the target of a test, or SKIP it if the VM did not provide it. */
#define OPEN_TARGET(fd, target) do {					\
	const char *__env = (target) == T_TMPFS ? "XURING_TMPDIR" :	\
			    (target) >= T_BLKDEV ? "XURING_BLKDEV" :	\
			    "XURING_EXT4_DIR";				\
	const char *__path = xr_env_path(__env);			\
	int __direct = (target) == T_EXT4_DIRECT ||			\
		       (target) == T_BLKDEV_DIRECT ? O_DIRECT : 0;	\
	if (!__path)							\
		SKIP(return, "%s is not set or missing", __env);	\
	if ((target) >= T_BLKDEV)					\
		fd = open(__path, O_RDWR | O_CLOEXEC | __direct);	\
	else								\
		fd = xr_scratch_file(__path, O_RDWR | __direct);	\
	ASSERT_LE(0, fd) TH_LOG("open %s: %d/%s", __path, fd,		\
				strerror(errno));			\
} while (0)

#define OPEN_SCRATCH(fd, flags) XR_OPEN_SCRATCH(fd, flags)

/* A piece of a transfer: where in the buffer it sits, and how long. */
struct seg {
	size_t buf_off;
	size_t len;
};

/* A ring with two registered buffers and the file or device under test. */
struct rw_state {
	struct xr_ring r;
	int fd;
	bool direct;
	unsigned char *wbuf, *rbuf;
	struct seg segs[MAX_SEGS];
	unsigned int nsegs;
};

static void rw_state_init(struct __test_metadata *_metadata,
			  struct rw_state *self, enum rw_target target)
{
	struct iovec bufs[2];

	self->fd = -1;
	self->direct = target == T_EXT4_DIRECT || target == T_BLKDEV_DIRECT;
	ASSERT_EQ(0, xr_ring_init(&self->r, 16, 0));
	self->wbuf = xr_alloc(RW_BUF_SIZE);
	self->rbuf = xr_alloc(RW_BUF_SIZE);
	ASSERT_NE(NULL, self->wbuf);
	ASSERT_NE(NULL, self->rbuf);
	/* always registered: plain I/O must not care */
	bufs[0] = (struct iovec){ self->wbuf, RW_BUF_SIZE };
	bufs[1] = (struct iovec){ self->rbuf, RW_BUF_SIZE };
	ASSERT_EQ(0, xr_register(self->r.fd, XURING_REGISTER_BUFFERS, bufs, 2));
}

static void rw_state_exit(struct rw_state *self)
{
	if (self->fd >= 0)
		close(self->fd);
	xr_ring_exit(&self->r);
	xr_free(self->wbuf, RW_BUF_SIZE);
	xr_free(self->rbuf, RW_BUF_SIZE);
}

FIXTURE(rw) {
	struct rw_state s;
};

FIXTURE_VARIANT(rw) {
	enum rw_target target;
	enum rw_kind kind;
	unsigned int seed;
};

#define RW_VARIANT(name, t, k, s)					\
	FIXTURE_VARIANT_ADD(rw, name) {					\
		.target = t, .kind = k, .seed = s,			\
	}

RW_VARIANT(ext4_rw, T_EXT4, K_PLAIN, 1);
RW_VARIANT(ext4_rwv, T_EXT4, K_VEC, 2);
RW_VARIANT(ext4_fixed, T_EXT4, K_FIXED, 3);
RW_VARIANT(ext4_direct_rw, T_EXT4_DIRECT, K_PLAIN, 4);
RW_VARIANT(ext4_direct_rwv, T_EXT4_DIRECT, K_VEC, 5);
RW_VARIANT(ext4_direct_fixed, T_EXT4_DIRECT, K_FIXED, 6);
RW_VARIANT(tmpfs_rw, T_TMPFS, K_PLAIN, 7);
RW_VARIANT(tmpfs_rwv, T_TMPFS, K_VEC, 8);
RW_VARIANT(tmpfs_fixed, T_TMPFS, K_FIXED, 9);
RW_VARIANT(blkdev_rw, T_BLKDEV, K_PLAIN, 10);
RW_VARIANT(blkdev_rwv, T_BLKDEV, K_VEC, 11);
RW_VARIANT(blkdev_fixed, T_BLKDEV, K_FIXED, 12);
RW_VARIANT(blkdev_direct_rw, T_BLKDEV_DIRECT, K_PLAIN, 13);
RW_VARIANT(blkdev_direct_rwv, T_BLKDEV_DIRECT, K_VEC, 14);
RW_VARIANT(blkdev_direct_fixed, T_BLKDEV_DIRECT, K_FIXED, 15);

FIXTURE_SETUP(rw)
{
	rw_state_init(_metadata, &self->s, variant->target);
}

FIXTURE_TEARDOWN(rw)
{
	rw_state_exit(&self->s);
}

/*
 * Lay out a transfer of len bytes in a buffer: one segment at an odd (or,
 * for O_DIRECT, a page) offset, or for the vectored ops segments of mixed
 * odd sizes with gaps between them, so that each lands somewhere else.
 */
static void layout(struct rw_state *self, enum rw_kind kind, size_t len)
{
	static const size_t odd[] = { 1, 511, 4097, 3, 8191, 700, 65537, 13 };
	static const size_t blk[] = { 512, 4096, 1536, 8192, 1024, 65536 };
	size_t pos = self->direct ? 4096 : 123, left = len;
	unsigned int n = 0;

	if (kind != K_VEC) {
		self->segs[0] = (struct seg){ pos, len };
		self->nsegs = 1;
		return;
	}
	while (left) {
		size_t l = self->direct ? blk[n % 6] : odd[n % 8];

		if (l > left || n == MAX_SEGS - 1)
			l = left;
		self->segs[n++] = (struct seg){ pos, l };
		pos += l + (self->direct ? 512 : 7);
		left -= l;
	}
	self->nsegs = n;
}

static void fill_segs(struct rw_state *self, __u64 off, unsigned int seed)
{
	unsigned int i;

	for (i = 0; i < self->nsegs; i++) {
		xr_fill_pattern(self->wbuf + self->segs[i].buf_off,
				self->segs[i].len, off, seed);
		off += self->segs[i].len;
	}
}

/* The segment and byte where rbuf first differs from the pattern, or -1. */
static long check_segs(struct rw_state *self, __u64 off, unsigned int seed)
{
	unsigned int i;

	for (i = 0; i < self->nsegs; i++) {
		long bad = xr_pattern_mismatch(self->rbuf +
					       self->segs[i].buf_off,
					       self->segs[i].len, off, seed);

		if (bad >= 0)
			return off + bad;
		off += self->segs[i].len;
	}
	return -1;
}

/* One read or write of the laid-out segments through the ring: its res. */
static int ring_rw(struct rw_state *self, enum rw_kind kind, bool write,
		   __u64 off, size_t len)
{
	unsigned char *buf = write ? self->wbuf : self->rbuf;
	struct iovec iov[MAX_SEGS];
	struct xuring_sqe *sqe = xr_get_sqe(&self->r);
	__u64 ud = xr_ud();
	unsigned int i;

	if (!sqe)
		return INT_MIN;
	switch (kind) {
	case K_PLAIN:
		xr_prep_rw(sqe, write ? XURING_OP_WRITE : XURING_OP_READ,
			   self->fd, buf + self->segs[0].buf_off, len, off, ud);
		break;
	case K_VEC:
		for (i = 0; i < self->nsegs; i++) {
			iov[i].iov_base = buf + self->segs[i].buf_off;
			iov[i].iov_len = self->segs[i].len;
		}
		xr_prep_rw(sqe, write ? XURING_OP_WRITEV : XURING_OP_READV,
			   self->fd, iov, self->nsegs, off, ud);
		break;
	case K_FIXED:
		xr_prep_fixed(sqe, write ? XURING_OP_WRITE_FIXED :
				     XURING_OP_READ_FIXED,
			      self->fd, buf + self->segs[0].buf_off, len, off,
			      write ? 0 : 1, ud);
		break;
	}
	return xr_run_one(&self->r, NULL);
}

/*
 * Each case three ways: written by the ring and read back with pread(),
 * written with pwrite() and read by the ring, and both through the ring.
 * Every step uses its own seed, so stale data cannot pass. Between a
 * write and the read of the other kind the range leaves the page cache
 * (xr_drop_cache()): what the ring wrote must have reached the disk, at
 * the right place, and what it reads must come from there.
 */
TEST_F_TIMEOUT(rw, roundtrip, 60)
{
	static const struct { __u64 off; size_t len; } buffered[] = {
		{ 0, 4096 }, { 4097, 3000 }, { 65536 - 100, 300 },
		{ 100000, 2 }, { (1 << 20) - 7, (4 << 20) + 13 },
	}, direct[] = {
		{ 0, 4096 }, { 8192, 65536 }, { 1 << 20, 4 << 20 },
		{ 6 << 20, 12288 },
	};
	struct rw_state *st = &self->s;
	unsigned int ncases = st->direct ? 4 : 5, i;

	OPEN_TARGET(st->fd, variant->target);
	for (i = 0; i < ncases; i++) {
		__u64 off = st->direct ? direct[i].off : buffered[i].off;
		size_t len = st->direct ? direct[i].len : buffered[i].len;
		unsigned int seed = variant->seed * 100 + i * 3;
		long bad;

		layout(st, variant->kind, len);

		/* ring write, pread */
		fill_segs(st, off, seed);
		ASSERT_EQ((int)len, ring_rw(st, variant->kind, true, off, len))
			TH_LOG("write case %u", i);
		XR_DROP_CACHE(st->fd, off, len);
		memset(st->rbuf, 0xee, len);
		ASSERT_TRUE(xr_pread_all(st->fd, st->rbuf, len, off));
		XR_ASSERT_PATTERN(st->rbuf, len, off, seed);

		/* pwrite, ring read */
		xr_fill_pattern(st->wbuf, len, off, seed + 1);
		ASSERT_TRUE(xr_pwrite_all(st->fd, st->wbuf, len, off));
		XR_DROP_CACHE(st->fd, off, len);
		memset(st->rbuf, 0xee, RW_BUF_SIZE);
		ASSERT_EQ((int)len, ring_rw(st, variant->kind, false, off, len))
			TH_LOG("read case %u", i);
		bad = check_segs(st, off, seed + 1);
		ASSERT_EQ(-1, bad) TH_LOG("case %u: file offset %ld wrong",
					  i, bad);

		/* ring write, ring read */
		fill_segs(st, off, seed + 2);
		ASSERT_EQ((int)len, ring_rw(st, variant->kind, true, off, len));
		memset(st->rbuf, 0xee, RW_BUF_SIZE);
		ASSERT_EQ((int)len, ring_rw(st, variant->kind, false, off, len));
		bad = check_segs(st, off, seed + 2);
		ASSERT_EQ(-1, bad) TH_LOG("case %u: file offset %ld wrong",
					  i, bad);
	}
}

/* Reads that reach the end of the file or device come back short or 0. */
FIXTURE(eof) {
	struct rw_state s;
};

FIXTURE_VARIANT(eof) {
	enum rw_target target;
};

FIXTURE_VARIANT_ADD(eof, ext4) { .target = T_EXT4 };
FIXTURE_VARIANT_ADD(eof, ext4_direct) { .target = T_EXT4_DIRECT };
FIXTURE_VARIANT_ADD(eof, tmpfs) { .target = T_TMPFS };
FIXTURE_VARIANT_ADD(eof, blkdev) { .target = T_BLKDEV };
FIXTURE_VARIANT_ADD(eof, blkdev_direct) { .target = T_BLKDEV_DIRECT };

FIXTURE_SETUP(eof)
{
	rw_state_init(_metadata, &self->s, variant->target);
}

FIXTURE_TEARDOWN(eof)
{
	rw_state_exit(&self->s);
}

TEST_F(eof, short_reads)
{
	struct rw_state *st = &self->s;
	long long size;
	__u64 off;

	OPEN_TARGET(st->fd, variant->target);
	layout(st, K_PLAIN, 8192);
	if (variant->target >= T_BLKDEV) {
		size = xr_blkdev_size(st->fd);
		ASSERT_LT(8192, size);
	} else {
		size = st->direct ? 16384 : 10000;
		xr_fill_pattern(st->wbuf, size, 0, 55);
		ASSERT_TRUE(xr_pwrite_all(st->fd, st->wbuf, size, 0));
	}
	/* last 4096 bytes, and 4096 past it */
	off = size - 4096;
	xr_fill_pattern(st->wbuf, 4096, off, 56);
	ASSERT_TRUE(xr_pwrite_all(st->fd, st->wbuf, 4096, off));
	memset(st->rbuf, 0, RW_BUF_SIZE);
	ASSERT_EQ(4096, ring_rw(st, K_PLAIN, false, off, 8192));
	XR_ASSERT_PATTERN(st->rbuf + st->segs[0].buf_off, 4096, off, 56);
	/* at and past the end */
	ASSERT_EQ(0, ring_rw(st, K_PLAIN, false, size, 4096));
	ASSERT_EQ(0, ring_rw(st, K_PLAIN, false, size + (1 << 20), 4096));
	if (!st->direct) {
		/* a short read ending mid-page at an odd size */
		ASSERT_EQ(3, ring_rw(st, K_PLAIN, false, size - 3, 4096));
		XR_ASSERT_PATTERN(st->rbuf + st->segs[0].buf_off, 3,
				  size - 3, 56);
	}
}

/* --------------------------------------------------------- simple ring */

FIXTURE(ring) {
	struct xr_ring r;
	int fd;
	unsigned char *buf, *buf2;
};

#define SMALL_BUF	(2 << 20)

FIXTURE_SETUP(ring)
{
	self->fd = -1;
	ASSERT_EQ(0, xr_ring_init(&self->r, 64, 0));
	self->buf = xr_alloc(SMALL_BUF);
	self->buf2 = xr_alloc(SMALL_BUF);
	ASSERT_NE(NULL, self->buf);
	ASSERT_NE(NULL, self->buf2);
}

FIXTURE_TEARDOWN(ring)
{
	if (self->fd >= 0)
		close(self->fd);
	xr_ring_exit(&self->r);
	xr_free(self->buf, SMALL_BUF);
	xr_free(self->buf2, SMALL_BUF);
}

/* Queue one read/write and run it: its res (INT_MIN if the ring failed). */
static int run_rw(struct xr_ring *r, __u8 op, int fd, const void *addr,
		  __u32 len, __u64 off, __u32 rw_flags)
{
	struct xuring_sqe *sqe = xr_get_sqe(r);

	if (!sqe)
		return INT_MIN;
	xr_prep_rw(sqe, op, fd, addr, len, off, xr_ud());
	sqe->rw_flags = rw_flags;
	return xr_run_one(r, NULL);
}

static off_t cur_pos(int fd)
{
	return lseek(fd, 0, SEEK_CUR);
}

/* Offset -1 uses and advances the file position, like write(2)/read(2). */
TEST_F(ring, file_position)
{
	struct iovec iov[3];
	unsigned int i;

	OPEN_SCRATCH(self->fd, O_RDWR);
	xr_fill_pattern(self->buf, 6000, 0, 21);
	ASSERT_EQ(1000, run_rw(&self->r, XURING_OP_WRITE, self->fd,
			       self->buf, 1000, -1, 0));
	ASSERT_EQ(1000, cur_pos(self->fd));
	ASSERT_EQ(2000, run_rw(&self->r, XURING_OP_WRITE, self->fd,
			       self->buf + 1000, 2000, -1, 0));
	ASSERT_EQ(3000, cur_pos(self->fd));
	iov[0] = (struct iovec){ self->buf + 3000, 1 };
	iov[1] = (struct iovec){ self->buf + 3001, 1998 };
	iov[2] = (struct iovec){ self->buf + 4999, 1001 };
	ASSERT_EQ(3000, run_rw(&self->r, XURING_OP_WRITEV, self->fd, iov, 3,
			       -1, 0));
	ASSERT_EQ(6000, cur_pos(self->fd));
	/* an explicit offset leaves the position alone */
	ASSERT_EQ(10, run_rw(&self->r, XURING_OP_READ, self->fd, self->buf2,
			     10, 100, 0));
	ASSERT_EQ(6000, cur_pos(self->fd));

	ASSERT_TRUE(xr_pread_all(self->fd, self->buf2, 6000, 0));
	XR_ASSERT_PATTERN(self->buf2, 6000, 0, 21);

	/* reads from the position, in chunks, up to EOF */
	ASSERT_EQ(0, lseek(self->fd, 0, SEEK_SET));
	memset(self->buf2, 0, 6000);
	for (i = 0; i < 4; i++) {
		ASSERT_EQ(1500, run_rw(&self->r, XURING_OP_READ, self->fd,
				       self->buf2 + i * 1500, 1500, -1, 0));
		ASSERT_EQ((off_t)(i + 1) * 1500, cur_pos(self->fd));
	}
	XR_ASSERT_PATTERN(self->buf2, 6000, 0, 21);
	ASSERT_EQ(0, run_rw(&self->r, XURING_OP_READ, self->fd, self->buf2,
			    1500, -1, 0));
	ASSERT_EQ(6000, cur_pos(self->fd));

	/* READV from the position: a short one stops at EOF */
	ASSERT_EQ(5000, lseek(self->fd, 5000, SEEK_SET));
	memset(self->buf2, 0, 6000);
	iov[0] = (struct iovec){ self->buf2, 700 };
	iov[1] = (struct iovec){ self->buf2 + 700, 700 };
	ASSERT_EQ(1000, run_rw(&self->r, XURING_OP_READV, self->fd, iov, 2,
			       -1, 0));
	ASSERT_EQ(6000, cur_pos(self->fd));
	XR_ASSERT_PATTERN(self->buf2, 1000, 5000, 21);
}

/* A chain of offset -1 writes: each starts where the previous ended. */
TEST_F(ring, file_position_linked)
{
	__u64 ud = xr_ud_block(8);
	struct xuring_cqe cqes[8];
	unsigned int i;

	OPEN_SCRATCH(self->fd, O_RDWR);
	xr_fill_pattern(self->buf, 8 * 777, 0, 22);
	for (i = 0; i < 8; i++) {
		struct xuring_sqe *sqe = xr_get_sqe(&self->r);

		ASSERT_NE(NULL, sqe);
		xr_prep_rw(sqe, XURING_OP_WRITE, self->fd, self->buf + i * 777,
			   777, -1, ud + i);
		if (i < 7)
			sqe->flags = XURING_SQE_IO_LINK;
	}
	ASSERT_EQ(8, xr_submit(&self->r));
	ASSERT_EQ(8U, xr_reap_n(&self->r, cqes, 8, XR_IO_TIMEOUT_MS));
	for (i = 0; i < 8; i++) {
		ASSERT_EQ(ud + i, cqes[i].user_data);
		ASSERT_EQ(777, cqes[i].res);
	}
	ASSERT_EQ(8 * 777, cur_pos(self->fd));
	ASSERT_TRUE(xr_pread_all(self->fd, self->buf2, 8 * 777, 0));
	XR_ASSERT_PATTERN(self->buf2, 8 * 777, 0, 22);
}

/* Pipes are streams: offset -1 and 0 (or anything) both work. */
TEST_F(ring, pipe_offsets)
{
	static const __u64 offs[] = { -1ULL, 0, 4096 };
	int p[2];
	unsigned int i;

	ASSERT_EQ(0, pipe(p));
	for (i = 0; i < 3; i++) {
		xr_fill_pattern(self->buf, 3000, 0, 30 + i);
		memset(self->buf2, 0, 3000);
		ASSERT_EQ(3000, run_rw(&self->r, XURING_OP_WRITE, p[1],
				       self->buf, 3000, offs[i], 0));
		ASSERT_EQ(3000, run_rw(&self->r, XURING_OP_READ, p[0],
				       self->buf2, 3000, offs[i], 0));
		XR_ASSERT_PATTERN(self->buf2, 3000, 0, 30 + i);
	}
	/* a pipe read returns what there is: short, not waiting for more */
	xr_fill_pattern(self->buf, 100, 0, 40);
	ASSERT_EQ(100, write(p[1], self->buf, 100));
	ASSERT_EQ(100, run_rw(&self->r, XURING_OP_READ, p[0], self->buf2,
			      4096, -1, 0));
	XR_ASSERT_PATTERN(self->buf2, 100, 0, 40);
	/*
	 * RWF_NOWAIT on an empty pipe: never waits; fails at once as
	 * preadv2(2) does (-EAGAIN, or -EOPNOTSUPP where pipes have no
	 * FMODE_NOWAIT, as in 6.1).
	 */
	{
		struct iovec iov = { self->buf2, 4096 };
		int err;

		ASSERT_EQ(-1, preadv2(p[0], &iov, 1, -1, RWF_NOWAIT));
		err = errno;
		ASSERT_TRUE(err == EAGAIN || err == EOPNOTSUPP);
		ASSERT_EQ(-err, run_rw(&self->r, XURING_OP_READ, p[0],
				       self->buf2, 4096, -1, RWF_NOWAIT));
	}
	close(p[0]);
	close(p[1]);
}

/*
 * A READV blocked on an empty pipe: the iovec array was copied at
 * submission, so pointing it elsewhere afterwards changes nothing.
 */
TEST_F(ring, iovec_copied_at_submit)
{
	struct iovec *iov = calloc(3, sizeof(*iov));
	struct xuring_sqe *sqe;
	struct xuring_cqe cqe;
	__u64 ud = xr_ud();
	int p[2];

	ASSERT_NE(NULL, iov);
	ASSERT_EQ(0, pipe(p));
	iov[0] = (struct iovec){ self->buf2, 10 };
	iov[1] = (struct iovec){ self->buf2 + 100, 20 };
	iov[2] = (struct iovec){ self->buf2 + 200, 30 };
	memset(self->buf2, 0, 4096);
	XR_GET_SQE(sqe, &self->r);
	xr_prep_rw(sqe, XURING_OP_READV, p[0], iov, 3, -1, ud);
	ASSERT_EQ(1, xr_submit(&self->r));
	/* the read is blocked: scribble over the array */
	iov[0] = (struct iovec){ self->buf2 + 1000, 30 };
	iov[1] = (struct iovec){ self->buf2 + 1100, 20 };
	iov[2] = (struct iovec){ self->buf2 + 1200, 10 };
	xr_fill_pattern(self->buf, 60, 0, 41);
	ASSERT_EQ(60, write(p[1], self->buf, 60));
	ASSERT_EQ(0, xr_wait_cqe_ms(&self->r, &cqe, XR_IO_TIMEOUT_MS));
	ASSERT_EQ(ud, cqe.user_data);
	ASSERT_EQ(60, cqe.res);
	XR_ASSERT_PATTERN(self->buf2, 10, 0, 41);
	XR_ASSERT_PATTERN(self->buf2 + 100, 20, 10, 41);
	XR_ASSERT_PATTERN(self->buf2 + 200, 30, 30, 41);
	ASSERT_EQ(-1, xr_mismatch_byte(self->buf2 + 1000, 300, 0));
	free(iov);
	close(p[0]);
	close(p[1]);
}

/* A hole reads as zeros around the data written into it. */
TEST_F(ring, hole)
{
	const size_t size = 1 << 20, off = (512 << 10) + 100;

	OPEN_SCRATCH(self->fd, O_RDWR);
	ASSERT_EQ(0, ftruncate(self->fd, size));
	xr_fill_pattern(self->buf, 4096, off, 50);
	ASSERT_EQ(4096, run_rw(&self->r, XURING_OP_WRITE, self->fd, self->buf,
			       4096, off, 0));
	memset(self->buf2, 0xee, size);
	ASSERT_EQ((int)size, run_rw(&self->r, XURING_OP_READ, self->fd,
				    self->buf2, size, 0, 0));
	ASSERT_EQ(-1, xr_mismatch_byte(self->buf2, off, 0));
	XR_ASSERT_PATTERN(self->buf2 + off, 4096, off, 50);
	ASSERT_EQ(-1, xr_mismatch_byte(self->buf2 + off + 4096,
				       size - off - 4096, 0));
}

/* RWF_APPEND, RWF_DSYNC/SYNC, RWF_NOWAIT on a file that supports it, ioprio */
TEST_F(ring, rw_flags)
{
	struct xuring_sqe *sqe;
	struct stat st;

	OPEN_SCRATCH(self->fd, O_RDWR);
	xr_fill_pattern(self->buf, 8192, 0, 60);
	ASSERT_EQ(4096, run_rw(&self->r, XURING_OP_WRITE, self->fd, self->buf,
			       4096, 0, RWF_DSYNC));
	ASSERT_EQ(2048, run_rw(&self->r, XURING_OP_WRITE, self->fd,
			       self->buf + 4096, 2048, 4096, RWF_SYNC));
	/* appends at EOF, whatever the offset says */
	ASSERT_EQ(2048, run_rw(&self->r, XURING_OP_WRITE, self->fd,
			       self->buf + 6144, 2048, 0, RWF_APPEND));
	ASSERT_EQ(0, fstat(self->fd, &st));
	ASSERT_EQ(8192, st.st_size);
	ASSERT_TRUE(xr_pread_all(self->fd, self->buf2, 8192, 0));
	XR_ASSERT_PATTERN(self->buf2, 8192, 0, 60);

	/* the data is in the page cache: a NOWAIT read gets it */
	memset(self->buf2, 0, 8192);
	ASSERT_EQ(8192, run_rw(&self->r, XURING_OP_READ, self->fd, self->buf2,
			       8192, 0, RWF_NOWAIT));
	XR_ASSERT_PATTERN(self->buf2, 8192, 0, 60);

	/* a valid I/O priority is accepted */
	memset(self->buf2, 0, 8192);
	XR_GET_SQE(sqe, &self->r);
	xr_prep_rw(sqe, XURING_OP_READ, self->fd, self->buf2, 4096, 0, xr_ud());
	sqe->ioprio = IOPRIO_PRIO_VALUE(IOPRIO_CLASS_BE, 3);
	ASSERT_EQ(4096, xr_run_one(&self->r, NULL));
	XR_ASSERT_PATTERN(self->buf2, 4096, 0, 60);
}

/*
 * RWF_NOWAIT on a file that cannot honour it fails with -EOPNOTSUPP, as
 * preadv2(2) does on the same file.
 */
TEST_F(ring, nowait_unsupported)
{
	struct iovec iov = { self->buf2, 256 };

	self->fd = open("/proc/version", O_RDONLY | O_CLOEXEC);
	if (self->fd < 0)
		SKIP(return, "no /proc/version");
	if (preadv2(self->fd, &iov, 1, 0, RWF_NOWAIT) >= 0 ||
	    errno != EOPNOTSUPP)
		SKIP(return, "/proc/version supports RWF_NOWAIT here");
	ASSERT_EQ(-EOPNOTSUPP, run_rw(&self->r, XURING_OP_READ, self->fd,
				      self->buf2, 256, 0, RWF_NOWAIT));
	/* without the flag it reads fine */
	ASSERT_LT(0, run_rw(&self->r, XURING_OP_READ, self->fd, self->buf2,
			    256, 0, 0));
	ASSERT_EQ(0, memcmp(self->buf2, "Linux", 5));
}

/* ------------------------------------------------------ sync, allocate */

/* Sectors written so far to the disk holding fd's file system, or -1. */
static long long disk_sectors_written(int fd)
{
	unsigned long long v[7];
	char path[128];
	struct stat st;
	FILE *f;
	int n;

	if (fstat(fd, &st))
		return -1;
	snprintf(path, sizeof(path), "/sys/dev/block/%u:%u/stat",
		 major(st.st_dev), minor(st.st_dev));
	f = fopen(path, "re");
	if (!f)
		return -1;
	/* reads: ios merges sectors ticks, writes: ios merges sectors */
	n = fscanf(f, "%llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1],
		   &v[2], &v[3], &v[4], &v[5], &v[6]);
	fclose(f);
	return n == 7 ? (long long)v[6] : -1;
}

/* A chunk of dirty data goes to the disk when an op says so. */
/* The op to run is queued already. */
static void dirty_then_sync(struct __test_metadata *_metadata,
			    FIXTURE_DATA(ring) *self, unsigned int seed)
{
	const size_t len = 1 << 20;
	long long before, after;

	xr_fill_pattern(self->buf, len, 0, seed);
	ASSERT_TRUE(xr_pwrite_all(self->fd, self->buf, len, 0));
	before = disk_sectors_written(self->fd);
	ASSERT_LE(0, before);
	ASSERT_EQ(0, xr_run_one(&self->r, NULL));
	after = disk_sectors_written(self->fd);
	/* at least our megabyte went out (the journal may add more) */
	ASSERT_LE(before + (long long)(len / 512), after)
		TH_LOG("%lld sectors written by the sync", after - before);
}

static int open_ext4(int flags)
{
	const char *dir = xr_env_path("XURING_EXT4_DIR");

	if (!dir)
		return -ENOENT;
	return xr_scratch_file(dir, flags);
}

TEST_F(ring, fsync)
{
	struct xuring_sqe *sqe;

	self->fd = open_ext4(O_RDWR);
	if (self->fd == -ENOENT)
		SKIP(return, "XURING_EXT4_DIR is not set");
	ASSERT_LE(0, self->fd);

	XR_GET_SQE(sqe, &self->r);
	xr_prep_fsync(sqe, self->fd, 0, xr_ud());
	dirty_then_sync(_metadata, self, 70);

	XR_GET_SQE(sqe, &self->r);
	xr_prep_fsync(sqe, self->fd, XURING_FSYNC_DATASYNC, xr_ud());
	dirty_then_sync(_metadata, self, 71);

	/* a range covering the dirty data */
	XR_GET_SQE(sqe, &self->r);
	xr_prep_fsync(sqe, self->fd, XURING_FSYNC_DATASYNC, xr_ud());
	sqe->off = 0;
	sqe->len = 1 << 20;
	dirty_then_sync(_metadata, self, 72);

	/* nothing dirty: still fine */
	XR_GET_SQE(sqe, &self->r);
	xr_prep_fsync(sqe, self->fd, 0, xr_ud());
	ASSERT_EQ(0, xr_run_one(&self->r, NULL));

	/* the data is still all there */
	ASSERT_TRUE(xr_pread_all(self->fd, self->buf2, 1 << 20, 0));
	XR_ASSERT_PATTERN(self->buf2, 1 << 20, 0, 72);
}

TEST_F(ring, sync_file_range)
{
	struct xuring_sqe *sqe;

	self->fd = open_ext4(O_RDWR);
	if (self->fd == -ENOENT)
		SKIP(return, "XURING_EXT4_DIR is not set");
	ASSERT_LE(0, self->fd);

	XR_GET_SQE(sqe, &self->r);
	xr_prep_rw(sqe, XURING_OP_SYNC_FILE_RANGE, self->fd, NULL, 0, 0,
		   xr_ud());
	sqe->sync_range_flags = SYNC_FILE_RANGE_WAIT_BEFORE |
				SYNC_FILE_RANGE_WRITE |
				SYNC_FILE_RANGE_WAIT_AFTER;
	dirty_then_sync(_metadata, self, 80);

	/* just starting writeback of a range, and just waiting */
	XR_GET_SQE(sqe, &self->r);
	xr_prep_rw(sqe, XURING_OP_SYNC_FILE_RANGE, self->fd, NULL, 4096, 0,
		   xr_ud());
	sqe->sync_range_flags = SYNC_FILE_RANGE_WRITE;
	ASSERT_EQ(0, xr_run_one(&self->r, NULL));
	XR_GET_SQE(sqe, &self->r);
	xr_prep_rw(sqe, XURING_OP_SYNC_FILE_RANGE, self->fd, NULL, 0, 0,
		   xr_ud());
	sqe->sync_range_flags = SYNC_FILE_RANGE_WAIT_AFTER;
	ASSERT_EQ(0, xr_run_one(&self->r, NULL));

	/* flags sync_file_range(2) does not know */
	XR_GET_SQE(sqe, &self->r);
	xr_prep_rw(sqe, XURING_OP_SYNC_FILE_RANGE, self->fd, NULL, 0, 0,
		   xr_ud());
	sqe->sync_range_flags = 0x80;
	ASSERT_EQ(-EINVAL, xr_run_one(&self->r, NULL));
}

/* io_uring's layout: offset in off, length in addr, mode in len. */
static int run_fallocate(struct xr_ring *r, int fd, __u64 off, __u64 len,
			 __u32 mode)
{
	struct xuring_sqe *sqe = xr_get_sqe(r);

	if (!sqe)
		return INT_MIN;
	xr_prep_rw(sqe, XURING_OP_FALLOCATE, fd, NULL, mode, off, xr_ud());
	sqe->addr = len;
	return xr_run_one(r, NULL);
}

TEST_F(ring, fallocate)
{
	const __u64 mib = 1 << 20;
	struct stat st;
	int ret;

	OPEN_SCRATCH(self->fd, O_RDWR);
	ASSERT_EQ(0, run_fallocate(&self->r, self->fd, 0, mib, 0));
	ASSERT_EQ(0, fstat(self->fd, &st));
	ASSERT_EQ((off_t)mib, st.st_size);
	ASSERT_LE((blkcnt_t)(mib / 512), st.st_blocks);

	/* KEEP_SIZE: blocks beyond EOF, the size stays */
	ASSERT_EQ(0, run_fallocate(&self->r, self->fd, mib, mib,
				   FALLOC_FL_KEEP_SIZE));
	ASSERT_EQ(0, fstat(self->fd, &st));
	ASSERT_EQ((off_t)mib, st.st_size);
	ASSERT_LE((blkcnt_t)(2 * mib / 512), st.st_blocks);

	/* extend the size without KEEP_SIZE, from an odd offset */
	ASSERT_EQ(0, run_fallocate(&self->r, self->fd, 3 * mib + 5, 1000, 0));
	ASSERT_EQ(0, fstat(self->fd, &st));
	ASSERT_EQ((off_t)(3 * mib + 1005), st.st_size);

	/* punch a hole into written data: it reads as zeros */
	xr_fill_pattern(self->buf, 65536, 0, 90);
	ASSERT_TRUE(xr_pwrite_all(self->fd, self->buf, 65536, 0));
	ret = run_fallocate(&self->r, self->fd, 16384, 16384,
			    FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE);
	ASSERT_EQ(0, ret);
	ASSERT_TRUE(xr_pread_all(self->fd, self->buf2, 65536, 0));
	XR_ASSERT_PATTERN(self->buf2, 16384, 0, 90);
	ASSERT_EQ(-1, xr_mismatch_byte(self->buf2 + 16384, 16384, 0));
	XR_ASSERT_PATTERN(self->buf2 + 32768, 32768, 32768, 90);

	/* a mode fallocate(2) refuses */
	ASSERT_EQ(-EOPNOTSUPP, run_fallocate(&self->r, self->fd, 0, 4096,
					     FALLOC_FL_PUNCH_HOLE));
	ASSERT_EQ(-EINVAL, run_fallocate(&self->r, self->fd, 0, 0, 0));
}

static int run_fadvise(struct xr_ring *r, int fd, __u64 off, __u32 len,
		       __u32 advice)
{
	struct xuring_sqe *sqe = xr_get_sqe(r);

	if (!sqe)
		return INT_MIN;
	xr_prep_rw(sqe, XURING_OP_FADVISE, fd, NULL, len, off, xr_ud());
	sqe->fadvise_advice = advice;
	return xr_run_one(r, NULL);
}

/* Pages of fd's first len bytes in the page cache. */
static int resident_pages(int fd, size_t len)
{
	size_t page = sysconf(_SC_PAGESIZE), i;
	unsigned char vec[512];
	int n = 0;
	void *map;

	if (len / page > sizeof(vec))
		return -1;
	map = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED)
		return -1;
	if (mincore(map, len, vec))
		n = -1;
	for (i = 0; n >= 0 && i < len / page; i++)
		n += vec[i] & 1;
	munmap(map, len);
	return n;
}

/*
 * FADVISE returns 0 and does what the advice says: DONTNEED drops clean
 * pages from the page cache, WILLNEED reads them back in.
 */
TEST_F(ring, fadvise)
{
	const size_t len = 256 << 10;
	unsigned int i;
	int n = 0;

	self->fd = open_ext4(O_RDWR);
	if (self->fd == -ENOENT)
		SKIP(return, "XURING_EXT4_DIR is not set");
	ASSERT_LE(0, self->fd);

	xr_fill_pattern(self->buf, len, 0, 95);
	ASSERT_TRUE(xr_pwrite_all(self->fd, self->buf, len, 0));
	ASSERT_EQ(0, fsync(self->fd));
	ASSERT_EQ(64, resident_pages(self->fd, len));

	ASSERT_EQ(0, run_fadvise(&self->r, self->fd, 0, 0, POSIX_FADV_DONTNEED));
	ASSERT_EQ(0, resident_pages(self->fd, len));

	ASSERT_EQ(0, run_fadvise(&self->r, self->fd, 0, len,
				 POSIX_FADV_WILLNEED));
	/* readahead is asynchronous: give it time */
	for (i = 0; i < 500; i++) {
		n = resident_pages(self->fd, len);
		if (n == 64)
			break;
		xr_sleep_ms(10);
	}
	ASSERT_EQ(64, n);

	ASSERT_EQ(0, run_fadvise(&self->r, self->fd, 0, 0, POSIX_FADV_NORMAL));
	ASSERT_EQ(0, run_fadvise(&self->r, self->fd, 0, 0,
				 POSIX_FADV_SEQUENTIAL));
	ASSERT_EQ(0, run_fadvise(&self->r, self->fd, 4096, 4096,
				 POSIX_FADV_RANDOM));
	ASSERT_EQ(0, run_fadvise(&self->r, self->fd, 0, 0, POSIX_FADV_NOREUSE));
	ASSERT_EQ(-EINVAL, run_fadvise(&self->r, self->fd, 0, 0, 1234));
	/* the data is untouched */
	ASSERT_TRUE(xr_pread_all(self->fd, self->buf2, len, 0));
	XR_ASSERT_PATTERN(self->buf2, len, 0, 95);
}

/*
 * Reads of a file whose first half is in the page cache and second half
 * is not: the non-blocking attempt gets the first half, the rest is read
 * from io-wq, and the result is the whole length, from the right place.
 * RWF_NOWAIT stops at the cached part instead; on 6.12 the readahead it
 * starts may bring in the rest before it gets there, and then it reads
 * on (preadv2(RWF_NOWAIT) and io_uring do the same: 1 or 2 MiB from one
 * run to the next).
 */
TEST_F(ring, partially_cached_read)
{
	const size_t mib = 1 << 20;
	struct iovec iov[3];
	unsigned int round;
	int res;

	self->fd = open_ext4(O_RDWR);
	if (self->fd == -ENOENT)
		SKIP(return, "XURING_EXT4_DIR is not set");
	ASSERT_LE(0, self->fd);
	xr_fill_pattern(self->buf, 2 * mib, 0, 97);
	ASSERT_TRUE(xr_pwrite_all(self->fd, self->buf, 2 * mib, 0));
	ASSERT_EQ(0, fsync(self->fd));

	for (round = 0; round < 4; round++) {
		ASSERT_EQ(0, posix_fadvise(self->fd, mib, mib,
					   POSIX_FADV_DONTNEED));
		ASSERT_EQ(0, posix_fadvise(self->fd, 0, mib,
					   POSIX_FADV_WILLNEED));
		ASSERT_EQ(0, lseek(self->fd, 0, SEEK_SET));
		memset(self->buf2, 0, 2 * mib);
		switch (round) {
		case 0:
			res = run_rw(&self->r, XURING_OP_READ, self->fd,
				     self->buf2, 2 * mib, 0, 0);
			break;
		case 1:
			/* from the file position, which must end at 2 MiB */
			res = run_rw(&self->r, XURING_OP_READ, self->fd,
				     self->buf2, 2 * mib, -1, 0);
			ASSERT_EQ((off_t)(2 * mib), cur_pos(self->fd));
			break;
		case 2:
			iov[0] = (struct iovec){ self->buf2, 700000 };
			iov[1] = (struct iovec){ self->buf2 + 700000, 700000 };
			iov[2] = (struct iovec){ self->buf2 + 1400000,
						 2 * mib - 1400000 };
			res = run_rw(&self->r, XURING_OP_READV, self->fd, iov,
				     3, 0, 0);
			break;
		default:
			res = run_rw(&self->r, XURING_OP_READ, self->fd,
				     self->buf2, 2 * mib, 0, RWF_NOWAIT);
			ASSERT_LT(0, res);
			ASSERT_GE((int)(xr_kernel_since(6, 12) ? 2 * mib : mib),
				  res);
			XR_ASSERT_PATTERN(self->buf2, res, 0, 97);
			continue;
		}
		ASSERT_EQ((int)(2 * mib), res) TH_LOG("round %u", round);
		XR_ASSERT_PATTERN(self->buf2, 2 * mib, 0, 97);
	}
}

/*
 * More completions than the CQ holds, from buffered (inline) and O_DIRECT
 * (interrupt) completions: none is lost, each is the right data.
 */
/*
 * The application closes a file the moment its direct read's CQE shows
 * up, and the close drops the last reference. ext4 updates the atime
 * after a direct read is queued, so a completion that raced ahead of the
 * issuer once let the inode be evicted under that update (a BUG in
 * evict() in the debug kernel). Inline and io-wq issue both, many times.
 */
TEST_F(ring, close_as_direct_read_completes)
{
	const char *ext4 = xr_env_path("XURING_EXT4_DIR");
	const size_t len = 4096;
	struct xuring_cqe cqe;
	unsigned int i;

	if (!ext4)
		SKIP(return, "XURING_EXT4_DIR is not set");
	xr_fill_pattern(self->buf, len, 0, 77);
	for (i = 0; i < 200; i++) {
		struct xuring_sqe *sqe;
		int fd = xr_scratch_file(ext4, O_RDWR | O_DIRECT);
		__u64 ud = xr_ud();

		ASSERT_LE(0, fd);
		ASSERT_TRUE(xr_pwrite_all(fd, self->buf, len, 0));
		memset(self->buf2, 0, len);
		sqe = xr_get_sqe(&self->r);
		ASSERT_NE(NULL, sqe);
		xr_prep_rw(sqe, XURING_OP_READ, fd, self->buf2, len, 0, ud);
		if (i & 1)
			sqe->flags |= XURING_SQE_ASYNC;
		ASSERT_EQ(1, xr_submit(&self->r));
		ASSERT_EQ(0, xr_wait_cqe_ms(&self->r, &cqe, XR_IO_TIMEOUT_MS));
		close(fd);
		ASSERT_EQ(ud, cqe.user_data);
		ASSERT_EQ((int)len, cqe.res);
		XR_ASSERT_PATTERN(self->buf2, len, 0, 77);
	}
}

TEST(cq_overflow_io)
{
	const char *ext4 = xr_env_path("XURING_EXT4_DIR");
	const char *dir = ext4 ? ext4 : xr_env_path("XURING_TMPDIR");
	const unsigned int rounds = 8, per_round = 8, n = rounds * per_round;
	struct xuring_cqe cqes[64];
	unsigned int pass, i, j;
	unsigned char *buf;
	__u64 ud;
	struct xr_ring r;
	int fd;

	if (!dir)
		SKIP(return, "neither XURING_EXT4_DIR nor XURING_TMPDIR");
	buf = xr_alloc(2 * n * 4096);
	ASSERT_NE(NULL, buf);
	for (pass = 0; pass < 2; pass++) {
		bool direct = pass == 1;

		if (direct && !ext4)
			break;
		fd = xr_scratch_file(dir, O_RDWR | (direct ? O_DIRECT : 0));
		ASSERT_LE(0, fd);
		xr_fill_pattern(buf, n * 4096, 0, 98 + pass);
		ASSERT_TRUE(xr_pwrite_all(fd, buf, n * 4096, 0));
		ASSERT_EQ(0, xr_ring_init(&r, per_round, 0));
		ASSERT_EQ(2 * per_round, r.p.cq_entries);
		memset(buf + n * 4096, 0, n * 4096);
		ud = xr_ud_block(n);
		for (i = 0; i < rounds; i++) {
			for (j = 0; j < per_round; j++) {
				unsigned int k = i * per_round + j;
				struct xuring_sqe *sqe = xr_get_sqe(&r);

				ASSERT_NE(NULL, sqe);
				xr_prep_rw(sqe, XURING_OP_READ, fd,
					   buf + (n + k) * 4096, 4096,
					   k * 4096, ud + k);
			}
			ASSERT_EQ((int)per_round, xr_submit(&r));
		}
		ASSERT_EQ(n, xr_reap_n(&r, cqes, n, XR_IO_TIMEOUT_MS));
		XR_ASSERT_EACH_ONCE(cqes, n, ud);
		for (i = 0; i < n; i++)
			ASSERT_EQ(4096, cqes[i].res);
		ASSERT_EQ(0U, *r.cq_overflow);
		XR_ASSERT_PATTERN(buf + n * 4096, n * 4096, 0, 98 + pass);
		xr_ring_exit(&r);
		close(fd);
	}
	xr_free(buf, 2 * n * 4096);
}

/* ------------------------------------------------ many requests at once */

#define MANY_SLOTS	4096
#define SLOT_SIZE	4096
#define MANY_BYTES	((size_t)MANY_SLOTS * SLOT_SIZE)

FIXTURE(many) {
	struct xr_ring r;
	int fd;
	unsigned char *wbuf, *rbuf;
	struct iovec (*iov)[2];
	unsigned int *order;
	struct xuring_cqe *cqes;
};

FIXTURE_VARIANT(many) {
	bool direct;
	bool all_async;
	unsigned int nr;
};

FIXTURE_VARIANT_ADD(many, buffered) { .direct = false, .nr = MANY_SLOTS };
FIXTURE_VARIANT_ADD(many, direct) { .direct = true, .nr = MANY_SLOTS };
FIXTURE_VARIANT_ADD(many, buffered_async) {
	.direct = false, .all_async = true, .nr = 512,
};
FIXTURE_VARIANT_ADD(many, direct_async) {
	.direct = true, .all_async = true, .nr = 512,
};

FIXTURE_SETUP(many)
{
	struct xuring_params p = {
		.flags = XURING_SETUP_CQSIZE,
		.cq_entries = 2 * MANY_SLOTS,
	};
	struct iovec bufs[2];

	self->fd = -1;
	ASSERT_EQ(0, xr_ring_init_params(&self->r, MANY_SLOTS, &p));
	ASSERT_EQ(MANY_SLOTS, (int)self->r.p.sq_entries);
	ASSERT_EQ(2 * MANY_SLOTS, (int)self->r.p.cq_entries);
	self->wbuf = xr_alloc(MANY_BYTES);
	self->rbuf = xr_alloc(MANY_BYTES);
	self->iov = calloc(MANY_SLOTS, sizeof(*self->iov));
	self->order = calloc(MANY_SLOTS, sizeof(*self->order));
	self->cqes = calloc(MANY_SLOTS, sizeof(*self->cqes));
	ASSERT_NE(NULL, self->wbuf);
	ASSERT_NE(NULL, self->rbuf);
	ASSERT_NE(NULL, self->iov);
	ASSERT_NE(NULL, self->order);
	ASSERT_NE(NULL, self->cqes);
	bufs[0] = (struct iovec){ self->wbuf, MANY_BYTES };
	bufs[1] = (struct iovec){ self->rbuf, MANY_BYTES };
	ASSERT_EQ(0, xr_register(self->r.fd, XURING_REGISTER_BUFFERS, bufs, 2));
}

FIXTURE_TEARDOWN(many)
{
	if (self->fd >= 0)
		close(self->fd);
	xr_ring_exit(&self->r);
	xr_free(self->wbuf, MANY_BYTES);
	xr_free(self->rbuf, MANY_BYTES);
	free(self->iov);
	free(self->order);
	free(self->cqes);
}

/* A random permutation of the first n slots. */
static void shuffle(unsigned int *order, unsigned int n, unsigned int seed)
{
	unsigned int i;

	srandom(seed);
	for (i = 0; i < n; i++)
		order[i] = i;
	for (i = n - 1; i > 0; i--) {
		unsigned int j = random() % (i + 1), t = order[i];

		order[i] = order[j];
		order[j] = t;
	}
}

/*
 * Queue one request per slot, in random slot order, cycling through the
 * plain, vectored and fixed op of the direction; submit them all with one
 * ENTER and check every CQE.
 */
static void many_pass(struct __test_metadata *_metadata,
		      FIXTURE_DATA(many) *self,
		      const FIXTURE_VARIANT(many) *variant, bool write,
		      unsigned int seed)
{
	/* buffered slots sit at an odd offset and are a little short */
	const size_t skew = variant->direct ? 0 : 17;
	const size_t len = variant->direct ? SLOT_SIZE : SLOT_SIZE - 40;
	/* O_DIRECT segments must stay 512-aligned */
	const size_t split = variant->direct ? 1536 : 1;
	unsigned char *buf = write ? self->wbuf : self->rbuf;
	unsigned int n = variant->nr, i;
	/* slot k's request has user_data ud + k */
	__u64 ud = xr_ud_block(n);

	shuffle(self->order, n, seed);
	for (i = 0; i < n; i++) {
		unsigned int slot = self->order[i];
		__u64 off = (__u64)slot * SLOT_SIZE + skew;
		unsigned char *addr = buf + (size_t)slot * SLOT_SIZE + skew;
		struct xuring_sqe *sqe = xr_get_sqe(&self->r);

		ASSERT_NE(NULL, sqe);
		switch (i % 3) {
		case 0:
			xr_prep_rw(sqe, write ? XURING_OP_WRITE : XURING_OP_READ,
				   self->fd, addr, len, off, ud + slot);
			break;
		case 1:
			self->iov[slot][0] = (struct iovec){ addr, split };
			self->iov[slot][1] = (struct iovec){ addr + split,
							     len - split };
			xr_prep_rw(sqe, write ? XURING_OP_WRITEV :
					      XURING_OP_READV,
				   self->fd, self->iov[slot], 2, off,
				   ud + slot);
			break;
		case 2:
			xr_prep_fixed(sqe, write ? XURING_OP_WRITE_FIXED :
					     XURING_OP_READ_FIXED,
				      self->fd, addr, len, off, write ? 0 : 1,
				      ud + slot);
			break;
		}
		if (variant->all_async || i % 4 == 3)
			sqe->flags |= XURING_SQE_ASYNC;
	}
	ASSERT_EQ((int)n, xr_submit(&self->r));
	/*
	 * Generous: the KASAN guest on a busy host reaped 3388 of the 4096
	 * direct writes in 60 s, still going. A lost CQE fails either way.
	 */
	ASSERT_EQ(n, xr_reap_n(&self->r, self->cqes, n, 300000));
	XR_ASSERT_EACH_ONCE(self->cqes, n, ud);
	for (i = 0; i < n; i++) {
		ASSERT_EQ((int)len, self->cqes[i].res)
			TH_LOG("slot %llu",
			       (unsigned long long)(self->cqes[i].user_data -
						    ud));
	}
	ASSERT_EQ(0U, xr_cq_ready(&self->r));
}

static void many_check(struct __test_metadata *_metadata,
		       FIXTURE_DATA(many) *self,
		       const FIXTURE_VARIANT(many) *variant,
		       const unsigned char *buf, unsigned int seed)
{
	const size_t skew = variant->direct ? 0 : 17;
	const size_t len = variant->direct ? SLOT_SIZE : SLOT_SIZE - 40;
	unsigned int slot;

	for (slot = 0; slot < variant->nr; slot++) {
		size_t off = (size_t)slot * SLOT_SIZE + skew;
		long bad = xr_pattern_mismatch(buf + off, len, off, seed);

		ASSERT_EQ(-1, bad) TH_LOG("slot %u byte %ld", slot, bad);
	}
}

/*
 * Thousands of writes of distinct data to distinct slots in flight at
 * once, checked with pread() from the disk; then as many reads back,
 * from the disk too, checked. Two reaps of up to 300 s each, for the
 * KASAN guest on a busy host; an idle one takes seconds.
 */
TEST_F_TIMEOUT(many, write_then_read, 660)
{
	const char *dir = xr_env_path("XURING_EXT4_DIR");
	struct xr_iowq_state st;

	if (!dir && !variant->direct)
		dir = xr_env_path("XURING_TMPDIR");
	if (!dir)
		SKIP(return, "XURING_EXT4_DIR is not set");
	self->fd = xr_scratch_file(dir, O_RDWR |
				   (variant->direct ? O_DIRECT : 0));
	ASSERT_LE(0, self->fd);

	xr_fill_pattern(self->wbuf, MANY_BYTES, 0, 123);
	many_pass(_metadata, self, variant, true, 1);
	XR_DROP_CACHE(self->fd, 0, MANY_BYTES);
	/* the file ends where the last slot does */
	memset(self->rbuf, 0, MANY_BYTES);
	ASSERT_TRUE(xr_pread_all(self->fd, self->rbuf,
				 (size_t)variant->nr * SLOT_SIZE -
				 (variant->direct ? 0 : 40 - 17), 0));
	many_check(_metadata, self, variant, self->rbuf, 123);

	XR_DROP_CACHE(self->fd, 0, MANY_BYTES);
	memset(self->rbuf, 0, MANY_BYTES);
	many_pass(_metadata, self, variant, false, 2);
	many_check(_metadata, self, variant, self->rbuf, 123);

	if (variant->all_async) {
		/* forced async work ran in io-wq: its workers are still idle */
		ASSERT_TRUE(xr_fdinfo_iowq(self->r.fd, "bound", &st));
		ASSERT_LT(0U, st.workers);
	}
}

/* ------------------------------------------------------------ null_blk */

#define NULLBLK_NR	2048

/*
 * O_DIRECT on null_blk (which stores nothing: only results are checked):
 * more requests at once than the device has tags, so some bios come back
 * -EAGAIN and are retried, completing during submission or not; all
 * transfer their 4096 bytes. Then the O_DIRECT alignment errors.
 */
TEST(nullblk_direct)
{
	const char *dev = xr_env_path("XURING_NULLBLK");
	struct xuring_params p = { 0 };
	struct xuring_cqe *cqes;
	struct iovec reg, *iov;
	__u64 ud = xr_ud_block(NULLBLK_NR);
	unsigned char *buf;
	struct xr_ring r;
	long long size;
	unsigned int i;
	int fd;

	if (!dev)
		SKIP(return, "XURING_NULLBLK is not set or missing");
	fd = open(dev, O_RDWR | O_DIRECT | O_CLOEXEC);
	ASSERT_LE(0, fd);
	size = xr_blkdev_size(fd);
	ASSERT_LT((long long)NULLBLK_NR * 4096, size);
	ASSERT_EQ(0, xr_ring_init_params(&r, NULLBLK_NR, &p));
	buf = xr_alloc((size_t)NULLBLK_NR * 4096);
	cqes = calloc(NULLBLK_NR, sizeof(*cqes));
	iov = calloc(2 * NULLBLK_NR, sizeof(*iov));
	ASSERT_NE(NULL, buf);
	ASSERT_NE(NULL, cqes);
	ASSERT_NE(NULL, iov);
	reg = (struct iovec){ buf, (size_t)NULLBLK_NR * 4096 };
	ASSERT_EQ(0, xr_register(r.fd, XURING_REGISTER_BUFFERS, &reg, 1));

	srandom(1);
	for (i = 0; i < NULLBLK_NR; i++) {
		struct xuring_sqe *sqe = xr_get_sqe(&r);
		unsigned char *addr = buf + (size_t)i * 4096;
		__u64 off = (random() % (size / 4096)) * 4096;

		ASSERT_NE(NULL, sqe);
		switch (i % 5) {
		case 0:
			xr_prep_rw(sqe, XURING_OP_READ, fd, addr, 4096, off,
				   ud + i);
			break;
		case 1:
			xr_prep_rw(sqe, XURING_OP_WRITE, fd, addr, 4096, off,
				   ud + i);
			break;
		case 2:
			iov[2 * i] = (struct iovec){ addr, 2048 };
			iov[2 * i + 1] = (struct iovec){ addr + 2048, 2048 };
			xr_prep_rw(sqe, XURING_OP_READV, fd, &iov[2 * i], 2,
				   off, ud + i);
			break;
		case 3:
			xr_prep_fixed(sqe, XURING_OP_READ_FIXED, fd, addr, 4096,
				      off, 0, ud + i);
			break;
		case 4:
			xr_prep_fixed(sqe, XURING_OP_WRITE_FIXED, fd, addr,
				      4096, off, 0, ud + i);
			break;
		}
	}
	ASSERT_EQ(NULLBLK_NR, xr_submit(&r));
	ASSERT_EQ((unsigned int)NULLBLK_NR,
		  xr_reap_n(&r, cqes, NULLBLK_NR, 60000));
	XR_ASSERT_EACH_ONCE(cqes, NULLBLK_NR, ud);
	for (i = 0; i < NULLBLK_NR; i++) {
		ASSERT_EQ(4096, cqes[i].res) TH_LOG("request %llu",
				(unsigned long long)(cqes[i].user_data - ud));
	}

	/* misaligned buffer, length and offset */
	ASSERT_EQ(-EINVAL, run_rw(&r, XURING_OP_READ, fd, buf + 1, 4096, 0,
				  0));
	ASSERT_EQ(-EINVAL, run_rw(&r, XURING_OP_READ, fd, buf, 1000, 0, 0));
	ASSERT_EQ(-EINVAL, run_rw(&r, XURING_OP_WRITE, fd, buf, 4096, 100,
				  0));
	/* the end of the device */
	ASSERT_EQ(4096, run_rw(&r, XURING_OP_READ, fd, buf, 8192, size - 4096,
			       0));
	ASSERT_EQ(0, run_rw(&r, XURING_OP_READ, fd, buf, 4096, size, 0));
	ASSERT_TRUE(xr_nop_works(&r));

	xr_ring_exit(&r);
	xr_free(buf, (size_t)NULLBLK_NR * 4096);
	free(cqes);
	free(iov);
	close(fd);
}

/* -------------------------------------------------- one-iovec vectors */

/*
 * READV/WRITEV with exactly one iovec (the case an implementation may
 * store inline instead of allocating), inline and through io-wq. A fixture
 * of its own, defined last, so it runs last: a kernel that crashes here
 * takes no other test with it.
 */
FIXTURE(vec1) {
	struct xr_ring r;
	int fd;
	unsigned char *buf, *buf2;
};

FIXTURE_SETUP(vec1)
{
	self->fd = -1;
	ASSERT_EQ(0, xr_ring_init(&self->r, 8, 0));
	self->buf = xr_alloc(SMALL_BUF);
	self->buf2 = xr_alloc(SMALL_BUF);
	ASSERT_NE(NULL, self->buf);
	ASSERT_NE(NULL, self->buf2);
}

FIXTURE_TEARDOWN(vec1)
{
	if (self->fd >= 0)
		close(self->fd);
	xr_ring_exit(&self->r);
	xr_free(self->buf, SMALL_BUF);
	xr_free(self->buf2, SMALL_BUF);
}

TEST_F(vec1, readv_writev_one_iovec)
{
	struct iovec iov;
	unsigned int async;

	OPEN_SCRATCH(self->fd, O_RDWR);
	for (async = 0; async < 2; async++) {
		struct xuring_sqe *sqe;

		xr_fill_pattern(self->buf, 10000, 0, 200 + async);
		iov = (struct iovec){ self->buf, 10000 };
		XR_GET_SQE(sqe, &self->r);
		xr_prep_rw(sqe, XURING_OP_WRITEV, self->fd, &iov, 1, 0,
			   xr_ud());
		if (async)
			sqe->flags = XURING_SQE_ASYNC;
		ASSERT_EQ(10000, xr_run_one(&self->r, NULL));

		memset(self->buf2, 0, 10000);
		iov = (struct iovec){ self->buf2, 10000 };
		XR_GET_SQE(sqe, &self->r);
		xr_prep_rw(sqe, XURING_OP_READV, self->fd, &iov, 1, 0,
			   xr_ud());
		if (async)
			sqe->flags = XURING_SQE_ASYNC;
		ASSERT_EQ(10000, xr_run_one(&self->r, NULL));
		XR_ASSERT_PATTERN(self->buf2, 10000, 0, 200 + async);
	}
}

TEST_HARNESS_MAIN
