// SPDX-License-Identifier: GPL-2.0
/*
 * Teardown with requests in flight: SIGKILL of a process in the middle of
 * hundreds of requests (reads blocked forever on pipes, file I/O, fixed
 * buffers, links, drains), close() of a ring with a read blocked forever,
 * exit and exec of a process holding a ring. Afterwards every ring,
 * request, pinned page and io-wq worker is gone, as the module's counters
 * show. Also io-wq itself: the worker limits of
 * REGISTER_IOWQ_MAX_WORKERS and idle workers exiting.
 */
#include <poll.h>
#include <sys/socket.h>

#include "xuring_io.h"
#include "kselftest_harness.h"

XR_SKIP_ALL_WITHOUT_DEVICE()

/* environment of the image exec_with_ring execs */
#define EXEC_ENV	"XURING_TEARDOWN_EXEC"
/* exit status of that image when all went well */
#define EXEC_OK		42

#define NR_BLOCKED_READS	4

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

static const char *scratch_dir(void)
{
	const char *dir = xr_env_path("XURING_EXT4_DIR");

	return dir ? dir : xr_env_path("XURING_TMPDIR");
}

/* ----------------------------------------------------- a busy process */

struct busy {
	struct xr_ring r;
	int pipes[NR_BLOCKED_READS][2];
	int fd, dfd;
	unsigned char *buf;
	size_t buf_len;
};

static struct xuring_sqe *busy_sqe(struct busy *b, __u8 op, int fd,
				   void *addr, __u32 len, __u64 off)
{
	struct xuring_sqe *sqe = xr_get_sqe(&b->r);

	if (!sqe) {
		xr_submit(&b->r);
		sqe = xr_get_sqe(&b->r);
		if (!sqe)
			_exit(99);
	}
	xr_prep_rw(sqe, op, fd, addr, len, off, xr_ud());
	return sqe;
}

/*
 * Set up a ring and fill it with work of every kind: reads blocked
 * forever on pipes (plain, vectored, into a fixed buffer, heading a link,
 * in front of a drain), buffered and O_DIRECT file I/O, fixed-buffer file
 * I/O, forced-async requests. Returns 0 or a step number.
 */
static int busy_start(struct busy *b, unsigned int entries)
{
	const char *dir = scratch_dir();
	const char *ext4 = xr_env_path("XURING_EXT4_DIR");
	struct iovec reg, iov[2];
	struct xuring_sqe *sqe;
	unsigned int i;
	int fds[2];

	b->buf_len = 4 << 20;
	b->buf = xr_alloc(b->buf_len);
	if (!b->buf)
		return 1;
	memset(b->buf, 0x5a, b->buf_len);
	if (xr_ring_init(&b->r, entries, 0))
		return 2;
	reg = (struct iovec){ b->buf, 1 << 20 };
	if (xr_register(b->r.fd, XURING_REGISTER_BUFFERS, &reg, 1))
		return 3;
	for (i = 0; i < NR_BLOCKED_READS; i++)
		if (pipe(b->pipes[i]))
			return 4;
	b->fd = dir ? xr_scratch_file(dir, O_RDWR) : -1;
	b->dfd = ext4 ? xr_scratch_file(ext4, O_RDWR | O_DIRECT) : -1;
	fds[0] = b->pipes[0][0];
	fds[1] = b->fd;
	if (xr_register(b->r.fd, XURING_REGISTER_FILES, fds,
			b->fd >= 0 ? 2 : 1))
		return 5;

	/* reads that never complete */
	busy_sqe(b, XURING_OP_READ, b->pipes[0][0], b->buf + (1 << 20), 64,
		 -1);
	sqe = busy_sqe(b, XURING_OP_READ, 0, b->buf + (1 << 20), 64, -1);
	sqe->flags = XURING_SQE_FIXED_FILE;
	iov[0] = (struct iovec){ b->buf + (2 << 20), 10 };
	iov[1] = (struct iovec){ b->buf + (2 << 20) + 100, 10 };
	busy_sqe(b, XURING_OP_READV, b->pipes[1][0], iov, 2, -1);
	sqe = busy_sqe(b, XURING_OP_READ_FIXED, b->pipes[2][0], b->buf + 4096,
		       4096, -1);
	sqe->buf_index = 0;
	/* a chain stuck behind a pipe read */
	sqe = busy_sqe(b, XURING_OP_READ, b->pipes[3][0], b->buf + (3 << 20),
		       64, -1);
	sqe->flags = XURING_SQE_IO_LINK;
	if (b->fd >= 0)
		busy_sqe(b, XURING_OP_WRITE, b->fd, b->buf, 4096, 0);
	else
		busy_sqe(b, XURING_OP_NOP, -1, NULL, 0, 0)->fd = -1;
	/* a drain that waits for all of the above, and what waits for it */
	sqe = busy_sqe(b, XURING_OP_NOP, -1, NULL, 0, 0);
	sqe->flags = XURING_SQE_IO_DRAIN;
	busy_sqe(b, XURING_OP_NOP, -1, NULL, 0, 0);
	if (xr_submit(&b->r) <= 0)
		return 6;
	return 0;
}

/* Child of the kill stress: queue work without end until killed. */
static void kill_victim(int ready_fd)
{
	struct iovec reg;
	struct xuring_cqe cqe;
	unsigned int round = 0, i;
	struct xr_ring r2;
	struct busy b;
	int step;

	step = busy_start(&b, 64);
	if (step)
		_exit(step);
	/* a second ring kept busy with file I/O: no drain in its way */
	if (xr_ring_init(&r2, 256, 0))
		_exit(20);
	reg = (struct iovec){ b.buf + (1 << 20), 1 << 20 };
	if (xr_register(r2.fd, XURING_REGISTER_BUFFERS, &reg, 1))
		_exit(21);
	for (;;) {
		for (i = 0; i < 96; i++) {
			struct xuring_sqe *sqe = xr_get_sqe(&r2);
			__u64 off = ((round * 96 + i) % 256) * 4096;

			if (!sqe)
				break;
			switch (i % 6) {
			case 0:
				xr_prep_rw(sqe, XURING_OP_WRITE, b.fd,
					   b.buf + off, 4096, off, xr_ud());
				break;
			case 1:
				xr_prep_rw(sqe, XURING_OP_READ, b.fd,
					   b.buf + (2 << 20) + off, 4096, off,
					   xr_ud());
				sqe->flags = XURING_SQE_ASYNC;
				break;
			case 2:
				xr_prep_fixed(sqe, XURING_OP_WRITE_FIXED, b.fd,
					      b.buf + (1 << 20) + off, 4096,
					      off, 0, xr_ud());
				break;
			case 3:
				xr_prep_fixed(sqe, XURING_OP_READ_FIXED, b.fd,
					      b.buf + (1 << 20) + off, 4096,
					      off, 0, xr_ud());
				break;
			case 4:
				xr_prep_rw(sqe, XURING_OP_WRITE, b.dfd,
					   b.buf + (3 << 20) + off, 4096, off,
					   xr_ud());
				break;
			case 5:
				xr_prep_nop(sqe, xr_ud());
				sqe->flags = XURING_SQE_ASYNC;
				break;
			}
			/* no file for it: a NOP, keeping its user_data */
			if (sqe->fd < 0 && sqe->opcode != XURING_OP_NOP)
				xr_prep_nop(sqe, sqe->user_data);
		}
		xr_submit(&r2);
		if (round++ == 0 && write(ready_fd, "r", 1) != 1)
			_exit(22);
		/* keep the CQ from filling: reap what is there */
		while (xr_reap_cqe(&r2, &cqe))
			;
	}
}

/* Wait until io-wq workers are running and pages are pinned. */
static bool counters_busy(const struct xr_counters *base,
			  unsigned int timeout_ms)
{
	struct xr_counters now;
	__u64 start = xr_now_ns();

	do {
		if (!xr_read_counters(&now))
			return false;
		if (now.workers > base->workers &&
		    now.pinned_pages > base->pinned_pages &&
		    now.rings >= base->rings + 2)
			return true;
		xr_sleep_ms(5);
	} while (xr_ms_since(start) < timeout_ms);
	return false;
}

/*
 * SIGKILL a process with hundreds of requests in flight, twenty times; the
 * process dies promptly and everything it had goes away.
 */
TEST_F_TIMEOUT(slow, kill_stress, 120)
{
	struct xr_counters base;
	unsigned int iter;

	XR_READ_BASELINE(&base);
	srandom(getpid());
	for (iter = 0; iter < 20; iter++) {
		int ready[2], status;
		char c;
		pid_t pid;

		ASSERT_EQ(0, pipe(ready));
		pid = fork();
		ASSERT_LE(0, pid);
		if (pid == 0) {
			close(ready[0]);
			kill_victim(ready[1]);
			_exit(0);
		}
		close(ready[1]);
		/* EOF here means the child failed before it was ready */
		ASSERT_EQ(1, read(ready[0], &c, 1)) {
			status = xr_wait_child_ms(pid, 1000);
			TH_LOG("iteration %u: child exit status %d",
			       iter, WIFEXITED(status) ?
			       WEXITSTATUS(status) : -1);
		}
		close(ready[0]);
		/* the child has workers blocked for it and pages pinned */
		ASSERT_TRUE(counters_busy(&base, 5000));
		xr_sleep_ms(random() % 30);
		ASSERT_EQ(0, kill(pid, SIGKILL));
		status = xr_wait_child_ms(pid, 10000);
		ASSERT_NE(-ETIME, status) TH_LOG("iteration %u: killed child "
						  "did not exit in 10 s", iter);
		ASSERT_TRUE(WIFSIGNALED(status));
		ASSERT_EQ(SIGKILL, WTERMSIG(status));
	}
	XR_ASSERT_COUNTERS_SETTLE(&base);
}

/*
 * The last close of a ring with a read blocked forever on a pipe returns
 * promptly, and the cancelled read did not consume what the pipe gets
 * afterwards.
 */
TEST(close_with_blocked_read)
{
	struct xr_counters base;
	struct xr_ring r;
	struct xuring_sqe *sqe;
	struct xr_iowq_state st;
	char buf[64] = "", in[16];
	int p[2];
	__u64 start;

	XR_READ_BASELINE(&base);
	ASSERT_EQ(0, pipe(p));
	ASSERT_EQ(0, xr_ring_init(&r, 8, 0));
	sqe = xr_get_sqe(&r);
	ASSERT_NE(NULL, sqe);
	xr_prep_rw(sqe, XURING_OP_READ, p[0], buf, sizeof(buf), -1, xr_ud());
	ASSERT_EQ(1, xr_submit(&r));
	/* the read sits in an io-wq worker */
	start = xr_now_ns();
	do {
		ASSERT_TRUE(xr_fdinfo_iowq(r.fd, "unbound", &st));
		if (st.workers == 1 && !st.queued)
			break;
		xr_sleep_ms(10);
	} while (xr_ms_since(start) < 5000);
	ASSERT_EQ(1U, st.workers);
	ASSERT_EQ(0U, st.queued);
	ASSERT_TRUE(xr_no_cqe_for_ms(&r, 100));

	start = xr_now_ns();
	xr_ring_exit(&r);
	ASSERT_GT(5000ULL, xr_ms_since(start)) TH_LOG("close took %llu ms",
						   xr_ms_since(start));
	XR_ASSERT_COUNTERS_SETTLE(&base);

	ASSERT_EQ(5, write(p[1], "hello", 5));
	ASSERT_EQ(5, read(p[0], in, sizeof(in)));
	ASSERT_EQ(0, memcmp(in, "hello", 5));
	ASSERT_EQ(0, memcmp(buf, "\0\0\0\0\0", 5));
	close(p[0]);
	close(p[1]);
}

/*
 * A process that exits (without closing anything) with requests in
 * flight exits promptly and leaves nothing behind.
 */
TEST(exit_with_requests_in_flight)
{
	struct xr_counters base;
	unsigned int i;

	XR_READ_BASELINE(&base);
	for (i = 0; i < 3; i++) {
		int status;
		pid_t pid = fork();

		ASSERT_LE(0, pid);
		if (pid == 0) {
			struct busy b;
			int step = busy_start(&b, 64);

			_exit(step ? step : 0);
		}
		status = xr_wait_child_ms(pid, 10000);
		ASSERT_NE(-ETIME, status) TH_LOG("child did not exit in 10 s");
		ASSERT_TRUE(WIFEXITED(status));
		ASSERT_EQ(0, WEXITSTATUS(status)) TH_LOG("child step %d",
							 WEXITSTATUS(status));
	}
	XR_ASSERT_COUNTERS_SETTLE(&base);
}

/*
 * The image exec_with_ring runs: the ring fd survived exec; the new
 * address space may not submit to it, and the requests the old one left
 * blocked have been cancelled, their CQEs posted.
 */
static int exec_child_main(const char *arg)
{
	unsigned int fd, cq_size, cq_head, cq_tail, cq_cqes, cq_mask;
	unsigned int expect, i;
	char path[64], line[128];
	bool is_ring = false;
	void *cq;
	__u64 start;
	FILE *f;

	if (sscanf(arg, "%u,%u,%u,%u,%u,%u,%u", &fd, &cq_size, &cq_head,
		   &cq_tail, &cq_cqes, &cq_mask, &expect) != 7)
		return 1;
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%u", fd);
	f = fopen(path, "re");
	if (!f)
		return 2;
	while (fgets(line, sizeof(line), f))
		is_ring |= !strncmp(line, "SqEntries:", 10);
	fclose(f);
	if (!is_ring)
		return 3;
	if (xr_enter(fd, 0, 0, XURING_ENTER_GETEVENTS, NULL, 0) != -EEXIST)
		return 4;
	if (xr_enter(fd, 1, 0, 0, NULL, 0) != -EEXIST)
		return 5;
	cq = mmap(NULL, cq_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		  XURING_OFF_CQ_RING);
	if (cq == MAP_FAILED)
		return 6;
	/* the blocked reads were cancelled when the old mm went away */
	start = xr_now_ns();
	while (xr_load_acquire(XR_AT(cq, cq_tail)) -
	       *XR_AT(cq, cq_head) < expect) {
		if (xr_ms_since(start) > 10000)
			return 7;
		xr_sleep_ms(10);
	}
	for (i = 0; i < expect; i++) {
		unsigned int head = *XR_AT(cq, cq_head) + i;
		struct xuring_cqe *cqe = (struct xuring_cqe *)((char *)cq +
				cq_cqes) + (head & cq_mask);

		if (cqe->res != -ECANCELED && cqe->res != -EINTR)
			return 10 + i;
	}
	return EXEC_OK;
}

static void __attribute__((constructor)) exec_child(void)
{
	const char *arg = getenv(EXEC_ENV);

	if (arg)
		_exit(exec_child_main(arg));
}

TEST(exec_with_ring)
{
	struct xr_counters base;
	pid_t pid;
	int status;

	XR_READ_BASELINE(&base);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct xuring_params p = { 0 };
		char env[160], *argv[] = { "xuring_exec_child", NULL };
		char *envp[] = { env, NULL };
		struct xuring_sqe *sqe;
		struct xr_ring r = { 0 };
		int pipes[3][2], i;
		char buf[3][64];

		/* like xr_ring_init(), but without O_CLOEXEC */
		r.fd = open(XURING_DEVICE_PATH, O_RDWR);
		if (r.fd < 0)
			_exit(50);
		r.p = p;
		if (xr_setup(r.fd, 8, &r.p) || xr_ring_map(&r))
			_exit(51);
		for (i = 0; i < 3; i++) {
			if (pipe(pipes[i]))
				_exit(52);
			sqe = xr_get_sqe(&r);
			if (!sqe)
				_exit(55);
			xr_prep_rw(sqe, XURING_OP_READ, pipes[i][0], buf[i], 64,
				   -1, xr_ud());
		}
		if (xr_submit(&r) != 3)
			_exit(53);
		xr_sleep_ms(100);
		snprintf(env, sizeof(env), EXEC_ENV "=%d,%zu,%u,%u,%u,%u,%d",
			 r.fd, r.cq_ring_size, r.p.cq_off.head,
			 r.p.cq_off.tail, r.p.cq_off.cqes,
			 r.p.cq_entries - 1, 3);
		execve("/proc/self/exe", argv, envp);
		_exit(54);
	}
	status = xr_wait_child_ms(pid, 15000);
	ASSERT_NE(-ETIME, status) TH_LOG("exec'ed child did not exit");
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(EXEC_OK, WEXITSTATUS(status)) TH_LOG("child step %d",
						       WEXITSTATUS(status));
	XR_ASSERT_COUNTERS_SETTLE(&base);
}

/*
 * A forked child that exits, or closes its copy of the ring, does not
 * disturb the parent's requests in flight.
 */
TEST(fork_child_exits)
{
	struct xr_ring r;
	struct xuring_sqe *sqe;
	struct xuring_cqe cqe;
	__u64 ud = xr_ud();
	char buf[64];
	int p[2], status;
	pid_t pid;

	ASSERT_EQ(0, pipe(p));
	ASSERT_EQ(0, xr_ring_init(&r, 8, 0));
	sqe = xr_get_sqe(&r);
	ASSERT_NE(NULL, sqe);
	xr_prep_rw(sqe, XURING_OP_READ, p[0], buf, sizeof(buf), -1, ud);
	ASSERT_EQ(1, xr_submit(&r));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		xr_ring_exit(&r);
		_exit(0);
	}
	status = xr_wait_child_ms(pid, 10000);
	ASSERT_TRUE(status >= 0 && WIFEXITED(status));
	ASSERT_TRUE(xr_no_cqe_for_ms(&r, 100));
	ASSERT_EQ(6, write(p[1], "abcdef", 6));
	ASSERT_EQ(0, xr_wait_cqe_ms(&r, &cqe, XR_IO_TIMEOUT_MS));
	ASSERT_EQ(ud, cqe.user_data);
	ASSERT_EQ(6, cqe.res);
	ASSERT_EQ(0, memcmp(buf, "abcdef", 6));
	xr_ring_exit(&r);
	close(p[0]);
	close(p[1]);
}

/* ---------------------------------------------------------------- io-wq */

/*
 * With at most two unbounded workers, eight reads blocked on pipes use
 * two workers and queue the rest; all eight complete once the pipes have
 * data.
 */
TEST(iowq_max_workers)
{
	unsigned int vals[2] = { 0, 2 }, prev_bound, i;
	__u64 ud = xr_ud_block(8);
	struct xr_iowq_state st;
	struct xuring_cqe cqe;
	struct xr_ring r;
	char buf[8][64];
	bool seen[8] = { false };
	int pipes[8][2];
	__u64 start;

	ASSERT_EQ(0, xr_ring_init(&r, 16, 0));
	ASSERT_EQ(-EINVAL, xr_register(r.fd, XURING_REGISTER_IOWQ_MAX_WORKERS,
				       vals, 1));
	ASSERT_EQ(0, xr_register(r.fd, XURING_REGISTER_IOWQ_MAX_WORKERS, vals,
				 2));
	/* the previous limits came back */
	ASSERT_LT(0U, vals[0]);
	ASSERT_LT(2U, vals[1]);
	prev_bound = vals[0];
	vals[0] = vals[1] = 0;
	ASSERT_EQ(0, xr_register(r.fd, XURING_REGISTER_IOWQ_MAX_WORKERS, vals,
				 2));
	ASSERT_EQ(prev_bound, vals[0]);
	ASSERT_EQ(2U, vals[1]);
	ASSERT_TRUE(xr_fdinfo_iowq(r.fd, "unbound", &st));
	ASSERT_EQ(2U, st.max);

	for (i = 0; i < 8; i++) {
		struct xuring_sqe *sqe = xr_get_sqe(&r);

		ASSERT_EQ(0, pipe(pipes[i]));
		ASSERT_NE(NULL, sqe);
		xr_prep_rw(sqe, XURING_OP_READ, pipes[i][0], buf[i], 64, -1,
			   ud + i);
	}
	ASSERT_EQ(8, xr_submit(&r));

	/* two workers get busy, six reads wait; never more than two */
	start = xr_now_ns();
	do {
		ASSERT_TRUE(xr_fdinfo_iowq(r.fd, "unbound", &st));
		ASSERT_GE(2U, st.workers);
		if (st.workers == 2 && st.queued == 6)
			break;
		xr_sleep_ms(10);
	} while (xr_ms_since(start) < 10000);
	ASSERT_EQ(2U, st.workers);
	ASSERT_EQ(6U, st.queued);
	for (i = 0; i < 20; i++) {
		ASSERT_TRUE(xr_fdinfo_iowq(r.fd, "unbound", &st));
		ASSERT_EQ(2U, st.workers);
		xr_sleep_ms(10);
	}
	ASSERT_EQ(0U, xr_cq_ready(&r));

	for (i = 0; i < 8; i++) {
		char msg[64];

		snprintf(msg, sizeof(msg), "pipe %u", i);
		ASSERT_EQ((ssize_t)strlen(msg) + 1,
			  write(pipes[i][1], msg, strlen(msg) + 1));
	}
	for (i = 0; i < 8; i++) {
		char msg[64];
		long k;

		ASSERT_EQ(0, xr_wait_cqe_ms(&r, &cqe, XR_IO_TIMEOUT_MS));
		k = xr_ud_index(cqe.user_data, ud, 8);
		ASSERT_LE(0, k);
		ASSERT_FALSE(seen[k]);
		seen[k] = true;
		snprintf(msg, sizeof(msg), "pipe %ld", k);
		ASSERT_EQ((int)strlen(msg) + 1, cqe.res);
		ASSERT_STREQ(msg, buf[k]);
		ASSERT_TRUE(xr_fdinfo_iowq(r.fd, "unbound", &st));
		ASSERT_GE(2U, st.workers);
	}
	xr_ring_exit(&r);
	for (i = 0; i < 8; i++) {
		close(pipes[i][0]);
		close(pipes[i][1]);
	}
}

/*
 * io-wq workers of a live ring exit after their idle timeout (5 s), and
 * the ring starts new ones when work comes again.
 */
TEST_F_TIMEOUT(slow, idle_workers_exit, 60)
{
	struct xr_counters base, now;
	struct xr_iowq_state bound, unbound;
	struct xuring_cqe cqe;
	struct xr_ring r;
	unsigned int i;
	__u64 start;

	XR_READ_BASELINE(&base);
	ASSERT_EQ(0, xr_ring_init(&r, 16, 0));
	for (i = 0; i < 8; i++) {
		struct xuring_sqe *sqe = xr_get_sqe(&r);

		ASSERT_NE(NULL, sqe);
		xr_prep_nop(sqe, xr_ud());
		sqe->flags = XURING_SQE_ASYNC;
	}
	ASSERT_EQ(8, xr_submit(&r));
	for (i = 0; i < 8; i++) {
		ASSERT_EQ(0, xr_wait_cqe_ms(&r, &cqe, XR_IO_TIMEOUT_MS));
		ASSERT_EQ(0, cqe.res);
	}
	ASSERT_TRUE(xr_fdinfo_iowq(r.fd, "bound", &bound));
	ASSERT_LT(0U, bound.workers);
	ASSERT_TRUE(xr_read_counters(&now));
	ASSERT_LE(base.workers + 1, now.workers);

	start = xr_now_ns();
	do {
		xr_sleep_ms(100);
		ASSERT_TRUE(xr_fdinfo_iowq(r.fd, "bound", &bound));
		ASSERT_TRUE(xr_fdinfo_iowq(r.fd, "unbound", &unbound));
		ASSERT_TRUE(xr_read_counters(&now));
	} while ((bound.workers || unbound.workers ||
		  now.workers != base.workers) && xr_ms_since(start) < 20000);
	ASSERT_EQ(0U, bound.workers);
	ASSERT_EQ(0U, unbound.workers);
	ASSERT_EQ(base.workers, now.workers);
	/* the idle timeout is 5 s: not much sooner */
	ASSERT_LE(4000ULL, xr_ms_since(start));

	/* new work, new worker */
	ASSERT_TRUE(xr_queue_nop(&r, xr_ud()));
	r.sqes[(r.sqe_tail - 1) & (r.p.sq_entries - 1)].flags =
		XURING_SQE_ASYNC;
	ASSERT_EQ(0, xr_run_one(&r, &cqe));
	xr_ring_exit(&r);
	XR_ASSERT_COUNTERS_SETTLE(&base);
}

/* Pass @fd over the unix socket @sock (to its peer's receive queue). */
static int send_fd(int sock, int fd)
{
	char control[CMSG_SPACE(sizeof(int))] = { 0 };
	char byte = 'r';
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = control,
		.msg_controllen = sizeof(control),
	};
	struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);

	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
	return sendmsg(sock, &msg, 0) == 1 ? 0 : -errno;
}

/*
 * The cycle of liburing's ring-leak test: the ring's fd sits in flight in
 * a unix socket that is registered in the ring's own file table, and the
 * process exits. Nothing but the ring itself holds the socket, nothing
 * but the socket holds the ring. The owner's exit must break the cycle:
 * the ring goes (and with it a registered pipe's write end, which the
 * parent sees as EOF), and the counters come back.
 */
TEST(ring_fd_in_flight_on_registered_socket)
{
	struct xr_counters base, now;
	int pipefd[2], status;
	struct pollfd pfd;
	char byte;
	pid_t pid;

	ASSERT_TRUE(xr_read_counters(&base));
	ASSERT_EQ(0, pipe(pipefd));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct xr_ring r;
		int sp[2], fds[3];

		close(pipefd[0]);
		if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sp) ||
		    xr_ring_init(&r, 8, 0))
			_exit(1);
		fds[0] = sp[0];
		fds[1] = sp[1];
		fds[2] = pipefd[1];
		if (xr_register(r.fd, XURING_REGISTER_FILES, fds, 3))
			_exit(2);
		if (send_fd(sp[0], r.fd))
			_exit(3);
		close(sp[0]);
		close(sp[1]);
		close(pipefd[1]);
		xr_ring_exit(&r);
		_exit(0);
	}
	close(pipefd[1]);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));

	/* the registered write end closes with the ring: EOF */
	pfd = (struct pollfd){ .fd = pipefd[0], .events = POLLIN };
	ASSERT_EQ(1, poll(&pfd, 1, 10000)) TH_LOG("the ring is still alive");
	ASSERT_EQ(0, read(pipefd[0], &byte, 1));
	close(pipefd[0]);
	EXPECT_TRUE(xr_counters_settle(&base, &now, 5000, 15000))
		TH_LOG("rings %ld (was %ld), requests %ld (was %ld)",
		       now.rings, base.rings, now.requests, base.requests);
}

TEST_HARNESS_MAIN
