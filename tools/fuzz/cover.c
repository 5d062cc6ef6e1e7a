// SPDX-License-Identifier: GPL-2.0
/*
 * Coverage-guided programs.
 *
 * kcov: each worker thread enables its own /sys/kernel/debug/kcov
 * (KCOV_TRACE_PC) for its whole life and collects the PCs of each op:
 * every system call the op makes, ioctls, mmap, close and what a close
 * tears down. Only code built with KCOV_INSTRUMENT is traced; the debug
 * kernel instruments nothing of its own and the module is built with
 * XURING_KCOV=1 for make fuzz, so the PCs are the module's (and are
 * checked against its address range from /proc/modules).
 *
 * Programs: single-threaded runs execute programs of ops, each from a
 * clean state (fz_reset_state). A program is a list of segments; op k of
 * segment (seed, first, count) draws from the generator seeded with
 * fz_derive_seed(seed, 3, first + k), exactly as op number first + k of a
 * plain run with that seed. Fresh programs are consecutive slices of the
 * run's own stream, so "--seed S --ops N" without a corpus issues the
 * same ops as it always did; mutated programs splice, cut and extend the
 * corpus's programs with fresh ops. A program that reaches a module PC no
 * op reached before joins the corpus and is written to --corpus-out as a
 * small text file; --corpus DIR loads such files and replays them first,
 * so a run starts from what earlier runs found.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "fuzz.h"

/* <linux/kcov.h>, spelled out: the build host's headers may lack it */
#define FZ_KCOV_INIT_TRACE	_IOR('c', 1, unsigned long)
#define FZ_KCOV_ENABLE		_IO('c', 100)
#define FZ_KCOV_DISABLE		_IO('c', 101)
#define FZ_KCOV_TRACE_PC	0
#define FZ_KCOV_WORDS		(1UL << 18)
#define FZ_NR_KCOV		(FZ_MAX_THREADS + 2)

static struct fz_kcov {
	int		fd;
	unsigned long	*area;
	bool		busy;
} fz_kcovs[FZ_NR_KCOV];
static unsigned int fz_nr_kcov;
static pthread_mutex_t fz_kcov_lock = PTHREAD_MUTEX_INITIALIZER;
static __thread struct fz_kcov *fz_kc;

/* the module's core layout, from /proc/modules; 0: no filter */
static uint64_t fz_mod_lo, fz_mod_hi;

/* every PC seen: open addressing, 0 is empty */
static uint64_t *fz_pcs;
static uint64_t fz_pcs_cap, fz_pcs_nr;
static pthread_mutex_t fz_pcs_lock = PTHREAD_MUTEX_INITIALIZER;

static void fz_module_range(void)
{
	char line[512];
	FILE *f = fopen("/proc/modules", "r");

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long size, addr;
		char name[64];

		if (sscanf(line, "%63s %llu %*s %*s %*s %llx", name, &size,
			   &addr) == 3 && !strcmp(name, "xuring") && addr) {
			fz_mod_lo = addr;
			fz_mod_hi = addr + size;
		}
	}
	fclose(f);
}

int fz_cover_init(void)
{
	unsigned int i;

	for (i = 0; i < FZ_NR_KCOV; i++) {
		struct fz_kcov *k = &fz_kcovs[i];
		int fd = open("/sys/kernel/debug/kcov", O_RDWR | O_CLOEXEC);

		if (fd < 0) {
			if (!i)
				printf("xuring-fuzz: no kcov (/sys/kernel/debug/kcov: %s): coverage is not measured\n",
				       strerror(errno));
			break;
		}
		if (ioctl(fd, FZ_KCOV_INIT_TRACE, FZ_KCOV_WORDS)) {
			close(fd);
			break;
		}
		k->area = mmap(NULL, FZ_KCOV_WORDS * sizeof(unsigned long),
			       PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (k->area == MAP_FAILED) {
			close(fd);
			break;
		}
		k->fd = fd;
		fz_protect_fd(fd);
		fz_nr_kcov++;
	}
	if (!fz_nr_kcov)
		return 0;
	fz_module_range();
	fz_pcs_cap = 1 << 16;
	fz_pcs = calloc(fz_pcs_cap, sizeof(*fz_pcs));
	return 0;
}

bool fz_cover_active(void)
{
	return fz_nr_kcov != 0;
}

void fz_cover_thread_start(void)
{
	unsigned int i;

	pthread_mutex_lock(&fz_kcov_lock);
	for (i = 0; i < fz_nr_kcov && !fz_kc; i++) {
		if (fz_kcovs[i].busy)
			continue;
		if (ioctl(fz_kcovs[i].fd, FZ_KCOV_ENABLE, FZ_KCOV_TRACE_PC))
			continue;
		fz_kcovs[i].busy = true;
		fz_kc = &fz_kcovs[i];
	}
	pthread_mutex_unlock(&fz_kcov_lock);
}

void fz_cover_thread_stop(void)
{
	if (!fz_kc)
		return;
	ioctl(fz_kc->fd, FZ_KCOV_DISABLE, 0);
	pthread_mutex_lock(&fz_kcov_lock);
	fz_kc->busy = false;
	pthread_mutex_unlock(&fz_kcov_lock);
	fz_kc = NULL;
}

void fz_cover_op_begin(void)
{
	if (fz_kc)
		__atomic_store_n(&fz_kc->area[0], 0, __ATOMIC_RELAXED);
}

static bool fz_pcs_insert(uint64_t pc)
{
	uint64_t i;

	if ((fz_pcs_nr + 1) * 2 > fz_pcs_cap) {
		uint64_t *old = fz_pcs, oldcap = fz_pcs_cap, j;

		fz_pcs_cap *= 2;
		fz_pcs = calloc(fz_pcs_cap, sizeof(*fz_pcs));
		fz_pcs_nr = 0;
		for (j = 0; j < oldcap; j++)
			if (old[j])
				fz_pcs_insert(old[j]);
		free(old);
	}
	for (i = (pc * 0x9e3779b97f4a7c15ULL) >> 20;; i++) {
		uint64_t *e = &fz_pcs[i & (fz_pcs_cap - 1)];

		if (*e == pc)
			return false;
		if (!*e) {
			*e = pc;
			fz_pcs_nr++;
			return true;
		}
	}
}

unsigned int fz_cover_op_end(void)
{
	unsigned long n, i;
	unsigned int fresh = 0;

	if (!fz_kc)
		return 0;
	n = __atomic_load_n(&fz_kc->area[0], __ATOMIC_RELAXED);
	if (n > FZ_KCOV_WORDS - 1)
		n = FZ_KCOV_WORDS - 1;
	pthread_mutex_lock(&fz_pcs_lock);
	for (i = 0; i < n; i++) {
		uint64_t pc = __atomic_load_n(&fz_kc->area[i + 1],
					      __ATOMIC_RELAXED);

		if (!pc || (fz_mod_hi && (pc < fz_mod_lo || pc >= fz_mod_hi)))
			continue;
		fresh += fz_pcs_insert(pc);
	}
	pthread_mutex_unlock(&fz_pcs_lock);
	return fresh;
}

uint64_t fz_cover_pcs(void)
{
	return __atomic_load_n(&fz_pcs_nr, __ATOMIC_RELAXED);
}

/* ------------------------------------------------------------ programs */

uint64_t fz_prog_len(const struct fz_prog *p)
{
	uint64_t n = 0;
	unsigned int i;

	for (i = 0; i < p->nseg; i++)
		n += p->seg[i].count;
	return n;
}

uint64_t fz_prog_op_seed(const struct fz_prog *p, uint64_t i)
{
	unsigned int s;

	for (s = 0; s < p->nseg; s++) {
		if (i < p->seg[s].count)
			return fz_derive_seed(p->seg[s].seed, 3,
					      p->seg[s].first + i);
		i -= p->seg[s].count;
	}
	return 0;
}

/* Append ops [from, to) of @src to @dst; false if it does not fit. */
static bool fz_prog_append(struct fz_prog *dst, const struct fz_prog *src,
			   uint64_t from, uint64_t to)
{
	unsigned int s;
	uint64_t at = 0;

	for (s = 0; s < src->nseg && from < to; s++) {
		const struct fz_seg *g = &src->seg[s];
		uint64_t lo = from > at ? from - at : 0;
		uint64_t hi = to - at < g->count ? to - at : g->count;

		if (lo < hi) {
			struct fz_seg *last = dst->nseg ? &dst->seg[dst->nseg - 1] :
					      NULL;

			if (last && last->seed == g->seed &&
			    last->first + last->count == g->first + lo) {
				last->count += hi - lo;
			} else {
				if (dst->nseg == FZ_PROG_SEGS)
					return false;
				dst->seg[dst->nseg].seed = g->seed;
				dst->seg[dst->nseg].first = g->first + lo;
				dst->seg[dst->nseg].count = hi - lo;
				dst->nseg++;
			}
		}
		at += g->count;
	}
	return fz_prog_len(dst) <= FZ_PROG_MAX_OPS;
}

int fz_prog_parse(const char *text, struct fz_prog *p)
{
	const char *s = text;

	memset(p, 0, sizeof(*p));
	while (*s) {
		unsigned long long seed, first;
		unsigned int count;
		int used;

		if (*s == '#') {		/* a comment, to the end of the line */
			while (*s && *s != '\n')
				s++;
			continue;
		}
		if (*s == ' ' || *s == '\t' || *s == '\n' || *s == ',' ||
		    *s == '\r') {
			s++;
			continue;
		}
		if (sscanf(s, "%llu:%llu+%u%n", &seed, &first, &count, &used) != 3 ||
		    p->nseg == FZ_PROG_SEGS || !count)
			return -1;
		p->seg[p->nseg].seed = seed;
		p->seg[p->nseg].first = first;
		p->seg[p->nseg].count = count;
		p->nseg++;
		s += used;
	}
	return p->nseg && fz_prog_len(p) <= FZ_PROG_MAX_OPS ? 0 : -1;
}

void fz_prog_format(const struct fz_prog *p, char *buf, size_t len)
{
	unsigned int i;
	size_t n = 0;

	buf[0] = 0;
	for (i = 0; i < p->nseg && n < len; i++)
		n += snprintf(buf + n, len - n, "%s%llu:%llu+%u", i ? "," : "",
			      (unsigned long long)p->seg[i].seed,
			      (unsigned long long)p->seg[i].first,
			      p->seg[i].count);
}

/* ------------------------------------------------------------ the corpus */

static struct fz_prog *fz_corpus;
static unsigned int fz_corpus_nr, fz_corpus_cap, fz_corpus_loaded;
static unsigned int fz_corpus_replayed, fz_corpus_new;
static uint64_t fz_pcs_after_replay;

/* where the program loop is, for the replay line */
static struct fz_prog fz_cur_prog;
static uint64_t fz_cur_prog_op;
static bool fz_in_programs, fz_mutated_any;

static void fz_corpus_add(const struct fz_prog *p)
{
	if (fz_corpus_nr == fz_corpus_cap) {
		fz_corpus_cap = fz_corpus_cap ? 2 * fz_corpus_cap : 64;
		fz_corpus = realloc(fz_corpus, fz_corpus_cap * sizeof(*p));
	}
	fz_corpus[fz_corpus_nr++] = *p;
}

static int fz_name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static const char *fz_corpus_mode(void)
{
	return fz_cfg.corpus_mode ? fz_cfg.corpus_mode : "single";
}

static void fz_corpus_load(const char *dir)
{
	char **names = NULL, path[1024], text[4096], mode[32];
	unsigned int nr = 0, cap = 0, i, bad = 0, other = 0;
	struct dirent *de;
	DIR *d = opendir(dir);

	if (!d) {
		printf("xuring-fuzz: corpus %s: %s (starting without one)\n",
		       dir, strerror(errno));
		return;
	}
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (nr == cap) {
			cap = cap ? 2 * cap : 64;
			names = realloc(names, cap * sizeof(*names));
		}
		names[nr++] = strdup(de->d_name);
	}
	closedir(d);
	qsort(names, nr, sizeof(*names), fz_name_cmp);
	for (i = 0; i < nr; i++) {
		struct fz_prog p;
		const char *m;
		ssize_t n;
		int fd;

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		n = fd >= 0 ? read(fd, text, sizeof(text) - 1) : -1;
		if (fd >= 0)
			close(fd);
		free(names[i]);
		if (n <= 0) {
			bad++;
			continue;
		}
		text[n] = 0;
		m = strstr(text, "# mode ");
		if (!m || sscanf(m, "# mode %31s", mode) != 1 ||
		    strcmp(mode, fz_corpus_mode())) {
			other++;
			continue;
		}
		if (fz_prog_parse(text, &p)) {
			bad++;
			continue;
		}
		snprintf(p.origin, sizeof(p.origin), "corpus %s",
			 path + strlen(dir) + 1);
		fz_corpus_add(&p);
	}
	free(names);
	fz_corpus_loaded = fz_corpus_nr;
	printf("xuring-fuzz: corpus %s: %u programs of mode %s%s", dir,
	       fz_corpus_nr, fz_corpus_mode(), other || bad ? " (" : "\n");
	if (other || bad)
		printf("%u of other modes, %u unreadable)\n", other, bad);
}

static void fz_corpus_save(const struct fz_prog *p, unsigned int fresh)
{
	char text[2048], path[1024], body[1500];
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;
	int fd, n;

	if (!fz_cfg.corpus_out)
		return;
	fz_prog_format(p, body, sizeof(body));
	for (i = 0; body[i]; i++)
		h = (h ^ (uint8_t)body[i]) * 0x100000001b3ULL;
	n = snprintf(text, sizeof(text),
		     "# xuring-fuzz program: segments SEED:FIRST+COUNT (tools/fuzz/README.md)\n"
		     "# mode %s\n"
		     "# %s: %u new module PCs, %llu in all\n%s\n",
		     fz_corpus_mode(), p->origin, fresh,
		     (unsigned long long)fz_cover_pcs(), body);
	mkdir(fz_cfg.corpus_out, 0755);
	snprintf(path, sizeof(path), "%s/%s-%016llx", fz_cfg.corpus_out,
		 fz_corpus_mode(), (unsigned long long)h);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	(void)!write(fd, text, n);
	close(fd);
}

/* ------------------------------------------------------------ the loop */

static uint64_t fz_fresh_next;	/* the run's stream: next unused op */

static void fz_prog_fresh(struct fz_prog *p, uint32_t n)
{
	memset(p, 0, sizeof(*p));
	p->seg[0].seed = fz_cfg.seed;
	p->seg[0].first = fz_fresh_next;
	p->seg[0].count = n;
	p->nseg = 1;
	fz_fresh_next += n;
}

/* A variation of a corpus program; false if it came out too big. */
static bool fz_prog_mutate(struct fz_rng *sr, struct fz_prog *out)
{
	const struct fz_prog *a = &fz_corpus[fz_below(sr, fz_corpus_nr)];
	const struct fz_prog *b = &fz_corpus[fz_below(sr, fz_corpus_nr)];
	uint64_t la = fz_prog_len(a), x = fz_below(sr, la + 1), k;
	struct fz_prog fresh;
	const char *how;
	bool ok;

	memset(out, 0, sizeof(*out));
	switch (fz_below(sr, 5)) {
	case 0:
		how = "spliced with another";
		ok = fz_prog_append(out, a, 0, x) &&
		     fz_prog_append(out, b, fz_below(sr, fz_prog_len(b) + 1),
				    fz_prog_len(b));
		break;
	case 1:
		how = "with fresh ops inserted";
		fz_prog_fresh(&fresh, fz_range(sr, 1, 16));
		ok = fz_prog_append(out, a, 0, x) &&
		     fz_prog_append(out, &fresh, 0, fresh.seg[0].count) &&
		     fz_prog_append(out, a, x, la);
		break;
	case 2:
		how = "with ops cut out";
		k = fz_range(sr, 1, 16);
		ok = fz_prog_append(out, a, 0, x) &&
		     fz_prog_append(out, a, x + k, la);
		break;
	case 3:
		how = "with ops replaced";
		k = fz_range(sr, 1, 16);
		fz_prog_fresh(&fresh, k);
		ok = fz_prog_append(out, a, 0, x) &&
		     fz_prog_append(out, &fresh, 0, k) &&
		     fz_prog_append(out, a, x + k, la);
		break;
	default:
		how = "extended";
		fz_prog_fresh(&fresh, fz_range(sr, 1, 64));
		ok = fz_prog_append(out, a, 0, la) &&
		     fz_prog_append(out, &fresh, 0, fresh.seg[0].count);
		break;
	}
	if (!ok || !out->nseg)
		return false;
	snprintf(out->origin, sizeof(out->origin), "seed %llu: %.40s, %s",
		 (unsigned long long)fz_cfg.seed, a->origin, how);
	return true;
}

static bool fz_budget_left(struct fz_thread *t)
{
	(void)t;
	if (fz_cfg.max_ops && fz_opno >= fz_cfg.max_ops)
		return false;
	if (fz_cfg.seconds &&
	    (fz_now_ns() - fz_start_ns) / 1e9 >= fz_cfg.seconds)
		return false;
	return true;
}

/*
 * Run @p from a clean state; returns the new PCs it reached. A program
 * the end of the run cut short is cut to the ops that ran.
 */
static unsigned int fz_prog_run(struct fz_thread *t, struct fz_prog *p)
{
	uint64_t len = fz_prog_len(p), i;
	unsigned int fresh = 0;
	char text[1500];

	fz_reset_state();
	fz_cur_prog = *p;
	fz_stat_inc(programs);
	fz_log("program %s", p->origin);
	fz_prog_format(p, text, sizeof(text));
	fz_kmsg_mark("op %llu: program %s (replay: xuring-fuzz --program %s)\n",
		     (unsigned long long)fz_opno + 1, p->origin, text);
	for (i = 0; i < len && !fz_stopping(); i++) {
		if (!fz_budget_left(t)) {
			fz_request_stop(FZ_STOP_DONE);
			break;
		}
		fz_cur_prog_op = i;
		t->cur_opno = __atomic_add_fetch(&fz_opno, 1, __ATOMIC_RELAXED);
		fz_rng_seed(&t->rng, fz_prog_op_seed(p, i));
		fz_cover_op_begin();
		fz_op_run(&t->rng);
		fresh += fz_cover_op_end();
		t->ops++;
		t->progress_ns = fz_now_ns();
		if ((t->ops & 7) == 0)
			fz_kmsg_poll();
	}
	if (i < len && i) {
		struct fz_prog cut = { .nseg = 0 };

		fz_prog_append(&cut, p, 0, i);
		memcpy(cut.origin, p->origin, sizeof(cut.origin));
		*p = cut;
	}
	return fresh;
}

void fz_programs_run(struct fz_thread *t)
{
	struct fz_rng sr;
	struct fz_prog p;
	unsigned int i, fresh;
	double replay_share = 0.4;

	fz_in_programs = true;
	if (fz_cfg.program) {
		if (fz_prog_parse(fz_cfg.program, &p)) {
			printf("xuring-fuzz: --program '%s': want SEED:FIRST+COUNT[,...] (at most %d segments, %d ops)\n",
			       fz_cfg.program, FZ_PROG_SEGS, FZ_PROG_MAX_OPS);
			fz_request_stop(FZ_STOP_DONE);
			return;
		}
		snprintf(p.origin, sizeof(p.origin), "--program");
		fz_prog_run(t, &p);
		fz_request_stop(FZ_STOP_DONE);
		return;
	}
	if (fz_cfg.corpus_dir)
		fz_corpus_load(fz_cfg.corpus_dir);
	fz_rng_seed(&sr, fz_derive_seed(fz_cfg.seed, 4, 0));

	/* what earlier runs found, first: the coverage to beat */
	for (i = 0; i < fz_corpus_loaded && !fz_stopping(); i++) {
		if (fz_cfg.seconds && (fz_now_ns() - fz_start_ns) / 1e9 >=
		    fz_cfg.seconds * replay_share) {
			printf("xuring-fuzz: corpus replay stopped after %u of %u programs (%.0f%% of the time)\n",
			       i, fz_corpus_loaded, replay_share * 100);
			break;
		}
		fz_prog_run(t, &fz_corpus[i]);
		fz_corpus_replayed++;
	}
	fz_pcs_after_replay = fz_cover_pcs();
	if (fz_corpus_loaded)
		printf("xuring-fuzz: corpus replayed: %u programs, %llu module PCs\n",
		       fz_corpus_replayed, (unsigned long long)fz_pcs_after_replay);

	while (!fz_stopping()) {
		if (fz_corpus_nr && fz_chance(&sr, 1, 2) &&
		    fz_prog_mutate(&sr, &p)) {
			fz_mutated_any = true;
		} else {
			fz_prog_fresh(&p, fz_cfg.program_ops);
			snprintf(p.origin, sizeof(p.origin),
				 "seed %llu: fresh ops %llu..%llu",
				 (unsigned long long)fz_cfg.seed,
				 (unsigned long long)p.seg[0].first,
				 (unsigned long long)(p.seg[0].first +
						      p.seg[0].count - 1));
		}
		fresh = fz_prog_run(t, &p);
		/* a program cut short by the end reached what it reached */
		if (fresh && fz_cover_active() && !fz_stopping_bad()) {
			fz_corpus_add(&p);
			fz_corpus_new++;
			fz_corpus_save(&p, fresh);
			fz_log("program reached %u new PCs: into the corpus", fresh);
		}
	}
}

void fz_replay_args(char *buf, size_t len)
{
	char prog[1500];
	size_t n = 0;

	buf[0] = 0;
	if (fz_in_programs && (fz_mutated_any || fz_corpus_replayed ||
			       fz_cfg.program)) {
		fz_prog_format(&fz_cur_prog, prog, sizeof(prog));
		n = snprintf(buf, len, "--program %s --ops %llu", prog,
			     (unsigned long long)fz_cur_prog_op + 1);
	} else {
		n = snprintf(buf, len, "--seed %llu --ops %llu",
			     (unsigned long long)fz_cfg.seed,
			     (unsigned long long)fz_opno);
		if (fz_in_programs &&
		    fz_cfg.program_ops != FZ_PROG_OPS_DEFAULT && n < len)
			n += snprintf(buf + n, len - n, " --program-ops %u",
				      fz_cfg.program_ops);
	}
	if (fz_cfg.fail_nth && n < len)
		n += snprintf(buf + n, len - n, " --fail-nth %u", fz_cfg.fail_nth);
	if (fz_cfg.uid >= 0 && n < len)
		n += snprintf(buf + n, len - n, " --uid %d", fz_cfg.uid);
	if (fz_cfg.suid_helper && n < len)
		n += snprintf(buf + n, len - n, " --suid-helper");
	if (fz_cfg.no_shapes && n < len) {
		unsigned int i;
		bool first = true;

		n += snprintf(buf + n, len - n, " --no-shape ");
		for (i = 0; i < FZ_SHAPE_NR && n < len; i++)
			if (fz_cfg.no_shapes & (1U << i)) {
				n += snprintf(buf + n, len - n, "%s%s",
					      first ? "" : ",", fz_shape_names[i]);
				first = false;
			}
	}
}

void fz_cover_print(void)
{
	if (!fz_cover_active()) {
		printf("xuring-fuzz: coverage: not measured (no kcov)\n");
		return;
	}
	printf("xuring-fuzz: coverage: %llu module PCs%s",
	       (unsigned long long)fz_cover_pcs(),
	       fz_mod_hi ? "" : " (module range unknown: all PCs counted)");
	if (fz_in_programs && !fz_cfg.program)
		printf("; corpus: %u loaded, %u replayed (%llu PCs after them), %u new",
		       fz_corpus_loaded, fz_corpus_replayed,
		       (unsigned long long)fz_pcs_after_replay, fz_corpus_new);
	printf("\n");
	if (!fz_cover_pcs())
		printf("xuring-fuzz: no module PC at all: was xuring.ko built with XURING_KCOV=1 (make fuzz does that)?\n");
}
