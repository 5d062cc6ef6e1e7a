// SPDX-License-Identifier: GPL-2.0
/*
 * Forked children, each driven by its own generator (drawn from the
 * forking op's). A child that inherited the parent's rings must not be
 * able to submit on them (EEXIST) or register on them; a child with a
 * ring of its own (sometimes as uid 65534, sometimes dropping to it after
 * setup, sometimes IOPOLL with O_DIRECT reads linked to reads) is killed
 * or exits while its requests are in flight, so the owner exit path
 * cancels or reaps them, perhaps while a grandchild still holds the ring;
 * a child that holds inherited fds for a while makes the last reference
 * to a ring go away in another process.
 *
 * After fork() in a multi-threaded parent a child may not take locks: it
 * has its own little ring code here and reports through stderr and its
 * exit status (42: a self-check failed). exec.c and scm.c add the
 * children of the other process shapes to the same table.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>

#include "fuzz.h"

enum {
	CHILD_SHARER,		/* pokes at the parent's rings */
	CHILD_KILLED,		/* own ring, blocked requests, SIGKILLed */
	CHILD_EXITS,		/* own ring, blocked requests, exits */
	CHILD_HOLDER,		/* keeps inherited fds a while */
	CHILD_NR_MODES,
};

static const char *const fz_child_modes[] = {
	"sharer", "killed", "exits", "holder",
};

#define FZ_MAX_CHILDREN	8

static struct fz_child {
	pid_t		pid;
	int		mode;		/* -1: adopted (what says what) */
	const char	*what;
	unsigned int	forkno;
	uint64_t	kill_at;	/* ns; 0: let it finish */
	bool		killed;
} fz_children[FZ_MAX_CHILDREN];
static pthread_mutex_t fz_children_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned int fz_forks;

bool fz_in_child;

void __attribute__((noreturn)) fz_child_fail(const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	int n;

	n = snprintf(msg, sizeof(msg), "FUZZ: child %d: ", (int)getpid());
	va_start(ap, fmt);
	n += vsnprintf(msg + n, sizeof(msg) - n, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(msg) - 2)
		n = sizeof(msg) - 2;
	msg[n++] = '\n';
	(void)!write(2, msg, n);
	_exit(42);
}

int fz_child_enter(int fd, unsigned int to_submit, unsigned int flags)
{
	struct {
		int64_t sec, nsec;
	} ts = { 0, 1000000 };
	struct xuring_getevents_arg ext = { .ts = (uintptr_t)&ts };
	struct xuring_enter_arg arg = {
		.to_submit = to_submit,
		.min_complete = flags & XURING_ENTER_GETEVENTS ? 1 : 0,
		.flags = flags | XURING_ENTER_EXT_ARG,
		.arg = (uintptr_t)&ext,
		.argsz = sizeof(ext),
	};

	return ioctl(fd, XURING_IOC_ENTER, &arg);
}

int fz_child_register(int fd, unsigned int op, void *arg, unsigned int nr)
{
	struct xuring_register_arg a = {
		.opcode = op, .nr_args = nr, .arg = (uintptr_t)arg,
	};

	return ioctl(fd, XURING_IOC_REGISTER, &a);
}

/*
 * This process only (the raw system calls: glibc's would signal threads
 * that do not exist after fork), for good: uid and gid 65534, in the
 * device's group as a user the administrator let in (SQPOLL included).
 */
bool fz_child_drop_privileges(void)
{
	if (geteuid() != 0)
		return false;
	if (syscall(SYS_setgroups, 1, &fz_device_gid) ||
	    syscall(SYS_setresgid, 65534, 65534, 65534) ||
	    syscall(SYS_setresuid, 65534, 65534, 65534))
		fz_child_fail("cannot drop to uid 65534: %s", strerror(errno));
	return true;
}

/* A child's use of the parent's rings: all refused but probe and mmap. */
static void fz_child_sharer(struct fz_rng *r)
{
	unsigned int i, n = fz_range(r, 1, 6);
	bool closed[FZ_NR_RINGS] = { false };

	for (i = 0; i < n; i++) {
		struct fz_ring *ring = &fz_rings[fz_below(r, FZ_NR_RINGS)];
		int fd = ring->fd, ret;

		if (fd < 0 || closed[ring->idx])
			continue;
		switch (fz_below(r, 6)) {
		case 0:
		case 1:
			ret = fz_child_enter(fd, fz_range(r, 0, 4),
					     fz_chance(r, 1, 2) ?
					     XURING_ENTER_GETEVENTS : 0);
			if (ring->ready && !(ret < 0 && errno == EEXIST))
				fz_child_fail("ENTER on the parent's ring %d (fd %d) returned %d (%s), expected EEXIST",
					      ring->idx, fd, ret,
					      ret < 0 ? strerror(errno) : "success");
			break;
		case 2: {
			int32_t fds[2] = { -1, -1 };

			ret = fz_child_register(fd, XURING_REGISTER_FILES, fds, 2);
			if (ring->ready && !(ret < 0 && errno == EEXIST))
				fz_child_fail("REGISTER_FILES on the parent's ring %d returned %d (%s), expected EEXIST",
					      ring->idx, ret,
					      ret < 0 ? strerror(errno) : "success");
			break;
		}
		case 3: {
			char probe[16 + 64 * 8];

			memset(probe, 0, sizeof(probe));
			ret = fz_child_register(fd, XURING_REGISTER_PROBE, probe, 64);
			if (ring->ready && ret < 0)
				fz_child_fail("PROBE on the parent's ring %d failed: %s",
					      ring->idx, strerror(errno));
			break;
		}
		case 4: {
			void *p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd,
				       fz_chance(r, 1, 2) ? XURING_OFF_SQ_RING :
				       XURING_OFF_SQES);

			if (p != MAP_FAILED) {
				(void)*(volatile char *)p;
				if (fz_chance(r, 1, 2))
					munmap(p, 4096);
			}
			break;
		}
		case 5:
			if (fz_chance(r, 1, 3)) {
				close(fd);
				closed[ring->idx] = true;
			}
			break;
		}
	}
	if (fz_chance(r, 1, 2))
		usleep(fz_below(r, 20000));
}

/*
 * The child writes the parent's ring through the shared mapping: a free
 * SQE (which the parent writes anew before using it), or the SQ tail
 * forward (the parent tainted the ring for that). The parent waits for
 * it to be done.
 */
static void fz_child_scribble(struct fz_rng *r, int scribble_ring,
			      bool move_tail, int ready_fd)
{
	struct fz_ring *ring = &fz_rings[scribble_ring];
	const struct xuring_params *p = &ring->p;
	unsigned int pending = ring->sq_tail - ring->sq_head_seen;

	if (move_tail) {
		FZ_RING_U32(ring->sq_map, p->sq_off.tail) += fz_range(r, 1, 4);
	} else if (pending < p->sq_entries) {
		unsigned int slot = (ring->sq_tail +
				     fz_below(r, p->sq_entries - pending)) &
				    (p->sq_entries - 1);

		((uint64_t *)ring->sqe_map)[slot * 8 + fz_below(r, 8)] =
			fz_rand(r);
	}
	(void)!write(ready_fd, "s", 1);
}

/*
 * An O_DIRECT fd for polled reads: the ext4 pattern file or a block
 * device of the pool; -1 if there is none.
 */
static int fz_child_direct_fd(struct fz_rng *r)
{
	unsigned int i, start = fz_below(r, FZ_NR_FDS);

	if (fz_world.stable[STABLE_PAT_DIRECT].fd >= 0 && fz_chance(r, 2, 3))
		return fz_world.stable[STABLE_PAT_DIRECT].fd;
	for (i = 0; i < FZ_NR_FDS; i++) {
		const struct fz_fdent *e = &fz_world.fds[(start + i) % FZ_NR_FDS];

		if (e->kind == FD_BLK || e->kind == FD_REG_DIRECT)
			return e->fd;
	}
	return fz_world.stable[STABLE_PAT_DIRECT].fd;
}

/*
 * Own ring, requests that block (or, on an IOPOLL ring, O_DIRECT reads
 * linked to more reads that only polling completes), then die: the
 * owner's exit must cancel or reap them, perhaps while a grandchild still
 * holds the ring. Sometimes as uid 65534 from the start, sometimes
 * dropping to it after setup (the ring keeps the creator's credentials).
 */
static void fz_child_owner(struct fz_rng *r, int mode, int ready_fd)
{
	struct xuring_params p;
	struct xuring_setup_arg sa = { .params = (uintptr_t)&p };
	unsigned int i, n, mask, *sq_tail, *array;
	struct xuring_sqe *sqes;
	int fd, pfd[2], regfds[3], dfd = -1;
	bool iopoll = fz_chance(r, 1, 3) && fz_shape_on(FZ_SHAPE_IOPOLL_EXIT);
	bool drop_after = false;
	char *rings;
	size_t rlen;

	if (fz_shape_on(FZ_SHAPE_CREDS)) {
		if (fz_chance(r, 1, 3))
			fz_child_drop_privileges();
		else
			drop_after = fz_chance(r, 1, 3);
	}
	if (iopoll)
		dfd = fz_child_direct_fd(r);
	iopoll = dfd >= 0;
	fd = open(XURING_DEVICE_PATH, O_RDWR);
	if (fd < 0 || pipe(pfd))
		_exit(0);
	memset(&p, 0, sizeof(p));
	sa.entries = 1U << fz_range(r, 2, 6);
	if (fz_chance(r, 1, 3)) {
		p.flags |= XURING_SETUP_SQPOLL;
		p.sq_thread_idle = fz_range(r, 1, 50);
	}
	if (iopoll)
		p.flags |= XURING_SETUP_IOPOLL;
	if (fz_chance(r, 1, 3))
		p.flags |= XURING_SETUP_SUBMIT_ALL;
	if (fz_chance(r, 1, 4))
		p.flags |= XURING_SETUP_SINGLE_ISSUER;
	if (ioctl(fd, XURING_IOC_SETUP, &sa) < 0)
		_exit(0);
	if (drop_after)
		fz_child_drop_privileges();
	rlen = p.sq_off.array + p.sq_entries * 4;
	rings = mmap(NULL, rlen, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		     XURING_OFF_SQ_RING);
	sqes = mmap(NULL, p.sq_entries * sizeof(*sqes), PROT_READ | PROT_WRITE,
		    MAP_SHARED, fd, XURING_OFF_SQES);
	if (rings == MAP_FAILED || sqes == MAP_FAILED)
		_exit(0);

	/* fixed files: the pipe's ends and a pool fd */
	regfds[0] = pfd[0];
	regfds[1] = pfd[1];
	regfds[2] = fz_pick_fd(r, NULL);
	fz_child_register(fd, XURING_REGISTER_FILES, regfds, 3);
	if (fz_chance(r, 1, 2)) {
		struct iovec iov = {
			.iov_base = fz_world.rw + 4096 * fz_below(r, 64),
			.iov_len = 4096 * fz_range(r, 1, 16),
		};

		fz_child_register(fd, XURING_REGISTER_BUFFERS, &iov, 1);
	}
	if (fz_chance(r, 1, 3)) {
		/* a full pipe: writes to it block too */
		char junk[4096] = { 0 };

		fcntl(pfd[1], F_SETFL, O_NONBLOCK);
		while (write(pfd[1], junk, sizeof(junk)) > 0)
			;
		fcntl(pfd[1], F_SETFL, 0);
	}

	sq_tail = (unsigned int *)(rings + p.sq_off.tail);
	array = (unsigned int *)(rings + p.sq_off.array);
	mask = p.sq_entries - 1;
	n = fz_range(r, 1, p.sq_entries);
	for (i = 0; i < n; i++) {
		struct xuring_sqe *sqe = &sqes[i & mask];

		memset(sqe, 0, sizeof(*sqe));
		sqe->user_data = i;
		if (iopoll && fz_chance(r, 3, 4)) {
			/* polled: O_DIRECT, sector-aligned, mostly linked */
			sqe->opcode = XURING_OP_READ;
			sqe->fd = dfd;
			sqe->addr = (uintptr_t)fz_world.rw + 4096 * fz_below(r, 256);
			sqe->len = 512 * fz_range(r, 1, 16);
			sqe->off = 512 * fz_below(r, 2048);
			if (fz_chance(r, 2, 3))
				sqe->flags |= XURING_SQE_IO_LINK;
			array[i & mask] = i & mask;
			continue;
		}
		switch (fz_below(r, 8)) {
		case 0:
			sqe->opcode = XURING_OP_NOP;
			break;
		case 1:	/* a fixed read of the pipe */
			sqe->opcode = XURING_OP_READ;
			sqe->flags = XURING_SQE_FIXED_FILE;
			sqe->fd = 0;
			sqe->addr = (uintptr_t)fz_world.rw + fz_below(r, 65536);
			sqe->len = fz_range(r, 1, 4096);
			break;
		case 2:	/* a write to the (maybe full) pipe */
			sqe->opcode = XURING_OP_WRITE;
			sqe->fd = pfd[1];
			sqe->addr = (uintptr_t)fz_world.rw;
			sqe->len = 65536;
			break;
		case 3:	/* a pool fd, whatever it is */
			sqe->opcode = fz_chance(r, 1, 2) ? XURING_OP_READ :
				      XURING_OP_FSYNC;
			sqe->fd = fz_pick_fd(r, NULL);
			if (sqe->opcode == XURING_OP_READ) {
				sqe->addr = (uintptr_t)fz_world.rw;
				sqe->len = 4096;
			}
			break;
		case 4:
			sqe->opcode = XURING_OP_READ_FIXED;
			sqe->fd = pfd[0];
			sqe->addr = (uintptr_t)fz_world.rw;
			sqe->len = 512;
			break;
		default:
			sqe->opcode = XURING_OP_READ;
			sqe->fd = pfd[0];
			sqe->addr = (uintptr_t)fz_world.rw + fz_below(r, 65536);
			sqe->len = fz_range(r, 1, 4096);
			break;
		}
		if (fz_chance(r, 1, 4))
			sqe->flags |= XURING_SQE_ASYNC;
		if (fz_chance(r, 1, 5))
			sqe->flags |= XURING_SQE_IO_LINK;
		if (fz_chance(r, 1, 10))
			sqe->flags |= XURING_SQE_IO_DRAIN;
		array[i & mask] = i & mask;
	}
	__atomic_store_n(sq_tail, n, __ATOMIC_RELEASE);
	fz_child_enter(fd, n, fz_chance(r, 1, 2) ? XURING_ENTER_GETEVENTS : 0);
	if (fz_chance(r, 1, iopoll ? 2 : 4) && fork() == 0) {
		/* a grandchild holds the ring a little longer */
		alarm(5);
		usleep(fz_below(r, 30000));
		_exit(0);
	}
	(void)!write(ready_fd, "r", 1);
	if (mode == CHILD_EXITS) {
		if (fz_chance(r, 1, 2))
			usleep(fz_below(r, 10000));
		_exit(0);
	}
	for (;;)
		pause();
}

/* In the child, right after fork(). */
static void __attribute__((noreturn)) fz_child_main(struct fz_rng *r,
						    int mode, int ready_fd,
						    int scribble_ring,
						    bool move_tail)
{
	sigset_t all;

	fz_in_child = true;
	fz_cfg.fail_nth = 0;	/* that file is the parent thread's */
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	alarm(10);
	switch (mode) {
	case CHILD_SHARER:
		if (scribble_ring >= 0)
			fz_child_scribble(r, scribble_ring, move_tail, ready_fd);
		fz_child_sharer(r);
		break;
	case CHILD_KILLED:
	case CHILD_EXITS:
		fz_child_owner(r, mode, ready_fd);
		break;
	case CHILD_HOLDER:
		usleep(fz_below(r, 50000));
		break;
	}
	_exit(0);
}

/* A free slot of the table, with fz_children_lock held; -1 if none. */
static int fz_child_slot(void)
{
	unsigned int slot;

	for (slot = 0; slot < FZ_MAX_CHILDREN; slot++)
		if (!fz_children[slot].pid)
			return slot;
	return -1;
}

bool fz_child_adopt(pid_t pid, const char *what, unsigned int ms)
{
	int slot;

	pthread_mutex_lock(&fz_children_lock);
	slot = fz_child_slot();
	if (slot >= 0) {
		fz_children[slot].pid = pid;
		fz_children[slot].mode = -1;
		fz_children[slot].what = what;
		fz_children[slot].forkno = fz_forks++;
		fz_children[slot].killed = false;
		fz_children[slot].kill_at = fz_now_ns() + ms * 1000000ULL;
	}
	pthread_mutex_unlock(&fz_children_lock);
	if (slot < 0) {
		/* no room to watch it: it must not outlive the run */
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	return slot >= 0;
}

void fz_child_fork(struct fz_rng *r, int mode)
{
	unsigned int forkno;
	int ready[2], scribble = -1, slot;
	bool move_tail = false;
	struct fz_rng crng;
	pid_t pid;

	if (mode < 0)
		mode = fz_below(r, CHILD_NR_MODES);
	/* the child's stream comes from this op's: replays with the program */
	fz_rng_seed(&crng, fz_rand(r));
	if (mode == CHILD_SHARER && fz_chance(r, 1, 4)) {
		scribble = fz_below(r, FZ_NR_RINGS);
		move_tail = fz_chance(r, 1, 4);
	}
	pthread_mutex_lock(&fz_children_lock);
	slot = fz_child_slot();
	if (slot < 0) {
		pthread_mutex_unlock(&fz_children_lock);
		return;
	}
	forkno = fz_forks++;
	if (pipe2(ready, O_CLOEXEC)) {
		pthread_mutex_unlock(&fz_children_lock);
		return;
	}
	if (scribble >= 0) {
		struct fz_ring *ring = &fz_rings[scribble];

		/* the mappings and our SQ stay put until the child is done */
		pthread_rwlock_rdlock(&ring->lock);
		pthread_mutex_lock(&ring->sq_lock);
		if (ring->ready && ring->sq_map && ring->sqe_map) {
			fz_ring_reap_sq(ring);
			if (move_tail)
				fz_ring_taint(ring, TAINT_CHILD);
		} else {
			pthread_mutex_unlock(&ring->sq_lock);
			pthread_rwlock_unlock(&ring->lock);
			scribble = -1;
		}
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		close(ready[0]);
		fz_child_main(&crng, mode, ready[1], scribble, move_tail);
	}
	close(ready[1]);
	if (scribble >= 0) {
		struct pollfd pfd = { .fd = ready[0], .events = POLLIN };
		char c;

		if (pid > 0 && poll(&pfd, 1, 2000) == 1)
			(void)!read(ready[0], &c, 1);
		pthread_mutex_unlock(&fz_rings[scribble].sq_lock);
		pthread_rwlock_unlock(&fz_rings[scribble].lock);
	}
	fz_stat_inc(forks);
	fz_log("fork #%u -> pid %d (%s%s)", forkno, (int)pid,
	       fz_child_modes[mode], scribble < 0 ? "" :
	       move_tail ? ", moves a ring's SQ tail" : ", writes a free SQE");
	if (pid < 0) {
		close(ready[0]);
		pthread_mutex_unlock(&fz_children_lock);
		return;
	}
	fz_children[slot].pid = pid;
	fz_children[slot].mode = mode;
	fz_children[slot].what = fz_child_modes[mode];
	fz_children[slot].forkno = forkno;
	fz_children[slot].killed = false;
	fz_children[slot].kill_at = fz_now_ns() + 5000000000ULL;
	if (mode == CHILD_KILLED) {
		struct pollfd pfd = { .fd = ready[0], .events = POLLIN };

		/* mostly once its requests are in flight, sometimes before */
		if (fz_chance(r, 3, 4))
			poll(&pfd, 1, 2000);
		fz_children[slot].kill_at = fz_now_ns() +
					    fz_below(r, 20) * 1000000ULL;
	}
	close(ready[0]);
	pthread_mutex_unlock(&fz_children_lock);
}

/* Collect children; kill those whose time has come. */
void fz_children_reap(bool wait_all)
{
	uint64_t deadline = fz_now_ns() + 30000000000ULL;
	unsigned int i;

	if (pthread_mutex_trylock(&fz_children_lock))
		return;
	for (;;) {
		unsigned int live = 0;
		uint64_t now = fz_now_ns();

		for (i = 0; i < FZ_MAX_CHILDREN; i++) {
			struct fz_child *c = &fz_children[i];
			int status;
			pid_t pid;

			if (!c->pid)
				continue;
			if (!c->killed && (wait_all || now >= c->kill_at)) {
				kill(c->pid, SIGKILL);
				c->killed = true;
				fz_stat_inc(kills);
				if (!fz_in_child)
					fz_log("kill pid %d (fork #%u)", c->pid,
					       c->forkno);
			}
			pid = waitpid(c->pid, &status, WNOHANG);
			if (pid == 0) {
				live++;
				continue;
			}
			if (pid == c->pid) {
				if (WIFEXITED(status) && WEXITSTATUS(status) == 42)
					fz_fail("child pid %d (fork #%u, %s) failed a self-check (its message is above)",
						c->pid, c->forkno, c->what);
				else if (WIFSIGNALED(status) &&
					 WTERMSIG(status) != SIGKILL &&
					 WTERMSIG(status) != SIGALRM)
					fz_fail("child pid %d (fork #%u, %s) died of signal %d",
						c->pid, c->forkno, c->what,
						WTERMSIG(status));
			}
			c->pid = 0;
		}
		if (!wait_all || !live)
			break;
		if (fz_now_ns() > deadline) {
			for (i = 0; i < FZ_MAX_CHILDREN; i++) {
				char path[64], buf[2048];
				int fd, n;

				if (!fz_children[i].pid)
					continue;
				printf("FUZZ: child pid %d (fork #%u, %s) did not exit 30 s after SIGKILL; its kernel stack:\n",
				       fz_children[i].pid, fz_children[i].forkno,
				       fz_children[i].what);
				snprintf(path, sizeof(path), "/proc/%d/stack",
					 fz_children[i].pid);
				fd = open(path, O_RDONLY);
				n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
				if (n > 0) {
					buf[n] = 0;
					printf("%s", buf);
				}
				if (fd >= 0)
					close(fd);
			}
			fz_request_stop(FZ_STOP_HANG);
			break;
		}
		usleep(10000);
	}
	pthread_mutex_unlock(&fz_children_lock);
}

void fz_children_settle(unsigned int ms)
{
	uint64_t deadline = fz_now_ns() + ms * 1000000ULL;

	while (fz_now_ns() < deadline) {
		unsigned int i, adopted = 0;

		fz_children_reap(false);
		pthread_mutex_lock(&fz_children_lock);
		for (i = 0; i < FZ_MAX_CHILDREN; i++)
			adopted += fz_children[i].pid && fz_children[i].mode < 0;
		pthread_mutex_unlock(&fz_children_lock);
		if (!adopted)
			return;
		usleep(5000);
	}
}

unsigned int fz_children_live(void)
{
	unsigned int i, n = 0;

	for (i = 0; i < FZ_MAX_CHILDREN; i++)
		n += fz_children[i].pid != 0;
	return n;
}
