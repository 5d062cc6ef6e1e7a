// SPDX-License-Identifier: GPL-2.0
/*
 * The xuring tracepoints (event system "xuring"): each has the fields of
 * its io_uring counterpart in the running kernel, so that a script
 * written for io_uring:* runs with its prefix changed; and each fires
 * where it should, with what the test put in the ring: NOPs with known
 * user_data, a bad SQE, a broken link, an overflowing CQ, a read that
 * waits in io-wq with a drain behind it, a wait, a registration.
 *
 * The events are read from a tracefs instance of the test's own, so
 * whatever else traces the machine does not get in the way. Pointers are
 * compared as tracefs prints them (hashed, but the same pointer always
 * prints the same).
 */
#include <dirent.h>
#include <sys/stat.h>
#include <sys/mount.h>

#include "xuring_test.h"
#include "xuring_io.h"
#include "kselftest_harness.h"

XR_SKIP_ALL_WITHOUT_DEVICE()

#define XR_TRACE_BUF_SIZE	(4 << 20)
#define XR_PTR_LEN		64

static const char *tracefs(void)
{
	static const char * const dirs[] = {
		"/sys/kernel/tracing", "/sys/kernel/debug/tracing",
	};
	static char found[64];
	struct stat st;
	unsigned int i;

	if (found[0])
		return found;
	for (i = 0; i < 2; i++) {
		char path[128];

		snprintf(path, sizeof(path), "%s/events/xuring", dirs[i]);
		if (!stat(path, &st)) {
			snprintf(found, sizeof(found), "%s", dirs[i]);
			return found;
		}
	}
	/* a machine that did not mount it (the guest mounts only debugfs) */
	if (!mount("nodev", dirs[0], "tracefs", 0, NULL) &&
	    !stat("/sys/kernel/tracing/events/xuring", &st)) {
		snprintf(found, sizeof(found), "%s", dirs[0]);
		return found;
	}
	return NULL;
}

static bool write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_TRUNC);
	ssize_t n;

	if (fd < 0)
		return false;
	n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text);
}

/* A whole file into a malloc'ed, NUL-terminated buffer, or NULL. */
static char *slurp(const char *path)
{
	char *buf = malloc(XR_TRACE_BUF_SIZE);
	size_t len = 0;
	ssize_t n;
	int fd;

	if (!buf)
		return NULL;
	fd = open(path, O_RDONLY);
	if (fd < 0) {
		free(buf);
		return NULL;
	}
	while (len < XR_TRACE_BUF_SIZE - 1 &&
	       (n = read(fd, buf + len, XR_TRACE_BUF_SIZE - 1 - len)) > 0)
		len += n;
	close(fd);
	buf[len] = '\0';
	return buf;
}

/* ------------------------------------------------------------- formats */

struct tp_field {
	char name[64];
	char type[128];
	int size;
	int is_signed;
};

/*
 * The fields of an event after the common_* ones, from its format file:
 * "field:TYPE NAME;	offset:N;	size:N;	signed:N;". Returns how
 * many, or -1 if the event does not exist.
 */
static int read_format(const char *system, const char *event,
		       struct tp_field *fields, int max)
{
	char path[256], *text, *line, *save;
	int n = 0;

	snprintf(path, sizeof(path), "%s/events/%s/%s/format", tracefs(),
		 system, event);
	text = slurp(path);
	if (!text)
		return -1;
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char decl[128], *space;
		int offset;

		if (sscanf(line, " field:%127[^;]; offset:%d; size:%d; signed:%d;",
			   decl, &offset, &fields[n].size,
			   &fields[n].is_signed) != 4)
			continue;
		space = strrchr(decl, ' ');
		if (!space)
			continue;
		*space = '\0';
		if (!strncmp(space + 1, "common_", 7))
			continue;
		snprintf(fields[n].name, sizeof(fields[n].name), "%s",
			 space + 1);
		snprintf(fields[n].type, sizeof(fields[n].type), "%s", decl);
		if (++n == max)
			break;
	}
	free(text);
	return n;
}

/* What a script sees: a pointer, a string, or an integer of a size. */
static void field_kind(const struct tp_field *f, char *buf, size_t size)
{
	if (strchr(f->type, '*'))
		snprintf(buf, size, "pointer");
	else if (strstr(f->type, "__data_loc"))
		snprintf(buf, size, "string");
	else
		snprintf(buf, size, "%s%d", f->is_signed ? "s" : "u",
			 f->size * 8);
}

/*
 * The xuring event against the io_uring one of the running kernel: the
 * same field names in the same order, each a pointer, a string or an
 * integer of the same size and signedness. @skip is a field io_uring has
 * that xuring leaves out on purpose.
 */
static void compare_event(struct __test_metadata *_metadata,
			  const char *xr_event, const char *io_event,
			  const char *skip)
{
	struct tp_field xr[32], io[32];
	int nxr, nio, i, j;

	nxr = read_format("xuring", xr_event, xr, 32);
	ASSERT_LT(0, nxr) TH_LOG("no xuring:%s", xr_event);
	nio = read_format("io_uring", io_event, io, 32);
	ASSERT_LT(0, nio) TH_LOG("no io_uring:%s", io_event);

	for (i = 0, j = 0; i < nio; i++) {
		char xk[32], ik[32];

		if (skip && !strcmp(io[i].name, skip))
			continue;
		ASSERT_LT(j, nxr) TH_LOG("%s: io_uring's field %s is missing",
					 xr_event, io[i].name);
		EXPECT_STREQ(io[i].name, xr[j].name)
			TH_LOG("%s: field %d", xr_event, j);
		field_kind(&io[i], ik, sizeof(ik));
		field_kind(&xr[j], xk, sizeof(xk));
		/*
		 * io_uring's request flags became 64 bits in 6.10; xuring's
		 * are 32, and the value fits either way.
		 */
		if (!strcmp(xr[j].name, "flags") && !strcmp(ik, "u64") &&
		    !strcmp(xk, "u32"))
			strcpy(ik, xk);
		EXPECT_STREQ(ik, xk) TH_LOG("%s: %s is %s (%s) in io_uring",
					    xr_event, xr[j].name, ik,
					    io[i].type);
		j++;
	}
	EXPECT_EQ(nxr, j) TH_LOG("%s has fields io_uring's has not", xr_event);
}

static bool have_io_uring_events(void)
{
	char path[256];
	struct stat st;

	snprintf(path, sizeof(path), "%s/events/io_uring", tracefs());
	return !stat(path, &st);
}

TEST(formats_match_io_uring)
{
	static const char * const same[] = {
		"create", "register", "file_get", "queue_async_work", "defer",
		"link", "cqring_wait", "fail_link", "complete", "poll_arm",
		"task_add", "req_failed", "cqe_overflow",
	};
	char xr_event[64], io_event[64], path[256];
	struct stat st;
	unsigned int i;

	if (!tracefs())
		SKIP(return, "no tracefs with events/xuring");
	if (!have_io_uring_events())
		SKIP(return, "this kernel has no io_uring events to compare with");

	for (i = 0; i < ARRAY_SIZE(same); i++) {
		snprintf(xr_event, sizeof(xr_event), "xuring_%s", same[i]);
		snprintf(io_event, sizeof(io_event), "io_uring_%s", same[i]);
		compare_event(_metadata, xr_event, io_event, NULL);
	}
	/* 6.1 calls it io_uring_submit_sqe, with force_nonblock (always 1) */
	snprintf(path, sizeof(path), "%s/events/io_uring/io_uring_submit_req",
		 tracefs());
	if (!stat(path, &st))
		compare_event(_metadata, "xuring_submit_req",
			      "io_uring_submit_req", NULL);
	else
		compare_event(_metadata, "xuring_submit_req",
			      "io_uring_submit_sqe", "force_nonblock");
}

/* ------------------------------------------------------------- events */

/*
 * The events of a test, in a tracefs instance of its own: enabled before
 * the ring exists, read when it is done.
 */
FIXTURE(trace) {
	char dir[256];
	char *text;
	struct xr_ring r;
	bool have_ring;
};

FIXTURE_SETUP(trace)
{
	static const char * const events[] = {
		"xuring_create", "xuring_register", "xuring_file_get",
		"xuring_queue_async_work", "xuring_defer", "xuring_link",
		"xuring_cqring_wait", "xuring_fail_link", "xuring_complete",
		"xuring_submit_req", "xuring_req_failed",
		"xuring_cqe_overflow",
	};
	char path[512];
	unsigned int i;

	self->have_ring = false;
	self->text = NULL;
	self->dir[0] = '\0';
	if (!tracefs())
		SKIP(return, "no tracefs with events/xuring");
	snprintf(self->dir, sizeof(self->dir), "%s/instances/xuring_test_%d",
		 tracefs(), getpid());
	rmdir(self->dir);
	ASSERT_EQ(0, mkdir(self->dir, 0700)) TH_LOG("mkdir %s: %s",
						     self->dir,
						     strerror(errno));
	for (i = 0; i < ARRAY_SIZE(events); i++) {
		snprintf(path, sizeof(path), "%s/events/xuring/%s/enable",
			 self->dir, events[i]);
		ASSERT_TRUE(write_file(path, "1")) TH_LOG("%s", path);
	}
}

FIXTURE_TEARDOWN(trace)
{
	if (self->have_ring)
		xr_ring_exit(&self->r);
	free(self->text);
	if (self->dir[0])
		rmdir(self->dir);
}

static void trace_init_ring(struct __test_metadata *_metadata,
			    FIXTURE_DATA(trace) *self, unsigned int entries,
			    unsigned int cq_entries)
{
	struct xuring_params p = { };

	if (cq_entries) {
		p.flags = XURING_SETUP_CQSIZE;
		p.cq_entries = cq_entries;
	}
	ASSERT_EQ(0, xr_ring_init_params(&self->r, entries, &p));
	self->have_ring = true;
}

/* Stop tracing and read what the instance holds. */
static void trace_read(struct __test_metadata *_metadata,
		       FIXTURE_DATA(trace) *self)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/tracing_on", self->dir);
	ASSERT_TRUE(write_file(path, "0"));
	snprintf(path, sizeof(path), "%s/trace", self->dir);
	self->text = slurp(path);
	ASSERT_NE(NULL, self->text);
}

/*
 * The text of the @nth (from 0) event @event in the trace, after the
 * "event: " prefix, copied into @buf; false if there are fewer.
 */
static bool trace_event(FIXTURE_DATA(trace) *self, const char *event,
			int nth, char *buf, size_t size)
{
	char key[80];
	const char *p = self->text;
	size_t len;

	snprintf(key, sizeof(key), " %s: ", event);
	while ((p = strstr(p, key))) {
		p += strlen(key);
		if (nth--)
			continue;
		len = strcspn(p, "\n");
		if (len >= size)
			len = size - 1;
		memcpy(buf, p, len);
		buf[len] = '\0';
		return true;
	}
	return false;
}

static int trace_count(FIXTURE_DATA(trace) *self, const char *event)
{
	char buf[512];
	int n = 0;

	while (trace_event(self, event, n, buf, sizeof(buf)))
		n++;
	return n;
}

/* The ring pointer of the xuring_create event whose fd is @fd. */
static void trace_ring_of_fd(struct __test_metadata *_metadata,
			     FIXTURE_DATA(trace) *self, int fd, char *ring,
			     unsigned int *sq, unsigned int *cq,
			     unsigned int *flags)
{
	char line[512];
	int i, tfd;

	for (i = 0; trace_event(self, "xuring_create", i, line, sizeof(line));
	     i++) {
		ASSERT_EQ(5, sscanf(line, "ring %63[^,], fd %d sq size %u, cq size %u, flags 0x%x",
				    ring, &tfd, sq, cq, flags))
			TH_LOG("%s", line);
		if (tfd == fd)
			return;
	}
	ASSERT_TRUE(false) TH_LOG("no xuring_create with fd %d", fd);
}

struct submit_ev {
	char ring[XR_PTR_LEN], req[XR_PTR_LEN], op[32];
	unsigned long long user_data;
	unsigned int flags;
	int sq_thread;
};

static bool parse_submit(const char *line, struct submit_ev *e)
{
	return sscanf(line, "ring %63[^,], req %63[^,], user_data 0x%llx, opcode %31[^,], flags 0x%x, sq_thread %d",
		      e->ring, e->req, &e->user_data, e->op, &e->flags,
		      &e->sq_thread) == 6;
}

struct complete_ev {
	char ring[XR_PTR_LEN], req[XR_PTR_LEN];
	unsigned long long user_data, extra1, extra2;
	int res;
	unsigned int cflags;
};

static bool parse_complete(const char *line, struct complete_ev *e)
{
	return sscanf(line, "ring %63[^,], req %63[^,], user_data 0x%llx, result %d, cflags 0x%x extra1 %llu extra2 %llu",
		      e->ring, e->req, &e->user_data, &e->res, &e->cflags,
		      &e->extra1, &e->extra2) == 7;
}

/* The completion event of @user_data; false if there is none. */
static bool find_complete(FIXTURE_DATA(trace) *self,
			  unsigned long long user_data, struct complete_ev *e)
{
	char line[512];
	int i;

	for (i = 0; trace_event(self, "xuring_complete", i, line,
				sizeof(line)); i++) {
		if (parse_complete(line, e) && e->user_data == user_data)
			return true;
	}
	return false;
}

/*
 * NOPs: xuring_create names the ring and its sizes, each SQE fires
 * xuring_submit_req and then xuring_complete, for the same request, with
 * its user_data and result, in submission order.
 */
TEST_F_TIMEOUT(trace, nops_submit_and_complete, 120)
{
	struct xuring_cqe cqe;
	unsigned int sq, cq, flags, i;
	char ring[XR_PTR_LEN];

	trace_init_ring(_metadata, self, 8, 0);
	for (i = 0; i < 6; i++)
		ASSERT_TRUE(xr_queue_nop(&self->r, 0xdead0000ULL + i));
	ASSERT_EQ(6, xr_submit_and_wait(&self->r, 6));
	for (i = 0; i < 6; i++) {
		ASSERT_TRUE(xr_reap_cqe(&self->r, &cqe));
		ASSERT_EQ(0xdead0000ULL + i, cqe.user_data);
	}
	trace_read(_metadata, self);

	trace_ring_of_fd(_metadata, self, self->r.fd, ring, &sq, &cq, &flags);
	EXPECT_EQ(8U, sq);
	EXPECT_EQ(16U, cq);
	EXPECT_EQ(0U, flags);
	ASSERT_EQ(6, trace_count(self, "xuring_submit_req"));
	ASSERT_EQ(6, trace_count(self, "xuring_complete"));
	for (i = 0; i < 6; i++) {
		struct submit_ev s;
		struct complete_ev c;
		char line[512];

		ASSERT_TRUE(trace_event(self, "xuring_submit_req", i, line,
					sizeof(line)));
		ASSERT_TRUE(parse_submit(line, &s)) TH_LOG("%s", line);
		EXPECT_STREQ(ring, s.ring);
		EXPECT_EQ(0xdead0000ULL + i, s.user_data);
		EXPECT_STREQ("NOP", s.op);
		EXPECT_EQ(0U, s.flags);
		EXPECT_EQ(0, s.sq_thread);

		ASSERT_TRUE(trace_event(self, "xuring_complete", i, line,
					sizeof(line)));
		ASSERT_TRUE(parse_complete(line, &c)) TH_LOG("%s", line);
		EXPECT_STREQ(ring, c.ring);
		EXPECT_STREQ(s.req, c.req);
		EXPECT_EQ(0xdead0000ULL + i, c.user_data);
		EXPECT_EQ(0, c.res);
		EXPECT_EQ(0U, c.cflags);
		EXPECT_EQ(0ULL, c.extra1);
		EXPECT_EQ(0ULL, c.extra2);
	}
	EXPECT_EQ(0, trace_count(self, "xuring_req_failed"));
	EXPECT_EQ(0, trace_count(self, "xuring_cqe_overflow"));
	/* six requests in flight at once are six: pointers really print */
	for (i = 0; i < 6; i++) {
		struct submit_ev a, b;
		char line[512];
		unsigned int j;

		ASSERT_TRUE(trace_event(self, "xuring_submit_req", i, line,
					sizeof(line)));
		ASSERT_TRUE(parse_submit(line, &a));
		for (j = i + 1; j < 6; j++) {
			ASSERT_TRUE(trace_event(self, "xuring_submit_req", j,
						line, sizeof(line)));
			ASSERT_TRUE(parse_submit(line, &b));
			EXPECT_STRNE(a.req, b.req);
		}
	}
}

/* An SQE init refuses: xuring_req_failed carries the SQE and the error. */
TEST_F_TIMEOUT(trace, req_failed_carries_the_sqe, 120)
{
	unsigned long long user_data, off, addr, pad, addr3;
	unsigned int flags, len, rw_flags;
	int prio, buf_index, personality, file_index, error;
	char ring[XR_PTR_LEN], req[XR_PTR_LEN], op[32], line[1024];
	struct xuring_sqe *sqe;
	struct xuring_cqe cqe;

	trace_init_ring(_metadata, self, 4, 0);
	XR_GET_SQE(sqe, &self->r);
	xr_prep_nop(sqe, 0x5eed);
	sqe->flags = 0x80;	/* no such SQE flag */
	sqe->off = 4369;
	sqe->addr = 8738;
	sqe->len = 51;
	sqe->rw_flags = 0x44;
	sqe->buf_index = 5;
	sqe->addr3 = 0x66;
	ASSERT_EQ(1, xr_submit_and_wait(&self->r, 1));
	ASSERT_TRUE(xr_reap_cqe(&self->r, &cqe));
	ASSERT_EQ(-EINVAL, cqe.res);
	trace_read(_metadata, self);

	ASSERT_EQ(1, trace_count(self, "xuring_req_failed"));
	ASSERT_TRUE(trace_event(self, "xuring_req_failed", 0, line,
				sizeof(line)));
	ASSERT_EQ(16, sscanf(line, "ring %63[^,], req %63[^,], user_data 0x%llx, opcode %31[^,], flags 0x%x, prio=%d, off=%llu, addr=%llu, len=%u, rw_flags=0x%x, buf_index=%d, personality=%d, file_index=%d, pad=0x%llx, addr3=%llx, error=%d",
			     ring, req, &user_data, op, &flags, &prio, &off,
			     &addr, &len, &rw_flags, &buf_index, &personality,
			     &file_index, &pad, &addr3, &error))
		TH_LOG("%s", line);
	EXPECT_EQ(0x5eedULL, user_data);
	EXPECT_STREQ("NOP", op);
	EXPECT_EQ(0x80U, flags);
	EXPECT_EQ(0, prio);
	EXPECT_EQ(4369ULL, off);
	EXPECT_EQ(8738ULL, addr);
	EXPECT_EQ(51U, len);
	EXPECT_EQ(0x44U, rw_flags);
	EXPECT_EQ(5, buf_index);
	EXPECT_EQ(0, personality);
	EXPECT_EQ(0x66ULL, addr3);
	EXPECT_EQ(-EINVAL, error);
	/* it never became a submitted request, but it completes */
	EXPECT_EQ(0, trace_count(self, "xuring_submit_req"));
	EXPECT_EQ(1, trace_count(self, "xuring_complete"));
}

/*
 * A chain whose head fails at init: its two links join it
 * (xuring_link names the head), are cancelled (xuring_fail_link names
 * the failed request and the link) and complete with -ECANCELED.
 */
TEST_F_TIMEOUT(trace, broken_link, 120)
{
	char head[XR_PTR_LEN], reqs[2][XR_PTR_LEN], line[512];
	struct xuring_sqe *sqe;
	struct xuring_cqe cqe[3];
	struct complete_ev c;
	char buf[8];
	int i;

	trace_init_ring(_metadata, self, 4, 0);
	XR_GET_SQE(sqe, &self->r);
	xr_prep_rw(sqe, XURING_OP_READ, -1, buf, sizeof(buf), 0, 0xa);
	sqe->flags = XURING_SQE_IO_LINK;
	XR_GET_SQE(sqe, &self->r);
	xr_prep_nop(sqe, 0xb);
	sqe->flags = XURING_SQE_IO_LINK;
	XR_GET_SQE(sqe, &self->r);
	xr_prep_nop(sqe, 0xc);
	xr_submit(&self->r);
	ASSERT_EQ(3U, xr_reap_n(&self->r, cqe, 3, XR_IO_TIMEOUT_MS));
	EXPECT_EQ(-EBADF, cqe[0].res);
	EXPECT_EQ(-ECANCELED, cqe[1].res);
	EXPECT_EQ(-ECANCELED, cqe[2].res);
	trace_read(_metadata, self);

	ASSERT_TRUE(trace_event(self, "xuring_req_failed", 0, line,
				sizeof(line)));
	ASSERT_EQ(1, sscanf(line, "ring %*[^,], req %63[^,],", head));
	ASSERT_EQ(2, trace_count(self, "xuring_link"));
	ASSERT_EQ(2, trace_count(self, "xuring_fail_link"));
	for (i = 0; i < 2; i++) {
		char target[XR_PTR_LEN], failed[XR_PTR_LEN], link[XR_PTR_LEN];
		unsigned long long user_data;
		char op[32];

		ASSERT_TRUE(trace_event(self, "xuring_link", i, line,
					sizeof(line)));
		ASSERT_EQ(2, sscanf(line, "ring %*[^,], request %63s linked after %63s",
				    reqs[i], target)) TH_LOG("%s", line);
		EXPECT_STREQ(head, target);

		ASSERT_TRUE(trace_event(self, "xuring_fail_link", i, line,
					sizeof(line)));
		ASSERT_EQ(4, sscanf(line, "ring %*[^,], request %63[^,], user_data 0x%llx, opcode %31[^,], link %63s",
				    failed, &user_data, op, link))
			TH_LOG("%s", line);
		EXPECT_STREQ(head, failed);
		EXPECT_EQ(0xaULL, user_data);
		EXPECT_STREQ("READ", op);
		EXPECT_STREQ(reqs[i], link);
	}
	ASSERT_TRUE(find_complete(self, 0xb, &c));
	EXPECT_STREQ(reqs[0], c.req);
	EXPECT_EQ(-ECANCELED, c.res);
	ASSERT_TRUE(find_complete(self, 0xc, &c));
	EXPECT_STREQ(reqs[1], c.req);
	EXPECT_EQ(-ECANCELED, c.res);
	ASSERT_TRUE(find_complete(self, 0xa, &c));
	EXPECT_STREQ(head, c.req);
	EXPECT_EQ(-EBADF, c.res);
}

/*
 * A CQ of 4 and 6 NOPs not reaped: 4 xuring_complete, then 2
 * xuring_cqe_overflow with the rest's user_data; none of them is lost.
 */
TEST_F_TIMEOUT(trace, cqe_overflow, 120)
{
	struct xuring_cqe cqe;
	char line[512], ocqe[XR_PTR_LEN];
	unsigned long long user_data;
	unsigned int i, cflags;
	int res;

	trace_init_ring(_metadata, self, 2, 4);
	for (i = 0; i < 3; i++) {
		ASSERT_TRUE(xr_queue_nop(&self->r, 0x100 + 2 * i));
		ASSERT_TRUE(xr_queue_nop(&self->r, 0x101 + 2 * i));
		ASSERT_EQ(2, xr_submit(&self->r));
	}
	for (i = 0; i < 6; i++) {
		ASSERT_EQ(0, xr_wait_cqe_ms(&self->r, &cqe, XR_IO_TIMEOUT_MS));
		EXPECT_EQ(0x100ULL + i, cqe.user_data);
	}
	trace_read(_metadata, self);

	ASSERT_EQ(4, trace_count(self, "xuring_complete"));
	ASSERT_EQ(2, trace_count(self, "xuring_cqe_overflow"));
	for (i = 0; i < 2; i++) {
		ASSERT_TRUE(trace_event(self, "xuring_cqe_overflow", i, line,
					sizeof(line)));
		ASSERT_EQ(4, sscanf(line, "ring %*[^,], user_data 0x%llx, res %d, cflags 0x%x, overflow_cqe %63s",
				    &user_data, &res, &cflags, ocqe))
			TH_LOG("%s", line);
		EXPECT_EQ(0x104ULL + i, user_data);
		EXPECT_EQ(0, res);
		EXPECT_EQ(0U, cflags);
		/* the request holds it: never dropped, never NULL */
		EXPECT_EQ(NULL, strstr(ocqe, "null"));
		EXPECT_NE(0, strcmp(ocqe, "0000000000000000"));
	}
}

/*
 * A read of an empty pipe goes to io-wq (xuring_file_get, then
 * xuring_queue_async_work, not hashed); a drain NOP behind it waits
 * (xuring_defer); a wait for both fires xuring_cqring_wait; registering
 * and unregistering files fire xuring_register with the counts after.
 */
TEST_F_TIMEOUT(trace, async_drain_wait_register, 120)
{
	unsigned int nr_files, nr_bufs, opcode;
	char line[512], op[32], kind[16];
	unsigned long long user_data;
	int pipefd[2], fd, min_events, i;
	struct xuring_cqe cqe[2];
	struct xuring_sqe *sqe;
	struct __kernel_timespec ts = { .tv_nsec = 20000000 };
	struct xuring_getevents_arg arg = { .ts = (uintptr_t)&ts };
	char buf[8];
	long ret;

	ASSERT_EQ(0, pipe(pipefd));
	trace_init_ring(_metadata, self, 4, 0);
	ASSERT_EQ(0, xr_register(self->r.fd, XURING_REGISTER_FILES,
				 &pipefd[0], 1));
	ASSERT_EQ(0, xr_register(self->r.fd, XURING_UNREGISTER_FILES,
				 NULL, 0));

	XR_GET_SQE(sqe, &self->r);
	xr_prep_rw(sqe, XURING_OP_READ, pipefd[0], buf, sizeof(buf), -1,
		   0x11);
	ASSERT_EQ(1, xr_submit(&self->r));
	XR_GET_SQE(sqe, &self->r);
	xr_prep_nop(sqe, 0x22);
	sqe->flags = XURING_SQE_IO_DRAIN;
	ASSERT_EQ(1, xr_submit(&self->r));
	/* nothing can complete yet: the wait times out */
	ret = xr_enter(self->r.fd, 0, 2,
		       XURING_ENTER_GETEVENTS | XURING_ENTER_EXT_ARG, &arg,
		       sizeof(arg));
	EXPECT_EQ(-ETIME, ret);
	ASSERT_EQ(1, write(pipefd[1], "x", 1));
	ASSERT_EQ(2U, xr_reap_n(&self->r, cqe, 2, XR_IO_TIMEOUT_MS));
	EXPECT_EQ(0x11ULL, cqe[0].user_data);
	EXPECT_EQ(1, cqe[0].res);
	EXPECT_EQ(0x22ULL, cqe[1].user_data);
	trace_read(_metadata, self);

	ASSERT_EQ(2, trace_count(self, "xuring_register"));
	for (i = 0; i < 2; i++) {
		static const unsigned int want_op[] = {
			XURING_REGISTER_FILES, XURING_UNREGISTER_FILES,
		};

		ASSERT_TRUE(trace_event(self, "xuring_register", i, line,
					sizeof(line)));
		ASSERT_EQ(4, sscanf(line, "ring %*[^,], opcode %u, nr_user_files %u, nr_user_bufs %u, ret %ld",
				    &opcode, &nr_files, &nr_bufs, &ret));
		EXPECT_EQ(want_op[i], opcode);
		EXPECT_EQ(i ? 0U : 1U, nr_files);
		EXPECT_EQ(0U, nr_bufs);
		EXPECT_EQ(0, ret);
	}

	ASSERT_LE(1, trace_count(self, "xuring_file_get"));
	ASSERT_TRUE(trace_event(self, "xuring_file_get", 0, line,
				sizeof(line)));
	ASSERT_EQ(2, sscanf(line, "ring %*[^,], req %*[^,], user_data 0x%llx, fd %d",
			    &user_data, &fd));
	EXPECT_EQ(0x11ULL, user_data);
	EXPECT_EQ(pipefd[0], fd);

	ASSERT_LE(1, trace_count(self, "xuring_queue_async_work"));
	ASSERT_TRUE(trace_event(self, "xuring_queue_async_work", 0, line,
				sizeof(line)));
	ASSERT_EQ(3, sscanf(line, "ring %*[^,], request %*[^,], user_data 0x%llx, opcode %31[^,], flags 0x%*x, %15s queue",
			    &user_data, op, kind)) TH_LOG("%s", line);
	EXPECT_EQ(0x11ULL, user_data);
	EXPECT_STREQ("READ", op);
	EXPECT_STREQ("normal", kind);

	ASSERT_EQ(1, trace_count(self, "xuring_defer"));
	ASSERT_TRUE(trace_event(self, "xuring_defer", 0, line, sizeof(line)));
	ASSERT_EQ(2, sscanf(line, "ring %*[^,], request %*[^,], user_data 0x%llx, opcode %31s",
			    &user_data, op));
	EXPECT_EQ(0x22ULL, user_data);
	EXPECT_STREQ("NOP", op);

	ASSERT_LE(1, trace_count(self, "xuring_cqring_wait"));
	ASSERT_TRUE(trace_event(self, "xuring_cqring_wait", 0, line,
				sizeof(line)));
	ASSERT_EQ(1, sscanf(line, "ring %*[^,], min_events %d", &min_events));
	EXPECT_EQ(2, min_events);
	close(pipefd[0]);
	close(pipefd[1]);
}

TEST_HARNESS_MAIN
