// SPDX-License-Identifier: GPL-2.0
/*
 * The drop-in liburing.so.2 runs a liburing program on xuring. This test
 * is such a program: it is linked against the system's liburing (-luring,
 * liburing-dev), not libxuring, and at start re-executes itself under
 * xuring-no-io_uring with LD_LIBRARY_PATH at the drop-in, so the kernel's
 * io_uring system calls fail with ENOSYS for the rest of its life. Then,
 * through nothing but liburing calls: a ring is set up, a file is written
 * and read back byte for byte, SQPOLL submits, and the probe is the
 * module's - while xuring's counters (/sys/class/misc/xuring/rings_setup and
 * sqes_submitted) show that the rings and SQEs were xuring's.
 *
 * Where the pieces are: $XURING_NO_IO_URING and $XURING_DROPIN_DIR, else
 * next to this program as laid out in the test VM (../bin/, ../lib/dropin)
 * or in the build tree (../lib/, ../lib/dropin).
 */
#include <dlfcn.h>
#include <liburing.h>

#include "xuring_io.h"
#include "kselftest_harness.h"

#define WRAPPED_ENV		"XURING_DROPIN_TEST_WRAPPED"
#define FILE_BYTES		(256 << 10)
#define BLOCK_BYTES		(16 << 10)
#define NR_BLOCKS		(FILE_BYTES / BLOCK_BYTES)
#define PATTERN_SEED		0xd40b

/* xuring's cumulative counters: they only grow while the module is in */
struct counters {
	long rings_setup;
	long sqes_submitted;
};

static void counters_read(struct counters *c)
{
	c->rings_setup = xr_counter("rings_setup");
	c->sqes_submitted = xr_counter("sqes_submitted");
}

/* The first of the candidate paths (relative ones: to our directory). */
static bool find_path(char *out, const char *env, const char *self_dir,
		      const char *const *candidates)
{
	const char *v = getenv(env);

	if (v && *v)
		return realpath(v, out) != NULL;
	for (; *candidates; candidates++) {
		char path[PATH_MAX];

		snprintf(path, sizeof(path), "%s/%s", self_dir, *candidates);
		if (realpath(path, out))
			return true;
	}
	return false;
}

static char dropin_dir[PATH_MAX];

/*
 * Run again under the wrapper with LD_LIBRARY_PATH at the drop-in: the
 * loader picks liburing.so.2 when the program starts, so this takes a new
 * exec. Returns only in that second run. A constructor, before the
 * harness's main(); glibc passes constructors main's arguments.
 */
static void __attribute__((constructor))
reexec_on_dropin(int argc, char **argv)
{
	static const char *const wrappers[] = {
		"../bin/xuring-no-io_uring", "../lib/xuring-no-io_uring", NULL,
	};
	static const char *const dropins[] = { "../lib/dropin", NULL };
	char self[PATH_MAX], self_dir[PATH_MAX], wrapper[PATH_MAX];
	char **args;
	ssize_t n;
	int i;

	xr_require_device();
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n < 0)
		ksft_exit_fail_msg("readlink /proc/self/exe: %s\n",
				   strerror(errno));
	self[n] = '\0';
	snprintf(self_dir, sizeof(self_dir), "%s", self);
	*strrchr(self_dir, '/') = '\0';

	if (!find_path(dropin_dir, "XURING_DROPIN_DIR", self_dir, dropins)) {
		ksft_print_header();
		ksft_exit_skip("no drop-in liburing.so.2 next to %s; build it (make tools) or set XURING_DROPIN_DIR\n",
			       self);
	}
	if (getenv(WRAPPED_ENV))
		return;
	if (!find_path(wrapper, "XURING_NO_IO_URING", self_dir, wrappers)) {
		ksft_print_header();
		ksft_exit_skip("no xuring-no-io_uring next to %s; build it (make tools) or set XURING_NO_IO_URING\n",
			       self);
	}

	args = calloc(argc + 2, sizeof(*args));
	if (!args)
		ksft_exit_fail_msg("out of memory\n");
	args[0] = wrapper;
	args[1] = self;
	for (i = 1; i < argc; i++)
		args[i + 1] = argv[i];
	if (setenv("LD_LIBRARY_PATH", dropin_dir, 1) ||
	    setenv(WRAPPED_ENV, "1", 1))
		ksft_exit_fail_msg("setenv: %s\n", strerror(errno));
	execv(wrapper, args);
	ksft_exit_fail_msg("exec %s: %s\n", wrapper, strerror(errno));
}

/* The liburing.so.2 this process runs on is the drop-in. */
TEST(liburing_is_the_dropin)
{
	char want[PATH_MAX + 32], got[PATH_MAX];
	Dl_info info;

	ASSERT_NE(0, dladdr((void *)io_uring_queue_init, &info));
	ASSERT_NE(NULL, realpath(info.dli_fname, got));
	snprintf(want, sizeof(want), "%s/liburing.so.2", dropin_dir);
	EXPECT_STREQ(want, got);
}

/* The wrapper's seccomp filter is in force: io_uring is not reachable. */
TEST(kernel_io_uring_is_blocked)
{
	struct io_uring_params p = { 0 };

	errno = 0;
	EXPECT_EQ(-1, syscall(__NR_io_uring_setup, 2, &p));
	EXPECT_EQ(ENOSYS, errno);
	errno = 0;
	EXPECT_EQ(-1, syscall(__NR_io_uring_enter, 0, 0, 0, 0, NULL, 0));
	EXPECT_EQ(ENOSYS, errno);
	errno = 0;
	EXPECT_EQ(-1, syscall(__NR_io_uring_register, 0, 0, NULL, 0));
	EXPECT_EQ(ENOSYS, errno);
}

FIXTURE(ring) {
	struct io_uring ring;
	struct counters before;
	bool ring_up;
};

FIXTURE_SETUP(ring)
{
	int ret;

	counters_read(&self->before);
	ASSERT_LE(0, self->before.rings_setup)
		TH_LOG("no " XR_SYSFS_DIR "/rings_setup: an older module?");
	ret = io_uring_queue_init(8, &self->ring, 0);
	ASSERT_EQ(0, ret) TH_LOG("io_uring_queue_init: %s", strerror(-ret));
	self->ring_up = true;
}

FIXTURE_TEARDOWN(ring)
{
	if (self->ring_up)
		io_uring_queue_exit(&self->ring);
}

/* The ring is a /dev/xuring file, and xuring counted it. */
TEST_F(ring, is_an_xuring_ring)
{
	char fdpath[64], target[PATH_MAX];
	struct counters now;
	ssize_t n;

	snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d",
		 self->ring.ring_fd);
	n = readlink(fdpath, target, sizeof(target) - 1);
	ASSERT_LT(0, n);
	target[n] = '\0';
	EXPECT_STREQ(XURING_DEVICE_PATH, target);

	counters_read(&now);
	EXPECT_LE(self->before.rings_setup + 1, now.rings_setup);
}

/* Submit what is queued and reap @nr CQEs, each transferring @res bytes. */
static int submit_and_reap(struct io_uring *ring, unsigned int nr, int res)
{
	struct io_uring_cqe *cqe;
	unsigned int i;
	int ret;

	ret = io_uring_submit(ring);
	if (ret != (int)nr)
		return ret < 0 ? ret : -EIO;
	for (i = 0; i < nr; i++) {
		ret = io_uring_wait_cqe(ring, &cqe);
		if (ret)
			return ret;
		ret = cqe->res;
		io_uring_cqe_seen(ring, cqe);
		if (ret != res)
			return ret < 0 ? ret : -EIO;
	}
	return 0;
}

/*
 * WRITE, FSYNC, then READ and READV back, through liburing's helpers:
 * every byte compared, and a read(2) of the file agrees.
 */
TEST_F(ring, write_and_read_back)
{
	unsigned char *wbuf, *rbuf;
	struct iovec iov[2];
	struct counters now;
	unsigned int i, submitted = 0;
	int fd;

	XR_OPEN_SCRATCH(fd, O_RDWR);
	wbuf = malloc(FILE_BYTES);
	rbuf = malloc(FILE_BYTES);
	ASSERT_NE(NULL, wbuf);
	ASSERT_NE(NULL, rbuf);
	xr_fill_pattern(wbuf, FILE_BYTES, 0, PATTERN_SEED);

	/* the ring has 8 entries: two batches of 8 blocks */
	for (i = 0; i < NR_BLOCKS; i++) {
		struct io_uring_sqe *sqe = io_uring_get_sqe(&self->ring);

		ASSERT_NE(NULL, sqe);
		io_uring_prep_write(sqe, fd, wbuf + i * BLOCK_BYTES,
				    BLOCK_BYTES, i * BLOCK_BYTES);
		if ((i + 1) % 8 == 0) {
			ASSERT_EQ(0, submit_and_reap(&self->ring, 8,
						     BLOCK_BYTES));
			submitted += 8;
		}
	}
	io_uring_prep_fsync(io_uring_get_sqe(&self->ring), fd, 0);
	ASSERT_EQ(0, submit_and_reap(&self->ring, 1, 0));
	submitted++;

	memset(rbuf, 0, FILE_BYTES);
	for (i = 0; i < NR_BLOCKS / 2; i++)
		io_uring_prep_read(io_uring_get_sqe(&self->ring), fd,
				   rbuf + i * BLOCK_BYTES, BLOCK_BYTES,
				   i * BLOCK_BYTES);
	ASSERT_EQ(0, submit_and_reap(&self->ring, NR_BLOCKS / 2, BLOCK_BYTES));
	submitted += NR_BLOCKS / 2;
	/* the second half in one READV of two segments */
	iov[0].iov_base = rbuf + FILE_BYTES / 2;
	iov[0].iov_len = FILE_BYTES / 4;
	iov[1].iov_base = rbuf + FILE_BYTES / 2 + FILE_BYTES / 4;
	iov[1].iov_len = FILE_BYTES / 4;
	io_uring_prep_readv(io_uring_get_sqe(&self->ring), fd, iov, 2,
			    FILE_BYTES / 2);
	ASSERT_EQ(0, submit_and_reap(&self->ring, 1, FILE_BYTES / 2));
	submitted++;
	XR_ASSERT_PATTERN(rbuf, FILE_BYTES, 0, PATTERN_SEED);

	/* and the file holds it for read(2) too */
	memset(rbuf, 0, FILE_BYTES);
	ASSERT_TRUE(xr_pread_all(fd, rbuf, FILE_BYTES, 0));
	XR_ASSERT_PATTERN(rbuf, FILE_BYTES, 0, PATTERN_SEED);

	counters_read(&now);
	EXPECT_LE(self->before.sqes_submitted + submitted, now.sqes_submitted)
		TH_LOG("sqes_submitted went from %ld to %ld for %u SQEs",
		       self->before.sqes_submitted, now.sqes_submitted,
		       submitted);
	close(fd);
	free(wbuf);
	free(rbuf);
}

/*
 * liburing's probe is the module's, asked directly with the REGISTER
 * ioctl on the same ring: the same ops, each supported or not alike.
 */
TEST_F(ring, probe_is_xurings)
{
	size_t raw_size = sizeof(struct xuring_probe) +
			  256 * sizeof(struct xuring_probe_op);
	struct io_uring_probe *probe;
	struct xuring_probe *raw;
	int i;

	raw = calloc(1, raw_size);
	ASSERT_NE(NULL, raw);
	ASSERT_EQ(0, xr_register(self->ring.ring_fd, XURING_REGISTER_PROBE,
				 raw, 256));
	probe = io_uring_get_probe_ring(&self->ring);
	ASSERT_NE(NULL, probe);

	EXPECT_TRUE(io_uring_opcode_supported(probe, IORING_OP_READ));
	ASSERT_EQ(raw->last_op, probe->last_op);
	ASSERT_EQ(raw->ops_len, probe->ops_len);
	for (i = 0; i < raw->ops_len; i++) {
		EXPECT_EQ(raw->ops[i].op, probe->ops[i].op);
		EXPECT_EQ(raw->ops[i].flags, probe->ops[i].flags)
			TH_LOG("op %d", raw->ops[i].op);
	}
	io_uring_free_probe(probe);
	free(raw);
}

/* With SQPOLL, xuring's SQ thread submits, and counts what it submits. */
TEST(sqpoll_submits_on_xuring)
{
	struct io_uring_params p = { .flags = IORING_SETUP_SQPOLL };
	struct counters before, now;
	struct io_uring ring;
	unsigned int i;
	int ret;

	counters_read(&before);
	ret = io_uring_queue_init_params(8, &ring, &p);
	ASSERT_EQ(0, ret) TH_LOG("SQPOLL ring: %s", strerror(-ret));
	for (i = 0; i < 8; i++) {
		struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);

		ASSERT_NE(NULL, sqe);
		io_uring_prep_nop(sqe);
		sqe->user_data = i + 1;
	}
	ret = submit_and_reap(&ring, 8, 0);
	EXPECT_EQ(0, ret) TH_LOG("SQPOLL NOPs: %s", strerror(-ret));
	io_uring_queue_exit(&ring);

	counters_read(&now);
	EXPECT_LE(before.rings_setup + 1, now.rings_setup);
	EXPECT_LE(before.sqes_submitted + 8, now.sqes_submitted);
}

TEST_HARNESS_MAIN
