// SPDX-License-Identifier: GPL-2.0
/*
 * The world the SQEs point at: a pool of fds of every kind (regular files
 * on tmpfs and ext4, pipes, /dev/null, sockets, block devices, closed
 * numbers) and memory areas of every kind (read-write, read-only, no
 * access, shared, file-backed, THP, one that gets remapped), each between
 * PROT_NONE guard pages so that a huge length stops at the end of its area
 * and never reaches the fuzzer's own memory.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "fuzz.h"

struct fz_world fz_world = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
};

const char *const fz_fd_kind_names[FD_NR_KINDS] = {
	[FD_REG] = "reg", [FD_REG_RO] = "reg-ro", [FD_REG_APPEND] = "reg-append",
	[FD_REG_DIRECT] = "reg-direct", [FD_PIPE_R] = "pipe-r",
	[FD_PIPE_W] = "pipe-w", [FD_PIPE_NB_R] = "pipe-nb-r",
	[FD_PIPE_NB_W] = "pipe-nb-w", [FD_DEVNULL] = "null",
	[FD_DEVZERO] = "zero", [FD_SOCK] = "sock", [FD_DIR] = "dir",
	[FD_BLK] = "blk", [FD_EVENTFD] = "eventfd", [FD_RINGDUP] = "ringdup",
	[FD_CLOSED] = "closed", [FD_PATTERN] = "pattern",
};

#define PAGE		4096UL
#define MIB		(1024UL * 1024)

static int fz_open_file(int flags, bool direct)
{
	const char *dir = direct ? fz_world.ext4dir : fz_world.tmpdir;
	char path[1024];
	int fd;

	if (!dir[0])
		return -1;
	/* a handful of names, so files are shared between slots */
	snprintf(path, sizeof(path), "%s/xuring-fuzz.%d.%u", dir, (int)getpid(),
		 fz_world.file_seq++ % 4);
	fd = open(path, flags | O_CREAT | O_CLOEXEC | (direct ? O_DIRECT : 0),
		  0600);
	if (fd < 0 && (flags & O_ACCMODE) == O_RDONLY) {
		fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
		if (fd >= 0) {
			close(fd);
			fd = open(path, flags | O_CLOEXEC);
		}
	}
	return fd;
}

/* A non-blocking second open file description of a pipe end. */
static int fz_reopen_nb(int fd, int mode)
{
	char path[64];

	/* thread-self: the group leader may have exited (--leader-exits) */
	snprintf(path, sizeof(path), "/proc/thread-self/fd/%d", fd);
	return open(path, mode | O_NONBLOCK | O_CLOEXEC);
}

static void fz_fd_open_kind(struct fz_fdent *e, int kind)
{
	int p[2], other = -1;

	e->kind = kind;
	e->fd = -1;
	e->peer_nb = -1;
	switch (kind) {
	case FD_REG:
		e->fd = fz_open_file(O_RDWR, false);
		break;
	case FD_REG_RO:
		e->fd = fz_open_file(O_RDONLY, false);
		break;
	case FD_REG_APPEND:
		e->fd = fz_open_file(O_RDWR | O_APPEND, false);
		break;
	case FD_REG_DIRECT:
		e->fd = fz_open_file(O_RDWR, true);
		break;
	case FD_PIPE_R:
	case FD_PIPE_W:
	case FD_PIPE_NB_R:
	case FD_PIPE_NB_W: {
		bool nb = kind == FD_PIPE_NB_R || kind == FD_PIPE_NB_W;
		bool rd = kind == FD_PIPE_R || kind == FD_PIPE_NB_R;

		if (pipe2(p, O_CLOEXEC | (nb ? O_NONBLOCK : 0)))
			break;
		/* keep our end; the other side is reached through peer_nb */
		e->fd = rd ? p[0] : p[1];
		other = rd ? p[1] : p[0];
		e->peer_nb = fz_reopen_nb(other, rd ? O_WRONLY : O_RDONLY);
		close(other);
		break;
	}
	case FD_DEVNULL:
		e->fd = open("/dev/null", O_RDWR | O_CLOEXEC);
		break;
	case FD_DEVZERO:
		e->fd = open("/dev/zero", O_RDWR | O_CLOEXEC);
		break;
	case FD_SOCK:
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, p))
			break;
		e->fd = p[0];
		/* the peer end, non-blocking, to pump and drain */
		e->peer_nb = p[1];
		fcntl(p[1], F_SETFL, O_NONBLOCK);
		break;
	case FD_DIR:
		e->fd = open(fz_world.tmpdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		break;
	case FD_BLK:
		if (fz_world.nr_blkdevs)
			e->fd = open(fz_world.blkdevs[fz_world.file_seq++ %
						      fz_world.nr_blkdevs],
				     O_RDWR | O_DIRECT | O_CLOEXEC);
		break;
	case FD_EVENTFD:
		e->fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		break;
	case FD_RINGDUP:
		/* filled in by the caller (ops.c) */
		break;
	case FD_CLOSED:
		break;
	}
	if (e->fd < 0 && kind != FD_CLOSED && kind != FD_RINGDUP) {
		/* not available here (no ext4, no block device): a plain file */
		e->kind = FD_REG;
		e->fd = fz_open_file(O_RDWR, false);
	}
	if (e->fd < 0)
		e->kind = FD_CLOSED;
}

static void fz_fdent_close(struct fz_fdent *e)
{
	if (e->fd >= 0) {
		if (fz_world.nr_closed < ARRAY_SIZE(fz_world.closed_fds))
			fz_world.closed_fds[fz_world.nr_closed++] = e->fd;
		else
			fz_world.closed_fds[e->fd % ARRAY_SIZE(fz_world.closed_fds)] = e->fd;
		close(e->fd);
	}
	if (e->peer_nb >= 0)
		close(e->peer_nb);
	e->fd = e->peer_nb = -1;
	e->kind = FD_CLOSED;
}

void fz_fd_close(unsigned int i)
{
	pthread_mutex_lock(&fz_world.lock);
	fz_fdent_close(&fz_world.fds[i % FZ_NR_FDS]);
	pthread_mutex_unlock(&fz_world.lock);
}

/*
 * Put @fd in slot @i, closing what was there in the same critical section:
 * two threads filling one slot must not overwrite each other's fd, which
 * would then never be closed (a ring's dup kept the ring alive until the
 * fuzzer exited, and its end-of-run counter check failed).
 */
void fz_fd_set(unsigned int i, int fd, int kind)
{
	struct fz_fdent *e = &fz_world.fds[i % FZ_NR_FDS];

	pthread_mutex_lock(&fz_world.lock);
	fz_fdent_close(e);
	e->fd = fd;
	e->kind = kind;
	pthread_mutex_unlock(&fz_world.lock);
}

/* kinds a reopened slot gets, by weight */
static const unsigned int fz_kind_weights[FD_NR_KINDS] = {
	[FD_REG] = 10, [FD_REG_RO] = 3, [FD_REG_APPEND] = 2,
	[FD_REG_DIRECT] = 4, [FD_PIPE_R] = 5, [FD_PIPE_W] = 4,
	[FD_PIPE_NB_R] = 3, [FD_PIPE_NB_W] = 3, [FD_DEVNULL] = 2,
	[FD_DEVZERO] = 2, [FD_SOCK] = 3, [FD_DIR] = 1, [FD_BLK] = 4,
	[FD_EVENTFD] = 1, [FD_RINGDUP] = 0, [FD_CLOSED] = 1, [FD_PATTERN] = 0,
};

void fz_fd_reopen(struct fz_rng *r, unsigned int i)
{
	struct fz_fdent *e = &fz_world.fds[i % FZ_NR_FDS];
	int kind = fz_pick_weighted(r, fz_kind_weights, FD_NR_KINDS);

	pthread_mutex_lock(&fz_world.lock);
	fz_fdent_close(e);
	fz_fd_open_kind(e, kind);
	pthread_mutex_unlock(&fz_world.lock);
	fz_log("fd slot %u -> fd %d %s", i % FZ_NR_FDS, e->fd,
	       fz_fd_kind_names[e->kind]);
}

int fz_pick_fd(struct fz_rng *r, int *kindp)
{
	int fd = -1, kind = FD_CLOSED;

	switch (fz_below(r, 20)) {
	case 3:		/* a stable fd: a pattern file, null or zero */
	case 4: {
		const struct fz_stable_fd *st =
			&fz_world.stable[fz_below(r, STABLE_NR)];

		fd = st->fd;
		kind = st->pat ? FD_PATTERN : st->size ? FD_DEVZERO : FD_DEVNULL;
		if (fd < 0)
			kind = FD_CLOSED;
		break;
	}
	default: {	/* a pool entry, most of the time */
		struct fz_fdent *e = &fz_world.fds[fz_below(r, FZ_NR_FDS)];

		fd = e->fd;
		kind = e->kind;
		break;
	}
	case 0:		/* a ring itself: refused */
		fd = fz_ring_any_fd(r);
		kind = FD_RINGDUP;
		break;
	case 1:		/* a number closed a while ago (maybe reused) */
		if (fz_world.nr_closed)
			fd = fz_world.closed_fds[fz_below(r, fz_world.nr_closed)];
		break;
	case 2:
		switch (fz_below(r, 6)) {
		case 0: fd = -1; break;
		case 1: fd = -2; break;
		case 2: fd = 0x7fffffff; break;
		case 3: fd = (int)0x80000000; break;
		case 4: fd = 1 << 20; break;
		default: fd = (int)fz_range(r, 3, 300); break;
		}
		break;
	}
	/* never the kernel log, stdio or the fuzzer's own pipes */
	if (fz_fd_protected(fd)) {
		fd = -1;
		kind = FD_CLOSED;
	}
	if (kindp)
		*kindp = kind;
	return fd;
}

int fz_stable_of(int fd)
{
	unsigned int i;

	if (fd < 0)
		return -1;
	for (i = 0; i < STABLE_NR; i++)
		if (fz_world.stable[i].fd == fd)
			return i;
	return -1;
}

/* The kinds the pool starts with, and gets again at every reset. */
static const int fz_initial_kinds[] = {
	FD_REG, FD_REG, FD_REG_DIRECT, FD_PIPE_R, FD_PIPE_W,
	FD_PIPE_NB_R, FD_DEVNULL, FD_DEVZERO, FD_SOCK, FD_BLK,
	FD_REG_RO, FD_REG_APPEND, FD_PIPE_NB_W, FD_DIR,
	FD_EVENTFD, FD_REG, FD_PIPE_R, FD_BLK, FD_REG, FD_CLOSED,
};

void fz_fds_reset(void)
{
	unsigned int i;

	pthread_mutex_lock(&fz_world.lock);
	for (i = 0; i < FZ_NR_FDS; i++)
		fz_fdent_close(&fz_world.fds[i]);
	fz_world.nr_closed = 0;
	fz_world.file_seq = 0;
	for (i = 0; i < FZ_NR_FDS; i++) {
		fz_fd_open_kind(&fz_world.fds[i],
				fz_initial_kinds[i % ARRAY_SIZE(fz_initial_kinds)]);
		/* the same numbers every time: files are truncated too */
		if (fz_world.fds[i].kind == FD_REG ||
		    fz_world.fds[i].kind == FD_REG_APPEND ||
		    fz_world.fds[i].kind == FD_REG_DIRECT)
			(void)!ftruncate(fz_world.fds[i].fd, 0);
	}
	pthread_mutex_unlock(&fz_world.lock);
}

/* Write to every pipe and socket so blocked reads finish. */
void fz_pipes_pump(struct fz_rng *r, bool all)
{
	static const char data[512] = "xuring-fuzz pipe data";
	unsigned int i;

	pthread_mutex_lock(&fz_world.lock);
	for (i = 0; i < FZ_NR_FDS; i++) {
		struct fz_fdent *e = &fz_world.fds[i];
		size_t len = all ? sizeof(data) : fz_range(r, 1, sizeof(data));

		if (e->peer_nb < 0)
			continue;
		if (e->kind == FD_PIPE_R || e->kind == FD_PIPE_NB_R ||
		    e->kind == FD_SOCK)
			(void)!write(e->peer_nb, data, len);
	}
	pthread_mutex_unlock(&fz_world.lock);
}

/* Read what pipes and sockets hold so blocked writes finish. */
void fz_pipes_drain(void)
{
	static char sink[65536];
	unsigned int i;

	pthread_mutex_lock(&fz_world.lock);
	for (i = 0; i < FZ_NR_FDS; i++) {
		struct fz_fdent *e = &fz_world.fds[i];

		if (e->peer_nb < 0)
			continue;
		if (e->kind == FD_PIPE_W || e->kind == FD_PIPE_NB_W ||
		    e->kind == FD_SOCK)
			while (read(e->peer_nb, sink, sizeof(sink)) > 0)
				;
	}
	pthread_mutex_unlock(&fz_world.lock);
}

/* Keep the files small: truncate them, sometimes to a random size. */
void fz_files_reset(struct fz_rng *r)
{
	unsigned int i;

	pthread_mutex_lock(&fz_world.lock);
	for (i = 0; i < FZ_NR_FDS; i++) {
		struct fz_fdent *e = &fz_world.fds[i];

		if (e->kind == FD_REG || e->kind == FD_REG_APPEND ||
		    e->kind == FD_REG_DIRECT)
			(void)!ftruncate(e->fd, fz_chance(r, 1, 2) ? 0 :
					 fz_below(r, 256 * 1024));
	}
	pthread_mutex_unlock(&fz_world.lock);
}

/* ----------------------------------------------------------------- memory */

/* map @size bytes between guard pages; returns the usable start */
static char *fz_guarded(size_t size, int prot, int flags, int fd)
{
	size_t total = size + 2 * PAGE;
	char *base = mmap(NULL, total, PROT_NONE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	char *p;

	if (base == MAP_FAILED)
		return NULL;
	p = mmap(base + PAGE, size, prot, flags | MAP_FIXED, fd, 0);
	if (p == MAP_FAILED) {
		munmap(base, total);
		return NULL;
	}
	return p;
}

/* A pattern file of @size bytes, read-only from here on. */
static int fz_open_pattern(const char *dir, unsigned int pat, uint64_t size,
			   bool direct)
{
	char path[1024];
	int fd;

	snprintf(path, sizeof(path), "%s/xuring-fuzz.%d.pattern%u", dir,
		 (int)getpid(), pat);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0444);
	if (fd < 0)
		return -1;
	if (fz_pat_write(fd, pat, size) || fsync(fd)) {
		close(fd);
		unlink(path);
		return -1;
	}
	close(fd);
	fd = open(path, O_RDONLY | O_CLOEXEC | (direct ? O_DIRECT : 0));
	/* the open fd keeps it; nobody else finds it */
	unlink(path);
	return fd;
}

static int fz_stable_init(void)
{
	struct fz_world *w = &fz_world;
	static const struct {
		unsigned int pat;
		uint64_t size;
		bool direct;
	} pats[] = {
		[STABLE_PAT_A] = { PAT_A, 256 * 1024 + 1000, false },
		[STABLE_PAT_B] = { PAT_B, 64 * 1024 + 17, false },
		[STABLE_PAT_DIRECT] = { PAT_DIRECT, 1024 * 1024 + 12 * 1024, true },
	};
	unsigned int i;

	for (i = 0; i < STABLE_NR; i++)
		w->stable[i].fd = -1;
	for (i = 0; i < ARRAY_SIZE(pats); i++) {
		const char *dir = pats[i].direct ? w->ext4dir : w->tmpdir;

		if (!dir[0])
			continue;
		w->stable[i].fd = fz_open_pattern(dir, pats[i].pat,
						  pats[i].size, pats[i].direct);
		w->stable[i].pat = pats[i].pat;
		w->stable[i].size = pats[i].size;
		w->stable[i].direct = pats[i].direct;
		if (w->stable[i].fd < 0 && !pats[i].direct) {
			printf("xuring-fuzz: cannot write a pattern file in %s: %s\n",
			       dir, strerror(errno));
			return -1;
		}
	}
	w->stable[STABLE_NULL].fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	w->stable[STABLE_ZERO].fd = open("/dev/zero", O_RDWR | O_CLOEXEC);
	/* /dev/zero reads fill any length: size says "zero", not a size */
	w->stable[STABLE_ZERO].size = 1;
	return 0;
}

int fz_world_init(void)
{
	struct fz_world *w = &fz_world;
	const char *env;
	unsigned int i;
	char path[1024];
	char *h;
	int fd;

	snprintf(w->tmpdir, sizeof(w->tmpdir), "%s",
		 fz_cfg.tmpdir ? fz_cfg.tmpdir :
		 getenv("XURING_TMPDIR") ? getenv("XURING_TMPDIR") : "/tmp");
	env = getenv("XURING_EXT4_DIR");
	if (env && access(env, W_OK) == 0)
		snprintf(w->ext4dir, sizeof(w->ext4dir), "%s", env);
	/* block devices: only the scratch ones the VM gives us */
	if ((env = getenv("XURING_NULLBLK")) && access(env, W_OK) == 0)
		w->blkdevs[w->nr_blkdevs++] = env;
	if ((env = getenv("XURING_NVME")) && access(env, W_OK) == 0)
		w->blkdevs[w->nr_blkdevs++] = env;
	if ((env = getenv("XURING_BLKDEV")) && access(env, W_OK) == 0)
		w->blkdevs[w->nr_blkdevs++] = env;

	w->rw_size = 2 * MIB;
	w->rw = fz_guarded(w->rw_size, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1);
	w->iov_size = FZ_MAX_THREADS * 16 * 1024;
	w->iov = fz_guarded(w->iov_size, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1);
	w->ro_size = 64 * 1024;
	w->ro = fz_guarded(w->ro_size, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1);
	w->none_size = 64 * 1024;
	w->none = fz_guarded(w->none_size, PROT_NONE,
			     MAP_PRIVATE | MAP_ANONYMOUS, -1);
	w->shanon_size = 64 * 1024;
	w->shanon = fz_guarded(w->shanon_size, PROT_READ | PROT_WRITE,
			       MAP_SHARED | MAP_ANONYMOUS, -1);
	w->vol_size = 256 * 1024;
	w->vol = fz_guarded(w->vol_size, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1);
	if (!w->rw || !w->iov || !w->ro || !w->none || !w->shanon || !w->vol) {
		perror("xuring-fuzz: mmap");
		return -1;
	}
	/*
	 * Read as a signal mask this blocks no signal our watchdog uses
	 * (bit 3 of every byte clear), so a wait with it still ends.
	 */
	memset(w->ro, 0x52, w->ro_size);
	mprotect(w->ro, w->ro_size, PROT_READ);
	for (i = 0; i < w->rw_size; i += PAGE)
		w->rw[i] = (char)i;

	snprintf(path, sizeof(path), "%s/xuring-fuzz.%d.map", w->tmpdir,
		 (int)getpid());
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	w->filemap_size = 64 * 1024;
	if (fd >= 0 && ftruncate(fd, w->filemap_size) == 0)
		w->filemap = fz_guarded(w->filemap_size, PROT_READ | PROT_WRITE,
					MAP_SHARED, fd);
	if (fd >= 0)
		close(fd);
	unlink(path);

	/* 4 MiB of THP-backed memory, 2 MiB aligned, between guards */
	w->huge_size = 4 * MIB;
	h = mmap(NULL, w->huge_size + 4 * MIB, PROT_NONE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (h != MAP_FAILED) {
		char *a = (char *)(((uintptr_t)h + 2 * MIB) & ~(2 * MIB - 1));

		if (mprotect(a, w->huge_size, PROT_READ | PROT_WRITE) == 0) {
			madvise(a, w->huge_size, MADV_HUGEPAGE);
			w->huge = a;
			memset(a, 0x11, w->huge_size);
		}
	}

	if (fz_check_init()) {
		perror("xuring-fuzz: mmap of the check arena");
		return -1;
	}
	if (fz_stable_init())
		return -1;
	for (i = 0; i < FZ_NR_FDS; i++)
		fz_fd_open_kind(&w->fds[i],
				fz_initial_kinds[i % ARRAY_SIZE(fz_initial_kinds)]);
	return 0;
}

void fz_world_fini(void)
{
	char path[1024];
	unsigned int i;

	for (i = 0; i < FZ_NR_FDS; i++)
		fz_fdent_close(&fz_world.fds[i]);
	for (i = 0; i < STABLE_NR; i++) {
		if (fz_world.stable[i].fd >= 0)
			close(fz_world.stable[i].fd);
		fz_world.stable[i].fd = -1;
	}
	for (i = 0; i < 4; i++) {
		snprintf(path, sizeof(path), "%s/xuring-fuzz.%d.%u",
			 fz_world.tmpdir, (int)getpid(), i);
		unlink(path);
		if (fz_world.ext4dir[0]) {
			snprintf(path, sizeof(path), "%s/xuring-fuzz.%d.%u",
				 fz_world.ext4dir, (int)getpid(), i);
			unlink(path);
		}
	}
}

/* Replace the volatile area: unmapped (PROT_NONE) or fresh memory. */
void fz_vol_remap(struct fz_rng *r)
{
	int prot = fz_chance(r, 1, 2) ? PROT_NONE : PROT_READ | PROT_WRITE;

	/* MAP_FIXED over our own reservation: the range never leaves us */
	mmap(fz_world.vol, fz_world.vol_size, prot,
	     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	fz_log("volatile area remapped %s", prot == PROT_NONE ? "none" : "rw");
}

uint64_t fz_bad_ptr(struct fz_rng *r, const char **what)
{
	static const struct {
		uint64_t addr;
		const char *what;
	} bad[] = {
		{ 0, "NULL" },
		{ 0x1000, "low-unmapped" },
		{ 0xffff888000000000ULL, "kernel-direct-map" },
		{ 0xffffffff81000000ULL, "kernel-text" },
		{ 0xffffc90000000000ULL, "kernel-vmalloc" },
		{ 0x0000800000000000ULL, "non-canonical" },
		{ 0xdead000000000100ULL, "poison" },
		{ 0xfffffffffffff000ULL, "top" },
		{ 0x00007ffffffff000ULL, "user-top" },
	};
	unsigned int i = fz_below(r, ARRAY_SIZE(bad) + 2);

	if (i == ARRAY_SIZE(bad)) {
		*what = "none-page";
		return (uint64_t)(uintptr_t)fz_world.none +
		       fz_below(r, fz_world.none_size);
	}
	if (i == ARRAY_SIZE(bad) + 1) {
		*what = "ro-page";
		return (uint64_t)(uintptr_t)fz_world.ro +
		       fz_below(r, fz_world.ro_size);
	}
	*what = bad[i].what;
	/* wander only inside kernel and non-canonical ranges, never into ours */
	if (i >= 2 && i <= 5 && fz_chance(r, 1, 3))
		return bad[i].addr + fz_below(r, 1 << 20) * 8;
	return bad[i].addr;
}

uint64_t fz_pick_len(struct fz_rng *r, uint64_t room)
{
	switch (fz_below(r, 12)) {
	case 0: return 0;
	case 1: return fz_range(r, 1, 16);
	case 2: return 512 * fz_range(r, 1, 16);
	case 3: return PAGE * fz_range(r, 1, 8);
	case 4: return room;
	case 5: return room + fz_range(r, 1, PAGE);	/* runs into the guard */
	case 6:
		switch (fz_below(r, 5)) {
		case 0: return 0xffffffffULL;
		case 1: return 0x7ffff000ULL;
		case 2: return 1ULL << 31;
		case 3: return 1ULL << 30;
		default: return fz_rand(r);
		}
	default:
		return fz_range(r, 1, room < 65536 ? room : 65536);
	}
}

/* an area and where in it */
static uint64_t fz_in_area(struct fz_rng *r, char *base, size_t size,
			   uint64_t *room, bool aligned)
{
	uint64_t off = fz_below(r, size);

	if (aligned || fz_chance(r, 1, 2))
		off &= ~(aligned ? PAGE - 1 : 511);
	*room = size - off;
	return (uint64_t)(uintptr_t)base + off;
}

void fz_pick_buf(struct fz_rng *r, int use, struct fz_buf *b)
{
	struct fz_world *w = &fz_world;
	uint64_t room = 0;
	unsigned int k = fz_below(r, 100);
	bool aligned = use == BUF_REGISTER && fz_chance(r, 1, 2);

	if (k < 60) {
		b->what = "rw";
		b->addr = fz_in_area(r, w->rw, w->rw_size, &room, aligned);
	} else if (k < 66 && w->huge) {
		b->what = "thp";
		b->addr = fz_in_area(r, w->huge, w->huge_size, &room, aligned);
		if (fz_chance(r, 1, 2)) {	/* a whole huge page */
			b->addr = (uint64_t)(uintptr_t)w->huge;
			room = w->huge_size;
		}
	} else if (k < 72) {
		b->what = "ro";
		b->addr = fz_in_area(r, w->ro, w->ro_size, &room, aligned);
	} else if (k < 76) {
		b->what = "vol";
		b->addr = fz_in_area(r, w->vol, w->vol_size, &room, aligned);
	} else if (k < 80) {
		b->what = "shared-anon";
		b->addr = fz_in_area(r, w->shanon, w->shanon_size, &room, aligned);
	} else if (k < 84 && w->filemap) {
		b->what = "file-map";
		b->addr = fz_in_area(r, w->filemap, w->filemap_size, &room,
				     aligned);
	} else if (k < 87 && use != BUF_KERNEL_WRITES &&
		   fz_ring_memory(r, &b->addr, &room)) {
		/*
		 * Only as a source (or to pin): a request may run after the
		 * view is unmapped and the address reused by our own heap.
		 */
		b->what = "ring-memory";
	} else {
		b->addr = fz_bad_ptr(r, &b->what);
		room = PAGE;
	}
	b->len = fz_pick_len(r, room);
	if (use == BUF_REGISTER && fz_chance(r, 2, 3))
		b->len = fz_range(r, 1, room);
	/*
	 * Everything the kernel could store into is a fuzz area that stays
	 * mapped (or reserved) for the whole run and ends at a guard page.
	 */
}

/*
 * The iov area is cut into one slice per thread: iovec arrays that nobody
 * checks in the first three quarters, ioctl argument structs in the last.
 */
static char *fz_slice(void)
{
	return fz_world.iov + (fz_self ? fz_self->idx % FZ_MAX_THREADS : 0) *
			      (fz_world.iov_size / FZ_MAX_THREADS);
}

struct iovec *fz_iov_scratch(size_t *max)
{
	*max = (fz_world.iov_size / FZ_MAX_THREADS) * 3 / 4 /
	       sizeof(struct iovec);
	return (struct iovec *)fz_slice();
}

void fz_fill_iovec(struct fz_rng *r, int use, struct iovec *iov,
		   unsigned int nr, char *desc, size_t desclen)
{
	unsigned int i;
	int pos = 0;

	for (i = 0; i < nr; i++) {
		struct fz_buf b;

		fz_pick_buf(r, use, &b);
		if (b.len > 65536 && fz_chance(r, 3, 4))
			b.len = fz_below(r, 65536);
		iov[i].iov_base = (void *)(uintptr_t)b.addr;
		iov[i].iov_len = b.len;
		if (pos < (int)desclen - 24)
			pos += snprintf(desc + pos, desclen - pos, "%s%s:%llu",
					i ? "," : "", b.what,
					(unsigned long long)b.len);
	}
}

void *fz_scratch(size_t size)
{
	static __thread char fallback[4096];
	size_t slice = fz_world.iov_size / FZ_MAX_THREADS;

	if (!fz_world.iov || size > slice / 4)
		return fallback;
	return fz_slice() + slice - slice / 4;
}
