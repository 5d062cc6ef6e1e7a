/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xuring-fuzz: a user-space fuzzer for /dev/xuring.
 *
 * One 64-bit seed drives every choice. Each operation draws from its own
 * generator, seeded from a stream seed and the operation's number, so that
 * what the kernel's timing changes inside one operation does not shift the
 * rest. Single-threaded runs execute "programs": short sequences of such
 * operations, each started from a clean state (every ring quiesced, checked
 * and closed, children reaped, the fd pool reopened). A program is a list
 * of segments (stream seed, first op, count) and replays on its own; the
 * programs that reach new code of the module (per-thread kcov) are kept as
 * the corpus. Operations go to a ring-buffer log that is printed when the
 * run stops on a kernel report, a hang or a failed self-check.
 *
 * Files: main.c (options, workers, the program loop), report.c (op log,
 * kernel log watcher, hang monitor, failures, the counts), world.c (fds
 * and memory the SQEs point at), verify.c (pattern files, the check arena,
 * data verification), errno.c (which errno each ioctl may return), ring.c
 * (rings: setup, mmap, submit, reap, quiesce, the shadow), sqe.c (SQE
 * generation), ops.c (the operations the loop picks from), child.c (forked
 * children), exec.c (exec, vfork, clone(CLONE_VM), the setuid helper),
 * scm.c (ring fds passed over unix sockets), cover.c (kcov, programs, the
 * corpus).
 */
#ifndef XURING_FUZZ_H
#define XURING_FUZZ_H

#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

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
	unsigned int		gen;		/* how many threads had this slot */
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
	/* the thread retired (the creator-exits shape); main starts another */
	volatile bool		exited;
	pthread_t		pt;
};

/* Process shapes that --no-shape can switch off (see README.md). */
enum fz_shape {
	FZ_SHAPE_FORK,		/* forked children: sharers, owners, holders */
	FZ_SHAPE_EXEC,		/* clone(CLONE_VM) sibling + the owner's exec */
	FZ_SHAPE_SUID,		/* ... of the setuid-root helper */
	FZ_SHAPE_VFORK,		/* vfork children that enter or set up rings */
	FZ_SHAPE_SCM,		/* ring fds over unix sockets */
	FZ_SHAPE_CREDS,		/* a thread's credentials change mid-run */
	FZ_SHAPE_THREAD,	/* a ring's creator thread exits */
	FZ_SHAPE_COMPAT,	/* ioctls from the 32-bit entry (int $0x80) */
	FZ_SHAPE_IOPOLL_EXIT,	/* children exit with polled I/O in flight */
	FZ_SHAPE_NR,
};

extern const char *const fz_shape_names[FZ_SHAPE_NR];

struct fz_config {
	uint64_t		seed;
	unsigned int		threads;
	double			seconds;	/* 0: no time limit */
	uint64_t		max_ops;	/* 0: no op limit */
	unsigned int		log_lines;	/* printed on failure */
	double			hang_timeout;
	double			complete_timeout; /* s for the last CQEs of a ring */
	unsigned int		fail_nth;	/* percent of ioctls with fault injection */
	bool			verbose;	/* every op to stdout */
	bool			no_kmsg;
	bool			suid_helper;	/* install the setuid-root helper */
	bool			leader_exits;	/* the main thread exits early */
	unsigned int		no_shapes;	/* bits of enum fz_shape */
	int			uid;		/* -1: keep */
	const char		*tmpdir;
	const char		*report_re;
	unsigned int		watchdog_ms;
	/* programs and the corpus (single-threaded runs) */
	unsigned int		program_ops;	/* ops of a fresh program */
	const char		*program;	/* --program: replay this one */
	const char		*corpus_dir;
	const char		*corpus_out;
	const char		*corpus_mode;	/* entries of this mode only */
	const char		*exe;		/* our own binary, for exec */
};

static inline bool fz_shape_on(int shape)
{
	extern struct fz_config fz_cfg;

	return !(fz_cfg.no_shapes & (1U << shape));
}

/* Why a ring stopped being checked in full (rare, and counted). */
enum fz_taint {
	TAINT_SQ_TAIL,		/* a scribble moved the SQ tail forward */
	TAINT_CQ_HEAD,		/* a scribble moved the CQ head past the tail */
	TAINT_SQE,		/* a scribble changed a pending SQE or SQ slot */
	TAINT_CQE,		/* a scribble changed an unreaped CQE */
	TAINT_CHILD,		/* a child moved the SQ tail forward */
	TAINT_BAD_INDEX,	/* the kernel's own index went wrong (after a failure) */
	TAINT_NR,
};

extern const char *const fz_taint_names[TAINT_NR];

/* Requests whose CQE nobody will wait for, by why (counted). */
enum fz_abandon {
	ABANDON_CLOSE,		/* the ring was closed with them in flight */
	ABANDON_TAINTED,	/* on a tainted ring at its close */
	ABANDON_NO_ENTER,	/* queued on a ring nobody may enter any more */
	ABANDON_NO_REAP,	/* in flight on such a ring: IOPOLL or overflow */
	ABANDON_NR,
};

extern const char *const fz_abandon_names[ABANDON_NR];

struct fz_stats {
	uint64_t	ioctls, ioctl_errors, sqes, cqes, setups, forks, kills;
	uint64_t	mmaps, registers, enters, closes;
	/* exactly once: where every published SQ slot went */
	uint64_t	cqes_checked;	/* matched to a request we submitted */
	uint64_t	cqes_unchecked;	/* on a tainted ring, not matched */
	uint64_t	silent;		/* CQE_SKIP_SUCCESS, confirmed by a drain */
	uint64_t	dropped;	/* SQ slots with an index out of range */
	uint64_t	markers;	/* drain NOPs of our own (not in sqes) */
	uint64_t	quiesced;	/* rings closed with every CQE in */
	uint64_t	abandoned[ABANDON_NR];
	uint64_t	taints[TAINT_NR];
	/* what the CQEs were checked against */
	uint64_t	verified_reads, verified_bytes, exact_results;
	uint64_t	denied;		/* -EACCES CQEs of allowed_ops' refusals */
	/* process shapes */
	uint64_t	execs, vforks, siblings, scm_sent, scm_received;
	uint64_t	cred_changes, thread_rings, compat_ioctls, programs;
	uint64_t	resets, reset_ns;	/* fz_reset_state() and its time */
	uint64_t	quiesce_ns, teardown_ns; /* of ring closes, everywhere */
};

extern struct fz_config fz_cfg;
/* /dev/xuring's group: a drop to uid 65534 keeps it (the xuring group) */
extern gid_t fz_device_gid;
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

/* stopped for a reason that makes waiting for the kernel pointless */
static inline bool fz_stopping_bad(void)
{
	int r = __atomic_load_n(&fz_stop_reason, __ATOMIC_RELAXED);

	return r != FZ_RUNNING && r != FZ_STOP_DONE;
}

#define fz_stat_inc(field)	__atomic_add_fetch(&fz_stats.field, 1, __ATOMIC_RELAXED)
#define fz_stat_add(field, n)	__atomic_add_fetch(&fz_stats.field, (n), __ATOMIC_RELAXED)

uint64_t fz_now_ns(void);
/* a thread of ours (fz_self) with a watchdog timer for its waits */
void fz_thread_watchdog_init(struct fz_thread *t);
void fz_thread_watchdog_fini(struct fz_thread *t);

/* The world lock: ops hold it shared, a reset (fz_reset_state) alone. */
extern pthread_rwlock_t fz_world_lock;
/* back to a clean state: every ring quiesced and closed, children reaped */
void fz_reset_state(void);

/* ------------------------------------------------------------- report.c */

/* one line in the op log, tagged with the current op number and thread */
void fz_log(const char *fmt, ...) FZ_PRINTF(1, 2);
/* a failed self-check: log it and stop the run */
void fz_fail(const char *fmt, ...) FZ_PRINTF(1, 2);
void fz_request_stop(int reason);
void fz_print_log(unsigned int lines);
/* the op log's lines that contain @needle */
void fz_print_log_matching(const char *needle);
/* tools/vm/jobs/report-patterns as one ERE, built in */
const char *fz_report_re_default(void);
int fz_kmsg_open(void);
/* a line into the kernel log (root), to replay from after a panic */
void fz_kmsg_mark(const char *fmt, ...) FZ_PRINTF(1, 2);
/* scan the kernel log; returns true if a report was found (and stops) */
bool fz_kmsg_poll(void);
void fz_kmsg_print_report(void);
void fz_monitor_start(void);
void fz_monitor_stop(void);
void fz_report_final(void);
/* what every SQE became, the taints, the coverage */
void fz_print_counts(void);
/* a ring's fdinfo and the module threads' kernel stacks, to stdout */
void fz_dump_ring_state(int fd);
bool fz_fd_protected(int fd);
void fz_protect_fd(int fd);

/* fault injection around one ioctl (debug kernels) */
void fz_fail_nth_arm(struct fz_rng *r);
void fz_fail_nth_disarm(void);
/* a thread that goes closes its fail-nth file */
void fz_fail_nth_close(void);

/* watchdog: interrupt a wait in this thread after ms */
void fz_watchdog_arm(unsigned int ms);
void fz_watchdog_disarm(void);

/* -------------------------------------------------------------- errno.c */

enum fz_ioc_kind {
	FZ_IOC_SETUP,
	FZ_IOC_ENTER,
	FZ_IOC_REGISTER,
	FZ_IOC_UNKNOWN,		/* xuring's magic, but no such command */
	FZ_IOC_FOREIGN,		/* another driver's number: not checked */
};

int fz_ioc_kind(unsigned long cmd);
/*
 * May an ioctl of @kind (for REGISTER, of opcode @reg_op) fail with @err?
 * @compat: it came through the 32-bit entry; @injecting: fail-nth was
 * armed for it.
 */
bool fz_errno_allowed(int kind, uint32_t reg_op, int err, bool compat,
		      bool injecting);
const char *fz_ioc_kind_name(int kind);
/*
 * The module's policy parameters (/sys/module/xuring/parameters), read
 * once: what SETUP may refuse us and which ops fail with -EACCES.
 */
void fz_policy_init(void);
/* @op is an implemented op that allowed_ops leaves out: -EACCES */
bool fz_op_denied(unsigned int op);

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
	FD_PATTERN,		/* a stable pattern file, read-only */
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

/*
 * Fds that stay open, as the same file, for the whole run: what a CQE of
 * a request on one of them must say does not depend on when the kernel
 * looked the fd up. Pattern files are never written.
 */
enum fz_stable {
	STABLE_PAT_A,		/* tmpfs, 256 KiB and a bit */
	STABLE_PAT_B,		/* tmpfs, 64 KiB and a bit */
	STABLE_PAT_DIRECT,	/* ext4, O_DIRECT */
	STABLE_NULL,		/* /dev/null */
	STABLE_ZERO,		/* /dev/zero */
	STABLE_NR,
};

struct fz_stable_fd {
	int		fd;		/* -1: not available here */
	unsigned int	pat;		/* pattern id, 0 for null and zero */
	uint64_t	size;
	bool		direct;
};

struct fz_world {
	pthread_mutex_t	lock;
	struct fz_fdent	fds[FZ_NR_FDS];
	struct fz_stable_fd stable[STABLE_NR];
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
/* the stable fd @fd is (enum fz_stable), or -1 */
int fz_stable_of(int fd);
/* reopen pool slot @i as a random kind (closes what was there) */
void fz_fd_reopen(struct fz_rng *r, unsigned int i);
void fz_fd_close(unsigned int i);
void fz_fd_set(unsigned int i, int fd, int kind);
void fz_counters_check(const char *when);
/* close every pool fd and open the initial kinds again (fz_reset_state) */
void fz_fds_reset(void);
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
};

void fz_pick_buf(struct fz_rng *r, int use, struct fz_buf *b);
uint64_t fz_pick_len(struct fz_rng *r, uint64_t room);
/* fill @iov[0..nr) with buffers of @use; returns how many were described */
void fz_fill_iovec(struct fz_rng *r, int use, struct iovec *iov,
		   unsigned int nr, char *desc, size_t desclen);
/* scratch memory for ioctl arguments, per thread */
void *fz_scratch(size_t size);
/* per-thread scratch for an iovec array that nobody checks */
struct iovec *fz_iov_scratch(size_t *max);
/* a pointer the kernel must refuse, for any argument */
uint64_t fz_bad_ptr(struct fz_rng *r, const char **what);
/* a memory region of a ring (to aim buffers at ring memory) */
bool fz_ring_memory(struct fz_rng *r, uint64_t *addr, uint64_t *len);

/* ------------------------------------------------------------ verify.c */

/*
 * Pattern files: the 8-byte word at offset 8w of pattern p holds
 * FZ_PAT_MAGIC << 48 | p << 40 | w (little-endian), so any run of bytes
 * says which file and which offset it came from.
 */
#define FZ_PAT_MAGIC	0x5855ULL
enum fz_pat {
	PAT_NONE,
	PAT_A,
	PAT_B,
	PAT_DIRECT,
	PAT_POSTEXEC = 8,	/* opened by an owner after its exec */
	PAT_SECRET = 9,		/* root-only, opened by the setuid helper */
};

uint64_t fz_pat_word(unsigned int pat, uint64_t widx);
int fz_pat_write(int fd, unsigned int pat, uint64_t size);
/* offset of the first byte of @buf that differs from @pat at @pos, or -1 */
int64_t fz_pat_diff(const void *buf, size_t n, unsigned int pat, uint64_t pos);
/* where in @pat @buf comes from, if it does (n >= 16) */
bool fz_pat_locate(const void *buf, size_t n, unsigned int pat, uint64_t *pos);
/* does @buf hold 8 bytes of @pat anywhere? */
bool fz_pat_seen(const void *buf, size_t n, unsigned int pat);

/*
 * The check arena: pages that only the request owning them may write, so
 * a read's data can be compared after its CQE. The first
 * FZ_CHECK_FIXED_PAGES may be registered as one fixed buffer.
 */
#define FZ_CHECK_PAGES		1024
#define FZ_CHECK_FIXED_PAGES	256
#define FZ_POISON		0xa5

extern char *fz_check_base;
int fz_check_init(void);
void *fz_check_alloc(size_t len, bool fixed);
/* @quarantine: the kernel may still write there; freed at the next reset */
void fz_check_release(void *p, size_t len, bool quarantine);
void fz_check_reset(void);
unsigned int fz_check_quarantined(void);
bool fz_in_check_arena(uint64_t addr, uint64_t len);

/* What a request owns in the check arena, and what its data must be. */
#define FZ_VREQ_SEGS	4
#define FZ_NR_VREQ	1024

struct fz_vreq {
	uint32_t	refs;		/* SQ slots that expect it; 0: free */
	uint8_t		pat;		/* the file's pattern; 0: not a verified read */
	uint8_t		nseg;
	bool		by_pos;		/* read at the file position (off -1) */
	bool		direct;		/* O_DIRECT: zeros past EOF are fine */
	uint64_t	off, size;	/* the offset and the file's size */
	uint64_t	total;		/* bytes asked for */
	struct {
		char	*p;
		uint32_t len;
	}		seg[FZ_VREQ_SEGS];
	char		*data;		/* the arena pages of the segments */
	size_t		data_len;
	bool		data_fixed;
	char		*iov;		/* the arena pages of the iovec array */
	size_t		iov_len;
};

int fz_vreq_new(void);
struct fz_vreq *fz_vreq_get(int i);
void fz_vreq_ref(int i);
/*
 * A CQE with @res, or a success without one (@silent: CQE_SKIP_SUCCESS,
 * confirmed by a drain), for verified read @i: compare the data. Drops
 * one reference.
 */
struct fz_ring;
void fz_vreq_complete(struct fz_ring *ring, uint64_t ud, int i, int32_t res,
		      bool silent);
/* drop a reference without a CQE; the pages go to quarantine */
void fz_vreq_abandon(int i);
/* drop a reference the kernel never saw (the generator's own) */
void fz_vreq_release(int i);

/* -------------------------------------------------------------- ring.c */

#define FZ_UD_SILENT	0x01
#define FZ_UD_CARRIED	0x02

/* one user_data the shadow expects a CQE for (maybe) */
struct fz_ud {
	uint64_t	user_data;
	uint32_t	count;		/* 0: free slot */
	uint8_t		opcode;
	uint8_t		flags;		/* SQE flags */
	uint8_t		blocking;	/* a pipe read that may block */
	bool		marker;		/* our own drain NOP */
	/*
	 * FZ_UD_SILENT: it may complete without a CQE (CQE_SKIP_SUCCESS,
	 * or after such a request in its chain, whose failure cancels the
	 * rest of the chain without CQEs, as in io_uring); FZ_UD_CARRIED:
	 * the latter, so a silent end says nothing about its data.
	 */
	uint8_t		silent;
	uint32_t	len;		/* READ/WRITE length, iovec count */
	/* a result above max_res is wrong (-1: it must fail) */
	int64_t		max_res;
	/* >= 0: what a success must return exactly */
	int64_t		exact;
	int32_t		vreq;		/* fz_vreq, or -1 */
};

struct fz_udset {
	struct fz_ud	*slots;
	uint32_t	cap;		/* power of two */
	uint32_t	used;		/* slots with count > 0, or tombstones */
	uint32_t	live;		/* sum of counts */
};

#define FZ_NR_RINGS	6
#define FZ_FIXED_TRACK	64	/* fixed file slots whose file we follow */

/* SQ slot flags of the pending window */
#define FZ_SLOT_BAD	0x01	/* index out of range: dropped */
#define FZ_SLOT_VFIXED	0x02	/* a verified read through a fixed resource */

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
	uint8_t			*slot_flags;	/* FZ_SLOT_*, by SQ slot */
	unsigned int		vfixed_pending;	/* slots with FZ_SLOT_VFIXED */
	/* somebody (a scribble, a child) may have written ring memory */
	bool			tainted;
	int			taint;		/* enum fz_taint */
	/* a CQE's words may be ours, not the kernel's: no check holds */
	bool			cqe_scribbled;

	struct fz_udset		outstanding;
	/* outstanding FZ_UD_SILENT requests: no CQE if they succeed */
	unsigned int		skip_live;
	/* the last SQE published is linked (its chain goes on) ... */
	bool			chain_open;
	/* ... and the chain holds a CQE_SKIP_SUCCESS request */
	bool			chain_skip;
	/* a drain NOP of ours completed: all before it have completed too */
	bool			marker_seen;
	/* a scribble wrote the dropped counter, which the kernel adds to */
	bool			dropped_unknown;
	unsigned int		blocking;	/* pipe reads in flight (approx) */
	unsigned int		nr_files;	/* registered file table size */
	/* the pattern file in each of the first fixed file slots, or 0 */
	uint8_t			fixed_pat[FZ_FIXED_TRACK];
	bool			has_bufs;
	struct {
		uint64_t addr, len;
		bool	check;		/* the registerable check arena */
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
/* SETUP flags this thread adds to / removes from what it draws */
extern __thread uint32_t fz_setup_force, fz_setup_drop;
/*
 * @checked: every request must have its CQE first (a lost completion
 * fails the run); otherwise they are abandoned (counted). @r may be NULL.
 */
void fz_ring_close(struct fz_ring *ring, struct fz_rng *r, bool checked);
int fz_ring_map(struct fz_ring *ring, struct fz_rng *r);
void fz_ring_unmap(struct fz_ring *ring, struct fz_rng *r);

/* close, with every CQE in, the SINGLE_ISSUER rings this thread made */
void fz_rings_close_own(void);

/* under r->lock held for reading */
unsigned int fz_ring_submit_batch(struct fz_ring *ring, struct fz_rng *r,
				  unsigned int max);
int fz_ring_enter(struct fz_ring *ring, struct fz_rng *r);
void fz_ring_reap(struct fz_ring *ring, struct fz_rng *r);
void fz_ring_scribble(struct fz_ring *ring, struct fz_rng *r);
void fz_ring_taint(struct fz_ring *ring, int why);
/* a reaped CQE against what the ring's shadow expects */
void fz_check_cqe(struct fz_ring *ring, const struct xuring_cqe *cqe);
/* pending SQ slots not yet consumed (under sq_lock or alone) */
unsigned int fz_ring_pending(struct fz_ring *ring);
/* account for the SQ slots the kernel consumed (under sq_lock) */
void fz_ring_reap_sq(struct fz_ring *ring);

/* zombie mappings of closed rings, unmapped later */
void fz_zombies_reap(struct fz_rng *r, bool all);
void fz_zombie_add(void *addr, size_t len);

/* the ioctls, with errno checks; return the raw result (-1 and errno) */
int fz_ioctl(int fd, unsigned long cmd, void *arg, const char *what);
/* the ioctl number for @nr, sometimes with an odd size, type or direction */
unsigned long fz_ioc(struct fz_rng *r, unsigned int nr, size_t size,
		     char *arg, size_t room, const char **how);

/* --------------------------------------------------------------- sqe.c */

struct fz_sqe_info {
	bool		blocking;
	bool		nodup;		/* may not be named by two SQ slots */
	bool		vfixed;		/* verified, through a fixed resource */
	int64_t		max_res;
	int64_t		exact;
	int32_t		vreq;
	char		desc[160];
};

void fz_gen_sqe(struct fz_rng *r, struct fz_ring *ring,
		struct xuring_sqe *sqe, struct fz_sqe_info *info);
/* "READV", ..., "UNIMPLEMENTED" or "INVALID" */
const char *fz_op_name(unsigned int op);
/* an op the module has a row for (src/opdef.c) */
bool fz_op_implemented(unsigned int op);
/* the largest count a read or write may return */
#define FZ_MAX_RW_COUNT	0x7ffff000LL

/* --------------------------------------------------------------- ops.c */

void fz_op_run(struct fz_rng *r);
void fz_ops_fini(void);

/* -------------------------------------------------------------- child.c */

void fz_child_fork(struct fz_rng *r, int mode);
void fz_children_reap(bool wait_all);
/* give the children of the process shapes up to @ms to finish */
void fz_children_settle(unsigned int ms);
unsigned int fz_children_live(void);
/* a process of ours that is not a plain fork (a clone(CLONE_VM) sibling) */
bool fz_child_adopt(pid_t pid, const char *what, unsigned int ms);
/* in a child: drop to uid/gid 65534 for this process only */
bool fz_child_drop_privileges(void);
void __attribute__((noreturn)) fz_child_fail(const char *fmt, ...)
	FZ_PRINTF(1, 2);
/* raw ENTER/REGISTER of a child: no checks, no locks */
int fz_child_enter(int fd, unsigned int to_submit, unsigned int flags);
int fz_child_register(int fd, unsigned int op, void *arg, unsigned int nr);

/* --------------------------------------------------------------- exec.c */

/* argv[1] == "--child-exec": what an exec of ourselves runs */
int fz_exec_main(int argc, char **argv);
void fz_exec_init(void);
void fz_exec_fini(void);
void fz_shape_exec(struct fz_rng *r);
void fz_shape_vfork(struct fz_rng *r);
void fz_shape_compat(struct fz_rng *r);

/* ---------------------------------------------------------------- scm.c */

void fz_shape_scm(struct fz_rng *r);
void fz_foreign_op(struct fz_rng *r);
void fz_foreign_close_all(void);

/* -------------------------------------------------------------- cover.c */

int fz_cover_init(void);
void fz_cover_thread_start(void);
void fz_cover_thread_stop(void);
void fz_cover_op_begin(void);
/* the module PCs this op reached that no op reached before */
unsigned int fz_cover_op_end(void);
uint64_t fz_cover_pcs(void);
bool fz_cover_active(void);

/* a program: segments of ops, op k of a segment drawing from seed/first+k */
#define FZ_PROG_SEGS	16
#define FZ_PROG_MAX_OPS	1024
#define FZ_PROG_OPS_DEFAULT	128	/* --program-ops */

struct fz_seg {
	uint64_t	seed;
	uint64_t	first;
	uint32_t	count;
};

struct fz_prog {
	struct fz_seg	seg[FZ_PROG_SEGS];
	unsigned int	nseg;
	char		origin[96];
};

uint64_t fz_prog_len(const struct fz_prog *p);
uint64_t fz_prog_op_seed(const struct fz_prog *p, uint64_t i);
int fz_prog_parse(const char *text, struct fz_prog *p);
void fz_prog_format(const struct fz_prog *p, char *buf, size_t len);
/* the single-threaded loop: corpus, then fresh and mutated programs */
void fz_programs_run(struct fz_thread *t);
/* the replay arguments for where the run is now */
void fz_replay_args(char *buf, size_t len);
void fz_cover_print(void);

/* ------------------------------------------------------------ selftest.c */

int fz_selftest(void);

#endif /* XURING_FUZZ_H */
