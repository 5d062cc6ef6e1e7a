// SPDX-License-Identifier: GPL-2.0
/*
 * Registered resources: the fixed file table (REGISTER_FILES/FILES2,
 * UNREGISTER_FILES, FILES_UPDATE/UPDATE2, updates while a request on a
 * slot is in flight) and fixed buffers (REGISTER_BUFFERS/BUFFERS2,
 * READ_FIXED/WRITE_FIXED bounds, RLIMIT_MEMLOCK accounting, pinned page
 * counting, huge pages, file-backed memory), and REGISTER_PROBE.
 */
#include "xuring_io.h"
#include "kselftest_harness.h"

XR_SKIP_ALL_WITHOUT_DEVICE()

#define FILE_SIZE	(64 << 10)
#define FILE_SEED	7

FIXTURE(rsrc) {
	struct xr_ring r;
	int fd;			/* scratch file holding FILE_SEED's pattern */
	unsigned char *buf;	/* 1 MiB of scratch memory */
	const char *dir;
};

FIXTURE_SETUP(rsrc)
{
	self->fd = -1;
	ASSERT_EQ(0, xr_ring_init(&self->r, 32, 0));
	self->buf = xr_alloc(1 << 20);
	ASSERT_NE(NULL, self->buf);
	self->dir = xr_scratch_dir();
	if (self->dir) {
		self->fd = xr_scratch_file(self->dir, O_RDWR);
		ASSERT_LE(0, self->fd);
		xr_fill_pattern(self->buf, FILE_SIZE, 0, FILE_SEED);
		ASSERT_TRUE(xr_pwrite_all(self->fd, self->buf, FILE_SIZE, 0));
	}
}

FIXTURE_TEARDOWN(rsrc)
{
	if (self->fd >= 0)
		close(self->fd);
	xr_ring_exit(&self->r);
	xr_free(self->buf, 1 << 20);
}

#define NEED_FILE() do {						\
	if (self->fd < 0)						\
		SKIP(return, "neither XURING_EXT4_DIR nor XURING_TMPDIR"); \
} while (0)

/* Run one read/write; fixed_file makes fd an index into the file table. */
static int run_rw(struct xr_ring *r, __u8 op, int fd, bool fixed_file,
		  void *addr, __u32 len, __u64 off, __u16 buf_index)
{
	struct xuring_sqe *sqe = xr_get_sqe(r);

	if (!sqe)
		return INT_MIN;
	xr_prep_fixed(sqe, op, fd, addr, len, off, buf_index, xr_ud());
	if (fixed_file)
		sqe->flags = XURING_SQE_FIXED_FILE;
	return xr_run_one(r, NULL);
}

/* Read FILE_SIZE bytes through fixed file slot idx and check them. */
#define ASSERT_SLOT_READS(idx, seed) do {				\
	memset(self->buf, 0, FILE_SIZE);				\
	ASSERT_EQ(FILE_SIZE, run_rw(&self->r, XURING_OP_READ, (idx),	\
				    true, self->buf, FILE_SIZE, 0, 0)); \
	XR_ASSERT_PATTERN(self->buf, FILE_SIZE, 0, (seed));		\
} while (0)

#define ASSERT_SLOT_EBADF(idx) do {					\
	ASSERT_EQ(-EBADF, run_rw(&self->r, XURING_OP_READ, (idx), true,	\
				 self->buf, 16, 0, 0));			\
} while (0)

static int files_update(struct xr_ring *r, unsigned int offset, int *fds,
			unsigned int nr)
{
	struct xuring_files_update up = {
		.offset = offset,
		.fds = (uintptr_t)fds,
	};

	return xr_register(r->fd, XURING_REGISTER_FILES_UPDATE, &up, nr);
}

/* REGISTER_PROBE flags exactly the ops the engine implements. */
TEST_F(rsrc, probe)
{
	static const unsigned int ops[] = {
		XURING_OP_NOP, XURING_OP_READV, XURING_OP_WRITEV,
		XURING_OP_FSYNC, XURING_OP_READ_FIXED, XURING_OP_WRITE_FIXED,
		XURING_OP_SYNC_FILE_RANGE, XURING_OP_FALLOCATE, XURING_OP_READ,
		XURING_OP_WRITE, XURING_OP_FADVISE,
	};
	size_t size = sizeof(struct xuring_probe) +
		      256 * sizeof(struct xuring_probe_op);
	struct xuring_probe *p = calloc(1, size);
	unsigned int i, j;

	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, xr_register(self->r.fd, XURING_REGISTER_PROBE, p, 256));
	ASSERT_EQ(XURING_OP_LAST - 1, p->last_op);
	ASSERT_EQ(XURING_OP_LAST, p->ops_len);
	for (i = 0; i < p->ops_len; i++) {
		bool want = false;

		for (j = 0; j < sizeof(ops) / sizeof(ops[0]); j++)
			want |= ops[j] == i;
		ASSERT_EQ(i, p->ops[i].op);
		ASSERT_EQ(want, !!(p->ops[i].flags & XURING_OP_SUPPORTED))
			TH_LOG("opcode %u", i);
	}
	free(p);
}

/* A table with a file, a hole and a pipe; the table holds its files. */
TEST_F(rsrc, files_register)
{
	int p[2], fds[3];

	NEED_FILE();
	ASSERT_EQ(0, pipe(p));
	fds[0] = self->fd;
	fds[1] = -1;
	fds[2] = p[1];
	ASSERT_EQ(0, xr_register(self->r.fd, XURING_REGISTER_FILES, fds, 3));
	ASSERT_SLOT_READS(0, FILE_SEED);
	ASSERT_SLOT_EBADF(1);
	ASSERT_SLOT_EBADF(3);
	ASSERT_SLOT_EBADF(-1);
	ASSERT_SLOT_EBADF(1 << 20);

	/* write to the pipe through slot 2 */
	xr_fill_pattern(self->buf, 100, 0, 8);
	ASSERT_EQ(100, run_rw(&self->r, XURING_OP_WRITE, 2, true, self->buf,
			      100, -1, 0));
	memset(self->buf, 0, 100);
	ASSERT_EQ(100, read(p[0], self->buf, 100));
	XR_ASSERT_PATTERN(self->buf, 100, 0, 8);

	/* the fd number is not needed any more: the table holds the file */
	close(self->fd);
	self->fd = -1;
	ASSERT_SLOT_READS(0, FILE_SEED);

	ASSERT_EQ(-EBUSY, xr_register(self->r.fd, XURING_REGISTER_FILES,
				      fds, 3));
	ASSERT_EQ(0, xr_register(self->r.fd, XURING_UNREGISTER_FILES, NULL,
				 0));
	ASSERT_SLOT_EBADF(0);
	ASSERT_SLOT_EBADF(2);
	ASSERT_EQ(-ENXIO, xr_register(self->r.fd, XURING_UNREGISTER_FILES,
				      NULL, 0));
	ASSERT_TRUE(xr_nop_works(&self->r));
	close(p[0]);
	close(p[1]);
}

TEST_F(rsrc, files_register_errors)
{
	struct xuring_rsrc_register rr = { .nr = 4 };
	int fds[2], closed;

	/* no table yet */
	ASSERT_SLOT_EBADF(0);
	ASSERT_EQ(-ENXIO, xr_register(self->r.fd, XURING_UNREGISTER_FILES,
				      NULL, 0));
	fds[0] = 0;
	ASSERT_EQ(-ENXIO, files_update(&self->r, 0, fds, 1));

	/* a ring in the table (it could keep itself alive) */
	fds[0] = 0;
	fds[1] = self->r.fd;
	ASSERT_EQ(-EBADF, xr_register(self->r.fd, XURING_REGISTER_FILES,
				      fds, 2));
	/* an fd that is not open */
	closed = dup(0);
	ASSERT_LE(0, closed);
	close(closed);
	fds[1] = closed;
	ASSERT_EQ(-EBADF, xr_register(self->r.fd, XURING_REGISTER_FILES,
				      fds, 2));
	ASSERT_EQ(-EINVAL, xr_register(self->r.fd, XURING_REGISTER_FILES,
				       fds, 0));
	ASSERT_EQ(-EFAULT, xr_register(self->r.fd, XURING_REGISTER_FILES,
				       NULL, 2));
	ASSERT_EQ(-EFAULT, xr_register(self->r.fd, XURING_REGISTER_FILES,
				       xr_unmapped_addr(), 2));

	/* FILES2: the size must match, tags are not supported */
	rr.flags = XURING_RSRC_REGISTER_SPARSE;
	ASSERT_EQ(-EINVAL, xr_register(self->r.fd, XURING_REGISTER_FILES2,
				       &rr, sizeof(rr) - 8));
	ASSERT_EQ(-EFAULT, xr_register(self->r.fd, XURING_REGISTER_FILES2,
				       xr_unmapped_addr(), sizeof(rr)));
	rr.tags = (uintptr_t)fds;
	ASSERT_EQ(-EINVAL, xr_register(self->r.fd, XURING_REGISTER_FILES2,
				       &rr, sizeof(rr)));
	rr.tags = 0;
	rr.flags = 2;
	ASSERT_EQ(-EINVAL, xr_register(self->r.fd, XURING_REGISTER_FILES2,
				       &rr, sizeof(rr)));

	/* none of that left a table behind */
	ASSERT_EQ(-ENXIO, xr_register(self->r.fd, XURING_UNREGISTER_FILES,
				      NULL, 0));
	ASSERT_TRUE(xr_nop_works(&self->r));
}

/* A sparse table filled and changed with FILES_UPDATE and UPDATE2. */
TEST_F(rsrc, files_sparse_update)
{
	struct xuring_rsrc_register rr = {
		.nr = 8,
		.flags = XURING_RSRC_REGISTER_SPARSE,
	};
	struct xuring_rsrc_update2 up2 = { 0 };
	int fds[3], other, i;

	NEED_FILE();
	other = xr_scratch_file(self->dir, O_RDWR);
	ASSERT_LE(0, other);
	xr_fill_pattern(self->buf, FILE_SIZE, 0, 9);
	ASSERT_TRUE(xr_pwrite_all(other, self->buf, FILE_SIZE, 0));

	ASSERT_EQ(0, xr_register(self->r.fd, XURING_REGISTER_FILES2, &rr,
				 sizeof(rr)));
	for (i = 0; i < 8; i++)
		ASSERT_SLOT_EBADF(i);

	fds[0] = self->fd;
	ASSERT_EQ(1, files_update(&self->r, 3, fds, 1));
	ASSERT_SLOT_READS(3, FILE_SEED);
	ASSERT_SLOT_EBADF(2);
	ASSERT_SLOT_EBADF(4);

	/* skip slot 2, clear slot 3, fill slot 4 */
	fds[0] = XURING_REGISTER_FILES_SKIP;
	fds[1] = -1;
	fds[2] = other;
	ASSERT_EQ(3, files_update(&self->r, 2, fds, 3));
	ASSERT_SLOT_EBADF(2);
	ASSERT_SLOT_EBADF(3);
	ASSERT_SLOT_READS(4, 9);

	/* past the end of the table */
	ASSERT_EQ(-EINVAL, files_update(&self->r, 7, fds, 2));
	ASSERT_EQ(-EINVAL, files_update(&self->r, 8, fds, 1));
	ASSERT_EQ(-EINVAL, files_update(&self->r, UINT32_MAX, fds, 2));
	/* a ring cannot go in */
	fds[0] = self->r.fd;
	ASSERT_EQ(-EBADF, files_update(&self->r, 0, fds, 1));
	ASSERT_SLOT_EBADF(0);
	/* resv must be 0 */
	{
		struct xuring_files_update up = {
			.offset = 0, .resv = 1, .fds = (uintptr_t)fds,
		};

		fds[0] = self->fd;
		ASSERT_EQ(-EINVAL, xr_register(self->r.fd,
					       XURING_REGISTER_FILES_UPDATE,
					       &up, 1));
	}

	/* UPDATE2 puts the first file into slot 0 and 7 */
	fds[0] = self->fd;
	fds[1] = self->fd;
	up2.offset = 6;
	up2.data = (uintptr_t)fds;
	up2.nr = 2;
	ASSERT_EQ(2, xr_register(self->r.fd, XURING_REGISTER_FILES_UPDATE2,
				 &up2, sizeof(up2)));
	ASSERT_SLOT_READS(6, FILE_SEED);
	ASSERT_SLOT_READS(7, FILE_SEED);
	ASSERT_SLOT_READS(4, 9);
	up2.tags = (uintptr_t)fds;
	ASSERT_EQ(-EINVAL, xr_register(self->r.fd,
				       XURING_REGISTER_FILES_UPDATE2,
				       &up2, sizeof(up2)));
	close(other);
}

/* Every kind of op through a fixed file. */
TEST_F(rsrc, fixed_file_ops)
{
	struct iovec iov[2];
	struct xuring_sqe *sqe;
	int fds[1];

	NEED_FILE();
	fds[0] = self->fd;
	ASSERT_EQ(0, xr_register(self->r.fd, XURING_REGISTER_FILES, fds, 1));
	xr_fill_pattern(self->buf, 8192, 0, 10);
	ASSERT_EQ(8192, run_rw(&self->r, XURING_OP_WRITE, 0, true, self->buf,
			       8192, 0, 0));
	XR_GET_SQE(sqe, &self->r);
	xr_prep_fsync(sqe, 0, XURING_FSYNC_DATASYNC, xr_ud());
	sqe->flags = XURING_SQE_FIXED_FILE;
	ASSERT_EQ(0, xr_run_one(&self->r, NULL));
	memset(self->buf, 0, 8192);
	iov[0] = (struct iovec){ self->buf, 5000 };
	iov[1] = (struct iovec){ self->buf + 5000, 3192 };
	ASSERT_EQ(8192, run_rw(&self->r, XURING_OP_READV, 0, true, iov, 2, 0,
			       0));
	XR_ASSERT_PATTERN(self->buf, 8192, 0, 10);
	/* and the data is really in the file */
	ASSERT_TRUE(xr_pread_all(self->fd, self->buf, 8192, 0));
	XR_ASSERT_PATTERN(self->buf, 8192, 0, 10);
	/* NOP takes no file: FIXED_FILE makes no sense there */
	XR_GET_SQE(sqe, &self->r);
	xr_prep_nop(sqe, xr_ud());
	sqe->flags = XURING_SQE_FIXED_FILE;
	ASSERT_EQ(-EINVAL, xr_run_one(&self->r, NULL));
}

/*
 * A read on a fixed pipe slot blocked in io-wq survives an update of the
 * slot, and the unregistering of the table: it completes with the right
 * data once the pipe has some.
 */
TEST_F(rsrc, files_update_in_flight)
{
	struct xuring_cqe cqe;
	unsigned int round;

	for (round = 0; round < 2; round++) {
		struct xuring_sqe *sqe;
		__u64 ud = xr_ud();
		int p[2], fds[2];

		ASSERT_EQ(0, pipe(p));
		fds[0] = p[0];
		fds[1] = -1;
		ASSERT_EQ(0, xr_register(self->r.fd, XURING_REGISTER_FILES,
					 fds, 2));
		/* only the table has the read end now */
		close(p[0]);

		XR_GET_SQE(sqe, &self->r);
		xr_prep_rw(sqe, XURING_OP_READ, 0, self->buf, 200, -1, ud);
		sqe->flags = XURING_SQE_FIXED_FILE;
		ASSERT_EQ(1, xr_submit(&self->r));
		ASSERT_TRUE(xr_no_cqe_for_ms(&self->r, 200));

		if (round == 0) {
			fds[0] = -1;
			ASSERT_EQ(1, files_update(&self->r, 0, fds, 1));
			ASSERT_SLOT_EBADF(0);
		} else {
			ASSERT_EQ(0, xr_register(self->r.fd,
						 XURING_UNREGISTER_FILES,
						 NULL, 0));
		}
		ASSERT_TRUE(xr_no_cqe_for_ms(&self->r, 100));

		xr_fill_pattern(self->buf + 4096, 200, 0, 11 + round);
		ASSERT_EQ(200, write(p[1], self->buf + 4096, 200));
		ASSERT_EQ(0, xr_wait_cqe_ms(&self->r, &cqe, XR_IO_TIMEOUT_MS));
		ASSERT_EQ(ud, cqe.user_data);
		ASSERT_EQ(200, cqe.res);
		XR_ASSERT_PATTERN(self->buf, 200, 0, 11 + round);
		close(p[1]);
		if (round == 0)
			ASSERT_EQ(0, xr_register(self->r.fd,
						 XURING_UNREGISTER_FILES,
						 NULL, 0));
	}
}

/* ------------------------------------------------------------- buffers */

static int register_buffers(struct xr_ring *r, struct iovec *iov,
			    unsigned int nr)
{
	return xr_register(r->fd, XURING_REGISTER_BUFFERS, iov, nr);
}

static int unregister_buffers(struct xr_ring *r)
{
	return xr_register(r->fd, XURING_UNREGISTER_BUFFERS, NULL, 0);
}

/*
 * Three slots: 64 KiB page-aligned, empty, and five pages' worth starting
 * 100 bytes into a page. Data goes through them at offsets inside; pages
 * are pinned, counted and charged to the locked memory of the process
 * while registered.
 */
TEST_F(rsrc, buffers)
{
	size_t page = sysconf(_SC_PAGESIZE);
	unsigned char *a = self->buf, *c = self->buf + (128 << 10) + 100;
	long pinned0, vmpin0;
	struct iovec iov[3] = {
		{ a, 64 << 10 }, { NULL, 0 }, { c, 5 * page },
	};

	NEED_FILE();
	pinned0 = xr_counter("pinned_pages");
	vmpin0 = xr_status_kb("VmPin");
	ASSERT_LE(0, pinned0);
	ASSERT_LE(0, vmpin0);
	ASSERT_EQ(0, register_buffers(&self->r, iov, 3));
	/* 16 pages, and c spans 6 */
	ASSERT_EQ(pinned0 + 22, xr_counter("pinned_pages"));
	ASSERT_EQ(vmpin0 + 22 * (long)page / 1024, xr_status_kb("VmPin"));

	/* WRITE_FIXED from a, at an odd place inside it */
	xr_fill_pattern(a + 1000, 30000, 5000, 12);
	ASSERT_EQ(30000, run_rw(&self->r, XURING_OP_WRITE_FIXED, self->fd,
				false, a + 1000, 30000, 5000, 0));
	XR_DROP_CACHE(self->fd, 5000, 30000);
	ASSERT_TRUE(xr_pread_all(self->fd, self->buf + (512 << 10), 30000,
				 5000));
	XR_ASSERT_PATTERN(self->buf + (512 << 10), 30000, 5000, 12);

	/* READ_FIXED into c: its first partial page, then across pages */
	memset(c, 0, 5 * page);
	ASSERT_EQ(50, run_rw(&self->r, XURING_OP_READ_FIXED, self->fd, false,
			     c + 10, 50, 5000, 2));
	XR_ASSERT_PATTERN(c + 10, 50, 5000, 12);
	ASSERT_EQ(9000, run_rw(&self->r, XURING_OP_READ_FIXED, self->fd,
			       false, c + 2 * page + 50, 9000, 6000, 2));
	XR_ASSERT_PATTERN(c + 2 * page + 50, 9000, 6000, 12);
	/* from exactly where c's second page starts */
	memset(c, 0, 5 * page);
	ASSERT_EQ(5000, run_rw(&self->r, XURING_OP_READ_FIXED, self->fd,
			       false, c + page - 100, 5000, 7000, 2));
	XR_ASSERT_PATTERN(c + page - 100, 5000, 7000, 12);
	ASSERT_EQ(-1, xr_mismatch_byte(c, page - 100, 0));
	/* all of c, up to its very last byte, and not one byte more */
	memset(c - 64, 0xaa, 64);
	memset(c + 5 * page, 0xaa, 64);
	ASSERT_EQ((int)(5 * page), run_rw(&self->r, XURING_OP_READ_FIXED,
					  self->fd, false, c, 5 * page, 5000,
					  2));
	XR_ASSERT_PATTERN(c, 5 * page, 5000, 12);
	ASSERT_EQ(-1, xr_mismatch_byte(c - 64, 64, 0xaa));
	ASSERT_EQ(-1, xr_mismatch_byte(c + 5 * page, 64, 0xaa));

	/* outside the buffer, an empty slot, no slot */
	ASSERT_EQ(-EFAULT, run_rw(&self->r, XURING_OP_READ_FIXED, self->fd,
				  false, c - 1, 100, 0, 2));
	ASSERT_EQ(-EFAULT, run_rw(&self->r, XURING_OP_READ_FIXED, self->fd,
				  false, c + 5 * page - 10, 11, 0, 2));
	ASSERT_EQ(-EFAULT, run_rw(&self->r, XURING_OP_WRITE_FIXED, self->fd,
				  false, a, (64 << 10) + 1, 0, 0));
	ASSERT_EQ(-EFAULT, run_rw(&self->r, XURING_OP_READ_FIXED, self->fd,
				  false, a, 100, 0, 1));
	ASSERT_EQ(-EFAULT, run_rw(&self->r, XURING_OP_READ_FIXED, self->fd,
				  false, a, 100, 0, 3));
	ASSERT_EQ(-EFAULT, run_rw(&self->r, XURING_OP_READ_FIXED, self->fd,
				  false, a, 100, 0, 0xffff));
	/* c's address with a's index */
	ASSERT_EQ(-EFAULT, run_rw(&self->r, XURING_OP_READ_FIXED, self->fd,
				  false, c, 100, 0, 0));

	ASSERT_EQ(-EBUSY, register_buffers(&self->r, iov, 3));
	ASSERT_EQ(0, unregister_buffers(&self->r));
	ASSERT_EQ(pinned0, xr_counter("pinned_pages"));
	ASSERT_EQ(vmpin0, xr_status_kb("VmPin"));
	ASSERT_EQ(-ENXIO, unregister_buffers(&self->r));
	ASSERT_EQ(-EFAULT, run_rw(&self->r, XURING_OP_READ_FIXED, self->fd,
				  false, a, 100, 0, 0));
	ASSERT_TRUE(xr_nop_works(&self->r));
}

TEST_F(rsrc, buffers_errors)
{
	long pinned0 = xr_counter("pinned_pages");
	long vmpin0 = xr_status_kb("VmPin");
	struct iovec iov[2] = { { self->buf, 4096 }, { self->buf, 4096 } };
	struct iovec *many;
	void *map;
	int fd;

	ASSERT_EQ(-EINVAL, register_buffers(&self->r, iov, 0));
	ASSERT_EQ(-EFAULT, register_buffers(&self->r, NULL, 1));
	many = calloc(16385, sizeof(*many));
	ASSERT_NE(NULL, many);
	ASSERT_EQ(-EINVAL, register_buffers(&self->r, many, 16385));
	/* 16384 empty slots are fine */
	ASSERT_EQ(0, register_buffers(&self->r, many, 16384));
	ASSERT_EQ(0, unregister_buffers(&self->r));
	free(many);

	/* more than 1 GiB */
	iov[1].iov_len = (1UL << 30) + 4096;
	ASSERT_EQ(-EFAULT, register_buffers(&self->r, iov, 2));
	/* a length without a base, a base without a length */
	iov[1] = (struct iovec){ NULL, 4096 };
	ASSERT_EQ(-EFAULT, register_buffers(&self->r, iov, 2));
	iov[1] = (struct iovec){ self->buf, 0 };
	ASSERT_EQ(-EFAULT, register_buffers(&self->r, iov, 2));
	/* nothing mapped there */
	iov[1] = (struct iovec){ xr_unmapped_addr(), 4096 };
	ASSERT_EQ(-EFAULT, register_buffers(&self->r, iov, 2));

	/*
	 * File-backed memory cannot be pinned for long: io_uring refuses it
	 * with -EOPNOTSUPP on 6.1 and, since GUP does the check (6.5), with
	 * GUP's -EFAULT; xuring does as the kernel's io_uring.
	 */
	if (self->dir) {
		fd = xr_scratch_file(self->dir, O_RDWR);
		ASSERT_LE(0, fd);
		ASSERT_EQ(0, ftruncate(fd, 65536));
		map = mmap(NULL, 65536, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
			   0);
		ASSERT_NE(MAP_FAILED, map);
		memset(map, 1, 65536);
		iov[1] = (struct iovec){ map, 65536 };
		ASSERT_EQ(xr_kernel_since(6, 5) ? -EFAULT : -EOPNOTSUPP,
			  register_buffers(&self->r, iov, 2));
		munmap(map, 65536);
		close(fd);
	}

	/* every failure unpinned and uncharged what it had taken */
	ASSERT_EQ(pinned0, xr_counter("pinned_pages"));
	ASSERT_EQ(vmpin0, xr_status_kb("VmPin"));
	ASSERT_EQ(-ENXIO, unregister_buffers(&self->r));
	ASSERT_TRUE(xr_nop_works(&self->r));
}

/* BUFFERS2, with data and sparse. */
TEST_F(rsrc, buffers2)
{
	struct iovec iov[2] = {
		{ self->buf, 8192 }, { self->buf + 65536, 8192 },
	};
	struct xuring_rsrc_register rr = {
		.nr = 2, .data = (uintptr_t)iov,
	};

	NEED_FILE();
	ASSERT_EQ(0, xr_register(self->r.fd, XURING_REGISTER_BUFFERS2, &rr,
				 sizeof(rr)));
	memset(self->buf + 65536, 0, 8192);
	ASSERT_EQ(8192, run_rw(&self->r, XURING_OP_READ_FIXED, self->fd,
			       false, self->buf + 65536, 8192, 100, 1));
	XR_ASSERT_PATTERN(self->buf + 65536, 8192, 100, FILE_SEED);
	ASSERT_EQ(0, unregister_buffers(&self->r));

	rr.data = 0;
	rr.flags = XURING_RSRC_REGISTER_SPARSE;
	rr.nr = 4;
	ASSERT_EQ(0, xr_register(self->r.fd, XURING_REGISTER_BUFFERS2, &rr,
				 sizeof(rr)));
	ASSERT_EQ(-EFAULT, run_rw(&self->r, XURING_OP_READ_FIXED, self->fd,
				  false, self->buf, 100, 0, 0));
	ASSERT_EQ(0, unregister_buffers(&self->r));
	rr.tags = (uintptr_t)iov;
	ASSERT_EQ(-EINVAL, xr_register(self->r.fd, XURING_REGISTER_BUFFERS2,
				       &rr, sizeof(rr)));
}

/*
 * WRITE_FIXED and READ_FIXED against plain pwrite() and pread(), the
 * range dropped from the page cache in between: what a fixed buffer
 * writes reaches the disk at the offset asked for, and what it reads
 * comes from there. Buffered, at odd offsets and lengths, and O_DIRECT;
 * from places inside two registered buffers.
 */
TEST_F(rsrc, fixed_cross_check)
{
	static const struct {
		size_t buf_off, len;
		__u64 off;
	} cases[2][3] = {
		{ { 100, 5000, 7777 }, { 4095, 100000, 12345 },
		  { 0, 4096, 0 } },
		{ { 0, 4096, 0 }, { 8192, 65536, 4096 },
		  { 4096, 131072, 1 << 20 } },
	};
	const char *ext4 = xr_env_path("XURING_EXT4_DIR");
	unsigned char *a = self->buf, *b = self->buf + (256 << 10);
	unsigned char *plain = self->buf + (768 << 10);
	struct iovec iov[2] = { { a, 256 << 10 }, { b, 256 << 10 } };
	unsigned int direct, i;

	NEED_FILE();
	ASSERT_EQ(0, register_buffers(&self->r, iov, 2));
	for (direct = 0; direct < 2; direct++) {
		int fd = self->fd;

		if (direct && !ext4) {
			TH_LOG("XURING_EXT4_DIR is not set: no O_DIRECT cases");
			break;
		}
		if (direct) {
			fd = xr_scratch_file(ext4, O_RDWR | O_DIRECT);
			ASSERT_LE(0, fd);
		}
		for (i = 0; i < 3; i++) {
			size_t bo = cases[direct][i].buf_off;
			size_t len = cases[direct][i].len;
			__u64 off = cases[direct][i].off;
			unsigned int seed = 30 + direct * 10 + i * 2;

			xr_fill_pattern(a + bo, len, off, seed);
			ASSERT_EQ((int)len, run_rw(&self->r,
						   XURING_OP_WRITE_FIXED, fd,
						   false, a + bo, len, off, 0));
			XR_DROP_CACHE(fd, off, len);
			memset(plain, 0, len);
			ASSERT_TRUE(xr_pread_all(fd, plain, len, off));
			XR_ASSERT_PATTERN(plain, len, off, seed);

			xr_fill_pattern(plain, len, off, seed + 1);
			ASSERT_TRUE(xr_pwrite_all(fd, plain, len, off));
			XR_DROP_CACHE(fd, off, len);
			memset(b + bo, 0, len);
			ASSERT_EQ((int)len, run_rw(&self->r,
						   XURING_OP_READ_FIXED, fd,
						   false, b + bo, len, off, 1));
			XR_ASSERT_PATTERN(b + bo, len, off, seed + 1);
		}
		if (direct)
			close(fd);
	}
	ASSERT_EQ(0, unregister_buffers(&self->r));
}

/*
 * A fixed buffer stays the registering process's memory across fork: the
 * child's writes to its copy do not reach it, the parent's do.
 */
TEST_F(rsrc, buffers_after_fork)
{
	struct iovec iov = { self->buf, 65536 };
	pid_t pid;
	int status;

	NEED_FILE();
	ASSERT_EQ(0, register_buffers(&self->r, &iov, 1));
	xr_fill_pattern(self->buf, 65536, 0, 13);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		memset(self->buf, 0xff, 65536);
		_exit(0);
	}
	status = xr_wait_child_ms(pid, XR_IO_TIMEOUT_MS);
	ASSERT_TRUE(status >= 0 && WIFEXITED(status));
	ASSERT_EQ(65536, run_rw(&self->r, XURING_OP_WRITE_FIXED, self->fd,
				false, self->buf, 65536, 0, 0));
	ASSERT_TRUE(xr_pread_all(self->fd, self->buf + (512 << 10), 65536, 0));
	XR_ASSERT_PATTERN(self->buf + (512 << 10), 65536, 0, 13);

	/* written after the fork, by the parent */
	xr_fill_pattern(self->buf, 65536, 0, 14);
	ASSERT_EQ(65536, run_rw(&self->r, XURING_OP_WRITE_FIXED, self->fd,
				false, self->buf, 65536, 0, 0));
	ASSERT_TRUE(xr_pread_all(self->fd, self->buf + (512 << 10), 65536, 0));
	XR_ASSERT_PATTERN(self->buf + (512 << 10), 65536, 0, 14);

	/* and a READ_FIXED lands where the parent sees it */
	memset(self->buf, 0, 65536);
	ASSERT_EQ(65536, run_rw(&self->r, XURING_OP_READ_FIXED, self->fd,
				false, self->buf, 65536, 0, 0));
	XR_ASSERT_PATTERN(self->buf, 65536, 0, 14);
	ASSERT_EQ(0, unregister_buffers(&self->r));
}

/*
 * UNREGISTER_BUFFERS while a READ_FIXED is blocked on a pipe (io_uring
 * waits for it): the read completes into the still pinned buffer, and
 * then the pages are released.
 */
TEST_F(rsrc, buffers_unregister_in_flight)
{
	long pinned0 = xr_counter("pinned_pages");
	struct iovec iov = { self->buf, 65536 };
	struct xuring_sqe *sqe;
	struct xuring_cqe cqe;
	__u64 ud = xr_ud();
	int p[2], status;
	pid_t pid;

	ASSERT_EQ(0, pipe(p));
	ASSERT_EQ(0, register_buffers(&self->r, &iov, 1));
	memset(self->buf, 0, 65536);
	XR_GET_SQE(sqe, &self->r);
	xr_prep_fixed(sqe, XURING_OP_READ_FIXED, p[0], self->buf + 100, 64,
		      -1, 0, ud);
	ASSERT_EQ(1, xr_submit(&self->r));
	ASSERT_TRUE(xr_no_cqe_for_ms(&self->r, 100));

	/* the pipe gets its data from a child, 300 ms from now */
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		unsigned char data[64];

		xr_sleep_ms(300);
		xr_fill_pattern(data, 64, 0, 15);
		_exit(write(p[1], data, 64) == 64 ? 0 : 1);
	}
	ASSERT_EQ(0, unregister_buffers(&self->r));
	ASSERT_EQ(0, xr_wait_cqe_ms(&self->r, &cqe, XR_IO_TIMEOUT_MS));
	ASSERT_EQ(ud, cqe.user_data);
	ASSERT_EQ(64, cqe.res);
	XR_ASSERT_PATTERN(self->buf + 100, 64, 0, 15);
	ASSERT_EQ(pinned0, xr_counter("pinned_pages"));
	status = xr_wait_child_ms(pid, XR_IO_TIMEOUT_MS);
	ASSERT_TRUE(status >= 0 && WIFEXITED(status));
	close(p[0]);
	close(p[1]);
}

static void on_alarm(int sig)
{
	(void)sig;
}

/* Child of buffers_unregister_interruptible: 0, or what went wrong. */
static int unregister_child(int rfd)
{
	struct xr_ring r;
	struct xuring_sqe *sqe;
	unsigned char *buf = xr_alloc(65536);
	struct iovec iov = { buf, 65536 };
	__u64 start;
	int ret;

	if (!buf || xr_ring_init(&r, 4, 0) || register_buffers(&r, &iov, 1))
		return 10;
	sqe = xr_get_sqe(&r);
	if (!sqe)
		return 11;
	xr_prep_fixed(sqe, XURING_OP_READ_FIXED, rfd, buf, 64, -1, 0, xr_ud());
	if (xr_submit(&r) != 1 || xr_catch_signal(SIGALRM, on_alarm))
		return 12;
	start = xr_now_ns();
	alarm(1);
	ret = unregister_buffers(&r);
	/* not waiting for the read at all would be fine too */
	if (ret == 0 && xr_ms_since(start) < 900)
		return 0;
	if (ret == 0)
		return 2;	/* waited out the read: not interrupted */
	if (ret != -EINTR)
		return 3;
	/* interrupted: the buffers are still registered */
	if (register_buffers(&r, &iov, 1) != -EBUSY)
		return 4;
	return 0;
}

/*
 * A signal interrupts UNREGISTER_BUFFERS waiting for a request that may
 * never complete (-EINTR, as io_uring's quiesce does, the buffers staying
 * registered); it must not leave the task in an unkillable wait.
 */
TEST(buffers_unregister_interruptible)
{
	int p[2], status;
	pid_t pid;

	ASSERT_EQ(0, pipe(p));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		close(p[1]);
		_exit(unregister_child(p[0]));
	}
	status = xr_wait_child_ms(pid, 5000);
	if (status == -ETIME) {
		/* stuck: give the read its data so the child can go */
		ASSERT_EQ(4, write(p[1], "free", 4));
		status = xr_wait_child_ms(pid, 10000);
		TH_LOG("UNREGISTER_BUFFERS was not interrupted by a signal");
	}
	ASSERT_TRUE(status >= 0 && WIFEXITED(status)) TH_LOG("status %d",
							     status);
	ASSERT_EQ(0, WEXITSTATUS(status)) TH_LOG("child failed at step %d",
						 WEXITSTATUS(status));
	close(p[0]);
	close(p[1]);
}

/* Child steps for the RLIMIT_MEMLOCK test: 0 or the failing step. */
static int memlock_child(void)
{
	struct rlimit rl = { 64 << 10, 64 << 10 };
	struct xr_ring r;
	struct iovec iov;
	unsigned char *mem;
	char line[256];
	bool capeff_zero = false;
	FILE *f;

	if (setrlimit(RLIMIT_MEMLOCK, &rl))
		return 1;
	if (xr_become_nobody())
		return 2;
	f = fopen("/proc/self/status", "re");
	if (!f)
		return 3;
	while (fgets(line, sizeof(line), f))
		if (!strcmp(line, "CapEff:\t0000000000000000\n"))
			capeff_zero = true;
	fclose(f);
	if (!capeff_zero)
		return 4;
	mem = xr_alloc(1 << 20);
	if (!mem)
		return 5;
	memset(mem, 1, 1 << 20);
	if (xr_ring_init(&r, 4, 0))
		return 6;
	iov = (struct iovec){ mem, 1 << 20 };
	if (register_buffers(&r, &iov, 1) != -ENOMEM)
		return 7;
	/* within the limit it works */
	iov.iov_len = 32 << 10;
	if (register_buffers(&r, &iov, 1))
		return 8;
	if (xr_status_kb("VmPin") != 32)
		return 9;
	if (unregister_buffers(&r))
		return 10;
	if (xr_status_kb("VmPin") != 0)
		return 11;
	/* two buffers that together exceed it */
	{
		struct iovec two[2] = {
			{ mem, 48 << 10 }, { mem + (512 << 10), 48 << 10 },
		};

		if (register_buffers(&r, two, 2) != -ENOMEM)
			return 12;
		if (xr_status_kb("VmPin") != 0)
			return 13;
	}
	xr_ring_exit(&r);
	return 0;
}

/*
 * Without CAP_IPC_LOCK, pinned pages count against RLIMIT_MEMLOCK: as
 * user 65534 with a 64 KiB limit, 1 MiB cannot be registered.
 */
TEST(buffers_memlock_limit)
{
	int status;
	pid_t pid;

	if (getuid() != 0)
		SKIP(return, "needs root to switch users");
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(memlock_child());
	status = xr_wait_child_ms(pid, XR_IO_TIMEOUT_MS);
	ASSERT_TRUE(status >= 0 && WIFEXITED(status)) TH_LOG("status %d",
							     status);
	ASSERT_EQ(0, WEXITSTATUS(status)) TH_LOG("child failed at step %d",
						 WEXITSTATUS(status));
}

/* Anonymous memory with a huge page behind it, 2 MiB aligned. */
static unsigned char *thp_alloc(void **map, size_t *maplen)
{
	const size_t huge = 2 << 20;
	unsigned char *p, *aligned;

	*maplen = 2 * huge;
	p = mmap(NULL, *maplen, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	*map = p;
	aligned = (unsigned char *)(((uintptr_t)p + huge - 1) & ~(huge - 1));
	madvise(aligned, huge, MADV_HUGEPAGE);
	memset(aligned, 0, huge);
	return aligned;
}

/*
 * Fixed buffers in a huge page: I/O at offsets inside it, buffered and
 * O_DIRECT, and a registration starting in the middle of it.
 */
static void huge_buffer_io(struct __test_metadata *_metadata,
			   FIXTURE_DATA(rsrc) *self, unsigned char *huge)
{
	const size_t mib = 1 << 20;
	long pinned0 = xr_counter("pinned_pages");
	struct iovec iov[2] = {
		{ huge, 2 * mib },
		/* inside the same huge page, not page aligned */
		{ huge + 5 * 4096 + 100, mib },
	};
	const char *ext4 = xr_env_path("XURING_EXT4_DIR");
	int dfd;

	ASSERT_EQ(0, register_buffers(&self->r, iov, 2));
	ASSERT_LT(pinned0, xr_counter("pinned_pages"));

	/* buffered: unaligned, across 4 KiB boundaries */
	xr_fill_pattern(huge + mib + 3 * 4096 + 7, 300000, 12345, 20);
	ASSERT_EQ(300000, run_rw(&self->r, XURING_OP_WRITE_FIXED, self->fd,
				 false, huge + mib + 3 * 4096 + 7, 300000,
				 12345, 0));
	memset(huge + 100, 0, 300000);
	ASSERT_EQ(300000, run_rw(&self->r, XURING_OP_READ_FIXED, self->fd,
				 false, huge + 100, 300000, 12345, 0));
	XR_ASSERT_PATTERN(huge + 100, 300000, 12345, 20);
	/* through the second registration, which starts mid-page */
	memset(huge + 5 * 4096 + 100, 0, mib);
	ASSERT_EQ(200000, run_rw(&self->r, XURING_OP_READ_FIXED, self->fd,
				 false, huge + 5 * 4096 + 100 + 70000,
				 200000, 12345, 1));
	XR_ASSERT_PATTERN(huge + 5 * 4096 + 100 + 70000, 200000, 12345, 20);
	XR_DROP_CACHE(self->fd, 12345, 300000);
	ASSERT_TRUE(xr_pread_all(self->fd, self->buf, 300000, 12345));
	XR_ASSERT_PATTERN(self->buf, 300000, 12345, 20);

	/* O_DIRECT on ext4 at page-aligned offsets inside the huge page */
	if (ext4) {
		dfd = xr_scratch_file(ext4, O_RDWR | O_DIRECT);
		ASSERT_LE(0, dfd);
		xr_fill_pattern(huge + 100 * 4096, 256 << 10, 1 << 20, 21);
		ASSERT_EQ(256 << 10, run_rw(&self->r, XURING_OP_WRITE_FIXED,
					    dfd, false, huge + 100 * 4096,
					    256 << 10, 1 << 20, 0));
		/* O_DIRECT: pread() on dfd reads the disk itself */
		ASSERT_TRUE(xr_pread_all(dfd, huge + 400 * 4096, 256 << 10,
					 1 << 20));
		XR_ASSERT_PATTERN(huge + 400 * 4096, 256 << 10, 1 << 20, 21);
		memset(huge + 300 * 4096, 0, 256 << 10);
		ASSERT_EQ(256 << 10, run_rw(&self->r, XURING_OP_READ_FIXED,
					    dfd, false, huge + 300 * 4096,
					    256 << 10, 1 << 20, 0));
		XR_ASSERT_PATTERN(huge + 300 * 4096, 256 << 10, 1 << 20, 21);
		close(dfd);
	}

	ASSERT_EQ(0, unregister_buffers(&self->r));
	ASSERT_EQ(pinned0, xr_counter("pinned_pages"));
}

TEST_F(rsrc, buffers_thp)
{
	size_t maplen;
	void *map;
	unsigned char *huge;

	NEED_FILE();
	huge = thp_alloc(&map, &maplen);
	ASSERT_NE(NULL, huge);
	huge_buffer_io(_metadata, self, huge);
	munmap(map, maplen);
}

static long read_long(const char *path)
{
	char buf[32];
	long v = -1;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		ssize_t n = read(fd, buf, sizeof(buf) - 1);

		if (n > 0) {
			buf[n] = '\0';
			v = strtol(buf, NULL, 10);
		}
		close(fd);
	}
	return v;
}

static bool write_long(const char *path, long v)
{
	char buf[32];
	int fd = open(path, O_WRONLY | O_CLOEXEC), n;
	bool ok;

	if (fd < 0)
		return false;
	n = snprintf(buf, sizeof(buf), "%ld\n", v);
	ok = write(fd, buf, n) == n;
	close(fd);
	return ok;
}

/* hugetlbfs memory (MAP_HUGETLB), reserving a huge page if need be. */
TEST_F(rsrc, buffers_hugetlb)
{
	const char *nr_path = "/proc/sys/vm/nr_hugepages";
	const size_t huge = 2 << 20;
	long old_nr = read_long(nr_path);
	bool raised = false;
	void *p;

	NEED_FILE();
	p = mmap(NULL, huge, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
	if (p == MAP_FAILED && old_nr >= 0 && write_long(nr_path, old_nr + 1)) {
		raised = true;
		p = mmap(NULL, huge, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
	}
	if (p == MAP_FAILED) {
		if (raised)
			write_long(nr_path, old_nr);
		SKIP(return, "no 2 MiB hugetlb page available");
	}
	memset(p, 0, huge);
	huge_buffer_io(_metadata, self, p);
	munmap(p, huge);
	if (raised)
		write_long(nr_path, old_nr);
}

TEST_HARNESS_MAIN
