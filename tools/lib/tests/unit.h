/* SPDX-License-Identifier: (GPL-2.0 OR MIT) */
/*
 * libxuring unit tests: the library against a simulated /dev/xuring.
 *
 * The tests link libxuring.a with open(), ioctl() and close() wrapped
 * (ld --wrap): opening /dev/xuring yields a memfd that fake_kernel.c treats
 * as a ring, and the three xuring ioctls on it run a small simulation of
 * the module (NOP, CQ overflow, SQPOLL wakeups, EXT_ARG timeouts, a few
 * register opcodes), recording every call. The rings are real shared
 * mappings of the memfd, so the library's mmap and memory ordering code
 * runs unchanged. No kernel module, no root.
 *
 * Each test is a function returning through UT_EXPECT failures; main()
 * prints TAP.
 */
#ifndef XURING_UNIT_H
#define XURING_UNIT_H

#include <stdbool.h>
#include <stdio.h>
#include <liburing.h>
#include <linux/xuring.h>

/* what the simulated module does; tests set it before io_uring_setup() */
struct fake_config {
	bool absent;			/* no /dev/xuring: open fails ENOENT */
	unsigned int features;		/* io_uring_params.features reported */
	int register_ret[4];		/* forced results of the next registers */
	int nr_register_ret;
};

/* the last XURING_IOC_ENTER, as the module saw it */
struct fake_enter {
	unsigned int to_submit;
	unsigned int min_complete;
	unsigned int flags;
	size_t argsz;
	const void *arg;
	struct io_uring_getevents_arg ext;	/* copy, with EXT_ARG */
	int ret;
};

/* the last XURING_IOC_REGISTER */
struct fake_register {
	unsigned int opcode;
	unsigned int nr_args;
	const void *arg;
	int ret;
};

struct fake_kernel {
	struct fake_config config;
	unsigned int nr_enter;
	struct fake_enter enter;
	unsigned int nr_register;
	struct fake_register reg;
};

extern struct fake_kernel fake;

/* the default: what xuring reports today */
#define FAKE_FEATURES	(IORING_FEAT_SINGLE_MMAP | IORING_FEAT_NODROP | \
			 IORING_FEAT_SUBMIT_STABLE | IORING_FEAT_RW_CUR_POS | \
			 IORING_FEAT_SQPOLL_NONFIXED | IORING_FEAT_EXT_ARG | \
			 IORING_FEAT_CQE_SKIP)

void fake_reset(void);
/* post a CQE as the module would (into the overflow list if the CQ is full) */
void fake_post_cqe(int ring_fd, __u64 user_data, __s32 res, __u32 flags);
/* what the SQ thread would do: consume every published SQE */
unsigned int fake_sqpoll_run(int ring_fd);
/* set and clear bits of the SQ ring's flags word */
void fake_sq_flags(int ring_fd, unsigned int set, unsigned int clear);
unsigned int fake_overflowed(int ring_fd);

extern int ut_failed;

#define UT_EXPECT(cond) do {						\
	if (!(cond)) {							\
		printf("#   %s:%d: expected %s\n", __FILE__, __LINE__,	\
		       #cond);						\
		ut_failed = 1;						\
	}								\
} while (0)

#define UT_EXPECT_EQ(a, b) do {						\
	long long __a = (long long)(a), __b = (long long)(b);		\
	if (__a != __b) {						\
		printf("#   %s:%d: %s == %lld, expected %s == %lld\n",	\
		       __FILE__, __LINE__, #a, __a, #b, __b);		\
		ut_failed = 1;						\
	}								\
} while (0)

struct ut_test {
	const char *name;
	void (*fn)(void);
};

#define UT_MAIN(...)							\
int main(void)								\
{									\
	static const struct ut_test tests[] = { __VA_ARGS__ };		\
	unsigned int i, n = sizeof(tests) / sizeof(tests[0]);		\
	int failures = 0;						\
									\
	printf("TAP version 13\n1..%u\n", n);				\
	for (i = 0; i < n; i++) {					\
		fake_reset();						\
		ut_failed = 0;						\
		tests[i].fn();						\
		printf("%sok %u %s\n", ut_failed ? "not " : "", i + 1,	\
		       tests[i].name);					\
		failures += ut_failed;					\
	}								\
	return failures ? 1 : 0;					\
}

#define UT(fn)	{ #fn, fn }

#endif /* XURING_UNIT_H */
