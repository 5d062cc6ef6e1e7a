// SPDX-License-Identifier: GPL-2.0
/*
 * An SQPOLL ring only ever sees the files of the process that set it up
 * (issue 11, finding 1). An unprivileged process sets up an SQPOLL ring,
 * clone(CLONE_VM)s a sibling and execs a setuid-root program that opens a
 * root-only file and keeps it open. The sibling shares the ring's address
 * space, so it may submit: it asks the SQ thread to read (or write) fds
 * 3..10. Nothing of the root-only file may reach the sibling and nothing
 * may land in it: every CQE is -EBADF or -ECANCELED, or none comes at all
 * because the exec ended the thread's work for the ring. With the ring fd
 * closed on exec and without. The positive control: without the exec, the
 * SQ thread reads a file the owner itself opened.
 *
 * The setuid-root program is this binary, copied to /tmp at run time and
 * started with SETUID_HELPER_ARG (see setuid_helper()).
 */
#include <poll.h>
#include <sched.h>
#include <sys/prctl.h>

#include "xuring_safety.h"
#include "kselftest_harness.h"

XR_SKIP_ALL_WITHOUT_DEVICE()

#define BS			4096
#define FIRST_FD		3
#define LAST_FD			10
#define NR_FDS			(LAST_FD - FIRST_FD + 1)
#define SIBLING_STACK		(256 * 1024)

/* the fds the exec'd program gets for its "ready" pipe and nothing else */
#define READY_FD		20
#define REPORT_FD		21

#define SETUID_HELPER_ARG	"--xuring-setuid-open"
/* the only files the setuid program opens */
#define SECRET_PREFIX		"/tmp/xuring-secret-"

/* in every byte of the secret file; never in the sibling's buffers */
#define SECRET_MARK		"xuring-secret-4a1f9c"
#define PATTERN_SEED		0x5ec12e7
#define PWNED_BYTE		'P'

/* user_data of the sibling's SQE for fd n */
#define UD_BASE			0x5ec0000000ULL

/* What the sibling saw, sent to the test through the report pipe. */
struct sibling_report {
	/* the byte the setuid program sent once its file was open */
	char helper_said;
	int submit_ret;
	/*
	 * ENTER(SQ_WAKEUP) once the CQEs are in, or before any SQE: must be
	 * -EOWNERDEAD after an exec
	 */
	int enter_ret;
	unsigned int nr_cqes;
	struct {
		__u64 user_data;
		__s32 res;
	} cqes[NR_FDS];
	/* fd whose buffer holds the secret's mark, or -1 */
	int leaked_fd;
	/* positive control: the fd read held the pattern, byte for byte */
	bool pattern_ok;
};

/* What the sibling works with: in memory it shares with the owner. */
struct sibling_ctx {
	struct xr_ring r;
	__u8 opcode;
	/* ENTER before writing any SQE, with nothing for the thread to do */
	bool enter_first;
	int first_fd, last_fd;
	/* -1: do not wait for the setuid program */
	int ready_rfd;
	int report_wfd;
	unsigned char *bufs;
	struct sibling_report rep;
};

/* ------------------------------------------------- the setuid program */

/*
 * Runs as the setuid-root copy: open the file named (read-only or
 * read-write), tell the sibling through READY_FD, keep it open until
 * killed (at most a minute). A setuid-root program opens only what it is
 * made for: the tests' secret files.
 */
static void setuid_helper(char **argv)
{
	bool rw = !strcmp(argv[3], "rw");
	char said = 'R';
	int fd = -1, i;

	if (!strncmp(argv[2], SECRET_PREFIX, strlen(SECRET_PREFIX)) &&
	    !strstr(argv[2], "/.."))
		fd = open(argv[2], (rw ? O_RDWR : O_RDONLY) | O_NOFOLLOW);
	if (fd < 0 || geteuid() != 0)
		said = 'E';
	if (write(READY_FD, &said, 1) != 1)
		_exit(2);
	close(READY_FD);
	for (i = 0; i < 600; i++)
		xr_sleep_ms(100);
	_exit(0);
}

static void __attribute__((constructor)) dispatch(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], SETUID_HELPER_ARG))
		setuid_helper(argv);
}

/* ---------------------------------------------------------- the sibling */

/* Wait at most ms for one byte on fd: the byte, or 0. */
static char read_byte_ms(int fd, unsigned int ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	char c = 0;

	if (poll(&pfd, 1, ms) == 1 && read(fd, &c, 1) == 1)
		return c;
	return 0;
}

static unsigned char *sibling_buf(struct sibling_ctx *c, int fd)
{
	return c->bufs + (size_t)(fd - c->first_fd) * BS;
}

/*
 * The clone(CLONE_VM) sibling: same address space as the ring's owner
 * (before the owner's exec), so ENTER accepts it and the SQ thread reads
 * into its memory. Submits one read or write per fd, collects the CQEs
 * that come within 5 s, looks at its buffers and reports.
 */
static int sibling_main(void *arg)
{
	struct sibling_ctx *c = arg;
	struct sibling_report *rep = &c->rep;
	struct xuring_cqe cqe;
	int fd, nr = c->last_fd - c->first_fd + 1;

	/* the owner's copy is the one the setuid program must inherit */
	close(READY_FD);
	rep->leaked_fd = -1;
	if (c->ready_rfd >= 0) {
		rep->helper_said = read_byte_ms(c->ready_rfd, 20000);
		if (rep->helper_said != 'R')
			goto report;
	}

	/*
	 * Nothing submitted yet, so the SQ thread has had no reason to act
	 * for the owner (and to notice the exec): ENTER alone must know.
	 */
	if (c->enter_first)
		rep->enter_ret = xr_enter(c->r.fd, 0, 0,
					  XURING_ENTER_SQ_WAKEUP, NULL, 0);
	for (fd = c->first_fd; fd <= c->last_fd; fd++) {
		struct xuring_sqe *sqe = xr_get_sqe(&c->r);

		if (!sqe)
			break;
		xr_prep_rw(sqe, c->opcode, fd, sibling_buf(c, fd), BS, 0,
			   UD_BASE + fd);
	}
	rep->submit_ret = xr_sqpoll_submit(&c->r);
	xr_spin_for_cqes(&c->r, nr, 5000);
	/* always entered, whether or not the thread asked for a wakeup */
	if (!c->enter_first)
		rep->enter_ret = xr_enter(c->r.fd, 0, 0,
					  XURING_ENTER_SQ_WAKEUP, NULL, 0);
	while (rep->nr_cqes < NR_FDS && xr_reap_cqe(&c->r, &cqe)) {
		rep->cqes[rep->nr_cqes].user_data = cqe.user_data;
		rep->cqes[rep->nr_cqes].res = cqe.res;
		rep->nr_cqes++;
	}
	/* a read that lands late must not go unnoticed */
	xr_sleep_ms(500);
	for (fd = c->first_fd; fd <= c->last_fd; fd++) {
		if (memmem(sibling_buf(c, fd), BS, SECRET_MARK,
			   strlen(SECRET_MARK))) {
			rep->leaked_fd = fd;
			break;
		}
	}
	rep->pattern_ok = xr_pattern_mismatch(sibling_buf(c, c->first_fd), BS,
					      0, PATTERN_SEED) < 0;
report:
	if (write(c->report_wfd, rep, sizeof(*rep)) != sizeof(*rep))
		_exit(3);
	_exit(0);
}

/* ------------------------------------------------------------ the owner */

/* Move fd to number to, closed on exec or not. */
static int move_fd(int fd, int to, bool cloexec)
{
	if (fd == to)
		return fcntl(fd, F_SETFD, cloexec ? FD_CLOEXEC : 0);
	if (dup3(fd, to, cloexec ? O_CLOEXEC : 0) < 0)
		return -1;
	close(fd);
	return 0;
}

struct owner_args {
	__u8 opcode;
	bool ring_cloexec;
	bool enter_first;
	/* NULL: the positive control, no exec */
	const char *helper;
	/* the root-only file (helper), or the owner's own file */
	const char *path;
	int report_wfd;
};

/*
 * The forked owner: become nobody, set up the SQPOLL ring, clone the
 * sibling, then exec the setuid program (or, for the control, open its own
 * file first and stay). Exit statuses 10+ say which step failed.
 */
static void owner_main(const struct owner_args *a)
{
	struct sibling_ctx *c;
	int ready[2], fd, own_fd = -1;
	void *stack;

	/* only 0-2 and the report pipe: the setuid program's fds are known */
	if (move_fd(a->report_wfd, REPORT_FD, true))
		_exit(10);
	for (fd = 3; fd < 1024; fd++) {
		if (fd != REPORT_FD)
			close(fd);
	}
	if (xr_become_nobody_with_device())
		_exit(11);
	if (!a->helper) {
		own_fd = open(a->path, O_RDONLY | O_CLOEXEC);
		if (own_fd < 0)
			_exit(12);
	}

	c = mmap(NULL, sizeof(*c), PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	stack = xr_alloc(SIBLING_STACK);
	if (c == MAP_FAILED || !stack)
		_exit(13);
	memset(c, 0, sizeof(*c));
	c->opcode = a->opcode;
	c->enter_first = a->enter_first;
	c->first_fd = a->helper ? FIRST_FD : own_fd;
	c->last_fd = a->helper ? LAST_FD : own_fd;
	c->report_wfd = REPORT_FD;
	c->ready_rfd = -1;
	c->bufs = xr_alloc((size_t)NR_FDS * BS);
	if (!c->bufs)
		_exit(14);
	memset(c->bufs, a->opcode == XURING_OP_WRITE ? PWNED_BYTE : 0xaa,
	       (size_t)NR_FDS * BS);

	/* a long idle time: the thread is awake when the SQEs come */
	if (xr_sq_ring_init(&c->r, 16, 5000, 0))
		_exit(15);
	if (!a->ring_cloexec && fcntl(c->r.fd, F_SETFD, 0))
		_exit(16);

	if (a->helper) {
		if (pipe2(ready, O_CLOEXEC) || move_fd(ready[1], READY_FD, false))
			_exit(17);
		c->ready_rfd = ready[0];
	}

	if (clone(sibling_main, (char *)stack + SIBLING_STACK,
		  CLONE_VM | SIGCHLD, c) < 0)
		_exit(18);

	if (a->helper) {
		char *argv[] = { (char *)a->helper, SETUID_HELPER_ARG,
				 (char *)a->path,
				 a->opcode == XURING_OP_WRITE ? "rw" : "r", NULL };
		char *envp[] = { NULL };

		execve(a->helper, argv, envp);
		_exit(19);
	}
	/* the control: stay, with the file open, until killed */
	for (fd = 0; fd < 600; fd++)
		xr_sleep_ms(100);
	_exit(0);
}

/* ------------------------------------------------------------ the tests */

/* Create path (root's, mode) holding 4096 bytes of the given kind. */
static int make_file(const char *path, mode_t mode, bool secret)
{
	unsigned char buf[BS];
	size_t i, mark = strlen(SECRET_MARK);
	int fd, ret = 0;

	if (secret) {
		for (i = 0; i + mark <= BS; i += mark)
			memcpy(buf + i, SECRET_MARK, mark);
		memset(buf + i, '!', BS - i);
	} else {
		xr_fill_pattern(buf, BS, 0, PATTERN_SEED);
	}
	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	if (fd < 0)
		return -errno;
	if (!xr_pwrite_all(fd, buf, BS, 0) || fchmod(fd, mode))
		ret = -EIO;
	close(fd);
	return ret;
}

/*
 * Run an owner (and its sibling) as described by a; fill *rep with the
 * sibling's report. Returns 0, or the owner's failing step / -errno.
 */
static int run_owner(struct owner_args *a, struct sibling_report *rep)
{
	struct pollfd pfd;
	int report[2], status, ret = 0;
	__u64 start;
	pid_t owner;
	ssize_t n;

	if (pipe2(report, O_CLOEXEC))
		return -errno;
	/* the sibling is the owner's child: it becomes ours when that dies */
	prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	a->report_wfd = report[1];
	owner = fork();
	if (owner < 0)
		return -errno;
	if (owner == 0)
		owner_main(a);
	close(report[1]);

	pfd.fd = report[0];
	pfd.events = POLLIN;
	memset(rep, 0, sizeof(*rep));
	if (poll(&pfd, 1, 40000) == 1) {
		n = read(report[0], rep, sizeof(*rep));
		if (n != sizeof(*rep))
			ret = -EPIPE;
	} else {
		ret = -ETIME;
	}
	close(report[0]);

	kill(owner, SIGKILL);
	status = xr_wait_child_ms(owner, 10000);
	if (ret == -EPIPE && status >= 0 && WIFEXITED(status) &&
	    WEXITSTATUS(status) >= 10)
		ret = WEXITSTATUS(status);
	/* the sibling, reparented to us */
	start = xr_now_ns();
	while (waitpid(-1, &status, WNOHANG) >= 0 && xr_ms_since(start) < 10000)
		xr_sleep_ms(10);
	return ret;
}

FIXTURE(setuid_exec) {
	char secret[64];
	char helper[64];
};

FIXTURE_VARIANT(setuid_exec) {
	__u8 opcode;
	bool ring_cloexec;
	bool enter_first;
};

FIXTURE_VARIANT_ADD(setuid_exec, read_ring_cloexec) {
	.opcode = XURING_OP_READ,
	.ring_cloexec = true,
};

FIXTURE_VARIANT_ADD(setuid_exec, read_ring_inherited) {
	.opcode = XURING_OP_READ,
	.ring_cloexec = false,
};

FIXTURE_VARIANT_ADD(setuid_exec, write_ring_cloexec) {
	.opcode = XURING_OP_WRITE,
	.ring_cloexec = true,
};

FIXTURE_VARIANT_ADD(setuid_exec, write_ring_inherited) {
	.opcode = XURING_OP_WRITE,
	.ring_cloexec = false,
};

FIXTURE_VARIANT_ADD(setuid_exec, read_ring_cloexec_enter_first) {
	.opcode = XURING_OP_READ,
	.ring_cloexec = true,
	.enter_first = true,
};

FIXTURE_VARIANT_ADD(setuid_exec, read_ring_inherited_enter_first) {
	.opcode = XURING_OP_READ,
	.ring_cloexec = false,
	.enter_first = true,
};

/* SKIP and ASSERT belong in the test: a 6.1 harness runs it after a SKIP here */
FIXTURE_SETUP(setuid_exec)
{
	snprintf(self->secret, sizeof(self->secret), SECRET_PREFIX "%d",
		 getpid());
	snprintf(self->helper, sizeof(self->helper), "/tmp/xuring-setuid-%d",
		 getpid());
}

FIXTURE_TEARDOWN(setuid_exec)
{
	unlink(self->secret);
	unlink(self->helper);
}

/*
 * The secret must never reach the sibling, and a write must never land in
 * the root-only file: each CQE that comes is -EBADF or -ECANCELED.
 */
TEST_F_TIMEOUT(setuid_exec, root_file_stays_out_of_reach, 90)
{
	struct owner_args a = {
		.opcode = variant->opcode,
		.ring_cloexec = variant->ring_cloexec,
		.enter_first = variant->enter_first,
		.helper = self->helper,
		.path = self->secret,
	};
	struct sibling_report rep;
	unsigned char buf[BS];
	unsigned int i;
	int ret, fd;

	XR_REQUIRE_ROOT();
	ret = make_file(self->secret, 0600, true);
	ASSERT_EQ(0, ret) TH_LOG("%s: %s", self->secret, strerror(-ret));
	ret = xr_install_setuid_copy(self->helper);
	ASSERT_EQ(0, ret) TH_LOG("%s: %s", self->helper, strerror(-ret));

	ret = run_owner(&a, &rep);
	ASSERT_EQ(0, ret) TH_LOG("the owner failed: %s",
				 ret > 0 ? "step (exit status)" : strerror(-ret));
	/* the scenario happened: the setuid program had the file open */
	ASSERT_EQ('R', rep.helper_said)
		TH_LOG("the setuid-root program did not open %s (said '%c')",
		       self->secret, rep.helper_said ?: '-');

	for (i = 0; i < rep.nr_cqes; i++)
		TH_LOG("fd %llu: res %d", rep.cqes[i].user_data - UD_BASE,
		       rep.cqes[i].res);
	ASSERT_EQ(-1, rep.leaked_fd)
		TH_LOG("the SQ thread read the root-only file into the sibling (fd %d)",
		       rep.leaked_fd);

	/* the root-only file is as it was */
	fd = open(self->secret, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(BS, read(fd, buf, BS));
	close(fd);
	ASSERT_EQ(NULL, memchr(buf, PWNED_BYTE, BS))
		TH_LOG("the SQ thread wrote the sibling's data into the root-only file");

	/*
	 * The owner is gone once it exec'ed, whether or not the ring's fd
	 * went with the exec: the sibling, still in the old address space,
	 * gets -EOWNERDEAD as documented (the old mm lives on in it, so no
	 * mm release tells; with the fd inherited, no close does either).
	 */
	ASSERT_EQ(-EOWNERDEAD, rep.enter_ret)
		TH_LOG("ENTER from the sibling after the owner's exec: %d",
		       rep.enter_ret);

	for (i = 0; i < rep.nr_cqes; i++) {
		__u64 ud = rep.cqes[i].user_data;

		ASSERT_LE(UD_BASE + FIRST_FD, ud);
		ASSERT_GE(UD_BASE + LAST_FD, ud);
		if (rep.cqes[i].res != -EBADF)
			ASSERT_EQ(-ECANCELED, rep.cqes[i].res)
				TH_LOG("fd %llu: res %d, want -EBADF or -ECANCELED",
				       ud - UD_BASE, rep.cqes[i].res);
	}
}

/*
 * The control: without an exec, the SQ thread reads (for the sibling) a
 * file the owner opened itself, byte for byte. Without it, the test
 * above could pass because the mechanism was broken.
 */
FIXTURE(slow) {
	int unused;
};

FIXTURE_SETUP(slow)
{
}

FIXTURE_TEARDOWN(slow)
{
}

TEST_F_TIMEOUT(slow, owner_file_read_by_sq_thread, 60)
{
	struct owner_args a = {
		.opcode = XURING_OP_READ,
		.ring_cloexec = true,
	};
	struct sibling_report rep;
	char path[64];
	int ret;

	XR_REQUIRE_ROOT();
	snprintf(path, sizeof(path), "/tmp/xuring-public-%d", getpid());
	ASSERT_EQ(0, make_file(path, 0644, false));
	a.path = path;
	ret = run_owner(&a, &rep);
	unlink(path);
	ASSERT_EQ(0, ret) TH_LOG("the owner failed: %d", ret);
	/* no exec: the owner is there, and ENTER works */
	ASSERT_LE(0, rep.enter_ret);
	ASSERT_EQ(1U, rep.nr_cqes);
	ASSERT_EQ(BS, rep.cqes[0].res);
	ASSERT_TRUE(rep.pattern_ok);
}

TEST_HARNESS_MAIN
