// SPDX-License-Identifier: GPL-2.0
/*
 * mmap() of a ring's three regions at io_uring's offsets: sizes, the
 * single mapping FEAT_SINGLE_MMAP promises, bad offsets and lengths, and
 * the mapping keeping the ring alive after close().
 */
#include "xuring_test.h"
#include "kselftest_harness.h"

XR_SKIP_ALL_WITHOUT_DEVICE()

FIXTURE(ring_fd) {
	int fd;
	struct xuring_params p;
	size_t page;
};

FIXTURE_SETUP(ring_fd)
{
	self->page = sysconf(_SC_PAGESIZE);
	self->fd = xr_open();
	ASSERT_LE(0, self->fd);
	memset(&self->p, 0, sizeof(self->p));
	ASSERT_EQ(0, xr_setup(self->fd, 64, &self->p));
}

FIXTURE_TEARDOWN(ring_fd)
{
	close(self->fd);
}

/* The three regions at the documented sizes, read and written. */
TEST_F(ring_fd, regions_map_at_documented_sizes)
{
	size_t sq_size = xr_sq_ring_bytes(&self->p);
	size_t cq_size = xr_cq_ring_bytes(&self->p);
	size_t sqes_size = xr_sqes_bytes(&self->p);
	void *sq, *cq, *sqes;

	sq = xr_mmap(self->fd, sq_size, XURING_OFF_SQ_RING);
	ASSERT_NE(NULL, sq) TH_LOG("SQ ring: %s", strerror(errno));
	cq = xr_mmap(self->fd, cq_size, XURING_OFF_CQ_RING);
	ASSERT_NE(NULL, cq) TH_LOG("CQ ring: %s", strerror(errno));
	sqes = xr_mmap(self->fd, sqes_size, XURING_OFF_SQES);
	ASSERT_NE(NULL, sqes) TH_LOG("SQEs: %s", strerror(errno));

	EXPECT_EQ(self->p.sq_entries - 1,
		  *XR_AT(sq, self->p.sq_off.ring_mask));
	EXPECT_EQ(self->p.cq_entries, *XR_AT(cq, self->p.cq_off.ring_entries));
	/* the last byte of every region is there and writable */
	((volatile char *)sqes)[sqes_size - 1] = 1;
	EXPECT_EQ(1, ((volatile char *)sqes)[sqes_size - 1]);
	EXPECT_EQ(0, ((volatile char *)sq)[sq_size - 1]);
	EXPECT_EQ(0, ((volatile char *)cq)[cq_size - 1]);

	munmap(sq, sq_size);
	munmap(cq, cq_size);
	munmap(sqes, sqes_size);
}

/* Whole pages of each region may be mapped, too. */
TEST_F(ring_fd, regions_map_page_aligned)
{
	size_t ring_size = xr_page_align(xr_sq_ring_bytes(&self->p));
	size_t sqes_size = xr_page_align(xr_sqes_bytes(&self->p));
	void *ptr;

	if (xr_cq_ring_bytes(&self->p) > xr_sq_ring_bytes(&self->p))
		ring_size = xr_page_align(xr_cq_ring_bytes(&self->p));
	ptr = xr_mmap(self->fd, ring_size, XURING_OFF_SQ_RING);
	ASSERT_NE(NULL, ptr) TH_LOG("%s", strerror(errno));
	munmap(ptr, ring_size);
	ptr = xr_mmap(self->fd, ring_size, XURING_OFF_CQ_RING);
	ASSERT_NE(NULL, ptr) TH_LOG("%s", strerror(errno));
	munmap(ptr, ring_size);
	ptr = xr_mmap(self->fd, sqes_size, XURING_OFF_SQES);
	ASSERT_NE(NULL, ptr) TH_LOG("%s", strerror(errno));
	munmap(ptr, sqes_size);
}

/*
 * FEAT_SINGLE_MMAP: one mapping at the SQ ring offset, as large as the
 * larger ring, holds both rings; a separate CQ ring mapping is the same
 * memory.
 */
TEST_F(ring_fd, single_mmap_holds_both_rings)
{
	size_t sq_size = xr_sq_ring_bytes(&self->p);
	size_t cq_size = xr_cq_ring_bytes(&self->p);
	size_t size = sq_size > cq_size ? sq_size : cq_size;
	struct xr_ring r;
	struct xuring_cqe cqe;
	__u64 ud = xr_ud();
	void *cq_alias;

	ASSERT_TRUE(!!(self->p.features & XURING_FEAT_SINGLE_MMAP));

	memset(&r, 0, sizeof(r));
	r.fd = self->fd;
	r.p = self->p;
	r.sq_ring = xr_mmap(self->fd, size, XURING_OFF_SQ_RING);
	ASSERT_NE(NULL, r.sq_ring) TH_LOG("%s", strerror(errno));
	r.sq_ring_size = size;
	r.cq_ring = r.sq_ring;
	r.sqes_size = xr_sqes_bytes(&self->p);
	r.sqes = xr_mmap(self->fd, r.sqes_size, XURING_OFF_SQES);
	ASSERT_NE(NULL, r.sqes);
	xr_ring_set_pointers(&r);

	EXPECT_EQ(self->p.cq_entries - 1, *r.cq_ring_mask);
	EXPECT_EQ(self->p.cq_entries, *r.cq_ring_entries);

	/* a NOP through the single mapping */
	ASSERT_TRUE(xr_queue_nop(&r, ud));
	ASSERT_EQ(1, xr_submit_and_wait(&r, 1));
	ASSERT_EQ(1U, xr_cq_ready(&r));

	/* the separately mapped CQ ring shows the same CQE and indexes */
	cq_alias = xr_mmap(self->fd, cq_size, XURING_OFF_CQ_RING);
	ASSERT_NE(NULL, cq_alias);
	EXPECT_EQ(1U, *XR_AT(cq_alias, self->p.cq_off.tail));
	EXPECT_EQ(ud, ((struct xuring_cqe *)((char *)cq_alias +
			self->p.cq_off.cqes))[0].user_data);

	ASSERT_TRUE(xr_reap_cqe(&r, &cqe));
	EXPECT_EQ(ud, cqe.user_data);
	EXPECT_EQ(1U, *XR_AT(cq_alias, self->p.cq_off.head));
	/* and writes through the alias land in the single mapping */
	*XR_AT(cq_alias, self->p.cq_off.flags) = XURING_CQ_EVENTFD_DISABLED;
	EXPECT_EQ(XURING_CQ_EVENTFD_DISABLED, *r.cq_flags);
	*XR_AT(cq_alias, self->p.cq_off.flags) = 0;

	munmap(cq_alias, cq_size);
	munmap(r.sq_ring, size);
	munmap(r.sqes, r.sqes_size);
}

TEST_F(ring_fd, unknown_offset_einval)
{
	const off_t offsets[] = {
		0x4000000,
		XURING_OFF_SQES + 4096,
		XURING_OFF_CQ_RING + 4096,
		XURING_OFF_SQ_RING + 4096,
		0x20000000,
	};
	unsigned int i;

	for (i = 0; i < sizeof(offsets) / sizeof(offsets[0]); i++) {
		void *ptr = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
				 MAP_SHARED, self->fd, offsets[i]);

		EXPECT_EQ(MAP_FAILED, ptr) TH_LOG("offset %#lx",
						  (long)offsets[i]);
		EXPECT_EQ(EINVAL, errno) TH_LOG("offset %#lx",
						(long)offsets[i]);
		if (ptr != MAP_FAILED)
			munmap(ptr, 4096);
	}
}

/* Longer than the region, rounded up to pages: EINVAL. */
TEST_F(ring_fd, length_beyond_region_einval)
{
	size_t rings = xr_sq_ring_bytes(&self->p);
	size_t sqes = xr_sqes_bytes(&self->p);
	const struct {
		off_t offset;
		size_t len;
	} cases[] = {
		{ XURING_OFF_SQ_RING, 0 },
		{ XURING_OFF_CQ_RING, 0 },
		{ XURING_OFF_SQES, xr_page_align(sqes) + self->page },
		{ XURING_OFF_SQ_RING, 1UL << 30 },
		{ XURING_OFF_CQ_RING, 1UL << 30 },
		{ XURING_OFF_SQES, 1UL << 30 },
	};
	unsigned int i;

	/* both rings share one region, whose size is the larger ring's */
	if (xr_cq_ring_bytes(&self->p) > rings)
		rings = xr_cq_ring_bytes(&self->p);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t len = cases[i].len ?: xr_page_align(rings) + self->page;
		void *ptr = mmap(NULL, len, PROT_READ | PROT_WRITE,
				 MAP_SHARED, self->fd, cases[i].offset);

		EXPECT_EQ(MAP_FAILED, ptr) TH_LOG("case %u: len %zu", i, len);
		EXPECT_EQ(EINVAL, errno) TH_LOG("case %u: len %zu", i, len);
		if (ptr != MAP_FAILED)
			munmap(ptr, len);
	}
}

/*
 * mremap() may move a mapping of a region or shrink it, never grow it past
 * the region (EFAULT, as with io_uring's VM_DONTEXPAND rings): the grown
 * part would have no pages behind it, and a mapping that a caller unmaps
 * at its old length would leave the rest holding the ring.
 */
TEST_F(ring_fd, mremap_cannot_grow_a_region)
{
	static const off_t offsets[] = {
		XURING_OFF_SQ_RING, XURING_OFF_CQ_RING, XURING_OFF_SQES,
	};
	unsigned int i;

	for (i = 0; i < sizeof(offsets) / sizeof(offsets[0]); i++) {
		size_t len = self->page;
		void *ptr = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED,
				 self->fd, offsets[i]);
		void *grown, *moved, *spot;

		ASSERT_NE(MAP_FAILED, ptr) TH_LOG("offset %#llx",
						  (unsigned long long)offsets[i]);
		grown = mremap(ptr, len, 4 * len, MREMAP_MAYMOVE);
		EXPECT_EQ(MAP_FAILED, grown)
			TH_LOG("offset %#llx: grown to %zu bytes",
			       (unsigned long long)offsets[i], 4 * len);
		if (grown != MAP_FAILED) {
			munmap(grown, 4 * len);
			continue;
		}
		EXPECT_EQ(EFAULT, errno);
		/* moving it at its own size still works (to a spot of ours) */
		spot = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
			    -1, 0);
		ASSERT_NE(MAP_FAILED, spot);
		moved = mremap(ptr, len, len, MREMAP_MAYMOVE | MREMAP_FIXED,
			       spot);
		ASSERT_NE(MAP_FAILED, moved) TH_LOG("%s", strerror(errno));
		EXPECT_EQ(0, munmap(moved, len));
	}
}

/*
 * The mapping holds the ring: after close(), completions posted before
 * are still readable and the rings writable.
 */
TEST(ring_outlives_close_while_mapped)
{
	__u64 ud = xr_ud_block(4);
	struct xuring_cqe cqe;
	struct xr_ring r;
	unsigned int i;

	ASSERT_EQ(0, xr_ring_init(&r, 8, 0));
	for (i = 0; i < 4; i++) {
		ASSERT_TRUE(xr_queue_nop(&r, ud + i));
	}
	ASSERT_EQ(4, xr_submit_and_wait(&r, 4));
	ASSERT_EQ(0, close(r.fd));
	r.fd = -1;

	EXPECT_EQ(7U, *r.sq_ring_mask);
	EXPECT_EQ(15U, *r.cq_ring_mask);
	ASSERT_EQ(4U, xr_cq_ready(&r));
	for (i = 0; i < 4; i++) {
		ASSERT_TRUE(xr_reap_cqe(&r, &cqe));
		EXPECT_EQ(ud + i, cqe.user_data);
		EXPECT_EQ(0, cqe.res);
	}
	/* writable still: queue an SQE nobody will submit */
	ASSERT_TRUE(xr_queue_nop(&r, xr_ud()));
	EXPECT_EQ(1U, xr_flush_sq(&r));
	xr_ring_exit(&r);
}

/* Unmapping does not end the ring: map again and carry on. */
TEST(remap_after_munmap)
{
	__u64 ud = xr_ud_block(2);
	struct xuring_cqe cqe;
	struct xr_ring r;

	ASSERT_EQ(0, xr_ring_init(&r, 4, 0));
	ASSERT_TRUE(xr_queue_nop(&r, ud));
	ASSERT_EQ(1, xr_submit_and_wait(&r, 1));

	xr_ring_unmap(&r);
	ASSERT_EQ(0, xr_ring_map(&r));
	EXPECT_EQ(1U, *r.sq_head);
	EXPECT_EQ(1U, *r.sq_tail);
	EXPECT_EQ(1U, xr_cq_ready(&r));
	ASSERT_TRUE(xr_reap_cqe(&r, &cqe));
	EXPECT_EQ(ud, cqe.user_data);

	ASSERT_TRUE(xr_queue_nop(&r, ud + 1));
	ASSERT_EQ(1, xr_submit_and_wait(&r, 1));
	ASSERT_TRUE(xr_reap_cqe(&r, &cqe));
	EXPECT_EQ(ud + 1, cqe.user_data);
	EXPECT_EQ(0, cqe.res);
	xr_ring_exit(&r);
}

TEST_HARNESS_MAIN
