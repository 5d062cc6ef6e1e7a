// SPDX-License-Identifier: GPL-2.0
/*
 * Process shapes around exec: an owner that execs while a clone(CLONE_VM)
 * sibling keeps its old address space (and with it the ring), vfork
 * children that enter the parent's rings or set up rings in the parent's
 * address space and then exec, and ioctls through the 32-bit entry.
 *
 * The exec'd image is this binary again ("--child-exec MODE ...", handled
 * before anything else in main()), or, when the fuzzer runs as root with
 * --suid-helper, a setuid-root copy of it installed at run time in a
 * private directory: exec'd by an unprivileged owner, it opens a root-only
 * file. Files an owner opens after its exec hold their own patterns
 * (PAT_POSTEXEC, PAT_SECRET): a ring of the pre-exec process that ever
 * reads them has looked the fds up in the wrong table (issue 11 #1).
 *
 * The setuid copy does one thing only: if it finds itself setuid, main()
 * refuses every mode but "holder".
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "fuzz.h"

static char fz_exec_dir[300];	/* our private directory, or "" */
static bool fz_have_suid;
static int fz_janitor_fd = -1;	/* closing it tells the janitor to clean */

static void fz_exec_path(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", fz_exec_dir, name);
}

/* ------------------------------------------------ the exec'd image */

static int fz_arg_fd(const char *s)
{
	return s ? (int)strtol(s, NULL, 10) : -1;
}

/* Move @fd out of the way of 3..15, which the holder fills. */
static int fz_high_fd(int fd)
{
	int n;

	if (fd < 0)
		return -1;
	n = fcntl(fd, F_DUPFD, 100);
	close(fd);
	return n;
}

/* A ring of the process before its exec: this image may not use it. */
static void fz_exec_check_ring(int ring)
{
	int32_t fds[1] = { -1 };
	int ret;

	/* a ring fd with O_CLOEXEC did not come along */
	if (ring < 0 || fcntl(ring, F_GETFD) < 0)
		return;
	ret = fz_child_enter(ring, 1, 0);
	if (ret >= 0 || (errno != EEXIST && errno != EOWNERDEAD))
		fz_child_fail("after its exec the owner could ENTER its old ring: %d (%s); expected EEXIST or EOWNERDEAD",
			      ret, ret < 0 ? strerror(errno) : "success");
	ret = fz_child_register(ring, XURING_REGISTER_FILES, fds, 1);
	if (ret >= 0 || (errno != EEXIST && errno != EOWNERDEAD))
		fz_child_fail("after its exec the owner could REGISTER on its old ring: %d (%s); expected EEXIST or EOWNERDEAD",
			      ret, ret < 0 ? strerror(errno) : "success");
}

/*
 * holder DIR NOTIFY DONE RING: open the post-exec files (and, setuid, the
 * root-only one) onto fds 3..15, say so on NOTIFY, check that RING (the
 * pre-exec ring, if it survived the exec) refuses us, and stay until DONE
 * is closed.
 */
static int fz_exec_holder(char **argv)
{
	char path[400];
	int notify = fz_high_fd(fz_arg_fd(argv[1]));
	int done = fz_high_fd(fz_arg_fd(argv[2]));
	int ring = fz_high_fd(fz_arg_fd(argv[3]));
	int post, secret = -1, fd;
	struct pollfd pfd = { .fd = done, .events = POLLIN };

	fz_in_child = true;
	alarm(10);
	snprintf(fz_exec_dir, sizeof(fz_exec_dir), "%s", argv[0]);
	fz_exec_path(path, sizeof(path), "postexec");
	post = open(path, O_RDONLY | O_CLOEXEC);
	if (geteuid() == 0) {
		fz_exec_path(path, sizeof(path), "secret");
		secret = open(path, O_RDONLY | O_CLOEXEC);
	}
	for (fd = 3; fd <= 15; fd++) {
		int src = (fd & 1) && secret >= 0 ? secret : post;

		if (src >= 0 && src != fd)
			dup2(src, fd);
	}
	if (notify >= 0)
		(void)!write(notify, "r", 1);
	fz_exec_check_ring(ring);
	if (done >= 0)
		poll(&pfd, 1, 5000);
	return 0;
}

int fz_exec_main(int argc, char **argv)
{
	const char *mode = argc > 2 ? argv[2] : "";

	/* a setuid copy does nothing but hold files */
	if ((getuid() != geteuid() || getgid() != getegid()) &&
	    strcmp(mode, "holder"))
		return 64;
	if (!strcmp(mode, "holder") && argc >= 7)
		return fz_exec_holder(argv + 3);
	if (!strcmp(mode, "ring-check") && argc >= 4) {
		fz_in_child = true;
		fz_exec_check_ring(fz_arg_fd(argv[3]));
		return 0;
	}
	if (!strcmp(mode, "exit"))
		return 0;
	fprintf(stderr, "xuring-fuzz: unknown --child-exec mode '%s'\n", mode);
	return 64;
}

/* --------------------------------------------------------- set up */

static int fz_copy_file(const char *from, const char *to, mode_t mode)
{
	char buf[65536];
	int in = open(from, O_RDONLY | O_CLOEXEC), out;
	ssize_t n;

	if (in < 0)
		return -1;
	out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0700);
	if (out < 0) {
		close(in);
		return -1;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, n) != n)
			n = -1;
	if (n < 0 || fchmod(out, mode)) {
		close(in);
		close(out);
		unlink(to);
		return -1;
	}
	close(in);
	close(out);
	return 0;
}

static void fz_exec_cleanup_files(void)
{
	static const char *const names[] = { "suid", "secret", "postexec" };
	char path[400];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(names); i++) {
		fz_exec_path(path, sizeof(path), names[i]);
		unlink(path);
	}
	rmdir(fz_exec_dir);
}

/*
 * Before we drop privileges (--uid): a root process that removes the
 * setuid helper and the secret once we are gone, whichever way we go.
 */
static void fz_exec_janitor(void)
{
	int p[2];
	pid_t pid;

	if (pipe2(p, O_CLOEXEC))
		return;
	pid = fork();
	if (pid == 0) {
		char c;
		int fd;

		for (fd = 0; fd < 1024; fd++)
			if (fd != p[0])
				close(fd);
		setsid();
		while (read(p[0], &c, 1) > 0)
			;
		fz_exec_cleanup_files();
		_exit(0);
	}
	close(p[0]);
	if (pid > 0) {
		fz_janitor_fd = p[1];
		fz_protect_fd(p[1]);
	} else {
		close(p[1]);
	}
}

void fz_exec_init(void)
{
	const char *tmp = fz_cfg.tmpdir ? fz_cfg.tmpdir :
			  getenv("XURING_TMPDIR") ? getenv("XURING_TMPDIR") :
			  "/tmp";
	char path[400];
	int fd;

	snprintf(fz_exec_dir, sizeof(fz_exec_dir), "%s/xuring-fuzz.XXXXXX", tmp);
	if (!mkdtemp(fz_exec_dir)) {
		fz_exec_dir[0] = 0;
		return;
	}
	/* others (uid 65534 children) may use what is inside, not list it */
	chmod(fz_exec_dir, 0711);
	fz_exec_path(path, sizeof(path), "postexec");
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
	if (fd >= 0) {
		fz_pat_write(fd, PAT_POSTEXEC, 16384);
		close(fd);
	}
	if (geteuid() != 0 || !fz_cfg.suid_helper)
		return;
	fz_exec_path(path, sizeof(path), "secret");
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0400);
	if (fd >= 0) {
		fz_pat_write(fd, PAT_SECRET, 16384);
		close(fd);
	}
	fz_exec_path(path, sizeof(path), "suid");
	fz_have_suid = fz_shape_on(FZ_SHAPE_SUID) &&
		       !fz_copy_file(fz_cfg.exe, path, 04755);
	if (fz_have_suid)
		printf("xuring-fuzz: setuid-root helper at %s (removed at the end)\n",
		       path);
	if (fz_cfg.uid >= 0)
		fz_exec_janitor();
}

void fz_exec_fini(void)
{
	if (!fz_exec_dir[0] || fz_in_child)
		return;
	if (fz_janitor_fd >= 0)
		close(fz_janitor_fd);	/* it cleans up as root */
	else
		fz_exec_cleanup_files();
}

/* --------------------------------------- exec with a CLONE_VM sibling */

struct fz_sibling {
	struct fz_rng	rng;
	int		ring;
	void		*rings, *sqes;
	struct xuring_params p;
	int		notify;		/* read end: 'r' from the exec'd owner */
	int		done;		/* write end: closed when we are done */
	int		ready;		/* write end: the pre-exec part is done */
	int		close_fds[2];	/* the owner's ends, in our copy */
	bool		before;		/* requests in flight across the exec */
	bool		suid;
	bool		cloexec;	/* the owner's ring fd: O_CLOEXEC */
};

static void fz_sib_publish(struct fz_sibling *s, unsigned int *tail,
			   unsigned int n)
{
	unsigned int *t = (unsigned int *)((char *)s->rings + s->p.sq_off.tail);

	*tail += n;
	__atomic_store_n(t, *tail, __ATOMIC_RELEASE);
}

static struct xuring_sqe *fz_sib_sqe(struct fz_sibling *s, unsigned int i)
{
	unsigned int mask = s->p.sq_entries - 1;
	unsigned int *array = (unsigned int *)((char *)s->rings +
					       s->p.sq_off.array);

	array[i & mask] = i & mask;
	return (struct xuring_sqe *)s->sqes + (i & mask);
}

/*
 * The sibling: same address space as the owner until the owner execs,
 * then the only user of it, and of the ring that lives in it. No locks,
 * no malloc: raw system calls and our own memory.
 */
static int fz_sibling_main(void *arg)
{
	struct fz_sibling *s = arg;
	unsigned int tail = 0, i, got = 0, nr = 8, head;
	struct pollfd pfd = { .fd = s->notify, .events = POLLIN };
	bool sqpoll = s->p.flags & XURING_SETUP_SQPOLL;
	int pp[2], enter_ret, enter_err = 0;
	char *pages = fz_check_base;
	uint64_t deadline;
	char c = 0;

	close(s->close_fds[0]);
	close(s->close_fds[1]);
	alarm(10);
	if (s->before && pipe(pp) == 0) {
		/* a read nobody will satisfy, and a NOP, across the exec */
		struct xuring_sqe *sqe = fz_sib_sqe(s, tail);

		memset(sqe, 0, sizeof(*sqe));
		sqe->opcode = XURING_OP_READ;
		sqe->fd = pp[0];
		sqe->addr = (uintptr_t)fz_world.rw;
		sqe->len = 64;
		sqe->user_data = 1;
		sqe = fz_sib_sqe(s, tail + 1);
		memset(sqe, 0, sizeof(*sqe));
		sqe->user_data = 2;
		fz_sib_publish(s, &tail, 2);
		fz_child_enter(s->ring, 2, sqpoll ? XURING_ENTER_SQ_WAKEUP : 0);
	}
	(void)!write(s->ready, "s", 1);
	close(s->ready);

	/* the owner's exec'd image says it has its files open */
	if (poll(&pfd, 1, 5000) != 1 || read(s->notify, &c, 1) != 1 || c != 'r')
		_exit(0);

	/* reads of fds 3..10 into check pages: none may see those files */
	if (nr > s->p.sq_entries)
		nr = s->p.sq_entries;
	for (i = 0; i < nr; i++) {
		struct xuring_sqe *sqe = fz_sib_sqe(s, tail + i);

		memset(pages + 4096 * i, FZ_POISON, 4096);
		memset(sqe, 0, sizeof(*sqe));
		sqe->opcode = XURING_OP_READ;
		sqe->fd = 3 + i;
		sqe->addr = (uintptr_t)(pages + 4096 * i);
		sqe->len = 4096;
		sqe->user_data = 100 + i;
	}
	fz_sib_publish(s, &tail, nr);
	enter_ret = fz_child_enter(s->ring, nr,
				   sqpoll ? XURING_ENTER_SQ_WAKEUP : 0);
	if (enter_ret < 0)
		enter_err = errno;

	/* whatever was consumed completes, or is cancelled, within 2 s */
	deadline = fz_now_ns() + 2000000000ULL;
	while (fz_now_ns() < deadline) {
		unsigned int ctail = __atomic_load_n((unsigned int *)((char *)s->rings +
						     s->p.cq_off.tail), __ATOMIC_ACQUIRE);
		unsigned int *chead = (unsigned int *)((char *)s->rings +
						       s->p.cq_off.head);

		head = __atomic_load_n((unsigned int *)((char *)s->rings +
					s->p.sq_off.head), __ATOMIC_ACQUIRE);
		got += ctail - *chead;
		__atomic_store_n(chead, ctail, __ATOMIC_RELEASE);
		if (head == tail && got >= tail - (s->before ? 1 : 0))
			break;
		usleep(2000);
	}
	for (i = 0; i < nr; i++) {
		if (fz_pat_seen(pages + 4096 * i, 4096, PAT_SECRET))
			fz_child_fail("LEAK: a READ of fd %u through the ring of a process that exec'd %s read the root-only file that program opened (%s ring; issue 11 #1)",
				      3 + i, s->suid ? "a setuid-root program" :
				      "a program running as root",
				      sqpoll ? "SQPOLL" : "plain");
		if (fz_pat_seen(pages + 4096 * i, 4096, PAT_POSTEXEC))
			fz_child_fail("a READ of fd %u through the ring read a file its owner opened after exec: the lookup used the exec'd image's fd table (%s ring%s; issue 11 #1)",
				      3 + i, sqpoll ? "SQPOLL" : "plain",
				      s->suid ? ", setuid exec" : "");
	}
	/* the owner exec'd: its ring is dead to everyone (issue 11) */
	if (enter_ret >= 0 || enter_err != EOWNERDEAD)
		fz_child_fail("ENTER on a ring whose owner exec'd returned %d (%s); expected EOWNERDEAD (%s ring, the owner's fd %s)",
			      enter_ret, enter_ret < 0 ? strerror(enter_err) : "success",
			      sqpoll ? "SQPOLL" : "plain",
			      s->cloexec ? "close-on-exec" : "kept across the exec");
	close(s->done);
	_exit(0);
}

/* In the forked owner: set up, clone the sibling, exec. */
static void __attribute__((noreturn)) fz_exec_owner(struct fz_rng *r,
						    int status_fd)
{
	static struct fz_sibling sib;
	struct xuring_setup_arg sa = { .params = (uintptr_t)&sib.p };
	int np[2], dp[2], rp[2];
	char exe[400], a_notify[16], a_done[16], a_ring[16];
	char *argv[8];
	bool cloexec = fz_chance(r, 1, 2);
	struct pollfd pfd;
	size_t rlen;
	char *stack;
	pid_t pid;

	fz_in_child = true;
	alarm(10);
	sib.suid = fz_have_suid && fz_chance(r, 2, 3);
	/* an unprivileged owner, when we can: the attack of issue 11 #1 */
	if (fz_shape_on(FZ_SHAPE_CREDS) && (sib.suid || fz_chance(r, 1, 2)))
		fz_child_drop_privileges();
	sib.cloexec = cloexec;
	sib.ring = open(XURING_DEVICE_PATH, O_RDWR | (cloexec ? O_CLOEXEC : 0));
	if (sib.ring < 0)
		_exit(0);
	memset(&sib.p, 0, sizeof(sib.p));
	sa.entries = 16;
	if (fz_chance(r, 2, 3)) {
		sib.p.flags = XURING_SETUP_SQPOLL;
		sib.p.sq_thread_idle = fz_range(r, 1, 50);
	}
	if (ioctl(sib.ring, XURING_IOC_SETUP, &sa) < 0)
		_exit(0);
	rlen = sib.p.cq_off.cqes + sib.p.cq_entries * sizeof(struct xuring_cqe);
	if (rlen < sib.p.sq_off.array + sib.p.sq_entries * 4)
		rlen = sib.p.sq_off.array + sib.p.sq_entries * 4;
	sib.rings = mmap(NULL, rlen, PROT_READ | PROT_WRITE, MAP_SHARED,
			 sib.ring, XURING_OFF_SQ_RING);
	sib.sqes = mmap(NULL, sib.p.sq_entries * sizeof(struct xuring_sqe),
			PROT_READ | PROT_WRITE, MAP_SHARED, sib.ring,
			XURING_OFF_SQES);
	stack = mmap(NULL, 256 * 1024, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (sib.rings == MAP_FAILED || sib.sqes == MAP_FAILED ||
	    stack == MAP_FAILED || pipe(np) || pipe(dp) || pipe2(rp, O_CLOEXEC))
		_exit(0);
	sib.notify = np[0];
	sib.done = dp[1];
	sib.ready = rp[1];
	sib.close_fds[0] = np[1];
	sib.close_fds[1] = dp[0];
	sib.before = fz_chance(r, 1, 3);
	fz_rng_seed(&sib.rng, fz_rand(r));

	/* the sibling's parent is the fuzzer, which reaps it */
	pid = clone(fz_sibling_main, stack + 256 * 1024,
		    CLONE_VM | CLONE_PARENT | SIGCHLD, &sib);
	if (pid < 0)
		_exit(0);
	(void)!write(status_fd, &pid, sizeof(pid));
	close(status_fd);
	close(np[0]);
	close(dp[1]);
	close(rp[1]);
	pfd.fd = rp[0];
	pfd.events = POLLIN;
	poll(&pfd, 1, 2000);

	if (sib.suid)
		fz_exec_path(exe, sizeof(exe), "suid");
	else
		snprintf(exe, sizeof(exe), "%s", fz_cfg.exe);
	snprintf(a_notify, sizeof(a_notify), "%d", np[1]);
	snprintf(a_done, sizeof(a_done), "%d", dp[0]);
	snprintf(a_ring, sizeof(a_ring), "%d", cloexec ? -1 : sib.ring);
	argv[0] = exe;
	argv[1] = "--child-exec";
	argv[2] = "holder";
	argv[3] = fz_exec_dir;
	argv[4] = a_notify;
	argv[5] = a_done;
	argv[6] = a_ring;
	argv[7] = NULL;
	execv(exe, argv);
	_exit(0);
}

void fz_shape_exec(struct fz_rng *r)
{
	int status[2];
	struct fz_rng crng;
	struct pollfd pfd;
	pid_t owner, sibling = -1;

	if (!fz_exec_dir[0] || !fz_cfg.exe)
		return;
	fz_rng_seed(&crng, fz_rand(r));
	if (pipe2(status, O_CLOEXEC))
		return;
	fflush(stdout);
	owner = fork();
	if (owner == 0) {
		close(status[0]);
		fz_exec_owner(&crng, status[1]);
	}
	close(status[1]);
	if (owner < 0) {
		close(status[0]);
		return;
	}
	pfd.fd = status[0];
	pfd.events = POLLIN;
	if (poll(&pfd, 1, 3000) == 1 &&
	    read(status[0], &sibling, sizeof(sibling)) != sizeof(sibling))
		sibling = -1;
	close(status[0]);
	fz_stat_inc(execs);
	fz_log("exec shape: owner pid %d execs, clone(CLONE_VM) sibling pid %d",
	       (int)owner, (int)sibling);
	fz_child_adopt(owner, "exec'ing owner", 9000);
	if (sibling > 0) {
		fz_stat_inc(siblings);
		fz_child_adopt(sibling, "clone(CLONE_VM) sibling of an exec'ing owner",
			       9000);
	}
}

/* ------------------------------------------------------------ vfork */

struct fz_vfork_args {
	int		ring;		/* enter: the parent's ring */
	unsigned int	to_submit;
	bool		setup;		/* set a ring up instead */
	bool		sqpoll;
	bool		exec;
	bool		cloexec;
	int		pipe_fd;	/* a pool pipe to block a read on */
	/* results, in the parent's memory (CLONE_VM) */
	int		ret, err;
	void		*maps[2];
	size_t		lens[2];
	char		a_ring[16];
};

static int fz_vfork_main(void *arg)
{
	struct fz_vfork_args *a = arg;
	char *argv[5];

	if (a->setup) {
		struct xuring_params p;
		struct xuring_setup_arg sa = { .entries = 8,
					       .params = (uintptr_t)&p };
		struct xuring_sqe *sqe;
		int fd = open(XURING_DEVICE_PATH,
			      O_RDWR | (a->cloexec ? O_CLOEXEC : 0));

		memset(&p, 0, sizeof(p));
		p.flags = a->sqpoll ? XURING_SETUP_SQPOLL : 0;
		if (fd < 0 || ioctl(fd, XURING_IOC_SETUP, &sa) < 0)
			_exit(0);
		/* mapped in the parent's address space: it unmaps them */
		a->lens[0] = p.cq_off.cqes + p.cq_entries * sizeof(struct xuring_cqe);
		if (a->lens[0] < p.sq_off.array + p.sq_entries * 4)
			a->lens[0] = p.sq_off.array + p.sq_entries * 4;
		a->maps[0] = mmap(NULL, a->lens[0], PROT_READ | PROT_WRITE,
				  MAP_SHARED, fd, XURING_OFF_SQ_RING);
		a->lens[1] = p.sq_entries * sizeof(*sqe);
		a->maps[1] = mmap(NULL, a->lens[1], PROT_READ | PROT_WRITE,
				  MAP_SHARED, fd, XURING_OFF_SQES);
		if (a->maps[0] == MAP_FAILED || a->maps[1] == MAP_FAILED)
			_exit(0);
		sqe = a->maps[1];
		memset(sqe, 0, sizeof(*sqe));
		sqe->opcode = XURING_OP_READ;
		sqe->fd = a->pipe_fd;
		sqe->addr = (uintptr_t)fz_world.rw;
		sqe->len = 16;
		((unsigned int *)((char *)a->maps[0] + p.sq_off.array))[0] = 0;
		__atomic_store_n((unsigned int *)((char *)a->maps[0] +
						  p.sq_off.tail), 1,
				 __ATOMIC_RELEASE);
		a->ret = fz_child_enter(fd, 1, p.flags & XURING_SETUP_SQPOLL ?
					XURING_ENTER_SQ_WAKEUP : 0);
		snprintf(a->a_ring, sizeof(a->a_ring), "%d",
			 a->cloexec ? -1 : fd);
	} else {
		a->ret = fz_child_enter(a->ring, a->to_submit, 0);
		snprintf(a->a_ring, sizeof(a->a_ring), "%d", a->ring);
	}
	a->err = a->ret < 0 ? errno : 0;
	if (!a->exec)
		_exit(0);
	argv[0] = (char *)fz_cfg.exe;
	argv[1] = "--child-exec";
	argv[2] = "ring-check";
	argv[3] = a->a_ring;
	argv[4] = NULL;
	execv(fz_cfg.exe, argv);
	_exit(0);
}

/*
 * A vfork child shares our address space until it execs: it may ENTER
 * our rings (our SQEs, queued here), or set a ring up whose memory is
 * ours and whose owner then execs and exits. We wait for it, as vfork
 * does.
 */
void fz_shape_vfork(struct fz_rng *r)
{
	static __thread char stack[64 * 1024] __attribute__((aligned(16)));
	struct fz_vfork_args a = { .ring = -1, .maps = { MAP_FAILED, MAP_FAILED } };
	struct fz_ring *ring = NULL;
	int status = 0, i;
	pid_t pid;

	a.exec = fz_cfg.exe && fz_chance(r, 2, 3);
	a.setup = fz_chance(r, 1, 3);
	if (a.setup) {
		a.cloexec = fz_chance(r, 1, 2);
		a.sqpoll = fz_chance(r, 1, 2);
		a.pipe_fd = fz_pick_fd(r, NULL);
	} else {
		ring = fz_pick_ring(r, true);
		if (!ring)
			return;
		pthread_rwlock_rdlock(&ring->lock);
		if (!ring->ready) {
			pthread_rwlock_unlock(&ring->lock);
			return;
		}
		fz_ring_submit_batch(ring, r, fz_range(r, 1, 8));
		a.ring = ring->fd;
		a.to_submit = fz_ring_pending(ring) + fz_below(r, 2);
	}
	fflush(stdout);
	pid = clone(fz_vfork_main, stack + sizeof(stack),
		    CLONE_VM | CLONE_VFORK | SIGCHLD, &a);
	if (pid > 0)
		waitpid(pid, &status, 0);
	fz_stat_inc(vforks);
	fz_log("vfork pid %d: %s%s -> %d%s%s", (int)pid,
	       a.setup ? "set up a ring in our memory" : "ENTER on our ring",
	       a.exec ? ", exec" : "", a.ret, a.ret < 0 ? " " : "",
	       a.ret < 0 ? strerror(a.err) : "");
	if (pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 42)
		fz_fail("vfork child pid %d failed a self-check (its message is above)",
			(int)pid);
	if (ring) {
		/* same address space: the child may submit our SQEs */
		if (a.ret >= 0 && (unsigned int)a.ret > a.to_submit)
			fz_fail("ring %d: ENTER from a vfork child submitted %d of %u",
				ring->idx, a.ret, a.to_submit);
		if (a.ret < 0 && !fz_errno_allowed(FZ_IOC_ENTER, 0, a.err,
						   false, false))
			fz_fail("ring %d: ENTER from a vfork child failed with errno %d (%s)",
				ring->idx, a.err, strerror(a.err));
		fz_ring_reap(ring, r);
		pthread_rwlock_unlock(&ring->lock);
	}
	for (i = 0; i < 2; i++)
		if (a.maps[i] != MAP_FAILED && a.maps[i])
			fz_zombie_add(a.maps[i], a.lens[i]);
}

/* ------------------------------------------------------ 32-bit entry */

/* A system call through the 32-bit entry: in_compat_syscall() is true. */
static long fz_int80(long nr, long a, long b, long c)
{
	long ret;

	__asm__ volatile("int $0x80"
			 : "=a"(ret)
			 : "a"(nr), "b"(a), "c"(b), "d"(c)
			 : "memory", "cc", "r8", "r9", "r10", "r11");
	return ret;
}

#define FZ_NR_IA32_GETPID	20
#define FZ_NR_IA32_IOCTL	54

static bool fz_compat_works(void)
{
	static int works = -1;
	pid_t pid;
	int status;

	if (works >= 0)
		return works;
	/* without IA32_EMULATION, int $0x80 is a SIGSEGV: try in a child */
	pid = fork();
	if (pid == 0)
		_exit(fz_int80(FZ_NR_IA32_GETPID, 0, 0, 0) == getpid() ? 0 : 1);
	works = pid > 0 && waitpid(pid, &status, 0) == pid &&
		WIFEXITED(status) && WEXITSTATUS(status) == 0;
	if (!works)
		printf("xuring-fuzz: no 32-bit system call entry here: the compat shape is off\n");
	return works;
}

/*
 * A 32-bit caller's ioctl: refused with EOPNOTSUPP (issue 11 #15), for a
 * ring or a fresh file, whatever the command.
 */
void fz_shape_compat(struct fz_rng *r)
{
	static char *low;
	struct fz_ring *ring = fz_pick_ring(r, true);
	unsigned long cmd;
	const char *what;
	long ret;
	int fd;

	if (!fz_compat_works())
		return;
	if (!low) {
		low = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
		if (low == MAP_FAILED) {
			low = NULL;
			return;
		}
	}
	memset(low, 0, 4096);
	switch (fz_below(r, 3)) {
	case 0: {
		struct xuring_setup_arg *sa = (void *)low;

		sa->entries = 8;
		sa->params = (uintptr_t)(low + 256);
		cmd = XURING_IOC_SETUP;
		what = "SETUP";
		ring = NULL;
		break;
	}
	case 1: {
		struct xuring_enter_arg *ea = (void *)low;

		ea->flags = XURING_ENTER_GETEVENTS;
		cmd = XURING_IOC_ENTER;
		what = "ENTER";
		break;
	}
	default: {
		struct xuring_register_arg *ra = (void *)low;

		ra->opcode = XURING_REGISTER_PROBE;
		ra->nr_args = 4;
		ra->arg = (uintptr_t)(low + 256);
		cmd = XURING_IOC_REGISTER;
		what = "REGISTER PROBE";
		break;
	}
	}
	if (ring)
		pthread_rwlock_rdlock(&ring->lock);
	fd = ring ? ring->fd : open(XURING_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	if (fd >= 0) {
		fz_stat_inc(compat_ioctls);
		ret = fz_int80(FZ_NR_IA32_IOCTL, fd, cmd, (long)(uintptr_t)low);
		fz_log("compat %s on %s fd %d -> %ld", what,
		       ring ? "a ring" : "a fresh", fd, ret);
		if (ret >= 0)
			fz_fail("a 32-bit caller's %s on %s fd succeeded (%ld): compat callers must get EOPNOTSUPP (issue 11 #15)",
				what, ring ? "a ring" : "a fresh", ret);
		else if (!fz_errno_allowed(fz_ioc_kind(cmd), XURING_REGISTER_PROBE,
					   -ret, true, false))
			fz_fail("a 32-bit caller's %s failed with errno %ld (%s); expected EOPNOTSUPP",
				what, -ret, strerror(-ret));
	}
	if (ring)
		pthread_rwlock_unlock(&ring->lock);
	else if (fd >= 0)
		close(fd);
}
