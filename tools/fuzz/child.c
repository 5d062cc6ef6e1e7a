// SPDX-License-Identifier: GPL-2.0
/*
 * Forked children, each driven by its own generator (the seed and the fork
 * number). A child that inherited the parent's rings must not be able to
 * submit on them (EEXIST) or register on them; a child with a ring of its
 * own is killed or exits while its requests block on pipes, so the owner
 * exit path cancels them; a child that holds inherited fds for a while
 * makes the last reference to a ring go away in another process.
 *
 * After fork() in a multi-threaded parent a child may not take locks: it
 * has its own little ring code here and reports through stderr and its
 * exit status (42: a self-check failed).
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

#define FZ_MAX_CHILDREN	4

static struct fz_child {
	pid_t		pid;
	int		mode;
	unsigned int	forkno;
	uint64_t	kill_at;	/* ns; 0: let it finish */
	bool		killed;
} fz_children[FZ_MAX_CHILDREN];
static pthread_mutex_t fz_children_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned int fz_forks;

bool fz_in_child;

static void __attribute__((noreturn)) fz_child_fail(const char *fmt, ...)
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

static int fz_child_enter(int fd, unsigned int to_submit, unsigned int flags)
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

static int fz_child_register(int fd, unsigned int op, void *arg,
			     unsigned int nr)
{
	struct xuring_register_arg a = {
		.opcode = op, .nr_args = nr, .arg = (uintptr_t)arg,
	};

	return ioctl(fd, XURING_IOC_REGISTER, &a);
}

/* A child's use of the parent's rings: all refused but probe and mmap. */
static void fz_child_sharer(struct fz_rng *r, int scribble_ring)
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
	if (scribble_ring >= 0) {
		struct fz_ring *ring = &fz_rings[scribble_ring];

		if (ring->sq_map)
			FZ_RING_U32(ring->sq_map, ring->p.sq_off.tail) +=
				fz_range(r, 1, 4);
		if (ring->sqe_map)
			((uint64_t *)ring->sqe_map)[fz_below(r, ring->p.sq_entries * 8)] =
				fz_rand(r);
	}
	if (fz_chance(r, 1, 2))
		usleep(fz_below(r, 20000));
}

/* Own ring, requests that block, then die. */
static void fz_child_owner(struct fz_rng *r, int mode, int ready_fd)
{
	struct xuring_params p;
	struct xuring_setup_arg sa = { .params = (uintptr_t)&p };
	unsigned int i, n, mask, *sq_tail, *array;
	struct xuring_sqe *sqes;
	int fd, pfd[2], regfds[3];
	char *rings;
	size_t rlen;

	fd = open(XURING_DEVICE_PATH, O_RDWR);
	if (fd < 0 || pipe(pfd))
		_exit(0);
	memset(&p, 0, sizeof(p));
	sa.entries = 1U << fz_range(r, 2, 6);
	if (fz_chance(r, 1, 3)) {
		p.flags |= XURING_SETUP_SQPOLL;
		p.sq_thread_idle = fz_range(r, 1, 50);
	}
	if (fz_chance(r, 1, 3))
		p.flags |= XURING_SETUP_SUBMIT_ALL;
	if (fz_chance(r, 1, 4))
		p.flags |= XURING_SETUP_SINGLE_ISSUER;
	if (ioctl(fd, XURING_IOC_SETUP, &sa) < 0)
		_exit(0);
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
	if (fz_chance(r, 1, 4) && fork() == 0) {
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
						    int scribble_ring)
{
	sigset_t all;

	fz_in_child = true;
	fz_cfg.fail_nth = 0;	/* that file is the parent thread's */
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	alarm(10);
	switch (mode) {
	case CHILD_SHARER:
		fz_child_sharer(r, scribble_ring);
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

void fz_child_fork(struct fz_rng *r, int mode)
{
	unsigned int slot, forkno;
	int ready[2], scribble = -1;
	struct fz_rng crng;
	pid_t pid;

	if (mode < 0)
		mode = fz_below(r, CHILD_NR_MODES);
	pthread_mutex_lock(&fz_children_lock);
	for (slot = 0; slot < FZ_MAX_CHILDREN; slot++)
		if (!fz_children[slot].pid)
			break;
	if (slot == FZ_MAX_CHILDREN) {
		pthread_mutex_unlock(&fz_children_lock);
		return;
	}
	forkno = fz_forks++;
	fz_rng_seed(&crng, fz_derive_seed(fz_cfg.seed, 2, forkno));
	if (mode == CHILD_SHARER && fz_chance(r, 1, 4))
		scribble = fz_below(r, FZ_NR_RINGS);
	if (pipe2(ready, O_CLOEXEC)) {
		pthread_mutex_unlock(&fz_children_lock);
		return;
	}
	if (scribble >= 0) {
		struct fz_ring *ring = &fz_rings[scribble];

		/* the mappings stay put until the child has its copy */
		pthread_rwlock_rdlock(&ring->lock);
		pthread_mutex_lock(&ring->sq_lock);
		if (ring->ready && ring->sq_map && ring->sqe_map)
			/* the child will write our ring: stop checking it */
			fz_ring_taint(ring, "a child writes it");
		else
			scribble = -1;
		pthread_mutex_unlock(&ring->sq_lock);
		if (scribble < 0)
			pthread_rwlock_unlock(&ring->lock);
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		close(ready[0]);
		fz_child_main(&crng, mode, ready[1], scribble);
	}
	if (scribble >= 0)
		pthread_rwlock_unlock(&fz_rings[scribble].lock);
	close(ready[1]);
	fz_stat_inc(forks);
	fz_log("fork #%u -> pid %d (%s)", forkno, (int)pid, fz_child_modes[mode]);
	if (pid < 0) {
		close(ready[0]);
		pthread_mutex_unlock(&fz_children_lock);
		return;
	}
	fz_children[slot].pid = pid;
	fz_children[slot].mode = mode;
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
						c->pid, c->forkno,
						fz_child_modes[c->mode]);
				else if (WIFSIGNALED(status) &&
					 WTERMSIG(status) != SIGKILL &&
					 WTERMSIG(status) != SIGALRM)
					fz_fail("child pid %d (fork #%u, %s) died of signal %d",
						c->pid, c->forkno,
						fz_child_modes[c->mode],
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
				       fz_child_modes[fz_children[i].mode]);
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

unsigned int fz_children_live(void)
{
	unsigned int i, n = 0;

	for (i = 0; i < FZ_MAX_CHILDREN; i++)
		n += fz_children[i].pid != 0;
	return n;
}
