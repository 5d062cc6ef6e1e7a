// SPDX-License-Identifier: GPL-2.0
/*
 * Rings: SETUP with random parameters, mmap of the three regions in
 * random ways, SQ production, ENTER, CQ reaping, and the shadow that
 * checks what the kernel hands back.
 *
 * The shadow. Every SQE we publish has a user_data no other pending SQE
 * has; a multiset holds the user_data of every SQ slot we published (an
 * SQ array entry may point at another SQE of the same batch, so a
 * user_data can be expected twice, and an out-of-range entry expects
 * nothing). A CQE must take an element out of it: one that does not was
 * never submitted or arrived twice. Each element says what a success may
 * return (at most the length asked for; exactly that for /dev/null; a
 * verified read's data is compared with the file, verify.c). The
 * kernel-owned indexes must stay inside what we published: sq.head never
 * passes our tail, cq.tail never runs more than cq_entries ahead of our
 * head, and the dropped counter counts exactly the out-of-range entries
 * consumed.
 *
 * Exactly once. Before a ring is closed (unless the close is the abrupt
 * kind, on purpose, with requests in flight), every request must have
 * posted its CQE: fz_ring_quiesce() submits what is queued, unblocks
 * pipes and sockets, waits, and fails the run with the requests still
 * missing after --complete-timeout seconds. CQE_SKIP_SUCCESS requests are
 * confirmed by a drain NOP of ours: when its CQE comes, everything before
 * it has completed, and those without a CQE succeeded.
 *
 * A ring whose indexes or pending SQEs somebody else wrote (a scribble
 * that cannot be undone, a child) is "tainted": its CQEs are only matched
 * and checked for what holds for every CQE, and whatever it has in flight
 * at its close is abandoned. Each taint is counted by why; most scribbles
 * are undone and taint nothing.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "fuzz.h"

struct fz_ring fz_rings[FZ_NR_RINGS];
__thread uint32_t fz_setup_force, fz_setup_drop;

#define FZ_MAX_LIVE	8192	/* CQEs we wait for on one ring, at most */
#define FZ_WATCHDOG_SIG	(SIGRTMIN + 2)

static inline unsigned int fz_load_acquire(const void *p)
{
	return __atomic_load_n((const unsigned int *)p, __ATOMIC_ACQUIRE);
}

static inline void fz_store_release(void *p, unsigned int v)
{
	__atomic_store_n((unsigned int *)p, v, __ATOMIC_RELEASE);
}

#define FZ_AT(base, off)	((unsigned int *)((char *)(base) + (off)))

/* ------------------------------------------------------------ the ioctls */

static __thread bool fz_injecting;

int fz_ioctl(int fd, unsigned long cmd, void *arg, const char *what)
{
	int kind = fz_ioc_kind(cmd), ret, err;
	uint32_t reg_op = 0;

	/* the opcode as the module will read it (the argument may be bad) */
	if (kind == FZ_IOC_REGISTER && arg)
		reg_op = ((struct xuring_register_arg *)arg)->opcode;
	fz_stat_inc(ioctls);
	if (fz_self)
		snprintf(fz_self->cur_what, sizeof(fz_self->cur_what), "%s",
			 what);
	fz_injecting = false;
	if (fz_self) {
		fz_fail_nth_arm(&fz_self->rng);
		fz_injecting = fz_cfg.fail_nth != 0;
	}
	ret = ioctl(fd, cmd, arg);
	err = errno;
	if (fz_self) {
		fz_fail_nth_disarm();
		fz_self->cur_what[0] = 0;
	}
	if (ret < -1)
		fz_fail("%s on fd %d returned %d: negative but not -1 (a truncated count?)",
			what, fd, ret);
	if (ret == -1) {
		fz_stat_inc(ioctl_errors);
		if (!fz_errno_allowed(kind, reg_op, err, false, fz_injecting)) {
			char op[32] = "";

			if (kind == FZ_IOC_REGISTER)
				snprintf(op, sizeof(op), " of opcode %u", reg_op);
			fz_fail("%s on fd %d returned errno %d (%s), which %s%s cannot return (errno.c)",
				what, fd, err, strerror(err),
				fz_ioc_kind_name(kind), op);
		}
	}
	if (ret > 0 && kind != FZ_IOC_ENTER && kind != FZ_IOC_FOREIGN &&
	    !(kind == FZ_IOC_REGISTER &&
	      (reg_op == XURING_REGISTER_FILES_UPDATE ||
	       reg_op == XURING_REGISTER_FILES_UPDATE2)))
		fz_fail("%s on fd %d returned %d; it returns 0 on success",
			what, fd, ret);
	errno = err;
	return ret;
}

/* The ioctl number for @nr, mostly as built; sometimes sized or typed oddly. */
unsigned long fz_ioc(struct fz_rng *r, unsigned int nr, size_t size,
			    char *arg, size_t room, const char **how)
{
	*how = "";
	switch (fz_below(r, 40)) {
	case 0:	/* a newer header: trailing zeros are fine */
		if (room >= size + 8) {
			memset(arg + size, 0, 8);
			*how = " (size+8, zero)";
			return _IOC(_IOC_WRITE, XURING_IOC_MAGIC, nr, size + 8);
		}
		break;
	case 1:	/* a newer header with a field we do not know: E2BIG */
		if (room >= size + 8) {
			memset(arg + size, 0, 8);
			arg[size + fz_below(r, 8)] = 1;
			*how = " (size+8, nonzero)";
			return _IOC(_IOC_WRITE, XURING_IOC_MAGIC, nr, size + 8);
		}
		break;
	case 2:
		*how = " (short size)";
		return _IOC(_IOC_WRITE, XURING_IOC_MAGIC, nr, fz_below(r, size));
	case 3:
		*how = " (read|write)";
		return _IOC(_IOC_READ | _IOC_WRITE, XURING_IOC_MAGIC, nr, size);
	case 4:
		*how = " (random cmd)";
		return (unsigned long)(uint32_t)fz_rand(r);
	case 5:
		*how = " (other nr)";
		return _IOC(_IOC_WRITE, XURING_IOC_MAGIC, fz_range(r, 3, 255), size);
	}
	return _IOC(_IOC_WRITE, XURING_IOC_MAGIC, nr, size);
}

/* --------------------------------------------------------------- shadow */

static uint64_t fz_hash64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return x;
}

static void fz_udset_clear(struct fz_udset *s)
{
	free(s->slots);
	memset(s, 0, sizeof(*s));
}

static struct fz_ud *fz_udset_find(struct fz_udset *s, uint64_t ud)
{
	uint32_t i;

	if (!s->cap)
		return NULL;
	for (i = fz_hash64(ud) & (s->cap - 1);; i = (i + 1) & (s->cap - 1)) {
		struct fz_ud *e = &s->slots[i];

		if (!e->count)
			return NULL;
		if (e->user_data == ud)
			return e;
	}
}

static void fz_udset_insert_slot(struct fz_udset *s, const struct fz_ud *u)
{
	uint32_t i;

	for (i = fz_hash64(u->user_data) & (s->cap - 1);;
	     i = (i + 1) & (s->cap - 1)) {
		if (!s->slots[i].count) {
			s->slots[i] = *u;
			s->used++;
			return;
		}
	}
}

static void fz_udset_add(struct fz_udset *s, const struct fz_ud *u)
{
	struct fz_ud *e = fz_udset_find(s, u->user_data);

	s->live++;
	if (e) {
		e->count++;
		return;
	}
	if ((s->used + 1) * 4 >= s->cap * 3) {
		struct fz_ud *old = s->slots;
		uint32_t i, oldcap = s->cap;

		s->cap = oldcap ? oldcap * 2 : 256;
		s->slots = calloc(s->cap, sizeof(*s->slots));
		s->used = 0;
		for (i = 0; i < oldcap; i++)
			if (old[i].count)
				fz_udset_insert_slot(s, &old[i]);
		free(old);
	}
	fz_udset_insert_slot(s, u);
}

/* take one; backward-shift deletion keeps the probe chains whole */
static void fz_udset_take(struct fz_udset *s, struct fz_ud *e)
{
	uint32_t i = e - s->slots, j, k;

	s->live--;
	if (--e->count)
		return;
	s->used--;
	j = i;
	for (;;) {
		j = (j + 1) & (s->cap - 1);
		if (!s->slots[j].count)
			break;
		k = fz_hash64(s->slots[j].user_data) & (s->cap - 1);
		/* can the entry at j move to the hole at i? */
		if ((j > i && (k <= i || k > j)) || (j < i && (k <= i && k > j))) {
			s->slots[i] = s->slots[j];
			i = j;
		}
	}
	s->slots[i].count = 0;
}

/* ---------------------------------------------------------------- rings */

static pthread_mutex_t fz_zombie_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
	void	*addr;
	size_t	len;
} fz_zombies[16];
static unsigned int fz_nr_zombies;

static void fz_watchdog_handler(int sig)
{
	(void)sig;
}

void fz_rings_init(void)
{
	pthread_rwlockattr_t attr;
	struct sigaction sa = { .sa_handler = fz_watchdog_handler };
	unsigned int i;

	/* no SA_RESTART: the point is to interrupt a wait */
	sigaction(FZ_WATCHDOG_SIG, &sa, NULL);
	pthread_rwlockattr_init(&attr);
	pthread_rwlockattr_setkind_np(&attr,
			PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
	for (i = 0; i < FZ_NR_RINGS; i++) {
		struct fz_ring *ring = &fz_rings[i];

		memset(ring, 0, sizeof(*ring));
		pthread_rwlock_init(&ring->lock, &attr);
		pthread_mutex_init(&ring->sq_lock, NULL);
		ring->idx = i;
		ring->fd = -1;
	}
}

void fz_rings_fini(void)
{
	unsigned int i;

	for (i = 0; i < FZ_NR_RINGS; i++) {
		struct fz_ring *ring = &fz_rings[i];

		pthread_rwlock_wrlock(&ring->lock);
		if (ring->fd >= 0)
			fz_ring_close(ring, NULL, true);
		pthread_rwlock_unlock(&ring->lock);
	}
	fz_zombies_reap(NULL, true);
}

/*
 * A thread about to go: nobody else may enter its SINGLE_ISSUER rings, and
 * an IOPOLL one would hold device tags for ever.
 */
void fz_rings_close_own(void)
{
	unsigned int i;

	for (i = 0; i < FZ_NR_RINGS && fz_self; i++) {
		struct fz_ring *ring = &fz_rings[i];

		pthread_rwlock_wrlock(&ring->lock);
		if (ring->fd >= 0 && ring->creator_tid == fz_self->tid &&
		    (ring->p.flags & XURING_SETUP_SINGLE_ISSUER))
			fz_ring_close(ring, NULL, true);
		pthread_rwlock_unlock(&ring->lock);
	}
}

struct fz_ring *fz_pick_ring(struct fz_rng *r, bool ready)
{
	unsigned int start = fz_below(r, FZ_NR_RINGS), i;

	if (!ready)
		return &fz_rings[start];
	for (i = 0; i < FZ_NR_RINGS; i++) {
		struct fz_ring *ring = &fz_rings[(start + i) % FZ_NR_RINGS];

		if (__atomic_load_n(&ring->ready, __ATOMIC_RELAXED))
			return ring;
	}
	return NULL;
}

int fz_ring_any_fd(struct fz_rng *r)
{
	unsigned int start = fz_below(r, FZ_NR_RINGS), i;

	for (i = 0; i < FZ_NR_RINGS; i++) {
		int fd = __atomic_load_n(&fz_rings[(start + i) % FZ_NR_RINGS].fd,
					 __ATOMIC_RELAXED);

		if (fd >= 0)
			return fd;
	}
	return -1;
}

bool fz_ring_memory(struct fz_rng *r, uint64_t *addr, uint64_t *len)
{
	struct fz_ring *ring = &fz_rings[fz_below(r, FZ_NR_RINGS)];
	void *map = ring->sq_map;
	size_t size = ring->sq_len;

	if (fz_chance(r, 1, 2) && ring->sqe_map) {
		map = ring->sqe_map;
		size = ring->sqe_len;
	}
	if (!map || !size)
		return false;
	*addr = (uint64_t)(uintptr_t)map + fz_below(r, size);
	*len = (uint64_t)(uintptr_t)map + size - *addr;
	return true;
}

const char *const fz_taint_names[TAINT_NR] = {
	[TAINT_SQ_TAIL] = "SQ tail moved forward by a scribble",
	[TAINT_CQ_HEAD] = "CQ head moved forward by a scribble",
	[TAINT_SQE] = "a pending SQE or SQ slot scribbled",
	[TAINT_CQE] = "an unreaped CQE scribbled",
	[TAINT_CHILD] = "SQ tail moved forward by a child",
	[TAINT_BAD_INDEX] = "a kernel index out of range (after a failure)",
};

const char *const fz_abandon_names[ABANDON_NR] = {
	[ABANDON_CLOSE] = "in flight at an abrupt close",
	[ABANDON_TAINTED] = "on a tainted ring at its close",
	[ABANDON_NO_ENTER] = "queued on a ring nobody may enter",
	[ABANDON_NO_REAP] = "in flight on such a ring (IOPOLL, overflow, skip)",
};

void fz_ring_taint(struct fz_ring *ring, int why)
{
	if (!ring->tainted) {
		fz_log("ring %d tainted: %s", ring->idx, fz_taint_names[why]);
		fz_stat_inc(taints[why]);
		ring->taint = why;
	}
	ring->tainted = true;
	/* recorded even on a ring tainted before, for fz_check_cqe() */
	if (why == TAINT_CQE)
		ring->cqe_scribbled = true;
}

/*
 * Publish one request in SQ order: whether it may end without a CQE
 * depends on the chain it joins. Chains never span two submissions in
 * the kernel, but we cannot tell where one ENTER stopped, so a chain is
 * taken to go on as long as the SQEs say so: that only makes more
 * requests "maybe silent".
 */
static void fz_ud_add(struct fz_ring *ring, struct fz_ud *u)
{
	bool skip = u->flags & XURING_SQE_CQE_SKIP_SUCCESS;
	bool linked = u->flags & (XURING_SQE_IO_LINK | XURING_SQE_IO_HARDLINK);
	bool carried = ring->chain_open && ring->chain_skip;
	struct fz_ud *e = fz_udset_find(&ring->outstanding, u->user_data);

	u->silent = (skip || carried ? FZ_UD_SILENT : 0) |
		    (carried ? FZ_UD_CARRIED : 0);
	ring->chain_skip = linked && (carried || skip);
	ring->chain_open = linked;
	/* the same SQE from a second slot: either may be silent */
	if (e && !e->silent && u->silent)
		ring->skip_live += e->count;
	if (e)
		e->silent |= u->silent;
	fz_udset_add(&ring->outstanding, u);
	e = fz_udset_find(&ring->outstanding, u->user_data);
	if (e->silent)
		ring->skip_live++;
}

static void fz_ud_take(struct fz_ring *ring, struct fz_ud *u)
{
	if (u->silent)
		ring->skip_live--;
	fz_udset_take(&ring->outstanding, u);
}

/* Nobody will wait for what is outstanding: count it, free what it held. */
static void fz_ring_abandon_all(struct fz_ring *ring, int why)
{
	struct fz_udset *set = &ring->outstanding;
	uint32_t i;

	for (i = 0; i < set->cap; i++) {
		struct fz_ud *u = &set->slots[i];
		uint32_t k;

		if (!u->count)
			continue;
		if (!u->marker)
			fz_stat_add(abandoned[why], u->count);
		for (k = 0; u->vreq >= 0 && k < u->count; k++)
			fz_vreq_abandon(u->vreq);
	}
	fz_udset_clear(set);
	ring->skip_live = 0;
}

static void fz_ring_reset_shadow(struct fz_ring *ring)
{
	fz_ring_abandon_all(ring, ABANDON_CLOSE);
	free(ring->slot_flags);
	ring->slot_flags = NULL;
	ring->sq_tail = ring->sq_head_seen = ring->cq_head = 0;
	ring->dropped_written = ring->dropped_consumed = 0;
	ring->vfixed_pending = 0;
	ring->tainted = false;
	ring->cqe_scribbled = false;
	ring->marker_seen = false;
	ring->dropped_unknown = false;
	ring->chain_open = ring->chain_skip = false;
	ring->blocking = 0;
	ring->nr_files = 0;
	memset(ring->fixed_pat, 0, sizeof(ring->fixed_pat));
	ring->has_bufs = false;
	ring->nr_bufs = 0;
	ring->iowq_known = false;
}

int fz_ring_open(struct fz_ring *ring, struct fz_rng *r)
{
	int flags = O_RDWR;

	if (fz_chance(r, 1, 2))
		flags |= O_CLOEXEC;
	if (fz_chance(r, 1, 10))
		flags |= O_NONBLOCK;
	if (fz_chance(r, 1, 30))
		flags = (flags & ~O_ACCMODE) | O_RDONLY;
	ring->fd = open(XURING_DEVICE_PATH, flags);
	fz_log("ring %d: open -> fd %d", ring->idx, ring->fd);
	if (ring->fd < 0)
		return -1;
	ring->ready = false;
	ring->gen++;
	ring->creator_tid = fz_self ? fz_self->tid : 0;
	fz_ring_reset_shadow(ring);
	return 0;
}

static uint32_t fz_gen_entries(struct fz_rng *r)
{
	switch (fz_below(r, 24)) {
	case 0: return 0;
	case 1: return 1;
	case 2: return (uint32_t)fz_range(r, 1, 300);
	case 3: return 4096;
	case 4: return 32768;
	case 5: return 32769;
	case 6: return 0xffffffff;
	case 7: return (uint32_t)fz_interesting(r, 32);
	default: return 1U << fz_range(r, 1, 7);
	}
}

static void fz_gen_params(struct fz_rng *r, struct xuring_params *p,
			  uint32_t entries)
{
	static const struct {
		uint32_t flag;
		unsigned int num, den;
	} bits[] = {
		{ XURING_SETUP_IOPOLL, 1, 8 },
		{ XURING_SETUP_SQPOLL, 1, 6 },
		{ XURING_SETUP_SQ_AFF, 1, 12 },
		{ XURING_SETUP_CQSIZE, 1, 4 },
		{ XURING_SETUP_CLAMP, 1, 6 },
		{ XURING_SETUP_ATTACH_WQ, 1, 10 },
		{ XURING_SETUP_R_DISABLED, 1, 40 },
		{ XURING_SETUP_SUBMIT_ALL, 1, 4 },
		{ XURING_SETUP_COOP_TASKRUN, 1, 8 },
		{ XURING_SETUP_TASKRUN_FLAG, 1, 10 },
		{ XURING_SETUP_SQE128, 1, 60 },
		{ XURING_SETUP_CQE32, 1, 60 },
		{ XURING_SETUP_SINGLE_ISSUER, 1, 8 },
		{ XURING_SETUP_DEFER_TASKRUN, 1, 10 },
	};
	unsigned int i;

	memset(p, 0, sizeof(*p));
	for (i = 0; i < ARRAY_SIZE(bits); i++)
		if (fz_chance(r, bits[i].num, bits[i].den))
			p->flags |= bits[i].flag;
	if (fz_chance(r, 1, 40))
		p->flags = (uint32_t)fz_rand(r);
	if (fz_chance(r, 1, 3))
		p->flags |= XURING_SETUP_CQSIZE;
	switch (fz_below(r, 6)) {
	case 0: p->cq_entries = 0; break;
	case 1: p->cq_entries = entries; break;
	case 2: p->cq_entries = (uint32_t)fz_interesting(r, 32); break;
	case 3: p->cq_entries = entries ? entries - 1 : 0; break;
	default: p->cq_entries = entries * (1U << fz_below(r, 4)); break;
	}
	switch (fz_below(r, 4)) {
	case 0: p->sq_thread_cpu = 0; break;
	case 1: p->sq_thread_cpu = fz_below(r, 4); break;
	case 2: p->sq_thread_cpu = (uint32_t)fz_interesting(r, 32); break;
	default: p->sq_thread_cpu = 1; break;
	}
	switch (fz_below(r, 5)) {
	case 0: p->sq_thread_idle = 0; break;
	case 1: p->sq_thread_idle = 1; break;
	case 2: p->sq_thread_idle = (uint32_t)fz_interesting(r, 32); break;
	default: p->sq_thread_idle = fz_range(r, 1, 200); break;
	}
	p->wq_fd = fz_chance(r, 3, 4) ? fz_ring_any_fd(r) : fz_pick_fd(r, NULL);
	if (fz_chance(r, 1, 30))
		p->resv[fz_below(r, 3)] = (uint32_t)fz_rand(r) | 1;
	if (fz_chance(r, 1, 8))	/* outputs: whatever comes in is overwritten */
		memset(&p->sq_off, 0xa5, sizeof(p->sq_off) + sizeof(p->cq_off));
	if (fz_chance(r, 1, 8))
		p->features = (uint32_t)fz_rand(r);
}

/* An ioctl argument in scratch memory, with room for odd sizes. */
struct fz_setup_scratch {
	struct xuring_setup_arg	arg;
	char			trail[64];
};

int fz_ring_setup(struct fz_ring *ring, struct fz_rng *r)
{
	struct fz_setup_scratch *s = fz_scratch(sizeof(*s));
	struct xuring_params p;
	const char *how, *ptr = "params";
	uint32_t entries = fz_gen_entries(r);
	void *ro = NULL;
	unsigned long cmd;
	bool was_ready = ring->ready;
	int ret;

	if (ring->fd < 0)
		return -1;
	fz_gen_params(r, &p, entries);
	memset(s, 0, sizeof(*s));
	s->arg.entries = entries;
	s->arg.params = (uintptr_t)&p;
	if (fz_chance(r, 1, 30))
		s->arg.resv = (uint32_t)fz_rand(r) | 1;
	switch (fz_below(r, 30)) {
	case 0:
		s->arg.params = fz_bad_ptr(r, &ptr);
		break;
	case 1:	/* params readable but not writable: fails after the ring exists */
		ro = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (ro != MAP_FAILED) {
			memcpy(ro, &p, sizeof(p));
			mprotect(ro, 4096, PROT_READ);
			s->arg.params = (uintptr_t)ro;
			ptr = "ro-params";
		} else {
			ro = NULL;
		}
		break;
	}
	p.flags = (p.flags | fz_setup_force) & ~fz_setup_drop;
	cmd = fz_ioc(r, 0, sizeof(s->arg), (char *)s, sizeof(*s), &how);
	fz_log("ring %d: SETUP fd %d entries %u flags %#x cq %u cpu %u idle %u wq_fd %d %s%s",
	       ring->idx, ring->fd, entries, p.flags, p.cq_entries,
	       p.sq_thread_cpu, p.sq_thread_idle, (int)p.wq_fd, ptr, how);
	fz_stat_inc(setups);
	ret = fz_ioctl(ring->fd, cmd, s, "SETUP");
	if (ro)
		munmap(ro, 4096);
	fz_log("ring %d: SETUP -> %d%s%s", ring->idx, ret,
	       ret < 0 ? " " : "", ret < 0 ? strerror(errno) : "");
	if (ret < 0)
		return ret;
	if (was_ready) {
		fz_fail("ring %d: a second SETUP on fd %d succeeded", ring->idx,
			ring->fd);
		return ret;
	}
	if (strcmp(ptr, "params") != 0)
		fz_fail("ring %d: SETUP with %s params succeeded", ring->idx, ptr);
	if (p.sq_entries == 0 || (p.sq_entries & (p.sq_entries - 1)) ||
	    p.cq_entries < p.sq_entries || (p.cq_entries & (p.cq_entries - 1)))
		fz_fail("ring %d: SETUP returned sq_entries %u cq_entries %u",
			ring->idx, p.sq_entries, p.cq_entries);
	ring->p = p;
	ring->slot_flags = calloc(p.sq_entries, 1);
	__atomic_store_n(&ring->ready, true, __ATOMIC_RELEASE);
	return 0;
}

static void *fz_mmap_region(struct fz_ring *ring, struct fz_rng *r,
			    uint64_t off, size_t len)
{
	int flags = MAP_SHARED;
	void *p;

	if (r && fz_chance(r, 1, 3))
		flags |= MAP_POPULATE;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, flags, ring->fd, off);
	fz_stat_inc(mmaps);
	return p == MAP_FAILED ? NULL : p;
}

int fz_ring_map(struct fz_ring *ring, struct fz_rng *r)
{
	const struct xuring_params *p = &ring->p;
	size_t sq_len = p->sq_off.array + p->sq_entries * 4;
	size_t cq_len = p->cq_off.cqes + p->cq_entries * sizeof(struct xuring_cqe);
	size_t sqe_len = p->sq_entries * sizeof(struct xuring_sqe);

	if (!ring->ready)
		return -1;
	fz_ring_unmap(ring, NULL);
	if (r && fz_chance(r, 1, 2)) {
		/* SINGLE_MMAP: one mapping covers both rings */
		size_t len = sq_len > cq_len ? sq_len : cq_len;

		ring->sq_map = fz_mmap_region(ring, r, fz_chance(r, 1, 2) ?
					      XURING_OFF_SQ_RING :
					      XURING_OFF_CQ_RING, len);
		ring->sq_len = len;
		ring->cq_map = ring->sq_map;
		ring->cq_len = 0;	/* shared: unmapped with sq_map */
	} else {
		ring->sq_map = fz_mmap_region(ring, r, XURING_OFF_SQ_RING, sq_len);
		ring->sq_len = sq_len;
		ring->cq_map = fz_mmap_region(ring, r, XURING_OFF_CQ_RING, cq_len);
		ring->cq_len = cq_len;
	}
	ring->sqe_map = fz_mmap_region(ring, r, XURING_OFF_SQES, sqe_len);
	ring->sqe_len = sqe_len;
	if (!ring->sq_map)
		ring->sq_len = 0;
	if (!ring->cq_map)
		ring->cq_len = 0;
	if (!ring->sqe_map)
		ring->sqe_len = 0;
	fz_log("ring %d: mmap sq %p cq %p sqes %p", ring->idx, ring->sq_map,
	       ring->cq_map, ring->sqe_map);
	if (ring->sq_map && !ring->tainted) {
		/* what SETUP said must be what the ring says */
		if (*FZ_AT(ring->sq_map, p->sq_off.ring_entries) != p->sq_entries ||
		    *FZ_AT(ring->sq_map, p->sq_off.ring_mask) != p->sq_entries - 1 ||
		    *FZ_AT(ring->sq_map, p->cq_off.ring_entries) != p->cq_entries ||
		    *FZ_AT(ring->sq_map, p->cq_off.ring_mask) != p->cq_entries - 1)
			fz_fail("ring %d: ring_entries/ring_mask in the ring differ from SETUP's",
				ring->idx);
	}
	return 0;
}

void fz_zombie_add(void *addr, size_t len)
{
	void *old = NULL;
	size_t oldlen = 0;

	pthread_mutex_lock(&fz_zombie_lock);
	if (fz_nr_zombies == ARRAY_SIZE(fz_zombies)) {
		old = fz_zombies[0].addr;
		oldlen = fz_zombies[0].len;
		memmove(&fz_zombies[0], &fz_zombies[1],
			sizeof(fz_zombies[0]) * (fz_nr_zombies - 1));
		fz_nr_zombies--;
	}
	fz_zombies[fz_nr_zombies].addr = addr;
	fz_zombies[fz_nr_zombies].len = len;
	fz_nr_zombies++;
	pthread_mutex_unlock(&fz_zombie_lock);
	if (old)
		munmap(old, oldlen);
}

/* Drop mappings of closed rings: the last one tears the ring down. */
void fz_zombies_reap(struct fz_rng *r, bool all)
{
	pthread_mutex_lock(&fz_zombie_lock);
	while (fz_nr_zombies) {
		unsigned int i = r ? fz_below(r, fz_nr_zombies) : 0;

		munmap(fz_zombies[i].addr, fz_zombies[i].len);
		fz_zombies[i] = fz_zombies[--fz_nr_zombies];
		if (!all)
			break;
	}
	pthread_mutex_unlock(&fz_zombie_lock);
}

/* munmap views; with @r some of them, as the dice say */
void fz_ring_unmap(struct fz_ring *ring, struct fz_rng *r)
{
	bool sq = !r || fz_chance(r, 2, 3), sqe = !r || fz_chance(r, 2, 3);
	bool cq = !r || fz_chance(r, 2, 3);

	if (ring->cq_map && ring->cq_map != ring->sq_map && cq) {
		munmap(ring->cq_map, ring->cq_len);
		ring->cq_map = NULL;
		ring->cq_len = 0;
	}
	if (ring->sq_map && sq) {
		munmap(ring->sq_map, ring->sq_len);
		if (ring->cq_map == ring->sq_map)
			ring->cq_map = NULL;
		ring->sq_map = NULL;
		ring->sq_len = 0;
	}
	if (ring->sqe_map && sqe) {
		munmap(ring->sqe_map, ring->sqe_len);
		ring->sqe_map = NULL;
		ring->sqe_len = 0;
	}
	if (r)
		fz_log("ring %d: munmap%s%s%s", ring->idx, sq ? " sq" : "",
		       cq ? " cq" : "", sqe ? " sqes" : "");
}

/* --------------------------------------------------------------- the SQ */

unsigned int fz_ring_pending(struct fz_ring *ring)
{
	return ring->sq_tail - ring->sq_head_seen;
}

/* Account for SQ slots the kernel consumed up to @head. Under sq_lock. */
static void fz_ring_consumed(struct fz_ring *ring, unsigned int head)
{
	const struct xuring_params *p = &ring->p;
	unsigned int done = head - ring->sq_head_seen;
	unsigned int pending = ring->sq_tail - ring->sq_head_seen;
	unsigned int i, dropped;

	if (ring->tainted) {
		ring->sq_head_seen = head;
		return;
	}
	if (done > pending) {
		fz_fail("ring %d: SQ head moved to %u, past our tail %u (head was %u)",
			ring->idx, head, ring->sq_tail, ring->sq_head_seen);
		fz_ring_taint(ring, TAINT_BAD_INDEX);
		return;
	}
	for (i = 0; i < done; i++) {
		unsigned int slot = (ring->sq_head_seen + i) & (p->sq_entries - 1);

		if (ring->slot_flags[slot] & FZ_SLOT_BAD)
			ring->dropped_consumed++;
		if (ring->slot_flags[slot] & FZ_SLOT_VFIXED)
			ring->vfixed_pending--;
		ring->slot_flags[slot] = 0;
	}
	ring->sq_head_seen = head;
	if (ring->dropped_unknown)
		return;
	dropped = fz_load_acquire(FZ_AT(ring->sq_map, p->sq_off.dropped));
	if (dropped < ring->dropped_consumed || dropped > ring->dropped_written)
		fz_fail("ring %d: sq dropped is %u, expected %llu..%llu",
			ring->idx, dropped,
			(unsigned long long)ring->dropped_consumed,
			(unsigned long long)ring->dropped_written);
}

/* Account for what the kernel consumed. Under sq_lock. */
void fz_ring_reap_sq(struct fz_ring *ring)
{
	if (ring->sq_map)
		fz_ring_consumed(ring, fz_load_acquire(FZ_AT(ring->sq_map,
							     ring->p.sq_off.head)));
}

/* a user_data no pending SQE has, nor the first @i of this batch */
static uint64_t fz_unique_user_data(struct fz_rng *r, struct fz_ring *ring,
				    unsigned int tail, unsigned int i)
{
	unsigned int mask = ring->p.sq_entries - 1;

	for (;;) {
		struct xuring_sqe *sqes = ring->sqe_map;
		unsigned int j;
		uint64_t ud;

		switch (fz_below(r, 4)) {
		case 0: ud = fz_below(r, 1 << 16); break;
		case 1: ud = fz_interesting(r, 64); break;
		default: ud = fz_rand(r); break;
		}
		if (fz_udset_find(&ring->outstanding, ud))
			continue;
		for (j = 0; j < i; j++)
			if (sqes[(tail + j) & mask].user_data == ud)
				break;
		if (j == i)
			return ud;
	}
}

unsigned int fz_ring_submit_batch(struct fz_ring *ring, struct fz_rng *r,
				  unsigned int max)
{
	const struct xuring_params *p = &ring->p;
	unsigned int mask = p->sq_entries - 1, head, space, n, i, tail;
	struct fz_sqe_info info[64];
	uint32_t *array;

	if (!ring->ready || !ring->sq_map || !ring->sqe_map)
		return 0;
	if (max > ARRAY_SIZE(info))
		max = ARRAY_SIZE(info);
	pthread_mutex_lock(&ring->sq_lock);
	head = fz_load_acquire(FZ_AT(ring->sq_map, p->sq_off.head));
	fz_ring_consumed(ring, head);
	space = p->sq_entries - (ring->sq_tail - ring->sq_head_seen);
	if (ring->tainted)	/* whatever our idea of the tail, resync */
		ring->sq_tail = *FZ_AT(ring->sq_map, p->sq_off.tail);
	n = max < space ? max : space;
	if (ring->outstanding.live > FZ_MAX_LIVE)
		n = 0;
	tail = ring->sq_tail;
	array = FZ_AT(ring->sq_map, p->sq_off.array);

	for (i = 0; i < n; i++) {
		struct xuring_sqe *sqe = (struct xuring_sqe *)ring->sqe_map +
					 ((tail + i) & mask);

		fz_gen_sqe(r, ring, sqe, &info[i]);
		/* too many pipe reads that may block: a NOP instead */
		if (info[i].blocking && ring->blocking >= 8) {
			memset(sqe, 0, sizeof(*sqe));
			info[i].blocking = false;
			info[i].max_res = 0;
			info[i].exact = -1;
			snprintf(info[i].desc, sizeof(info[i].desc),
				 "NOP (instead of a blocking read)");
		}
		sqe->user_data = fz_unique_user_data(r, ring, tail, i);
		if (info[i].blocking)
			ring->blocking++;
	}
	for (i = 0; i < n; i++) {
		unsigned int slot = (tail + i) & mask;
		uint32_t idx = slot;

		if (fz_chance(r, 1, 40) && i + 1 < n) {
			/* two slots, one SQE: two requests, one user_data */
			unsigned int k = fz_range(r, i, n - 1);

			if (!info[k].nodup)
				idx = (tail + k) & mask;
		} else if (fz_chance(r, 1, 60)) {
			idx = fz_chance(r, 1, 2) ? p->sq_entries +
			      (uint32_t)fz_below(r, 1000) : 0xffffffff;
		}
		array[slot] = idx;
		ring->slot_flags[slot] = 0;
		if (idx >= p->sq_entries) {
			ring->slot_flags[slot] = FZ_SLOT_BAD;
			ring->dropped_written++;
			fz_stat_inc(dropped);
			fz_log("ring %d: slot %u -> bad index %u", ring->idx,
			       tail + i, idx);
			continue;
		}
		{
			struct xuring_sqe *sqe = (struct xuring_sqe *)ring->sqe_map + idx;
			unsigned int k = (idx - tail) & mask;
			struct fz_ud u = {
				.user_data = sqe->user_data, .count = 1,
				.opcode = sqe->opcode, .flags = sqe->flags,
				.blocking = 0, .len = sqe->len,
				.max_res = info[k].max_res,
				.exact = info[k].exact,
				.vreq = info[k].vreq,
			};

			/* only the slot that owns the SQE counts its pipe read */
			if (k == i)
				u.blocking = info[k].blocking;
			if (u.vreq >= 0)
				fz_vreq_ref(u.vreq);
			if (info[k].vfixed) {
				ring->slot_flags[slot] |= FZ_SLOT_VFIXED;
				ring->vfixed_pending++;
			}
			fz_ud_add(ring, &u);
			fz_log("ring %d: sqe %u ud %#llx %s%s", ring->idx,
			       tail + i, (unsigned long long)sqe->user_data,
			       info[k].desc, k == i ? "" : " (again)");
		}
	}
	/* the generator's own reference: the SQ slots hold theirs now */
	for (i = 0; i < n; i++)
		if (info[i].vreq >= 0)
			fz_vreq_release(info[i].vreq);
	ring->sq_tail = tail + n;
	fz_store_release(FZ_AT(ring->sq_map, p->sq_off.tail), ring->sq_tail);
	pthread_mutex_unlock(&ring->sq_lock);
	__atomic_add_fetch(&fz_stats.sqes, n, __ATOMIC_RELAXED);
	return n;
}

/* An IO_DRAIN NOP of ours: its CQE says everything before it is done. */
static bool fz_ring_submit_marker(struct fz_ring *ring)
{
	static uint64_t seq;
	uint64_t ud;
	const struct xuring_params *p = &ring->p;
	unsigned int slot = ring->sq_tail & (p->sq_entries - 1);
	struct xuring_sqe *sqe = (struct xuring_sqe *)ring->sqe_map + slot;
	struct fz_ud u = {
		.count = 1, .opcode = XURING_OP_NOP,
		.flags = XURING_SQE_IO_DRAIN, .max_res = 0, .exact = 0,
		.vreq = -1, .marker = true,
	};

	if (ring->sq_tail - ring->sq_head_seen >= p->sq_entries)
		return false;
	/*
	 * The last SQE we published is linked: the marker would join its
	 * chain and might be cancelled without a CQE. A plain NOP (a request
	 * like any other) ends the chain first.
	 */
	if (ring->chain_open) {
		struct fz_ud nop = {
			.count = 1, .opcode = XURING_OP_NOP, .max_res = 0,
			.exact = -1, .vreq = -1,
		};

		do {
			nop.user_data = 0xd7a2000000000000ULL |
				__atomic_add_fetch(&seq, 1, __ATOMIC_RELAXED);
		} while (fz_udset_find(&ring->outstanding, nop.user_data));
		memset(sqe, 0, sizeof(*sqe));
		sqe->fd = -1;
		sqe->user_data = nop.user_data;
		FZ_AT(ring->sq_map, p->sq_off.array)[slot] = slot;
		ring->slot_flags[slot] = 0;
		fz_ud_add(ring, &nop);
		ring->sq_tail++;
		fz_store_release(FZ_AT(ring->sq_map, p->sq_off.tail),
				 ring->sq_tail);
		fz_stat_inc(sqes);
		/* the marker itself next time round: the SQ may hold one */
		return false;
	}
	do {
		ud = 0xd7a1000000000000ULL |
		     __atomic_add_fetch(&seq, 1, __ATOMIC_RELAXED);
	} while (fz_udset_find(&ring->outstanding, ud));
	u.user_data = ud;
	memset(sqe, 0, sizeof(*sqe));
	sqe->opcode = XURING_OP_NOP;
	sqe->flags = XURING_SQE_IO_DRAIN;
	sqe->fd = -1;
	sqe->user_data = ud;
	FZ_AT(ring->sq_map, p->sq_off.array)[slot] = slot;
	ring->slot_flags[slot] = 0;
	fz_ud_add(ring, &u);
	ring->sq_tail++;
	fz_store_release(FZ_AT(ring->sq_map, p->sq_off.tail), ring->sq_tail);
	fz_log("ring %d: drain marker ud %#llx", ring->idx,
	       (unsigned long long)ud);
	return true;
}

/* ---------------------------------------------------------------- ENTER */

struct fz_enter_scratch {
	struct xuring_enter_arg		arg;
	char				trail[64];
	struct xuring_getevents_arg	ext;
	uint64_t			sigmask[2];
	struct {
		int64_t	tv_sec;
		int64_t	tv_nsec;
	} ts;
};

int fz_ring_enter(struct fz_ring *ring, struct fz_rng *r)
{
	struct fz_enter_scratch *s = fz_scratch(sizeof(*s));
	unsigned int pending = ring->sq_tail - ring->sq_head_seen;
	uint64_t wd_bit = 1ULL << (FZ_WATCHDOG_SIG - 1);
	const char *how, *argdesc = "";
	char desc[96];
	unsigned long cmd;
	bool waits;
	int ret, fd = ring->fd;

	memset(s, 0, sizeof(*s));
	switch (fz_below(r, 10)) {
	case 0: s->arg.to_submit = 0; break;
	case 1: s->arg.to_submit = 1; break;
	case 2: s->arg.to_submit = pending + fz_range(r, 1, 8); break;
	case 3: s->arg.to_submit = (uint32_t)fz_interesting(r, 32); break;
	default: s->arg.to_submit = pending; break;
	}
	if (fz_chance(r, 1, 2))
		s->arg.flags |= XURING_ENTER_GETEVENTS;
	if (fz_chance(r, 1, 5))
		s->arg.flags |= XURING_ENTER_SQ_WAKEUP;
	if (fz_chance(r, 1, 12))
		s->arg.flags |= XURING_ENTER_SQ_WAIT;
	if (fz_chance(r, 1, 3))
		s->arg.flags |= XURING_ENTER_EXT_ARG;
	if (fz_chance(r, 1, 50))
		s->arg.flags |= XURING_ENTER_REGISTERED_RING;
	if (fz_chance(r, 1, 60))
		s->arg.flags |= (uint32_t)fz_rand(r);
	if (fz_chance(r, 1, 60))
		s->arg.resv = (uint32_t)fz_rand(r) | 1;
	switch (fz_below(r, 8)) {
	case 0: case 1: case 2: s->arg.min_complete = 0; break;
	case 3: s->arg.min_complete = (uint32_t)fz_interesting(r, 32); break;
	default: s->arg.min_complete = fz_range(r, 1, 4); break;
	}

	if (s->arg.flags & XURING_ENTER_EXT_ARG) {
		s->arg.arg = (uintptr_t)&s->ext;
		s->arg.argsz = sizeof(s->ext);
		switch (fz_below(r, 12)) {
		case 0: s->arg.arg = fz_bad_ptr(r, &argdesc); break;
		case 1: s->arg.argsz = fz_below(r, 64); break;
		case 2: s->ext.pad = 1; break;
		}
		/* a timeout, almost always: a wait must never be long */
		s->ts.tv_sec = 0;
		s->ts.tv_nsec = fz_below(r, 3000000);
		s->ext.ts = (uintptr_t)&s->ts;
		switch (fz_below(r, 20)) {
		case 0: s->ext.ts = 0; break;		/* the watchdog ends it */
		case 1: s->ts.tv_nsec = 1000000000; break;
		case 2: s->ts.tv_sec = -1; break;
		case 3: s->ext.ts = fz_bad_ptr(r, &argdesc); break;
		}
		if (fz_chance(r, 1, 3)) {
			s->sigmask[0] = fz_rand(r) & ~wd_bit;
			s->ext.sigmask = (uintptr_t)s->sigmask;
			s->ext.sigmask_sz = 8;
			if (fz_chance(r, 1, 6))
				s->ext.sigmask_sz = (uint32_t)fz_interesting(r, 32);
			if (fz_chance(r, 1, 8))
				s->ext.sigmask = fz_bad_ptr(r, &argdesc);
		}
	} else if (fz_chance(r, 1, 4)) {
		/* the plain form: arg is a signal mask */
		s->sigmask[0] = fz_rand(r) & ~wd_bit;
		s->arg.arg = (uintptr_t)s->sigmask;
		s->arg.argsz = 8;
		if (fz_chance(r, 1, 5))
			s->arg.argsz = fz_below(r, 200);
		if (fz_chance(r, 1, 6))
			s->arg.arg = fz_bad_ptr(r, &argdesc);
	} else if (s->arg.min_complete && fz_chance(r, 9, 10)) {
		/* no timeout given: wait for nothing instead */
		s->arg.min_complete = 0;
	}
	waits = s->arg.flags & (XURING_ENTER_GETEVENTS | XURING_ENTER_SQ_WAIT);

	cmd = fz_ioc(r, 1, sizeof(s->arg), (char *)s, sizeof(s->arg) + sizeof(s->trail), &how);
	snprintf(desc, sizeof(desc), "ENTER ring %d", ring->idx);
	fz_log("ring %d: ENTER fd %d submit %u (pending %u) min %u flags %#x argsz %llu%s%s%s",
	       ring->idx, fd, s->arg.to_submit, pending, s->arg.min_complete,
	       s->arg.flags, (unsigned long long)s->arg.argsz,
	       argdesc[0] ? " bad " : "", argdesc, how);
	fz_stat_inc(enters);
	if (waits)
		fz_watchdog_arm(fz_cfg.watchdog_ms);
	ret = fz_ioctl(fd, cmd, s, desc);
	if (waits)
		fz_watchdog_disarm();
	fz_log("ring %d: ENTER -> %d%s%s", ring->idx, ret, ret < 0 ? " " : "",
	       ret < 0 ? strerror(errno) : "");
	if (ret > 0 && (unsigned int)ret > s->arg.to_submit)
		fz_fail("ring %d: ENTER submitted %d of %u", ring->idx, ret,
			s->arg.to_submit);
	if (ret > 0 && !(ring->p.flags & XURING_SETUP_SQPOLL) &&
	    (unsigned int)ret > ring->p.sq_entries)
		fz_fail("ring %d: ENTER consumed %d SQEs from a ring of %u",
			ring->idx, ret, ring->p.sq_entries);
	/* alone, nobody adds SQEs behind our back */
	if (ret > 0 && !(ring->p.flags & XURING_SETUP_SQPOLL) &&
	    fz_cfg.threads == 1 && !ring->tainted && (unsigned int)ret > pending)
		fz_fail("ring %d: ENTER consumed %d SQEs, %u were queued",
			ring->idx, ret, pending);
	return ret;
}

/* ---------------------------------------------------------------- the CQ */

static bool fz_res_internal(int32_t res)
{
	/* ERESTARTSYS..EIOCBQUEUED and friends must never reach user space */
	return res <= -512 && res >= -535;
}

void fz_check_cqe(struct fz_ring *ring, const struct xuring_cqe *cqe)
{
	struct fz_ud *u;
	uint64_t ud = cqe->user_data;
	int32_t res = cqe->res;
	uint8_t op;

	fz_stat_inc(cqes);
	/*
	 * What holds for every CQE the kernel wrote, tainted ring or not.
	 * After a scribble of an unreaped CQE (the ring is tainted then),
	 * this one may hold our words.
	 */
	if (!ring->cqe_scribbled && (fz_res_internal(res) || res < -4095))
		fz_fail("ring %d: CQE ud %#llx res %d is a kernel-internal error code",
			ring->idx, (unsigned long long)ud, res);
	if (!ring->cqe_scribbled && cqe->flags)
		fz_fail("ring %d: CQE ud %#llx res %d has flags %#x (xuring sets none)",
			ring->idx, (unsigned long long)ud, res, cqe->flags);
	u = fz_udset_find(&ring->outstanding, ud);
	if (!u) {
		if (ring->tainted) {
			fz_stat_inc(cqes_unchecked);
			return;
		}
		fz_fail("ring %d: CQE user_data %#llx res %d flags %#x was never submitted, or came twice",
			ring->idx, (unsigned long long)ud, res, cqe->flags);
		return;
	}
	if (u->marker) {
		if (res != 0 && !ring->cqe_scribbled)
			fz_fail("ring %d: our drain NOP ud %#llx completed with %d",
				ring->idx, (unsigned long long)ud, res);
		ring->marker_seen = true;
		fz_stat_inc(markers);
		fz_ud_take(ring, u);
		return;
	}
	if (ring->tainted) {
		/* the SQE may not be the one we wrote: no verdict on it */
		fz_stat_inc(cqes_unchecked);
		if (u->vreq >= 0)
			fz_vreq_complete(ring, ud, u->vreq, res, false);
		if (u->blocking && ring->blocking)
			ring->blocking--;
		fz_ud_take(ring, u);
		return;
	}
	fz_stat_inc(cqes_checked);
	op = u->opcode;
	if (op >= XURING_OP_LAST && res != -EINVAL)
		fz_fail("ring %d: CQE ud %#llx opcode %u res %d, expected -EINVAL",
			ring->idx, (unsigned long long)ud, op, res);
	/* core.c: an op outside the allowed_ops parameter, and only that */
	if (res == -EACCES && !fz_op_denied(op))
		fz_fail("ring %d: CQE ud %#llx op %s res -EACCES, but allowed_ops allows it",
			ring->idx, (unsigned long long)ud, fz_op_name(op));
	if (res == -EACCES && fz_op_denied(op))
		fz_stat_inc(denied);
	if (res >= 0 && fz_op_denied(op))
		fz_fail("ring %d: CQE ud %#llx op %s res %d, but allowed_ops denies it (-EACCES)",
			ring->idx, (unsigned long long)ud, fz_op_name(op), res);
	if (res >= 0 && u->max_res < 0)
		fz_fail("ring %d: CQE ud %#llx op %u res %d: the request cannot succeed (a bad iovec, a kernel address, a write to a read-only file)",
			ring->idx, (unsigned long long)ud, op, res);
	else if (res > u->max_res)
		fz_fail("ring %d: CQE ud %#llx op %u res %d for a request of at most %lld bytes",
			ring->idx, (unsigned long long)ud, op, res,
			(long long)u->max_res);
	else if (res >= 0 && u->exact >= 0 && res != u->exact)
		fz_fail("ring %d: CQE ud %#llx op %u res %d, expected %lld (/dev/null or /dev/zero)",
			ring->idx, (unsigned long long)ud, op, res,
			(long long)u->exact);
	else if (res >= 0 && u->exact >= 0)
		fz_stat_inc(exact_results);
	switch (op) {
	case XURING_OP_READ: case XURING_OP_WRITE:
	case XURING_OP_READ_FIXED: case XURING_OP_WRITE_FIXED:
		if (res > 0 && (uint32_t)res > u->len)
			fz_fail("ring %d: CQE ud %#llx op %u res %d for a length of %u",
				ring->idx, (unsigned long long)ud, op, res, u->len);
		if ((u->flags & XURING_SQE_CQE_SKIP_SUCCESS) && res >= 0 &&
		    (uint32_t)res == u->len && !(u->flags & ~0x7f))
			fz_fail("ring %d: CQE ud %#llx op %u res %d posted for a CQE_SKIP_SUCCESS request that succeeded",
				ring->idx, (unsigned long long)ud, op, res);
		break;
	case XURING_OP_NOP:
		if (res > 0)
			fz_fail("ring %d: NOP ud %#llx res %d", ring->idx,
				(unsigned long long)ud, res);
		if ((u->flags & XURING_SQE_CQE_SKIP_SUCCESS) && res == 0 &&
		    !(u->flags & ~0x7f))
			fz_fail("ring %d: NOP ud %#llx with CQE_SKIP_SUCCESS posted a CQE with res 0",
				ring->idx, (unsigned long long)ud);
		break;
	case XURING_OP_FSYNC: case XURING_OP_SYNC_FILE_RANGE:
	case XURING_OP_FALLOCATE: case XURING_OP_FADVISE:
		if (res > 0)
			fz_fail("ring %d: CQE ud %#llx op %u res %d > 0",
				ring->idx, (unsigned long long)ud, op, res);
		break;
	case XURING_OP_READV: case XURING_OP_WRITEV:
		/*
		 * max_res holds what the iovecs add up to; anything shorter
		 * is a failure that posts its CQE, as in io_uring
		 */
		if ((u->flags & XURING_SQE_CQE_SKIP_SUCCESS) && res >= 0 &&
		    u->max_res != INT64_MAX && res == u->max_res &&
		    !(u->flags & ~0x7f))
			fz_fail("ring %d: CQE ud %#llx op %u res %d posted for a CQE_SKIP_SUCCESS request that succeeded",
				ring->idx, (unsigned long long)ud, op, res);
		break;
	default:
		if (op < XURING_OP_LAST && res != -EOPNOTSUPP && res != -EINVAL)
			fz_fail("ring %d: CQE ud %#llx unimplemented opcode %u res %d",
				ring->idx, (unsigned long long)ud, op, res);
		break;
	}
	if (u->vreq >= 0)
		fz_vreq_complete(ring, ud, u->vreq, res, false);
	if (u->blocking && ring->blocking)
		ring->blocking--;
	fz_ud_take(ring, u);
}

/* Take up to @want CQEs (all with -1). Under sq_lock. */
static unsigned int fz_ring_reap_locked(struct fz_ring *ring, int64_t want)
{
	const struct xuring_params *p = &ring->p;
	unsigned int tail, head, n, i;
	struct xuring_cqe *cqes;

	if (ring->sq_map)
		fz_ring_consumed(ring, fz_load_acquire(FZ_AT(ring->sq_map,
							     p->sq_off.head)));
	tail = fz_load_acquire(FZ_AT(ring->cq_map, p->cq_off.tail));
	head = ring->cq_head;
	n = tail - head;
	if (n > p->cq_entries) {
		if (!ring->tainted)
			fz_fail("ring %d: CQ tail %u is %u ahead of our head %u, more than the %u entries",
				ring->idx, tail, n, head, p->cq_entries);
		fz_ring_taint(ring, TAINT_BAD_INDEX);
		ring->cq_head = tail;
		fz_store_release(FZ_AT(ring->cq_map, p->cq_off.head), tail);
		return 0;
	}
	if (want >= 0 && want < n)
		n = want;
	cqes = (struct xuring_cqe *)((char *)ring->cq_map + p->cq_off.cqes);
	for (i = 0; i < n; i++) {
		const struct xuring_cqe *cqe = &cqes[(head + i) & (p->cq_entries - 1)];

		if (i < 4 || fz_cfg.verbose)
			fz_log("ring %d: cqe ud %#llx res %d flags %#x", ring->idx,
			       (unsigned long long)cqe->user_data, cqe->res,
			       cqe->flags);
		fz_check_cqe(ring, cqe);
	}
	if (n > 4 && !fz_cfg.verbose)
		fz_log("ring %d: ... %u CQEs reaped in all", ring->idx, n);
	ring->cq_head = head + n;
	fz_store_release(FZ_AT(ring->cq_map, p->cq_off.head), ring->cq_head);
	return n;
}

void fz_ring_reap(struct fz_ring *ring, struct fz_rng *r)
{
	const struct xuring_params *p = &ring->p;
	unsigned int avail;

	if (!ring->ready || !ring->cq_map)
		return;
	pthread_mutex_lock(&ring->sq_lock);
	avail = fz_load_acquire(FZ_AT(ring->cq_map, p->cq_off.tail)) -
		ring->cq_head;
	if (avail > p->cq_entries)
		avail = p->cq_entries;
	fz_ring_reap_locked(ring, fz_chance(r, 3, 4) ? avail :
			    fz_below(r, avail + 1));
	pthread_mutex_unlock(&ring->sq_lock);
}

/* ------------------------------------------------------------ scribbles */

/*
 * Write junk where the kernel or we keep ring state, let the kernel look
 * (an ENTER), and undo it where that can be done: the kernel must never
 * trust what it does not own. Kernel-owned words (SQ head, CQ tail,
 * masks) are put back unless the kernel wrote them meanwhile; the SQ tail
 * and CQ head move backwards only, which loses nothing. Forward moves,
 * and writes to pending SQEs or unreaped CQEs, cannot be undone and taint
 * the ring.
 */
static void fz_scribble_enter(struct fz_ring *ring, unsigned int to_submit)
{
	struct xuring_enter_arg arg = {
		.to_submit = to_submit,
		.flags = XURING_ENTER_GETEVENTS,
	};

	fz_ioctl(ring->fd, XURING_IOC_ENTER, &arg, "ENTER (scribble)");
}

void fz_ring_scribble(struct fz_ring *ring, struct fz_rng *r)
{
	const struct xuring_params *p = &ring->p;
	static const char *const what[] = {
		"sq head", "sq tail", "cq head", "cq tail", "sq flags",
		"dropped", "array", "cqe", "sqe", "cq flags", "masks",
	};
	unsigned int k = fz_below(r, ARRAY_SIZE(what));
	uint32_t v = (uint32_t)fz_interesting(r, 32), old, *word = NULL;
	bool forward = fz_chance(r, 1, 4), restore = false;
	unsigned int pending, reaped, i;

	if (!ring->sq_map || !ring->sqe_map || !ring->cq_map)
		return;
	pthread_mutex_lock(&ring->sq_lock);
	fz_ring_consumed(ring, fz_load_acquire(FZ_AT(ring->sq_map,
						     p->sq_off.head)));
	pending = ring->sq_tail - ring->sq_head_seen;
	reaped = fz_load_acquire(FZ_AT(ring->cq_map, p->cq_off.tail)) -
		 ring->cq_head;
	switch (k) {
	case 0: word = FZ_AT(ring->sq_map, p->sq_off.head); restore = true; break;
	case 3: word = FZ_AT(ring->cq_map, p->cq_off.tail); restore = true; break;
	case 10:
		word = FZ_AT(ring->sq_map, fz_chance(r, 1, 2) ?
			     p->sq_off.ring_mask : p->cq_off.ring_entries);
		restore = true;
		break;
	case 4: word = FZ_AT(ring->sq_map, p->sq_off.flags); break;
	case 9: word = FZ_AT(ring->cq_map, p->cq_off.flags); break;
	case 5:
		/* the kernel adds to it, as io_uring does: stop checking it */
		word = FZ_AT(ring->sq_map, p->sq_off.dropped);
		ring->dropped_unknown = true;
		break;
	case 1:
		word = FZ_AT(ring->sq_map, p->sq_off.tail);
		if (forward && !ring->tainted) {
			fz_ring_taint(ring, TAINT_SQ_TAIL);
			/* mostly into the stale SQEs, now and then anywhere */
			if (fz_chance(r, 3, 4))
				v = ring->sq_tail + fz_range(r, 1, p->sq_entries);
		} else {
			/* back, not behind the kernel's head: submits fewer */
			v = ring->sq_tail - fz_below(r, pending + 1);
			restore = true;
		}
		break;
	case 2:
		word = FZ_AT(ring->cq_map, p->cq_off.head);
		if (forward && !ring->tainted) {
			fz_ring_taint(ring, TAINT_CQ_HEAD);
		} else {
			/* back: the kernel sees less room, overflows sooner */
			v = ring->cq_head - fz_below(r, p->cq_entries - reaped + 1);
			restore = true;
		}
		break;
	case 6:	/* an SQ slot: a pending one taints, a free one is rewritten */
		if (forward && pending) {
			i = ring->sq_head_seen + fz_below(r, pending);
			fz_ring_taint(ring, TAINT_SQE);
		} else if (pending < p->sq_entries) {
			i = ring->sq_tail + fz_below(r, p->sq_entries - pending);
		} else {
			break;
		}
		word = &FZ_AT(ring->sq_map, p->sq_off.array)[i & (p->sq_entries - 1)];
		break;
	case 7:	/* a CQE: an unreaped one taints */
		if (forward && reaped) {
			i = ring->cq_head + fz_below(r, reaped);
			fz_ring_taint(ring, TAINT_CQE);
		} else if (reaped < p->cq_entries) {
			/*
			 * The last free slot: the kernel, which may post a
			 * CQE any moment, is least likely to get there first
			 * (if it did, the CQE is gone: see below).
			 */
			i = ring->cq_head + p->cq_entries - 1;
		} else {
			break;	/* no free CQE slot */
		}
		word = (uint32_t *)((char *)ring->cq_map + p->cq_off.cqes) +
		       4 * (i & (p->cq_entries - 1)) + fz_below(r, 4);
		break;
	case 8:	/* an SQE: a pending one taints */
		if (forward && pending) {
			i = FZ_AT(ring->sq_map, p->sq_off.array)
				[(ring->sq_head_seen + fz_below(r, pending)) &
				 (p->sq_entries - 1)];
			fz_ring_taint(ring, TAINT_SQE);
		} else if (pending < p->sq_entries) {
			i = ring->sq_tail + fz_below(r, p->sq_entries - pending);
		} else {
			break;
		}
		word = (uint32_t *)ring->sqe_map +
		       16 * (i & (p->sq_entries - 1)) + fz_below(r, 16);
		break;
	}
	if (!word) {
		pthread_mutex_unlock(&ring->sq_lock);
		return;
	}
	old = *word;
	fz_log("ring %d: scribble %s = %#x (was %#x)%s", ring->idx, what[k], v,
	       old, restore ? ", put back after an ENTER" : "");
	__atomic_store_n(word, v, __ATOMIC_SEQ_CST);
	/* a free CQE slot the kernel filled meanwhile: that CQE is junk now */
	if (k == 7 && !ring->tainted &&
	    (int)(fz_load_acquire(FZ_AT(ring->cq_map, p->cq_off.tail)) -
		  ring->cq_head) >= (int)p->cq_entries)
		fz_ring_taint(ring, TAINT_CQE);
	if (restore) {
		fz_scribble_enter(ring, fz_below(r, pending + 1));
		/* a kernel-owned word the kernel rewrote stays as it is */
		if (k == 1 || k == 2)
			__atomic_store_n(word, old, __ATOMIC_SEQ_CST);
		else
			__atomic_compare_exchange_n(word, &v, old, false,
						    __ATOMIC_SEQ_CST,
						    __ATOMIC_SEQ_CST);
	}
	pthread_mutex_unlock(&ring->sq_lock);
}

/* --------------------------------------------------------- exactly once */

/*
 * Poll the other IOPOLL rings (those this thread may enter) once: their
 * completed polled requests hold device tags until somebody polls, and a
 * polled request of the ring being quiesced may be waiting for one.
 */
static void fz_poll_other_rings(struct fz_ring *self)
{
	unsigned int i;

	for (i = 0; i < FZ_NR_RINGS; i++) {
		struct fz_ring *ring = &fz_rings[i];
		struct xuring_enter_arg arg = {
			.flags = XURING_ENTER_GETEVENTS,
		};

		if (ring == self || pthread_rwlock_tryrdlock(&ring->lock))
			continue;
		if (ring->ready && (ring->p.flags & XURING_SETUP_IOPOLL) &&
		    !(ring->p.flags & XURING_SETUP_SQPOLL)) {
			fz_ioctl(ring->fd, XURING_IOC_ENTER, &arg,
				 "ENTER (poll for another ring)");
			pthread_mutex_lock(&ring->sq_lock);
			if (ring->cq_map)
				fz_ring_reap_locked(ring, -1);
			pthread_mutex_unlock(&ring->sq_lock);
		}
		pthread_rwlock_unlock(&ring->lock);
	}
}

/* The ENTER the quiesce loop uses: submit what is queued, wait 20 ms. */
static int fz_quiesce_enter(struct fz_ring *ring, unsigned int to_submit)
{
	struct {
		int64_t sec, nsec;
	} ts = { 0, 20000000 };
	struct xuring_getevents_arg ext = { .ts = (uintptr_t)&ts };
	struct xuring_enter_arg arg = {
		.to_submit = to_submit,
		.min_complete = 1,
		.flags = XURING_ENTER_GETEVENTS | XURING_ENTER_EXT_ARG,
		.arg = (uintptr_t)&ext,
		.argsz = sizeof(ext),
	};

	if (ring->p.flags & XURING_SETUP_SQPOLL)
		arg.flags |= XURING_ENTER_SQ_WAKEUP;
	return fz_ioctl(ring->fd, XURING_IOC_ENTER, &arg, "ENTER (quiesce)");
}

/*
 * SQ slots nobody will submit (the ring refuses our ENTER): their requests
 * will never have a CQE.
 */
static void fz_ring_write_off_queue(struct fz_ring *ring)
{
	const struct xuring_params *p = &ring->p;
	unsigned int mask = p->sq_entries - 1, i;

	for (i = ring->sq_head_seen; i != ring->sq_tail; i++) {
		uint32_t idx = FZ_AT(ring->sq_map, p->sq_off.array)[i & mask];
		struct fz_ud *u;

		if (ring->slot_flags[i & mask] & FZ_SLOT_BAD)
			continue;
		u = fz_udset_find(&ring->outstanding,
				  ((struct xuring_sqe *)ring->sqe_map)[idx & mask].user_data);
		if (!u)
			continue;
		if (!u->marker)
			fz_stat_inc(abandoned[ABANDON_NO_ENTER]);
		if (u->vreq >= 0)
			fz_vreq_abandon(u->vreq);
		fz_ud_take(ring, u);
	}
}

/* The drain marker came: the CQE_SKIP_SUCCESS requests left succeeded. */
static void fz_ring_confirm_silent(struct fz_ring *ring)
{
	struct fz_udset *set = &ring->outstanding;
	uint32_t i;

	for (i = 0; i < set->cap; i++) {
		struct fz_ud *u = &set->slots[i];

		while (u->count && u->silent) {
			fz_stat_inc(silent);
			/* -EACCES is a failure: it posts its CQE */
			if (!(u->silent & FZ_UD_CARRIED) &&
			    fz_op_denied(u->opcode))
				fz_fail("ring %d: ud %#llx op %s, which allowed_ops denies, ended without a CQE (a silent success)",
					ring->idx,
					(unsigned long long)u->user_data,
					fz_op_name(u->opcode));
			/* a silent success left its data; a silent cancel none */
			if (u->vreq >= 0 && !(u->silent & FZ_UD_CARRIED))
				fz_vreq_complete(ring, u->user_data, u->vreq,
						 0, true);
			else if (u->vreq >= 0)
				fz_vreq_release(u->vreq);
			fz_ud_take(ring, u);
			/* the take may have shifted another entry here */
		}
	}
}

static void fz_ring_report_missing(struct fz_ring *ring, double waited)
{
	struct fz_udset *set = &ring->outstanding;
	char list[400];
	uint32_t i;
	int n = 0, shown = 0;

	list[0] = 0;
	for (i = 0; i < set->cap && shown < 6; i++) {
		const struct fz_ud *u = &set->slots[i];

		if (!u->count)
			continue;
		n += snprintf(list + n, sizeof(list) - n,
			      "%s ud %#llx op %u flags %#x%s", shown ? "," : "",
			      (unsigned long long)u->user_data, u->opcode,
			      u->flags, u->marker ? " (our drain marker)" : "");
		shown++;
		if (n >= (int)sizeof(list))
			break;
	}
	fz_fail("ring %d (flags %#x): lost completion: %u requests have no CQE %.1f s after every SQE was submitted and every pipe unblocked:%s%s",
		ring->idx, ring->p.flags, set->live, waited, list,
		set->live > (unsigned int)shown ? ", ..." : "");
	/* what we know of them: their SQEs, in the op log */
	printf("FUZZ: the missing requests in the op log:\n");
	for (i = 0, shown = 0; i < set->cap && shown < 6; i++) {
		char needle[64];

		if (!set->slots[i].count)
			continue;
		snprintf(needle, sizeof(needle), "ud %#llx ",
			 (unsigned long long)set->slots[i].user_data);
		fz_print_log_matching(needle);
		shown++;
	}
	/* the other rings: an IOPOLL one nobody polls holds device tags */
	for (i = 0; i < FZ_NR_RINGS; i++)
		if (fz_rings[i].ready)
			printf("FUZZ: ring %d: flags %#x, creator tid %d, %u requests outstanding%s\n",
			       fz_rings[i].idx, fz_rings[i].p.flags,
			       (int)fz_rings[i].creator_tid,
			       fz_rings[i].outstanding.live,
			       &fz_rings[i] == ring ? " (this one)" : "");
	fz_dump_ring_state(ring->fd);
}

/*
 * Every request of the ring must post its CQE: submit what is queued,
 * unblock pipes and sockets, wait. Under ring->lock held for writing.
 */
static void fz_ring_quiesce(struct fz_ring *ring)
{
	uint64_t start = fz_now_ns(), deadline, grace = 0;
	bool enterable = true, marker_sent = false, queue_gone = false;
	bool sqpoll = ring->p.flags & XURING_SETUP_SQPOLL;
	unsigned int last_head = 0;

	if (!ring->ready)
		return;
	if (ring->tainted) {
		fz_ring_abandon_all(ring, ABANDON_TAINTED);
		return;
	}
	if (!ring->outstanding.live && ring->sq_tail == ring->sq_head_seen) {
		fz_stat_inc(quiesced);
		return;
	}
	if (!ring->sq_map || !ring->cq_map || !ring->sqe_map)
		fz_ring_map(ring, NULL);
	if (!ring->sq_map || !ring->cq_map || !ring->sqe_map) {
		/* an O_RDONLY ring fd maps nothing writable (EACCES) */
		if (errno != EACCES)
			fz_fail("ring %d: mmap of a set-up ring failed: %s",
				ring->idx, strerror(errno));
		fz_ring_abandon_all(ring, ABANDON_NO_REAP);
		return;
	}
	deadline = start + (uint64_t)(fz_cfg.complete_timeout * 1e9);
	ring->marker_seen = false;
	for (;;) {
		unsigned int pending, head, flags;
		int ret;

		pthread_mutex_lock(&ring->sq_lock);
		fz_ring_reap_locked(ring, -1);
		if (ring->marker_seen)
			fz_ring_confirm_silent(ring);
		pending = fz_ring_pending(ring);
		head = ring->sq_head_seen;
		flags = FZ_RING_U32(ring->sq_map, ring->p.sq_off.flags);
		/*
		 * Queued SQEs nobody will submit: without ENTER, only an SQ
		 * thread that is awake takes them, and once it has said it
		 * sleeps (NEED_WAKEUP) and the head stands still, it is not.
		 */
		if (!enterable && pending && !queue_gone &&
		    (!sqpoll || (fz_now_ns() > grace && head == last_head &&
				 (flags & XURING_SQ_NEED_WAKEUP)))) {
			fz_ring_write_off_queue(ring);
			queue_gone = true;
		}
		last_head = head;
		pending = queue_gone ? 0 : fz_ring_pending(ring);
		if (!ring->outstanding.live && !pending) {
			pthread_mutex_unlock(&ring->sq_lock);
			break;
		}
		/* only silent candidates left: a drain NOP finds out */
		if (enterable && !marker_sent && !pending &&
		    ring->outstanding.live == ring->skip_live)
			marker_sent = fz_ring_submit_marker(ring);
		pending = queue_gone ? 0 : fz_ring_pending(ring);
		pthread_mutex_unlock(&ring->sq_lock);
		if (ring->tainted || fz_stopping_bad()) {
			fz_ring_abandon_all(ring, ring->tainted ?
					    ABANDON_TAINTED : ABANDON_CLOSE);
			return;
		}

		fz_pipes_pump(NULL, true);
		fz_pipes_drain();
		fz_children_reap(false);
		fz_poll_other_rings(ring);
		if (enterable) {
			ret = fz_quiesce_enter(ring, pending);
			if (ret < 0 && (errno == EEXIST || errno == EOWNERDEAD)) {
				if (errno == EOWNERDEAD)
					fz_fail("ring %d: ENTER says EOWNERDEAD, but its owner (this process) lives",
						ring->idx);
				fz_log("ring %d: ENTER refused (%s): reaping from memory only",
				       ring->idx, strerror(errno));
				enterable = false;
				grace = fz_now_ns() + 2000000000ULL;
			}
		} else {
			usleep(5000);
			/*
			 * Without ENTER nothing polls IOPOLL requests (unless
			 * an SQ thread does), flushes the overflow list or,
			 * without an SQ thread, confirms a silent success.
			 */
			if (fz_now_ns() > grace && !pending &&
			    (((ring->p.flags & XURING_SETUP_IOPOLL) && !sqpoll) ||
			     (flags & XURING_SQ_CQ_OVERFLOW) ||
			     ring->outstanding.live == ring->skip_live)) {
				fz_ring_abandon_all(ring, ABANDON_NO_REAP);
				return;
			}
		}
		if (fz_now_ns() > deadline) {
			fz_ring_report_missing(ring, (fz_now_ns() - start) / 1e9);
			fz_ring_abandon_all(ring, ABANDON_CLOSE);
			return;
		}
	}
	fz_stat_inc(quiesced);
}

void fz_ring_close(struct fz_ring *ring, struct fz_rng *r, bool checked)
{
	unsigned int how = r ? fz_below(r, 3) : 0;
	uint64_t start = fz_now_ns();

	if (checked)
		fz_ring_quiesce(ring);
	fz_stat_add(quiesce_ns, fz_now_ns() - start);
	start = fz_now_ns();
	__atomic_store_n(&ring->ready, false, __ATOMIC_RELEASE);
	fz_log("ring %d: close fd %d (%s, %s), %u CQEs outstanding", ring->idx,
	       ring->fd, checked ? "every CQE in" : "abrupt",
	       how == 0 ? "unmap first" : how == 1 ?
	       "unmap after" : "mappings outlive the fd",
	       ring->outstanding.live);
	fz_ring_abandon_all(ring, ring->tainted ? ABANDON_TAINTED :
			    ABANDON_CLOSE);
	fz_stat_inc(closes);
	if (how == 0)
		fz_ring_unmap(ring, NULL);
	if (ring->fd >= 0)
		close(ring->fd);
	ring->fd = -1;
	if (how == 2) {
		/* the ring lives on until these go */
		if (ring->sq_map)
			fz_zombie_add(ring->sq_map, ring->sq_len);
		if (ring->cq_map && ring->cq_map != ring->sq_map)
			fz_zombie_add(ring->cq_map, ring->cq_len);
		if (ring->sqe_map)
			fz_zombie_add(ring->sqe_map, ring->sqe_len);
		ring->sq_map = ring->cq_map = ring->sqe_map = NULL;
		ring->sq_len = ring->cq_len = ring->sqe_len = 0;
	}
	fz_ring_unmap(ring, NULL);
	fz_ring_reset_shadow(ring);
	fz_stat_add(teardown_ns, fz_now_ns() - start);
}
