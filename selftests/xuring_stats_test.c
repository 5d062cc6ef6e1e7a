// SPDX-License-Identifier: GPL-2.0
/*
 * The statistics xuring-top reads (debugfs xuring/ops and xuring/rings,
 * switched by the stats parameter): completions counted exactly per
 * opcode, failures, latencies in the right log2 bucket, requests in
 * flight by opcode on the right ring and back to none, io-wq workers,
 * queued SQEs, ready CQEs, overflow, pinned pages; nothing counted while
 * off, and counts that stay right across switching.
 *
 * The counts are module-wide: the test assumes no other program uses
 * xuring meanwhile, as in the VM.
 */
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>

#include "xuring_test.h"
#include "xuring_io.h"
#include "kselftest_harness.h"

XR_SKIP_ALL_WITHOUT_DEVICE()

#define STATS_PARAM	"/sys/module/xuring/parameters/stats"
#define DEBUGFS		"/sys/kernel/debug"
#define OPS_FILE	DEBUGFS "/xuring/ops"
#define RINGS_FILE	DEBUGFS "/xuring/rings"
#define LAT_BUCKETS	32

struct op_row {
	unsigned long long completed, failed, inflight;
	unsigned long long lat[LAT_BUCKETS];
};

struct ring_row {
	unsigned long long id, completed;
	int pid;
	char comm[64], state[16], inflight[256];
	unsigned int flags, sq_entries, sq_queued, cq_entries, cq_ready;
	unsigned int overflow, iowq_bound, iowq_unbound, ring_pages;
	long pinned_pages;
};

static bool have_stats(void)
{
	struct stat st;

	if (stat(OPS_FILE, &st))
		mount("debugfs", DEBUGFS, "debugfs", 0, NULL);
	return !stat(OPS_FILE, &st) && !stat(STATS_PARAM, &st);
}

static bool set_stats(bool on)
{
	int fd = open(STATS_PARAM, O_WRONLY);
	bool ok;

	if (fd < 0)
		return false;
	ok = write(fd, on ? "Y" : "N", 1) == 1;
	close(fd);
	return ok;
}

static char *read_text(const char *path)
{
	static char buf[1 << 16];

	return xr_read_file(path, buf, sizeof(buf)) > 0 ? buf : NULL;
}

/* The row of opcode @name in xuring/ops. */
static bool read_op(const char *name, struct op_row *row)
{
	char *text = read_text(OPS_FILE), *line, *save;

	if (!text)
		return false;
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char op[32];
		int i, pos, n;
		unsigned int opcode;

		if (line[0] == '#')
			continue;
		if (sscanf(line, "%31s %u %llu %llu %llu%n", op, &opcode,
			   &row->completed, &row->failed, &row->inflight,
			   &pos) != 5 || strcmp(op, name))
			continue;
		line += pos;
		for (i = 0; i < LAT_BUCKETS; i++) {
			if (sscanf(line, " %llu%n", &row->lat[i], &n) != 1)
				return false;
			line += n;
		}
		return true;
	}
	return false;
}

static unsigned long long lat_sum(const struct op_row *a,
				  const struct op_row *b, int from, int to)
{
	unsigned long long sum = 0;
	int i;

	for (i = from; i <= to; i++)
		sum += b->lat[i] - a->lat[i];
	return sum;
}

/*
 * The ring of process @pid in xuring/rings (each process of the tests has
 * one at a time): the process that set it up, whether it still exists or
 * not.
 */
static bool read_ring_of(pid_t pid, struct ring_row *row)
{
	char *text = read_text(RINGS_FILE), *line, *save;

	if (!text)
		return false;
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (line[0] == '#')
			continue;
		if (sscanf(line, "%llu %d %63s %15s 0x%x %u %u %u %u %u %u %u %ld %u %llu %255s",
			   &row->id, &row->pid, row->comm, row->state,
			   &row->flags, &row->sq_entries, &row->sq_queued,
			   &row->cq_entries, &row->cq_ready, &row->overflow,
			   &row->iowq_bound, &row->iowq_unbound,
			   &row->pinned_pages, &row->ring_pages,
			   &row->completed, row->inflight) != 16)
			continue;
		if (row->pid == pid)
			return true;
	}
	return false;
}

static bool read_ring(struct ring_row *row)
{
	return read_ring_of(getpid(), row);
}

FIXTURE(stats) {
	struct xr_ring r;
	bool was_on;
};

/*
 * Switch statistics on for a test, noting whether they were; false if
 * this module has none.
 */
static bool stats_on_for_test(bool *was_on)
{
	char buf[8];

	if (!have_stats() || xr_read_file(STATS_PARAM, buf, sizeof(buf)) <= 0)
		return false;
	*was_on = buf[0] == 'Y';
	return set_stats(true);
}

FIXTURE_SETUP(stats)
{
	if (!stats_on_for_test(&self->was_on))
		SKIP(return, "no " OPS_FILE " or " STATS_PARAM);
	ASSERT_EQ(0, xr_ring_init(&self->r, 8, 0));
}

FIXTURE_TEARDOWN(stats)
{
	xr_ring_exit(&self->r);
	set_stats(self->was_on);
}

/*
 * Submit @n NOPs and reap them: first @bad with bad flags, one per ENTER
 * (a bad SQE ends its submission), then the rest in batches.
 */
static void run_nops(struct __test_metadata *_metadata, struct xr_ring *r,
		     unsigned int n, unsigned int bad)
{
	struct xuring_cqe cqe;
	unsigned int done = 0;

	for (; done < bad; done++) {
		struct xuring_sqe *sqe;

		XR_GET_SQE(sqe, r);
		xr_prep_nop(sqe, done);
		sqe->flags = 0x80;	/* no such flag */
		ASSERT_EQ(1, xr_submit_and_wait(r, 1));
		ASSERT_TRUE(xr_reap_cqe(r, &cqe));
		ASSERT_EQ(-EINVAL, cqe.res);
	}
	while (done < n) {
		unsigned int batch = 0, i;

		while (batch < 8 && done + batch < n) {
			ASSERT_TRUE(xr_queue_nop(r, done + batch));
			batch++;
		}
		ASSERT_EQ((int)batch, xr_submit_and_wait(r, batch));
		for (i = 0; i < batch; i++) {
			ASSERT_TRUE(xr_reap_cqe(r, &cqe));
			ASSERT_EQ(0, cqe.res);
		}
		done += batch;
	}
}

/* Every NOP counted once, failures apart, each in one latency bucket. */
TEST_F(stats, nops_counted_exactly)
{
	struct op_row before, after;
	struct ring_row ring;

	ASSERT_TRUE(read_op("NOP", &before));
	run_nops(_metadata, &self->r, 1003, 3);
	ASSERT_TRUE(read_op("NOP", &after));
	EXPECT_EQ(1003ULL, after.completed - before.completed);
	EXPECT_EQ(3ULL, after.failed - before.failed);
	EXPECT_EQ(1003ULL, lat_sum(&before, &after, 0, LAT_BUCKETS - 1));
	EXPECT_EQ(0ULL, after.inflight);
	ASSERT_TRUE(read_ring(&ring));
	EXPECT_EQ(1003ULL, ring.completed);
	EXPECT_STREQ("-", ring.inflight);
}

/* Off, nothing is counted; on again, counting resumes. */
TEST_F(stats, off_counts_nothing)
{
	struct op_row before, after;
	struct ring_row ring;

	ASSERT_TRUE(set_stats(false));
	ASSERT_TRUE(read_op("NOP", &before));
	run_nops(_metadata, &self->r, 100, 0);
	ASSERT_TRUE(read_op("NOP", &after));
	EXPECT_EQ(0ULL, after.completed - before.completed);
	EXPECT_EQ(0ULL, lat_sum(&before, &after, 0, LAT_BUCKETS - 1));
	ASSERT_TRUE(read_ring(&ring));
	EXPECT_EQ(0ULL, ring.completed);

	ASSERT_TRUE(set_stats(true));
	run_nops(_metadata, &self->r, 10, 0);
	ASSERT_TRUE(read_op("NOP", &after));
	EXPECT_EQ(10ULL, after.completed - before.completed);
}

/*
 * The ring's row: its owner, escaped name, state and sizes, SQEs queued
 * but not submitted, CQEs not reaped, pinned pages of a registered
 * buffer, and the ring's own pages.
 */
TEST_F(stats, ring_row)
{
	size_t len = 64 * 1024;
	void *buf = xr_alloc(len);
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct ring_row ring;
	struct xuring_cqe cqe;
	unsigned int i;

	ASSERT_NE(NULL, buf);
	/* a space and a backslash, escaped in the file as \040 and \134 */
	ASSERT_EQ(0, prctl(PR_SET_NAME, "xr stat\\test"));
	ASSERT_TRUE(read_ring(&ring));
	EXPECT_STREQ("xr\\040stat\\134test", ring.comm);
	EXPECT_STREQ("live", ring.state);
	EXPECT_EQ(0U, ring.flags);
	EXPECT_EQ(8U, ring.sq_entries);
	EXPECT_EQ(16U, ring.cq_entries);
	EXPECT_EQ(0U, ring.sq_queued);
	EXPECT_EQ(0U, ring.cq_ready);
	EXPECT_EQ(0L, ring.pinned_pages);
	EXPECT_LT(0U, ring.ring_pages);

	for (i = 0; i < 3; i++)
		ASSERT_TRUE(xr_queue_nop(&self->r, i));
	xr_flush_sq(&self->r);
	ASSERT_TRUE(read_ring(&ring));
	EXPECT_EQ(3U, ring.sq_queued);
	ASSERT_EQ(3, xr_enter(self->r.fd, 3, 0, 0, NULL, 0));
	ASSERT_TRUE(read_ring(&ring));
	EXPECT_EQ(0U, ring.sq_queued);
	EXPECT_EQ(3U, ring.cq_ready);
	for (i = 0; i < 3; i++)
		ASSERT_TRUE(xr_reap_cqe(&self->r, &cqe));

	ASSERT_EQ(0, xr_register(self->r.fd, XURING_REGISTER_BUFFERS, &iov, 1));
	ASSERT_TRUE(read_ring(&ring));
	EXPECT_EQ((long)(len / getpagesize()), ring.pinned_pages);
	ASSERT_EQ(0, xr_register(self->r.fd, XURING_UNREGISTER_BUFFERS,
				 NULL, 0));
	ASSERT_TRUE(read_ring(&ring));
	EXPECT_EQ(0L, ring.pinned_pages);
	xr_free(buf, len);
}

/*
 * A ring whose owner has exited while another process holds it: its row
 * stays, in state owner_gone, until the last file reference goes. (The
 * fixture's own ring is this process's row, not the child's.)
 */
TEST_F(stats, ring_row_owner_gone)
{
	int ready[2], go[2], pidfd, child_fd, ring_fd, status, i;
	struct ring_row ring;
	pid_t child;
	bool gone;

	ASSERT_EQ(0, pipe(ready));
	ASSERT_EQ(0, pipe(go));
	child = fork();
	ASSERT_LE(0, child);
	if (child == 0) {
		struct xr_ring r;
		char c;

		/* if the test dies, the read below sees EOF and we go */
		close(ready[0]);
		close(go[1]);
		if (xr_ring_init(&r, 8, 0))
			_exit(1);
		if (write(ready[1], &r.fd, sizeof(r.fd)) != sizeof(r.fd))
			_exit(2);
		/* the parent has taken the ring when this returns */
		if (read(go[0], &c, 1) != 1)
			_exit(3);
		_exit(0);
	}
	close(ready[1]);
	close(go[0]);
	ASSERT_EQ((ssize_t)sizeof(child_fd),
		  read(ready[0], &child_fd, sizeof(child_fd)));
	pidfd = syscall(SYS_pidfd_open, child, 0);
	ASSERT_LE(0, pidfd) TH_LOG("pidfd_open: %s", strerror(errno));
	ring_fd = syscall(SYS_pidfd_getfd, pidfd, child_fd, 0);
	ASSERT_LE(0, ring_fd) TH_LOG("pidfd_getfd: %s", strerror(errno));
	close(pidfd);
	ASSERT_TRUE(read_ring_of(child, &ring));
	EXPECT_STREQ("live", ring.state);

	ASSERT_EQ(1, write(go[1], "x", 1));
	ASSERT_EQ(child, waitpid(child, &status, 0));
	ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
		TH_LOG("child status 0x%x", status);
	/* the owner's exit is noticed by a work item: give it 5 s */
	gone = false;
	for (i = 0; i < 500 && !gone; i++) {
		ASSERT_TRUE(read_ring_of(child, &ring));
		gone = !strcmp(ring.state, "owner_gone");
		if (!gone)
			usleep(10000);
	}
	EXPECT_TRUE(gone) TH_LOG("state %s after 5 s", ring.state);

	close(ring_fd);
	for (i = 0; i < 500 && read_ring_of(child, &ring); i++)
		usleep(10000);
	EXPECT_FALSE(read_ring_of(child, &ring)) TH_LOG("row left after 5 s");
	close(ready[0]);
	close(go[1]);
}

/* CQEs that do not fit are the ring's overflow backlog. */
TEST(overflow_backlog)
{
	struct xuring_params p = {
		.flags = XURING_SETUP_CQSIZE,
		.cq_entries = 4,
	};
	struct ring_row ring;
	struct xuring_cqe cqe;
	struct xr_ring r;
	unsigned int i;

	if (!have_stats())
		SKIP(return, "no " OPS_FILE);
	ASSERT_EQ(0, xr_ring_init_params(&r, 2, &p));
	for (i = 0; i < 3; i++) {
		ASSERT_TRUE(xr_queue_nop(&r, 2 * i));
		ASSERT_TRUE(xr_queue_nop(&r, 2 * i + 1));
		ASSERT_EQ(2, xr_submit(&r));
	}
	ASSERT_TRUE(read_ring(&ring));
	EXPECT_EQ(4U, ring.cq_ready);
	EXPECT_EQ(2U, ring.overflow);
	for (i = 0; i < 6; i++)
		ASSERT_EQ(0, xr_wait_cqe_ms(&r, &cqe, XR_IO_TIMEOUT_MS));
	ASSERT_TRUE(read_ring(&ring));
	EXPECT_EQ(0U, ring.overflow);
	xr_ring_exit(&r);
}

/* Wait until this ring's row says @want is in flight. */
static bool wait_inflight(struct ring_row *ring, const char *want)
{
	__u64 start = xr_now_ns();

	do {
		if (read_ring(ring) && !strcmp(ring->inflight, want))
			return true;
		xr_sleep_ms(20);
	} while (xr_ms_since(start) < XR_IO_TIMEOUT_MS);
	return false;
}

/* A ring and a pipe whose reads wait in io-wq until the test writes. */
FIXTURE(pipe_reads) {
	struct xr_ring r;
	int pipefd[2];
	char buf[8];
	struct ring_row ring;
	bool was_on;
};

FIXTURE_SETUP(pipe_reads)
{
	self->pipefd[0] = self->pipefd[1] = -1;
	self->r.fd = -1;
	if (!stats_on_for_test(&self->was_on))
		SKIP(return, "no " OPS_FILE " or " STATS_PARAM);
	ASSERT_EQ(0, xr_ring_init(&self->r, 8, 0));
	ASSERT_EQ(0, pipe(self->pipefd));
}

FIXTURE_TEARDOWN(pipe_reads)
{
	if (self->r.fd >= 0)
		xr_ring_exit(&self->r);
	if (self->pipefd[0] >= 0) {
		close(self->pipefd[0]);
		close(self->pipefd[1]);
	}
	set_stats(self->was_on);
}

/* Queue @n reads of one byte each; reads @from on use buf[from]. */
static void queue_reads(struct __test_metadata *_metadata,
			FIXTURE_DATA(pipe_reads) *self, unsigned int from,
			unsigned int n)
{
	unsigned int i;

	for (i = from; i < from + n; i++) {
		struct xuring_sqe *sqe;

		XR_GET_SQE(sqe, &self->r);
		xr_prep_rw(sqe, XURING_OP_READ, self->pipefd[0],
			   self->buf + i, 1, -1, 100 + i);
	}
	ASSERT_EQ((int)n, xr_submit(&self->r));
}

/* Answer @n waiting reads and reap them: nothing is in flight after. */
static void answer_reads(struct __test_metadata *_metadata,
			 FIXTURE_DATA(pipe_reads) *self, unsigned int n)
{
	struct xuring_cqe cqe[8];
	unsigned int i;

	ASSERT_EQ((ssize_t)n, write(self->pipefd[1], "abcdefgh", n));
	ASSERT_EQ(n, xr_reap_n(&self->r, cqe, n, XR_IO_TIMEOUT_MS));
	for (i = 0; i < n; i++)
		EXPECT_EQ(1, cqe[i].res);
	ASSERT_TRUE(wait_inflight(&self->ring, "-"))
		TH_LOG("%s", self->ring.inflight);
}

/*
 * Reads of an empty pipe: in flight on the ring and in the module, one
 * unbounded io-wq worker each; answered after 100 ms, each is counted in
 * a latency bucket of at least 2^26 ns (67 ms), and nothing is left in
 * flight.
 */
TEST_F(pipe_reads, inflight_workers_latency)
{
	struct op_row before, during, after;

	ASSERT_TRUE(read_op("READ", &before));
	queue_reads(_metadata, self, 0, 4);
	ASSERT_TRUE(wait_inflight(&self->ring, "READ:4"))
		TH_LOG("%s", self->ring.inflight);
	ASSERT_TRUE(read_op("READ", &during));
	EXPECT_EQ(4ULL, during.inflight);
	EXPECT_EQ(0ULL, during.completed - before.completed);
	EXPECT_EQ(4U, self->ring.iowq_unbound);
	EXPECT_EQ(0U, self->ring.iowq_bound);

	xr_sleep_ms(100);
	answer_reads(_metadata, self, 4);
	ASSERT_TRUE(read_op("READ", &after));
	EXPECT_EQ(4ULL, after.completed - before.completed);
	EXPECT_EQ(0ULL, after.failed - before.failed);
	EXPECT_EQ(0ULL, after.inflight);
	EXPECT_EQ(0ULL, lat_sum(&before, &after, 0, 26));
	EXPECT_EQ(4ULL, lat_sum(&before, &after, 27, LAT_BUCKETS - 1));
}

/*
 * Switched off while reads wait, more reads submitted while off: each
 * read is counted by what was on when it was submitted, and the count in
 * flight comes back to none.
 */
TEST_F(pipe_reads, switching_keeps_inflight_right)
{
	struct op_row before, after;

	ASSERT_TRUE(read_op("READ", &before));
	queue_reads(_metadata, self, 0, 2);
	ASSERT_TRUE(wait_inflight(&self->ring, "READ:2"));
	ASSERT_TRUE(set_stats(false));
	queue_reads(_metadata, self, 2, 2);
	ASSERT_TRUE(read_ring(&self->ring));
	EXPECT_STREQ("READ:2", self->ring.inflight);
	answer_reads(_metadata, self, 4);
	ASSERT_TRUE(set_stats(true));
	ASSERT_TRUE(read_op("READ", &after));
	/* the two submitted while on, not the two submitted while off */
	EXPECT_EQ(2ULL, after.completed - before.completed);
	EXPECT_EQ(2ULL, lat_sum(&before, &after, 0, LAT_BUCKETS - 1));
	EXPECT_EQ(0ULL, after.inflight);
}

TEST_HARNESS_MAIN
