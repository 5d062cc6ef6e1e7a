// SPDX-License-Identifier: GPL-2.0
/*
 * Ring fds passed between processes over unix sockets (SCM_RIGHTS):
 *
 * - to a child: it must not be able to submit or register on our ring
 *   (another address space: EEXIST), but may map it and hold it while we
 *   go on, or close ours.
 * - from a child that then exits: the ring lives on here, "foreign". Its
 *   owner's exit must complete (or cancel) every request the owner
 *   submitted, each exactly once: we read its CQ through our own mapping
 *   and fail the run on a CQE it never submitted, a second one, or one
 *   missing after --complete-timeout.
 * - a cycle: a child registers a socket in its ring's file table and sends
 *   the ring's own fd into that socket, then exits. Only the owner's exit
 *   can break the cycle; the module's counters at the end say whether it
 *   did.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "fuzz.h"

#define FZ_NR_FOREIGN	4

/* A ring some exited child set up, submitted to and sent us. */
static struct fz_foreign {
	int		fd;		/* -1: free */
	unsigned int	nr;		/* requests it submitted: ud 0..nr-1 */
	uint64_t	seen;		/* bit per user_data that had its CQE */
	char		*map;
	size_t		len;
	struct xuring_params p;
	unsigned int	cq_head;
	uint64_t	dead_ns;	/* when we saw its owner gone */
} fz_foreign[FZ_NR_FOREIGN] = {
	[0 ... FZ_NR_FOREIGN - 1] = { .fd = -1 },
};
static pthread_mutex_t fz_foreign_lock = PTHREAD_MUTEX_INITIALIZER;

/* what the child sends with the ring fd */
struct fz_scm_msg {
	uint32_t	nr;		/* requests submitted (consumed) */
	struct xuring_params p;
};

static int fz_scm_send(int sock, int fd, const void *data, size_t len)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = (void *)data, .iov_len = len };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);

	memset(cbuf, 0, sizeof(cbuf));
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	return sendmsg(sock, &msg, MSG_NOSIGNAL) == (ssize_t)len ? 0 : -1;
}

/* The fd of a message, or -1; waits up to @ms. */
static int fz_scm_recv(int sock, void *data, size_t len, int ms)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = data, .iov_len = len };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct pollfd pfd = { .fd = sock, .events = POLLIN };
	struct cmsghdr *cm;
	int fd = -1;

	if (poll(&pfd, 1, ms) != 1 ||
	    recvmsg(sock, &msg, MSG_CMSG_CLOEXEC) != (ssize_t)len)
		return -1;
	cm = CMSG_FIRSTHDR(&msg);
	if (cm && cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS)
		memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	return fd;
}

/* ENTER and REGISTER on a ring of another address space: refused. */
static const char *fz_scm_refused(int fd)
{
	int32_t fds[1] = { -1 };

	if (fz_child_enter(fd, 1, 0) >= 0)
		return "ENTER";
	if (errno != EEXIST && errno != EOWNERDEAD)
		return "ENTER (errno)";
	if (fz_child_register(fd, XURING_REGISTER_FILES, fds, 1) >= 0)
		return "REGISTER_FILES";
	if (errno != EEXIST && errno != EOWNERDEAD)
		return "REGISTER_FILES (errno)";
	return NULL;
}

/* ----------------------------------------------------- to a child */

static void fz_scm_to_child(struct fz_rng *r)
{
	struct fz_ring *ring = fz_pick_ring(r, true);
	unsigned int hold = fz_below(r, 50);
	int sv[2];
	pid_t pid;

	if (!ring || socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		return;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		char byte;
		int fd;
		const char *bad;
		void *m;

		fz_in_child = true;
		alarm(10);
		close(sv[0]);
		fd = fz_scm_recv(sv[1], &byte, 1, 3000);
		if (fd < 0)
			_exit(0);
		bad = fz_scm_refused(fd);
		if (bad)
			fz_child_fail("%s on a ring received over SCM_RIGHTS from another process did not fail with EEXIST: %s",
				      bad, strerror(errno));
		m = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd,
			 XURING_OFF_CQ_RING);
		if (m != MAP_FAILED)
			(void)*(volatile char *)m;
		usleep(hold * 1000);
		_exit(0);
	}
	close(sv[1]);
	if (pid < 0) {
		close(sv[0]);
		return;
	}
	/*
	 * Ready, not just open: another thread may have closed the ring
	 * picked above and opened a new one that is not set up yet, whose
	 * ENTER fails with EBADFD, not EEXIST.
	 */
	pthread_rwlock_rdlock(&ring->lock);
	if (ring->fd >= 0 && ring->ready &&
	    !fz_scm_send(sv[0], ring->fd, "r", 1))
		fz_stat_inc(scm_sent);
	fz_log("scm: ring %d fd %d sent to child pid %d (holds it %u ms)",
	       ring->idx, ring->fd, (int)pid, hold);
	pthread_rwlock_unlock(&ring->lock);
	close(sv[0]);
	fz_child_adopt(pid, "child holding our ring from SCM_RIGHTS", 3000);
}

/* ------------------------------------------------- from a child */

/*
 * In the child: a ring with up to 8 requests (NOPs, reads of a pipe that
 * nobody writes, O_DIRECT reads on IOPOLL), all consumed, sent to the
 * parent with their count; then the owner goes away.
 */
static void __attribute__((noreturn)) fz_scm_owner(struct fz_rng *r, int sock,
						   bool cycle)
{
	struct fz_scm_msg m = { 0 };
	struct xuring_setup_arg sa = { .entries = 8, .params = (uintptr_t)&m.p };
	struct xuring_sqe *sqes;
	unsigned int i, n, *array;
	int fd, pp[2], dfd = fz_world.stable[STABLE_PAT_DIRECT].fd;
	uint64_t deadline;
	char *rings;
	size_t len;

	fz_in_child = true;
	alarm(10);
	if (fz_shape_on(FZ_SHAPE_CREDS) && fz_chance(r, 1, 3))
		fz_child_drop_privileges();
	fd = open(XURING_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	if (fd < 0 || pipe(pp))
		_exit(0);
	if (fz_chance(r, 1, 3))
		m.p.flags |= XURING_SETUP_SQPOLL;
	if (dfd >= 0 && fz_chance(r, 1, 3) && fz_shape_on(FZ_SHAPE_IOPOLL_EXIT))
		m.p.flags |= XURING_SETUP_IOPOLL;
	if (ioctl(fd, XURING_IOC_SETUP, &sa) < 0)
		_exit(0);
	len = m.p.cq_off.cqes + m.p.cq_entries * sizeof(struct xuring_cqe);
	if (len < m.p.sq_off.array + m.p.sq_entries * 4)
		len = m.p.sq_off.array + m.p.sq_entries * 4;
	rings = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		     XURING_OFF_SQ_RING);
	sqes = mmap(NULL, m.p.sq_entries * sizeof(*sqes), PROT_READ | PROT_WRITE,
		    MAP_SHARED, fd, XURING_OFF_SQES);
	if (rings == MAP_FAILED || sqes == MAP_FAILED)
		_exit(0);
	if (cycle) {
		/*
		 * A socket in the ring's own file table, with the ring's fd
		 * in flight to it: each holds the other.
		 */
		int sv[2];
		int32_t fds[1];

		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
			_exit(0);
		fds[0] = sv[0];
		if (fz_child_register(fd, XURING_REGISTER_FILES, fds, 1) == 0)
			fz_scm_send(sv[1], fd, "c", 1);
		close(sv[0]);
		close(sv[1]);
		close(fd);
		close(sock);
		_exit(0);
	}
	array = (unsigned int *)(rings + m.p.sq_off.array);
	n = fz_range(r, 1, m.p.sq_entries);
	for (i = 0; i < n; i++) {
		struct xuring_sqe *sqe = &sqes[i];

		memset(sqe, 0, sizeof(*sqe));
		sqe->user_data = i;
		switch (fz_below(r, 3)) {
		case 0:
			break;		/* NOP */
		case 1:
			sqe->opcode = XURING_OP_READ;
			sqe->fd = pp[0];
			sqe->addr = (uintptr_t)fz_world.rw + 4096 * i;
			sqe->len = 64;
			break;
		default:
			if (dfd < 0)
				break;
			sqe->opcode = XURING_OP_READ;
			sqe->fd = dfd;
			sqe->addr = (uintptr_t)fz_world.rw + 4096 * (8 + i);
			sqe->len = 4096;
			sqe->off = 4096 * fz_below(r, 64);
			break;
		}
		if (fz_chance(r, 1, 3))
			sqe->flags |= XURING_SQE_IO_LINK;
		if (fz_chance(r, 1, 4))
			sqe->flags |= XURING_SQE_ASYNC;
		array[i] = i;
	}
	__atomic_store_n((unsigned int *)(rings + m.p.sq_off.tail), n,
			 __ATOMIC_RELEASE);
	fz_child_enter(fd, n, m.p.flags & XURING_SETUP_SQPOLL ?
		       XURING_ENTER_SQ_WAKEUP : 0);
	/* only what the kernel consumed can have a CQE */
	deadline = fz_now_ns() + 1000000000ULL;
	do {
		m.nr = __atomic_load_n((unsigned int *)(rings + m.p.sq_off.head),
				       __ATOMIC_ACQUIRE);
		if (m.nr == n)
			break;
		usleep(1000);
	} while (fz_now_ns() < deadline);
	if (fz_scm_send(sock, fd, &m, sizeof(m)))
		_exit(0);
	close(fd);
	_exit(0);
}

static void fz_foreign_close(struct fz_foreign *f)
{
	if (f->map)
		munmap(f->map, f->len);
	if (f->fd >= 0)
		close(f->fd);
	memset(f, 0, sizeof(*f));
	f->fd = -1;
}

/* Take the CQEs the ring has; fail on one never submitted or seen twice. */
static void fz_foreign_reap(struct fz_foreign *f, int idx)
{
	unsigned int tail, mask = f->p.cq_entries - 1;
	const struct xuring_cqe *cqes;

	if (!f->map)
		return;
	cqes = (const void *)(f->map + f->p.cq_off.cqes);
	tail = __atomic_load_n((unsigned int *)(f->map + f->p.cq_off.tail),
			       __ATOMIC_ACQUIRE);
	if (tail - f->cq_head > f->p.cq_entries) {
		fz_fail("foreign ring %d: CQ tail %u is more than %u ahead of head %u",
			idx, tail, f->p.cq_entries, f->cq_head);
		f->cq_head = tail;
		return;
	}
	for (; f->cq_head != tail; f->cq_head++) {
		const struct xuring_cqe *c = &cqes[f->cq_head & mask];

		if (c->user_data >= f->nr || (f->seen & (1ULL << c->user_data)))
			fz_fail("foreign ring %d: CQE ud %llu res %d after its owner exited: never submitted (%u were), or a second one",
				idx, (unsigned long long)c->user_data, c->res,
				f->nr);
		else
			f->seen |= 1ULL << c->user_data;
		fz_stat_inc(cqes_checked);
	}
	__atomic_store_n((unsigned int *)(f->map + f->p.cq_off.head),
			 f->cq_head, __ATOMIC_RELEASE);
}

static bool fz_foreign_complete(const struct fz_foreign *f)
{
	return f->seen == (f->nr >= 64 ? ~0ULL : (1ULL << f->nr) - 1);
}

/* Every request the dead owner submitted must have its CQE in time. */
static void fz_foreign_finish(struct fz_foreign *f, int idx)
{
	uint64_t deadline = f->dead_ns +
			    (uint64_t)(fz_cfg.complete_timeout * 1e9);

	for (;;) {
		fz_foreign_reap(f, idx);
		if (fz_foreign_complete(f) || fz_stopping_bad())
			break;
		if (fz_now_ns() > deadline) {
			fz_fail("foreign ring %d (flags %#x): lost completion: %u of the %u requests its owner submitted have no CQE %.1f s after the owner exited (seen %#llx)",
				idx, f->p.flags,
				f->nr - __builtin_popcountll(f->seen), f->nr,
				(fz_now_ns() - f->dead_ns) / 1e9,
				(unsigned long long)f->seen);
			break;
		}
		usleep(5000);
	}
}

static void fz_scm_from_child(struct fz_rng *r, bool cycle)
{
	struct fz_foreign *f = NULL;
	struct fz_scm_msg m;
	struct fz_rng crng;
	uint64_t deadline;
	int sv[2], fd, status, i;
	const char *bad;
	pid_t pid;

	fz_rng_seed(&crng, fz_rand(r));
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		return;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		close(sv[0]);
		fz_scm_owner(&crng, sv[1], cycle);
	}
	close(sv[1]);
	if (pid < 0) {
		close(sv[0]);
		return;
	}
	fd = cycle ? -1 : fz_scm_recv(sv[0], &m, sizeof(m), 3000);
	/* the owner exits on its own; wait for it, then it is gone */
	deadline = fz_now_ns() + 3000000000ULL;
	while (waitpid(pid, &status, WNOHANG) == 0) {
		if (fz_now_ns() > deadline) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			break;
		}
		usleep(1000);
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 42)
		fz_fail("scm owner child pid %d failed a self-check (its message is above)",
			(int)pid);
	close(sv[0]);
	fz_log("scm: %s from child pid %d: fd %d, %u requests", cycle ?
	       "a ring in flight in its own registered socket" : "ring",
	       (int)pid, fd, fd >= 0 ? m.nr : 0);
	if (fd < 0)
		return;
	fz_stat_inc(scm_received);
	bad = fz_scm_refused(fd);
	if (bad)
		fz_fail("%s on a ring whose owner exited (received over SCM_RIGHTS) did not fail with EEXIST or EOWNERDEAD: %s",
			bad, strerror(errno));
	pthread_mutex_lock(&fz_foreign_lock);
	for (i = 0; i < FZ_NR_FOREIGN && !f; i++)
		if (fz_foreign[i].fd < 0)
			f = &fz_foreign[i];
	if (!f) {
		pthread_mutex_unlock(&fz_foreign_lock);
		close(fd);
		return;
	}
	f->fd = fd;
	f->nr = m.nr < 64 ? m.nr : 64;
	f->p = m.p;
	f->dead_ns = fz_now_ns();
	f->len = m.p.cq_off.cqes + m.p.cq_entries * sizeof(struct xuring_cqe);
	f->map = mmap(NULL, f->len, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		      XURING_OFF_CQ_RING);
	if (f->map == MAP_FAILED) {
		f->map = NULL;
		fz_fail("mmap of a ring received over SCM_RIGHTS failed: %s",
			strerror(errno));
	}
	pthread_mutex_unlock(&fz_foreign_lock);
}

void fz_shape_scm(struct fz_rng *r)
{
	switch (fz_below(r, 4)) {
	case 0:
		fz_scm_to_child(r);
		break;
	case 1:
		fz_scm_from_child(r, true);
		break;
	default:
		fz_scm_from_child(r, false);
		break;
	}
}

/* Look at, poke or close a foreign ring. */
void fz_foreign_op(struct fz_rng *r)
{
	int i = fz_below(r, FZ_NR_FOREIGN);
	struct fz_foreign *f = &fz_foreign[i];

	pthread_mutex_lock(&fz_foreign_lock);
	if (f->fd >= 0) {
		switch (fz_below(r, 4)) {
		case 0: {
			const char *bad = fz_scm_refused(f->fd);

			if (bad)
				fz_fail("%s on a foreign ring whose owner exited did not fail with EEXIST or EOWNERDEAD: %s",
					bad, strerror(errno));
			break;
		}
		case 1:
			fz_foreign_finish(f, i);
			fz_log("foreign ring %d closed, %u CQEs of %u seen", i,
			       __builtin_popcountll(f->seen), f->nr);
			fz_foreign_close(f);
			break;
		default:
			fz_foreign_reap(f, i);
			break;
		}
	}
	pthread_mutex_unlock(&fz_foreign_lock);
}

void fz_foreign_close_all(void)
{
	int i;

	pthread_mutex_lock(&fz_foreign_lock);
	for (i = 0; i < FZ_NR_FOREIGN; i++) {
		if (fz_foreign[i].fd < 0)
			continue;
		fz_foreign_finish(&fz_foreign[i], i);
		fz_foreign_close(&fz_foreign[i]);
	}
	pthread_mutex_unlock(&fz_foreign_lock);
}
