// SPDX-License-Identifier: GPL-2.0
/*
 * Per-user limits hold against xuring as they would against io_uring
 * (issue 11, findings 6, 8 and 13):
 *  - RLIMIT_NPROC counts the module's threads: an unprivileged user with a
 *    limit of 8 cannot make 12 SQ threads and a pool of workers; setup
 *    fails with -EAGAIN once the user's processes and threads reach it.
 *  - RLIMIT_MEMLOCK counts the pages every ring of the user pins: owners
 *    that each pin the limit and pass the ring on before they exit cannot
 *    pile up pinned memory beyond it.
 *  - Buffer registration checks the page-rounded end of a buffer for
 *    overflow (-EOVERFLOW, io_uring's errno) before counting its pages.
 */
#include <sys/socket.h>

#include "xuring_safety.h"
#include "kselftest_harness.h"

XR_SKIP_ALL_WITHOUT_DEVICE()

/* For the tests that need more than the harness's default 30 s. */
FIXTURE(slow) {
	int unused;
};

FIXTURE_SETUP(slow)
{
}

FIXTURE_TEARDOWN(slow)
{
}

#define UD_NPROC_READ	0x8000000000ULL

/* ------------------------------------------------------------ finding 6 */

#define NPROC_LIMIT	8
#define NPROC_RINGS	12
#define NPROC_READS	12

struct nproc_report {
	int nr_ok;
	/* the errors of the setups that failed, by ring */
	int errs[NPROC_RINGS];
	int sq_threads, wq_threads;
};

/*
 * As nobody with RLIMIT_NPROC = 8: set up 12 SQPOLL rings, then a plain
 * ring with 12 reads that block in io-wq; count this process's threads
 * of each kind; report and stay until killed.
 */
static void threads_under_nproc(void *arg, int wfd)
{
	struct rlimit rl = { NPROC_LIMIT, NPROC_LIMIT };
	struct nproc_report rep = { 0 };
	struct xr_ring rings[NPROC_RINGS], plain;
	char buf[NPROC_READS];
	int i, p[2];

	if (setrlimit(RLIMIT_NPROC, &rl))
		_exit(122);
	for (i = 0; i < NPROC_RINGS; i++) {
		rep.errs[i] = xr_sq_ring_init(&rings[i], 4, 1000, 0);
		if (!rep.errs[i])
			rep.nr_ok++;
	}
	if (!xr_ring_init(&plain, 16, 0) && !pipe(p)) {
		for (i = 0; i < NPROC_READS; i++) {
			struct xuring_sqe *sqe = xr_get_sqe(&plain);

			if (!sqe)
				break;
			xr_prep_rw(sqe, XURING_OP_READ, p[0], &buf[i], 1, 0,
				   UD_NPROC_READ + i);
		}
		xr_submit(&plain);
	}
	/* workers are created from a work item: give them time */
	xr_sleep_ms(1000);
	rep.sq_threads = xr_owner_threads("xuring-sq", getpid(), NULL, 0);
	rep.wq_threads = xr_owner_threads("xuring-wq", getpid(), NULL, 0);
	xr_report(wfd, &rep, sizeof(rep));
	for (;;)
		pause();
}

/*
 * uid 65534 with RLIMIT_NPROC = 8 asks for 12 SQPOLL rings and 12 blocked
 * reads: its own process plus the module's threads working for it stay
 * within 8, and the setups refused are refused with -EAGAIN. Today all 12
 * rings get a thread, and the reads 8 more.
 */
TEST_F_TIMEOUT(slow, nproc_counts_module_threads, 60)
{
	struct nproc_report rep;
	int rfd = -1, i;
	pid_t pid;
	bool ok;

	XR_REQUIRE_ROOT();
	pid = xr_spawn(NULL, true, threads_under_nproc, NULL, &rfd);
	ASSERT_LT(0, pid);
	ok = xr_read_full_ms(rfd, &rep, sizeof(rep), 30000);
	xr_kill_child(pid);
	close(rfd);
	ASSERT_TRUE(ok) TH_LOG("no report from the owner");

	TH_LOG("%d of %d SQPOLL rings set up; %d SQ threads and %d io-wq workers for the owner; RLIMIT_NPROC %d",
	       rep.nr_ok, NPROC_RINGS, rep.sq_threads, rep.wq_threads,
	       NPROC_LIMIT);
	for (i = 0; i < NPROC_RINGS; i++) {
		if (rep.errs[i])
			ASSERT_EQ(-EAGAIN, rep.errs[i])
				TH_LOG("ring %d: %s", i, strerror(-rep.errs[i]));
	}
	/* the owner itself is one of the user's processes */
	ASSERT_GE(NPROC_LIMIT, 1 + rep.sq_threads + rep.wq_threads);
}

/* ------------------------------------------------------------ finding 8 */

#define MEMLOCK_LIMIT	(256 * 1024)
#define NR_OWNERS	16

/* What an owner sends along with its ring. */
struct owner_msg {
	int register_ret;
};

static int send_fd(int sock, int fd, const void *data, size_t len)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { .iov_base = (void *)data, .iov_len = len };
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = cbuf,
		.msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);

	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
	return sendmsg(sock, &msg, 0) == (ssize_t)len ? 0 : -errno;
}

/*
 * Receive data and an fd without waiting (the sender has exited): the fd,
 * -1 if none came, or -errno.
 */
static int recv_fd(int sock, void *data, size_t len)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { .iov_base = data, .iov_len = len };
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = cbuf,
		.msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cmsg;
	int fd = -1;

	if (recvmsg(sock, &msg, MSG_CMSG_CLOEXEC | MSG_DONTWAIT) !=
	    (ssize_t)len)
		return -EPIPE;
	cmsg = CMSG_FIRSTHDR(&msg);
	if (cmsg && cmsg->cmsg_type == SCM_RIGHTS)
		memcpy(&fd, CMSG_DATA(cmsg), sizeof(int));
	return fd;
}

/*
 * An owner: as nobody with RLIMIT_MEMLOCK = 256 KiB, set up a ring,
 * register a buffer of the whole limit, send the ring to the collector
 * and exit.
 */
static void pin_and_pass_on(int sock)
{
	struct rlimit rl = { MEMLOCK_LIMIT, MEMLOCK_LIMIT };
	struct owner_msg m = { 0 };
	struct iovec iov;
	struct xr_ring r;

	if (xr_become_nobody_with_device() || setrlimit(RLIMIT_MEMLOCK, &rl))
		_exit(120);
	if (xr_ring_init(&r, 4, 0))
		_exit(121);
	iov.iov_len = MEMLOCK_LIMIT;
	iov.iov_base = xr_alloc(MEMLOCK_LIMIT);
	if (!iov.iov_base)
		_exit(122);
	memset(iov.iov_base, 0x5a, MEMLOCK_LIMIT);
	m.register_ret = xr_register(r.fd, XURING_REGISTER_BUFFERS, &iov, 1);
	if (send_fd(sock, r.fd, &m, sizeof(m)))
		_exit(123);
	_exit(0);
}

/*
 * 16 owners (uid 65534, RLIMIT_MEMLOCK = 256 KiB) each register a buffer
 * of the limit, pass the ring over SCM_RIGHTS to a collector (this test)
 * and exit. The rings live on, but the pages they pin, the module's
 * pinned_pages, never exceed the user's limit (64 pages); a registration
 * that would go beyond it fails with -ENOMEM. io_uring charges the user,
 * not the mm that goes away with the owner. Today each owner's charge
 * leaves with its mm, and 16 x 64 pages stay pinned.
 */
TEST_F_TIMEOUT(slow, memlock_limit_outlives_owner, 120)
{
	const long limit_pages = MEMLOCK_LIMIT / sysconf(_SC_PAGESIZE);
	int sv[2], ring_fds[NR_OWNERS], rets[NR_OWNERS], i, n = 0;
	long pinned = 0, max_pinned = 0;
	struct xr_counters base;

	XR_REQUIRE_ROOT();
	XR_READ_BASELINE(&base);
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv));

	for (i = 0; i < NR_OWNERS; i++) {
		struct owner_msg m;
		__u64 start;
		int status;
		pid_t pid;

		pid = fork();
		ASSERT_LE(0, pid);
		if (pid == 0)
			pin_and_pass_on(sv[1]);
		/* the owner sends, then exits: wait for it, then receive */
		status = xr_wait_child_ms(pid, XR_IO_TIMEOUT_MS);
		ASSERT_TRUE(status >= 0 && WIFEXITED(status) &&
			    !WEXITSTATUS(status))
			TH_LOG("owner %d: status %#x", i, status);
		ring_fds[i] = recv_fd(sv[0], &m, sizeof(m));
		ASSERT_LE(0, ring_fds[i]) TH_LOG("owner %d sent no ring", i);
		n++;
		rets[i] = m.register_ret;

		/* the owner is gone: what its ring pins now, at the most */
		start = xr_now_ns();
		do {
			pinned = xr_counter("pinned_pages") - base.pinned_pages;
			if (pinned <= limit_pages)
				break;
			xr_sleep_ms(20);
		} while (xr_ms_since(start) < 2000);
		if (pinned > max_pinned)
			max_pinned = pinned;
		if (pinned > limit_pages)
			break;
	}
	for (i = 0; i < n; i++)
		close(ring_fds[i]);
	close(sv[0]);
	close(sv[1]);

	TH_LOG("%d owners; pinned pages after each exit: at most %ld (limit %ld); registrations: %d%s",
	       n, max_pinned, limit_pages, rets[0], n > 1 ? " ..." : "");
	for (i = 0; i < n; i++) {
		if (rets[i])
			ASSERT_EQ(-ENOMEM, rets[i]) TH_LOG("owner %d", i);
	}
	ASSERT_GE(limit_pages, max_pinned)
		TH_LOG("%d owners left %ld pages pinned for a limit of %ld",
		       n, pinned, limit_pages);
	ASSERT_EQ(NR_OWNERS, n);
	XR_ASSERT_COUNTERS_SETTLE(&base);
}

/* ----------------------------------------------------------- finding 13 */

/*
 * A buffer whose last byte is the last byte of the address space: base +
 * len does not overflow, base + len rounded up to a page does. -EOVERFLOW
 * (io_uring's errno), and nothing pinned or charged; never a page count
 * that wrapped around. Today the wrapped count reaches the locked-memory
 * accounting and the allocator: -ENOMEM. As root (CAP_IPC_LOCK, no limit)
 * and as nobody.
 */
static int register_wrapping_buffer(void)
{
	long page = sysconf(_SC_PAGESIZE);
	struct iovec iov = {
		.iov_base = (void *)(~0UL - (page - 2)),
		.iov_len = page - 2,
	};
	struct xr_ring r;
	int ret;

	ret = xr_ring_init(&r, 4, 0);
	if (ret)
		return 1000 + ret;
	ret = xr_register(r.fd, XURING_REGISTER_BUFFERS, &iov, 1);
	xr_ring_exit(&r);
	return ret;
}

static void register_wrapping_buffer_child(void *arg, int wfd)
{
	int ret = register_wrapping_buffer();

	xr_report(wfd, &ret, sizeof(ret));
}

TEST(buffer_end_rounding_overflows)
{
	struct xr_counters base;
	int ret, rfd = -1;
	pid_t pid;

	XR_READ_BASELINE(&base);
	ret = register_wrapping_buffer();
	ASSERT_EQ(-EOVERFLOW, ret)
		TH_LOG("%s: %s", geteuid() ? "unprivileged" : "root",
		       strerror(-ret));
	if (geteuid())
		return;

	pid = xr_spawn(NULL, true, register_wrapping_buffer_child, NULL, &rfd);
	ASSERT_LT(0, pid);
	ASSERT_TRUE(xr_read_full_ms(rfd, &ret, sizeof(ret), XR_IO_TIMEOUT_MS));
	xr_wait_child_ms(pid, XR_IO_TIMEOUT_MS);
	close(rfd);
	ASSERT_EQ(-EOVERFLOW, ret) TH_LOG("nobody: %s", strerror(-ret));
	XR_ASSERT_COUNTERS_SETTLE(&base);
}

TEST_HARNESS_MAIN
