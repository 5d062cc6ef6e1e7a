// SPDX-License-Identifier: GPL-2.0
/*
 * Bad input to the file I/O engine: bad buffers (NULL, unmapped, kernel
 * addresses, lengths far beyond the buffer), bad iovec arrays, unknown
 * RWF_* flags, fds of the wrong mode or not open, negative offsets, SQE
 * fields an op does not use, the file size limit, and submission from a
 * process that does not own the ring. Each gets its error in its CQE and
 * the ring keeps working.
 */
#include <linux/ioprio.h>
#include <linux/falloc.h>

#include "xuring_io.h"
#include "kselftest_harness.h"

XR_SKIP_ALL_WITHOUT_DEVICE()

#define FILE_SIZE	(64 << 10)
#define FILE_SEED	3
#define KERNEL_ADDR	((void *)0xffff888000000000UL)

FIXTURE(bad) {
	struct xr_ring r;
	int fd;
	unsigned char *buf;
	const char *dir;
};

FIXTURE_SETUP(bad)
{
	self->fd = -1;
	ASSERT_EQ(0, xr_ring_init(&self->r, 16, 0));
	self->buf = xr_alloc(1 << 20);
	ASSERT_NE(NULL, self->buf);
	self->dir = xr_scratch_dir();
	if (self->dir) {
		self->fd = xr_scratch_file(self->dir, O_RDWR);
		ASSERT_LE(0, self->fd);
		xr_fill_pattern(self->buf, FILE_SIZE, 0, FILE_SEED);
		ASSERT_TRUE(xr_pwrite_all(self->fd, self->buf, FILE_SIZE, 0));
		memset(self->buf, 0, FILE_SIZE);
	}
}

FIXTURE_TEARDOWN(bad)
{
	if (self->fd >= 0)
		close(self->fd);
	/* whatever the test did, the ring still works */
	EXPECT_TRUE(xr_nop_works(&self->r));
	xr_ring_exit(&self->r);
	xr_free(self->buf, 1 << 20);
}

#define NEED_FILE() do {						\
	if (self->fd < 0)						\
		SKIP(return, "neither XURING_EXT4_DIR nor XURING_TMPDIR"); \
} while (0)

/* The file still holds exactly what setup wrote. */
#define ASSERT_FILE_INTACT() do {					\
	struct stat __st;						\
	ASSERT_EQ(0, fstat(self->fd, &__st));				\
	ASSERT_EQ(FILE_SIZE, __st.st_size);				\
	ASSERT_TRUE(xr_pread_all(self->fd, self->buf + (512 << 10),	\
				 FILE_SIZE, 0));			\
	XR_ASSERT_PATTERN(self->buf + (512 << 10), FILE_SIZE, 0,	\
			  FILE_SEED);					\
} while (0)

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

/* Run an SQE prepared by the caller (already queued). */
#define RUN_QUEUED()	xr_run_one(&self->r, NULL)

TEST_F(bad, null_buffer)
{
	/* the fault comes first: nothing is transferred */
	struct iovec iov[2] = { { NULL, 4096 }, { self->buf, 10 } };

	NEED_FILE();
	ASSERT_EQ(-EFAULT, run_rw(&self->r, XURING_OP_READ, self->fd, NULL,
				  4096, 0, 0));
	ASSERT_EQ(-EFAULT, run_rw(&self->r, XURING_OP_WRITE, self->fd, NULL,
				  4096, 0, 0));
	ASSERT_EQ(-EFAULT, run_rw(&self->r, XURING_OP_READV, self->fd, iov,
				  2, 0, 0));
	ASSERT_EQ(-EFAULT, run_rw(&self->r, XURING_OP_WRITEV, self->fd, iov,
				  2, 0, 0));
	ASSERT_TRUE(xr_nop_works(&self->r));
	ASSERT_FILE_INTACT();
}

TEST_F(bad, unmapped_buffer)
{
	void *hole = xr_unmapped_addr();

	NEED_FILE();
	ASSERT_NE(NULL, hole);
	ASSERT_EQ(-EFAULT, run_rw(&self->r, XURING_OP_READ, self->fd, hole,
				  4096, 0, 0));
	ASSERT_EQ(-EFAULT, run_rw(&self->r, XURING_OP_WRITE, self->fd, hole,
				  4096, 0, 0));
	/* forced through io-wq, where the worker borrows our mm */
	{
		struct xuring_sqe *sqe;

		XR_GET_SQE(sqe, &self->r);
		xr_prep_rw(sqe, XURING_OP_READ, self->fd, hole, 4096, 0,
			   xr_ud());
		sqe->flags = XURING_SQE_ASYNC;
		ASSERT_EQ(-EFAULT, RUN_QUEUED());
	}
	ASSERT_TRUE(xr_nop_works(&self->r));
	ASSERT_FILE_INTACT();
}

TEST_F(bad, kernel_buffer)
{
	struct iovec iov[2] = { { self->buf, 10 }, { KERNEL_ADDR, 4096 } };

	NEED_FILE();
	ASSERT_EQ(-EFAULT, run_rw(&self->r, XURING_OP_READ, self->fd,
				  KERNEL_ADDR, 4096, 0, 0));
	ASSERT_EQ(-EFAULT, run_rw(&self->r, XURING_OP_WRITE, self->fd,
				  KERNEL_ADDR, 4096, 0, 0));
	ASSERT_EQ(-EFAULT, run_rw(&self->r, XURING_OP_READV, self->fd, iov, 2,
				  0, 0));
	ASSERT_EQ(-EFAULT, run_rw(&self->r, XURING_OP_WRITEV, self->fd, iov,
				  2, 0, 0));
	/* the iovec array itself in the kernel */
	ASSERT_EQ(-EFAULT, run_rw(&self->r, XURING_OP_READV, self->fd,
				  KERNEL_ADDR, 2, 0, 0));
	ASSERT_TRUE(xr_nop_works(&self->r));
	ASSERT_FILE_INTACT();
}

/*
 * A length of 0x7fffffff (for O_DIRECT, the largest aligned length below)
 * with one mapped page followed by nothing: an error, or a short count no
 * larger than the page, whose bytes are right.
 */
static void huge_len(struct __test_metadata *_metadata,
		     FIXTURE_DATA(bad) *self, int fd, bool direct)
{
	size_t page = sysconf(_SC_PAGESIZE);
	unsigned char *map = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	__u32 len = direct ? 0x7ffff000 : 0x7fffffff;
	struct stat st;
	int res;

	ASSERT_NE(MAP_FAILED, map);
	ASSERT_EQ(0, mprotect(map + page, page, PROT_NONE));

	res = run_rw(&self->r, XURING_OP_READ, fd, map, len, 0, 0);
	TH_LOG("huge READ%s: %d", direct ? " (O_DIRECT)" : "", res);
	ASSERT_NE(INT_MIN, res);
	if (res >= 0) {
		ASSERT_LT(0, res);
		ASSERT_GE((int)page, res);
		XR_ASSERT_PATTERN(map, res, 0, FILE_SEED);
	} else {
		ASSERT_TRUE(res == -EFAULT || (direct && res == -EINVAL));
	}

	xr_fill_pattern(map, page, 8192, FILE_SEED);
	res = run_rw(&self->r, XURING_OP_WRITE, fd, map, len, 8192, 0);
	TH_LOG("huge WRITE%s: %d", direct ? " (O_DIRECT)" : "", res);
	ASSERT_NE(INT_MIN, res);
	if (res >= 0) {
		ASSERT_LT(0, res);
		ASSERT_GE((int)page, res);
	} else {
		ASSERT_TRUE(res == -EFAULT || (direct && res == -EINVAL));
	}
	/* what was written was the page's content, the size did not grow */
	ASSERT_EQ(0, fstat(fd, &st));
	ASSERT_EQ(FILE_SIZE, st.st_size);
	munmap(map, 2 * page);
	ASSERT_TRUE(xr_nop_works(&self->r));
	ASSERT_FILE_INTACT();
}

TEST_F(bad, huge_length)
{
	NEED_FILE();
	huge_len(_metadata, self, self->fd, false);
}

TEST_F(bad, huge_length_direct)
{
	const char *ext4 = xr_env_path("XURING_EXT4_DIR");
	int dfd;

	NEED_FILE();
	if (!ext4)
		SKIP(return, "XURING_EXT4_DIR is not set");
	/* the same file, opened for O_DIRECT */
	dfd = xr_scratch_file(ext4, O_RDWR | O_DIRECT);
	ASSERT_LE(0, dfd);
	close(self->fd);
	self->fd = dfd;
	xr_fill_pattern(self->buf, FILE_SIZE, 0, FILE_SEED);
	ASSERT_TRUE(xr_pwrite_all(dfd, self->buf, FILE_SIZE, 0));
	huge_len(_metadata, self, dfd, true);
}

TEST_F(bad, iovec_count)
{
	struct iovec *iov = calloc(1025, sizeof(*iov));
	unsigned int i;

	NEED_FILE();
	ASSERT_NE(NULL, iov);
	for (i = 0; i < 1025; i++)
		iov[i] = (struct iovec){ self->buf + 3 * i, 1 };
	ASSERT_EQ(-EINVAL, run_rw(&self->r, XURING_OP_READV, self->fd, iov,
				  1025, 0, 0));
	ASSERT_EQ(-EINVAL, run_rw(&self->r, XURING_OP_WRITEV, self->fd, iov,
				  1025, 0, 0));
	ASSERT_EQ(-EINVAL, run_rw(&self->r, XURING_OP_READV, self->fd, iov,
				  UINT32_MAX, 0, 0));
	/* UIO_MAXIOV itself is fine: 1024 single bytes, each in its place */
	memset(self->buf, 0, 4096);
	ASSERT_EQ(1024, run_rw(&self->r, XURING_OP_READV, self->fd, iov, 1024,
			       0, 0));
	for (i = 0; i < 1024; i++)
		ASSERT_EQ(xr_pattern_byte(i, FILE_SEED), self->buf[3 * i])
			TH_LOG("iovec %u", i);
	/* no iovecs: nothing to do */
	ASSERT_EQ(0, run_rw(&self->r, XURING_OP_READV, self->fd, iov, 0, 0,
			    0));
	/* a segment length that does not fit ssize_t */
	iov[1].iov_len = (size_t)-2;
	ASSERT_EQ(-EINVAL, run_rw(&self->r, XURING_OP_READV, self->fd, iov, 2,
				  0, 0));
	free(iov);
	ASSERT_FILE_INTACT();
}

TEST_F(bad, iovec_array_unmapped)
{
	NEED_FILE();
	ASSERT_EQ(-EFAULT, run_rw(&self->r, XURING_OP_READV, self->fd,
				  xr_unmapped_addr(), 2, 0, 0));
	ASSERT_EQ(-EFAULT, run_rw(&self->r, XURING_OP_WRITEV, self->fd,
				  xr_unmapped_addr(), 2, 0, 0));
	ASSERT_EQ(-EFAULT, run_rw(&self->r, XURING_OP_READV, self->fd, NULL,
				  2, 0, 0));
	ASSERT_TRUE(xr_nop_works(&self->r));
	ASSERT_FILE_INTACT();
}

TEST_F(bad, rw_flags)
{
	NEED_FILE();
	ASSERT_EQ(-EOPNOTSUPP, run_rw(&self->r, XURING_OP_READ, self->fd,
				      self->buf, 4096, 0, 1U << 30));
	ASSERT_EQ(-EOPNOTSUPP, run_rw(&self->r, XURING_OP_WRITE, self->fd,
				      self->buf, 4096, 0, 1U << 30));
	ASSERT_EQ(-EOPNOTSUPP, run_rw(&self->r, XURING_OP_READV, self->fd,
				      self->buf, 0, 0, 0x80000000U));
	/* polled I/O on a ring that does not poll */
	ASSERT_EQ(-EINVAL, run_rw(&self->r, XURING_OP_READ, self->fd,
				  self->buf, 4096, 0, RWF_HIPRI));
	ASSERT_TRUE(xr_nop_works(&self->r));
	ASSERT_FILE_INTACT();
}

TEST_F(bad, wrong_mode_fd)
{
	int rdonly, wronly;
	struct iovec iov = { self->buf, 100 };
	struct xuring_sqe *sqe;

	NEED_FILE();
	close(xr_scratch_file2(self->dir, O_RDWR, &rdonly, O_RDONLY));
	ASSERT_LE(0, rdonly);
	wronly = xr_scratch_file2(self->dir, O_WRONLY, NULL, 0);
	ASSERT_LE(0, wronly);

	ASSERT_EQ(-EBADF, run_rw(&self->r, XURING_OP_READ, wronly, self->buf,
				 100, 0, 0));
	ASSERT_EQ(-EBADF, run_rw(&self->r, XURING_OP_READV, wronly, &iov, 1,
				 0, 0));
	ASSERT_EQ(-EBADF, run_rw(&self->r, XURING_OP_WRITE, rdonly, self->buf,
				 100, 0, 0));
	ASSERT_EQ(-EBADF, run_rw(&self->r, XURING_OP_WRITEV, rdonly, &iov, 1,
				 0, 0));
	/* FALLOCATE needs a writable file too */
	XR_GET_SQE(sqe, &self->r);
	xr_prep_rw(sqe, XURING_OP_FALLOCATE, rdonly, NULL, 0, 0, xr_ud());
	sqe->addr = 4096;
	ASSERT_EQ(-EBADF, RUN_QUEUED());
	/* the read-only file is still empty, the write-only one works */
	ASSERT_EQ(0, lseek(rdonly, 0, SEEK_END));
	xr_fill_pattern(self->buf, 100, 0, 5);
	ASSERT_EQ(100, run_rw(&self->r, XURING_OP_WRITE, wronly, self->buf,
			      100, 0, 0));
	close(rdonly);
	close(wronly);
}

TEST_F(bad, fd_not_open)
{
	static const __u8 ops[] = {
		XURING_OP_READ, XURING_OP_WRITE, XURING_OP_READV,
		XURING_OP_FSYNC, XURING_OP_FADVISE, XURING_OP_FALLOCATE,
		XURING_OP_SYNC_FILE_RANGE, XURING_OP_READ_FIXED,
	};
	int closed = dup(0);
	unsigned int i;

	ASSERT_LE(0, closed);
	close(closed);
	for (i = 0; i < sizeof(ops); i++) {
		struct xuring_sqe *sqe;

		XR_GET_SQE(sqe, &self->r);
		xr_prep_rw(sqe, ops[i], closed, NULL, 0, 0, xr_ud());
		ASSERT_EQ(-EBADF, RUN_QUEUED()) TH_LOG("opcode %u", ops[i]);
		XR_GET_SQE(sqe, &self->r);
		xr_prep_rw(sqe, ops[i], -1, NULL, 0, 0, xr_ud());
		ASSERT_EQ(-EBADF, RUN_QUEUED()) TH_LOG("opcode %u", ops[i]);
	}
	/* a ring cannot be the file of a request */
	ASSERT_EQ(-EBADF, run_rw(&self->r, XURING_OP_READ, self->r.fd,
				 self->buf, 16, 0, 0));
	/* a fixed file without a table */
	{
		struct xuring_sqe *sqe;

		XR_GET_SQE(sqe, &self->r);
		xr_prep_rw(sqe, XURING_OP_READ, 0, self->buf, 16, 0, xr_ud());
		sqe->flags = XURING_SQE_FIXED_FILE;
		ASSERT_EQ(-EBADF, RUN_QUEUED());
	}
}

TEST_F(bad, negative_offset)
{
	NEED_FILE();
	ASSERT_EQ(-EINVAL, run_rw(&self->r, XURING_OP_READ, self->fd,
				  self->buf, 100, -2ULL, 0));
	ASSERT_EQ(-EINVAL, run_rw(&self->r, XURING_OP_READ, self->fd,
				  self->buf, 100, 1ULL << 63, 0));
	ASSERT_EQ(-EINVAL, run_rw(&self->r, XURING_OP_WRITE, self->fd,
				  self->buf, 100, -4096ULL, 0));
	ASSERT_EQ(-EINVAL, run_rw(&self->r, XURING_OP_WRITEV, self->fd,
				  self->buf, 0, -2ULL, 0));
	/* the file position was not touched */
	ASSERT_EQ(0, lseek(self->fd, 0, SEEK_CUR));
	ASSERT_TRUE(xr_nop_works(&self->r));
	ASSERT_FILE_INTACT();
}

/* Fields an op does not use must be zero. */
TEST_F(bad, unused_fields)
{
	struct xuring_sqe *sqe;

	NEED_FILE();
#define BAD_READ(field, value) do {					\
	XR_GET_SQE(sqe, &self->r);					\
	xr_prep_rw(sqe, XURING_OP_READ, self->fd, self->buf, 100, 0,	\
		   xr_ud());						\
	sqe->field = (value);						\
	ASSERT_EQ(-EINVAL, RUN_QUEUED()) TH_LOG("READ with " #field);	\
} while (0)
	BAD_READ(buf_index, 1);
	BAD_READ(addr3, 1);
	BAD_READ(__pad2[0], 1);
	BAD_READ(file_index, 1);
	BAD_READ(splice_fd_in, -1);
	BAD_READ(personality, 1);
	/* not a valid I/O priority class */
	BAD_READ(ioprio, IOPRIO_PRIO_VALUE(7, 0));
	BAD_READ(flags, XURING_SQE_BUFFER_SELECT);
	BAD_READ(flags, 1U << 7);
#undef BAD_READ

#define BAD_OP(op, field, value) do {					\
	XR_GET_SQE(sqe, &self->r);					\
	xr_prep_rw(sqe, (op), self->fd, NULL, 0, 0, xr_ud());		\
	sqe->field = (value);						\
	ASSERT_EQ(-EINVAL, RUN_QUEUED()) TH_LOG(#op " with " #field);	\
} while (0)
	BAD_OP(XURING_OP_FSYNC, ioprio, 1);
	BAD_OP(XURING_OP_FSYNC, addr, 1);
	BAD_OP(XURING_OP_FSYNC, buf_index, 1);
	BAD_OP(XURING_OP_FSYNC, fsync_flags, 2);
	BAD_OP(XURING_OP_FSYNC, personality, 1);
	BAD_OP(XURING_OP_FSYNC, addr3, 1);
	BAD_OP(XURING_OP_FADVISE, addr, 1);
	BAD_OP(XURING_OP_FADVISE, ioprio, 1);
	BAD_OP(XURING_OP_FADVISE, splice_fd_in, 1);
	BAD_OP(XURING_OP_FALLOCATE, rw_flags, 1);
	BAD_OP(XURING_OP_FALLOCATE, buf_index, 1);
	BAD_OP(XURING_OP_SYNC_FILE_RANGE, addr, 1);
	BAD_OP(XURING_OP_SYNC_FILE_RANGE, ioprio, 1);
	BAD_OP(XURING_OP_SYNC_FILE_RANGE, addr3, 1);
	BAD_OP(XURING_OP_WRITE_FIXED, addr3, 1);
#undef BAD_OP
	ASSERT_TRUE(xr_nop_works(&self->r));
	ASSERT_FILE_INTACT();
}

/*
 * A READ of a directory fails as read(2) does on the same fd (-EISDIR;
 * io_uring runs files without ->read_iter through ->read).
 */
TEST_F(bad, read_directory)
{
	int dfd, err;

	NEED_FILE();
	dfd = open(self->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ASSERT_LE(0, dfd);
	ASSERT_EQ(-1, read(dfd, self->buf, 100));
	err = errno;
	ASSERT_EQ(-err, run_rw(&self->r, XURING_OP_READ, dfd, self->buf, 100,
			       0, 0));
	close(dfd);
}

/* Child of file_size_limit: 0, or the step that went wrong. */
static int fsize_child(int fd)
{
	struct rlimit rl = { 8192, 8192 };
	unsigned char *buf = xr_alloc(16384);
	struct xr_ring r;
	unsigned int async;

	if (!buf || setrlimit(RLIMIT_FSIZE, &rl) ||
	    signal(SIGXFSZ, SIG_IGN) == SIG_ERR)
		return 1;
	if (xr_ring_init(&r, 4, 0))
		return 2;
	for (async = 0; async < 2; async++) {
		struct xuring_sqe *sqe = xr_get_sqe(&r);

		if (!sqe)
			return 20;
		/* entirely beyond the limit */
		xr_prep_rw(sqe, XURING_OP_WRITE, fd, buf, 4096, 16384,
			   xr_ud());
		if (async)
			sqe->flags = XURING_SQE_ASYNC;
		if (xr_run_one(&r, NULL) != -EFBIG)
			return 3 + async * 10;
		/* up to the limit: short */
		sqe = xr_get_sqe(&r);
		if (!sqe)
			return 21;
		xr_prep_rw(sqe, XURING_OP_WRITE, fd, buf, 8192, 4096, xr_ud());
		if (async)
			sqe->flags = XURING_SQE_ASYNC;
		if (xr_run_one(&r, NULL) != 4096)
			return 4 + async * 10;
		if (ftruncate(fd, 0))
			return 5;
	}
	xr_ring_exit(&r);
	return 0;
}

/*
 * RLIMIT_FSIZE applies to writes, inline or from io-wq: -EFBIG past the
 * limit, a short write up to it.
 */
TEST_F(bad, file_size_limit)
{
	pid_t pid;
	int status;

	NEED_FILE();
	ASSERT_EQ(0, ftruncate(self->fd, 0));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(fsize_child(self->fd));
	status = xr_wait_child_ms(pid, XR_IO_TIMEOUT_MS);
	ASSERT_TRUE(status >= 0 && WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status)) TH_LOG("child failed at step %d",
						 WEXITSTATUS(status));
	ASSERT_EQ(0, lseek(self->fd, 0, SEEK_END));
	/* restore what the teardown-time checks of other tests expect */
	xr_fill_pattern(self->buf, FILE_SIZE, 0, FILE_SEED);
	ASSERT_TRUE(xr_pwrite_all(self->fd, self->buf, FILE_SIZE, 0));
}

/* Child of foreign_mm: 0, or the step that went wrong. */
static int foreign_child(int ring_fd, int file_fd)
{
	struct xuring_probe *probe;
	struct iovec iov = { &iov, 64 };
	unsigned int counts[2] = { 0, 0 };
	int fds[1] = { file_fd };

	if (xr_enter(ring_fd, 0, 0, XURING_ENTER_GETEVENTS, NULL, 0) !=
	    -EEXIST)
		return 1;
	if (xr_enter(ring_fd, 1, 0, 0, NULL, 0) != -EEXIST)
		return 2;
	if (xr_enter(ring_fd, 1, 1, XURING_ENTER_GETEVENTS, NULL, 0) !=
	    -EEXIST)
		return 3;
	if (xr_register(ring_fd, XURING_REGISTER_FILES, fds, 1) != -EEXIST)
		return 4;
	if (xr_register(ring_fd, XURING_REGISTER_BUFFERS, &iov, 1) != -EEXIST)
		return 5;
	if (xr_register(ring_fd, XURING_UNREGISTER_FILES, NULL, 0) != -EEXIST)
		return 6;
	if (xr_register(ring_fd, XURING_REGISTER_IOWQ_MAX_WORKERS, counts,
			2) != -EEXIST)
		return 7;
	/* the probe touches nothing of the ring: allowed */
	probe = calloc(1, sizeof(*probe) + 64 * sizeof(probe->ops[0]));
	if (!probe || xr_register(ring_fd, XURING_REGISTER_PROBE, probe, 64))
		return 8;
	return 0;
}

/*
 * A forked child shares the ring fd but not the address space the SQEs
 * point into: it may not enter or register (EEXIST), even just to wait.
 */
TEST_F(bad, foreign_mm)
{
	struct xuring_sqe *sqe;
	struct xuring_cqe cqe;
	__u64 ud = xr_ud();
	pid_t pid;
	int status, fd = self->fd >= 0 ? self->fd : 0;
	unsigned int head = *self->r.sq_head;

	/* a NOP queued but not submitted: the child must not submit it */
	XR_GET_SQE(sqe, &self->r);
	xr_prep_nop(sqe, ud);
	xr_flush_sq(&self->r);

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(foreign_child(self->r.fd, fd));
	status = xr_wait_child_ms(pid, XR_IO_TIMEOUT_MS);
	ASSERT_TRUE(status >= 0 && WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status)) TH_LOG("child failed at step %d",
						 WEXITSTATUS(status));
	ASSERT_EQ(head, *self->r.sq_head);
	ASSERT_EQ(0U, xr_cq_ready(&self->r));
	/* still ours: the parent submits the NOP */
	ASSERT_EQ(1, xr_enter(self->r.fd, 1, 1, XURING_ENTER_GETEVENTS, NULL,
			      0));
	ASSERT_TRUE(xr_reap_cqe(&self->r, &cqe));
	ASSERT_EQ(ud, cqe.user_data);
	ASSERT_EQ(0, cqe.res);
	/* and registers */
	ASSERT_EQ(0, xr_register(self->r.fd, XURING_REGISTER_FILES, &fd, 1));
}

TEST_HARNESS_MAIN
