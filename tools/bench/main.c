// SPDX-License-Identifier: GPL-2.0
/*
 * xuring-bench: peak request rate of xuring or of the kernel's io_uring,
 * on identical work, in the spirit of fio's t/io_uring.
 *
 *	xuring-bench --engine xuring --mode nop --depth 128 --batch 32
 *	xuring-bench --engine io_uring --fixed-files --fixed-bufs -O /dev/nullb0
 *
 * The last line printed is the result, key=value pairs for scripts:
 *	xuring-bench: engine=xuring mode=read ... iops=123456 ...
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

static void usage(FILE *f)
{
	fprintf(f,
"usage: xuring-bench [options] [FILE|DEVICE]\n"
"Drive one ring flat out with NOPs or random reads; print the rate.\n"
"\n"
"  -e, --engine=NAME        xuring (default: /dev/xuring) or io_uring (the kernel's)\n"
"  -m, --mode=MODE          nop, or read (the default when FILE is given)\n"
"  -d, --depth=N            requests in flight at most (default 128)\n"
"  -s, --submit-batch=N     SQEs per submission (default 32)\n"
"  -c, --complete-batch=N   CQEs to wait for when the queue is full (default 32)\n"
"      --batch=N            both batches\n"
"  -b, --bs=BYTES           read size (default 4096)\n"
"  -F, --fixed-files        register the file; SQEs use FIXED_FILE\n"
"  -B, --fixed-bufs         register the buffers; READ_FIXED\n"
"  -O, --direct             open with O_DIRECT\n"
"  -p, --poll               IOPOLL ring (polled completions; needs -O)\n"
"  -S, --sqpoll             SQPOLL ring (a kernel thread submits)\n"
"      --sqpoll-cpu=CPU     pin the SQ thread\n"
"  -t, --time=SECONDS       run time (default 3; 0 with --ops)\n"
"  -n, --ops=N              stop after N requests\n"
"      --profile-marks      mark the start and end of the measured loop for\n"
"                           make profile's QEMU plugin (tools/prof)\n"
"  -h, --help\n"
"\n"
"Reads go to random %%bs-aligned offsets of FILE (its size, or a block\n"
"device's). Every CQE is checked; a wrong result fails the run (status 1).\n");
}

static int parse_uint(const char *opt, const char *s, unsigned int min,
		      unsigned long long max, unsigned long long *val)
{
	char *end;

	errno = 0;
	*val = strtoull(s, &end, 0);
	if (errno || end == s || *end || *val < min || *val > max) {
		fprintf(stderr, "xuring-bench: --%s wants a number from %u to %llu, not '%s'\n",
			opt, min, max, s);
		return -1;
	}
	return 0;
}

enum { OPT_BATCH = 256, OPT_SQPOLL_CPU, OPT_PROFILE_MARKS };

static const struct option long_opts[] = {
	{ "engine", required_argument, NULL, 'e' },
	{ "mode", required_argument, NULL, 'm' },
	{ "depth", required_argument, NULL, 'd' },
	{ "submit-batch", required_argument, NULL, 's' },
	{ "complete-batch", required_argument, NULL, 'c' },
	{ "batch", required_argument, NULL, OPT_BATCH },
	{ "bs", required_argument, NULL, 'b' },
	{ "fixed-files", no_argument, NULL, 'F' },
	{ "fixed-bufs", no_argument, NULL, 'B' },
	{ "direct", no_argument, NULL, 'O' },
	{ "poll", no_argument, NULL, 'p' },
	{ "sqpoll", no_argument, NULL, 'S' },
	{ "sqpoll-cpu", required_argument, NULL, OPT_SQPOLL_CPU },
	{ "time", required_argument, NULL, 't' },
	{ "ops", required_argument, NULL, 'n' },
	{ "profile-marks", no_argument, NULL, OPT_PROFILE_MARKS },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static const char *opt_name(int c)
{
	const struct option *lo;

	for (lo = long_opts; lo->name; lo++)
		if (lo->val == c)
			return lo->name;
	return "?";
}

static int parse_args(int argc, char **argv, struct bench_opts *o)
{
	bool mode_set = false, time_set = false, batch_set = false;
	unsigned long long v;
	char *end;
	int c;

	while ((c = getopt_long(argc, argv, "e:m:d:s:c:b:FBOpSt:n:h",
				long_opts, NULL)) != -1) {
		switch (c) {
		case 'e':
			if (!strcmp(optarg, "xuring")) {
				o->backend = BACKEND_XURING;
			} else if (!strcmp(optarg, "io_uring")) {
				o->backend = BACKEND_IO_URING;
			} else {
				fprintf(stderr, "xuring-bench: --engine is xuring or io_uring, not '%s'\n",
					optarg);
				return -1;
			}
			break;
		case 'm':
			if (!strcmp(optarg, "nop")) {
				o->mode = MODE_NOP;
			} else if (!strcmp(optarg, "read")) {
				o->mode = MODE_READ;
			} else {
				fprintf(stderr, "xuring-bench: --mode is nop or read, not '%s'\n",
					optarg);
				return -1;
			}
			mode_set = true;
			break;
		case 'd':
		case 's':
		case 'c':
		case OPT_BATCH:
			if (parse_uint(opt_name(c), optarg, 1, 4096, &v))
				return -1;
			if (c == 'd')
				o->depth = v;
			if (c == 's' || c == OPT_BATCH)
				o->submit_batch = v;
			if (c == 'c' || c == OPT_BATCH)
				o->complete_batch = v;
			batch_set |= c != 'd';
			break;
		case 'b':
			if (parse_uint("bs", optarg, 1, 1 << 24, &v))
				return -1;
			o->bs = v;
			break;
		case 'F': o->fixed_files = true; break;
		case 'B': o->fixed_bufs = true; break;
		case 'O': o->direct = true; break;
		case 'p': o->iopoll = true; break;
		case 'S': o->sqpoll = true; break;
		case OPT_PROFILE_MARKS: o->profile_marks = true; break;
		case OPT_SQPOLL_CPU:
			if (parse_uint("sqpoll-cpu", optarg, 0, 4095, &v))
				return -1;
			o->sqpoll_cpu = v;
			break;
		case 't':
			errno = 0;
			o->seconds = strtod(optarg, &end);
			if (errno || end == optarg || *end || o->seconds < 0) {
				fprintf(stderr, "xuring-bench: --time wants seconds, not '%s'\n",
					optarg);
				return -1;
			}
			time_set = true;
			break;
		case 'n':
			if (parse_uint("ops", optarg, 1, ~0ULL >> 1, &v))
				return -1;
			o->max_ops = v;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -1;
		}
	}
	if (optind < argc)
		o->path = argv[optind++];
	if (optind < argc) {
		fprintf(stderr, "xuring-bench: one FILE only ('%s' is extra)\n",
			argv[optind]);
		return -1;
	}
	if (!mode_set)
		o->mode = o->path ? MODE_READ : MODE_NOP;
	if (o->mode == MODE_READ && !o->path) {
		fprintf(stderr, "xuring-bench: --mode read needs a FILE or DEVICE to read\n");
		return -1;
	}
	if (o->mode == MODE_NOP && (o->fixed_files || o->fixed_bufs ||
				    o->direct || o->iopoll)) {
		fprintf(stderr, "xuring-bench: --fixed-files, --fixed-bufs, --direct and --poll are for --mode read\n");
		return -1;
	}
	if (o->iopoll && !o->direct) {
		fprintf(stderr, "xuring-bench: --poll polls O_DIRECT reads only: add --direct\n");
		return -1;
	}
	if (!batch_set) {	/* the default batches, for a shallow queue */
		if (o->submit_batch > o->depth)
			o->submit_batch = o->depth;
		if (o->complete_batch > o->depth)
			o->complete_batch = o->depth;
	}
	if (o->submit_batch > o->depth || o->complete_batch > o->depth) {
		fprintf(stderr, "xuring-bench: batches (%u, %u) larger than --depth %u\n",
			o->submit_batch, o->complete_batch, o->depth);
		return -1;
	}
	if (o->max_ops && !time_set)
		o->seconds = 0;	/* --ops alone: run until done */
	if (!o->seconds && !o->max_ops) {
		fprintf(stderr, "xuring-bench: --time 0 needs --ops N\n");
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct bench_opts o = {
		.backend = BACKEND_XURING,
		.depth = 128,
		.submit_batch = 32,
		.complete_batch = 32,
		.bs = 4096,
		.sqpoll_cpu = -1,
		.seconds = 3,
	};
	struct bench_result r;

	if (parse_args(argc, argv, &o))
		return 2;
	if (bench_run(&o, &r))
		return 1;

	printf("xuring-bench: engine=%s mode=%s depth=%u submit=%u complete=%u bs=%u fixed_files=%d fixed_bufs=%d direct=%d poll=%d sqpoll=%d secs=%.3f ops=%llu iops=%.0f enters=%llu ops_per_enter=%.2f wakeups=%llu usr=%.2f sys=%.2f\n",
	       backend_name(o.backend), o.mode == MODE_NOP ? "nop" : "read",
	       o.depth, o.submit_batch, o.complete_batch,
	       o.mode == MODE_NOP ? 0 : o.bs, o.fixed_files, o.fixed_bufs,
	       o.direct, o.iopoll, o.sqpoll, r.seconds,
	       (unsigned long long)r.ops, r.ops / r.seconds,
	       (unsigned long long)r.enters,
	       r.enters ? (double)r.ops / r.enters : 0.0,
	       (unsigned long long)r.wakeups, r.user_s, r.sys_s);
	return 0;
}
