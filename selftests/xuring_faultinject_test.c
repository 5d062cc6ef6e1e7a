// SPDX-License-Identifier: GPL-2.0
/*
 * Allocation failures in every path a user can drive: setup, register
 * (files and buffers), submission and teardown must turn each failed
 * allocation into a clean errno (or absorb it), leave the ring usable and
 * leak nothing.
 *
 * Systematic mode, as syzkaller does it: for N = 1, 2, ... make exactly
 * the Nth fault-injection point of one ioctl fail (/proc/thread-self/
 * fail-nth), check what came back, then run the same ioctl without
 * faults, until an N is larger than the number of points the call has.
 * Random mode: a child runs a mixed workload while failslab fails its
 * allocations at 1%, 10% and 50%.
 *
 * Needs CONFIG_FAULT_INJECTION with failslab and fail_page_alloc in
 * debugfs (the debug kernel of make check-debug); skips elsewhere. The
 * timeouts are for that kernel: KASAN under TCG is slow.
 */
#include <sys/uio.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "xuring_test.h"
#include "xuring_io.h"

#define FAILSLAB	"/sys/kernel/debug/failslab/"
#define FAILPAGE	"/sys/kernel/debug/fail_page_alloc/"
#define STATS		"/sys/class/misc/xuring/"
/* more points than any one of these calls has */
#define MAX_NTH		2000

static int write_file(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	close(fd);
	return n < 0 ? -errno : 0;
}

static long read_long(const char *path)
{
	char buf[64] = "";
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return n > 0 ? strtol(buf, NULL, 10) : -1;
}

static bool fault_injection_available(void)
{
	return !access("/proc/thread-self/fail-nth", W_OK) &&
	       !access(FAILSLAB "ignore-gfp-wait", W_OK) &&
	       !access(FAILPAGE "ignore-gfp-wait", W_OK);
}

/*
 * By default both facilities leave sleeping (GFP_KERNEL) allocations
 * alone, which is most of ours; and their reports would fill dmesg.
 */
static void fault_injection_configure(bool on)
{
	write_file(FAILSLAB "ignore-gfp-wait", on ? "N" : "Y");
	write_file(FAILPAGE "ignore-gfp-wait", on ? "N" : "Y");
	write_file(FAILPAGE "ignore-gfp-highmem", on ? "N" : "Y");
	write_file(FAILPAGE "min-order", "0");
	write_file(FAILSLAB "verbose", "0");
	write_file(FAILPAGE "verbose", "0");
	if (!on) {
		/* what random_failslab turns on, off even if it failed */
		write_file(FAILSLAB "probability", "0");
		write_file(FAILSLAB "task-filter", "N");
	}
}

/* Fail the Nth injection point of this thread from now on (0: none). */
static void fail_nth_arm(int n)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "%d", n);
	write_file("/proc/thread-self/fail-nth", buf);
}

/* Disarm; true if the Nth point was reached (and failed). */
static bool fail_nth_disarm(void)
{
	long left = read_long("/proc/thread-self/fail-nth");

	fail_nth_arm(0);
	return left == 0;
}

struct stats {
	long rings, requests, pinned_pages;
};

static void stats_read(struct stats *s)
{
	s->rings = read_long(STATS "rings");
	s->requests = read_long(STATS "requests");
	s->pinned_pages = read_long(STATS "pinned_pages");
}

/* Teardown finishes in close(); allow a little slack for deferred fput. */
static bool stats_back_to(const struct stats *base)
{
	struct stats now;
	int i;

	for (i = 0; i < 200; i++) {
		stats_read(&now);
		if (now.rings == base->rings && now.requests == base->requests &&
		    now.pinned_pages == base->pinned_pages)
			return true;
		usleep(10000);
	}
	return false;
}

/* errnos an allocation failure may legitimately surface as */
static bool clean_errno(int err)
{
	return err == ENOMEM || err == EAGAIN;
}

static int raw_setup(int fd, unsigned int entries, unsigned int flags)
{
	struct xuring_params p = { .flags = flags, .sq_thread_idle = 10 };
	struct xuring_setup_arg arg = {
		.entries = entries,
		.params = (uintptr_t)&p,
	};

	return ioctl(fd, XURING_IOC_SETUP, &arg) ? -errno : 0;
}

FIXTURE(fi) {
	struct stats base;
	bool available;
};

FIXTURE_SETUP(fi)
{
	self->available = fault_injection_available();
	if (!self->available)
		return;
	fault_injection_configure(true);
	stats_read(&self->base);
}

FIXTURE_TEARDOWN(fi)
{
	if (!self->available)
		return;
	fail_nth_arm(0);
	fault_injection_configure(false);
}

/* 6.1's harness runs the test body even when the setup skipped. */
#define FI_REQUIRE() do {						\
	if (!self->available)						\
		SKIP(return, "no fault injection (CONFIG_FAULT_INJECTION debugfs)"); \
} while (0)

static void setup_under_faults(struct __test_metadata *_metadata,
			       const struct stats *base, unsigned int flags)
{
	int n, injected = 0;

	for (n = 1; n < MAX_NTH; n++) {
		int fd = open(XURING_DEVICE_PATH, O_RDWR);
		bool hit;
		int ret;

		ASSERT_LE(0, fd);
		fail_nth_arm(n);
		ret = raw_setup(fd, 64, flags);
		hit = fail_nth_disarm();
		if (ret) {
			ASSERT_TRUE(hit) TH_LOG("setup failed without a fault: %d", ret);
			ASSERT_TRUE(clean_errno(-ret)) TH_LOG("n=%d: errno %d", n, -ret);
			/* a failed setup leaves the file usable for a retry */
			ASSERT_EQ(0, raw_setup(fd, 64, flags));
		}
		injected += hit;
		close(fd);
		ASSERT_TRUE(stats_back_to(base)) TH_LOG("n=%d leaked", n);
		if (!hit)
			break;
	}
	ASSERT_LT(n, MAX_NTH);
	/* the call has allocation points, and we failed each of them */
	ASSERT_LT(0, injected);
}

TEST_F_TIMEOUT(fi, setup_plain, 300)
{
	FI_REQUIRE();
	setup_under_faults(_metadata, &self->base, 0);
}

TEST_F_TIMEOUT(fi, setup_sqpoll, 300)
{
	FI_REQUIRE();
	setup_under_faults(_metadata, &self->base, XURING_SETUP_SQPOLL);
}

/* Register calls: each failure an errno, each success a working table. */
TEST_F_TIMEOUT(fi, register_files_and_buffers, 600)
{
	int pipefd[2], n, injected = 0;
	static char bufs[4][16384] __attribute__((aligned(4096)));
	struct iovec iov[4];
	int i;

	FI_REQUIRE();
	ASSERT_EQ(0, pipe(pipefd));
	for (i = 0; i < 4; i++) {
		memset(bufs[i], i, sizeof(bufs[i]));
		iov[i].iov_base = bufs[i];
		iov[i].iov_len = sizeof(bufs[i]);
	}
	for (n = 1; n < MAX_NTH; n++) {
		int fds[8] = { pipefd[0], -1, pipefd[1], 0, 1, 2, -1, pipefd[0] };
		bool hit_files, hit_bufs;
		struct xr_ring r;
		int ret;

		ASSERT_EQ(0, xr_ring_init(&r, 8, 0));

		fail_nth_arm(n);
		ret = xr_register(r.fd, XURING_REGISTER_FILES, fds, 8);
		hit_files = fail_nth_disarm();
		if (ret) {
			ASSERT_TRUE(hit_files);
			ASSERT_TRUE(clean_errno(-ret)) TH_LOG("files: %d", -ret);
		}

		fail_nth_arm(n);
		ret = xr_register(r.fd, XURING_REGISTER_BUFFERS, iov, 4);
		hit_bufs = fail_nth_disarm();
		if (ret) {
			ASSERT_TRUE(hit_bufs);
			ASSERT_TRUE(clean_errno(-ret)) TH_LOG("buffers: %d", -ret);
			ASSERT_EQ(0, xr_register(r.fd, XURING_REGISTER_BUFFERS,
						 iov, 4));
		}
		ASSERT_TRUE(xr_nop_works(&r));
		injected += hit_files + hit_bufs;
		xr_ring_exit(&r);
		ASSERT_TRUE(stats_back_to(&self->base)) TH_LOG("n=%d leaked", n);
		if (!hit_files && !hit_bufs)
			break;
	}
	ASSERT_LT(n, MAX_NTH);
	ASSERT_LT(0, injected);
	close(pipefd[0]);
	close(pipefd[1]);
}

/*
 * One ENTER submitting a mix: NOP, a READ of page-cached data, a READV
 * with several segments (an allocated iovec), a pipe READ that goes to
 * io-wq. Every CQE is a result or a clean errno; the ring works after.
 * (No writes: their page-cache allocations would multiply the fault
 * points without reaching more of xuring.)
 */
TEST_F_TIMEOUT(fi, submit_mixed, 600)
{
	const char *dir = getenv("XURING_TMPDIR") ?: "/tmp";
	char path[256], wbuf[8192], rbuf[8192], pbuf[64];
	int n, injected = 0, file, pipefd[2];
	struct iovec iov[3];

	FI_REQUIRE();
	snprintf(path, sizeof(path), "%s/xr-fi-%d", dir, getpid());
	file = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	ASSERT_LE(0, file);
	unlink(path);
	memset(wbuf, 0xab, sizeof(wbuf));
	ASSERT_EQ((ssize_t)sizeof(wbuf), pwrite(file, wbuf, sizeof(wbuf), 0));
	ASSERT_EQ(0, pipe(pipefd));
	iov[0] = (struct iovec){ rbuf, 100 };
	iov[1] = (struct iovec){ rbuf + 100, 1000 };
	iov[2] = (struct iovec){ rbuf + 1100, 3000 };

	for (n = 1; n < MAX_NTH; n++) {
		struct xuring_sqe *sqe;
		struct xuring_cqe cqe;
		struct xr_ring r;
		int ret, got = 0, avail;
		bool hit;

		ASSERT_EQ(0, xr_ring_init(&r, 16, 0));
		XR_GET_SQE(sqe, &r);
		xr_prep_nop(sqe, xr_ud());
		XR_GET_SQE(sqe, &r);
		xr_prep_rw(sqe, XURING_OP_READ, file, rbuf, 4096, 0, xr_ud());
		XR_GET_SQE(sqe, &r);
		xr_prep_rw(sqe, XURING_OP_READV, file, iov, 3, 0, xr_ud());
		XR_GET_SQE(sqe, &r);
		xr_prep_rw(sqe, XURING_OP_READ, pipefd[0], pbuf, sizeof(pbuf),
			   (__u64)-1, xr_ud());

		fail_nth_arm(n);
		ret = xr_submit(&r);
		hit = fail_nth_disarm();
		if (ret < 0) {
			ASSERT_TRUE(hit);
			ASSERT_TRUE(clean_errno(-ret)) TH_LOG("enter: %d", -ret);
			ret = 0;
		}
		/*
		 * A failed allocation stops the submission early, as a bad
		 * SQE does: what it left in the SQ goes in now, fault-free.
		 */
		if (ret < 4)
			ASSERT_TRUE(hit) TH_LOG("short submit %d without a fault", ret);
		while (ret < 4) {
			int more = xr_submit(&r);

			ASSERT_LT(0, more) TH_LOG("resubmit: %d", more);
			ret += more;
		}
		ASSERT_EQ(4, ret);
		/* feed the pipe read, wherever it is */
		ASSERT_EQ(1, write(pipefd[1], "x", 1));
		while (got < ret) {
			ASSERT_EQ(0, xr_wait_cqe_ms(&r, &cqe, XR_IO_TIMEOUT_MS));
			if (cqe.res < 0)
				ASSERT_TRUE(hit && clean_errno(-cqe.res))
					TH_LOG("ud %llu res %d",
					       (unsigned long long)cqe.user_data,
					       cqe.res);
			got++;
		}
		/* a pipe read that never ran leaves its byte in the pipe */
		ASSERT_EQ(0, ioctl(pipefd[0], FIONREAD, &avail));
		if (avail)
			ASSERT_EQ(avail, read(pipefd[0], pbuf, avail));
		ASSERT_TRUE(xr_nop_works(&r));
		injected += hit;
		xr_ring_exit(&r);
		ASSERT_TRUE(stats_back_to(&self->base)) TH_LOG("n=%d leaked", n);
		if (!hit)
			break;
	}
	ASSERT_LT(n, MAX_NTH);
	ASSERT_LT(0, injected);
	close(file);
	close(pipefd[0]);
	close(pipefd[1]);
}

/* Teardown with a request blocked in io-wq, faults armed for close(). */
TEST_F_TIMEOUT(fi, teardown_with_inflight, 300)
{
	int n, pipefd[2];
	char pbuf[16];

	FI_REQUIRE();
	ASSERT_EQ(0, pipe(pipefd));
	for (n = 1; n < 200; n++) {
		struct xuring_sqe *sqe;
		struct xr_ring r;

		ASSERT_EQ(0, xr_ring_init(&r, 8, 0));
		XR_GET_SQE(sqe, &r);
		xr_prep_rw(sqe, XURING_OP_READ, pipefd[0], pbuf, sizeof(pbuf),
			   (__u64)-1, xr_ud());
		ASSERT_EQ(1, xr_submit(&r));
		/* let it reach the worker and block there */
		usleep(2000);
		/*
		 * Faults for close() only: a failed munmap() (its maple tree
		 * preallocation) would leave the ring mapped, and alive.
		 */
		xr_ring_unmap(&r);
		fail_nth_arm(n);
		close(r.fd);
		fail_nth_disarm();
		ASSERT_TRUE(stats_back_to(&self->base)) TH_LOG("n=%d leaked", n);
	}
	close(pipefd[0]);
	close(pipefd[1]);
}

/* The child: a few hundred rounds of everything, with failslab on. */
static int random_workload(unsigned int seed, const int pipefd[2])
{
	static char bufs[2][8192] __attribute__((aligned(4096)));
	struct iovec iov[2] = { { bufs[0], 8192 }, { bufs[1], 8192 } };
	int round;

	srand(seed);
	for (round = 0; round < 200; round++) {
		int fds[2] = { pipefd[0], pipefd[1] };
		struct xuring_cqe cqe;
		unsigned int flags = (rand() % 4 == 0) ? XURING_SETUP_SQPOLL : 0;
		struct xr_ring r;
		int i, ret;

		ret = xr_ring_init(&r, 8, flags);
		if (ret) {
			if (!clean_errno(-ret))
				return 2;
			continue;
		}
		ret = xr_register(r.fd, XURING_REGISTER_FILES, fds, 2);
		if (ret && !clean_errno(-ret))
			return 3;
		ret = xr_register(r.fd, XURING_REGISTER_BUFFERS, iov, 2);
		if (ret && !clean_errno(-ret))
			return 4;
		for (i = 0; i < 6; i++) {
			struct xuring_sqe *sqe = xr_get_sqe(&r);

			if (!sqe)
				break;
			if (i % 3 == 2)
				xr_prep_rw(sqe, XURING_OP_READ, pipefd[0],
					   bufs[0], 16, (__u64)-1, xr_ud());
			else
				xr_prep_nop(sqe, xr_ud());
		}
		ret = xr_submit(&r);
		if (ret < 0 && !clean_errno(-ret))
			return 5;
		/* reap what is there; blocked pipe reads go with the ring */
		while (!xr_wait_cqe_ms(&r, &cqe, 1)) {
			if (cqe.res < 0 && !clean_errno(-cqe.res) &&
			    cqe.res != -ECANCELED)
				return 6;
		}
		xr_ring_exit(&r);
	}
	return 0;
}

TEST_F_TIMEOUT(fi, random_failslab, 600)
{
	static const char * const probabilities[] = { "1", "10", "50" };
	unsigned int i;

	FI_REQUIRE();
	write_file(FAILSLAB "task-filter", "Y");
	write_file(FAILSLAB "interval", "1");
	write_file(FAILSLAB "times", "-1");
	for (i = 0; i < ARRAY_SIZE(probabilities); i++) {
		int status;
		pid_t pid;

		write_file(FAILSLAB "probability", probabilities[i]);
		pid = fork();
		ASSERT_LE(0, pid);
		if (!pid) {
			int pipefd[2];

			/* set up before the faults: the pipe is not under test */
			if (pipe(pipefd))
				_exit(1);
			/* only this task's allocations fail */
			if (write_file("/proc/self/make-it-fail", "1"))
				_exit(10);
			_exit(random_workload(i + 1, pipefd));
		}
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		ASSERT_TRUE(WIFEXITED(status))
			TH_LOG("p=%s%%: child died, status %#x",
			       probabilities[i], status);
		ASSERT_EQ(0, WEXITSTATUS(status))
			TH_LOG("p=%s%%: an unclean errno (stage %d)",
			       probabilities[i], WEXITSTATUS(status));
		ASSERT_TRUE(stats_back_to(&self->base));
	}
	write_file(FAILSLAB "probability", "0");
	write_file(FAILSLAB "task-filter", "N");
}

TEST_HARNESS_MAIN
