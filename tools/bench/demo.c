// SPDX-License-Identifier: GPL-2.0
/*
 * xuring-demo: what `make run` shows. Sets up a ring on /dev/xuring,
 * pushes a million NOPs through it in batches, checks every completion,
 * and says what happened and how fast; then does the same on the kernel's
 * own io_uring for comparison, with the very same loop (loop.c).
 *
 *	xuring-demo [NOPS]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

#define DEMO_DEPTH	128
#define DEMO_BATCH	32

/* the same ring the benchmark makes, to show what SETUP handed back */
static int describe_ring(void)
{
	struct bench_ring ring;
	struct xuring_params p;
	int ret;

	memset(&p, 0, sizeof(p));
	ret = bench_ring_setup(&ring, BACKEND_XURING, DEMO_DEPTH, &p);
	if (ret) {
		printf("could not set up a ring on %s: %s%s\n",
		       XURING_DEVICE_PATH, strerror(-ret),
		       ret == -ENOENT ? " (load xuring.ko first)" : "");
		return -1;
	}
	printf("1. Opened %s and turned it into a ring (XURING_IOC_SETUP):\n",
	       XURING_DEVICE_PATH);
	printf("   %u SQ entries, %u CQ entries, feature bits 0x%x.\n",
	       p.sq_entries, p.cq_entries, p.features);
	printf("   Mapped the rings into this process: %zu bytes of SQ and CQ ring%s\n"
	       "   and %zu bytes of SQEs (64 bytes each, io_uring's layout).\n",
	       ring.sq_map_len,
	       ring.cq_map == ring.sq_map ? " (one mapping)" : "s",
	       ring.sqes_len);
	bench_ring_exit(&ring);
	return 0;
}

static int run_nops(enum bench_backend backend, unsigned long long nops,
		    struct bench_result *r)
{
	struct bench_opts o = {
		.backend = backend,
		.mode = MODE_NOP,
		.depth = DEMO_DEPTH,
		.submit_batch = DEMO_BATCH,
		.complete_batch = DEMO_BATCH,
		.sqpoll_cpu = -1,
		.max_ops = nops,
	};

	return bench_run(&o, r);
}

int main(int argc, char **argv)
{
	unsigned long long nops = 1000000;
	struct bench_result xr, ir;
	char *end;

	if (argc > 1) {
		nops = strtoull(argv[1], &end, 0);
		if (*end || !nops) {
			fprintf(stderr, "usage: xuring-demo [NOPS] (default 1000000)\n");
			return 2;
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);

	if (describe_ring())
		return 1;

	printf("2. Pushed %llu NOP requests through a ring of %u, %u at a time: write\n"
	       "   %u SQEs, one XURING_IOC_ENTER to submit them and collect the\n"
	       "   completions, read the CQEs; again and again.\n",
	       nops, DEMO_DEPTH, DEMO_BATCH, DEMO_BATCH);
	if (run_nops(BACKEND_XURING, nops, &xr)) {
		printf("   FAILED (see above)\n");
		return 1;
	}
	printf("   %llu CQEs came back, each with result 0 and the user_data of a\n"
	       "   request in flight; %llu ENTER calls, %.1f requests per call.\n",
	       (unsigned long long)xr.ops, (unsigned long long)xr.enters,
	       (double)xr.ops / xr.enters);
	printf("   Took %.3f s (of this machine's clock: in make run's VM, a count\n"
	       "   of instructions): %.0f NOPs per second through xuring.\n",
	       xr.seconds, xr.ops / xr.seconds);

	printf("3. The same loop on the kernel's own io_uring (io_uring_enter(2)):\n");
	if (run_nops(BACKEND_IO_URING, nops, &ir)) {
		printf("   not available here (see above); nothing to compare with.\n");
		return 0;
	}
	printf("   Took %.3f s: %.0f NOPs per second through io_uring.\n",
	       ir.seconds, ir.ops / ir.seconds);
	printf("   xuring did %.2fx the rate of io_uring on this machine.\n",
	       (xr.ops / xr.seconds) / (ir.ops / ir.seconds));
	return 0;
}
