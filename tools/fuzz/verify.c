// SPDX-License-Identifier: GPL-2.0
/*
 * What a read must have brought: pattern files whose every byte says which
 * file and offset it belongs to, the check arena (pages that one request
 * at a time may write), and the comparison of a read's buffer with the
 * file after its CQE.
 *
 * A verified read owns its pages from the SQE until its last CQE: they are
 * filled with FZ_POISON first, so the bytes past the result must still be
 * poison afterwards. Pages of a request whose CQE will never come (an
 * abrupt close, a tainted ring) are quarantined until the next reset,
 * when no ring that could still write them is left.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include "fuzz.h"

#define PAGE	4096UL

/* ------------------------------------------------------------ patterns */

uint64_t fz_pat_word(unsigned int pat, uint64_t widx)
{
	return FZ_PAT_MAGIC << 48 | (uint64_t)(pat & 0xff) << 40 |
	       (widx & ((1ULL << 40) - 1));
}

static inline uint8_t fz_pat_byte(unsigned int pat, uint64_t pos)
{
	return fz_pat_word(pat, pos / 8) >> (8 * (pos % 8));
}

int fz_pat_write(int fd, unsigned int pat, uint64_t size)
{
	static char buf[65536];
	uint64_t pos = 0;

	while (pos < size) {
		size_t n = size - pos < sizeof(buf) ? size - pos : sizeof(buf);
		size_t i;

		for (i = 0; i < n; i++)
			buf[i] = fz_pat_byte(pat, pos + i);
		if (pwrite(fd, buf, n, pos) != (ssize_t)n)
			return -1;
		pos += n;
	}
	return 0;
}

int64_t fz_pat_diff(const void *buf, size_t n, unsigned int pat, uint64_t pos)
{
	const uint8_t *b = buf;
	size_t i;

	for (i = 0; i < n; i++)
		if (b[i] != fz_pat_byte(pat, pos + i))
			return i;
	return -1;
}

bool fz_pat_locate(const void *buf, size_t n, unsigned int pat, uint64_t *pos)
{
	const uint8_t *b = buf;
	unsigned int k;

	if (n < 16)
		return false;
	/* one of the first eight bytes starts a whole word */
	for (k = 0; k < 8; k++) {
		uint64_t w;

		memcpy(&w, b + k, 8);
		if (w >> 40 != (FZ_PAT_MAGIC << 8 | (pat & 0xff)))
			continue;
		if ((w & ((1ULL << 40) - 1)) * 8 < k)
			continue;
		*pos = (w & ((1ULL << 40) - 1)) * 8 - k;
		if (fz_pat_diff(buf, n, pat, *pos) < 0)
			return true;
	}
	return false;
}

bool fz_pat_seen(const void *buf, size_t n, unsigned int pat)
{
	const uint8_t *b = buf;
	uint64_t want = FZ_PAT_MAGIC << 8 | (pat & 0xff);
	size_t i;

	for (i = 0; i + 8 <= n; i++) {
		uint64_t w;

		memcpy(&w, b + i, 8);
		if (w >> 40 == want)
			return true;
	}
	return false;
}

/* ----------------------------------------------------------- the arena */

enum { PG_FREE, PG_USED, PG_QUARANTINE };

char *fz_check_base;
static uint8_t fz_check_state[FZ_CHECK_PAGES];
static unsigned int fz_check_cursor[2];
static unsigned int fz_check_nr_quarantined;
static pthread_mutex_t fz_check_lock = PTHREAD_MUTEX_INITIALIZER;

int fz_check_init(void)
{
	size_t size = FZ_CHECK_PAGES * PAGE;
	char *base = mmap(NULL, size + 2 * PAGE, PROT_NONE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (base == MAP_FAILED)
		return -1;
	if (mprotect(base + PAGE, size, PROT_READ | PROT_WRITE))
		return -1;
	fz_check_base = base + PAGE;
	memset(fz_check_base, FZ_POISON, size);
	return 0;
}

bool fz_in_check_arena(uint64_t addr, uint64_t len)
{
	uint64_t base = (uint64_t)(uintptr_t)fz_check_base;

	return fz_check_base && addr < base + FZ_CHECK_PAGES * PAGE &&
	       addr + len > base;
}

void *fz_check_alloc(size_t len, bool fixed)
{
	unsigned int lo = fixed ? 0 : FZ_CHECK_FIXED_PAGES;
	unsigned int hi = fixed ? FZ_CHECK_FIXED_PAGES : FZ_CHECK_PAGES;
	unsigned int n = (len + PAGE - 1) / PAGE, span = hi - lo, i, j, start;
	void *p = NULL;

	if (!fz_check_base || !n || n > 32)
		return NULL;
	pthread_mutex_lock(&fz_check_lock);
	/* first fit from where the last one ended, wrapping once */
	for (i = 0; i < span && !p; i++) {
		start = lo + (fz_check_cursor[fixed] + i) % span;
		if (start + n > hi)
			continue;
		for (j = 0; j < n; j++)
			if (fz_check_state[start + j] != PG_FREE)
				break;
		if (j < n) {
			i += j;
			continue;
		}
		memset(&fz_check_state[start], PG_USED, n);
		fz_check_cursor[fixed] = start + n - lo;
		p = fz_check_base + start * PAGE;
	}
	pthread_mutex_unlock(&fz_check_lock);
	return p;
}

void fz_check_release(void *p, size_t len, bool quarantine)
{
	unsigned int first, n = (len + PAGE - 1) / PAGE;

	if (!p)
		return;
	first = ((char *)p - fz_check_base) / PAGE;
	pthread_mutex_lock(&fz_check_lock);
	memset(&fz_check_state[first], quarantine ? PG_QUARANTINE : PG_FREE, n);
	if (quarantine)
		fz_check_nr_quarantined += n;
	pthread_mutex_unlock(&fz_check_lock);
}

unsigned int fz_check_quarantined(void)
{
	return __atomic_load_n(&fz_check_nr_quarantined, __ATOMIC_RELAXED);
}

/* No ring is left that could write the arena: everything is free again. */
void fz_check_reset(void)
{
	unsigned int i;

	pthread_mutex_lock(&fz_check_lock);
	for (i = 0; i < FZ_CHECK_PAGES; i++)
		if (fz_check_state[i] == PG_QUARANTINE)
			fz_check_state[i] = PG_FREE;
	fz_check_nr_quarantined = 0;
	pthread_mutex_unlock(&fz_check_lock);
}

/* ------------------------------------------------- verified requests */

static struct fz_vreq fz_vreqs[FZ_NR_VREQ];
static unsigned int fz_vreq_cursor;
static pthread_mutex_t fz_vreq_lock = PTHREAD_MUTEX_INITIALIZER;

int fz_vreq_new(void)
{
	unsigned int i;
	int found = -1;

	pthread_mutex_lock(&fz_vreq_lock);
	for (i = 0; i < FZ_NR_VREQ; i++) {
		unsigned int k = (fz_vreq_cursor + i) % FZ_NR_VREQ;

		if (!fz_vreqs[k].refs) {
			memset(&fz_vreqs[k], 0, sizeof(fz_vreqs[k]));
			/* held by the generator until the SQ slot takes it */
			fz_vreqs[k].refs = 1;
			fz_vreq_cursor = k + 1;
			found = k;
			break;
		}
	}
	pthread_mutex_unlock(&fz_vreq_lock);
	return found;
}

struct fz_vreq *fz_vreq_get(int i)
{
	return i >= 0 && i < FZ_NR_VREQ ? &fz_vreqs[i] : NULL;
}

void fz_vreq_ref(int i)
{
	__atomic_add_fetch(&fz_vreqs[i].refs, 1, __ATOMIC_RELAXED);
}

static void fz_vreq_put(int i, bool quarantine)
{
	struct fz_vreq *v = &fz_vreqs[i];

	if (__atomic_sub_fetch(&v->refs, 1, __ATOMIC_ACQ_REL))
		return;
	if (v->data) {
		if (!quarantine)	/* poisoned again for the next owner */
			memset(v->data, FZ_POISON, v->data_len);
		fz_check_release(v->data, v->data_len, quarantine);
	}
	fz_check_release(v->iov, v->iov_len, quarantine);
}

void fz_vreq_abandon(int i)
{
	fz_vreq_put(i, true);
}

void fz_vreq_release(int i)
{
	fz_vreq_put(i, false);
}

/* The segments' bytes in order, @n of them, into @out. */
static void fz_vreq_gather(const struct fz_vreq *v, uint8_t *out, size_t n)
{
	unsigned int s;

	for (s = 0; s < v->nseg && n; s++) {
		size_t k = v->seg[s].len < n ? v->seg[s].len : n;

		memcpy(out, v->seg[s].p, k);
		out += k;
		n -= k;
	}
}

/*
 * Bytes past the first @res must be the poison we left there; an O_DIRECT
 * read across EOF may have zeroed them (iomap fills the hole past EOF in
 * the user's buffer and reports only up to EOF).
 */
static int64_t fz_vreq_untouched(const struct fz_vreq *v, uint64_t res)
{
	bool zeros_ok = v->direct && v->off + v->total > v->size;
	uint64_t at = 0;
	unsigned int s;

	for (s = 0; s < v->nseg; s++) {
		uint64_t i;

		for (i = 0; i < v->seg[s].len; i++, at++) {
			uint8_t b = v->seg[s].p[i];

			if (at >= res && b != FZ_POISON && !(zeros_ok && !b))
				return at;
		}
	}
	return -1;
}

static void fz_vreq_check(struct fz_ring *ring, uint64_t ud,
			  const struct fz_vreq *v, int32_t res, bool silent)
{
	uint64_t expect = v->off >= v->size ? 0 :
			  v->size - v->off < v->total ? v->size - v->off :
			  v->total;
	uint64_t pos = v->off;
	int64_t bad;
	uint8_t *data;

	if (res < 0) {
		/*
		 * Cancelled in a chain or at teardown; IOPOLL wants O_DIRECT;
		 * an allocation that fault injection failed in the
		 * submitter (read(2) fails with -ENOMEM then too).
		 */
		if (res == -ECANCELED ||
		    (res == -EOPNOTSUPP && (ring->p.flags & XURING_SETUP_IOPOLL)) ||
		    (res == -ENOMEM && fz_cfg.fail_nth))
			return;
		fz_fail("ring %d: verified read ud %#llx of pattern %u (off %lld len %llu) failed with %d (%s)",
			ring->idx, (unsigned long long)ud, v->pat,
			v->by_pos ? -1LL : (long long)v->off,
			(unsigned long long)v->total, res, strerror(-res));
		return;
	}
	if (v->by_pos) {
		/* from the file position, which others move: any offset */
		if (silent || (uint64_t)res > v->total) {
			if ((uint64_t)res > v->total)
				fz_fail("ring %d: read ud %#llx at the file position returned %d for %llu bytes",
					ring->idx, (unsigned long long)ud, res,
					(unsigned long long)v->total);
			return;
		}
	} else {
		if (silent)
			res = expect;
		if ((uint64_t)res != expect) {
			fz_fail("ring %d: verified read ud %#llx of pattern %u (size %llu) at %llu for %llu bytes returned %d, expected %llu%s",
				ring->idx, (unsigned long long)ud, v->pat,
				(unsigned long long)v->size,
				(unsigned long long)v->off,
				(unsigned long long)v->total, res,
				(unsigned long long)expect,
				silent ? " (no CQE: CQE_SKIP_SUCCESS)" : "");
			return;
		}
	}
	data = malloc(res + 1);
	if (!data)
		return;
	fz_vreq_gather(v, data, res);
	if (v->by_pos && res >= 16 && !fz_pat_locate(data, res, v->pat, &pos)) {
		fz_fail("ring %d: read ud %#llx at the file position of pattern %u: %d bytes that are no run of the file (first word %#llx)",
			ring->idx, (unsigned long long)ud, v->pat, res,
			(unsigned long long)*(uint64_t *)data);
		free(data);
		return;
	}
	if (!v->by_pos || res >= 16) {
		bad = fz_pat_diff(data, res, v->pat, pos);
		if (bad >= 0) {
			fz_fail("ring %d: verified read ud %#llx of pattern %u at %llu: byte %lld of %d is %#x, the file has %#x there%s",
				ring->idx, (unsigned long long)ud, v->pat,
				(unsigned long long)pos, (long long)bad, res,
				data[bad],
				(uint8_t)(fz_pat_word(v->pat, (pos + bad) / 8) >>
					  (8 * ((pos + bad) % 8))),
				silent ? " (no CQE: CQE_SKIP_SUCCESS)" : "");
			free(data);
			return;
		}
		fz_stat_inc(verified_reads);
		fz_stat_add(verified_bytes, res);
	}
	free(data);
	bad = fz_vreq_untouched(v, res);
	if (bad >= 0)
		fz_fail("ring %d: read ud %#llx returned %d but wrote byte %lld of its %llu-byte buffer",
			ring->idx, (unsigned long long)ud, res, (long long)bad,
			(unsigned long long)v->total);
}

void fz_vreq_complete(struct fz_ring *ring, uint64_t ud, int i, int32_t res,
		      bool silent)
{
	struct fz_vreq *v = &fz_vreqs[i];

	/* a scribbled SQE may have aimed anything anywhere: no verdict */
	if (v->pat && !ring->tainted)
		fz_vreq_check(ring, ud, v, res, silent);
	fz_vreq_put(i, ring->tainted);
}
