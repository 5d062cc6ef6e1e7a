// SPDX-License-Identifier: GPL-2.0
/*
 * SQE generation: every opcode (0..255), every flag, every field, with
 * values that are mostly plausible (so requests get past prep and do real
 * I/O: aligned O_DIRECT on block devices, pipes, sockets, tmpfs and ext4
 * files) and sometimes not (bad fds, fixed slots out of range, unmapped,
 * read-only, kernel and non-canonical buffers, huge lengths, iovec arrays
 * with bad entries, negative offsets, unknown flag bits).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "fuzz.h"

static const uint8_t fz_implemented[] = {
	XURING_OP_NOP, XURING_OP_READV, XURING_OP_WRITEV, XURING_OP_FSYNC,
	XURING_OP_READ_FIXED, XURING_OP_WRITE_FIXED,
	XURING_OP_SYNC_FILE_RANGE, XURING_OP_FALLOCATE, XURING_OP_READ,
	XURING_OP_WRITE, XURING_OP_FADVISE,
};

const char *fz_op_name(unsigned int op)
{
	switch (op) {
	case XURING_OP_NOP: return "NOP";
	case XURING_OP_READV: return "READV";
	case XURING_OP_WRITEV: return "WRITEV";
	case XURING_OP_FSYNC: return "FSYNC";
	case XURING_OP_READ_FIXED: return "READ_FIXED";
	case XURING_OP_WRITE_FIXED: return "WRITE_FIXED";
	case XURING_OP_SYNC_FILE_RANGE: return "SYNC_FILE_RANGE";
	case XURING_OP_FALLOCATE: return "FALLOCATE";
	case XURING_OP_READ: return "READ";
	case XURING_OP_WRITE: return "WRITE";
	case XURING_OP_FADVISE: return "FADVISE";
	}
	return op < XURING_OP_LAST ? "UNIMPLEMENTED" : "INVALID";
}

bool fz_op_implemented(unsigned int op)
{
	return op < XURING_OP_LAST && strcmp(fz_op_name(op), "UNIMPLEMENTED");
}

static uint64_t fz_gen_off(struct fz_rng *r, bool aligned)
{
	if (aligned)
		return 4096 * fz_below(r, 16384);	/* within 64 MiB */
	switch (fz_below(r, 10)) {
	case 0: return (uint64_t)-1;			/* the file position */
	case 1: return (uint64_t)-2;
	case 2: return fz_interesting(r, 64);
	case 3: return 1ULL << 62;
	case 4: return fz_rand(r);
	case 5: return 0;
	default: return fz_below(r, 1 << 20);
	}
}

static uint32_t fz_gen_rw_flags(struct fz_rng *r)
{
	if (fz_chance(r, 3, 4))
		return 0;
	switch (fz_below(r, 8)) {
	case 0: return RWF_HIPRI;
	case 1: return RWF_DSYNC;
	case 2: return RWF_SYNC;
	case 3: return RWF_NOWAIT;
	case 4: return RWF_APPEND;
	case 5: return (uint32_t)fz_below(r, 32);
	default: return (uint32_t)fz_rand(r);
	}
}

static uint16_t fz_gen_ioprio(struct fz_rng *r)
{
	if (fz_chance(r, 9, 10))
		return 0;
	/* class in the top 3 bits, level (or data) below */
	return (uint16_t)((fz_below(r, 8) << 13) |
			  (fz_chance(r, 3, 4) ? fz_below(r, 9) : fz_rand(r) & 0x1fff));
}

static bool fz_may_block(int op, int kind, bool fixed, uint32_t rw_flags)
{
	bool rd = op == XURING_OP_READ || op == XURING_OP_READV ||
		  op == XURING_OP_READ_FIXED;
	bool wr = op == XURING_OP_WRITE || op == XURING_OP_WRITEV ||
		  op == XURING_OP_WRITE_FIXED;

	if (rw_flags & RWF_NOWAIT)
		return false;
	if (fixed)	/* the table may hold anything */
		return rd || wr;
	if (rd)
		return kind == FD_PIPE_R || kind == FD_SOCK;
	if (wr)
		return kind == FD_PIPE_W || kind == FD_SOCK;
	return false;
}

/*
 * What import_single_range() and import_iovec() check: the range must lie
 * below TASK_SIZE_MAX (47 or 56 bits, which the kernel chose at boot).
 */
static uint64_t fz_task_size_max(void)
{
	static uint64_t max;

	if (!max) {
		/* a hint above 47 bits is honoured only with 5-level paging */
		void *p = mmap((void *)(1ULL << 52), 4096, PROT_NONE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
			       -1, 0);

		if (p != MAP_FAILED) {
			munmap(p, 4096);
			max = (1ULL << 56) - 4096;
		} else {
			max = (1ULL << 47) - 4096;
		}
	}
	return max;
}

static bool fz_access_ok(uint64_t addr, uint64_t len)
{
	uint64_t limit = fz_task_size_max();

	return len <= limit && addr <= limit - len;
}

static void fz_expect_init(struct fz_sqe_info *info)
{
	info->max_res = INT64_MAX;
	info->exact = -1;
	info->vreq = -1;
	info->nodup = false;
	info->vfixed = false;
}

/*
 * Successes whose size the fd decides: /dev/null takes every byte and
 * gives none, /dev/zero gives a page without looking back, a read-only
 * pattern file refuses writes. Only for stable fds: a pool fd may be
 * another file by the time the kernel looks it up.
 */
static void fz_expect_stable(struct fz_sqe_info *info, int fd, bool write,
			     uint64_t total, bool buffer_valid)
{
	int st = fz_stable_of(fd);

	if (st < 0 || info->max_res < 0)
		return;
	if (st == STABLE_NULL)
		info->exact = write ? (int64_t)total : 0;
	else if (st == STABLE_ZERO && !write && buffer_valid && total <= 4096)
		info->exact = total;
	else if (fz_world.stable[st].pat && write)
		info->max_res = -1;	/* opened read-only: EBADF */
}

/* READ, WRITE and their fixed versions: one buffer */
static void fz_gen_rw_single(struct fz_rng *r, struct fz_ring *ring,
			     struct xuring_sqe *sqe, bool write, bool fixed,
			     struct fz_sqe_info *info, char *desc, size_t dlen)
{
	struct fz_buf b;
	bool wellformed = fz_chance(r, 2, 5);
	uint64_t len;

	if (fixed && ring->nr_bufs && fz_chance(r, 4, 5)) {
		unsigned int i = fz_below(r, ring->nr_bufs);
		uint64_t off = fz_below(r, ring->bufs[i].len);

		sqe->buf_index = fz_chance(r, 9, 10) ? i :
				 (uint16_t)fz_interesting(r, 16);
		if (wellformed)
			off &= ~4095ULL;
		b.addr = ring->bufs[i].addr + off;
		b.len = fz_chance(r, 3, 4) ?
			fz_range(r, 0, ring->bufs[i].len - off) :
			fz_pick_len(r, ring->bufs[i].len - off);
		if (wellformed)
			b.len = (b.len + 511) & ~511ULL;
		b.what = "fixed-buf";
		/* only verified reads store into the check arena */
		if (ring->bufs[i].check && !write) {
			b.addr = (uint64_t)(uintptr_t)fz_world.rw;
			b.what = "outside-fixed-buf";
		}
	} else if (wellformed) {
		b.addr = (uint64_t)(uintptr_t)fz_world.rw +
			 4096 * fz_below(r, fz_world.rw_size / 4096 - 16);
		b.len = 512 * fz_range(r, 1, 64);
		b.what = "rw-aligned";
		if (fixed)
			sqe->buf_index = fz_below(r, 4);
	} else {
		fz_pick_buf(r, write ? BUF_KERNEL_READS : BUF_KERNEL_WRITES, &b);
		if (fixed)
			sqe->buf_index = fz_chance(r, 1, 2) ? fz_below(r, 4) :
					 (uint16_t)fz_interesting(r, 16);
	}
	sqe->addr = b.addr;
	sqe->len = (uint32_t)b.len;
	sqe->off = fz_gen_off(r, wellformed);
	sqe->rw_flags = fz_gen_rw_flags(r);
	sqe->ioprio = fz_gen_ioprio(r);

	len = sqe->len < FZ_MAX_RW_COUNT ? sqe->len : FZ_MAX_RW_COUNT;
	info->max_res = len;
	if (!fixed) {
		if (!fz_access_ok(sqe->addr, len))
			info->max_res = -1;	/* EFAULT at import */
		else if (!(sqe->flags & XURING_SQE_FIXED_FILE))
			fz_expect_stable(info, sqe->fd, write, len,
					 !strcmp(b.what, "rw-aligned"));
	}
	snprintf(desc, dlen, "%s:%#llx len %u off %lld rwf %#x prio %#x bi %u",
		 b.what, (unsigned long long)b.addr, sqe->len,
		 (long long)sqe->off, sqe->rw_flags, sqe->ioprio, sqe->buf_index);
}

/* What import_iovec() makes of @iov[0..nr): -1 if it fails, else the total. */
static int64_t fz_iovec_total(const struct iovec *iov, unsigned int nr)
{
	int64_t total = 0;
	unsigned int i;

	if (nr > 1024)		/* UIO_MAXIOV */
		return -1;
	for (i = 0; i < nr; i++) {
		uint64_t len = iov[i].iov_len;

		if ((int64_t)len < 0)
			return -1;
		if (!fz_access_ok((uintptr_t)iov[i].iov_base, len))
			return -1;
		if ((int64_t)len > FZ_MAX_RW_COUNT - total)
			len = FZ_MAX_RW_COUNT - total;
		total += len;
	}
	return total;
}

static void fz_gen_rw_vec(struct fz_rng *r, struct xuring_sqe *sqe,
			  bool write, struct fz_sqe_info *info, char *desc,
			  size_t dlen)
{
	int use = write ? BUF_KERNEL_READS : BUF_KERNEL_WRITES;
	char iovdesc[80] = "";
	const char *bad = NULL;
	struct iovec *iov = NULL;
	unsigned int nr, built = 0;
	bool valid = false;
	size_t max;

	switch (fz_below(r, 12)) {
	case 0: nr = 0; break;
	case 1: nr = 1024; break;		/* UIO_MAXIOV */
	case 2: nr = 1025; break;
	case 3: nr = (uint32_t)fz_interesting(r, 32); break;
	default: nr = fz_range(r, 1, 6); break;
	}
	if (fz_chance(r, 1, 12)) {
		sqe->addr = fz_bad_ptr(r, &bad);
	} else {
		/*
		 * An array of our own in the check arena, so that it still
		 * holds this request's iovecs when the kernel copies them; if
		 * there is no room, the thread's scratch (unchecked).
		 */
		size_t want = (nr < 1024 ? nr : 1024) * sizeof(*iov);
		int v = want ? fz_vreq_new() : -1;

		if (v >= 0) {
			struct fz_vreq *vr = fz_vreq_get(v);

			iov = fz_check_alloc(want, false);
			if (iov) {
				vr->iov = (char *)iov;
				vr->iov_len = want;
				info->vreq = v;
				max = want / sizeof(*iov);
			} else {
				fz_vreq_abandon(v);
			}
		}
		if (!iov)
			iov = fz_iov_scratch(&max);
		built = nr < max ? nr : max;
		if (fz_chance(r, 2, 5)) {
			/* sector-aligned segments, for O_DIRECT */
			unsigned int i, n = built > 8 ? 8 : built;

			for (i = 0; i < n; i++) {
				iov[i].iov_base = fz_world.rw + 4096 *
					fz_below(r, fz_world.rw_size / 4096 - 16);
				iov[i].iov_len = 512 * fz_range(r, 1, 16);
			}
			if (nr > 8)
				nr = built = n;
			snprintf(iovdesc, sizeof(iovdesc), "%u aligned", n);
			valid = true;
		} else {
			fz_fill_iovec(r, use, iov, built, iovdesc,
				      sizeof(iovdesc));
		}
		sqe->addr = (uintptr_t)iov;
	}
	sqe->len = nr;
	sqe->off = fz_gen_off(r, fz_chance(r, 1, 3));
	sqe->rw_flags = fz_gen_rw_flags(r);
	sqe->ioprio = fz_gen_ioprio(r);

	if (nr > 1024)
		info->max_res = -1;
	else if (!nr)
		info->max_res = 0;
	else if (bad)
		info->max_res = -1;	/* the array itself is unreadable */
	else if (built == nr)
		info->max_res = fz_iovec_total(iov, nr);
	if (built == nr && info->max_res >= 0 &&
	    !(sqe->flags & XURING_SQE_FIXED_FILE))
		fz_expect_stable(info, sqe->fd, write, info->max_res, valid);
	snprintf(desc, dlen, "iov %s nr %u [%s] off %lld rwf %#x",
		 bad ? bad : "", nr, iovdesc, (long long)sqe->off, sqe->rw_flags);
}

/* The flags every op takes: links, drain, async, CQE_SKIP_SUCCESS. */
static uint8_t fz_gen_chain_flags(struct fz_rng *r)
{
	uint8_t flags = 0;

	if (fz_chance(r, 1, 8))
		flags |= XURING_SQE_IO_LINK;
	if (fz_chance(r, 1, 20))
		flags |= XURING_SQE_IO_HARDLINK;
	if (fz_chance(r, 1, 25))
		flags |= XURING_SQE_IO_DRAIN;
	if (fz_chance(r, 1, 8))
		flags |= XURING_SQE_ASYNC;
	if (fz_chance(r, 1, 10))
		flags |= XURING_SQE_CQE_SKIP_SUCCESS;
	return flags;
}

/* ------------------------------------------------------ verified reads */

/* a fixed file slot that holds pattern file @pat, or -1 */
static int fz_fixed_slot_of(struct fz_rng *r, struct fz_ring *ring,
			    unsigned int pat)
{
	unsigned int n = ring->nr_files < FZ_FIXED_TRACK ? ring->nr_files :
			 FZ_FIXED_TRACK, start = fz_below(r, n + 1), i;

	for (i = 0; i < n; i++) {
		unsigned int k = (start + i) % n;

		if (ring->fixed_pat[k] == pat)
			return k;
	}
	return -1;
}

static uint64_t fz_verified_len(struct fz_rng *r, bool direct)
{
	if (direct)
		return 512 * fz_range(r, 1, 32);
	switch (fz_below(r, 4)) {
	case 0: return fz_range(r, 1, 64);
	case 1: return fz_range(r, 1, 4096);
	case 2: return 4096 * fz_range(r, 1, 4);
	default: return fz_range(r, 4096, 16384);
	}
}

/*
 * A READ, READV or READ_FIXED of a pattern file into pages of the check
 * arena that nothing else writes: the CQE's result and the bytes are
 * compared with the file (verify.c). False if there is no pattern file
 * or no room.
 */
static bool fz_gen_verified(struct fz_rng *r, struct fz_ring *ring,
			    struct xuring_sqe *sqe, struct fz_sqe_info *info,
			    uint8_t op)
{
	static const unsigned int pats[] = {
		STABLE_PAT_A, STABLE_PAT_B, STABLE_PAT_DIRECT,
	};
	const struct fz_stable_fd *st =
		&fz_world.stable[pats[fz_below(r, ARRAY_SIZE(pats))]];
	bool single = fz_cfg.threads == 1, direct = st->direct;
	unsigned int nseg = op == XURING_OP_READV ? fz_range(r, 1, 4) : 1;
	uint64_t lens[FZ_VREQ_SEGS], total = 0, chunk = 0;
	int fixed_slot = -1, fixed_buf = -1, v;
	struct fz_vreq *vr;
	unsigned int i;
	char *data;

	if (st->fd < 0)
		return false;
	/* fixed resources change under REGISTER, which other threads run */
	if (op == XURING_OP_READ_FIXED) {
		for (i = 0; single && i < ring->nr_bufs; i++)
			if (ring->bufs[i].check)
				fixed_buf = i;
		if (fixed_buf < 0)
			return false;
	}
	if (single && ring->nr_files && fz_chance(r, 1, 3))
		fixed_slot = fz_fixed_slot_of(r, ring, st->pat);

	for (i = 0; i < nseg; i++) {
		lens[i] = fz_verified_len(r, direct);
		if (total + lens[i] > 65536)
			lens[i] = direct ? 512 : 1;
		total += lens[i];
		/* buffered segments start anywhere; O_DIRECT ones on a sector */
		chunk += (direct ? 0 : 64) + ((lens[i] + 511) & ~511ULL);
	}
	v = fz_vreq_new();
	if (v < 0)
		return false;
	vr = fz_vreq_get(v);
	data = fz_check_alloc(chunk, fixed_buf >= 0);
	if (!data) {
		fz_vreq_abandon(v);
		return false;
	}
	memset(data, FZ_POISON, chunk);
	vr->data = data;
	vr->data_len = chunk;
	vr->pat = st->pat;
	vr->direct = direct;
	vr->size = st->size;
	vr->total = total;
	vr->nseg = nseg;
	for (i = 0; i < nseg; i++) {
		unsigned int mis = direct ? 0 : fz_below(r, 64);

		vr->seg[i].p = data + mis;
		vr->seg[i].len = lens[i];
		data += (direct ? 0 : 64) + ((lens[i] + 511) & ~511ULL);
	}
	if (op == XURING_OP_READV) {
		struct iovec *iov = fz_check_alloc(nseg * sizeof(*iov), false);

		if (!iov) {
			fz_vreq_abandon(v);
			return false;
		}
		vr->iov = (char *)iov;
		vr->iov_len = nseg * sizeof(*iov);
		for (i = 0; i < nseg; i++) {
			iov[i].iov_base = vr->seg[i].p;
			iov[i].iov_len = vr->seg[i].len;
		}
		sqe->addr = (uintptr_t)iov;
		sqe->len = nseg;
	} else {
		sqe->addr = (uintptr_t)vr->seg[0].p;
		sqe->len = total;
		if (fixed_buf >= 0)
			sqe->buf_index = fixed_buf;
	}

	/* mostly inside the file, sometimes across or past its end */
	vr->by_pos = !direct && fz_chance(r, 1, 10);
	if (vr->by_pos)
		vr->off = (uint64_t)-1;
	else if (direct)
		vr->off = 512 * fz_below(r, (st->size + 8192) / 512);
	else if (fz_chance(r, 1, 8))
		vr->off = st->size - fz_below(r, 2 * total + 1) + total;
	else
		vr->off = fz_below(r, st->size);
	sqe->off = vr->off;

	sqe->opcode = op;
	sqe->fd = fixed_slot >= 0 ? fixed_slot : st->fd;
	sqe->flags = fz_gen_chain_flags(r) |
		     (fixed_slot >= 0 ? XURING_SQE_FIXED_FILE : 0);

	info->vreq = v;
	info->nodup = true;
	info->vfixed = fixed_slot >= 0 || fixed_buf >= 0;
	info->max_res = total;
	snprintf(info->desc, sizeof(info->desc),
		 "%s(%u) fl %#x fd %d%s verified: pattern %u off %lld len %llu segs %u%s",
		 op == XURING_OP_READ ? "READ" : op == XURING_OP_READV ? "READV" :
		 "READ_FIXED", op, sqe->flags, sqe->fd,
		 fixed_slot >= 0 ? "(fixed)" : "", st->pat,
		 vr->by_pos ? -1LL : (long long)vr->off,
		 (unsigned long long)total, nseg,
		 fixed_buf >= 0 ? " in the fixed check buffer" : "");
	return true;
}

static uint64_t fz_gen_small_len(struct fz_rng *r)
{
	switch (fz_below(r, 10)) {
	case 0: return 0;
	case 1: return fz_interesting(r, 64);
	case 2: return (uint64_t)-1;
	case 3: return fz_range(r, 1, 16 << 20);
	default: return fz_range(r, 1, 1 << 20);
	}
}

/* Fill @sqe; user_data is the caller's. */
void fz_gen_sqe(struct fz_rng *r, struct fz_ring *ring,
		struct xuring_sqe *sqe, struct fz_sqe_info *info)
{
	char fields[120] = "";
	int kind = FD_CLOSED;
	unsigned int k = fz_below(r, 100);
	uint8_t op;
	bool fixed;

	memset(sqe, 0, sizeof(*sqe));
	info->blocking = false;
	fz_expect_init(info);

	if (k < 75)
		op = fz_implemented[fz_below(r, ARRAY_SIZE(fz_implemented))];
	else if (k < 90)
		op = fz_below(r, XURING_OP_LAST);
	else
		op = fz_below(r, 256);
	sqe->opcode = op;

	/* a third of the reads: of a pattern file, with the data compared */
	if ((op == XURING_OP_READ || op == XURING_OP_READV ||
	     op == XURING_OP_READ_FIXED) && fz_chance(r, 1, 3) &&
	    fz_gen_verified(r, ring, sqe, info, op))
		return;

	sqe->flags = fz_gen_chain_flags(r);
	if (fz_chance(r, ring->nr_files ? 1 : 1, ring->nr_files ? 4 : 30))
		sqe->flags |= XURING_SQE_FIXED_FILE;
	if (fz_chance(r, 1, 60))
		sqe->flags |= XURING_SQE_BUFFER_SELECT;
	if (fz_chance(r, 1, 80))
		sqe->flags |= 0x80;
	if (fz_chance(r, 1, 100))
		sqe->flags = (uint8_t)fz_rand(r);
	fixed = sqe->flags & XURING_SQE_FIXED_FILE;

	if (fixed) {
		if (ring->nr_files && fz_chance(r, 4, 5))
			sqe->fd = fz_below(r, ring->nr_files + 1);
		else
			sqe->fd = (int32_t)fz_interesting(r, 32);
	} else {
		sqe->fd = fz_pick_fd(r, &kind);
	}

	switch (op) {
	case XURING_OP_NOP:
		sqe->fd = fz_chance(r, 1, 2) ? -1 : 0;
		kind = FD_CLOSED;
		if (fz_chance(r, 1, 6)) {
			switch (fz_below(r, 6)) {
			case 0: sqe->fd = fz_pick_fd(r, &kind); break;
			case 1: sqe->off = fz_rand(r) | 1; break;
			case 2: sqe->addr = fz_rand(r) | 1; break;
			case 3: sqe->len = (uint32_t)fz_rand(r) | 1; break;
			case 4: sqe->rw_flags = (uint32_t)fz_rand(r) | 1; break;
			default: sqe->addr3 = fz_rand(r) | 1; break;
			}
		}
		snprintf(fields, sizeof(fields), "off %#llx addr %#llx len %u",
			 (unsigned long long)sqe->off,
			 (unsigned long long)sqe->addr, sqe->len);
		break;
	case XURING_OP_READ:
	case XURING_OP_WRITE:
		fz_gen_rw_single(r, ring, sqe, op == XURING_OP_WRITE, false,
				 info, fields, sizeof(fields));
		break;
	case XURING_OP_READ_FIXED:
	case XURING_OP_WRITE_FIXED:
		fz_gen_rw_single(r, ring, sqe, op == XURING_OP_WRITE_FIXED, true,
				 info, fields, sizeof(fields));
		break;
	case XURING_OP_READV:
	case XURING_OP_WRITEV:
		fz_gen_rw_vec(r, sqe, op == XURING_OP_WRITEV, info, fields,
			      sizeof(fields));
		break;
	case XURING_OP_FSYNC:
		if (fz_chance(r, 1, 4))
			sqe->fsync_flags = fz_chance(r, 2, 3) ?
				XURING_FSYNC_DATASYNC : (uint32_t)fz_rand(r);
		sqe->off = fz_chance(r, 2, 3) ? 0 : fz_gen_off(r, false);
		sqe->len = fz_chance(r, 2, 3) ? 0 : (uint32_t)fz_gen_small_len(r);
		if (fz_chance(r, 1, 12))
			sqe->addr = fz_rand(r);
		snprintf(fields, sizeof(fields), "off %lld len %u fl %#x",
			 (long long)sqe->off, sqe->len, sqe->fsync_flags);
		break;
	case XURING_OP_SYNC_FILE_RANGE:
		sqe->off = fz_gen_off(r, false);
		sqe->len = (uint32_t)fz_gen_small_len(r);
		sqe->sync_range_flags = fz_chance(r, 5, 6) ? fz_below(r, 8) :
					(uint32_t)fz_rand(r);
		snprintf(fields, sizeof(fields), "off %lld len %u fl %#x",
			 (long long)sqe->off, sqe->len, sqe->sync_range_flags);
		break;
	case XURING_OP_FALLOCATE: {
		static const uint32_t modes[] = {
			0, 1 /* KEEP_SIZE */, 3 /* PUNCH_HOLE|KEEP_SIZE */,
			0x10 /* ZERO_RANGE */, 0x11, 8 /* COLLAPSE_RANGE */,
			0x20 /* INSERT_RANGE */, 0x40 /* UNSHARE_RANGE */, 2,
		};

		sqe->off = fz_chance(r, 3, 4) ? 4096 * fz_below(r, 256) :
			   fz_gen_off(r, false);
		/* the length travels in addr; keep tmpfs small */
		switch (fz_below(r, 10)) {
		case 0: sqe->addr = 0; break;
		case 1: sqe->addr = 1ULL << fz_range(r, 40, 63); break;
		case 2: sqe->addr = fz_range(r, 1, 16 << 20); break;
		case 3: sqe->addr = -fz_below(r, 1 << 12) - 1; break;
		default: sqe->addr = fz_range(r, 1, 1 << 20); break;
		}
		/*
		 * Zeroing or punching a block device is writing zero pages
		 * where it has no WRITE_ZEROES: at more than a few MiB that
		 * takes a worker minutes under TCG and KASAN, which the
		 * completion check would call lost (runs saw 2^58 and 2^40
		 * bytes with KEEP_SIZE, that is up to the device's end).
		 * Whatever the fd is now, its number may name a block device
		 * by the time the SQE is submitted (another thread, or a
		 * later op, closes and reuses it), and a fixed file may be
		 * one. So a length is at most 4 MiB, or one vfs_fallocate()
		 * refuses before any work: negative as an loff_t, or past
		 * LLONG_MAX from a valid offset.
		 */
		if (sqe->addr > (4 << 20) && (int64_t)sqe->addr > 0 &&
		    (int64_t)sqe->off >= 0 && (int64_t)(sqe->off + sqe->addr) >= 0)
			sqe->addr = 4 << 20;
		sqe->len = fz_chance(r, 9, 10) ? modes[fz_below(r, ARRAY_SIZE(modes))] :
			   (uint32_t)fz_rand(r);
		snprintf(fields, sizeof(fields), "off %lld len %llu mode %#x",
			 (long long)sqe->off, (unsigned long long)sqe->addr,
			 sqe->len);
		break;
	}
	case XURING_OP_FADVISE:
		sqe->off = fz_gen_off(r, false);
		sqe->len = (uint32_t)fz_gen_small_len(r);
		sqe->fadvise_advice = fz_chance(r, 5, 6) ? fz_below(r, 6) :
				      (uint32_t)fz_rand(r);
		snprintf(fields, sizeof(fields), "off %lld len %u advice %u",
			 (long long)sqe->off, sqe->len, sqe->fadvise_advice);
		break;
	default: {
		/* an opcode xuring does not have: any bytes at all */
		uint8_t flags = sqe->flags;
		int32_t fd = sqe->fd;
		uint64_t *w = (uint64_t *)sqe;
		unsigned int i;

		if (fz_chance(r, 1, 2))
			for (i = 0; i < 8; i++)
				w[i] = fz_rand(r);
		sqe->opcode = op;
		sqe->flags = flags;
		sqe->fd = fd;
		break;
	}
	}

	/* fields no implemented op uses, now and then */
	if (fz_chance(r, 1, 40)) {
		switch (fz_below(r, 5)) {
		case 0: sqe->personality = (uint16_t)fz_rand(r) | 1; break;
		case 1: sqe->file_index = (uint32_t)fz_rand(r) | 1; break;
		case 2: sqe->addr3 = fz_rand(r) | 1; break;
		case 3: sqe->__pad2[0] = fz_rand(r) | 1; break;
		default: sqe->buf_index = (uint16_t)fz_rand(r) | 1; break;
		}
	}

	info->blocking = fz_may_block(op, kind, fixed, sqe->rw_flags);
	snprintf(info->desc, sizeof(info->desc), "%s(%u) fl %#x fd %d%s%s%s %s",
		 fz_op_name(op), op, sqe->flags, sqe->fd, fixed ? "(fixed)" : "(",
		 fixed ? "" : fz_fd_kind_names[kind], fixed ? "" : ")", fields);
}
