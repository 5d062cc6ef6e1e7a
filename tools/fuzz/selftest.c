// SPDX-License-Identifier: GPL-2.0
/*
 * xuring-fuzz --self-test: the fuzzer's own pieces that need no kernel
 * module, checked on the build host (make -C tools/fuzz check): pattern
 * files and their comparison, programs (parse, format, slicing), the
 * errno table's verdicts on the cases the module documents, the policy
 * rows under the default parameters, and the built-in report list.
 */
#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"

static int fz_st_failed, fz_st_n;

static void fz_st(bool ok, const char *what)
{
	fz_st_n++;
	printf("%s %d %s\n", ok ? "ok" : "not ok", fz_st_n, what);
	if (!ok)
		fz_st_failed++;
}

static void fz_selftest_patterns(void)
{
	uint8_t buf[4096];
	uint64_t pos = 0;
	char path[] = "/tmp/xuring-fuzz-selftest.XXXXXX";
	int fd = mkstemp(path), i;

	fz_st(fd >= 0 && !fz_pat_write(fd, PAT_A, 100000), "pattern file written");
	fz_st(pread(fd, buf, sizeof(buf), 12345) == sizeof(buf),
	      "pattern file read back");
	fz_st(fz_pat_diff(buf, sizeof(buf), PAT_A, 12345) < 0,
	      "the bytes at 12345 are pattern A at 12345");
	fz_st(fz_pat_diff(buf, sizeof(buf), PAT_A, 12346) == 0,
	      "and not pattern A at 12346");
	fz_st(fz_pat_diff(buf, sizeof(buf), PAT_B, 12345) >= 0,
	      "and not pattern B");
	fz_st(fz_pat_locate(buf + 3, 100, PAT_A, &pos) && pos == 12348,
	      "a run of 100 bytes is located at its offset");
	fz_st(!fz_pat_locate(buf, 100, PAT_B, &pos),
	      "pattern A is not located as pattern B");
	fz_st(fz_pat_seen(buf + 5, 20, PAT_A) && !fz_pat_seen(buf, 4096, PAT_SECRET),
	      "seen: its own pattern, not the secret's");
	buf[700] ^= 1;
	fz_st(fz_pat_diff(buf, sizeof(buf), PAT_A, 12345) == 700,
	      "one flipped bit is found where it is");
	for (i = 0; i < 16; i++)
		buf[i] = FZ_POISON;
	fz_st(!fz_pat_seen(buf, 16, PAT_A), "poison is no pattern");
	if (fd >= 0) {
		close(fd);
		unlink(path);
	}
}

static void fz_selftest_programs(void)
{
	struct fz_prog p, q;
	char text[256];

	fz_st(!fz_prog_parse("# a comment\n12:5+3,7:0+2\n99:100+1\n", &p) &&
	      p.nseg == 3 && fz_prog_len(&p) == 6, "a program parses");
	fz_st(fz_prog_op_seed(&p, 0) == fz_derive_seed(12, 3, 5) &&
	      fz_prog_op_seed(&p, 3) == fz_derive_seed(7, 3, 0) &&
	      fz_prog_op_seed(&p, 5) == fz_derive_seed(99, 3, 100),
	      "op k of a segment draws from its seed and first + k");
	fz_prog_format(&p, text, sizeof(text));
	fz_st(!strcmp(text, "12:5+3,7:0+2,99:100+1"), "and formats back");
	fz_st(!fz_prog_parse(text, &q) && !memcmp(q.seg, p.seg, sizeof(p.seg)),
	      "the format parses to the same program");
	fz_st(fz_prog_parse("12:5", &q) && fz_prog_parse("x", &q) &&
	      fz_prog_parse("", &q) && fz_prog_parse("1:0+0", &q),
	      "malformed programs are refused");
}

static void fz_selftest_errnos(void)
{
	fz_st(fz_errno_allowed(FZ_IOC_ENTER, 0, EOWNERDEAD, false, false) &&
	      !fz_errno_allowed(FZ_IOC_SETUP, 0, EOWNERDEAD, false, false),
	      "EOWNERDEAD: ENTER, not SETUP");
	fz_st(fz_errno_allowed(FZ_IOC_REGISTER, XURING_REGISTER_FILES, EMFILE,
			       false, false) &&
	      !fz_errno_allowed(FZ_IOC_REGISTER, XURING_REGISTER_PROBE, EMFILE,
				false, false),
	      "EMFILE: REGISTER_FILES, not PROBE");
	fz_st(!fz_errno_allowed(FZ_IOC_ENTER, 0, ENOSPC, false, false) &&
	      fz_errno_allowed(FZ_IOC_ENTER, 0, ENOMEM, false, true),
	      "ENOSPC never; ENOMEM from ENTER only under fault injection");
	fz_st(fz_errno_allowed(FZ_IOC_ENTER, 0, EOPNOTSUPP, true, false) &&
	      !fz_errno_allowed(FZ_IOC_ENTER, 0, EINVAL, true, false),
	      "a 32-bit caller: EOPNOTSUPP only");
	fz_st(fz_ioc_kind(XURING_IOC_ENTER) == FZ_IOC_ENTER &&
	      fz_ioc_kind(_IOC(_IOC_READ | _IOC_WRITE, XURING_IOC_MAGIC, 1, 24)) ==
	      FZ_IOC_UNKNOWN && fz_ioc_kind(0x5401) == FZ_IOC_FOREIGN,
	      "ioctl numbers are told apart");
}

/* With the module's default parameters (no module here: none are read). */
static void fz_selftest_policy(void)
{
	bool root = geteuid() == 0;

	fz_st(fz_errno_allowed(FZ_IOC_SETUP, 0, EPERM, false, false) == !root &&
	      !fz_errno_allowed(FZ_IOC_ENTER, 0, EPERM, false, false),
	      root ? "EPERM: never for root's SETUP, never from ENTER" :
		     "EPERM: SETUP outside group= (SQPOLL), never ENTER");
	fz_st(!fz_errno_allowed(FZ_IOC_SETUP, 0, EMFILE, false, false),
	      "EMFILE: not from SETUP while max_user_rings is 0");
	fz_st(!fz_op_denied(XURING_OP_READ) && !fz_op_denied(XURING_OP_NOP),
	      "allowed_ops all: no op expects -EACCES");
}

static void fz_selftest_reports(void)
{
	regex_t re;
	bool ok = !regcomp(&re, fz_report_re_default(), REG_EXTENDED | REG_NOSUB);

	fz_st(ok, "the built-in report-patterns compile");
	fz_st(ok && !regexec(&re, "BUG xuring_req (Not tainted): Poison overwritten",
			     0, NULL, 0) &&
	      !regexec(&re, "kernel BUG at mm/slub.c:123!", 0, NULL, 0),
	      "and know SLUB's reports and BUG()");
	fz_st(ok && regexec(&re, "xuring: loading out-of-tree module taints kernel.",
			    0, NULL, 0),
	      "and not a clean line");
	if (ok)
		regfree(&re);
}

/*
 * A CQE the fuzzer scribbled itself (its flags, say) is no finding; the
 * same CQE on a ring nobody scribbled is. Last: the second check stops
 * the run, as a finding does.
 */
static void fz_selftest_cqe_checks(void)
{
	struct xuring_cqe cqe = { .user_data = 0x7f, .res = -EINVAL,
				  .flags = 0x7ffffff };
	struct fz_ring *ring = calloc(1, sizeof(*ring));

	if (!ring) {
		fz_st(false, "a ring shadow for the CQE checks");
		return;
	}
	fz_ring_taint(ring, TAINT_SQE);
	fz_ring_taint(ring, TAINT_CQE);
	fz_check_cqe(ring, &cqe);
	fz_st(!fz_stopping(),
	      "a scribbled CQE's flags on a ring tainted before are no finding");
	memset(ring, 0, sizeof(*ring));
	fz_check_cqe(ring, &cqe);
	fz_st(fz_stopping_bad(), "the same CQE on an untouched ring is");
	free(ring);
}

int fz_selftest(void)
{
	printf("1..28\n");
	fz_selftest_patterns();
	fz_selftest_programs();
	fz_selftest_errnos();
	fz_selftest_policy();
	fz_selftest_reports();
	fz_selftest_cqe_checks();
	return fz_st_failed ? 1 : 0;
}
