// SPDX-License-Identifier: GPL-2.0
/*
 * SQPOLL: a kernel thread consumes the SQ while the application only
 * writes SQEs and moves the tail. Submission without ENTER; the
 * NEED_WAKEUP / SQ_WAKEUP protocol over hundreds of sleep and wake cycles
 * with nothing lost; an idle thread that uses no CPU; SQ_WAIT; SQ_AFF;
 * one thread shared fairly by two rings; close and SIGKILL with the
 * thread busy and asleep; the memory of an exited owner released; and
 * ENTER's submission rules (checks, links, drain, fixed files and
 * buffers, CQ overflow, the owner's credentials and RLIMIT_FSIZE) applied
 * by the thread. File data is written and read back byte for byte.
 */
#include <sys/prctl.h>
#include <sys/socket.h>

#include "xuring_poll.h"
#include "kselftest_harness.h"

XR_SKIP_ALL_WITHOUT_DEVICE()

#define BS	4096

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

/* Queue one read or write; false if the SQ is full. */
static bool queue_rw(struct xr_ring *r, __u8 op, int fd, void *addr,
		     __u32 len, __u64 off, __u64 user_data)
{
	struct xuring_sqe *sqe = xr_get_sqe(r);

	if (!sqe)
		return false;
	xr_prep_rw(sqe, op, fd, addr, len, off, user_data);
	return true;
}

/* Scratch files for speed: tmpfs if the VM has one, else ext4. */
static const char *fast_dir(void)
{
	const char *dir = xr_env_path("XURING_TMPDIR");

	return dir ? dir : xr_scratch_dir();
}

/*
 * Submit what is queued the SQPOLL way and reap n CQEs into out[] (in
 * completion order, waiting in ENTER(GETEVENTS)); how many came.
 */
static unsigned int sq_run(struct xr_ring *r, struct xuring_cqe *out,
			   unsigned int n)
{
	if (xr_sqpoll_submit(r) < 0)
		return 0;
	return xr_reap_n(r, out, n, XR_IO_TIMEOUT_MS);
}

/*
 * Reap n (at most 64) CQEs that are ready: one each for user_data first
 * to first + n - 1, with result res.
 */
static void reap_batch(struct __test_metadata *_metadata, struct xr_ring *r,
		       __u64 first, unsigned int n, int res)
{
	struct xuring_cqe cqes[64];
	unsigned int i;

	ASSERT_GE(64U, n);
	for (i = 0; i < n; i++) {
		ASSERT_TRUE(xr_reap_cqe(r, &cqes[i]));
		ASSERT_EQ(res, cqes[i].res);
	}
	XR_ASSERT_EACH_ONCE(cqes, n, first);
}

/* ------------------------------------------------ submission, wakeups */

/*
 * Once the thread is awake, SQEs published by moving the tail are
 * consumed and completed without any ENTER: rounds of writes,
 * then reads of what they wrote, compared byte for byte.
 */
TEST(submit_without_enter)
{
	enum { ROUNDS = 16, PER = 8 };
	size_t len = ROUNDS * PER * BS;
	unsigned char *wbuf, *rbuf;
	unsigned int round, i;
	struct xr_ring r;
	int fd;

	XR_OPEN_SCRATCH(fd, O_RDWR);
	/* idle 10 s: once woken, the thread stays awake for the whole test */
	ASSERT_EQ(0, xr_sq_ring_init(&r, 2 * PER, 10000, 0));
	wbuf = xr_alloc(len);
	rbuf = xr_alloc(len);
	ASSERT_NE(NULL, wbuf);
	ASSERT_NE(NULL, rbuf);
	xr_fill_pattern(wbuf, len, 0, 1);

	for (round = 0; round < 2 * ROUNDS; round++) {
		bool writing = round < ROUNDS;
		unsigned int first = round % ROUNDS * PER;
		__u64 ud = xr_ud_block(PER);
		int woke;

		for (i = 0; i < PER; i++) {
			size_t off = (size_t)(first + i) * BS;

			ASSERT_TRUE(queue_rw(&r, writing ? XURING_OP_WRITE :
					     XURING_OP_READ, fd,
					     (writing ? wbuf : rbuf) + off, BS,
					     off, ud + i));
		}
		woke = xr_sqpoll_submit(&r);
		ASSERT_LE(0, woke);
		/* the thread sleeps until its first SQE; after that, never */
		if (round) {
			ASSERT_EQ(0, woke) TH_LOG("round %u: thread slept", round);
		}
		ASSERT_EQ((unsigned int)PER,
			  xr_spin_for_cqes(&r, PER, XR_IO_TIMEOUT_MS));
		reap_batch(_metadata, &r, ud, PER, BS);
	}
	XR_ASSERT_PATTERN(rbuf, len, 0, 1);
	xr_ring_exit(&r);
	xr_free(wbuf, len);
	xr_free(rbuf, len);
	close(fd);
}

/*
 * After sq_thread_idle without work the thread sets NEED_WAKEUP and
 * sleeps: an SQE published then stays unconsumed, ENTER without
 * SQ_WAKEUP does not wake it, ENTER with SQ_WAKEUP does.
 */
TEST(sleeps_until_woken)
{
	__u64 ud = xr_ud_block(2);
	struct xuring_cqe cqe;
	struct xr_ring r;

	ASSERT_EQ(0, xr_sq_ring_init(&r, 8, 20, 0));
	ASSERT_TRUE(xr_wait_sq_asleep(&r, 5000));
	ASSERT_TRUE(xr_queue_nop(&r, ud));
	xr_flush_sq(&r);
	xr_sleep_ms(300);
	ASSERT_EQ(0U, xr_cq_ready(&r));
	ASSERT_EQ(*r.sq_tail - 1, xr_load_acquire(r.sq_head));
	ASSERT_TRUE(xr_sq_needs_wakeup(&r));

	/* like io_uring: ENTER returns to_submit, and only wakes if asked */
	ASSERT_EQ(1, xr_enter(r.fd, 1, 0, 0, NULL, 0));
	xr_sleep_ms(200);
	ASSERT_EQ(0U, xr_cq_ready(&r));
	ASSERT_EQ(0, xr_enter(r.fd, 0, 0, XURING_ENTER_SQ_WAKEUP, NULL, 0));
	ASSERT_EQ(1U, xr_spin_for_cqes(&r, 1, XR_IO_TIMEOUT_MS));
	ASSERT_TRUE(xr_reap_cqe(&r, &cqe));
	ASSERT_EQ(ud, cqe.user_data);
	ASSERT_EQ(0, cqe.res);

	/* asleep again after the idle time; GETEVENTS waits for the thread */
	ASSERT_TRUE(xr_wait_sq_asleep(&r, 5000));
	ASSERT_TRUE(xr_queue_nop(&r, ud + 1));
	ASSERT_EQ(1, xr_sqpoll_submit(&r));
	ASSERT_EQ(0, xr_wait_cqe_ms(&r, &cqe, XR_IO_TIMEOUT_MS));
	ASSERT_EQ(ud + 1, cqe.user_data);
	xr_ring_exit(&r);
}

/*
 * Hundreds of cycles with a 5 ms idle time: submit after the thread has
 * gone to sleep, at a random moment around the time it goes to sleep
 * (the race the barriers of the wakeup protocol are for), or right away.
 * Every write completes, none twice, without ENTER(GETEVENTS), and the
 * file holds what was written.
 */
TEST_F_TIMEOUT(slow, sleep_wake_cycles, 120)
{
	enum { CYCLES = 200, MAX_BATCH = 4, LEN = 512 };
	size_t total = CYCLES * MAX_BATCH * LEN;
	unsigned int cycle, seq = 0, slept = 0, woken = 0, i;
	unsigned char *wbuf, *rbuf;
	const char *dir = fast_dir();
	struct xr_ring r;
	int fd;

	if (!dir)
		SKIP(return, "neither XURING_TMPDIR nor XURING_EXT4_DIR");
	fd = xr_scratch_file(dir, O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, xr_sq_ring_init(&r, 8, 5, 0));
	wbuf = xr_alloc(total);
	rbuf = xr_alloc(total);
	ASSERT_NE(NULL, wbuf);
	ASSERT_NE(NULL, rbuf);
	xr_fill_pattern(wbuf, total, 0, 2);

	srandom(7);
	for (cycle = 0; cycle < CYCLES; cycle++) {
		unsigned int n = 1 + random() % MAX_BATCH, mode = random() % 3;
		__u64 ud = xr_ud_block(n);
		int ret;

		if (mode == 0) {
			ASSERT_TRUE(xr_wait_sq_asleep(&r, 5000))
				TH_LOG("cycle %u: the thread never slept", cycle);
			slept++;
		} else if (mode == 1) {
			usleep(random() % 8000);
		}
		for (i = 0; i < n; i++)
			ASSERT_TRUE(queue_rw(&r, XURING_OP_WRITE, fd,
					     wbuf + (seq + i) * LEN, LEN,
					     (seq + i) * LEN, ud + i));
		ret = xr_sqpoll_submit(&r);
		ASSERT_LE(0, ret);
		/* a thread that said it sleeps stays asleep until woken */
		if (mode == 0) {
			ASSERT_EQ(1, ret);
		}
		woken += ret;
		ASSERT_EQ(n, xr_spin_for_cqes(&r, n, XR_IO_TIMEOUT_MS))
			TH_LOG("cycle %u (mode %u): lost; sq head %u tail %u flags 0x%x",
			       cycle, mode, xr_load_acquire(r.sq_head),
			       *r.sq_tail, xr_load_acquire(r.sq_flags));
		reap_batch(_metadata, &r, ud, n, LEN);
		seq += n;
	}
	TH_LOG("%u cycles, %u submitted to a sleeping thread, %u wakeups",
	       CYCLES, slept, woken);
	ASSERT_LE(slept, woken);
	ASSERT_TRUE(xr_pread_all(fd, rbuf, (size_t)seq * LEN, 0));
	XR_ASSERT_PATTERN(rbuf, (size_t)seq * LEN, 0, 2);
	xr_ring_exit(&r);
	xr_free(wbuf, total);
	xr_free(rbuf, total);
	close(fd);
}

/* CPU time of a task over ms milliseconds, in microseconds. */
static long long runtime_us_over(int pid, unsigned int ms)
{
	long long t0 = xr_task_runtime_ns(pid), t1;

	xr_sleep_ms(ms);
	t1 = xr_task_runtime_ns(pid);
	return t0 < 0 || t1 < 0 ? -1 : (t1 - t0) / 1000;
}

/* Submit a NOP the SQPOLL way and reap its CQE: its res, or INT_MIN. */
static int sq_nop(struct xr_ring *r)
{
	struct xuring_cqe cqe;
	__u64 ud = xr_ud();

	if (!xr_queue_nop(r, ud) || sq_run(r, &cqe, 1) != 1)
		return INT_MIN;
	return cqe.user_data == ud ? cqe.res : INT_MIN;
}

/*
 * The thread has a recognisable name, spins (and uses a CPU) for its idle
 * time after work, and then sleeps without using any CPU at all. The
 * spinning thread is the control that shows the measurement can see a
 * thread that runs.
 */
TEST_F_TIMEOUT(slow, idle_thread_uses_no_cpu, 60)
{
	long long asleep_short, asleep_long, spinning;
	char comm[32], want[32];
	struct xr_ring r, r2;
	int pid, pid2;

	ASSERT_EQ(0, xr_sq_ring_init(&r, 8, 50, 0));
	pid = xr_sq_thread_pid(r.fd);
	ASSERT_LT(0, pid);
	ASSERT_TRUE(xr_task_comm(pid, comm, sizeof(comm)));
	snprintf(want, sizeof(want), XR_SQ_THREAD_NAME "/%d", getpid());
	ASSERT_STREQ(want, comm);
	if (xr_task_runtime_ns(pid) < 0)
		SKIP(return, "no /proc/<pid>/schedstat (CONFIG_SCHED_INFO)");

	ASSERT_EQ(0, sq_nop(&r));
	ASSERT_TRUE(xr_wait_sq_asleep(&r, 5000));
	asleep_short = runtime_us_over(pid, 500);

	ASSERT_EQ(0, xr_sq_ring_init(&r2, 8, 1000, 0));
	pid2 = xr_sq_thread_pid(r2.fd);
	ASSERT_LT(0, pid2);
	ASSERT_NE(pid, pid2);
	ASSERT_EQ(0, sq_nop(&r2));
	/* inside its 1 s idle time: spinning */
	spinning = runtime_us_over(pid2, 300);
	ASSERT_FALSE(xr_sq_needs_wakeup(&r2));
	ASSERT_TRUE(xr_wait_sq_asleep(&r2, 5000));
	asleep_long = runtime_us_over(pid2, 500);

	TH_LOG("SQ thread CPU time: asleep %lld us and %lld us in 0.5 s, spinning %lld us in 0.3 s",
	       asleep_short, asleep_long, spinning);
	ASSERT_LE(0, asleep_short);
	ASSERT_GT(2500, asleep_short);
	ASSERT_LE(0, asleep_long);
	ASSERT_GT(2500, asleep_long);
	ASSERT_LT(60000, spinning);
	xr_ring_exit(&r);
	xr_ring_exit(&r2);
	ASSERT_TRUE(xr_sq_thread_gone(pid, 5000));
	ASSERT_TRUE(xr_sq_thread_gone(pid2, 5000));
}

/* ------------------------------------------------------------ SQ_WAIT */

struct enter_call {
	int fd;
	unsigned int flags;
	int ret;
	pid_t tid;
	bool done;
};

static void *enter_thread(void *arg)
{
	struct enter_call *c = arg;

	__atomic_store_n(&c->tid, xr_gettid(), __ATOMIC_RELEASE);
	c->ret = xr_enter(c->fd, 0, 0, c->flags, NULL, 0);
	__atomic_store_n(&c->done, true, __ATOMIC_RELEASE);
	return NULL;
}

/* Start ENTER(flags) in a thread and wait until it sleeps in there. */
static bool start_enter_thread(pthread_t *th, struct enter_call *c)
{
	__u64 start = xr_now_ns();

	c->tid = 0;
	c->done = false;
	if (pthread_create(th, NULL, enter_thread, c))
		return false;
	while (!__atomic_load_n(&c->tid, __ATOMIC_ACQUIRE)) {
		if (xr_ms_since(start) > 5000)
			return false;
		xr_sleep_ms(1);
	}
	return xr_wait_task_sleeping(c->tid, 5000);
}

static bool enter_thread_done(struct enter_call *c, unsigned int timeout_ms)
{
	__u64 start = xr_now_ns();

	while (!__atomic_load_n(&c->done, __ATOMIC_ACQUIRE)) {
		if (xr_ms_since(start) >= timeout_ms)
			return false;
		xr_sleep_ms(1);
	}
	return true;
}

/* Fill the SQ of a sleeping thread with NOPs: it stays full. */
static bool fill_sq_asleep(struct xr_ring *r)
{
	unsigned int i;

	if (!xr_wait_sq_asleep(r, 5000))
		return false;
	for (i = 0; i < r->p.sq_entries; i++) {
		if (!xr_queue_nop(r, xr_ud()))
			return false;
	}
	xr_flush_sq(r);
	return !xr_get_sqe(r);
}

static void on_signal(int sig)
{
}

/*
 * ENTER(SQ_WAIT) returns at once while the SQ has room, and otherwise
 * waits until the thread has made room. A signal ends the wait without
 * an error, as in io_uring: the caller sees the SQ still full.
 */
TEST(sq_wait)
{
	struct enter_call c = { .flags = XURING_ENTER_SQ_WAIT };
	struct xuring_cqe cqes[4];
	struct xr_ring r;
	unsigned int head;
	pthread_t th;

	ASSERT_EQ(0, xr_sq_ring_init(&r, 4, 10, 0));
	c.fd = r.fd;
	ASSERT_EQ(0, xr_enter(r.fd, 0, 0, XURING_ENTER_SQ_WAIT, NULL, 0));

	/* full, thread asleep: the wait lasts until somebody wakes it */
	ASSERT_TRUE(fill_sq_asleep(&r));
	ASSERT_TRUE(start_enter_thread(&th, &c));
	xr_sleep_ms(100);
	ASSERT_FALSE(__atomic_load_n(&c.done, __ATOMIC_ACQUIRE));
	ASSERT_EQ(0, xr_enter(r.fd, 0, 0, XURING_ENTER_SQ_WAKEUP, NULL, 0));
	ASSERT_TRUE(enter_thread_done(&c, XR_IO_TIMEOUT_MS));
	pthread_join(th, NULL);
	ASSERT_EQ(0, c.ret);
	ASSERT_NE(*r.sq_tail - 4, xr_load_acquire(r.sq_head));
	ASSERT_EQ(4U, xr_reap_n(&r, cqes, 4, XR_IO_TIMEOUT_MS));

	/* SQ_WAKEUP | SQ_WAIT wakes and waits in one call */
	ASSERT_TRUE(fill_sq_asleep(&r));
	ASSERT_EQ(0, xr_enter(r.fd, 0, 0, XURING_ENTER_SQ_WAKEUP |
			      XURING_ENTER_SQ_WAIT, NULL, 0));
	ASSERT_NE(*r.sq_tail - 4, xr_load_acquire(r.sq_head));
	ASSERT_EQ(4U, xr_reap_n(&r, cqes, 4, XR_IO_TIMEOUT_MS));

	/* a signal */
	ASSERT_EQ(0, xr_catch_signal(SIGUSR1, on_signal));
	ASSERT_TRUE(fill_sq_asleep(&r));
	head = xr_load_acquire(r.sq_head);
	ASSERT_TRUE(start_enter_thread(&th, &c));
	ASSERT_EQ(0, pthread_kill(th, SIGUSR1));
	ASSERT_TRUE(enter_thread_done(&c, 5000));
	pthread_join(th, NULL);
	ASSERT_EQ(0, c.ret);
	ASSERT_EQ(head, xr_load_acquire(r.sq_head));
	ASSERT_EQ(0, xr_enter(r.fd, 0, 0, XURING_ENTER_SQ_WAKEUP, NULL, 0));
	ASSERT_EQ(4U, xr_reap_n(&r, cqes, 4, XR_IO_TIMEOUT_MS));
	xr_ring_exit(&r);
}

/*
 * A ring reads its own fdinfo. The submitter, ENTER or the SQ thread,
 * holds the ring's lock while it issues the read, so fdinfo must not
 * take that lock. In a child: a kernel that deadlocks here leaves the
 * child stuck for good.
 */
static int read_fdinfo_through_ring(bool sqpoll)
{
	char path[64], buf[4096] = "";
	struct xuring_cqe cqe;
	struct xr_ring r;
	int fd;

	if (sqpoll ? xr_sq_ring_init(&r, 8, 1000, 0) : xr_ring_init(&r, 8, 0))
		return 10;
	/* O_NONBLOCK: read inline, by the submitter, not by io-wq */
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", r.fd);
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return 11;
	if (!queue_rw(&r, XURING_OP_READ, fd, buf, sizeof(buf) - 1, 0,
		      xr_ud()))
		return 12;
	if (xr_any_run_one(&r, &cqe) <= 0)
		return 13;
	if (!strstr(buf, "SqEntries:"))
		return 14;
	if (sqpoll && !strstr(buf, "SqThread:"))
		return 15;
	return 0;
}

TEST(read_own_fdinfo)
{
	unsigned int sqpoll;

	for (sqpoll = 0; sqpoll < 2; sqpoll++) {
		int status;
		pid_t pid = fork();

		ASSERT_LE(0, pid);
		if (pid == 0)
			_exit(read_fdinfo_through_ring(sqpoll));
		status = xr_wait_child_ms(pid, 10000);
		ASSERT_NE(-ETIME, status) TH_LOG("%s ring: stuck reading its fdinfo",
						 sqpoll ? "SQPOLL" : "plain");
		ASSERT_TRUE(WIFEXITED(status));
		ASSERT_EQ(0, WEXITSTATUS(status));
	}
}

/* ----------------------------------------------------------- affinity */

/* The kernel's nr_cpu_ids: one more than the last possible CPU. */
static int nr_cpu_ids(void)
{
	char buf[64], *last;

	if (xr_read_file("/sys/devices/system/cpu/possible", buf,
			 sizeof(buf)) <= 0)
		return -1;
	/* "0-1", "0", or "0-3,5": the last number counts */
	last = buf + strcspn(buf, "\n");
	while (last > buf && last[-1] >= '0' && last[-1] <= '9')
		last--;
	return atoi(last) + 1;
}

static bool cpu_is_online(int cpu)
{
	char path[64], buf[8];

	snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d/online",
		 cpu);
	if (xr_read_file(path, buf, sizeof(buf)) > 0)
		return buf[0] == '1';
	/* no online file (CPU 0 often): online if it exists at all */
	snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d", cpu);
	return access(path, F_OK) == 0;
}

static int sq_aff_ring(struct xr_ring *r, unsigned int cpu)
{
	struct xuring_params p = {
		.flags = XURING_SETUP_SQPOLL | XURING_SETUP_SQ_AFF,
		.sq_thread_cpu = cpu,
		.sq_thread_idle = 1000,
	};

	return xr_ring_init_params(r, 8, &p);
}

/* The thread of a ring set up with SQ_AFF runs on that CPU and no other. */
static void check_affinity(struct __test_metadata *_metadata, int cpu)
{
	struct xr_sq_info info;
	char list[64], want[16];
	struct xr_ring r;
	unsigned int i;

	ASSERT_EQ(0, sq_aff_ring(&r, cpu));
	ASSERT_TRUE(xr_fdinfo_sq(r.fd, &info));
	ASSERT_EQ(cpu, info.cpu);
	ASSERT_TRUE(xr_task_status(info.pid, "Cpus_allowed_list", list,
				   sizeof(list)));
	snprintf(want, sizeof(want), "%d", cpu);
	ASSERT_STREQ(want, list);
	for (i = 0; i < 20; i++) {
		ASSERT_EQ(0, sq_nop(&r));
		ASSERT_EQ(cpu, xr_task_last_cpu(info.pid));
	}
	xr_ring_exit(&r);
}

TEST(affinity)
{
	int ncpus = nr_cpu_ids(), cpu, tested = 0;
	struct xr_counters base;
	struct xr_ring r;

	XR_READ_BASELINE(&base);
	ASSERT_LT(0, ncpus);
	for (cpu = 0; cpu < ncpus; cpu++) {
		if (!cpu_is_online(cpu))
			continue;
		check_affinity(_metadata, cpu);
		tested++;
	}
	ASSERT_LT(0, tested);
	/* CPUs that do not exist */
	ASSERT_EQ(-EINVAL, sq_aff_ring(&r, ncpus));
	ASSERT_EQ(-EINVAL, sq_aff_ring(&r, 4096));
	ASSERT_EQ(-EINVAL, sq_aff_ring(&r, ~0U));
	/* and the failed setups left no thread behind */
	XR_ASSERT_COUNTERS_SETTLE(&base);
}

#define CPU1_ONLINE	"/sys/devices/system/cpu/cpu1/online"

static bool set_cpu1_online(bool online)
{
	int fd = open(CPU1_ONLINE, O_WRONLY | O_CLOEXEC);
	bool ok;

	if (fd < 0)
		return false;
	ok = write(fd, online ? "1" : "0", 1) == 1;
	close(fd);
	return ok;
}

FIXTURE(cpu1) {
	bool offline;
};

FIXTURE_SETUP(cpu1)
{
	self->offline = false;
}

FIXTURE_TEARDOWN(cpu1)
{
	if (self->offline)
		set_cpu1_online(true);
}

/* An offline CPU is -EINVAL; once back online it is fine again. */
TEST_F_TIMEOUT(cpu1, offline_cpu, 60)
{
	struct xr_ring r;

	if (!cpu_is_online(1) || access(CPU1_ONLINE, W_OK))
		SKIP(return, "CPU 1 is not there or cannot go offline");
	if (!set_cpu1_online(false))
		SKIP(return, "cannot take CPU 1 offline: %s", strerror(errno));
	self->offline = true;
	ASSERT_EQ(-EINVAL, sq_aff_ring(&r, 1));
	ASSERT_TRUE(set_cpu1_online(true));
	self->offline = false;
	check_affinity(_metadata, 1);
}

/* --------------------------------------------------- a shared thread */

/*
 * Two rings of one process share a thread with ATTACH_WQ: one thread,
 * both rings work (file data written through one and read back through
 * the other). It serves them fairly: 256 one-byte writes to a stream
 * socket queued on one ring and 8 on the other, published while it
 * sleeps, arrive interleaved. Socket writes complete inline, in the
 * thread, so what the other end reads is the order the thread took them
 * in. Its idle time is the longest of its rings', recomputed when a ring
 * goes; it lives until its last ring is gone.
 */
TEST_F_TIMEOUT(slow, shared_thread, 90)
{
	enum { NR = 256, NR_B = 8, BLOCKS = 32 };
	struct xuring_params p = {
		.flags = XURING_SETUP_SQPOLL | XURING_SETUP_ATTACH_WQ,
		.sq_thread_idle = 600,
	};
	size_t len = BLOCKS * BS;
	struct xuring_cqe cqes[NR + NR_B];
	struct xr_counters base, now;
	struct xr_sq_info ia, ib;
	unsigned char *wbuf, *rbuf;
	char seq[NR + NR_B + 1];
	unsigned int i, phase, last_b = 0;
	__u64 ud_a, ud_b;
	struct xr_ring a, b;
	int fd, sv[2];

	XR_READ_BASELINE(&base);
	XR_OPEN_SCRATCH(fd, O_RDWR);
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	wbuf = xr_alloc(len);
	rbuf = xr_alloc(len);
	ASSERT_NE(NULL, wbuf);
	ASSERT_NE(NULL, rbuf);
	xr_fill_pattern(wbuf, len, 0, 3);

	ASSERT_EQ(0, xr_sq_ring_init(&a, NR, 10, 0));
	p.wq_fd = a.fd;
	ASSERT_EQ(0, xr_ring_init_params(&b, NR, &p));
	ASSERT_TRUE(xr_fdinfo_sq(a.fd, &ia));
	ASSERT_TRUE(xr_fdinfo_sq(b.fd, &ib));
	ASSERT_EQ(ia.pid, ib.pid);
	ASSERT_EQ(600U, ia.idle_ms);
	ASSERT_TRUE(xr_read_counters(&now));
	ASSERT_EQ(base.workers + 1, now.workers);

	/* a writes the first half of a file, b the second; then crosswise */
	for (phase = 0; phase < 2; phase++) {
		__u64 ud = xr_ud_block(BLOCKS);

		for (i = 0; i < BLOCKS; i++)
			ASSERT_TRUE(queue_rw((i < BLOCKS / 2) == !phase ?
					     &a : &b,
					     phase ? XURING_OP_READ :
					     XURING_OP_WRITE, fd,
					     (phase ? rbuf : wbuf) + i * BS,
					     BS, i * BS, ud + i));
		ASSERT_EQ((unsigned int)BLOCKS / 2,
			  sq_run(&a, cqes, BLOCKS / 2));
		ASSERT_EQ((unsigned int)BLOCKS / 2,
			  sq_run(&b, cqes + BLOCKS / 2, BLOCKS / 2));
		XR_ASSERT_EACH_ONCE(cqes, BLOCKS, ud);
		for (i = 0; i < BLOCKS; i++)
			ASSERT_EQ(BS, cqes[i].res);
	}
	XR_ASSERT_PATTERN(rbuf, len, 0, 3);

	/* fairness */
	ud_a = xr_ud_block(NR);
	ud_b = xr_ud_block(NR_B);
	for (i = 0; i < NR; i++)
		ASSERT_TRUE(queue_rw(&a, XURING_OP_WRITE, sv[1], "a", 1, -1,
				     ud_a + i));
	for (i = 0; i < NR_B; i++)
		ASSERT_TRUE(queue_rw(&b, XURING_OP_WRITE, sv[1], "b", 1, -1,
				     ud_b + i));
	ASSERT_TRUE(xr_wait_sq_asleep(&a, 10000));
	ASSERT_TRUE(xr_sq_needs_wakeup(&b));
	xr_flush_sq(&a);
	xr_flush_sq(&b);
	ASSERT_EQ(0, xr_enter(a.fd, 0, 0, XURING_ENTER_SQ_WAKEUP, NULL, 0));
	ASSERT_EQ((unsigned int)NR, xr_reap_n(&a, cqes, NR, XR_IO_TIMEOUT_MS));
	ASSERT_EQ((unsigned int)NR_B,
		  xr_reap_n(&b, cqes + NR, NR_B, XR_IO_TIMEOUT_MS));
	XR_ASSERT_EACH_ONCE(cqes, NR, ud_a);
	XR_ASSERT_EACH_ONCE(cqes + NR, NR_B, ud_b);
	for (i = 0; i < NR + NR_B; i++)
		ASSERT_EQ(1, cqes[i].res);
	ASSERT_EQ(NR + NR_B, recv(sv[0], seq, NR + NR_B, MSG_WAITALL));
	seq[NR + NR_B] = '\0';
	for (i = 0; i < NR + NR_B; i++) {
		if (seq[i] == 'b')
			last_b = i;
	}
	TH_LOG("the last of ring b's %u writes was the %u-th of %u",
	       NR_B, last_b + 1, NR + NR_B);
	ASSERT_GT((unsigned int)NR / 4, last_b) TH_LOG("%.64s...", seq);

	/* b goes: the thread stays for a, with a's idle time */
	xr_ring_exit(&b);
	ASSERT_TRUE(xr_fdinfo_sq(a.fd, &ia));
	ASSERT_EQ(ib.pid, ia.pid);
	ASSERT_EQ(10U, ia.idle_ms);
	ASSERT_EQ(0, sq_nop(&a));
	ASSERT_TRUE(xr_wait_sq_asleep(&a, 1000));
	xr_ring_exit(&a);
	ASSERT_TRUE(xr_sq_thread_gone(ia.pid, 5000));
	XR_ASSERT_COUNTERS_SETTLE(&base);
	xr_free(wbuf, len);
	xr_free(rbuf, len);
	close(fd);
	close(sv[0]);
	close(sv[1]);
}

/*
 * ATTACH_WQ needs a ring with an SQ thread (-EINVAL), an open fd
 * (-ENXIO). Another process attaching to it gets a thread of its own,
 * as in io_uring.
 */
TEST(attach_errors)
{
	struct xuring_params p = {
		.flags = XURING_SETUP_SQPOLL | XURING_SETUP_ATTACH_WQ,
	};
	struct xr_ring a, plain, r;
	int pfd[2], status, sq_pid;
	pid_t pid;

	ASSERT_EQ(0, xr_sq_ring_init(&a, 8, 1000, 0));
	ASSERT_EQ(0, xr_ring_init(&plain, 8, 0));
	ASSERT_EQ(0, pipe(pfd));
	p.wq_fd = pfd[0];
	ASSERT_EQ(-EINVAL, xr_ring_init_params(&r, 8, &p));
	p.wq_fd = plain.fd;
	ASSERT_EQ(-EINVAL, xr_ring_init_params(&r, 8, &p));
	close(pfd[0]);
	close(pfd[1]);
	/* an fd nothing has: not the one the new ring itself gets */
	p.wq_fd = 1000;
	ASSERT_EQ(-1, fcntl(p.wq_fd, F_GETFD));
	ASSERT_EQ(-ENXIO, xr_ring_init_params(&r, 8, &p));

	sq_pid = xr_sq_thread_pid(a.fd);
	ASSERT_LT(0, sq_pid);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int own;

		p.wq_fd = a.fd;
		if (xr_ring_init_params(&r, 8, &p))
			_exit(1);
		own = xr_sq_thread_pid(r.fd);
		if (own <= 0 || own == sq_pid)
			_exit(2);
		_exit(sq_nop(&r) == 0 ? 0 : 3);
	}
	status = xr_wait_child_ms(pid, XR_IO_TIMEOUT_MS);
	ASSERT_TRUE(status >= 0 && WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
	ASSERT_EQ(0, sq_nop(&a));
	xr_ring_exit(&a);
	xr_ring_exit(&plain);
}

/* -------------------------------------------------- close and kill */

/*
 * Closing a ring whose thread is busy returns promptly and the thread
 * exits; the writes it had started wrote the pattern and nothing else.
 */
TEST_F_TIMEOUT(slow, close_busy, 60)
{
	enum { NR = 256, BLK = 64 << 10 };
	size_t len = (size_t)NR * BLK;
	unsigned char *wbuf, *rbuf;
	struct xr_counters base;
	unsigned int i, head, written = 0;
	struct xr_ring r;
	__u64 start;
	int fd, pid;

	XR_READ_BASELINE(&base);
	XR_OPEN_SCRATCH(fd, O_RDWR);
	wbuf = xr_alloc(len);
	rbuf = xr_alloc(len);
	ASSERT_NE(NULL, wbuf);
	ASSERT_NE(NULL, rbuf);
	xr_fill_pattern(wbuf, len, 0, 4);
	ASSERT_EQ(0, xr_sq_ring_init(&r, NR, 1000, 0));
	pid = xr_sq_thread_pid(r.fd);
	ASSERT_LT(0, pid);
	head = xr_load_acquire(r.sq_head);
	for (i = 0; i < NR; i++)
		ASSERT_TRUE(queue_rw(&r, XURING_OP_WRITE, fd,
				     wbuf + (size_t)i * BLK, BLK,
				     (size_t)i * BLK, xr_ud()));
	ASSERT_LE(0, xr_sqpoll_submit(&r));
	/* wait until it is at work, then close */
	start = xr_now_ns();
	while (xr_load_acquire(r.sq_head) == head &&
	       xr_ms_since(start) < 5000)
		;
	ASSERT_NE(head, xr_load_acquire(r.sq_head));
	start = xr_now_ns();
	xr_ring_exit(&r);
	ASSERT_GT(5000ULL, xr_ms_since(start));
	ASSERT_TRUE(xr_sq_thread_gone(pid, 5000));
	XR_ASSERT_COUNTERS_SETTLE(&base);

	/* each byte is the pattern or was never written */
	memset(rbuf, 0, len);
	ASSERT_LE(0, pread(fd, rbuf, len, 0));
	for (i = 0; i < len; i++) {
		if (rbuf[i] == wbuf[i])
			continue;
		ASSERT_EQ(0, rbuf[i]) TH_LOG("byte %u", i);
	}
	for (i = 0; i < NR; i++)
		written += !memcmp(rbuf + (size_t)i * BLK,
				   wbuf + (size_t)i * BLK, BLK);
	TH_LOG("%u of %u blocks written before the close", written, NR);
	xr_free(wbuf, len);
	xr_free(rbuf, len);
	close(fd);
}

/* Closing a ring whose thread sleeps: the thread exits. */
TEST(close_asleep)
{
	struct xr_counters base;
	struct xr_ring r;
	int pid;

	XR_READ_BASELINE(&base);
	ASSERT_EQ(0, xr_sq_ring_init(&r, 8, 10, 0));
	pid = xr_sq_thread_pid(r.fd);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, sq_nop(&r));
	ASSERT_TRUE(xr_wait_sq_asleep(&r, 5000));
	xr_ring_exit(&r);
	ASSERT_TRUE(xr_sq_thread_gone(pid, 5000));
	XR_ASSERT_COUNTERS_SETTLE(&base);
}

/*
 * Child of the kill tests: submit without end (busy) or let the thread
 * sleep, until killed. Tells the SQ thread's pid once it is at work.
 */
static void sq_kill_victim(int ready_fd, const void *arg)
{
	enum { LEN = 256 << 10 };
	const bool busy = *(const bool *)arg;
	const char *dir = fast_dir();
	struct xuring_cqe cqe;
	unsigned int n = 0;
	bool told = false;
	struct xr_ring r;
	unsigned char *buf;
	int fd, pid;

	if (xr_sq_ring_init(&r, 64, busy ? 1000 : 10, 0))
		_exit(10);
	fd = dir ? xr_scratch_file(dir, O_RDWR) : -1;
	buf = xr_alloc(LEN);
	if (fd < 0 || !buf)
		_exit(11);
	pid = xr_sq_thread_pid(r.fd);
	if (!busy) {
		if (sq_nop(&r) || !xr_wait_sq_asleep(&r, 5000))
			_exit(12);
		if (write(ready_fd, &pid, sizeof(pid)) != sizeof(pid))
			_exit(13);
		for (;;)
			pause();
	}
	for (;;) {
		struct xuring_sqe *sqe;

		while ((sqe = xr_get_sqe(&r))) {
			__u64 off = (n * 4096) % LEN;

			if (n++ % 2)
				xr_prep_rw(sqe, XURING_OP_WRITE, fd, buf + off,
					   4096, off, xr_ud());
			else
				xr_prep_nop(sqe, xr_ud());
		}
		if (xr_sqpoll_submit(&r) < 0)
			_exit(14);
		if (!told && write(ready_fd, &pid, sizeof(pid)) != sizeof(pid))
			_exit(15);
		told = true;
		while (xr_reap_cqe(&r, &cqe))
			;
	}
}

/* SIGKILL the owner of a ring whose thread is busy, or asleep. */
static void kill_owner(struct __test_metadata *_metadata, bool busy,
		       unsigned int delay_ms)
{
	const char *why;
	int pid = 0;

	why = xr_kill_at_work(sq_kill_victim, &busy, &pid, sizeof(pid),
			      delay_ms);
	ASSERT_EQ(NULL, why) TH_LOG("%s", why);
	ASSERT_TRUE(xr_sq_thread_gone(pid, 5000));
}

TEST_F_TIMEOUT(slow, kill_busy, 90)
{
	struct xr_counters base;
	unsigned int i;

	XR_READ_BASELINE(&base);
	srandom(getpid());
	for (i = 0; i < 6; i++)
		kill_owner(_metadata, true, random() % 30);
	XR_ASSERT_COUNTERS_SETTLE(&base);
}

TEST_F_TIMEOUT(slow, kill_asleep, 60)
{
	struct xr_counters base;

	XR_READ_BASELINE(&base);
	kill_owner(_metadata, false, 0);
	XR_ASSERT_COUNTERS_SETTLE(&base);
}

/*
 * The owner exits while another process keeps the ring open: the thread
 * exits and the owner's memory (a touched 256 MiB mapping) is freed at
 * once, though the ring lives on.
 */
TEST_F_TIMEOUT(slow, exited_owner_memory_released, 90)
{
	const size_t big = 256UL << 20;
	struct {
		int sq_pid;
		pid_t keeper;
	} info;
	struct xr_counters base, now;
	int to_parent[2], go[2], status;
	long before, after = -1;
	pid_t owner;
	__u64 start;

	XR_READ_BASELINE(&base);
	/* the keeper is reparented to us when the owner exits */
	ASSERT_EQ(0, prctl(PR_SET_CHILD_SUBREAPER, 1));
	ASSERT_EQ(0, pipe(to_parent));
	ASSERT_EQ(0, pipe(go));
	owner = fork();
	ASSERT_LE(0, owner);
	if (owner == 0) {
		struct xr_ring r;
		char *mem, c;

		close(to_parent[0]);
		close(go[1]);
		if (xr_sq_ring_init(&r, 8, 10, 0) || sq_nop(&r))
			_exit(10);
		info.sq_pid = xr_sq_thread_pid(r.fd);
		info.keeper = fork();
		if (info.keeper < 0)
			_exit(11);
		if (info.keeper == 0) {
			/* the ring's fd, none of the owner's memory */
			xr_ring_unmap(&r);
			for (;;)
				pause();
		}
		mem = mmap(NULL, big, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (mem == MAP_FAILED)
			_exit(12);
		memset(mem, 0x5a, big);
		if (write(to_parent[1], &info, sizeof(info)) != sizeof(info))
			_exit(13);
		/* exit, closing nothing, once the parent has looked */
		if (read(go[0], &c, 1) != 1)
			_exit(14);
		_exit(0);
	}
	close(to_parent[1]);
	close(go[0]);
	ASSERT_EQ((ssize_t)sizeof(info),
		  read(to_parent[0], &info, sizeof(info)));
	ASSERT_TRUE(xr_is_sq_thread(info.sq_pid));
	before = xr_meminfo_kb("MemFree");
	ASSERT_LT(0, before);
	ASSERT_EQ(1, write(go[1], "g", 1));
	status = xr_wait_child_ms(owner, 10000);
	ASSERT_TRUE(status >= 0 && WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));

	start = xr_now_ns();
	while (xr_ms_since(start) < 10000) {
		after = xr_meminfo_kb("MemFree");
		if (after - before >= 200 * 1024)
			break;
		xr_sleep_ms(20);
	}
	TH_LOG("MemFree %ld kB before the owner exited, %ld kB after",
	       before, after);
	ASSERT_LE(200 * 1024, after - before);
	ASSERT_TRUE(xr_sq_thread_gone(info.sq_pid, 5000));
	/*
	 * The thread leaves /proc when it is reaped, inside kthread_stop();
	 * the module counts it out when kthread_stop() has returned.
	 */
	start = xr_now_ns();
	do {
		ASSERT_TRUE(xr_read_counters(&now));
		if (now.workers == base.workers)
			break;
		xr_sleep_ms(10);
	} while (xr_ms_since(start) < 5000);
	ASSERT_EQ(base.rings + 1, now.rings);
	ASSERT_EQ(base.workers, now.workers);

	ASSERT_EQ(0, kill(info.keeper, SIGKILL));
	status = xr_wait_child_ms(info.keeper, 10000);
	ASSERT_TRUE(status >= 0 && WIFSIGNALED(status));
	XR_ASSERT_COUNTERS_SETTLE(&base);
	close(to_parent[0]);
	close(go[1]);
}

/* ---------------------------------------------- ENTER's rules, by the thread */

FIXTURE(rules) {
	struct xr_ring r;
	int fd;
	unsigned char *wbuf, *rbuf;
};

#define RULES_BUF	(256 << 10)

FIXTURE_SETUP(rules)
{
	self->fd = -1;
	ASSERT_EQ(0, xr_sq_ring_init(&self->r, 32, 1000, 0));
	self->wbuf = xr_alloc(RULES_BUF);
	self->rbuf = xr_alloc(RULES_BUF);
	ASSERT_NE(NULL, self->wbuf);
	ASSERT_NE(NULL, self->rbuf);
}

FIXTURE_TEARDOWN(rules)
{
	if (self->fd >= 0)
		close(self->fd);
	xr_ring_exit(&self->r);
	xr_free(self->wbuf, RULES_BUF);
	xr_free(self->rbuf, RULES_BUF);
}

/*
 * Bad SQEs fail in their CQE as they do under ENTER; an out-of-range SQ
 * array index is skipped and counted; the ring goes on working.
 */
TEST_F(rules, bad_sqes)
{
	struct xr_ring *r = &self->r;
	__u64 ud = xr_ud_block(7);
	struct xuring_cqe cqes[8];
	struct xuring_sqe *sqe;
	unsigned int i, tail;
	int closed_fd;
	static const int want[] = {
		-EINVAL, -EINVAL, -EINVAL, -EINVAL, -EOPNOTSUPP, -EBADF,
		-EBADF,
	};

	closed_fd = dup(0);
	ASSERT_LE(0, closed_fd);
	close(closed_fd);
	XR_GET_SQE(sqe, r);
	xr_prep_nop(sqe, ud);
	sqe->flags = 0x80;			/* no such flag */
	XR_GET_SQE(sqe, r);
	xr_prep_nop(sqe, ud + 1);
	sqe->flags = XURING_SQE_BUFFER_SELECT;	/* no provided buffers */
	XR_GET_SQE(sqe, r);
	xr_prep_nop(sqe, ud + 2);
	sqe->addr = 1;				/* NOP takes no address */
	XR_GET_SQE(sqe, r);
	xr_prep_nop(sqe, ud + 3);
	sqe->opcode = 200;			/* no such op */
	XR_GET_SQE(sqe, r);
	xr_prep_nop(sqe, ud + 4);
	sqe->opcode = 6;			/* POLL_ADD: not implemented */
	XR_GET_SQE(sqe, r);
	xr_prep_rw(sqe, XURING_OP_WRITE, closed_fd, self->wbuf, 1, 0,
		   ud + 5);
	XR_GET_SQE(sqe, r);
	xr_prep_rw(sqe, XURING_OP_WRITE, r->fd, self->wbuf, 1, 0,
		   ud + 6);
	ASSERT_EQ(7U, sq_run(r, cqes, 7));
	for (i = 0; i < 7; i++) {
		ASSERT_EQ(ud + i, cqes[i].user_data);
		ASSERT_EQ(want[i], cqes[i].res) TH_LOG("SQE %u", i);
	}

	/* an SQ array entry pointing nowhere */
	tail = *r->sq_tail;
	r->sq_array[tail & (r->p.sq_entries - 1)] = 0xffff;
	r->sqe_tail++;
	xr_store_release(r->sq_tail, tail + 1);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (xr_sq_needs_wakeup(r)) {
		ASSERT_EQ(0, xr_enter(r->fd, 0, 0, XURING_ENTER_SQ_WAKEUP,
				      NULL, 0));
	}
	ASSERT_TRUE(xr_wait_sq_consumed(r, XR_IO_TIMEOUT_MS));
	ASSERT_EQ(1U, *r->sq_dropped);
	ASSERT_TRUE(xr_no_cqe_for_ms(r, 100));
	ASSERT_EQ(0, sq_nop(r));
}

/*
 * Links: a chain runs in order (a read sees its predecessor's write); a
 * short read breaks a soft link (-ECANCELED) but not a hard one.
 */
TEST_F(rules, links)
{
	struct xr_ring *r = &self->r;
	__u64 ud = xr_ud_block(5);
	struct xuring_cqe cqes[5];
	struct xuring_sqe *sqe;
	unsigned int i;
	static const int want[] = { 0, -ECANCELED, -ECANCELED, 0, 0 };

	XR_OPEN_SCRATCH(self->fd, O_RDWR);
	xr_fill_pattern(self->wbuf, 3 * BS, 0, 5);
	for (i = 0; i < 3; i++) {
		XR_GET_SQE(sqe, r);
		xr_prep_rw(sqe, XURING_OP_WRITE, self->fd,
			   self->wbuf + i * BS, BS, i * BS, ud + i);
		sqe->flags = XURING_SQE_IO_LINK;
	}
	XR_GET_SQE(sqe, r);
	xr_prep_rw(sqe, XURING_OP_READ, self->fd, self->rbuf, 3 * BS, 0,
		   ud + 3);
	ASSERT_EQ(4U, sq_run(r, cqes, 4));
	for (i = 0; i < 4; i++) {
		ASSERT_EQ(ud + i, cqes[i].user_data);
		ASSERT_EQ(i < 3 ? BS : 3 * BS, cqes[i].res);
	}
	XR_ASSERT_PATTERN(self->rbuf, 3 * BS, 0, 5);

	/* a read at the end of the file is short: the soft link breaks */
	ud = xr_ud_block(5);
	XR_GET_SQE(sqe, r);
	xr_prep_rw(sqe, XURING_OP_READ, self->fd, self->rbuf, BS, 3 * BS,
		   ud);
	sqe->flags = XURING_SQE_IO_LINK;
	XR_GET_SQE(sqe, r);
	xr_prep_nop(sqe, ud + 1);
	sqe->flags = XURING_SQE_IO_LINK;
	XR_GET_SQE(sqe, r);
	xr_prep_nop(sqe, ud + 2);
	/* after a hard link, the chain goes on */
	XR_GET_SQE(sqe, r);
	xr_prep_rw(sqe, XURING_OP_READ, self->fd, self->rbuf, BS, 3 * BS,
		   ud + 3);
	sqe->flags = XURING_SQE_IO_HARDLINK;
	XR_GET_SQE(sqe, r);
	xr_prep_nop(sqe, ud + 4);
	ASSERT_EQ(5U, sq_run(r, cqes, 5));
	for (i = 0; i < 5; i++) {
		ASSERT_EQ(ud + i, cqes[i].user_data);
		ASSERT_EQ(want[i], cqes[i].res) TH_LOG("CQE %u", i);
	}
}

/*
 * Drain: a drained NOP waits for a read blocked on a pipe, and the NOP
 * after it waits for the drained one.
 */
TEST_F(rules, drain)
{
	struct xr_ring *r = &self->r;
	__u64 ud = xr_ud_block(3);
	struct xuring_cqe cqes[3];
	struct xuring_sqe *sqe;
	char buf[16] = "";
	unsigned int i;
	int p[2];

	ASSERT_EQ(0, pipe(p));
	XR_GET_SQE(sqe, r);
	xr_prep_rw(sqe, XURING_OP_READ, p[0], buf, sizeof(buf), -1, ud);
	XR_GET_SQE(sqe, r);
	xr_prep_nop(sqe, ud + 1);
	sqe->flags = XURING_SQE_IO_DRAIN;
	XR_GET_SQE(sqe, r);
	xr_prep_nop(sqe, ud + 2);
	ASSERT_LE(0, xr_sqpoll_submit(r));
	ASSERT_TRUE(xr_wait_sq_consumed(r, XR_IO_TIMEOUT_MS));
	ASSERT_TRUE(xr_no_cqe_for_ms(r, 200));
	ASSERT_EQ(5, write(p[1], "drain", 5));
	ASSERT_EQ(3U, xr_reap_n(r, cqes, 3, XR_IO_TIMEOUT_MS));
	for (i = 0; i < 3; i++)
		ASSERT_EQ(ud + i, cqes[i].user_data);
	ASSERT_EQ(5, cqes[0].res);
	ASSERT_EQ(0, memcmp(buf, "drain", 5));
	close(p[0]);
	close(p[1]);
}

/* Fixed files and fixed buffers, registered while the thread runs. */
TEST_F(rules, fixed_files_and_buffers)
{
	struct xr_ring *r = &self->r;
	__u64 ud = xr_ud_block(10);
	struct iovec bufs[2] = {
		{ self->wbuf, RULES_BUF }, { self->rbuf, RULES_BUF },
	};
	struct xuring_cqe cqes[8];
	struct xuring_sqe *sqe;
	unsigned int i, phase;

	XR_OPEN_SCRATCH(self->fd, O_RDWR);
	ASSERT_EQ(0, xr_register(r->fd, XURING_REGISTER_FILES, &self->fd, 1));
	ASSERT_EQ(0, xr_register(r->fd, XURING_REGISTER_BUFFERS, bufs, 2));
	xr_fill_pattern(self->wbuf, RULES_BUF, 0, 6);
	/* write from buffer 0, then read into buffer 1 */
	for (phase = 0; phase < 2; phase++) {
		for (i = 0; i < 4; i++) {
			size_t off = (size_t)i * (RULES_BUF / 4);

			XR_GET_SQE(sqe, r);
			xr_prep_fixed(sqe, phase ? XURING_OP_READ_FIXED :
				      XURING_OP_WRITE_FIXED, 0,
				      (phase ? self->rbuf : self->wbuf) + off,
				      RULES_BUF / 4, off, phase,
				      ud + phase * 4 + i);
			sqe->flags = XURING_SQE_FIXED_FILE;
		}
		ASSERT_EQ(4U, sq_run(r, cqes, 4));
		for (i = 0; i < 4; i++)
			ASSERT_EQ(RULES_BUF / 4, cqes[i].res);
	}
	XR_ASSERT_PATTERN(self->rbuf, RULES_BUF, 0, 6);
	/* a slot that is not there */
	XR_GET_SQE(sqe, r);
	xr_prep_rw(sqe, XURING_OP_READ, 1, self->rbuf, BS, 0, ud + 9);
	sqe->flags = XURING_SQE_FIXED_FILE;
	ASSERT_EQ(1U, sq_run(r, cqes, 1));
	ASSERT_EQ(-EBADF, cqes[0].res);
}

/*
 * Plain fds are looked up in the owner's file table when the thread
 * takes the SQE: one opened after setup works, a closed one is -EBADF.
 */
TEST_F(rules, fds_of_the_owner)
{
	struct xr_ring *r = &self->r;
	struct xuring_cqe cqe;
	int fd;

	XR_OPEN_SCRATCH(self->fd, O_RDWR);
	xr_fill_pattern(self->wbuf, BS, 0, 7);
	ASSERT_TRUE(queue_rw(r, XURING_OP_WRITE, self->fd, self->wbuf, BS, 0,
			     xr_ud()));
	ASSERT_EQ(1U, sq_run(r, &cqe, 1));
	ASSERT_EQ(BS, cqe.res);
	ASSERT_TRUE(queue_rw(r, XURING_OP_READ, self->fd, self->rbuf, BS, 0,
			     xr_ud()));
	ASSERT_EQ(1U, sq_run(r, &cqe, 1));
	ASSERT_EQ(BS, cqe.res);
	XR_ASSERT_PATTERN(self->rbuf, BS, 0, 7);
	fd = self->fd;
	close(fd);
	self->fd = -1;
	ASSERT_TRUE(queue_rw(r, XURING_OP_READ, fd, self->rbuf, BS, 0,
			     xr_ud()));
	ASSERT_EQ(1U, sq_run(r, &cqe, 1));
	ASSERT_EQ(-EBADF, cqe.res);
}

struct leader_gone {
	struct xr_ring r;
	int fd;
	pid_t leader;
};

/* Has thread tid of this process exited (a zombie, or reaped)? */
static bool task_exited(pid_t tid)
{
	char buf[512], *paren;

	if (xr_read_task_file(tid, "stat", buf, sizeof(buf)) <= 0)
		return true;
	paren = strrchr(buf, ')');
	return paren && paren[1] == ' ' && (paren[2] == 'Z' || paren[2] == 'X');
}

/* The second thread of owner_leader_exited: exits the process. */
static void *after_leader(void *arg)
{
	static unsigned char wbuf[BS], rbuf[BS];
	struct leader_gone *lg = arg;
	struct xuring_cqe cqe;
	__u64 start = xr_now_ns();

	while (!task_exited(lg->leader)) {
		if (xr_ms_since(start) > 5000)
			exit(20);
		xr_sleep_ms(1);
	}
	xr_fill_pattern(wbuf, BS, 0, 8);
	if (!queue_rw(&lg->r, XURING_OP_WRITE, lg->fd, wbuf, BS, 0, xr_ud()) ||
	    sq_run(&lg->r, &cqe, 1) != 1)
		exit(21);
	if (cqe.res != BS)
		exit(22);
	if (!queue_rw(&lg->r, XURING_OP_READ, lg->fd, rbuf, BS, 0, xr_ud()) ||
	    sq_run(&lg->r, &cqe, 1) != 1)
		exit(23);
	if (cqe.res != BS || xr_pattern_mismatch(rbuf, BS, 0, 8) >= 0)
		exit(24);
	exit(0);
}

/*
 * The thread finds plain fds in the owner's file table through any of
 * its threads: once the thread that set the ring up (the group leader)
 * has exited, another thread of the process still submits with them.
 */
TEST(owner_leader_exited)
{
	int status;
	pid_t pid;

	if (!fast_dir())
		SKIP(return, "neither XURING_TMPDIR nor XURING_EXT4_DIR");
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		static struct leader_gone lg;
		pthread_t th;

		lg.leader = getpid();
		if (xr_sq_ring_init(&lg.r, 8, 1000, 0))
			_exit(10);
		lg.fd = xr_scratch_file(fast_dir(), O_RDWR);
		if (lg.fd < 0)
			_exit(11);
		if (pthread_create(&th, NULL, after_leader, &lg))
			_exit(12);
		pthread_exit(NULL);
	}
	status = xr_wait_child_ms(pid, XR_IO_TIMEOUT_MS);
	ASSERT_TRUE(status >= 0 && WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
}

/*
 * CQ overflow: the thread keeps consuming SQEs while nobody reaps; the
 * CQEs that do not fit wait, OVERFLOW is set, and ENTER(GETEVENTS)
 * delivers every one of them in order.
 */
TEST(overflow)
{
	struct xuring_params p = {
		.flags = XURING_SETUP_SQPOLL | XURING_SETUP_CQSIZE,
		.sq_thread_idle = 1000,
		.cq_entries = 8,
	};
	__u64 ud = xr_ud_block(64);
	struct xuring_cqe cqe;
	unsigned int i, round;
	struct xr_ring r;

	ASSERT_EQ(0, xr_ring_init_params(&r, 8, &p));
	ASSERT_EQ(8U, r.p.cq_entries);
	for (round = 0; round < 8; round++) {
		for (i = 0; i < 8; i++)
			ASSERT_TRUE(xr_queue_nop(&r, ud + round * 8 + i));
		ASSERT_LE(0, xr_sqpoll_submit(&r));
		ASSERT_TRUE(xr_wait_sq_consumed(&r, XR_IO_TIMEOUT_MS));
	}
	ASSERT_EQ(8U, xr_cq_ready(&r));
	ASSERT_TRUE(!!(xr_load_acquire(r.sq_flags) & XURING_SQ_CQ_OVERFLOW));
	for (i = 0; i < 64; i++) {
		ASSERT_EQ(0, xr_wait_cqe_ms(&r, &cqe, XR_IO_TIMEOUT_MS));
		ASSERT_EQ(ud + i, cqe.user_data);
		ASSERT_EQ(0, cqe.res);
	}
	ASSERT_FALSE(!!(xr_load_acquire(r.sq_flags) & XURING_SQ_CQ_OVERFLOW));
	ASSERT_EQ(0U, *r.cq_overflow);
	xr_ring_exit(&r);
}

/*
 * The thread submits with the owner's credentials and RLIMIT_FSIZE: as
 * an unprivileged owner, a write clears the set-user-ID bit of the file
 * (a thread running as root would keep it, as the control shows) and a
 * write past the size limit fails with -EFBIG.
 */
static int creds_child(const char *dir, bool drop)
{
	struct rlimit lim = { 8192, 8192 };
	char buf[BS] = "creds";
	struct xuring_cqe cqe;
	struct xr_ring r;
	struct stat st;
	int fd;

	if (drop && xr_become_nobody())
		return 10;
	signal(SIGXFSZ, SIG_IGN);
	if (setrlimit(RLIMIT_FSIZE, &lim))
		return 11;
	fd = xr_scratch_file(dir, O_RDWR);
	if (fd < 0)
		return 12;
	if (fchmod(fd, 04755))
		return 13;
	if (xr_sq_ring_init(&r, 8, 1000, 0))
		return 14;
	if (!queue_rw(&r, XURING_OP_WRITE, fd, buf, BS, 0, xr_ud()) ||
	    sq_run(&r, &cqe, 1) != 1 || cqe.res != BS)
		return 15;
	if (fstat(fd, &st))
		return 16;
	if (!!(st.st_mode & S_ISUID) != !drop)
		return 17;
	if (!queue_rw(&r, XURING_OP_WRITE, fd, buf, BS, 8192, xr_ud()) ||
	    sq_run(&r, &cqe, 1) != 1 || cqe.res != -EFBIG)
		return 18;
	return 0;
}

TEST(owner_creds_and_limits)
{
	const char *dir = xr_env_path("XURING_TMPDIR");
	unsigned int drop;
	char sqpoll[16];
	int status[2];

	if (!dir)
		SKIP(return, "XURING_TMPDIR is not set or missing");
	if (geteuid())
		SKIP(return, "needs root to become another user");
	/* SQPOLL is for privileged users unless the administrator says so */
	ASSERT_LT(0, xr_param_read("sqpoll", sqpoll, sizeof(sqpoll)));
	ASSERT_EQ(0, xr_param_write("sqpoll", "2"));
	for (drop = 0; drop < 2; drop++) {
		pid_t pid = fork();

		if (pid == 0)
			_exit(creds_child(dir, drop));
		status[drop] = pid < 0 ? -errno : xr_wait_child_ms(pid,
							XR_IO_TIMEOUT_MS);
	}
	ASSERT_EQ(0, xr_param_write("sqpoll", sqpoll));
	for (drop = 0; drop < 2; drop++) {
		ASSERT_TRUE(status[drop] >= 0 && WIFEXITED(status[drop]));
		ASSERT_EQ(0, WEXITSTATUS(status[drop])) TH_LOG("%s owner",
			drop ? "unprivileged" : "root");
	}
}

TEST_HARNESS_MAIN
