// SPDX-License-Identifier: GPL-2.0
/*
 * The owner of a ring exits while the ring lives on in another process
 * (issue 11, findings 2, 9 and 10):
 *  - an IOPOLL ring with an O_DIRECT read linked to another, the owner
 *    (uid 65534) gone right after submitting: the chain completes or is
 *    cancelled, and no successor is issued without an address space (a
 *    kernel oops, today);
 *  - a ring set up with ATTACH_WQ on an SQPOLL ring whose owner's address
 *    space goes away at that very moment: it attaches or fails cleanly;
 *  - owners killed while their SQ thread and io-wq workers are in the
 *    middle of a pass over their memory, many times over.
 * (the oops of finding 2 ends the run, so its test comes last). Each
 * leaves no ring, request, worker or pinned page behind, and nothing
 * in the kernel log (the tests read it; the runner's dmesg check and the
 * debug kernel's KASAN see what they miss).
 */
#include <sched.h>
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

#define BS		4096
#define UD_CHAIN	0x2000000000ULL
#define UD_ATTACH_NOP	0x9000000001ULL
#define UD_MIDPASS	0xa000000000ULL

/* the image exec'd by attach_vs_owner_exit */
#define ATTACH_HELPER_ARG	"--xuring-attach-race"

/* Reap the orphans (we are their subreaper) for at most ms. */
static void reap_orphans(unsigned int ms)
{
	__u64 start = xr_now_ns();
	int status;

	while (xr_ms_since(start) < ms) {
		pid_t pid = waitpid(-1, &status, WNOHANG);

		if (pid < 0)
			return;
		if (!pid)
			xr_sleep_ms(5);
	}
}

/* ------------------------------------------------------------ finding 9 */

/* Exit statuses of the exec'd attach image. */
enum {
	ATTACH_CLEAN = 0,
	ATTACH_HUNG = 2,
	ATTACH_SETUP_FAILED = 3,
};

/* What the exec'd attach image did: rings attached, then the refusal. */
struct attach_report {
	unsigned int attached;
	int err;
};

/*
 * The exec'd image: let the CLONE_VM sibling go (its exit takes the last
 * user of the ring owner's old address space away), then set up rings
 * with ATTACH_WQ on the inherited SQPOLL ring as fast as possible until
 * that fails. Each tenth ring that attached must work: a NOP through its
 * SQ thread completes. Reports to the fd in argv[4].
 */
static void attach_race(char **argv)
{
	int wq_fd = atoi(argv[2]), go = atoi(argv[3]), report = atoi(argv[4]);
	struct attach_report rep = { 0 };
	int status = ATTACH_CLEAN;

	if (write(go, "x", 1) != 1)
		_exit(ATTACH_SETUP_FAILED);
	close(go);
	for (; rep.attached < 5000; rep.attached++) {
		struct xuring_params p = {
			.flags = XURING_SETUP_SQPOLL | XURING_SETUP_ATTACH_WQ,
			.wq_fd = wq_fd,
		};
		struct xuring_cqe cqe;
		struct xr_ring r;

		rep.err = xr_ring_init_params(&r, 4, &p);
		if (rep.err)
			break;
		if (rep.attached % 10 == 9) {
			if (!xr_queue_nop(&r, UD_ATTACH_NOP))
				status = ATTACH_SETUP_FAILED;
			else if (xr_sqpoll_submit(&r) < 0 ||
				 xr_wait_cqe_ms(&r, &cqe, 5000) ||
				 cqe.user_data != UD_ATTACH_NOP)
				status = ATTACH_HUNG;
		}
		xr_ring_exit(&r);
		if (status != ATTACH_CLEAN)
			break;
	}
	xr_report(report, &rep, sizeof(rep));
	_exit(status);
}

static void __attribute__((constructor)) dispatch(int argc, char **argv)
{
	if (argc == 5 && !strcmp(argv[1], ATTACH_HELPER_ARG))
		attach_race(argv);
}

/* The CLONE_VM sibling: the last user of the old mm, until told to go. */
static int sibling_wait(void *arg)
{
	int go = *(int *)arg;
	char c;

	if (read(go, &c, 1) < 0)
		_exit(1);
	_exit(0);
}

/*
 * One round, in a child: become nobody, set up an SQPOLL ring whose fd
 * survives exec, clone(CLONE_VM) a sibling, exec the attach image. The
 * sibling's exit releases the address space the ring was set up in while
 * the image attaches to the ring's SQ thread. Returns the image's exit
 * status, or -1; *rep is what it reported.
 */
static int attach_round(const char *self_exe, struct attach_report *rep)
{
	static char stack[64 * 1024] __attribute__((aligned(16)));
	int status, report[2];
	pid_t pid;

	memset(rep, 0, sizeof(*rep));
	if (pipe2(report, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		char fdarg[16], goarg[16], reparg[16];
		struct xr_ring r;
		int go[2];

		if (xr_become_nobody_with_device() || pipe(go) ||
		    fcntl(report[1], F_SETFD, 0))
			_exit(100);
		if (xr_sq_ring_init(&r, 4, 1000, 0) ||
		    fcntl(r.fd, F_SETFD, 0))
			_exit(101);
		if (clone(sibling_wait, stack + sizeof(stack),
			  CLONE_VM | SIGCHLD, &go[0]) < 0)
			_exit(102);
		close(go[0]);
		snprintf(fdarg, sizeof(fdarg), "%d", r.fd);
		snprintf(goarg, sizeof(goarg), "%d", go[1]);
		snprintf(reparg, sizeof(reparg), "%d", report[1]);
		execl(self_exe, self_exe, ATTACH_HELPER_ARG, fdarg, goarg,
		      reparg, (char *)NULL);
		_exit(103);
	}
	close(report[1]);
	xr_read_full_ms(report[0], rep, sizeof(*rep), 60000);
	close(report[0]);
	status = xr_wait_child_ms(pid, 60000);
	if (status < 0 || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/*
 * Finding 9 (not reproduced): ATTACH_WQ against the owner's exit, 300
 * rounds. Every round ends cleanly (attached and working, or refused),
 * nothing is left behind, nothing in the kernel log.
 */
TEST_F_TIMEOUT(slow, attach_vs_owner_exit, 600)
{
	enum { ROUNDS = 300 };
	unsigned int round, attached = 0, rounds_attached = 0;
	unsigned int refusals[134] = { 0 };
	struct xr_counters base;
	char self_exe[256];
	ssize_t n;
	int kmsg, e;

	XR_REQUIRE_ROOT();
	XR_READ_BASELINE(&base);
	n = readlink("/proc/self/exe", self_exe, sizeof(self_exe) - 1);
	ASSERT_LT(0, n);
	self_exe[n] = '\0';
	ASSERT_EQ(0, prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0));
	kmsg = xr_kmsg_open();

	for (round = 0; round < ROUNDS; round++) {
		struct attach_report rep;
		int status = attach_round(self_exe, &rep);

		reap_orphans(0);
		if (status != ATTACH_CLEAN)
			TH_LOG("round %u: status %d after %u rings attached",
			       round, status, rep.attached);
		ASSERT_EQ(ATTACH_CLEAN, status);
		attached += rep.attached;
		rounds_attached += rep.attached > 0;
		if (rep.err < 0 && -rep.err < 134)
			refusals[-rep.err]++;
	}
	TH_LOG("%u rings attached in %u of %u rounds", attached,
	       rounds_attached, ROUNDS);
	for (e = 1; e < 134; e++) {
		if (refusals[e])
			TH_LOG("then refused with %s: %u rounds", strerror(e),
			       refusals[e]);
	}
	reap_orphans(2000);
	XR_ASSERT_COUNTERS_SETTLE(&base);
	XR_ASSERT_KMSG_CLEAN(kmsg);
	if (kmsg >= 0)
		close(kmsg);
}

/* ----------------------------------------------------------- finding 10 */

#define MIDPASS_PIPES	4

/*
 * The owner: an SQPOLL ring kept busy with reads and writes of a file
 * into and out of its memory, NOPs, and reads that block in io-wq on
 * pipes it also writes to; a child holds the ring (if hold) and closes it
 * a moment after the owner is gone. Runs until killed.
 */
static void busy_until_killed(void *arg, int wfd)
{
	bool hold = *(bool *)arg;
	int pipes[MIDPASS_PIPES][2], gone[2], fd, i;
	unsigned char *buf;
	struct xr_ring r;
	__u64 seq = 0;
	char path[64];

	snprintf(path, sizeof(path), "/tmp/xuring-midpass-%d", getpid());
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	buf = xr_alloc(64 * BS);
	if (fd < 0 || !buf || pipe(gone))
		_exit(122);
	unlink(path);
	memset(buf, 0x3c, 64 * BS);
	if (!xr_pwrite_all(fd, buf, 64 * BS, 0))
		_exit(123);
	for (i = 0; i < MIDPASS_PIPES; i++) {
		if (pipe(pipes[i]))
			_exit(124);
	}
	if (xr_sq_ring_init(&r, 64, 1000, 0))
		_exit(125);
	if (hold) {
		pid_t holder = fork();

		if (holder < 0)
			_exit(126);
		if (holder == 0) {
			char c;

			close(gone[1]);
			while (read(gone[0], &c, 1) > 0)
				;
			xr_sleep_ms(getpid() % 20);
			_exit(0);
		}
	}
	close(gone[0]);
	xr_report(wfd, "r", 1);

	for (;;) {
		struct xuring_sqe *sqe;
		struct xuring_cqe cqe;

		while ((sqe = xr_get_sqe(&r))) {
			unsigned int kind = seq % 8, slot = seq % 64;
			int p = seq % MIDPASS_PIPES;

			if (kind < 3)
				xr_prep_rw(sqe, XURING_OP_READ, fd,
					   buf + slot * BS, BS, slot * BS,
					   UD_MIDPASS + seq);
			else if (kind < 5)
				xr_prep_rw(sqe, XURING_OP_WRITE, fd,
					   buf + slot * BS, BS, slot * BS,
					   UD_MIDPASS + seq);
			else if (kind == 5)
				xr_prep_rw(sqe, XURING_OP_READ, pipes[p][0],
					   buf + slot * BS, 1, 0,
					   UD_MIDPASS + seq);
			else
				xr_prep_nop(sqe, UD_MIDPASS + seq);
			seq++;
		}
		xr_sqpoll_submit(&r);
		for (i = 0; i < MIDPASS_PIPES; i++) {
			if (write(pipes[i][1], "p", 1) != 1)
				_exit(127);
		}
		while (xr_reap_cqe(&r, &cqe))
			;
	}
}

/*
 * Finding 10 (not reproduced): owners killed at a random moment while
 * their SQ thread and io-wq workers work on their memory, 60 times, half
 * of them with the ring held on by a child. Nothing is left behind and
 * the kernel log stays clean.
 */
TEST_F_TIMEOUT(slow, owner_killed_mid_pass, 600)
{
	enum { ROUNDS = 60 };
	struct xr_counters base;
	unsigned int round;
	int kmsg;

	XR_REQUIRE_ROOT();
	XR_READ_BASELINE(&base);
	ASSERT_EQ(0, prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0));
	kmsg = xr_kmsg_open();
	srand(getpid());

	for (round = 0; round < ROUNDS; round++) {
		bool hold = round & 1;
		int rfd = -1, status;
		char ready;
		pid_t pid;

		pid = xr_spawn(NULL, true, busy_until_killed, &hold, &rfd);
		ASSERT_LT(0, pid);
		ASSERT_TRUE(xr_read_full_ms(rfd, &ready, 1, XR_IO_TIMEOUT_MS))
			TH_LOG("round %u: the owner did not start", round);
		close(rfd);
		xr_sleep_ms(1 + rand() % 50);
		status = xr_kill_child(pid);
		ASSERT_TRUE(status >= 0 && WIFSIGNALED(status))
			TH_LOG("round %u: status %#x", round, status);
		reap_orphans(hold ? 200 : 0);
	}
	reap_orphans(2000);
	XR_ASSERT_COUNTERS_SETTLE(&base);
	XR_ASSERT_KMSG_CLEAN(kmsg);
	if (kmsg >= 0)
		close(kmsg);
}

/* ------------------------------------------------------------ finding 2 */

#define CHAIN_MAX	8
#define CHAIN_BUF	(4 << 20)

struct chain_report {
	unsigned int nr_cqes;
	struct xuring_cqe cqes[CHAIN_MAX];
};

struct chain_args {
	int fd;
	unsigned int nr_links;
	__u32 link_len;
	/* not a chain: independent reads, each punted to io-wq */
	bool async;
};

/*
 * The holder: a child of the owner with the ring's fd and mapping. Once
 * the owner is gone (EOF on owner_gone), wait for the chain's CQEs on the
 * mapped CQ ring (ENTER is the owner's), report them and close.
 */
static void hold_ring(struct xr_ring *r, unsigned int nr, int owner_gone,
		      int wfd)
{
	struct chain_report rep = { 0 };
	char c;

	while (read(owner_gone, &c, 1) > 0)
		;
	xr_spin_for_cqes(r, nr, XR_IO_TIMEOUT_MS);
	while (rep.nr_cqes < nr && xr_reap_cqe(r, &rep.cqes[rep.nr_cqes]))
		rep.nr_cqes++;
	xr_report(wfd, &rep, sizeof(rep));
	xr_ring_exit(r);
	_exit(0);
}

/*
 * The owner, uid 65534: an IOPOLL ring, a child holding it, a chain of
 * O_DIRECT reads, and exit at once.
 */
static void submit_chain_and_exit(void *arg, int wfd)
{
	const struct chain_args *a = arg;
	struct xr_ring r;
	unsigned int i;
	int gone[2];
	char *buf;
	pid_t holder;

	buf = xr_alloc(CHAIN_BUF);
	if (!buf || pipe(gone))
		_exit(122);
	if (xr_ring_init(&r, 8, XURING_SETUP_IOPOLL))
		_exit(123);
	holder = fork();
	if (holder < 0)
		_exit(124);
	if (holder == 0) {
		close(gone[1]);
		hold_ring(&r, a->nr_links, gone[0], wfd);
	}
	close(wfd);
	for (i = 0; i < a->nr_links; i++) {
		struct xuring_sqe *sqe = xr_get_sqe(&r);

		if (!sqe)
			_exit(125);
		xr_prep_rw(sqe, XURING_OP_READ, a->fd, buf + i * a->link_len,
			   a->link_len, (__u64)i * a->link_len, UD_CHAIN + i);
		if (a->async)
			sqe->flags |= XURING_SQE_ASYNC;
		else if (i + 1 < a->nr_links)
			sqe->flags |= XURING_SQE_IO_LINK;
	}
	if (xr_submit(&r) != (int)a->nr_links)
		_exit(126);
	/* gone with the chain in flight; the holder's read sees EOF */
	_exit(0);
}

FIXTURE(iopoll_chain) {
	int fd;
};

FIXTURE_VARIANT(iopoll_chain) {
	/* the environment variable naming the directory or device */
	const char *env;
	bool blkdev;
	unsigned int nr_links;
	__u32 link_len;
	bool async;
	/* times over: a race the owner's exit may or may not hit */
	unsigned int rounds;
};

/*
 * ext4 on virtio-blk, as the finding had it: no poll queues, completions
 * come by interrupt, and a read may even complete before ->read_iter
 * returns, so a chain of four makes it likely that one is left for the
 * owner-exit work to reap.
 */
FIXTURE_VARIANT_ADD(iopoll_chain, ext4) {
	.env = "XURING_EXT4_DIR",
	.nr_links = 4,
	.link_len = 1 << 20,
};

/*
 * NVMe with poll queues: a polled read completes only when polled. One
 * bio each (a larger block device read is not tried without blocking).
 */
FIXTURE_VARIANT_ADD(iopoll_chain, nvme) {
	.env = "XURING_NVME",
	.blkdev = true,
	.nr_links = 2,
	.link_len = 64 << 10,
};

/*
 * NVMe with poll queues, eight polled reads each issued by an io-wq
 * worker: a worker that was still issuing when the owner's exit reaped
 * the polled requests adds its read to the list afterwards, and nobody
 * polls a ring whose owner is gone: the holder never saw that CQE (the
 * fuzzer's "lost completion" on a foreign IOPOLL ring).
 */
FIXTURE_VARIANT_ADD(iopoll_chain, nvme_async) {
	.env = "XURING_NVME",
	.blkdev = true,
	.nr_links = 8,
	.link_len = 64 << 10,
	.async = true,
	.rounds = 40,
};

FIXTURE_SETUP(iopoll_chain)
{
	self->fd = -1;
}

FIXTURE_TEARDOWN(iopoll_chain)
{
	if (self->fd >= 0)
		close(self->fd);
}

/*
 * Finding 2: the IOPOLL chain of a dead owner. The holder sees every CQE
 * of the chain, each the read's full length or -ECANCELED (and all after
 * a cancelled one cancelled too); the counters go back to where they were
 * once the holder closes the ring. Today the owner-exit work reaps a
 * read from a kworker and issues its successor there, without an mm:
 * "BUG: kernel NULL pointer dereference" in internal_get_user_pages_fast
 * (the guest panics).
 */
TEST_F_TIMEOUT(iopoll_chain, owner_exit_with_chain_in_flight, 300)
{
	const char *where = xr_env_path(variant->env);
	const size_t len = (size_t)variant->nr_links * variant->link_len;
	const unsigned int rounds = variant->rounds ?: 1;
	struct chain_args a = {
		.nr_links = variant->nr_links,
		.link_len = variant->link_len,
		.async = variant->async,
	};
	struct chain_report rep;
	struct xr_counters base;
	unsigned int i, round;
	int rfd = -1, kmsg;
	char *data;
	pid_t owner;

	XR_REQUIRE_ROOT();
	if (!where)
		SKIP(return, "no %s", variant->env);
	XR_READ_BASELINE(&base);
	kmsg = xr_kmsg_open();

	/* root's file or device; the owner reads it through an inherited fd */
	if (variant->blkdev)
		self->fd = open(where, O_RDWR | O_DIRECT | O_CLOEXEC);
	else
		self->fd = xr_scratch_file(where, O_RDWR | O_DIRECT);
	ASSERT_LE(0, self->fd) TH_LOG("%s: %s", where, strerror(errno));
	data = xr_alloc(len);
	ASSERT_NE(NULL, data);
	xr_fill_pattern(data, len, 0, 2);
	ASSERT_TRUE(xr_pwrite_all(self->fd, data, len, 0));
	ASSERT_EQ(0, fsync(self->fd));
	xr_free(data, len);
	/* the holder is the owner's child: ours to reap once the owner dies */
	ASSERT_EQ(0, prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0));

	a.fd = self->fd;
	for (round = 0; round < rounds; round++) {
		bool ok, cancelled = false;
		__u64 seen = 0;

		owner = xr_spawn(NULL, true, submit_chain_and_exit, &a, &rfd);
		ASSERT_LT(0, owner);
		ok = xr_read_full_ms(rfd, &rep, sizeof(rep),
				     2 * XR_IO_TIMEOUT_MS);
		xr_wait_child_ms(owner, XR_IO_TIMEOUT_MS);
		reap_orphans(XR_IO_TIMEOUT_MS);
		close(rfd);

		ASSERT_TRUE(ok)
			TH_LOG("round %u: no report from the process holding the ring",
			       round);
		for (i = 0; rep.nr_cqes != variant->nr_links &&
			    i < rep.nr_cqes; i++)
			TH_LOG("round %u: CQE %u: user_data %#llx res %d",
			       round, i, rep.cqes[i].user_data,
			       rep.cqes[i].res);
		ASSERT_EQ(variant->nr_links, rep.nr_cqes)
			TH_LOG("round %u: completions lost", round);
		for (i = 0; i < rep.nr_cqes; i++) {
			__u64 ud = rep.cqes[i].user_data;
			int res = rep.cqes[i].res;

			if (variant->async) {
				/* any order, each once, read in full or cancelled */
				ASSERT_TRUE(ud >= UD_CHAIN &&
					    ud < UD_CHAIN + variant->nr_links);
				ASSERT_EQ(0ULL, seen & (1ULL << (ud - UD_CHAIN)))
					TH_LOG("round %u: a second CQE for %#llx",
					       round, ud);
				seen |= 1ULL << (ud - UD_CHAIN);
				if (res != (int)variant->link_len)
					ASSERT_EQ(-ECANCELED, res)
						TH_LOG("round %u: %#llx", round, ud);
				continue;
			}
			ASSERT_EQ(UD_CHAIN + i, ud);
			if (cancelled || res != (int)variant->link_len) {
				ASSERT_EQ(-ECANCELED, res)
					TH_LOG("round %u: CQE %u", round, i);
				cancelled = true;
			}
		}
	}
	XR_ASSERT_COUNTERS_SETTLE(&base);
	XR_ASSERT_KMSG_CLEAN(kmsg);
	if (kmsg >= 0)
		close(kmsg);
}

TEST_HARNESS_MAIN
