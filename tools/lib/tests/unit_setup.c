// SPDX-License-Identifier: (GPL-2.0 OR MIT)
/*
 * Description: ring setup, mapping and teardown, probing and memlock
 * estimates, against the simulated module of fake_kernel.c.
 */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "unit.h"

/* no module: the open's errno, and no fd left behind */
static void setup_without_module(void)
{
	struct io_uring ring;
	int before = dup(0), after;

	close(before);
	fake.config.absent = true;
	UT_EXPECT_EQ(io_uring_queue_init(8, &ring, 0), -ENOENT);
	after = dup(0);
	close(after);
	UT_EXPECT_EQ(after, before);
	UT_EXPECT(io_uring_get_probe() == NULL);
}

static void check_ring(struct io_uring *ring, unsigned int entries)
{
	unsigned int i;

	UT_EXPECT_EQ(ring->sq.ring_entries, entries);
	UT_EXPECT_EQ(ring->sq.ring_mask, entries - 1);
	UT_EXPECT_EQ(*ring->sq.kring_entries, entries);
	UT_EXPECT_EQ(ring->cq.ring_entries, 2 * entries);
	UT_EXPECT_EQ(ring->cq.ring_mask, 2 * entries - 1);
	UT_EXPECT_EQ(*ring->cq.kring_entries, 2 * entries);
	UT_EXPECT_EQ(ring->ring_fd, ring->enter_ring_fd);
	UT_EXPECT_EQ(ring->int_flags, 0);
	UT_EXPECT(ring->cq.kflags != NULL);
	UT_EXPECT_EQ(ring->sq.sqe_head, 0);
	UT_EXPECT_EQ(ring->sq.sqe_tail, 0);
	for (i = 0; i < entries; i++)
		UT_EXPECT_EQ(ring->sq.array[i], i);
	/* the ring fd is close-on-exec, as io_uring's */
	UT_EXPECT(fcntl(ring->ring_fd, F_GETFD) & FD_CLOEXEC);
}

static void init_single_mmap(void)
{
	struct io_uring ring;

	UT_EXPECT_EQ(io_uring_queue_init(5, &ring, 0), 0);
	check_ring(&ring, 8);
	UT_EXPECT_EQ(ring.features, FAKE_FEATURES);
	UT_EXPECT(ring.sq.ring_ptr == ring.cq.ring_ptr);
	UT_EXPECT_EQ(ring.sq.ring_sz, ring.cq.ring_sz);
	io_uring_queue_exit(&ring);
}

/* without FEAT_SINGLE_MMAP, the CQ ring is a mapping of its own */
static void init_two_mmaps(void)
{
	struct io_uring ring;

	fake.config.features &= ~IORING_FEAT_SINGLE_MMAP;
	UT_EXPECT_EQ(io_uring_queue_init(16, &ring, 0), 0);
	check_ring(&ring, 16);
	UT_EXPECT(ring.sq.ring_ptr != ring.cq.ring_ptr);
	UT_EXPECT((char *)ring.cq.khead >= (char *)ring.cq.ring_ptr &&
		  (char *)ring.cq.khead < (char *)ring.cq.ring_ptr +
					  ring.cq.ring_sz);
	UT_EXPECT_EQ(io_uring_ring_dontfork(&ring), 0);
	io_uring_queue_exit(&ring);
}

/* params go in, come back filled in; queue_mmap records the features */
static void init_params_and_mmap(void)
{
	struct io_uring_params p;
	struct io_uring ring;
	int fd;

	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_CQSIZE;
	p.cq_entries = 100;
	UT_EXPECT_EQ(io_uring_queue_init_params(4, &ring, &p), 0);
	UT_EXPECT_EQ(p.sq_entries, 4);
	UT_EXPECT_EQ(p.cq_entries, 128);
	UT_EXPECT_EQ(ring.cq.ring_entries, 128);
	UT_EXPECT_EQ(ring.flags, IORING_SETUP_CQSIZE);
	io_uring_queue_exit(&ring);

	memset(&p, 0, sizeof(p));
	fd = io_uring_setup(2, &p);
	UT_EXPECT(fd >= 0);
	UT_EXPECT_EQ(io_uring_queue_mmap(fd, &p, &ring), 0);
	UT_EXPECT_EQ(ring.ring_fd, fd);
	UT_EXPECT_EQ(ring.features, FAKE_FEATURES);
	io_uring_queue_exit(&ring);

	UT_EXPECT_EQ(io_uring_setup(0, &p), -EINVAL);
}

static void exit_closes_ring(void)
{
	struct io_uring ring;
	int fd;

	UT_EXPECT_EQ(io_uring_queue_init(8, &ring, 0), 0);
	fd = ring.ring_fd;
	io_uring_queue_exit(&ring);
	UT_EXPECT(fcntl(fd, F_GETFD) < 0 && errno == EBADF);
}

static void dontfork_unmapped(void)
{
	struct io_uring ring;

	memset(&ring, 0, sizeof(ring));
	UT_EXPECT_EQ(io_uring_ring_dontfork(&ring), -EINVAL);
}

static void probe(void)
{
	struct io_uring_probe *p;
	struct io_uring ring;

	p = io_uring_get_probe();
	UT_EXPECT(p != NULL);
	if (!p)
		return;
	UT_EXPECT_EQ(fake.reg.opcode, IORING_REGISTER_PROBE);
	UT_EXPECT_EQ(fake.reg.nr_args, 256);
	UT_EXPECT_EQ(p->last_op, IORING_OP_LAST - 1);
	UT_EXPECT(io_uring_opcode_supported(p, IORING_OP_NOP));
	UT_EXPECT(io_uring_opcode_supported(p, IORING_OP_READ));
	UT_EXPECT(!io_uring_opcode_supported(p, IORING_OP_ACCEPT));
	UT_EXPECT(!io_uring_opcode_supported(p, IORING_OP_LAST + 3));
	io_uring_free_probe(p);

	UT_EXPECT_EQ(io_uring_queue_init(2, &ring, 0), 0);
	fake.config.register_ret[0] = -EFAULT;
	fake.config.nr_register_ret = 1;
	UT_EXPECT(io_uring_get_probe_ring(&ring) == NULL);
	io_uring_queue_exit(&ring);
}

/*
 * xuring does not report IORING_FEAT_NATIVE_WORKERS, so the estimate is
 * liburing's for kernels before 5.12: rings and SQEs, each rounded up to a
 * power of two of pages.
 */
static void mlock_size(void)
{
	long page = sysconf(_SC_PAGESIZE);
	struct io_uring_params p;

	UT_EXPECT_EQ(io_uring_mlock_size(8, 0), 2 * page);
	/* 8192 CQEs + header: 33 pages -> 64; 4096 SQEs: 64 pages */
	UT_EXPECT_EQ(io_uring_mlock_size(4096, 0), 128 * page);
	UT_EXPECT_EQ(io_uring_mlock_size(0, 0), -EINVAL);
	UT_EXPECT_EQ(io_uring_mlock_size(40000, 0), -EINVAL);
	UT_EXPECT_EQ(io_uring_mlock_size(40000, IORING_SETUP_CLAMP),
		     io_uring_mlock_size(32768, 0));

	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_CQSIZE;
	p.cq_entries = 4;
	UT_EXPECT_EQ(io_uring_mlock_size_params(8, &p), -EINVAL);
	p.cq_entries = 0;
	UT_EXPECT_EQ(io_uring_mlock_size_params(8, &p), -EINVAL);
	p.cq_entries = 1024;
	/* 1024 CQEs + header: 5 pages -> 8; 8 SQEs: 1 page */
	UT_EXPECT_EQ(io_uring_mlock_size_params(8, &p), 9 * page);

	fake.config.features |= IORING_FEAT_NATIVE_WORKERS;
	UT_EXPECT_EQ(io_uring_mlock_size(4096, 0), 0);
}

UT_MAIN(UT(setup_without_module), UT(init_single_mmap), UT(init_two_mmaps),
	UT(init_params_and_mmap), UT(exit_closes_ring), UT(dontfork_unmapped),
	UT(probe), UT(mlock_size))
