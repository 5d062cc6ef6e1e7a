// SPDX-License-Identifier: GPL-2.0
/*
 * io-wq under the conditions issue 11 found it failing in:
 *  - a burst of blocking reads handed to an idle worker: each must be able
 *    to make progress while the worker limit allows (finding 4);
 *  - ring close while work items complete on their own: cancelling must
 *    never write into a request that has been freed (finding 3; slab
 *    poisoning or KASAN shows such a write, and the test reads the kernel
 *    log);
 *  - ring close with a buffered write running: it is not cut short, the
 *    file holds every byte (finding 12).
 */
#include <sys/prctl.h>

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

/* user_data of the tests' SQEs: a tag per test, then a sequence number */
#define UD_BURST		0xb0000000ULL
#define UD_CANCEL		0xc0000000ULL
#define UD_BIGWRITE		0xd0000001ULL
#define UD_WARMUP		0xe0000000ULL

static bool queue_read(struct xr_ring *r, int fd, void *buf, __u32 len,
		       __u64 user_data)
{
	struct xuring_sqe *sqe = xr_get_sqe(r);

	if (!sqe)
		return false;
	xr_prep_rw(sqe, XURING_OP_READ, fd, buf, len, 0, user_data);
	return true;
}

/*
 * Wait at most ms until the ring's unbound io-wq class shows the state
 * wanted: at least min_idle idle workers, or (min_idle < 0) nothing
 * queued and at least min_busy workers that are not idle.
 */
static bool wait_unbound(struct xr_ring *r, int min_idle, unsigned int min_busy,
			 unsigned int ms)
{
	struct xr_iowq_state st;
	__u64 start = xr_now_ns();

	do {
		if (xr_fdinfo_iowq(r->fd, "unbound", &st)) {
			if (min_idle >= 0 && st.idle >= (unsigned int)min_idle)
				return true;
			if (min_idle < 0 && !st.queued &&
			    st.workers - st.idle >= min_busy)
				return true;
		}
		xr_sleep_ms(2);
	} while (xr_ms_since(start) < ms);
	return false;
}

/* ------------------------------------------------------------ finding 4 */

/*
 * Four blocking reads on four empty pipes, submitted at once while an
 * idle worker exists: they go to io-wq, and data written to the fourth
 * pipe completes the fourth read within a few seconds, whatever the
 * other three wait for. The worker limit (unbounded: RLIMIT_NPROC or 128)
 * allows a worker each. Several rounds, since the idle worker must not
 * run before the burst is queued for the bug to show.
 */
TEST_F_TIMEOUT(slow, burst_to_idle_worker_progresses, 120)
{
	enum { NR = 4, ROUNDS = 5, PROGRESS_MS = 5000 };
	struct xr_iowq_state st;
	struct xuring_cqe cqe;
	struct xr_ring r;
	int warm[2], pipes[NR][2];
	char bufs[NR][8], wbuf[8];
	unsigned int round, i;

	ASSERT_EQ(0, xr_ring_init(&r, 16, 0));
	ASSERT_EQ(0, pipe(warm));

	for (round = 0; round < ROUNDS; round++) {
		__u64 ud = UD_BURST + round * 16;
		bool seen[NR] = { false };

		/* one worker that has run a read and now sits idle */
		ASSERT_TRUE(queue_read(&r, warm[0], wbuf, 1, UD_WARMUP + round));
		ASSERT_EQ(1, xr_submit(&r));
		ASSERT_TRUE(wait_unbound(&r, -1, 1, 5000));
		ASSERT_EQ(1, write(warm[1], "w", 1));
		ASSERT_EQ(0, xr_wait_cqe_ms(&r, &cqe, XR_IO_TIMEOUT_MS));
		ASSERT_EQ(UD_WARMUP + round, cqe.user_data);
		ASSERT_EQ(1, cqe.res);
		ASSERT_TRUE(wait_unbound(&r, 1, 0, 5000));

		for (i = 0; i < NR; i++) {
			ASSERT_EQ(0, pipe(pipes[i]));
			ASSERT_TRUE(queue_read(&r, pipes[i][0], bufs[i], 1,
					       ud + i));
		}
		ASSERT_EQ(NR, xr_submit(&r));
		ASSERT_TRUE(xr_no_cqe_for_ms(&r, 100));

		ASSERT_EQ(1, write(pipes[NR - 1][1], "z", 1));
		if (xr_wait_cqe_ms(&r, &cqe, PROGRESS_MS)) {
			if (xr_fdinfo_iowq(r.fd, "unbound", &st))
				TH_LOG("round %u: unbound io-wq: workers=%u idle=%u max=%u queued=%u",
				       round, st.workers, st.idle, st.max,
				       st.queued);
			ASSERT_TRUE(false)
				TH_LOG("round %u: no CQE %u ms after data reached the pipe of the last read of the burst",
				       round, PROGRESS_MS);
		}
		ASSERT_EQ(ud + NR - 1, cqe.user_data);
		ASSERT_EQ(1, cqe.res);
		ASSERT_EQ('z', bufs[NR - 1][0]);
		seen[NR - 1] = true;

		/* the others, once their data comes */
		for (i = 0; i < NR - 1; i++)
			ASSERT_EQ(1, write(pipes[i][1], "abc" + i, 1));
		for (i = 0; i < NR - 1; i++) {
			ASSERT_EQ(0, xr_wait_cqe_ms(&r, &cqe, XR_IO_TIMEOUT_MS));
			ASSERT_LE(ud, cqe.user_data);
			ASSERT_GT(ud + NR, cqe.user_data);
			ASSERT_FALSE(seen[cqe.user_data - ud]);
			seen[cqe.user_data - ud] = true;
			ASSERT_EQ(1, cqe.res);
			ASSERT_EQ("abc"[cqe.user_data - ud],
				  bufs[cqe.user_data - ud][0]);
		}
		for (i = 0; i < NR; i++) {
			close(pipes[i][0]);
			close(pipes[i][1]);
		}
	}
	close(warm[0]);
	close(warm[1]);
	xr_ring_exit(&r);
}

/* ------------------------------------------------------------ finding 3 */

struct pipe_writer {
	int (*pipes)[2];
	unsigned int nr;
	/* 1: go; the writer spins until then */
	int go;
};

static void *write_pipes(void *arg)
{
	struct pipe_writer *w = arg;
	unsigned int i;

	while (!__atomic_load_n(&w->go, __ATOMIC_ACQUIRE))
		;
	for (i = 0; i < w->nr; i++) {
		if (write(w->pipes[i][1], "d", 1) != 1)
			break;
	}
	return NULL;
}

/*
 * Close a ring while the reads its io-wq workers run complete on their
 * own, many times over: data reaches the pipes from another thread at the
 * moment the ring is closed, so requests are freed while teardown cancels
 * the running work. Cancelling must not touch a freed request: slab
 * poisoning (slub_debug=P) or KASAN reports such a write, which this test
 * finds in the kernel log; the runner's dmesg check finds it too.
 */
TEST_F_TIMEOUT(slow, close_while_running_work_completes, 600)
{
	enum { ITERATIONS = 300, NR = 8 };
	unsigned int iter, i, not_running = 0;
	struct xr_counters base;
	char bufs[NR][4];
	int kmsg;

	XR_READ_BASELINE(&base);
	kmsg = xr_kmsg_open();
	if (!xr_slab_poisoned("xuring_req"))
		TH_LOG("slab poisoning is off for xuring_req: a write to a freed request shows only under KASAN (boot with slub_debug=FZP,xuring_req)");
	srand(getpid());

	for (iter = 0; iter < ITERATIONS; iter++) {
		struct pipe_writer w = { .nr = NR };
		int pipes[NR][2];
		struct xr_ring r;
		pthread_t thread;

		w.pipes = pipes;
		ASSERT_EQ(0, xr_ring_init(&r, 16, 0));
		for (i = 0; i < NR; i++) {
			ASSERT_EQ(0, pipe(pipes[i]));
			ASSERT_TRUE(queue_read(&r, pipes[i][0], bufs[i], 1,
					       UD_CANCEL + iter * NR + i));
		}
		ASSERT_EQ(NR, xr_submit(&r));
		/* every read running in a worker of its own */
		if (!wait_unbound(&r, -1, NR, 2000))
			not_running++;

		ASSERT_EQ(0, pthread_create(&thread, NULL, write_pipes, &w));
		__atomic_store_n(&w.go, 1, __ATOMIC_RELEASE);
		/* somewhere within the writer's run */
		for (i = rand() % 20000; i; i--)
			__asm__ __volatile__("" ::: "memory");
		xr_ring_exit(&r);
		ASSERT_EQ(0, pthread_join(thread, NULL));
		for (i = 0; i < NR; i++) {
			close(pipes[i][0]);
			close(pipes[i][1]);
		}
	}
	if (not_running)
		TH_LOG("%u of %u iterations closed the ring before all %d reads ran in workers",
		       not_running, ITERATIONS, NR);
	XR_ASSERT_COUNTERS_SETTLE(&base);
	/* slab debugging checks the free objects' poison now */
	xr_slab_validate("xuring_req");
	XR_ASSERT_KMSG_CLEAN(kmsg);
	if (kmsg >= 0)
		close(kmsg);
}

/* ----------------------------------------------------------- finding 12 */

/*
 * A 64 MiB buffered write runs in io-wq (IOSQE_ASYNC) to an ext4 file;
 * the ring is closed as soon as the write is under way, the process lives
 * on. As with io_uring, closing the ring does not cut short regular-file
 * I/O already running: once teardown is over, the file holds all 64 MiB,
 * byte for byte.
 */
TEST_F_TIMEOUT(slow, close_keeps_running_buffered_write, 300)
{
	const size_t len = 64 << 20, chunk = 1 << 20;
	const char *dir = xr_env_path("XURING_EXT4_DIR");
	struct xuring_sqe *sqe;
	struct xr_counters base, now;
	unsigned char *buf;
	struct stat st;
	struct xr_ring r;
	size_t off;
	__u64 start;
	int fd;

	if (!dir)
		SKIP(return, "no XURING_EXT4_DIR");
	XR_READ_BASELINE(&base);
	fd = xr_scratch_file(dir, O_RDWR);
	ASSERT_LE(0, fd) TH_LOG("scratch file in %s: %s", dir, strerror(-fd));
	buf = xr_alloc(len);
	ASSERT_NE(NULL, buf);
	xr_fill_pattern(buf, len, 0, 12);

	ASSERT_EQ(0, xr_ring_init(&r, 4, 0));
	XR_GET_SQE(sqe, &r);
	xr_prep_rw(sqe, XURING_OP_WRITE, fd, buf, len, 0, UD_BIGWRITE);
	sqe->flags |= XURING_SQE_ASYNC;
	ASSERT_EQ(1, xr_submit(&r));

	/* under way: the first pages are in the file */
	start = xr_now_ns();
	do {
		ASSERT_EQ(0, fstat(fd, &st));
		if (st.st_size > 0)
			break;
		usleep(200);
	} while (xr_ms_since(start) < XR_IO_TIMEOUT_MS);
	ASSERT_LT(0, st.st_size) TH_LOG("the write did not start");
	ASSERT_GT((off_t)len, st.st_size)
		TH_LOG("the write finished before the ring was closed");
	xr_ring_exit(&r);

	/* teardown (now, or deferred) is over: the ring is gone */
	ASSERT_TRUE(xr_counters_settle(&base, &now, 120000, 120000))
		TH_LOG("rings %ld requests %ld", now.rings, now.requests);
	ASSERT_EQ(0, fstat(fd, &st));
	ASSERT_EQ((off_t)len, st.st_size)
		TH_LOG("closing the ring cut the write short: %lld of %zu bytes",
		       (long long)st.st_size, len);
	memset(buf, 0, len);
	ASSERT_TRUE(xr_pread_all(fd, buf, len, 0));
	for (off = 0; off < len; off += chunk)
		XR_ASSERT_PATTERN(buf + off, chunk, off, 12);
	xr_free(buf, len);
	close(fd);
}

TEST_HARNESS_MAIN
