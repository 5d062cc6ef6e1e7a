// SPDX-License-Identifier: GPL-2.0
/*
 * xuring's memory and threads count where io_uring's would: in the cgroup
 * of the process that set the ring up (issue 11, findings 5, 6 and 7).
 *  - Ring memory is charged to the memory cgroup: many maximum-size rings
 *    either make memory.current grow by their size, or fail with -ENOMEM,
 *    or get the process OOM-killed, as with io_uring.
 *  - The SQ thread and io-wq workers run in the owner's cgroup: they show
 *    there in /proc, count in pids.current and their CPU time in cpu.stat;
 *    SQ_AFF may not name a CPU outside the owner's cpuset.
 *  - What the SQ thread allocates for the owner is charged to the owner's
 *    memory cgroup, and a ring that is never reaped cannot make it
 *    allocate without bound: the CQ overflow backlog has a cap, and no CQE
 *    is lost once the application reaps.
 * Each attack runs as uid 65534 in a cgroup of its own, which the test
 * makes (mounting cgroup v2 and enabling the controllers when the guest
 * has not).
 */
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

#define UD_NOP_FEED	0x7000000000ULL

/* the most SQ entries a ring may have, as io_uring's */
#define MAX_ENTRIES	32768

/* Bytes of a ring's memory: the rings region and the SQE array. */
static size_t ring_bytes(const struct xuring_params *p)
{
	return xr_page_align(p->sq_off.array + p->sq_entries * sizeof(__u32)) +
	       xr_page_align(p->sq_entries * sizeof(struct xuring_sqe));
}

/* The size of a request object, from the slab, or a lower bound. */
static long req_object_size(void)
{
	char buf[32];

	if (xr_read_file("/sys/kernel/slab/xuring_req/object_size", buf,
			 sizeof(buf)) > 0)
		return atol(buf);
	/* the command area alone is 184 bytes */
	return 184;
}

/* ------------------------------------------------------------ finding 5 */

#define NR_BIG_RINGS	40

struct big_rings_report {
	/* rings set up before the first failure, and that failure */
	int nr_ok;
	int err;
	size_t bytes_per_ring;
};

static void set_up_big_rings(void *arg, int wfd)
{
	struct big_rings_report rep = { 0 };
	int *go = arg;
	char c;

	/* the parent measures before we start */
	close(go[1]);
	if (read(go[0], &c, 1) != 1)
		_exit(122);
	for (; rep.nr_ok < NR_BIG_RINGS; rep.nr_ok++) {
		struct xuring_params p = { 0 };
		int fd = xr_open();

		if (fd < 0) {
			rep.err = fd;
			break;
		}
		rep.err = xr_setup(fd, MAX_ENTRIES, &p);
		if (rep.err) {
			close(fd);
			break;
		}
		rep.bytes_per_ring = ring_bytes(&p);
	}
	xr_report(wfd, &rep, sizeof(rep));
	/* keep the rings until killed */
	for (;;)
		pause();
}

/*
 * In a cgroup with memory.max = 64 MiB, 40 rings of 32768 entries (about
 * 3 MiB each): memory.current grows by at least 90% of their size, or a
 * setup fails with -ENOMEM, or the memory cgroup's OOM killer ends the
 * process. Today the rings' vmalloc memory is not charged at all.
 */
TEST_F_TIMEOUT(slow, ring_memory_is_charged, 120)
{
	struct big_rings_report rep;
	long long before, after, ooms;
	struct xr_cgroup cg = { 0 };
	int go[2], rfd = -1, status;
	bool reported;
	pid_t pid;

	XR_REQUIRE_ROOT();
	XR_REQUIRE_CGROUP("memory");
	ASSERT_EQ(0, xr_cgroup_create(&cg, "ringmem"));
	ASSERT_EQ(0, xr_cgroup_write(&cg, "memory.max", "67108864"));
	ASSERT_EQ(0, pipe(go));
	pid = xr_spawn(&cg, true, set_up_big_rings, go, &rfd);
	ASSERT_LT(0, pid);
	close(go[0]);

	/* the child is in the cgroup once its pid is listed there */
	xr_sleep_ms(200);
	before = xr_cgroup_read(&cg, "memory.current");
	ASSERT_EQ(1, write(go[1], "g", 1));
	reported = xr_read_full_ms(rfd, &rep, sizeof(rep), 60000);
	after = xr_cgroup_read(&cg, "memory.current");
	ooms = xr_cgroup_key(&cg, "memory.events", "oom_kill");
	status = xr_kill_child(pid);
	close(rfd);
	close(go[1]);
	xr_cgroup_destroy(&cg);

	if (!reported) {
		/* killed on the way: by the memory cgroup's OOM killer only */
		ASSERT_TRUE(status >= 0 && WIFSIGNALED(status) &&
			    WTERMSIG(status) == SIGKILL)
			TH_LOG("the child ended without a report (status %#x)",
			       status);
		ASSERT_LT(0, ooms) TH_LOG("killed, but not by the memory cgroup");
		return;
	}
	TH_LOG("%d rings of %zu KiB set up (then %s); memory.current %lld -> %lld KiB",
	       rep.nr_ok, rep.bytes_per_ring >> 10,
	       rep.err ? strerror(-rep.err) : "no failure",
	       before >> 10, after >> 10);
	if (rep.err) {
		ASSERT_EQ(-ENOMEM, rep.err);
		return;
	}
	ASSERT_LE((long long)(rep.nr_ok * rep.bytes_per_ring / 10 * 9),
		  after - before)
		TH_LOG("%d rings of %zu KiB grew memory.current by %lld KiB only",
		       rep.nr_ok, rep.bytes_per_ring >> 10,
		       (after - before) >> 10);
}

/* ------------------------------------------------------------ finding 6 */

struct threads_report {
	int owner;
	int sq_thread;
	int workers[4];
	int nr_workers;
	char cgroup[128];
};

/*
 * An SQPOLL ring whose thread is kept busy, and a plain ring with a read
 * blocked in an io-wq worker; report the threads, stay until killed.
 */
static void start_threads(void *arg, int wfd)
{
	struct threads_report rep = { .owner = getpid() };
	struct xr_ring sq, plain;
	struct xuring_sqe *sqe;
	int p[2];
	char buf[8];

	if (xr_sq_ring_init(&sq, 8, 3000, 0) || xr_ring_init(&plain, 8, 0) ||
	    pipe(p))
		_exit(122);
	/* a blocking read: it waits in a worker */
	sqe = xr_get_sqe(&plain);
	if (!sqe)
		_exit(123);
	xr_prep_rw(sqe, XURING_OP_READ, p[0], buf, 1, 0, 0x6000000001ULL);
	if (xr_submit(&plain) != 1)
		_exit(123);
	rep.sq_thread = xr_sq_thread_pid(sq.fd);
	xr_task_cgroup(getpid(), rep.cgroup, sizeof(rep.cgroup));
	for (int i = 0; i < 100; i++) {
		rep.nr_workers = xr_owner_threads("xuring-wq", getpid(),
						  rep.workers, 4);
		if (rep.nr_workers > 0)
			break;
		xr_sleep_ms(20);
	}
	/* the thread spins for sq_thread_idle (3 s) after this */
	if (!xr_queue_nop(&sq, 0x6000000002ULL) || xr_sqpoll_submit(&sq) < 0)
		_exit(124);
	xr_report(wfd, &rep, sizeof(rep));
	for (;;)
		pause();
}

/*
 * The SQ thread and the io-wq worker of an unprivileged owner in a cgroup
 * run in that cgroup: /proc/<tid>/cgroup is the owner's, pids.current
 * counts them, and while the SQ thread spins for a second (the owner
 * sleeps), cpu.stat's usage grows by at least half the CPU time the
 * thread used meanwhile (measured, not assumed: a loaded host gives the
 * guest's CPUs less than the guest's clock shows). Today both run in the
 * root cgroup.
 */
TEST_F_TIMEOUT(slow, threads_run_in_owner_cgroup, 120)
{
	char sq_cg[128] = "?", wq_cg[128] = "?";
	struct xr_cgroup cg = { 0 };
	struct threads_report rep;
	long long pids = -1, usage0 = 0, usage1 = 0, sq_ns0 = 0, sq_ns1 = 0;
	int rfd = -1;
	pid_t pid;
	bool ok;

	XR_REQUIRE_ROOT();
	XR_REQUIRE_CGROUP("pids cpu");
	ASSERT_EQ(0, xr_cgroup_create(&cg, "threads"));
	pid = xr_spawn(&cg, true, start_threads, NULL, &rfd);
	ASSERT_LT(0, pid);
	ok = xr_read_full_ms(rfd, &rep, sizeof(rep), XR_IO_TIMEOUT_MS);
	if (ok) {
		sq_ns0 = xr_task_runtime_ns(rep.sq_thread);
		usage0 = xr_cgroup_key(&cg, "cpu.stat", "usage_usec");
		xr_sleep_ms(1000);
		usage1 = xr_cgroup_key(&cg, "cpu.stat", "usage_usec");
		sq_ns1 = xr_task_runtime_ns(rep.sq_thread);
		pids = xr_cgroup_read(&cg, "pids.current");
		xr_task_cgroup(rep.sq_thread, sq_cg, sizeof(sq_cg));
		if (rep.nr_workers > 0)
			xr_task_cgroup(rep.workers[0], wq_cg, sizeof(wq_cg));
	}
	xr_kill_child(pid);
	close(rfd);
	xr_cgroup_destroy(&cg);

	ASSERT_TRUE(ok) TH_LOG("the owner did not report");
	TH_LOG("owner in %s; SQ thread %d in %s; %d worker(s), the first in %s; pids.current %lld",
	       rep.cgroup, rep.sq_thread, sq_cg, rep.nr_workers, wq_cg, pids);
	TH_LOG("in 1 s: the SQ thread ran %lld ms, the cgroup's cpu usage grew %lld ms",
	       (sq_ns1 - sq_ns0) / 1000000, (usage1 - usage0) / 1000);
	ASSERT_LT(0, rep.sq_thread);
	ASSERT_LT(0, rep.nr_workers);
	ASSERT_STREQ(rep.cgroup, sq_cg);
	ASSERT_STREQ(rep.cgroup, wq_cg);
	/* the owner, its SQ thread and its worker */
	ASSERT_LE(3, pids);
	/* it spun: more than a tenth of the second */
	ASSERT_LE(100000000LL, sq_ns1 - sq_ns0);
	ASSERT_LE((sq_ns1 - sq_ns0) / 2000, usage1 - usage0);
}

static void sq_aff_cpus(void *arg, int wfd)
{
	int rets[2];
	int cpu;

	for (cpu = 0; cpu < 2; cpu++) {
		struct xuring_params p = {
			.flags = XURING_SETUP_SQPOLL | XURING_SETUP_SQ_AFF,
			.sq_thread_cpu = cpu,
		};
		int fd = xr_open();

		rets[cpu] = fd < 0 ? fd : xr_setup(fd, 4, &p);
		if (fd >= 0)
			close(fd);
	}
	xr_report(wfd, rets, sizeof(rets));
}

/*
 * In a cpuset of CPU 0 only, SQ_AFF on CPU 1 is -EINVAL (the thread may
 * not run where the owner may not); on CPU 0 it is fine. Today CPU 1 is
 * accepted.
 */
TEST(sq_aff_outside_cpuset)
{
	struct xr_cgroup cg = { 0 };
	int rets[2], rfd = -1;
	bool ok;
	pid_t pid;

	XR_REQUIRE_ROOT();
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		SKIP(return, "needs CPUs 0 and 1 online");
	XR_REQUIRE_CGROUP("cpuset");
	ASSERT_EQ(0, xr_cgroup_create(&cg, "cpuset"));
	ASSERT_EQ(0, xr_cgroup_write(&cg, "cpuset.cpus", "0"));
	pid = xr_spawn(&cg, true, sq_aff_cpus, NULL, &rfd);
	ASSERT_LT(0, pid);
	ok = xr_read_full_ms(rfd, rets, sizeof(rets), XR_IO_TIMEOUT_MS);
	xr_wait_child_ms(pid, XR_IO_TIMEOUT_MS);
	close(rfd);
	xr_cgroup_destroy(&cg);
	ASSERT_TRUE(ok);
	ASSERT_EQ(0, rets[0]);
	ASSERT_EQ(-EINVAL, rets[1]);
}

/* ------------------------------------------------------------ finding 7 */

#define FEED_NOPS	200000
#define FEED_SQ		1024
#define FEED_CQ		32768

struct feed_report {
	int setup_err;
	/* NOPs the SQ thread consumed before it stopped (or all of them) */
	unsigned int consumed;
	bool stalled;
	/* the most requests alive, and memory.current, while fed */
	long max_requests;
	long long mem_before, mem_fed;
	/* CQEs reaped afterwards, the first one out of order, drops */
	unsigned int reaped;
	long first_wrong;
	__u64 wrong_user_data;
	__s32 wrong_res;
	unsigned int cq_overflow;
};

/* Fill the SQ with the next NOPs of the feed; how many were queued. */
static unsigned int feed_nops(struct xr_ring *r, unsigned int *next)
{
	unsigned int n = 0;

	while (*next < FEED_NOPS && xr_queue_nop(r, UD_NOP_FEED + *next)) {
		(*next)++;
		n++;
	}
	if (n)
		xr_sqpoll_submit(r);
	return n;
}

/*
 * Feed 200,000 NOPs to an SQPOLL ring without reaping (rewriting SQEs as
 * the SQ head moves) until they are all consumed or the SQ thread stops
 * taking them for 5 s; then reap every CQE, feeding the rest.
 */
static void feed_unreaped(void *arg, int wfd)
{
	const char *memcur = arg;
	struct feed_report rep = { .first_wrong = -1 };
	struct xuring_params p = {
		.flags = XURING_SETUP_SQPOLL | XURING_SETUP_CQSIZE,
		.sq_thread_idle = 1000,
		.cq_entries = FEED_CQ,
	};
	unsigned int next = 0, head, last_head = 0;
	long base = xr_counter("requests");
	struct xuring_cqe cqe;
	__u64 moved = xr_now_ns(), sampled = 0;
	struct xr_ring r;
	char buf[32];

	if (xr_read_file(memcur, buf, sizeof(buf)) > 0)
		rep.mem_before = atoll(buf);
	rep.setup_err = xr_ring_init_params(&r, FEED_SQ, &p);
	if (rep.setup_err) {
		xr_report(wfd, &rep, sizeof(rep));
		return;
	}
	while (next < FEED_NOPS || xr_load_acquire(r.sq_head) != *r.sq_tail) {
		feed_nops(&r, &next);
		head = xr_load_acquire(r.sq_head);
		if (head != last_head) {
			last_head = head;
			moved = xr_now_ns();
		} else if (xr_ms_since(moved) > 5000) {
			rep.stalled = true;
			break;
		}
		if (xr_ms_since(sampled) >= 10) {
			long now = xr_counter("requests") - base;

			if (now > rep.max_requests)
				rep.max_requests = now;
			sampled = xr_now_ns();
		}
		usleep(100);
	}
	rep.consumed = xr_load_acquire(r.sq_head);
	if (xr_read_file(memcur, buf, sizeof(buf)) > 0)
		rep.mem_fed = atoll(buf);

	/* now reap: every NOP's CQE exactly once, in order */
	moved = xr_now_ns();
	while (rep.reaped < FEED_NOPS && xr_ms_since(moved) < 20000) {
		if (!xr_reap_cqe(&r, &cqe)) {
			struct __kernel_timespec ts = { .tv_nsec = 100000000 };
			struct xuring_getevents_arg ga = {
				.ts = (uintptr_t)&ts,
			};

			feed_nops(&r, &next);
			/* flushes the overflow backlog into the CQ */
			xr_enter(r.fd, 0, 1, XURING_ENTER_GETEVENTS |
				 XURING_ENTER_EXT_ARG | XURING_ENTER_SQ_WAKEUP,
				 &ga, sizeof(ga));
			continue;
		}
		moved = xr_now_ns();
		if (rep.first_wrong < 0 &&
		    (cqe.user_data != UD_NOP_FEED + rep.reaped || cqe.res)) {
			rep.first_wrong = rep.reaped;
			rep.wrong_user_data = cqe.user_data;
			rep.wrong_res = cqe.res;
		}
		rep.reaped++;
	}
	rep.cq_overflow = *r.cq_overflow;
	xr_report(wfd, &rep, sizeof(rep));
	xr_ring_exit(&r);
}

/*
 * An SQPOLL ring (1024 SQ entries, 32768 CQ entries) in a memory cgroup,
 * never reaped, fed 200,000 NOPs:
 *  - the requests the SQ thread allocates are charged: memory.current
 *    grows by at least half their slab size;
 *  - the overflow backlog is bounded: the module's request count stays
 *    below 4 x cq_entries + sq_entries (+ slack), the SQ thread stops
 *    consuming instead;
 *  - once the application reaps, every NOP's CQE arrives exactly once, in
 *    order, and none was dropped.
 * Today all 200,000 are consumed, the backlog holds ~167,000 requests,
 * and memory.current does not move.
 */
TEST_F_TIMEOUT(slow, sq_thread_allocations_charged_and_bounded, 600)
{
	const long slack = 256;
	struct xr_cgroup cg = { 0 };
	struct feed_report rep;
	char memcur[320];
	long objsize = req_object_size();
	int rfd = -1, status;
	bool ok;
	pid_t pid;

	XR_REQUIRE_ROOT();
	XR_REQUIRE_CGROUP("memory");
	ASSERT_EQ(0, xr_cgroup_create(&cg, "sqmem"));
	ASSERT_EQ(0, xr_cgroup_write(&cg, "memory.max", "536870912"));
	snprintf(memcur, sizeof(memcur), "%s/memory.current", cg.path);
	pid = xr_spawn(&cg, true, feed_unreaped, memcur, &rfd);
	ASSERT_LT(0, pid);
	ok = xr_read_full_ms(rfd, &rep, sizeof(rep), 500000);
	status = xr_wait_child_ms(pid, XR_IO_TIMEOUT_MS);
	close(rfd);
	xr_cgroup_destroy(&cg);

	ASSERT_TRUE(ok) TH_LOG("no report from the owner (status %#x)", status);
	ASSERT_EQ(0, rep.setup_err);
	TH_LOG("consumed %u of %d NOPs unreaped (%s); at most %ld requests alive (%ld bytes each); memory.current %lld -> %lld KiB",
	       rep.consumed, FEED_NOPS,
	       rep.stalled ? "then the SQ thread stopped" : "all",
	       rep.max_requests, objsize, rep.mem_before >> 10,
	       rep.mem_fed >> 10);
	TH_LOG("reaped %u CQEs, first wrong at %ld (user_data %#llx res %d), %u dropped",
	       rep.reaped, rep.first_wrong,
	       (unsigned long long)rep.wrong_user_data, rep.wrong_res,
	       rep.cq_overflow);

	ASSERT_GT(4L * FEED_CQ + FEED_SQ + slack, rep.max_requests)
		TH_LOG("the overflow backlog is unbounded");
	ASSERT_LE((long long)rep.max_requests * objsize / 2,
		  rep.mem_fed - rep.mem_before)
		TH_LOG("the SQ thread's requests are not charged to the owner's memory cgroup");
	ASSERT_EQ(0U, rep.cq_overflow);
	ASSERT_EQ(-1, rep.first_wrong);
	ASSERT_EQ((unsigned int)FEED_NOPS, rep.reaped);
}

TEST_HARNESS_MAIN
