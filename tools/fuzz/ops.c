// SPDX-License-Identifier: GPL-2.0
/*
 * The operations the loop picks from, by weight: submit and reap, ENTER
 * alone, SETUP, close (with every CQE in first, or abruptly), mmap and
 * munmap at odd moments, REGISTER with every opcode, fd churn, pipe
 * pumping, scribbles, the odd system calls on a ring fd (poll, fdinfo,
 * read, lseek), and the process shapes: forks, exec and clone(CLONE_VM),
 * vfork, ring fds over unix sockets, credential changes, a ring whose
 * creator thread exits, 32-bit callers.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>

#include "fuzz.h"

/* ---------------------------------------------------------------- I/O */

static void fz_op_io(struct fz_rng *r)
{
	struct fz_ring *ring = fz_pick_ring(r, true);
	unsigned int n, max;

	if (!ring)
		return;
	pthread_rwlock_rdlock(&ring->lock);
	if (ring->ready) {
		max = fz_chance(r, 4, 5) ? fz_range(r, 1, 8) : fz_range(r, 1, 64);
		n = fz_ring_submit_batch(ring, r, max);
		(void)n;
		if (fz_chance(r, 9, 10))
			fz_ring_enter(ring, r);
		if (fz_chance(r, 1, 4))
			sched_yield();
		fz_ring_reap(ring, r);
	}
	pthread_rwlock_unlock(&ring->lock);
}

static void fz_op_enter(struct fz_rng *r)
{
	struct fz_ring *ring = fz_pick_ring(r, fz_chance(r, 9, 10));

	if (!ring)
		ring = fz_pick_ring(r, false);
	pthread_rwlock_rdlock(&ring->lock);
	if (ring->fd >= 0 || fz_chance(r, 1, 4))
		fz_ring_enter(ring, r);
	fz_ring_reap(ring, r);
	pthread_rwlock_unlock(&ring->lock);
}

static void fz_op_reap(struct fz_rng *r)
{
	struct fz_ring *ring = fz_pick_ring(r, true);

	if (!ring)
		return;
	pthread_rwlock_rdlock(&ring->lock);
	fz_ring_reap(ring, r);
	pthread_rwlock_unlock(&ring->lock);
}

/* -------------------------------------------------------------- rings */

static void fz_op_setup(struct fz_rng *r)
{
	struct fz_ring *ring = fz_pick_ring(r, false);

	pthread_rwlock_wrlock(&ring->lock);
	if (ring->fd < 0 && fz_ring_open(ring, r) < 0)
		goto out;
	/* a few tries: most random parameters are refused */
	if (!ring->ready) {
		unsigned int i;

		for (i = 0; i < 4 && !ring->ready; i++)
			fz_ring_setup(ring, r);
		if (ring->ready)
			fz_ring_map(ring, r);
	} else {
		fz_ring_setup(ring, r);	/* EBUSY */
	}
out:
	pthread_rwlock_unlock(&ring->lock);
}

static void fz_op_close(struct fz_rng *r)
{
	struct fz_ring *ring = fz_pick_ring(r, fz_chance(r, 4, 5));
	bool checked = fz_chance(r, 3, 4);

	if (!ring)
		return;
	pthread_rwlock_wrlock(&ring->lock);
	if (ring->fd >= 0) {
		/* requests in flight are the point: sometimes submit first */
		if (ring->ready && fz_chance(r, 1, 2)) {
			fz_ring_submit_batch(ring, r, fz_range(r, 1, 16));
			fz_ring_enter(ring, r);
		}
		/* only its creator may enter a SINGLE_ISSUER ring to drain it */
		if ((ring->p.flags & XURING_SETUP_SINGLE_ISSUER) && fz_self &&
		    ring->creator_tid != fz_self->tid)
			checked = false;
		fz_ring_close(ring, r, checked);
	}
	pthread_rwlock_unlock(&ring->lock);
}

static void fz_op_remap(struct fz_rng *r)
{
	struct fz_ring *ring = fz_pick_ring(r, true);

	if (!ring)
		return;
	pthread_rwlock_wrlock(&ring->lock);
	if (ring->ready) {
		fz_ring_unmap(ring, r);
		/* sometimes leave them unmapped for a while */
		if (fz_chance(r, 2, 3))
			fz_ring_map(ring, r);
	}
	pthread_rwlock_unlock(&ring->lock);
}

/* Mappings at odd offsets, lengths and protections. */
#define FZ_NR_ODD_MAPS	8
static struct {
	void	*addr;
	size_t	len;
	bool	touchable;
} fz_odd_maps[FZ_NR_ODD_MAPS];
static pthread_mutex_t fz_odd_lock = PTHREAD_MUTEX_INITIALIZER;

static void fz_op_mmap_odd(struct fz_rng *r)
{
	static const uint64_t offs[] = {
		XURING_OFF_SQ_RING, XURING_OFF_CQ_RING, XURING_OFF_SQES,
		XURING_OFF_SQES + 4096, 4096, XURING_OFF_CQ_RING + 4096,
		XURING_OFF_MMAP_MASK, 0x18000000ULL, 0x100000000ULL,
	};
	static const int prots[] = {
		PROT_READ | PROT_WRITE, PROT_READ, PROT_WRITE, PROT_NONE,
		PROT_READ | PROT_EXEC, PROT_READ | PROT_WRITE | PROT_EXEC,
	};
	static const int flagset[] = {
		MAP_SHARED, MAP_PRIVATE, MAP_SHARED | MAP_POPULATE,
		MAP_PRIVATE | MAP_POPULATE, MAP_SHARED | MAP_LOCKED,
		MAP_SHARED | MAP_NORESERVE,
	};
	struct fz_ring *ring = fz_pick_ring(r, fz_chance(r, 4, 5));
	uint64_t off;
	size_t len;
	int prot, flags, fd;
	unsigned int slot = fz_below(r, FZ_NR_ODD_MAPS), i;
	void *p;

	if (!ring)
		ring = fz_pick_ring(r, false);
	off = fz_chance(r, 9, 10) ? offs[fz_below(r, ARRAY_SIZE(offs))] :
	      fz_rand(r) & ~4095ULL;
	switch (fz_below(r, 6)) {
	case 0: len = 0; break;
	case 1: len = 1ULL << 30; break;
	case 2: len = 4096 * fz_range(r, 1, 600); break;
	default: len = 4096 * fz_range(r, 1, 4); break;
	}
	prot = prots[fz_below(r, ARRAY_SIZE(prots))];
	flags = flagset[fz_below(r, ARRAY_SIZE(flagset))];

	pthread_mutex_lock(&fz_odd_lock);
	if (fz_odd_maps[slot].addr) {
		/* what happens to the old one first */
		switch (fz_below(r, 4)) {
		case 0: {
			size_t nlen = fz_odd_maps[slot].len *
				      (fz_chance(r, 1, 2) ? 2 : 1);
			void *n = mremap(fz_odd_maps[slot].addr,
					 fz_odd_maps[slot].len, nlen,
					 MREMAP_MAYMOVE);

			fz_log("mremap odd map %u to %zu bytes -> %p", slot,
			       nlen, n);
			/* VM_DONTEXPAND, as io_uring's rings */
			if (n != MAP_FAILED && nlen > fz_odd_maps[slot].len)
				fz_fail("mremap grew a mapping of a ring from %zu to %zu bytes",
					fz_odd_maps[slot].len, nlen);
			if (n != MAP_FAILED) {
				/* all of it is unmapped later, or it holds the ring */
				fz_odd_maps[slot].addr = n;
				fz_odd_maps[slot].len = nlen;
				goto out;
			}
			break;
		}
		case 1:
			madvise(fz_odd_maps[slot].addr, fz_odd_maps[slot].len,
				MADV_DONTNEED);
			fz_odd_maps[slot].touchable = false;
			fz_log("madvise DONTNEED odd map %u", slot);
			goto out;
		}
		munmap(fz_odd_maps[slot].addr, fz_odd_maps[slot].len);
		fz_odd_maps[slot].addr = NULL;
	}
	pthread_rwlock_rdlock(&ring->lock);
	fd = ring->fd;
	if (fd < 0 && fz_chance(r, 1, 2)) {
		pthread_rwlock_unlock(&ring->lock);
		goto out;
	}
	p = mmap(NULL, len, prot, flags, fd, off);
	pthread_rwlock_unlock(&ring->lock);
	fz_stat_inc(mmaps);
	fz_log("mmap ring %d fd %d off %#llx len %zu prot %#x flags %#x -> %s",
	       ring->idx, fd, (unsigned long long)off, len, prot, flags,
	       p == MAP_FAILED ? strerror(errno) : "ok");
	if (p == MAP_FAILED)
		goto out;
	fz_odd_maps[slot].addr = p;
	fz_odd_maps[slot].len = len;
	fz_odd_maps[slot].touchable = (prot & PROT_READ) != 0;
	if (fz_odd_maps[slot].touchable) {
		volatile char sink;

		for (i = 0; i < len; i += 4096)
			sink = ((volatile char *)p)[i];
		(void)sink;
		if ((prot & PROT_WRITE) && (flags & MAP_PRIVATE))
			((volatile char *)p)[fz_below(r, len)] ^= 1;	/* COW */
	}
out:
	pthread_mutex_unlock(&fz_odd_lock);
}

static void fz_odd_maps_fini(void)
{
	unsigned int i;

	for (i = 0; i < FZ_NR_ODD_MAPS; i++)
		if (fz_odd_maps[i].addr)
			munmap(fz_odd_maps[i].addr, fz_odd_maps[i].len);
	memset(fz_odd_maps, 0, sizeof(fz_odd_maps));
}

/* ----------------------------------------------------------- REGISTER */

static const uint32_t fz_reg_ops[] = {
	XURING_REGISTER_BUFFERS, XURING_UNREGISTER_BUFFERS,
	XURING_REGISTER_FILES, XURING_UNREGISTER_FILES,
	XURING_REGISTER_FILES_UPDATE, XURING_REGISTER_PROBE,
	XURING_REGISTER_FILES2, XURING_REGISTER_FILES_UPDATE2,
	XURING_REGISTER_BUFFERS2, XURING_REGISTER_IOWQ_MAX_WORKERS,
};

/* an fd array for files registration or update; in scratch memory */
static int32_t *fz_fd_array(struct fz_rng *r, int32_t *arr, unsigned int nr,
			    bool update)
{
	unsigned int i;

	if (nr > 64)
		nr = 64;
	for (i = 0; i < nr; i++) {
		if (fz_chance(r, 1, 4))
			arr[i] = update && fz_chance(r, 1, 2) ?
				 XURING_REGISTER_FILES_SKIP : -1;
		else
			arr[i] = fz_pick_fd(r, NULL);
	}
	return arr;
}

static unsigned int fz_reg_nr(struct fz_rng *r)
{
	switch (fz_below(r, 12)) {
	case 0: return 0;
	case 1: return (uint32_t)fz_interesting(r, 32);
	case 2: return (1U << 14) + 1;
	case 3: return (1U << 20) + 1;
	default: return fz_range(r, 1, 16);
	}
}

/* iovecs to register: mostly pinnable, some not */
static struct iovec *fz_buf_iovecs(struct fz_rng *r, struct iovec *iov,
				   unsigned int nr)
{
	unsigned int i;

	if (nr > 16)
		nr = 16;
	for (i = 0; i < nr; i++) {
		struct fz_buf b;

		/* the check arena's first pages: verified READ_FIXED goes there */
		if (i == 0 && fz_cfg.threads == 1 && fz_chance(r, 1, 3)) {
			iov[0].iov_base = fz_check_base;
			iov[0].iov_len = FZ_CHECK_FIXED_PAGES * 4096;
			continue;
		}
		fz_pick_buf(r, BUF_REGISTER, &b);
		if (b.len > (1U << 20) && fz_chance(r, 3, 4))
			b.len = fz_range(r, 1, 1U << 20);
		switch (fz_below(r, 16)) {
		case 0: b.addr = 0; b.len = 0; break;	/* an empty slot */
		case 1: b.addr = 0; break;
		case 2: b.len = 0; break;
		case 3: b.len = (1ULL << 30) + 1; break;
		case 4: b.addr = ~0ULL - 100; b.len = 4096; break;
		}
		iov[i].iov_base = (void *)(uintptr_t)b.addr;
		iov[i].iov_len = b.len;
	}
	return iov;
}

struct fz_reg_scratch {
	struct xuring_register_arg	arg;
	char				trail[16];
	union {
		struct xuring_rsrc_register	rr;
		struct xuring_files_update	fu;
		struct xuring_rsrc_update2	up2;
		uint32_t			counts[2];
		struct xuring_probe		probe;
		char				probe_space[16 + 300 * 8];
	};
	int32_t					fds[64];
	struct iovec				iov[16];
};

static void fz_check_probe(struct fz_ring *ring, const struct xuring_probe *p,
			   unsigned int nr)
{
	unsigned int i, want = nr < XURING_OP_LAST ? nr : XURING_OP_LAST;

	if (p->last_op != XURING_OP_LAST - 1 || p->ops_len != want) {
		fz_fail("ring %d: PROBE of %u ops: last_op %u ops_len %u",
			ring->idx, nr, p->last_op, p->ops_len);
		return;
	}
	for (i = 0; i < want; i++) {
		/* what a ring may run: implemented, and not denied by policy */
		bool sup = fz_op_implemented(i) && !fz_op_denied(i);

		if (p->ops[i].op != i ||
		    p->ops[i].flags != (sup ? XURING_OP_SUPPORTED : 0) ||
		    p->ops[i].resv || p->ops[i].resv2) {
			fz_fail("ring %d: PROBE ops[%u] = {op %u flags %#x}, expected flags %#x (%s%s)",
				ring->idx, i, p->ops[i].op, p->ops[i].flags,
				sup ? XURING_OP_SUPPORTED : 0, fz_op_name(i),
				fz_op_denied(i) ? ", denied by allowed_ops" : "");
			return;
		}
	}
}

/* Which pattern file went into fixed slots @off.. (from @fds[0..n)). */
static void fz_track_fixed(struct fz_ring *ring, uint32_t off,
			   const int32_t *fds, uint32_t n, bool update)
{
	uint32_t i;

	if (!update)
		memset(ring->fixed_pat, 0, sizeof(ring->fixed_pat));
	for (i = 0; i < n && i < 64 && off + i < FZ_FIXED_TRACK; i++) {
		int st;

		if (update && fds[i] == XURING_REGISTER_FILES_SKIP)
			continue;
		st = fz_stable_of(fds[i]);
		ring->fixed_pat[off + i] = st >= 0 ? fz_world.stable[st].pat : 0;
	}
	/* past what we described, the slots hold what the memory said */
	for (; off + i < FZ_FIXED_TRACK && i < n; i++)
		ring->fixed_pat[off + i] = 0;
}

/*
 * Let the kernel consume queued SQEs that name fixed files or buffers by
 * slot, before a REGISTER changes what the slots hold: a verified read
 * must read the file it was written for. Under ring->lock (read).
 */
static void fz_ring_flush_vfixed(struct fz_ring *ring)
{
	const struct xuring_params *p = &ring->p;
	unsigned int tries;

	for (tries = 0; tries < 100 && ring->ready && ring->sq_map; tries++) {
		struct xuring_enter_arg arg = { 0 };
		unsigned int pending;

		pthread_mutex_lock(&ring->sq_lock);
		fz_ring_reap_sq(ring);
		pending = fz_ring_pending(ring);
		pthread_mutex_unlock(&ring->sq_lock);
		if (!ring->vfixed_pending || !pending)
			return;
		arg.to_submit = pending;
		if (p->flags & XURING_SETUP_SQPOLL) {
			arg.flags = XURING_ENTER_SQ_WAKEUP;
			usleep(1000);
		}
		if (fz_ioctl(ring->fd, XURING_IOC_ENTER, &arg,
			     "ENTER (before REGISTER)") < 0 &&
		    errno != EAGAIN && errno != EBUSY && errno != EINTR)
			return;
	}
}

static void fz_op_register(struct fz_rng *r)
{
	struct fz_ring *ring = fz_pick_ring(r, fz_chance(r, 9, 10));
	struct fz_reg_scratch *s;
	uint32_t op, nr = 0, set[2] = { 0, 0 };
	const char *how, *bad = NULL;
	char desc[64];
	unsigned long cmd;
	int ret, fd;

	if (!ring)
		ring = fz_pick_ring(r, false);
	s = fz_scratch(sizeof(*s));
	memset(s, 0, sizeof(*s));
	if (fz_chance(r, 17, 20))
		op = fz_reg_ops[fz_below(r, ARRAY_SIZE(fz_reg_ops))];
	else if (fz_chance(r, 3, 4))
		op = fz_below(r, 31);
	else
		op = (uint32_t)fz_rand(r);

	switch (op) {
	case XURING_REGISTER_BUFFERS:
		nr = fz_reg_nr(r);
		s->arg.arg = (uintptr_t)fz_buf_iovecs(r, s->iov, nr);
		break;
	case XURING_REGISTER_FILES:
		nr = fz_reg_nr(r);
		s->arg.arg = (uintptr_t)fz_fd_array(r, s->fds, nr, false);
		break;
	case XURING_REGISTER_FILES_UPDATE:
		nr = fz_chance(r, 4, 5) ? fz_range(r, 1, 8) : fz_reg_nr(r);
		s->fu.offset = fz_chance(r, 4, 5) ?
			       fz_below(r, ring->nr_files + 2) :
			       (uint32_t)fz_interesting(r, 32);
		s->fu.fds = (uintptr_t)fz_fd_array(r, s->fds, nr, true);
		if (fz_chance(r, 1, 20))
			s->fu.resv = 1;
		s->arg.arg = (uintptr_t)&s->fu;
		break;
	case XURING_REGISTER_FILES2:
	case XURING_REGISTER_BUFFERS2:
		s->rr.nr = fz_reg_nr(r);
		if (fz_chance(r, 1, 3))
			s->rr.flags = XURING_RSRC_REGISTER_SPARSE;
		else if (op == XURING_REGISTER_FILES2)
			s->rr.data = (uintptr_t)fz_fd_array(r, s->fds, s->rr.nr, false);
		else
			s->rr.data = (uintptr_t)fz_buf_iovecs(r, s->iov, s->rr.nr);
		if ((s->rr.flags & XURING_RSRC_REGISTER_SPARSE) &&
		    s->rr.nr > 4096 && fz_chance(r, 3, 4))
			s->rr.nr = fz_range(r, 1, 64);
		switch (fz_below(r, 20)) {
		case 0: s->rr.flags = (uint32_t)fz_rand(r); break;
		case 1: s->rr.resv2 = 1; break;
		case 2: s->rr.tags = (uintptr_t)s->fds; break;
		case 3: s->rr.data = fz_bad_ptr(r, &bad); break;
		}
		nr = fz_chance(r, 9, 10) ? sizeof(s->rr) : fz_below(r, 64);
		s->arg.arg = (uintptr_t)&s->rr;
		break;
	case XURING_REGISTER_FILES_UPDATE2:
		s->up2.offset = fz_chance(r, 4, 5) ?
				fz_below(r, ring->nr_files + 2) :
				(uint32_t)fz_interesting(r, 32);
		s->up2.nr = fz_chance(r, 4, 5) ? fz_range(r, 1, 8) : fz_reg_nr(r);
		s->up2.data = (uintptr_t)fz_fd_array(r, s->fds, s->up2.nr, true);
		switch (fz_below(r, 16)) {
		case 0: s->up2.resv = 1; break;
		case 1: s->up2.resv2 = 1; break;
		case 2: s->up2.tags = 1; break;
		case 3: s->up2.data = fz_bad_ptr(r, &bad); break;
		}
		nr = fz_chance(r, 9, 10) ? sizeof(s->up2) : fz_below(r, 64);
		s->arg.arg = (uintptr_t)&s->up2;
		break;
	case XURING_REGISTER_PROBE:
		nr = fz_chance(r, 4, 5) ? fz_below(r, 257) :
		     fz_chance(r, 1, 2) ? 257 : 300;
		if (fz_chance(r, 1, 10))
			s->probe_space[fz_below(r, 16 + nr * 8 + 1)] = 1;
		s->arg.arg = (uintptr_t)&s->probe;
		break;
	case XURING_REGISTER_IOWQ_MAX_WORKERS:
		nr = fz_chance(r, 9, 10) ? 2 : fz_below(r, 4);
		for (int i = 0; i < 2; i++) {
			switch (fz_below(r, 8)) {
			case 0: s->counts[i] = 0x80000000U; break;
			case 1: s->counts[i] = (uint32_t)fz_rand(r); break;
			case 2: case 3: s->counts[i] = 0; break;
			default: s->counts[i] = fz_range(r, 1, 4); break;
			}
			set[i] = s->counts[i];
		}
		s->arg.arg = (uintptr_t)s->counts;
		break;
	case XURING_UNREGISTER_BUFFERS:
	case XURING_UNREGISTER_FILES:
		if (fz_chance(r, 1, 10))
			nr = 1;
		if (fz_chance(r, 1, 10))
			s->arg.arg = (uintptr_t)s->fds;
		break;
	default:
		nr = (uint32_t)fz_interesting(r, 32);
		s->arg.arg = fz_chance(r, 1, 2) ? (uintptr_t)s->fds :
			     fz_bad_ptr(r, &bad);
		break;
	}
	if (fz_chance(r, 1, 25))
		s->arg.arg = fz_bad_ptr(r, &bad);
	s->arg.opcode = op;
	s->arg.nr_args = nr;
	cmd = fz_ioc(r, 2, sizeof(s->arg), (char *)s,
			    sizeof(s->arg) + sizeof(s->trail), &how);

	pthread_rwlock_rdlock(&ring->lock);
	fd = ring->fd;
	if (fd < 0 && fz_chance(r, 3, 4)) {
		pthread_rwlock_unlock(&ring->lock);
		return;
	}
	/* queued verified reads name fixed slots that this may change */
	if (op != XURING_REGISTER_PROBE && op != XURING_REGISTER_IOWQ_MAX_WORKERS)
		fz_ring_flush_vfixed(ring);
	snprintf(desc, sizeof(desc), "REGISTER %u", op);
	fz_log("ring %d: REGISTER fd %d op %u nr %u%s%s%s", ring->idx, fd, op,
	       nr, bad ? " bad " : "", bad ? bad : "", how);
	fz_stat_inc(registers);
	ret = fz_ioctl(fd, cmd, s, desc);
	fz_log("ring %d: REGISTER %u -> %d%s%s", ring->idx, op, ret,
	       ret < 0 ? " " : "", ret < 0 ? strerror(errno) : "");
	if (ret >= 0 && ring->ready && cmd == XURING_IOC_REGISTER && !bad) {
		pthread_mutex_lock(&ring->sq_lock);
		switch (op) {
		case XURING_REGISTER_FILES:
			ring->nr_files = nr;
			fz_track_fixed(ring, 0, s->fds, nr, false);
			break;
		case XURING_REGISTER_FILES2:
			ring->nr_files = s->rr.nr;
			if (s->rr.flags & XURING_RSRC_REGISTER_SPARSE)
				memset(ring->fixed_pat, 0, sizeof(ring->fixed_pat));
			else
				fz_track_fixed(ring, 0, s->fds, s->rr.nr, false);
			break;
		case XURING_UNREGISTER_FILES:
			ring->nr_files = 0;
			memset(ring->fixed_pat, 0, sizeof(ring->fixed_pat));
			break;
		case XURING_REGISTER_FILES_UPDATE:
			/* the first @ret slots from the offset were replaced */
			fz_track_fixed(ring, s->fu.offset, s->fds, ret, true);
			break;
		case XURING_REGISTER_FILES_UPDATE2:
			fz_track_fixed(ring, s->up2.offset, s->fds, ret, true);
			break;
		case XURING_REGISTER_BUFFERS:
		case XURING_REGISTER_BUFFERS2: {
			unsigned int n = op == XURING_REGISTER_BUFFERS ? nr : s->rr.nr;
			unsigned int i;

			ring->nr_bufs = n < 4 ? n : 4;
			for (i = 0; i < ring->nr_bufs; i++) {
				bool sparse = op == XURING_REGISTER_BUFFERS2 &&
					      (s->rr.flags & XURING_RSRC_REGISTER_SPARSE);

				ring->bufs[i].addr = sparse ? 0 :
					(uintptr_t)s->iov[i].iov_base;
				ring->bufs[i].len = sparse ? 0 : s->iov[i].iov_len;
				ring->bufs[i].check = !sparse &&
					s->iov[i].iov_base == fz_check_base;
			}
			ring->has_bufs = true;
			break;
		}
		case XURING_UNREGISTER_BUFFERS:
			ring->nr_bufs = 0;
			ring->has_bufs = false;
			break;
		case XURING_REGISTER_PROBE:
			fz_check_probe(ring, &s->probe, nr);
			break;
		case XURING_REGISTER_IOWQ_MAX_WORKERS:
			if (!s->counts[0] || !s->counts[1])
				fz_fail("ring %d: IOWQ_MAX_WORKERS reported limits %u/%u",
					ring->idx, s->counts[0], s->counts[1]);
			if (ring->iowq_known && fz_cfg.threads == 1 &&
			    (s->counts[0] != ring->iowq_max[0] ||
			     s->counts[1] != ring->iowq_max[1]))
				fz_fail("ring %d: IOWQ_MAX_WORKERS reported %u/%u, set before to %u/%u",
					ring->idx, s->counts[0], s->counts[1],
					ring->iowq_max[0], ring->iowq_max[1]);
			for (int i = 0; i < 2; i++) {
				struct rlimit rl;

				/* the module holds the limits to RLIMIT_NPROC */
				getrlimit(RLIMIT_NPROC, &rl);
				if (set[i] && rl.rlim_cur < set[i])
					set[i] = rl.rlim_cur;
				ring->iowq_max[i] = set[i] ? set[i] : s->counts[i];
			}
			ring->iowq_known = true;
			break;
		}
		pthread_mutex_unlock(&ring->sq_lock);
	}
	if (ret >= 0 && op >= XURING_REGISTER_LAST && cmd == XURING_IOC_REGISTER)
		fz_fail("ring %d: REGISTER opcode %u succeeded", ring->idx, op);
	pthread_rwlock_unlock(&ring->lock);
}

/* --------------------------------------------------------------- misc */

static void fz_op_misc(struct fz_rng *r)
{
	struct fz_ring *ring = fz_pick_ring(r, fz_chance(r, 3, 4));
	char buf[4096], path[96];
	int fd, n;

	if (!ring)
		ring = fz_pick_ring(r, false);
	pthread_rwlock_rdlock(&ring->lock);
	fd = ring->fd;
	switch (fz_below(r, 7)) {
	case 0: {
		struct pollfd pfd = { .fd = fd, .events = POLLIN | POLLOUT };

		n = poll(&pfd, 1, 0);
		fz_log("ring %d: poll -> %d revents %#x", ring->idx, n, pfd.revents);
		break;
	}
	case 1: {
		int f;

		snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
		f = open(path, O_RDONLY | O_CLOEXEC);
		n = f >= 0 ? read(f, buf, sizeof(buf)) : -1;
		if (f >= 0)
			close(f);
		fz_log("ring %d: fdinfo -> %d", ring->idx, n);
		break;
	}
	case 2:
		n = read(fd, buf, fz_below(r, 64));
		fz_log("ring %d: read -> %d", ring->idx, n);
		break;
	case 3:
		n = write(fd, buf, fz_below(r, 64));
		fz_log("ring %d: write -> %d", ring->idx, n);
		break;
	case 4:
		n = (int)lseek(fd, fz_below(r, 4096), SEEK_SET);
		fz_log("ring %d: lseek -> %d", ring->idx, n);
		break;
	case 5: {
		static const char *const names[] = {
			"rings", "requests", "workers", "pinned_pages",
		};
		int f;

		snprintf(path, sizeof(path), "/sys/class/misc/xuring/%s",
			 names[fz_below(r, 4)]);
		f = open(path, O_RDONLY | O_CLOEXEC);
		if (f >= 0) {
			n = read(f, buf, sizeof(buf));
			close(f);
		}
		break;
	}
	case 6: {
		struct stat st;

		n = fstat(fd, &st);
		fz_log("ring %d: fstat -> %d", ring->idx, n);
		break;
	}
	}
	pthread_rwlock_unlock(&ring->lock);
}

static void fz_op_scribble(struct fz_rng *r)
{
	struct fz_ring *ring = fz_pick_ring(r, true);

	if (!ring)
		return;
	pthread_rwlock_rdlock(&ring->lock);
	if (ring->ready)
		fz_ring_scribble(ring, r);
	pthread_rwlock_unlock(&ring->lock);
}

static void fz_op_fds(struct fz_rng *r)
{
	unsigned int i = fz_below(r, FZ_NR_FDS);

	if (fz_chance(r, 1, 4)) {
		/* a ring's dup in the pool: SQEs will name it */
		struct fz_ring *ring = fz_pick_ring(r, false);
		int fd;

		pthread_rwlock_rdlock(&ring->lock);
		fd = ring->fd >= 0 ? dup(ring->fd) : -1;
		pthread_rwlock_unlock(&ring->lock);
		if (fd < 0)
			return;
		fz_fd_set(i, fd, FD_RINGDUP);
		fz_log("fd slot %u -> fd %d dup of ring %d", i, fd, ring->idx);
		return;
	}
	if (fz_chance(r, 1, 5)) {
		fz_fd_close(i);
		fz_log("fd slot %u closed", i);
		return;
	}
	fz_fd_reopen(r, i);
}

static void fz_op_pipes(struct fz_rng *r)
{
	if (fz_chance(r, 2, 3)) {
		fz_pipes_pump(r, false);
		fz_log("pump pipes");
	} else {
		fz_pipes_drain();
		fz_log("drain pipes");
	}
}

static void fz_op_world(struct fz_rng *r)
{
	switch (fz_below(r, 4)) {
	case 0:
		fz_files_reset(r);
		fz_log("files reset");
		break;
	case 1:
		fz_vol_remap(r);
		break;
	case 2:
		fz_zombies_reap(r, false);
		fz_log("zombie mapping dropped");
		break;
	case 3:
		usleep(fz_below(r, 2000));
		break;
	}
}

static void fz_op_fork(struct fz_rng *r)
{
	if (fz_shape_on(FZ_SHAPE_FORK))
		fz_child_fork(r, -1);
}

static void fz_op_exec(struct fz_rng *r)
{
	if (fz_shape_on(FZ_SHAPE_EXEC))
		fz_shape_exec(r);
}

static void fz_op_vfork(struct fz_rng *r)
{
	if (fz_shape_on(FZ_SHAPE_VFORK))
		fz_shape_vfork(r);
}

static void fz_op_scm(struct fz_rng *r)
{
	if (!fz_shape_on(FZ_SHAPE_SCM))
		return;
	if (fz_chance(r, 1, 2))
		fz_shape_scm(r);
	else
		fz_foreign_op(r);
}

static void fz_op_compat(struct fz_rng *r)
{
	if (fz_shape_on(FZ_SHAPE_COMPAT))
		fz_shape_compat(r);
}

/*
 * This thread alone (raw system calls: glibc would change every thread)
 * becomes uid 65534 for a submission, and root again: requests prepared
 * with credentials other than the ring creator's.
 */
static void fz_op_creds(struct fz_rng *r)
{
	struct fz_ring *ring;

	if (!fz_shape_on(FZ_SHAPE_CREDS) || geteuid() != 0)
		return;
	ring = fz_pick_ring(r, true);
	if (!ring)
		return;
	pthread_rwlock_rdlock(&ring->lock);
	if (ring->ready) {
		if (syscall(SYS_setresgid, -1, 65534, -1) ||
		    syscall(SYS_setresuid, -1, 65534, -1))
			fz_fail("cannot switch this thread to euid 65534: %s",
				strerror(errno));
		fz_stat_inc(cred_changes);
		fz_log("ring %d: this thread now euid 65534", ring->idx);
		fz_ring_submit_batch(ring, r, fz_range(r, 1, 8));
		fz_ring_enter(ring, r);
		fz_ring_reap(ring, r);
		if (syscall(SYS_setresuid, -1, 0, -1) ||
		    syscall(SYS_setresgid, -1, 0, -1) || geteuid() != 0) {
			fz_fail("cannot switch this thread back to root: %s",
				strerror(errno));
			fz_request_stop(FZ_STOP_FAIL);
		}
	}
	pthread_rwlock_unlock(&ring->lock);
}

struct fz_thread_ring_arg {
	struct fz_ring		*ring;
	struct fz_rng		*r;
	struct fz_thread	*parent;
};

static void *fz_thread_ring_main(void *arg)
{
	struct fz_thread_ring_arg *a = arg;
	struct fz_thread me = { 0 };
	struct fz_ring *ring = a->ring;
	struct fz_rng *r = a->r;
	unsigned int i;

	if (a->parent) {
		me.idx = a->parent->idx;
		me.cur_opno = a->parent->cur_opno;
		me.rng = a->parent->rng;
	}
	fz_thread_watchdog_init(&me);
	fz_setup_force = fz_chance(r, 1, 3) ? XURING_SETUP_SINGLE_ISSUER : 0;
	/* nobody could poll it: it would hold device tags for ever */
	fz_setup_drop = fz_setup_force ? XURING_SETUP_IOPOLL : 0;
	if (fz_ring_open(ring, r) == 0) {
		for (i = 0; i < 4 && !ring->ready; i++)
			fz_ring_setup(ring, r);
		if (ring->ready) {
			fz_ring_map(ring, r);
			fz_ring_submit_batch(ring, r, fz_range(r, 1, 16));
			fz_ring_enter(ring, r);
		}
	}
	fz_log("ring %d: its creator thread (tid %d) exits", ring->idx, me.tid);
	fz_fail_nth_close();
	fz_thread_watchdog_fini(&me);
	fz_self = NULL;
	return NULL;
}

/* A ring whose creator thread is gone before anybody else uses it. */
static void fz_op_thread_ring(struct fz_rng *r)
{
	struct fz_thread_ring_arg a = { .r = r, .parent = fz_self };
	pthread_t pt;

	if (!fz_shape_on(FZ_SHAPE_THREAD))
		return;
	a.ring = fz_pick_ring(r, false);
	pthread_rwlock_wrlock(&a.ring->lock);
	if (a.ring->fd >= 0)
		fz_ring_close(a.ring, r, true);
	if (!pthread_create(&pt, NULL, fz_thread_ring_main, &a)) {
		pthread_join(pt, NULL);
		fz_stat_inc(thread_rings);
	}
	pthread_rwlock_unlock(&a.ring->lock);
}

/* ------------------------------------------------------------ the table */

static const struct {
	const char	*name;
	void		(*fn)(struct fz_rng *r);
	unsigned int	weight;
} fz_ops[] = {
	{ "io",		fz_op_io,	36 },
	{ "enter",	fz_op_enter,	8 },
	{ "reap",	fz_op_reap,	4 },
	{ "setup",	fz_op_setup,	7 },
	{ "close",	fz_op_close,	3 },
	{ "remap",	fz_op_remap,	3 },
	{ "mmap",	fz_op_mmap_odd,	3 },
	{ "register",	fz_op_register,	12 },
	{ "pipes",	fz_op_pipes,	6 },
	{ "fds",	fz_op_fds,	3 },
	{ "world",	fz_op_world,	2 },
	{ "fork",	fz_op_fork,	2 },
	{ "exec",	fz_op_exec,	1 },
	{ "vfork",	fz_op_vfork,	1 },
	{ "scm",	fz_op_scm,	2 },
	{ "creds",	fz_op_creds,	1 },
	{ "thread",	fz_op_thread_ring, 1 },
	{ "compat",	fz_op_compat,	1 },
	{ "scribble",	fz_op_scribble,	1 },
	{ "misc",	fz_op_misc,	4 },
};

void fz_op_run(struct fz_rng *r)
{
	static unsigned int weights[ARRAY_SIZE(fz_ops)];
	unsigned int i;

	if (!weights[0])
		for (i = 0; i < ARRAY_SIZE(fz_ops); i++)
			weights[i] = fz_ops[i].weight;
	i = fz_pick_weighted(r, weights, ARRAY_SIZE(fz_ops));
	if (fz_self)
		fz_self->cur_op = fz_ops[i].name;
	fz_ops[i].fn(r);
	fz_children_reap(false);
}

void fz_ops_fini(void)
{
	fz_odd_maps_fini();
}

/*
 * Back to a clean state: children finish (or are killed), foreign rings
 * and our own are closed with every CQE in, odd mappings and zombies
 * go, the fd pool is opened afresh, and the check arena's quarantine is
 * over: no ring that could still write it is left.
 */
void fz_reset_state(void)
{
	uint64_t start = fz_now_ns();

	fz_children_settle(3000);
	fz_children_reap(true);
	fz_foreign_close_all();
	fz_odd_maps_fini();
	/* every ring, with every CQE in, and the mappings that outlive them */
	fz_rings_fini();
	fz_fds_reset();
	fz_check_reset();
	fz_counters_check("a reset closed everything");
	fz_stat_inc(resets);
	fz_stat_add(reset_ns, fz_now_ns() - start);
}
