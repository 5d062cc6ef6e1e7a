/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xuring-fuzz: a user-space fuzzer for /dev/xuring.
 *
 * One 64-bit seed drives every choice. Each worker thread and each forked
 * child draws from its own generator, derived from the seed and its index,
 * and each operation from its own, derived from its thread's and its
 * number, so a single-threaded run replays the same operations: what the
 * kernel's timing changes inside one operation does not shift the rest.
 * Operations go to a ring-buffer log that is printed when the run stops
 * on a kernel report, a hang or a failed self-check.
 *
 * Files: main.c (options, workers, the op loop), report.c (op log, kernel
 * log watcher, hang monitor, failures), world.c (fds and memory the SQEs
 * point at), ring.c (rings: setup, mmap, submit, reap, shadow checks),
 * sqe.c (SQE generation), ops.c (the operations the loop picks from),
 * child.c (forked children).
 */
#ifndef XURING_FUZZ_H
#define XURING_FUZZ_H

#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <linux/xuring.h>

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define FZ_MAX_THREADS	16
#define FZ_RING_U32(base, off)	(*(unsigned int *)((char *)(base) + (off)))
#define FZ_PRINTF(a, b)	__attribute__((format(printf, a, b)))

/* ------------------------------------------------------------------ rng */

/* xoshiro256**, seeded through splitmix64. */
struct fz_rng {
	uint64_t s[4];
};

static inline uint64_t fz_splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static inline void fz_rng_seed(struct fz_rng *r, uint64_t seed)
{
	uint64_t x = seed;
	int i;

	for (i = 0; i < 4; i++)
		r->s[i] = fz_splitmix64(&x);
}

/* The seed of sub-stream @idx of @seed (worker threads, children). */
static inline uint64_t fz_derive_seed(uint64_t seed, uint64_t kind,
				      uint64_t idx)
{
	uint64_t x = seed ^ (kind * 0xd1b54a32d192ed03ULL);

	x += idx * 0x9e3779b97f4a7c15ULL;
	fz_splitmix64(&x);
	return fz_splitmix64(&x);
}

static inline uint64_t fz_rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static inline uint64_t fz_rand(struct fz_rng *r)
{
	uint64_t *s = r->s;
	uint64_t res = fz_rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = fz_rotl(s[3], 45);
	return res;
}

/* uniform in [0, n); n == 0 gives 0 */
static inline uint64_t fz_below(struct fz_rng *r, uint64_t n)
{
	return n ? fz_rand(r) % n : 0;
}

static inline uint64_t fz_range(struct fz_rng *r, uint64_t lo, uint64_t hi)
{
	return lo + fz_below(r, hi - lo + 1);
}

/* true with probability num/den */
static inline bool fz_chance(struct fz_rng *r, unsigned int num,
			     unsigned int den)
{
	return fz_below(r, den) < num;
}

/* pick an index by weight */
unsigned int fz_pick_weighted(struct fz_rng *r, const unsigned int *w,
			      unsigned int n);

/* "interesting" integers of a given width, mixed with random ones */
uint64_t fz_interesting(struct fz_rng *r, int bits);

/* ---------------------------------------------------------- run state */

enum fz_stop {
	FZ_RUNNING,
	FZ_STOP_DONE,		/* time or op budget used up */
	FZ_STOP_SIGNAL,		/* SIGINT/SIGTERM */
	FZ_STOP_FAIL,		/* a self-check failed */
	FZ_STOP_KERNEL,		/* a kernel report in the log */
	FZ_STOP_HANG,		/* no progress */
};

struct fz_thread {
	int			idx;
	pid_t			tid;
	/* this thread's stream; each op draws from its own sub-stream */
	uint64_t		seed;
	struct fz_rng		rng;
	uint64_t		ops;
	/* monotonic ns of the last finished op; 0 while idle */
	volatile uint64_t	progress_ns;
	volatile const char	*cur_op;
	/* the ioctl in progress, if any */
	char			cur_what[48];
	volatile uint64_t	cur_opno;
	timer_t			watchdog;
	bool			has_watchdog;
	pthread_t		pt;
};

struct fz_config {
	uint64_t		seed;
	unsigned int		threads;
	double			seconds;	/* 0: no time limit */
	uint64_t		max_ops;	/* 0: no op limit */
	unsigned int		log_lines;	/* printed on failure */
	double			hang_timeout;
	unsigned int		fail_nth;	/* percent of ioctls with fault injection */
	bool			verbose;	/* every op to stdout */
	bool			no_fork;
	bool			no_kmsg;
	int			uid;		/* -1: keep */
	const char		*tmpdir;
	const char		*report_re;
	unsigned int		watchdog_ms;
};

struct fz_stats {
	uint64_t	ioctls, ioctl_errors, sqes, cqes, setups, forks, kills;
	uint64_t	mmaps, registers, enters, closes;
};

extern struct fz_config fz_cfg;
extern volatile int fz_stop_reason;
extern uint64_t fz_start_ns;
extern struct fz_stats fz_stats;
extern uint64_t fz_opno;		/* last op number handed out */
extern __thread struct fz_thread *fz_self;
extern bool fz_in_child;

static inline bool fz_stopping(void)
{
	return __atomic_load_n(&fz_stop_reason, __ATOMIC_RELAXED) != FZ_RUNNING;
}

#define fz_stat_inc(field)	__atomic_add_fetch(&fz_stats.field, 1, __ATOMIC_RELAXED)

uint64_t fz_now_ns(void);

/* ------------------------------------------------------------- report.c */

/* one line in the op log, tagged with the current op number and thread */
void fz_log(const char *fmt, ...) FZ_PRINTF(1, 2);
/* a failed self-check: log it and stop the run */
void fz_fail(const char *fmt, ...) FZ_PRINTF(1, 2);
void fz_request_stop(int reason);
void fz_print_log(unsigned int lines);
int fz_kmsg_open(void);
/* scan the kernel log; returns true if a report was found (and stops) */
bool fz_kmsg_poll(void);
void fz_kmsg_print_report(void);
void fz_monitor_start(void);
void fz_monitor_stop(void);
void fz_report_final(void);
bool fz_fd_protected(int fd);
void fz_protect_fd(int fd);

/* fault injection around one ioctl (debug kernels) */
void fz_fail_nth_arm(struct fz_rng *r);
void fz_fail_nth_disarm(void);

/* watchdog: interrupt a wait in this thread after ms */
void fz_watchdog_arm(unsigned int ms);
void fz_watchdog_disarm(void);

/* ------------------------------------------------------------- world.c */

enum fz_fd_kind {
	FD_REG,			/* regular file on tmpfs */
	FD_REG_RO,		/* the same, opened read-only */
	FD_REG_APPEND,		/* O_APPEND */
	FD_REG_DIRECT,		/* O_DIRECT on ext4, if available */
	FD_PIPE_R,		/* blocking pipe read end */
	FD_PIPE_W,		/* blocking pipe write end */
	FD_PIPE_NB_R,		/* O_NONBLOCK pipe read end */
	FD_PIPE_NB_W,
	FD_DEVNULL,
	FD_DEVZERO,
	FD_SOCK,		/* one end of a socketpair */
	FD_DIR,			/* a directory (O_RDONLY) */
	FD_BLK,			/* a block device with O_DIRECT (null_blk, nvme) */
	FD_EVENTFD,
	FD_RINGDUP,		/* a dup() of a ring fd */
	FD_CLOSED,		/* a slot whose fd was closed */
	FD_NR_KINDS,
};

extern const char *const fz_fd_kind_names[FD_NR_KINDS];

struct fz_fdent {
	int		fd;
	int		kind;
	/* a non-blocking second open of the pipe, to pump or drain it */
	int		peer_nb;
};

#define FZ_NR_FDS	20

struct fz_world {
	pthread_mutex_t	lock;
	struct fz_fdent	fds[FZ_NR_FDS];
	int		closed_fds[8];	/* recently closed numbers */
	unsigned int	nr_closed;
	char		tmpdir[256];
	char		ext4dir[256];
	const char	*blkdevs[4];
	unsigned int	nr_blkdevs;
	unsigned int	file_seq;

	/* memory SQEs point at; guard pages around every area */
	char		*rw;		/* read-write arena */
	size_t		rw_size;
	char		*iov;		/* iovec arrays and ioctl args */
	size_t		iov_size;
	char		*ro;		/* read-only pages */
	size_t		ro_size;
	char		*none;		/* PROT_NONE pages */
	size_t		none_size;
	char		*shanon;	/* MAP_SHARED anonymous (shmem) */
	size_t		shanon_size;
	char		*filemap;	/* MAP_SHARED of a tmpfs file */
	size_t		filemap_size;
	char		*vol;		/* remapped at random (RW or NONE) */
	size_t		vol_size;
	char		*huge;		/* THP-backed, 2 MiB aligned */
	size_t		huge_size;
};

extern struct fz_world fz_world;

int fz_world_init(void);
void fz_world_fini(void);
/* an fd for an SQE or a files table: pool entries, rings, junk */
int fz_pick_fd(struct fz_rng *r, int *kind);
/* reopen pool slot @i as a random kind (closes what was there) */
void fz_fd_reopen(struct fz_rng *r, unsigned int i);
void fz_fd_close(unsigned int i);
/* write to pipes so blocked reads finish, drain so blocked writes do */
void fz_pipes_pump(struct fz_rng *r, bool all);
void fz_pipes_drain(void);
void fz_files_reset(struct fz_rng *r);
void fz_vol_remap(struct fz_rng *r);

/* where a buffer should point */
enum fz_buf_use {
	BUF_KERNEL_WRITES,	/* read(2)-like: the kernel stores into it */
	BUF_KERNEL_READS,	/* write(2)-like: the kernel loads from it */
	BUF_REGISTER,		/* a fixed buffer to pin */
};

struct fz_buf {
	uint64_t	addr;
	uint64_t	len;
	const char	*what;
	bool		taints_ring;	/* points into ring memory */
};

void fz_pick_buf(struct fz_rng *r, int use, struct fz_buf *b);
uint64_t fz_pick_len(struct fz_rng *r, uint64_t room);
/* an iovec array in the iov area; returns its address */
uint64_t fz_build_iovec(struct fz_rng *r, int use, unsigned int nr,
			char *desc, size_t desclen, bool *taints);
/* scratch memory for ioctl arguments, per thread */
void *fz_scratch(size_t size);
/* a pointer the kernel must refuse, for any argument */
uint64_t fz_bad_ptr(struct fz_rng *r, const char **what);
/* a memory region of a ring (to aim buffers at ring memory) */
bool fz_ring_memory(struct fz_rng *r, uint64_t *addr, uint64_t *len);

/* -------------------------------------------------------------- ring.c */

/* one user_data the shadow expects a CQE for (maybe) */
struct fz_ud {
	uint64_t	user_data;
	uint32_t	count;		/* 0: free slot */
	uint8_t		opcode;
	uint8_t		flags;		/* SQE flags */
	uint8_t		blocking;	/* a pipe read that may block */
	uint32_t	len;		/* READ/WRITE length */
};

struct fz_udset {
	struct fz_ud	*slots;
	uint32_t	cap;		/* power of two */
	uint32_t	used;		/* slots with count > 0, or tombstones */
	uint32_t	live;		/* sum of counts */
};

#define FZ_NR_RINGS	6

struct fz_ring {
	/* write side: setup, close, mmap changes; read side: everything else */
	pthread_rwlock_t	lock;
	/* the user side of the SQ and CQ, and the shadow */
	pthread_mutex_t		sq_lock;
	int			idx;
	int			fd;		/* -1: closed */
	bool			ready;		/* SETUP succeeded */
	unsigned int		gen;
	struct xuring_params	p;
	pid_t			creator_tid;

	void			*sq_map, *cq_map, *sqe_map;
	size_t			sq_len, cq_len, sqe_len;
	unsigned int		sq_tail;	/* our SQ tail */
	unsigned int		sq_head_seen;	/* kernel head last accounted */
	unsigned int		cq_head;	/* our CQ head */
	/* sq array entries out of range written / accounted as consumed */
	uint64_t		dropped_written, dropped_consumed;
	uint32_t		dropped_base;
	/* out-of-range slot flags for the pending SQ window, by index */
	uint8_t			*slot_bad;
	/* somebody (a child, a stray READ) may have written ring memory */
	bool			tainted;
	const char		*taint_why;

	struct fz_udset		outstanding;
	unsigned int		blocking;	/* pipe reads in flight (approx) */
	unsigned int		nr_files;	/* registered file table size */
	bool			has_bufs;
	struct {
		uint64_t addr, len;
	}			bufs[4];	/* registered buffers we know */
	unsigned int		nr_bufs;
	/* io-wq limits, as REGISTER_IOWQ_MAX_WORKERS last reported them */
	bool			iowq_known;
	uint32_t		iowq_max[2];
};

extern struct fz_ring fz_rings[FZ_NR_RINGS];

void fz_rings_init(void);
void fz_rings_fini(void);
/* pick a ring slot; @ready: only a set-up one (NULL if none) */
struct fz_ring *fz_pick_ring(struct fz_rng *r, bool ready);
int fz_ring_any_fd(struct fz_rng *r);

/* under r->lock held for writing */
int fz_ring_open(struct fz_ring *ring, struct fz_rng *r);
int fz_ring_setup(struct fz_ring *ring, struct fz_rng *r);
void fz_ring_close(struct fz_ring *ring, struct fz_rng *r);
int fz_ring_map(struct fz_ring *ring, struct fz_rng *r);
void fz_ring_unmap(struct fz_ring *ring, struct fz_rng *r);

/* under r->lock held for reading */
unsigned int fz_ring_submit_batch(struct fz_ring *ring, struct fz_rng *r,
				  unsigned int max);
int fz_ring_enter(struct fz_ring *ring, struct fz_rng *r);
void fz_ring_reap(struct fz_ring *ring, struct fz_rng *r);
void fz_ring_scribble(struct fz_ring *ring, struct fz_rng *r);
void fz_ring_taint(struct fz_ring *ring, const char *why);

/* zombie mappings of closed rings, unmapped later */
void fz_zombies_reap(struct fz_rng *r, bool all);

/* the ioctls, with errno checks; return the raw result (-1 and errno) */
int fz_ioctl(int fd, unsigned long cmd, void *arg, const char *what);
/* the ioctl number for @nr, sometimes with an odd size, type or direction */
unsigned long fz_ioc(struct fz_rng *r, unsigned int nr, size_t size,
		     char *arg, size_t room, const char **how);
bool fz_errno_allowed(int err);

/* --------------------------------------------------------------- sqe.c */

struct fz_sqe_info {
	bool		blocking;
	bool		taints_ring;
	char		desc[160];
};

void fz_gen_sqe(struct fz_rng *r, struct fz_ring *ring,
		struct xuring_sqe *sqe, struct fz_sqe_info *info);

/* --------------------------------------------------------------- ops.c */

void fz_op_run(struct fz_rng *r);
void fz_ops_fini(void);

/* -------------------------------------------------------------- child.c */

void fz_child_fork(struct fz_rng *r, int mode);
void fz_children_reap(bool wait_all);
unsigned int fz_children_live(void);

#endif /* XURING_FUZZ_H */
