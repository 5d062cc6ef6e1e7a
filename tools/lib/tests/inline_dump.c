// SPDX-License-Identifier: (GPL-2.0 OR MIT)
/*
 * Description: run every inline helper of <liburing.h> on known inputs and
 * print what it produced: the SQE bytes each io_uring_prep_*() writes, and
 * the results of the ring, CQE, recvmsg and buffer ring helpers on a ring
 * laid out in ordinary memory (no kernel, no system call on any path taken).
 *
 * check-api.sh builds this once against liburing 2.3's header and once
 * against libxuring's, and requires the two outputs to be identical. It
 * also requires every inline function of liburing's header to be named
 * here. Pointers are fake constants or printed relative to their base, so
 * the output does not depend on where things are mapped.
 */
#include <stdio.h>
#include <string.h>
#include <liburing.h>

#define P(n)	((void *)(uintptr_t)(0x1000 + (n)))

static struct io_uring_sqe sqe_buf;

/* a recycled SQE: every byte set, as a previous request would leave it */
static struct io_uring_sqe *dirty_sqe(void)
{
	memset(&sqe_buf, 0xa5, sizeof(sqe_buf));
	return &sqe_buf;
}

static void dump_sqe(const char *what)
{
	const unsigned char *b = (const unsigned char *)&sqe_buf;
	size_t i;

	printf("%-40s", what);
	for (i = 0; i < sizeof(sqe_buf); i++)
		printf("%s%02x", i % 8 ? "" : " ", b[i]);
	printf("\n");
}

#define PREP(call) do {							\
	struct io_uring_sqe *sqe = dirty_sqe();				\
	call;								\
	dump_sqe(#call);						\
} while (0)

static void prep_helpers(void)
{
	PREP(io_uring_prep_rw(IORING_OP_NOP, sqe, 3, P(1), 4, 5));
	PREP(io_uring_prep_nop(sqe));
	PREP(io_uring_prep_splice(sqe, 3, -1, 4, 77, 4096, 0x8));
	PREP(io_uring_prep_tee(sqe, 3, 4, 4096, 0x4));
	PREP(io_uring_prep_readv(sqe, 3, P(2), 4, 512));
	PREP(io_uring_prep_readv2(sqe, 3, P(2), 4, 512, 0x10));
	PREP(io_uring_prep_read_fixed(sqe, 3, P(3), 4096, 8192, 7));
	PREP(io_uring_prep_writev(sqe, 3, P(2), 4, -1));
	PREP(io_uring_prep_writev2(sqe, 3, P(2), 4, 0, 0x2));
	PREP(io_uring_prep_write_fixed(sqe, 3, P(3), 4096, 0, 70000));
	PREP(io_uring_prep_recvmsg(sqe, 3, P(4), 0x40));
	PREP(io_uring_prep_recvmsg_multishot(sqe, 3, P(4), 0x40));
	PREP(io_uring_prep_sendmsg(sqe, 3, P(4), 0x4000));
	PREP(io_uring_prep_poll_add(sqe, 3, 0x10001));
	PREP(io_uring_prep_poll_multishot(sqe, 3, 0x1));
	PREP(io_uring_prep_poll_remove(sqe, 0x1122334455667788ULL));
	PREP(io_uring_prep_poll_update(sqe, 11, 22, 0x4, 0x6));
	PREP(io_uring_prep_fsync(sqe, 3, IORING_FSYNC_DATASYNC));
	PREP(io_uring_prep_timeout(sqe, P(5), 3, IORING_TIMEOUT_ABS));
	PREP(io_uring_prep_timeout_remove(sqe, 99, 0x8));
	PREP(io_uring_prep_timeout_update(sqe, P(5), 99, IORING_TIMEOUT_ABS));
	PREP(io_uring_prep_accept(sqe, 3, P(6), P(7), 0x800));
	PREP(io_uring_prep_accept_direct(sqe, 3, P(6), P(7), 0x800, 5));
	PREP(io_uring_prep_multishot_accept(sqe, 3, P(6), P(7), 0));
	PREP(io_uring_prep_multishot_accept_direct(sqe, 3, NULL, NULL, 0));
	PREP(io_uring_prep_cancel64(sqe, 42, IORING_ASYNC_CANCEL_ALL));
	PREP(io_uring_prep_cancel(sqe, P(8), 0));
	PREP(io_uring_prep_cancel_fd(sqe, 3, IORING_ASYNC_CANCEL_ANY));
	PREP(io_uring_prep_link_timeout(sqe, P(5), 0));
	PREP(io_uring_prep_connect(sqe, 3, P(6), 16));
	PREP(io_uring_prep_files_update(sqe, P(9), 4, 2));
	PREP(io_uring_prep_fallocate(sqe, 3, 1, 4096, 1 << 20));
	PREP(io_uring_prep_openat(sqe, -100, P(10), 0x42, 0644));
	PREP(io_uring_prep_openat_direct(sqe, -100, P(10), 0x42, 0644, 9));
	PREP(io_uring_prep_close(sqe, 3));
	PREP(io_uring_prep_close_direct(sqe, 9));
	PREP(io_uring_prep_read(sqe, 3, P(3), 100, 200));
	PREP(io_uring_prep_write(sqe, 3, P(3), 100, 200));
	PREP(io_uring_prep_statx(sqe, -100, P(10), 0x100, 0x7ff, P(11)));
	PREP(io_uring_prep_fadvise(sqe, 3, 4096, 8192, 4));
	PREP(io_uring_prep_madvise(sqe, P(12), 8192, 4));
	PREP(io_uring_prep_send(sqe, 3, P(3), 100, 0x40));
	PREP(io_uring_prep_send_zc(sqe, 3, P(3), 100, 0x40, 0x1));
	PREP(io_uring_prep_send_zc_fixed(sqe, 3, P(3), 100, 0, 0, 6));
	PREP(io_uring_prep_sendmsg_zc(sqe, 3, P(4), 0));
	PREP(io_uring_prep_send_set_addr(sqe, P(6), 16));
	PREP(io_uring_prep_recv(sqe, 3, P(3), 100, 0x2));
	PREP(io_uring_prep_recv_multishot(sqe, 3, P(3), 0, 0));
	PREP(io_uring_prep_openat2(sqe, -100, P(10), P(13)));
	PREP(io_uring_prep_openat2_direct(sqe, -100, P(10), P(13), 2));
	PREP(io_uring_prep_epoll_ctl(sqe, 5, 3, 1, P(14)));
	PREP(io_uring_prep_provide_buffers(sqe, P(15), 4096, 16, 2, 100));
	PREP(io_uring_prep_remove_buffers(sqe, 16, 2));
	PREP(io_uring_prep_shutdown(sqe, 3, 2));
	PREP(io_uring_prep_unlinkat(sqe, 4, P(10), 0x200));
	PREP(io_uring_prep_unlink(sqe, P(10), 0));
	PREP(io_uring_prep_renameat(sqe, 4, P(10), 5, P(16), 1));
	PREP(io_uring_prep_rename(sqe, P(10), P(16)));
	PREP(io_uring_prep_sync_file_range(sqe, 3, 4096, 8192, 0x2));
	PREP(io_uring_prep_mkdirat(sqe, 4, P(10), 0755));
	PREP(io_uring_prep_mkdir(sqe, P(10), 0700));
	PREP(io_uring_prep_symlinkat(sqe, P(10), 4, P(16)));
	PREP(io_uring_prep_symlink(sqe, P(10), P(16)));
	PREP(io_uring_prep_linkat(sqe, 4, P(10), 5, P(16), 0x400));
	PREP(io_uring_prep_link(sqe, P(10), P(16), 0));
	PREP(io_uring_prep_msg_ring(sqe, 8, 123, 0xabcdef, 0));
	PREP(io_uring_prep_getxattr(sqe, P(17), P(18), P(10), 64));
	PREP(io_uring_prep_setxattr(sqe, P(17), P(18), P(10), 1, 64));
	PREP(io_uring_prep_fgetxattr(sqe, 3, P(17), P(18), 64));
	PREP(io_uring_prep_fsetxattr(sqe, 3, P(17), P(18), 2, 64));
	PREP(io_uring_prep_socket(sqe, 2, 1, 6, 0));
	PREP(io_uring_prep_socket_direct(sqe, 2, 1, 6, 4, 0));
	PREP(io_uring_prep_socket_direct_alloc(sqe, 10, 2, 17, 0));
	PREP(io_uring_sqe_set_data(sqe, P(19)));
	PREP(io_uring_sqe_set_data64(sqe, 0x0102030405060708ULL));
	PREP(io_uring_sqe_set_flags(sqe, IOSQE_IO_LINK | IOSQE_ASYNC | 0x100));
	PREP(__io_uring_set_target_fixed_file(sqe, 41));
	printf("poll_mask %#x\n", __io_uring_prep_poll_mask(0x12345678));
}

/* a ring in ordinary memory, shaped as the library maps a real one */
#define SQ_N	8
#define CQ_N	16

static unsigned int k_sq_head, k_sq_tail, k_sq_flags, k_sq_array[SQ_N];
static unsigned int k_cq_head, k_cq_tail, k_cq_flags, k_cq_overflow;
static unsigned int k_sq_mask = SQ_N - 1, k_sq_entries = SQ_N;
static unsigned int k_cq_mask = CQ_N - 1, k_cq_entries = CQ_N;
static struct io_uring_sqe sqes[2 * SQ_N];
static struct io_uring_cqe cqes[2 * CQ_N];

static void ring_init(struct io_uring *ring, unsigned int flags,
		      unsigned int features)
{
	memset(ring, 0, sizeof(*ring));
	k_sq_head = k_sq_tail = k_sq_flags = 0;
	k_cq_head = k_cq_tail = k_cq_flags = k_cq_overflow = 0;
	ring->sq.khead = &k_sq_head;
	ring->sq.ktail = &k_sq_tail;
	ring->sq.kring_mask = &k_sq_mask;
	ring->sq.kring_entries = &k_sq_entries;
	ring->sq.kflags = &k_sq_flags;
	ring->sq.array = k_sq_array;
	ring->sq.sqes = sqes;
	ring->sq.ring_mask = SQ_N - 1;
	ring->sq.ring_entries = SQ_N;
	ring->cq.khead = &k_cq_head;
	ring->cq.ktail = &k_cq_tail;
	ring->cq.kring_mask = &k_cq_mask;
	ring->cq.kring_entries = &k_cq_entries;
	ring->cq.kflags = &k_cq_flags;
	ring->cq.koverflow = &k_cq_overflow;
	ring->cq.cqes = cqes;
	ring->cq.ring_mask = CQ_N - 1;
	ring->cq.ring_entries = CQ_N;
	ring->flags = flags;
	ring->features = features;
	ring->ring_fd = ring->enter_ring_fd = -1;
}

/* what the kernel would do: post a CQE at the tail */
static void post(struct io_uring *ring, __u64 user_data, int res)
{
	unsigned int shift = (ring->flags & IORING_SETUP_CQE32) ? 1 : 0;
	struct io_uring_cqe *cqe = &cqes[(k_cq_tail & (CQ_N - 1)) << shift];

	cqe->user_data = user_data;
	cqe->res = res;
	cqe->flags = 0;
	k_cq_tail++;
}

static void ring_helpers(unsigned int flags, unsigned int features)
{
	struct io_uring_cqe *cqe;
	struct io_uring_sqe *sqe;
	struct io_uring ring;
	unsigned int head, n, i;
	int ret;

	printf("ring flags %#x features %#x\n", flags, features);
	ring_init(&ring, flags, features);

	for (i = 0; (sqe = io_uring_get_sqe(&ring)); i++)
		printf(" get_sqe %u -> sqe %ld\n", i, (long)(sqe - sqes));
	sqe = _io_uring_get_sqe(&ring);
	printf(" _get_sqe full -> %d\n", sqe == NULL);
	printf(" sq_ready %u space_left %u\n", io_uring_sq_ready(&ring),
	       io_uring_sq_space_left(&ring));
	k_sq_head += 3;		/* the kernel consumed three */
	printf(" after consume: sq_ready %u space_left %u sqring_wait %d\n",
	       io_uring_sq_ready(&ring), io_uring_sq_space_left(&ring),
	       (flags & IORING_SETUP_SQPOLL) ? 0 : io_uring_sqring_wait(&ring));

	/* without EXT_ARG, internal timeout CQEs are swallowed by peeks */
	post(&ring, LIBURING_UDATA_TIMEOUT, -62);
	post(&ring, 1, 10);
	post(&ring, LIBURING_UDATA_TIMEOUT, 0);
	post(&ring, 2, 20);
	post(&ring, 3, 30);
	printf(" cq_ready %u\n", io_uring_cq_ready(&ring));
	ret = __io_uring_peek_cqe(&ring, &cqe, &n);
	printf(" __peek_cqe ret %d avail %u cqe %ld head %u\n", ret, n,
	       cqe ? (long)(cqe - cqes) : -1L, k_cq_head);
	if (!(features & IORING_FEAT_EXT_ARG)) {
		/* the failed timeout was consumed; go on past it */
		ret = __io_uring_peek_cqe(&ring, &cqe, NULL);
		printf(" __peek_cqe again ret %d cqe %ld head %u\n", ret,
		       cqe ? (long)(cqe - cqes) : -1L, k_cq_head);
	}
	ret = io_uring_peek_cqe(&ring, &cqe);
	printf(" peek_cqe ret %d user_data %lld res %d\n", ret,
	       (long long)cqe->user_data, cqe->res);
	io_uring_cqe_seen(&ring, cqe);
	io_uring_cqe_seen(&ring, NULL);
	ret = io_uring_wait_cqe(&ring, &cqe);
	printf(" wait_cqe ret %d user_data %llu data %p\n", ret,
	       (unsigned long long)io_uring_cqe_get_data64(cqe),
	       io_uring_cqe_get_data(cqe));
	n = 0;
	io_uring_for_each_cqe(&ring, head, cqe) {
		printf(" for_each head %u cqe %ld user_data %lld\n", head,
		       (long)(cqe - cqes), (long long)cqe->user_data);
		n++;
	}
	io_uring_cq_advance(&ring, n);
	io_uring_cq_advance(&ring, 0);
	printf(" after advance head %u cq_ready %u\n", k_cq_head,
	       io_uring_cq_ready(&ring));
	printf(" shift %d index %u\n", io_uring_cqe_shift(&ring),
	       (unsigned int)io_uring_cqe_index(&ring, 21u, ring.cq.ring_mask));

	printf(" overflow %d\n", io_uring_cq_has_overflow(&ring));
	k_sq_flags |= IORING_SQ_CQ_OVERFLOW;
	printf(" overflow %d\n", io_uring_cq_has_overflow(&ring));

	printf(" eventfd %d\n", io_uring_cq_eventfd_enabled(&ring));
	ret = io_uring_cq_eventfd_toggle(&ring, false);
	printf(" toggle off %d flags %#x enabled %d\n", ret, k_cq_flags,
	       io_uring_cq_eventfd_enabled(&ring));
	ret = io_uring_cq_eventfd_toggle(&ring, false);
	printf(" toggle off again %d\n", ret);
	ret = io_uring_cq_eventfd_toggle(&ring, true);
	printf(" toggle on %d flags %#x\n", ret, k_cq_flags);
	ring.cq.kflags = NULL;
	printf(" no kflags: enabled %d toggle off %d\n",
	       io_uring_cq_eventfd_enabled(&ring),
	       io_uring_cq_eventfd_toggle(&ring, false));
}

static void probe_helpers(void)
{
	static union {
		struct io_uring_probe p;
		char space[sizeof(struct io_uring_probe) +
			   8 * sizeof(struct io_uring_probe_op)];
	} u;
	int op;

	u.p.last_op = 5;
	u.p.ops_len = 6;
	u.p.ops[1].flags = IO_URING_OP_SUPPORTED;
	u.p.ops[5].flags = IO_URING_OP_SUPPORTED;
	for (op = 0; op < 8; op++)
		printf("opcode_supported %d: %d\n", op,
		       io_uring_opcode_supported(&u.p, op));
}

static void recvmsg_helpers(void)
{
	static unsigned char buf[256] __attribute__((aligned(16)));
	struct io_uring_recvmsg_out *o;
	struct msghdr msg;
	struct cmsghdr *c;

	memset(&msg, 0, sizeof(msg));
	msg.msg_namelen = 16;
	msg.msg_controllen = 64;
	printf("validate short %d\n",
	       io_uring_recvmsg_validate(buf, 20, &msg) != NULL);
	printf("validate negative %d\n",
	       io_uring_recvmsg_validate(buf, -1, &msg) != NULL);
	o = io_uring_recvmsg_validate(buf, sizeof(buf), &msg);
	printf("validate %ld\n", o ? (long)((unsigned char *)o - buf) : -1L);
	o->controllen = 0;
	printf("firsthdr empty %d\n",
	       io_uring_recvmsg_cmsg_firsthdr(o, &msg) != NULL);
	o->controllen = 40;
	c = io_uring_recvmsg_cmsg_firsthdr(o, &msg);
	printf("name %ld firsthdr %ld\n",
	       (long)((unsigned char *)io_uring_recvmsg_name(o) - buf),
	       (long)((unsigned char *)c - buf));
	c->cmsg_len = CMSG_LEN(4);
	c = io_uring_recvmsg_cmsg_nexthdr(o, &msg, c);
	printf("nexthdr %ld\n", c ? (long)((unsigned char *)c - buf) : -1L);
	if (c) {
		c->cmsg_len = CMSG_LEN(64);
		printf("nexthdr overrun %d\n",
		       io_uring_recvmsg_cmsg_nexthdr(o, &msg, c) != NULL);
		c->cmsg_len = 2;
		printf("nexthdr tiny %d\n",
		       io_uring_recvmsg_cmsg_nexthdr(o, &msg, c) != NULL);
	}
	printf("payload %ld length %u\n",
	       (long)((unsigned char *)io_uring_recvmsg_payload(o, &msg) - buf),
	       io_uring_recvmsg_payload_length(o, sizeof(buf), &msg));
}

static void buf_ring_helpers(void)
{
	static struct io_uring_buf bufs[8];
	struct io_uring_buf_ring *br = (struct io_uring_buf_ring *)bufs;
	struct io_uring ring;
	int mask = io_uring_buf_ring_mask(8), i;

	memset(bufs, 0x5a, sizeof(bufs));
	io_uring_buf_ring_init(br);
	printf("mask %d tail %u\n", mask, br->tail);
	io_uring_buf_ring_add(br, P(20), 4096, 3, mask, 0);
	io_uring_buf_ring_add(br, P(21), 2048, 4, mask, 1);
	io_uring_buf_ring_advance(br, 2);
	io_uring_buf_ring_add(br, P(22), 1024, 5, mask, 7);
	ring_init(&ring, 0, 0);
	k_cq_tail = 4;
	io_uring_buf_ring_cq_advance(&ring, br, 3);
	printf("tail %u cq head %u\n", br->tail, k_cq_head);
	for (i = 0; i < 8; i++)
		printf("buf %d addr %#llx len %u bid %u\n", i,
		       (unsigned long long)bufs[i].addr, bufs[i].len,
		       bufs[i].bid);
}

int main(void)
{
	prep_helpers();
	ring_helpers(0, IORING_FEAT_EXT_ARG);
	ring_helpers(0, 0);
	ring_helpers(IORING_SETUP_SQE128 | IORING_SETUP_CQE32,
		     IORING_FEAT_EXT_ARG);
	ring_helpers(IORING_SETUP_SQPOLL, IORING_FEAT_EXT_ARG);
	probe_helpers();
	recvmsg_helpers();
	buf_ring_helpers();
	return 0;
}
