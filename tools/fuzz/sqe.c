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

#include "fuzz.h"

static const uint8_t fz_implemented[] = {
	XURING_OP_NOP, XURING_OP_READV, XURING_OP_WRITEV, XURING_OP_FSYNC,
	XURING_OP_READ_FIXED, XURING_OP_WRITE_FIXED,
	XURING_OP_SYNC_FILE_RANGE, XURING_OP_FALLOCATE, XURING_OP_READ,
	XURING_OP_WRITE, XURING_OP_FADVISE,
};

static const char *fz_op_name(unsigned int op)
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

/* READ, WRITE and their fixed versions: one buffer */
static void fz_gen_rw_single(struct fz_rng *r, struct fz_ring *ring,
			     struct xuring_sqe *sqe, bool write, bool fixed,
			     char *desc, size_t dlen)
{
	struct fz_buf b;
	bool wellformed = fz_chance(r, 2, 5);

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
	snprintf(desc, dlen, "%s:%#llx len %u off %lld rwf %#x prio %#x bi %u",
		 b.what, (unsigned long long)b.addr, sqe->len,
		 (long long)sqe->off, sqe->rw_flags, sqe->ioprio, sqe->buf_index);
}

static void fz_gen_rw_vec(struct fz_rng *r, struct xuring_sqe *sqe,
			  bool write, char *desc, size_t dlen, bool *taints)
{
	char iovdesc[80] = "";
	const char *bad = NULL;
	unsigned int nr;

	switch (fz_below(r, 12)) {
	case 0: nr = 0; break;
	case 1: nr = 1024; break;		/* UIO_MAXIOV */
	case 2: nr = 1025; break;
	case 3: nr = (uint32_t)fz_interesting(r, 32); break;
	default: nr = fz_range(r, 1, 6); break;
	}
	if (fz_chance(r, 1, 12)) {
		sqe->addr = fz_bad_ptr(r, &bad);
	} else if (fz_chance(r, 2, 5)) {
		/* sector-aligned segments, for O_DIRECT */
		struct iovec *iov = (struct iovec *)(uintptr_t)
			fz_build_iovec(r, write ? BUF_KERNEL_READS :
				       BUF_KERNEL_WRITES, 0, iovdesc,
				       sizeof(iovdesc), taints);
		unsigned int i, n = nr > 8 ? 8 : nr;

		for (i = 0; i < n; i++) {
			iov[i].iov_base = fz_world.rw + 4096 *
				fz_below(r, fz_world.rw_size / 4096 - 16);
			iov[i].iov_len = 512 * fz_range(r, 1, 16);
		}
		sqe->addr = (uintptr_t)iov;
		if (nr > 8)
			nr = n;
		snprintf(iovdesc, sizeof(iovdesc), "%u aligned", n);
	} else {
		sqe->addr = fz_build_iovec(r, write ? BUF_KERNEL_READS :
					   BUF_KERNEL_WRITES, nr, iovdesc,
					   sizeof(iovdesc), taints);
	}
	sqe->len = nr;
	sqe->off = fz_gen_off(r, fz_chance(r, 1, 3));
	sqe->rw_flags = fz_gen_rw_flags(r);
	sqe->ioprio = fz_gen_ioprio(r);
	snprintf(desc, dlen, "iov %s nr %u [%s] off %lld rwf %#x",
		 bad ? bad : "", nr, iovdesc, (long long)sqe->off, sqe->rw_flags);
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
	info->taints_ring = false;

	if (k < 75)
		op = fz_implemented[fz_below(r, ARRAY_SIZE(fz_implemented))];
	else if (k < 90)
		op = fz_below(r, XURING_OP_LAST);
	else
		op = fz_below(r, 256);
	sqe->opcode = op;

	if (fz_chance(r, 1, 8))
		sqe->flags |= XURING_SQE_IO_LINK;
	if (fz_chance(r, 1, 20))
		sqe->flags |= XURING_SQE_IO_HARDLINK;
	if (fz_chance(r, 1, 25))
		sqe->flags |= XURING_SQE_IO_DRAIN;
	if (fz_chance(r, 1, 8))
		sqe->flags |= XURING_SQE_ASYNC;
	if (fz_chance(r, 1, 10))
		sqe->flags |= XURING_SQE_CQE_SKIP_SUCCESS;
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
				 fields, sizeof(fields));
		break;
	case XURING_OP_READ_FIXED:
	case XURING_OP_WRITE_FIXED:
		fz_gen_rw_single(r, ring, sqe, op == XURING_OP_WRITE_FIXED, true,
				 fields, sizeof(fields));
		break;
	case XURING_OP_READV:
	case XURING_OP_WRITEV:
		fz_gen_rw_vec(r, sqe, op == XURING_OP_WRITEV, fields,
			      sizeof(fields), &info->taints_ring);
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
		default: sqe->addr = fz_range(r, 1, 1 << 20); break;
		}
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
