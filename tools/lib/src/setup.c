// SPDX-License-Identifier: (GPL-2.0 OR MIT)
/*
 * Ring setup and teardown: create the ring, map its three regions, and
 * point struct io_uring into them; probing; memlock estimates.
 */
#include "lib.h"

static size_t xr_sqe_size(unsigned int setup_flags)
{
	if (setup_flags & IORING_SETUP_SQE128)
		return 2 * sizeof(struct io_uring_sqe);
	return sizeof(struct io_uring_sqe);
}

static size_t xr_cqe_size(unsigned int setup_flags)
{
	if (setup_flags & IORING_SETUP_CQE32)
		return 2 * sizeof(struct io_uring_cqe);
	return sizeof(struct io_uring_cqe);
}

static void *xr_mmap(size_t len, int fd, off_t offset, int *err)
{
	void *ptr;

	ptr = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
		   fd, offset);
	if (ptr == MAP_FAILED) {
		*err = -errno;
		return NULL;
	}
	return ptr;
}

static void xr_unmap_rings(struct io_uring_sq *sq, struct io_uring_cq *cq)
{
	if (cq->ring_ptr && cq->ring_ptr != sq->ring_ptr)
		munmap(cq->ring_ptr, cq->ring_sz);
	if (sq->ring_ptr)
		munmap(sq->ring_ptr, sq->ring_sz);
}

#define XR_RING_FIELD(ring, off)	((unsigned *)((char *)(ring) + (off)))

/*
 * Map the SQ ring, the CQ ring (the same mapping with FEAT_SINGLE_MMAP, where
 * both rings live in one region at IORING_OFF_SQ_RING) and the SQE array, and
 * point sq and cq at the fields the offsets in p locate.
 */
static int xr_mmap_rings(int fd, const struct io_uring_params *p,
			 struct io_uring_sq *sq, struct io_uring_cq *cq)
{
	size_t sqes_size = xr_sqe_size(p->flags) * p->sq_entries;
	int err = 0;

	sq->ring_sz = p->sq_off.array + p->sq_entries * sizeof(unsigned);
	cq->ring_sz = p->cq_off.cqes + p->cq_entries * xr_cqe_size(p->flags);
	if (p->features & IORING_FEAT_SINGLE_MMAP) {
		if (cq->ring_sz > sq->ring_sz)
			sq->ring_sz = cq->ring_sz;
		cq->ring_sz = sq->ring_sz;
	}

	sq->ring_ptr = xr_mmap(sq->ring_sz, fd, IORING_OFF_SQ_RING, &err);
	if (!sq->ring_ptr)
		return err;
	if (p->features & IORING_FEAT_SINGLE_MMAP) {
		cq->ring_ptr = sq->ring_ptr;
	} else {
		cq->ring_ptr = xr_mmap(cq->ring_sz, fd, IORING_OFF_CQ_RING, &err);
		if (!cq->ring_ptr)
			goto err_unmap;
	}
	sq->sqes = xr_mmap(sqes_size, fd, IORING_OFF_SQES, &err);
	if (!sq->sqes)
		goto err_unmap;

	sq->khead = XR_RING_FIELD(sq->ring_ptr, p->sq_off.head);
	sq->ktail = XR_RING_FIELD(sq->ring_ptr, p->sq_off.tail);
	sq->kring_mask = XR_RING_FIELD(sq->ring_ptr, p->sq_off.ring_mask);
	sq->kring_entries = XR_RING_FIELD(sq->ring_ptr, p->sq_off.ring_entries);
	sq->kflags = XR_RING_FIELD(sq->ring_ptr, p->sq_off.flags);
	sq->kdropped = XR_RING_FIELD(sq->ring_ptr, p->sq_off.dropped);
	sq->array = XR_RING_FIELD(sq->ring_ptr, p->sq_off.array);

	cq->khead = XR_RING_FIELD(cq->ring_ptr, p->cq_off.head);
	cq->ktail = XR_RING_FIELD(cq->ring_ptr, p->cq_off.tail);
	cq->kring_mask = XR_RING_FIELD(cq->ring_ptr, p->cq_off.ring_mask);
	cq->kring_entries = XR_RING_FIELD(cq->ring_ptr, p->cq_off.ring_entries);
	cq->koverflow = XR_RING_FIELD(cq->ring_ptr, p->cq_off.overflow);
	cq->cqes = (struct io_uring_cqe *)((char *)cq->ring_ptr +
					   p->cq_off.cqes);
	/* kernels before 5.8 have no CQ flags; 0 can never be its offset */
	if (p->cq_off.flags)
		cq->kflags = XR_RING_FIELD(cq->ring_ptr, p->cq_off.flags);

	/* constant for the ring's life: read once, keep a private copy */
	sq->ring_mask = *sq->kring_mask;
	sq->ring_entries = *sq->kring_entries;
	cq->ring_mask = *cq->kring_mask;
	cq->ring_entries = *cq->kring_entries;
	return 0;

err_unmap:
	xr_unmap_rings(sq, cq);
	return err;
}

/*
 * Map a ring set up with io_uring_setup(). Unlike liburing 2.3, which sets
 * ring->features only in io_uring_queue_init_params(), this records
 * p->features too: without FEAT_EXT_ARG the library would fall back to
 * timeout SQEs, which xuring does not implement.
 */
__cold int io_uring_queue_mmap(int fd, struct io_uring_params *p,
			       struct io_uring *ring)
{
	int ret;

	memset(ring, 0, sizeof(*ring));
	ret = xr_mmap_rings(fd, p, &ring->sq, &ring->cq);
	if (ret)
		return ret;
	ring->flags = p->flags;
	ring->features = p->features;
	ring->ring_fd = fd;
	ring->enter_ring_fd = fd;
	return 0;
}

/* Keep the ring mappings out of children: a fork would share them. */
__cold int io_uring_ring_dontfork(struct io_uring *ring)
{
	struct io_uring_sq *sq = &ring->sq;
	struct io_uring_cq *cq = &ring->cq;

	if (!sq->ring_ptr || !sq->sqes || !cq->ring_ptr)
		return -EINVAL;

	if (madvise(sq->sqes, xr_sqe_size(ring->flags) * sq->ring_entries,
		    MADV_DONTFORK))
		return -errno;
	if (madvise(sq->ring_ptr, sq->ring_sz, MADV_DONTFORK))
		return -errno;
	if (cq->ring_ptr != sq->ring_ptr &&
	    madvise(cq->ring_ptr, cq->ring_sz, MADV_DONTFORK))
		return -errno;
	return 0;
}

__cold int io_uring_queue_init_params(unsigned entries, struct io_uring *ring,
				      struct io_uring_params *p)
{
	unsigned int i;
	int fd, ret;

	fd = xr_sys_setup(entries, p);
	if (fd < 0)
		return fd;

	ret = io_uring_queue_mmap(fd, p, ring);
	if (ret) {
		close(fd);
		return ret;
	}

	/*
	 * SQ slot i always names SQE i: SQEs are handed out and submitted in
	 * ring order, so the indirection is never needed.
	 */
	for (i = 0; i < ring->sq.ring_entries; i++)
		ring->sq.array[i] = i;
	return 0;
}

__cold int io_uring_queue_init(unsigned entries, struct io_uring *ring,
			       unsigned flags)
{
	struct io_uring_params p;

	memset(&p, 0, sizeof(p));
	p.flags = flags;
	return io_uring_queue_init_params(entries, ring, &p);
}

__cold void io_uring_queue_exit(struct io_uring *ring)
{
	struct io_uring_sq *sq = &ring->sq;

	munmap(sq->sqes, xr_sqe_size(ring->flags) * sq->ring_entries);
	xr_unmap_rings(sq, &ring->cq);
	if (ring->int_flags & INT_FLAG_REG_RING)
		io_uring_unregister_ring_fd(ring);
	close(ring->ring_fd);
}

/* a probe can describe at most this many opcodes: ops_len is a __u8 */
#define XR_PROBE_OPS	256

__cold struct io_uring_probe *io_uring_get_probe_ring(struct io_uring *ring)
{
	struct io_uring_probe *probe;

	/* the kernel insists on a zeroed probe */
	probe = calloc(1, sizeof(*probe) +
			  XR_PROBE_OPS * sizeof(struct io_uring_probe_op));
	if (!probe)
		return NULL;
	if (io_uring_register_probe(ring, probe, XR_PROBE_OPS) < 0) {
		free(probe);
		return NULL;
	}
	return probe;
}

__cold struct io_uring_probe *io_uring_get_probe(void)
{
	struct io_uring_probe *probe;
	struct io_uring ring;

	if (io_uring_queue_init(2, &ring, 0) < 0)
		return NULL;
	probe = io_uring_get_probe_ring(&ring);
	io_uring_queue_exit(&ring);
	return probe;
}

__cold void io_uring_free_probe(struct io_uring_probe *probe)
{
	free(probe);
}

/* io_uring_setup(2)'s limits, which liburing's estimate applies */
#define XR_MAX_ENTRIES		32768
#define XR_MAX_CQ_ENTRIES	(2 * XR_MAX_ENTRIES)
/* the ring header io_uring puts before the CQEs, rounded up */
#define XR_KRING_HEADER		320

static unsigned int xr_roundup_pow2(unsigned int n)
{
	return n <= 1 ? 1 : 1U << (32 - __builtin_clz(n - 1));
}

/* pages of an allocation of len bytes, rounded up to a power of two */
static size_t xr_pow2_pages(size_t len, size_t page_size)
{
	size_t pages = (len + page_size - 1) / page_size;

	if (pages <= 1)
		return 1;
	return (size_t)1 << (8 * sizeof(long) - __builtin_clzl(pages - 1));
}

/*
 * What a kernel charging rings to RLIMIT_MEMLOCK (before 5.12) would
 * charge: the rings and the SQE array, each rounded to a power of two of
 * pages. Kernels that account rings to the memory cgroup instead say so with
 * IORING_FEAT_NATIVE_WORKERS, and need nothing; a throwaway ring asks.
 */
__cold ssize_t io_uring_mlock_size_params(unsigned entries,
					  struct io_uring_params *p)
{
	struct io_uring_params probe_params;
	size_t page_size = (size_t)sysconf(_SC_PAGESIZE);
	size_t cq_bytes, sq_bytes;
	unsigned int cq_entries;
	struct io_uring ring;

	memset(&probe_params, 0, sizeof(probe_params));
	if (!io_uring_queue_init_params(entries, &ring, &probe_params))
		io_uring_queue_exit(&ring);
	/* on failure features stay 0, and we estimate */
	if (probe_params.features & IORING_FEAT_NATIVE_WORKERS)
		return 0;

	if (!entries)
		return -EINVAL;
	if (entries > XR_MAX_ENTRIES) {
		if (!(p->flags & IORING_SETUP_CLAMP))
			return -EINVAL;
		entries = XR_MAX_ENTRIES;
	}
	entries = xr_roundup_pow2(entries);

	if (p->flags & IORING_SETUP_CQSIZE) {
		if (!p->cq_entries)
			return -EINVAL;
		cq_entries = p->cq_entries;
		if (cq_entries > XR_MAX_CQ_ENTRIES) {
			if (!(p->flags & IORING_SETUP_CLAMP))
				return -EINVAL;
			cq_entries = XR_MAX_CQ_ENTRIES;
		}
		cq_entries = xr_roundup_pow2(cq_entries);
		if (cq_entries < entries)
			return -EINVAL;
	} else {
		cq_entries = 2 * entries;
	}

	cq_bytes = xr_cqe_size(p->flags) * cq_entries + XR_KRING_HEADER;
	cq_bytes = (cq_bytes + 63) & ~(size_t)63;
	sq_bytes = xr_sqe_size(p->flags) * entries;

	return (xr_pow2_pages(cq_bytes, page_size) +
		xr_pow2_pages(sq_bytes, page_size)) * page_size;
}

__cold ssize_t io_uring_mlock_size(unsigned entries, unsigned flags)
{
	struct io_uring_params p;

	memset(&p, 0, sizeof(p));
	p.flags = flags;
	return io_uring_mlock_size_params(entries, &p);
}
