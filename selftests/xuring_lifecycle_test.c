// SPDX-License-Identifier: GPL-2.0
/*
 * Ring lifetime: closing with work in every state (unreaped CQEs, an
 * overflow backlog, unsubmitted SQEs, io-wq work in flight), exiting
 * without cleaning up, many rings at once, dup(), and fork(): the child
 * shares the mapping but, having another address space, may not submit.
 * Each test ends by waiting for the module's counters of rings, requests,
 * workers and pinned pages to return to what they were before it (the
 * fixture's teardown): a ring closed in any state must free everything
 * it had.
 */
#include <sys/wait.h>

#include "xuring_test.h"
#include "kselftest_harness.h"

XR_SKIP_ALL_WITHOUT_DEVICE()

#define XR_COUNTERS_DIR		"/sys/class/misc/xuring/"
/*
 * Teardown is not over when close() or exit() returns: the last
 * reference may go in a workqueue, and io-wq workers exit on their own.
 * Long enough for the KASAN kernel under TCG; a leak never settles.
 */
#define XR_SETTLE_SECONDS	20
/* the harness's 30 s are too few for 64 rings and the waits under KASAN */
#define XR_TEST_SECONDS		120

static const char *const xr_counter_names[] = {
	"rings", "requests", "workers", "pinned_pages",
};

#define XR_NR_COUNTERS	ARRAY_SIZE(xr_counter_names)

struct xr_counters {
	long value[XR_NR_COUNTERS];
};

static bool xr_counters_read(struct xr_counters *c)
{
	char path[128], buf[32];
	unsigned int i;
	ssize_t len;
	int fd;

	for (i = 0; i < XR_NR_COUNTERS; i++) {
		snprintf(path, sizeof(path), XR_COUNTERS_DIR "%s",
			 xr_counter_names[i]);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return false;
		len = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (len <= 0)
			return false;
		buf[len] = '\0';
		c->value[i] = strtol(buf, NULL, 10);
	}
	return true;
}

/*
 * Read the counters into @now until @done(@now, @arg) or XR_SETTLE_SECONDS
 * have passed: 1 if @done was reached, 0 if not, -1 if they cannot be read.
 */
static int xr_counters_wait(struct xr_counters *now,
			    bool (*done)(const struct xr_counters *now,
					 const struct xr_counters *arg),
			    const struct xr_counters *arg)
{
	struct timespec start, t;

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		if (!xr_counters_read(now))
			return -1;
		if (done(now, arg))
			return 1;
		clock_gettime(CLOCK_MONOTONIC, &t);
		if (t.tv_sec - start.tv_sec > XR_SETTLE_SECONDS)
			return 0;
		usleep(20 * 1000);
	}
}

static bool xr_all_zero(const struct xr_counters *now,
			const struct xr_counters *unused)
{
	unsigned int i;

	for (i = 0; i < XR_NR_COUNTERS; i++)
		if (now->value[i])
			return false;
	return true;
}

static bool xr_same(const struct xr_counters *now,
		    const struct xr_counters *before)
{
	return !memcmp(now, before, sizeof(*now));
}

FIXTURE(lifecycle) {
	struct xr_counters before;
};

/*
 * The baseline: the counters once they stop moving. They are zero unless
 * an earlier test (one killed at its time limit, say) is still being torn
 * down, or leaked, or someone else has rings (outside the test VM).
 */
FIXTURE_SETUP(lifecycle)
{
	struct xr_counters prev;
	unsigned int i, still = 0;

	ASSERT_TRUE(xr_counters_read(&self->before))
		TH_LOG("cannot read the counters in %s", XR_COUNTERS_DIR);
	/* unchanged for half a second */
	for (i = 0; i < XR_SETTLE_SECONDS * 10 && still < 5; i++) {
		if (xr_all_zero(&self->before, NULL))
			break;
		prev = self->before;
		usleep(100 * 1000);
		ASSERT_TRUE(xr_counters_read(&self->before));
		still = xr_same(&self->before, &prev) ? still + 1 : 0;
	}
}

/*
 * After a failed test its rings may well be open still: nothing to add.
 * No ASSERT here: the harness would run the teardown again.
 */
FIXTURE_TEARDOWN(lifecycle)
{
	struct xr_counters after;
	unsigned int i;
	int settled;

	if (!_metadata->passed)
		return;
	settled = xr_counters_wait(&after, xr_same, &self->before);
	EXPECT_LE(0, settled)
		TH_LOG("cannot read the counters in %s", XR_COUNTERS_DIR);
	if (settled)
		return;
	/* braces: the harness's EXPECT_EQ is two statements */
	for (i = 0; i < XR_NR_COUNTERS; i++) {
		EXPECT_EQ(self->before.value[i], after.value[i])
			TH_LOG("%s: %ld before the test, %ld %d s after it closed its rings",
			       xr_counter_names[i], self->before.value[i],
			       after.value[i], XR_SETTLE_SECONDS);
	}
}

/* A fresh ring runs a NOP: whatever came before left nothing broken. */
static void check_new_ring_works(struct __test_metadata *_metadata)
{
	struct xuring_cqe cqe;
	struct xr_ring r;

	ASSERT_EQ(0, xr_ring_init(&r, 4, 0));
	ASSERT_TRUE(xr_queue_nop(&r, 0x5151));
	ASSERT_EQ(1, xr_submit_and_wait(&r, 1));
	ASSERT_TRUE(xr_reap_cqe(&r, &cqe));
	EXPECT_EQ(0x5151ULL, cqe.user_data);
	EXPECT_EQ(0, cqe.res);
	xr_ring_exit(&r);
}

static void queue_nops(struct __test_metadata *_metadata, struct xr_ring *r,
		       unsigned int n, __u8 sqe_flags)
{
	struct xuring_sqe *sqe;
	unsigned int i;

	for (i = 0; i < n; i++) {
		sqe = xr_get_sqe(r);
		ASSERT_NE(NULL, sqe);
		xr_prep_nop(sqe, i);
		sqe->flags = sqe_flags;
	}
}

TEST_F_TIMEOUT(lifecycle, close_with_unreaped_completions, XR_TEST_SECONDS)
{
	struct xr_ring r;

	ASSERT_EQ(0, xr_ring_init(&r, 8, 0));
	queue_nops(_metadata, &r, 8, 0);
	ASSERT_EQ(8, xr_submit_and_wait(&r, 8));
	xr_ring_unmap(&r);
	EXPECT_EQ(0, close(r.fd));
	check_new_ring_works(_metadata);
}

TEST_F_TIMEOUT(lifecycle, close_with_overflow_backlog, XR_TEST_SECONDS)
{
	struct xr_ring r;
	unsigned int i;

	ASSERT_EQ(0, xr_ring_init(&r, 4, 0));
	for (i = 0; i < 8; i++) {
		queue_nops(_metadata, &r, 4, 0);
		ASSERT_EQ(4, xr_submit(&r));
	}
	EXPECT_TRUE(!!(*r.sq_flags & XURING_SQ_CQ_OVERFLOW));
	/* close first, unmap last: the mapping holds the ring until then */
	EXPECT_EQ(0, close(r.fd));
	r.fd = -1;
	xr_ring_unmap(&r);
	check_new_ring_works(_metadata);
}

TEST_F_TIMEOUT(lifecycle, close_with_unsubmitted_sqes, XR_TEST_SECONDS)
{
	struct xr_ring r;

	ASSERT_EQ(0, xr_ring_init(&r, 8, 0));
	queue_nops(_metadata, &r, 8, 0);
	ASSERT_EQ(8U, xr_flush_sq(&r));
	xr_ring_unmap(&r);
	EXPECT_EQ(0, close(r.fd));
	check_new_ring_works(_metadata);
}

/* Async NOPs may still be in io-wq when the ring goes away. */
TEST_F_TIMEOUT(lifecycle, close_with_async_work_in_flight, XR_TEST_SECONDS)
{
	unsigned int round;

	for (round = 0; round < 10; round++) {
		struct xr_ring r;

		ASSERT_EQ(0, xr_ring_init(&r, 32, 0));
		queue_nops(_metadata, &r, 32, XURING_SQE_ASYNC);
		ASSERT_EQ(32, xr_submit(&r));
		xr_ring_unmap(&r);
		EXPECT_EQ(0, close(r.fd));
	}
	check_new_ring_works(_metadata);
}

/* A process that exits holding rings in every state. */
TEST_F_TIMEOUT(lifecycle, exit_without_cleanup, XR_TEST_SECONDS)
{
	int status;
	pid_t pid;

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct xr_ring a, b, c;
		struct xuring_sqe *sqe;
		unsigned int i;

		if (xr_ring_init(&a, 4, 0) || xr_ring_init(&b, 4, 0) ||
		    xr_ring_init(&c, 16, 0))
			_exit(1);
		/* a: 32 NOPs into a CQ of 8, an overflow backlog */
		for (i = 0; i < 32; i++) {
			xr_queue_nop(&a, i);
			if (i % 4 == 3 && xr_submit(&a) != 4)
				_exit(2);
		}
		/* b: an SQE published but never submitted */
		xr_queue_nop(&b, 1);
		xr_flush_sq(&b);
		/* c: async NOPs, maybe still in io-wq */
		for (i = 0; i < 16; i++) {
			sqe = xr_get_sqe(&c);
			xr_prep_nop(sqe, i);
			sqe->flags = XURING_SQE_ASYNC;
		}
		if (xr_submit(&c) != 16)
			_exit(3);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	check_new_ring_works(_metadata);
}

TEST_F_TIMEOUT(lifecycle, many_rings_at_once, XR_TEST_SECONDS)
{
	enum { NR_RINGS = 64 };
	struct xr_ring *rings;
	struct xuring_cqe cqe;
	unsigned int i;

	rings = calloc(NR_RINGS, sizeof(*rings));
	ASSERT_NE(NULL, rings);
	for (i = 0; i < NR_RINGS; i++) {
		ASSERT_EQ(0, xr_ring_init(&rings[i], 8, 0)) TH_LOG("ring %u", i);
		ASSERT_TRUE(xr_queue_nop(&rings[i], i));
		ASSERT_EQ(1, xr_submit(&rings[i]));
	}
	/* each ring has its own completion, and only that one */
	for (i = 0; i < NR_RINGS; i++) {
		ASSERT_EQ(1U, xr_cq_ready(&rings[i])) TH_LOG("ring %u", i);
		ASSERT_TRUE(xr_reap_cqe(&rings[i], &cqe));
		EXPECT_EQ(i, cqe.user_data);
	}
	for (i = 0; i < NR_RINGS; i++)
		xr_ring_exit(&rings[i]);
	free(rings);
	check_new_ring_works(_metadata);
}

TEST_F_TIMEOUT(lifecycle, dup_fd_shares_ring, XR_TEST_SECONDS)
{
	struct xuring_cqe cqe;
	struct xr_ring r;
	int fd2;

	ASSERT_EQ(0, xr_ring_init(&r, 4, 0));
	fd2 = dup(r.fd);
	ASSERT_LE(0, fd2);
	ASSERT_TRUE(xr_queue_nop(&r, 1));
	EXPECT_EQ(1, xr_enter(fd2, xr_flush_sq(&r), 1,
			      XURING_ENTER_GETEVENTS, NULL, 0));
	ASSERT_TRUE(xr_reap_cqe(&r, &cqe));
	EXPECT_EQ(1ULL, cqe.user_data);

	/* the ring is the file's, not the descriptor's */
	EXPECT_EQ(0, close(r.fd));
	r.fd = fd2;
	ASSERT_TRUE(xr_queue_nop(&r, 2));
	EXPECT_EQ(1, xr_submit_and_wait(&r, 1));
	ASSERT_TRUE(xr_reap_cqe(&r, &cqe));
	EXPECT_EQ(2ULL, cqe.user_data);
	xr_ring_exit(&r);
}

/*
 * In the child: the inherited mapping shows the ring, including what the
 * parent completes after the fork. Returns 0 or the failing step.
 */
static int fork_child_reads(struct xr_ring *r, int go_fd, int done_fd)
{
	struct xuring_cqe cqe;
	char c;

	if (*r->sq_ring_mask != 3 || *r->cq_ring_entries != 8)
		return 1;
	if (!xr_reap_cqe(r, &cqe) || cqe.user_data != 0xc0ffee || cqe.res)
		return 2;
	if (write(done_fd, "r", 1) != 1)
		return 3;
	/* wait for the parent's second NOP */
	if (read(go_fd, &c, 1) != 1)
		return 4;
	if (xr_cq_ready(r) != 1)
		return 5;
	if (!xr_reap_cqe(r, &cqe) || cqe.user_data != 0xbeef)
		return 6;
	return 0;
}

TEST_F_TIMEOUT(lifecycle, fork_child_sees_mapping, XR_TEST_SECONDS)
{
	int go[2], done[2], status;
	struct xr_ring r;
	pid_t pid;
	char c;

	ASSERT_EQ(0, xr_ring_init(&r, 4, 0));
	ASSERT_TRUE(xr_queue_nop(&r, 0xc0ffee));
	ASSERT_EQ(1, xr_submit_and_wait(&r, 1));
	ASSERT_EQ(0, pipe(go));
	ASSERT_EQ(0, pipe(done));

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		close(done[0]);
		_exit(fork_child_reads(&r, go[0], done[1]));
	}
	close(done[1]);

	/* the child reaped the first CQE through the shared ring */
	if (read(done[0], &c, 1) == 1) {
		EXPECT_EQ(1U, xr_load_acquire(r.cq_head));
		ASSERT_TRUE(xr_queue_nop(&r, 0xbeef));
		EXPECT_EQ(1, xr_submit(&r));
	}
	EXPECT_EQ(1, write(go[1], "g", 1));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status))
		TH_LOG("child failed at step %d", WEXITSTATUS(status));
	/* the child consumed both CQEs through the shared mapping */
	EXPECT_EQ(2U, *r.cq_head);
	EXPECT_EQ(0U, xr_cq_ready(&r));
	close(go[0]);
	close(go[1]);
	close(done[0]);
	xr_ring_exit(&r);
}

/*
 * SQEs carry pointers into the ring creator's address space, so a
 * forked child (same file, other mm) may not submit: ENTER is -EEXIST
 * and consumes nothing.
 */
TEST_F_TIMEOUT(lifecycle, fork_child_enter_eexist, XR_TEST_SECONDS)
{
	struct xuring_cqe cqe;
	struct xr_ring r;
	int status;
	pid_t pid;

	ASSERT_EQ(0, xr_ring_init(&r, 4, 0));
	ASSERT_TRUE(xr_queue_nop(&r, 77));
	ASSERT_EQ(1U, xr_flush_sq(&r));

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int ret = xr_enter(r.fd, 1, 0, 0, NULL, 0);

		_exit(ret == -EEXIST ? 0 : ret < 0 ? -ret : 100 + ret);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status))
		TH_LOG("child's ENTER: %s",
		       WEXITSTATUS(status) >= 100 ? "submitted" :
		       strerror(WEXITSTATUS(status)));

	/* the SQE is still queued, for the parent to submit */
	EXPECT_EQ(0U, xr_load_acquire(r.sq_head));
	EXPECT_EQ(0U, xr_cq_ready(&r));
	EXPECT_EQ(1, xr_enter(r.fd, 1, 1, XURING_ENTER_GETEVENTS, NULL, 0));
	ASSERT_TRUE(xr_reap_cqe(&r, &cqe));
	EXPECT_EQ(77ULL, cqe.user_data);
	EXPECT_EQ(0, cqe.res);
	xr_ring_exit(&r);
}

TEST_HARNESS_MAIN
