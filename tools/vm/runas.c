// SPDX-License-Identifier: GPL-2.0
/*
 * xuring-runas [--setsid] [--user UID:GID[:GID,...]] [--] PROGRAM [ARG...]
 *
 * How the test VM starts every test program (tools/vm/jobs/lib.sh).
 *
 * --setsid  makes PROGRAM the leader of a new session, so that the runner
 *           can find and kill everything it started, including processes
 *           that moved to process groups of their own (the kselftest
 *           harness puts each test in one). It fails, rather than forking
 *           as setsid(1) does when the caller leads a process group, so
 *           that PROGRAM's pid is always the session's id.
 * --user    drops root for good before the exec: the supplementary groups
 *           (the list after the second colon; none if it is absent), then
 *           the real, effective and saved GID, then the UIDs. It needs no
 *           /etc/passwd (busybox su and chpst look names up there) and
 *           checks that root cannot be regained.
 *
 * Exit status: PROGRAM's, or 125 if a step before the exec failed, 126 if
 * PROGRAM could not be run, 127 if it was not found (as env(1)).
 */
#define _GNU_SOURCE	/* setresuid(), setresgid() */
#include <errno.h>
#include <grp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_GROUPS	32

struct credentials {
	uid_t uid;
	gid_t gid;
	gid_t groups[MAX_GROUPS];
	size_t nr_groups;
};

static void usage(void)
{
	fprintf(stderr,
		"usage: xuring-runas [--setsid] [--user UID:GID[:GID,...]] [--] PROGRAM [ARG...]\n");
	exit(125);
}

/* A decimal id ending at one of @ends; returns where it stopped. */
static const char *parse_id(const char *s, const char *ends, unsigned int *id)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (end == s || errno || v > 0xfffffffeUL || !strchr(ends, *end))
		return NULL;
	*id = v;
	return end;
}

static bool parse_user(const char *s, struct credentials *cred)
{
	unsigned int id;

	s = parse_id(s, ":", &id);
	if (!s)
		return false;
	cred->uid = id;
	s = parse_id(s + 1, ":", &id);
	if (!s)
		return false;
	cred->gid = id;
	if (!*s)
		return true;
	do {
		if (cred->nr_groups == MAX_GROUPS)
			return false;
		s = parse_id(s + 1, ",", &id);
		if (!s)
			return false;
		cred->groups[cred->nr_groups++] = id;
	} while (*s);
	return true;
}

static void drop_root(const struct credentials *cred)
{
	if (setgroups(cred->nr_groups, cred->groups)) {
		perror("xuring-runas: setgroups");
		exit(125);
	}
	if (setresgid(cred->gid, cred->gid, cred->gid)) {
		perror("xuring-runas: setresgid");
		exit(125);
	}
	if (setresuid(cred->uid, cred->uid, cred->uid)) {
		perror("xuring-runas: setresuid");
		exit(125);
	}
	/* a test that believes it is unprivileged must be */
	if (cred->uid != 0 && (setuid(0) == 0 || seteuid(0) == 0)) {
		fprintf(stderr, "xuring-runas: could regain root after dropping it\n");
		exit(125);
	}
}

int main(int argc, char **argv)
{
	struct credentials cred = { 0 };
	bool new_session = false, change_user = false;
	int i;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--")) {
			i++;
			break;
		} else if (!strcmp(argv[i], "--setsid")) {
			new_session = true;
		} else if (!strcmp(argv[i], "--user") && i + 1 < argc) {
			if (!parse_user(argv[++i], &cred)) {
				fprintf(stderr, "xuring-runas: bad --user '%s'\n",
					argv[i]);
				usage();
			}
			change_user = true;
		} else {
			usage();
		}
	}
	if (i == argc)
		usage();

	if (new_session && setsid() < 0) {
		perror("xuring-runas: setsid");
		exit(125);
	}
	if (change_user)
		drop_root(&cred);
	execvp(argv[i], argv + i);
	fprintf(stderr, "xuring-runas: %s: %s\n", argv[i], strerror(errno));
	return errno == ENOENT ? 127 : 126;
}
