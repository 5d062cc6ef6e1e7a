// SPDX-License-Identifier: GPL-2.0
/*
 * xuring-fuzz: options, the worker threads and their op loop, the end.
 *
 *   xuring-fuzz [--seed S] [--seconds N | --ops N] [--threads T] ...
 *
 * Single-threaded (the default) runs programs (cover.c): the same seed and
 * op count give the same operations, and --program replays one program.
 * With --threads each worker draws from its own sub-stream, but the
 * interleaving is the scheduler's.
 *
 * Exit status: 0 clean, 1 self-check failure, 2 kernel report, 3 hang,
 * 64 usage, 77 no /dev/xuring (skip).
 */
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <dirent.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/resource.h>
#include <sys/syscall.h>

#include "fuzz.h"

struct fz_config fz_cfg = {
	.threads = 1,
	.log_lines = 50,
	.hang_timeout = 120,
	.complete_timeout = 20,
	.uid = -1,
	.watchdog_ms = 250,
	.program_ops = FZ_PROG_OPS_DEFAULT,
};

gid_t fz_device_gid;

const char *const fz_shape_names[FZ_SHAPE_NR] = {
	[FZ_SHAPE_FORK] = "fork", [FZ_SHAPE_EXEC] = "exec",
	[FZ_SHAPE_SUID] = "suid", [FZ_SHAPE_VFORK] = "vfork",
	[FZ_SHAPE_SCM] = "scm", [FZ_SHAPE_CREDS] = "creds",
	[FZ_SHAPE_THREAD] = "thread", [FZ_SHAPE_COMPAT] = "compat",
	[FZ_SHAPE_IOPOLL_EXIT] = "iopoll-exit",
};
pthread_rwlock_t fz_world_lock;
volatile int fz_stop_reason;
uint64_t fz_start_ns;
struct fz_stats fz_stats;
uint64_t fz_opno;
__thread struct fz_thread *fz_self;
struct fz_thread *fz_threads;

uint64_t fz_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

unsigned int fz_pick_weighted(struct fz_rng *r, const unsigned int *w,
			      unsigned int n)
{
	unsigned int i, total = 0, x;

	for (i = 0; i < n; i++)
		total += w[i];
	x = fz_below(r, total);
	for (i = 0; i < n; i++) {
		if (x < w[i])
			return i;
		x -= w[i];
	}
	return n - 1;
}

uint64_t fz_interesting(struct fz_rng *r, int bits)
{
	static const uint64_t vals[] = {
		0, 1, 2, 3, 4, 7, 8, 15, 16, 31, 32, 63, 64, 127, 128, 255, 256,
		511, 512, 1023, 1024, 4095, 4096, 4097, 32767, 32768, 32769,
		65535, 65536, 65537, 0x7fffffff, 0x80000000, 0xfffffffe,
		0xffffffff, 0x100000000ULL, 0x7fffffffffffffffULL,
		0x8000000000000000ULL, 0xfffffffffffffffeULL,
		0xffffffffffffffffULL,
	};
	uint64_t v, mask = bits >= 64 ? ~0ULL : (1ULL << bits) - 1;

	switch (fz_below(r, 4)) {
	case 0:
		v = fz_rand(r);
		break;
	case 1:	/* near a power of two */
		v = (1ULL << fz_below(r, bits)) + fz_range(r, 0, 2) - 1;
		break;
	default:
		v = vals[fz_below(r, ARRAY_SIZE(vals))];
		break;
	}
	return v & mask;
}

static void fz_on_signal(int sig)
{
	(void)sig;
	fz_request_stop(FZ_STOP_SIGNAL);
}

/* This thread as @t: its id and the timer that interrupts its waits. */
void fz_thread_watchdog_init(struct fz_thread *t)
{
	struct sigevent sev = { 0 };

	fz_self = t;
	t->tid = syscall(SYS_gettid);
	sev.sigev_notify = SIGEV_THREAD_ID;
	sev.sigev_signo = SIGRTMIN + 2;
	sev._sigev_un._tid = t->tid;
	t->has_watchdog = timer_create(CLOCK_MONOTONIC, &sev, &t->watchdog) == 0;
}

void fz_thread_watchdog_fini(struct fz_thread *t)
{
	if (t->has_watchdog)
		timer_delete(t->watchdog);
	t->has_watchdog = false;
}

static void fz_thread_init(struct fz_thread *t)
{
	fz_thread_watchdog_init(t);
	t->progress_ns = fz_now_ns();
	fz_cover_thread_start();
}

static void fz_thread_fini(struct fz_thread *t)
{
	fz_cover_thread_stop();
	t->progress_ns = 0;
	fz_thread_watchdog_fini(t);
}

/* The quarantined check pages pile up without resets: make one. */
static void fz_maybe_reset(void)
{
	if (fz_check_quarantined() < FZ_CHECK_PAGES / 2)
		return;
	pthread_rwlock_wrlock(&fz_world_lock);
	if (fz_check_quarantined() >= FZ_CHECK_PAGES / 2) {
		fz_log("reset: the check arena is half quarantined");
		fz_reset_state();
	}
	pthread_rwlock_unlock(&fz_world_lock);
}

static void *fz_worker(void *arg)
{
	struct fz_thread *t = arg;

	fz_thread_init(t);
	fz_kmsg_mark("thread %d (tid %d) starts, seed %llu (run seed %llu)\n",
		     t->idx, t->tid, (unsigned long long)t->seed,
		     (unsigned long long)fz_cfg.seed);
	if (fz_cfg.threads == 1) {
		fz_programs_run(t);
		fz_thread_fini(t);
		return NULL;
	}
	while (!fz_stopping()) {
		uint64_t n = __atomic_add_fetch(&fz_opno, 1, __ATOMIC_RELAXED);

		if (fz_cfg.max_ops && n > fz_cfg.max_ops) {
			__atomic_sub_fetch(&fz_opno, 1, __ATOMIC_RELAXED);
			fz_request_stop(FZ_STOP_DONE);
			break;
		}
		if (fz_cfg.seconds &&
		    (fz_now_ns() - fz_start_ns) / 1e9 >= fz_cfg.seconds) {
			__atomic_sub_fetch(&fz_opno, 1, __ATOMIC_RELAXED);
			fz_request_stop(FZ_STOP_DONE);
			break;
		}
		t->cur_opno = n;
		/*
		 * What the kernel did (how many SQEs it consumed, which CQEs
		 * async work has posted yet) varies from run to run, and an
		 * op's choices may depend on it: seeding every op afresh from
		 * the thread's seed and its op count keeps such a difference
		 * inside that op, so the same seed gives the same ops.
		 */
		fz_rng_seed(&t->rng, fz_derive_seed(t->seed, 3, t->ops));
		pthread_rwlock_rdlock(&fz_world_lock);
		fz_cover_op_begin();
		fz_op_run(&t->rng);
		fz_cover_op_end();
		pthread_rwlock_unlock(&fz_world_lock);
		t->ops++;
		t->progress_ns = fz_now_ns();
		/* after every batch of ops, look at the kernel log */
		if (t->idx == 0 && (t->ops & 7) == 0)
			fz_kmsg_poll();
		fz_maybe_reset();
		/*
		 * Now and then the thread goes and another takes its place:
		 * the rings it created live on without their creator.
		 */
		if (fz_shape_on(FZ_SHAPE_THREAD) &&
		    fz_derive_seed(t->seed, 5, t->ops) % 1500 == 0) {
			fz_log("thread %d (tid %d) exits; another takes over",
			       t->idx, t->tid);
			pthread_rwlock_rdlock(&fz_world_lock);
			fz_rings_close_own();
			pthread_rwlock_unlock(&fz_world_lock);
			break;
		}
	}
	fz_thread_fini(t);
	t->exited = true;
	return NULL;
}

static void fz_thread_start(struct fz_thread *t)
{
	t->seed = fz_derive_seed(fz_cfg.seed, 1, t->idx + t->gen * FZ_MAX_THREADS);
	if (!t->idx && !t->gen)
		t->seed = fz_cfg.seed;
	t->ops = 0;
	t->exited = false;
	pthread_create(&t->pt, NULL, fz_worker, t);
}

/* The module's live counters, to see that a clean end leaves nothing. */
static bool fz_read_counters(long c[4])
{
	static const char *const names[] = {
		"rings", "requests", "workers", "pinned_pages",
	};
	unsigned int i;

	for (i = 0; i < 4; i++) {
		char path[96];
		FILE *f;

		snprintf(path, sizeof(path), "/sys/class/misc/xuring/%s", names[i]);
		f = fopen(path, "r");
		if (!f)
			return false;
		if (fscanf(f, "%ld", &c[i]) != 1)
			c[i] = -1;
		fclose(f);
	}
	return true;
}

/*
 * A wait of ours that may take a while (the counters settling, the leak
 * report): the thread is not hung, whatever its watchdog would say.
 */
static void fz_progress_touch(void)
{
	if (fz_self)
		fz_self->progress_ns = fz_now_ns();
}

static bool fz_counters, fz_have_counters;
static long fz_before[4];

/*
 * The counters did not go back: say who still holds a ring (an fd or a
 * mapping of /dev/xuring in any process) and which tasks are blocked in
 * the kernel, then whether the counters settle later, so that a failure
 * seen once (in CI) says whether a ring was kept, stuck or only slow.
 */
static void fz_leak_report(const long before[4])
{
	long after[4];
	unsigned int i;
	struct dirent *de;
	DIR *proc = opendir("/proc");

	while (proc && (de = readdir(proc))) {
		char path[600], link[256], line[512], state = '?';
		unsigned int fds = 0, maps = 0;
		struct dirent *fe;
		DIR *fdd;
		FILE *f;

		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/fd", de->d_name);
		fdd = opendir(path);
		while (fdd && (fe = readdir(fdd))) {
			ssize_t n;

			snprintf(path, sizeof(path), "/proc/%s/fd/%s",
				 de->d_name, fe->d_name);
			n = readlink(path, link, sizeof(link) - 1);
			if (n > 0 && (link[n] = 0, !strcmp(link, "/dev/xuring")))
				fds++;
		}
		if (fdd)
			closedir(fdd);
		snprintf(path, sizeof(path), "/proc/%s/maps", de->d_name);
		f = fopen(path, "r");
		while (f && fgets(line, sizeof(line), f))
			maps += !!strstr(line, "/dev/xuring");
		if (f)
			fclose(f);
		snprintf(path, sizeof(path), "/proc/%s/stat", de->d_name);
		f = fopen(path, "r");
		if (f && fgets(line, sizeof(line), f)) {
			char *rp = strrchr(line, ')');

			if (rp && rp[1])
				state = rp[2];
		}
		if (f)
			fclose(f);
		if (!fds && !maps && state != 'D')
			continue;
		printf("FUZZ: leak report: pid %s state %c: %u fds and %u mappings of /dev/xuring\n",
		       de->d_name, state, fds, maps);
		if (state != 'D')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stack", de->d_name);
		f = fopen(path, "r");
		while (f && fgets(line, sizeof(line), f))
			printf("FUZZ: leak report:   %s", line);
		if (f)
			fclose(f);
	}
	if (proc)
		closedir(proc);
	for (i = 0; i < 500; i++) {
		usleep(100000);
		fz_progress_touch();
		if (!fz_read_counters(after))
			return;
		if (after[0] == before[0] && after[1] == before[1] &&
		    after[3] == before[3]) {
			printf("FUZZ: leak report: the counters went back %u.%u s later\n",
			       (i + 1) / 10, (i + 1) % 10);
			return;
		}
	}
	printf("FUZZ: leak report: still rings %ld requests %ld pinned_pages %ld 50 s later (freed only when this process exits?)\n",
	       after[0], after[1], after[3]);
}

/*
 * Everything was closed (the end of the run, or a reset between two
 * programs, with every other thread held off): the module's counters must
 * be back where they were before the first op. A reset checks too, so
 * that a leak names the program that made it, which replays exactly.
 */
void fz_counters_check(const char *when)
{
	long after[4];
	unsigned int i;

	if (!fz_have_counters)
		return;
	/* teardown is synchronous, but give deferred work a moment */
	for (i = 0; i < 100; i++) {
		if (!fz_read_counters(after))
			return;
		if (after[0] == fz_before[0] && after[1] == fz_before[1] &&
		    after[3] == fz_before[3])
			return;
		usleep(100000);
		fz_progress_touch();
	}
	fz_fail("module counters 10 s after %s: rings %ld requests %ld pinned_pages %ld (before: %ld %ld %ld)",
		when, after[0], after[1], after[3], fz_before[0],
		fz_before[1], fz_before[3]);
	fz_leak_report(fz_before);
}

static void fz_usage(FILE *f)
{
	fprintf(f,
"usage: xuring-fuzz [options]\n"
"  --seed S          64-bit seed (default: from the clock; printed)\n"
"  --seconds N       run for N seconds (default 60 unless --ops is given)\n"
"  --ops N           run exactly N operations (replay: --seed S --ops N)\n"
"  --threads T       T worker threads on shared rings (default 1, max %d);\n"
"                    1 runs programs, the exact-replay mode\n"
"  --program P       run one program: SEED:FIRST+COUNT[,...] (a failure\n"
"                    prints the one it was in)\n"
"  --program-ops N   ops of a fresh program (default 128)\n"
"  --corpus DIR      replay the programs in DIR first, then mutate them\n"
"  --corpus-out DIR  write the programs that reach new module code there\n"
"  --corpus-mode M   the corpus entries of mode M only (default single)\n"
"  --log-lines N     operations printed when the run stops (default 50)\n"
"  --verbose         print every operation as it happens\n"
"  --hang-timeout N  seconds without progress that count as a hang (120)\n"
"  --complete-timeout N  seconds a ring's last CQEs may take before a close\n"
"                    (default 20); longer is a lost completion\n"
"  --watchdog-ms N   interrupt ENTER waits after N ms (250)\n"
"  --fail-nth P      fault injection (/proc/thread-self/fail-nth) on P%% of\n"
"                    ioctls; needs CONFIG_FAULT_INJECTION (debug kernel)\n"
"  --no-shape LIST   switch process shapes off: fork, exec, suid, vfork,\n"
"                    scm, creds, thread, compat, iopoll-exit (comma-separated)\n"
"  --no-fork         the same as --no-shape fork,exec,vfork,scm\n"
"  --suid-helper     as root: install a setuid-root copy of this binary\n"
"                    for the exec shape (removed at the end)\n"
"  --leader-exits    the main thread exits at once; workers go on\n"
"  --no-kmsg         do not watch /dev/kmsg\n"
"  --no-counters     do not check the module's counters at the end\n"
"  --uid U           drop to uid/gid U after opening /dev/kmsg and kcov\n"
"  --tmpdir DIR      where files go (default $XURING_TMPDIR or /tmp)\n"
"  --report-re RE    kernel log lines that count as a report (ERE)\n"
"  --self-test       check the fuzzer's own pieces (no module needed)\n",
		FZ_MAX_THREADS);
}

static int fz_parse_shapes(const char *list)
{
	char buf[256], *tok, *save;
	unsigned int i;

	snprintf(buf, sizeof(buf), "%s", list);
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < FZ_SHAPE_NR; i++)
			if (!strcmp(tok, fz_shape_names[i]))
				break;
		if (i == FZ_SHAPE_NR) {
			fprintf(stderr, "xuring-fuzz: no shape '%s'\n", tok);
			return -1;
		}
		fz_cfg.no_shapes |= 1U << i;
	}
	return 0;
}

/* Everything after the options; with --leader-exits, not in main(). */
static int fz_run(void)
{
	unsigned int i;
	int code;

	fz_threads = calloc(fz_cfg.threads, sizeof(*fz_threads));
	fz_start_ns = fz_now_ns();
	fz_monitor_start();
	for (i = 0; i < fz_cfg.threads; i++)
		fz_threads[i].idx = i;
	fz_threads[0].seed = fz_cfg.seed;
	if (fz_cfg.threads == 1 && !fz_cfg.leader_exits) {
		fz_worker(&fz_threads[0]);
	} else {
		for (i = 0; i < fz_cfg.threads; i++)
			fz_thread_start(&fz_threads[i]);
		while (!fz_stopping()) {
			usleep(50000);
			/* a thread that retired: another in its place */
			for (i = 0; i < fz_cfg.threads && !fz_stopping(); i++) {
				if (!fz_threads[i].exited)
					continue;
				pthread_join(fz_threads[i].pt, NULL);
				fz_threads[i].gen++;
				fz_thread_start(&fz_threads[i]);
			}
			if (fz_cfg.threads == 1 && fz_threads[0].exited)
				break;
		}
	}
	if (fz_cfg.threads > 1 || fz_cfg.leader_exits) {
		struct timespec ts;

		/* the monitor reports a stuck worker; this is the backstop */
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += (time_t)fz_cfg.hang_timeout + 30;
		for (i = 0; i < fz_cfg.threads; i++) {
			if (pthread_timedjoin_np(fz_threads[i].pt, NULL, &ts)) {
				printf("FUZZ: thread %u did not stop (in %s)\n", i,
				       fz_threads[i].cur_op ?
				       (const char *)fz_threads[i].cur_op : "?");
				fz_request_stop(FZ_STOP_HANG);
				fz_report_final();
				_exit(3);
			}
		}
	}

	/* the end: everything goes, every CQE first, and the kernel must not mind */
	fz_self = NULL;
	fz_children_reap(true);
	fz_foreign_close_all();
	fz_rings_fini();
	fz_ops_fini();
	fz_world_fini();
	fz_exec_fini();
	if (fz_stop_reason == FZ_STOP_DONE)
		fz_counters_check("closing everything");
	usleep(500000);
	fz_kmsg_poll();		/* reports from the teardown */
	fz_monitor_stop();
	fz_report_final();

	switch (fz_stop_reason) {
	case FZ_STOP_FAIL: code = 1; break;
	case FZ_STOP_KERNEL: code = 2; break;
	case FZ_STOP_HANG: code = 3; break;
	default: code = 0; break;
	}
	return code;
}

static void *fz_run_thread(void *arg)
{
	(void)arg;
	fflush(stdout);
	exit(fz_run());
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "seed", required_argument, NULL, 's' },
		{ "seconds", required_argument, NULL, 'S' },
		{ "ops", required_argument, NULL, 'o' },
		{ "threads", required_argument, NULL, 't' },
		{ "program", required_argument, NULL, 'P' },
		{ "program-ops", required_argument, NULL, 'L' },
		{ "corpus", required_argument, NULL, 'c' },
		{ "corpus-out", required_argument, NULL, 'O' },
		{ "corpus-mode", required_argument, NULL, 'M' },
		{ "log-lines", required_argument, NULL, 'l' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "hang-timeout", required_argument, NULL, 'H' },
		{ "complete-timeout", required_argument, NULL, 'T' },
		{ "watchdog-ms", required_argument, NULL, 'w' },
		{ "fail-nth", required_argument, NULL, 'f' },
		{ "no-shape", required_argument, NULL, 'N' },
		{ "no-fork", no_argument, NULL, 'F' },
		{ "suid-helper", no_argument, NULL, 'U' },
		{ "leader-exits", no_argument, NULL, 'E' },
		{ "no-kmsg", no_argument, NULL, 'K' },
		{ "no-counters", no_argument, NULL, 'C' },
		{ "uid", required_argument, NULL, 'u' },
		{ "tmpdir", required_argument, NULL, 'd' },
		{ "report-re", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct sigaction sa = { .sa_handler = fz_on_signal };
	static char exe[1024];
	bool seeded = false;
	struct stat st;
	ssize_t n;
	int c;

	/* an exec of ourselves (exec.c), before anything else */
	if (argc > 1 && !strcmp(argv[1], "--child-exec"))
		return fz_exec_main(argc, argv);
	if (argc == 2 && !strcmp(argv[1], "--self-test"))
		return fz_selftest();
	if (getuid() != geteuid() || getgid() != getegid())
		return 64;	/* setuid: nothing but the holder above */

	fz_counters = true;
	while ((c = getopt_long(argc, argv, "s:S:o:t:l:vh", opts, NULL)) != -1) {
		switch (c) {
		case 's': fz_cfg.seed = strtoull(optarg, NULL, 0); seeded = true; break;
		case 'S': fz_cfg.seconds = strtod(optarg, NULL); break;
		case 'o': fz_cfg.max_ops = strtoull(optarg, NULL, 0); break;
		case 't': fz_cfg.threads = strtoul(optarg, NULL, 0); break;
		case 'P': fz_cfg.program = optarg; break;
		case 'L': fz_cfg.program_ops = strtoul(optarg, NULL, 0); break;
		case 'c': fz_cfg.corpus_dir = optarg; break;
		case 'O': fz_cfg.corpus_out = optarg; break;
		case 'M': fz_cfg.corpus_mode = optarg; break;
		case 'l': fz_cfg.log_lines = strtoul(optarg, NULL, 0); break;
		case 'v': fz_cfg.verbose = true; break;
		case 'H': fz_cfg.hang_timeout = strtod(optarg, NULL); break;
		case 'T': fz_cfg.complete_timeout = strtod(optarg, NULL); break;
		case 'w': fz_cfg.watchdog_ms = strtoul(optarg, NULL, 0); break;
		case 'f': fz_cfg.fail_nth = strtoul(optarg, NULL, 0); break;
		case 'N':
			if (fz_parse_shapes(optarg))
				return 64;
			break;
		case 'F':
			fz_parse_shapes("fork,exec,vfork,scm");
			break;
		case 'U': fz_cfg.suid_helper = true; break;
		case 'E': fz_cfg.leader_exits = true; break;
		case 'K': fz_cfg.no_kmsg = true; break;
		case 'C': fz_counters = false; break;
		case 'u': fz_cfg.uid = strtol(optarg, NULL, 0); break;
		case 'd': fz_cfg.tmpdir = optarg; break;
		case 'r': fz_cfg.report_re = optarg; break;
		case 'h': fz_usage(stdout); return 0;
		default: fz_usage(stderr); return 64;
		}
	}
	if (optind != argc || !fz_cfg.threads || fz_cfg.threads > FZ_MAX_THREADS ||
	    fz_cfg.watchdog_ms == 0 || !fz_cfg.program_ops ||
	    fz_cfg.program_ops > FZ_PROG_MAX_OPS ||
	    (fz_cfg.program && fz_cfg.threads != 1)) {
		fz_usage(stderr);
		return 64;
	}
	if (!fz_cfg.seconds && !fz_cfg.max_ops && !fz_cfg.program)
		fz_cfg.seconds = 60;
	if (!seeded) {
		uint64_t x = fz_now_ns() ^ ((uint64_t)getpid() << 32);

		fz_cfg.seed = fz_splitmix64(&x);
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = 0;
		fz_cfg.exe = exe;
	}

	if (access(XURING_DEVICE_PATH, R_OK | W_OK)) {
		printf("xuring-fuzz: %s: %s (is xuring.ko loaded?)\n",
		       XURING_DEVICE_PATH, strerror(errno));
		return 77;
	}
	if (fz_kmsg_open())
		return 64;
	if (stat(XURING_DEVICE_PATH, &st)) {
		printf("xuring-fuzz: %s: %s\n", XURING_DEVICE_PATH,
		       strerror(errno));
		return 64;
	}
	fz_device_gid = st.st_gid;
	fz_policy_init();
	/* kcov and the setuid helper want root; we may not stay root */
	fz_cover_init();
	fz_exec_init();
	if (fz_cfg.uid >= 0) {
		gid_t gid = fz_cfg.uid;

		/*
		 * Keep the device's group (the packaged udev rule's xuring
		 * group), as a user let in by the administrator has it.
		 */
		if (setgroups(1, &fz_device_gid) || setresgid(gid, gid, gid) ||
		    setresuid(fz_cfg.uid, fz_cfg.uid, fz_cfg.uid)) {
			printf("xuring-fuzz: cannot drop to uid %d: %s\n",
			       fz_cfg.uid, strerror(errno));
			return 64;
		}
		/* /proc/self/fd and fail-nth stay ours */
		prctl(PR_SET_DUMPABLE, 1);
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	{
		pthread_rwlockattr_t attr;

		/* a reset must not starve behind ever-new ops */
		pthread_rwlockattr_init(&attr);
		pthread_rwlockattr_setkind_np(&attr,
				PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
		pthread_rwlock_init(&fz_world_lock, &attr);
	}

	fz_have_counters = fz_counters && fz_read_counters(fz_before);
	fz_rings_init();
	if (fz_world_init())
		return 64;

	printf("xuring-fuzz: seed %llu, %s%g s, %llu ops max, %u thread%s, uid %d, fail-nth %u%%, files in %s%s%s\n",
	       (unsigned long long)fz_cfg.seed,
	       fz_cfg.seconds ? "" : "no time limit ", fz_cfg.seconds,
	       (unsigned long long)fz_cfg.max_ops, fz_cfg.threads,
	       fz_cfg.threads == 1 ? " (programs of ops: exact replay)" : "s",
	       (int)geteuid(), fz_cfg.fail_nth, fz_world.tmpdir,
	       fz_world.ext4dir[0] ? " and " : "", fz_world.ext4dir);
	printf("xuring-fuzz: replay with: xuring-fuzz --seed %llu --ops N (a failure prints the exact arguments)\n",
	       (unsigned long long)fz_cfg.seed);

	if (fz_cfg.leader_exits) {
		pthread_t pt;

		/* the thread group's leader goes; the process lives on */
		pthread_create(&pt, NULL, fz_run_thread, NULL);
		pthread_exit(NULL);
	}
	return fz_run();
}
