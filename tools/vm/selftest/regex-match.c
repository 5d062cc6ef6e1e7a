// SPDX-License-Identifier: GPL-2.0
/*
 * regex-match ERE < LINES: print the lines that match ERE as the fuzzer
 * (tools/fuzz/report.c) matches kernel log lines, with regcomp(3)'s
 * REG_EXTENDED; exit 0 if one did, 1 if none, 2 on a bad ERE. `make
 * check-runner` checks jobs/report-patterns with it, beside grep -E.
 */
#include <regex.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	char line[4096];
	regex_t re;
	int found = 0;

	if (argc != 2 || regcomp(&re, argv[1], REG_EXTENDED | REG_NOSUB)) {
		fprintf(stderr, "usage: regex-match ERE < LINES (a valid ERE)\n");
		return 2;
	}
	while (fgets(line, sizeof(line), stdin)) {
		line[strcspn(line, "\n")] = '\0';
		if (regexec(&re, line, 0, NULL, 0) == 0) {
			puts(line);
			found = 1;
		}
	}
	regfree(&re);
	return !found;
}
