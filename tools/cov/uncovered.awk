# SPDX-License-Identifier: GPL-2.0
#
# The lines no run reached, from one lcov tracefile: for each file, each
# run of uncovered lines (uncovered lines with no covered line between
# them) with its function and first source line, for deciding which test
# or fault injection would reach it, or why none can.
#
# With -v reasons=FILE (tools/cov/reasons), each stretch is matched with
# the entry of its file whose TEXT its first source line contains, and the
# reason is printed under it; the last line says how many stretches have
# none. (The entry's function is for the reader: an inlined function's
# lines are counted under the function gcov put them in.)
#
# usage: awk -v prefix=DIR/ [-v reasons=FILE] -f uncovered.awk both.info

BEGIN {
	nreason = 0
	if (reasons != "") {
		while ((getline l < reasons) > 0) {
			if (l ~ /^#/ || l !~ /[^ \t]/)
				continue
			n = split(l, f, / \| /)
			if (n < 4)
				continue
			rfile[++nreason] = f[1]
			rtext[nreason] = f[3]
			rwhy[nreason] = f[4]
			for (i = 5; i <= n; i++)
				rwhy[nreason] = rwhy[nreason] " | " f[i]
		}
		close(reasons)
	}
	stretches = unexplained = 0
}

/^SF:/ {
	path = substr($0, 4)
	file = index(path, prefix) == 1 ? substr(path, length(prefix) + 1) : path
	nda = nfn = 0
}
/^FN:/ {	# FN:<first line>,<name>
	split(substr($0, 4), a, ",")
	fnline[++nfn] = a[1] + 0
	fnname[nfn] = a[2]
}
/^DA:/ {	# DA:<line>,<count>
	split(substr($0, 4), a, ",")
	daline[++nda] = a[1] + 0
	dacount[nda] = a[2] + 0
}

function func_of(line, i, best, bestline) {
	best = "?"
	bestline = 0
	for (i = 1; i <= nfn; i++)
		if (fnline[i] <= line && fnline[i] > bestline) {
			bestline = fnline[i]
			best = fnname[i]
		}
	return best
}

function reason_of(text, i) {
	for (i = 1; i <= nreason; i++)
		if (rfile[i] == file && index(text, rtext[i]))
			return rwhy[i]
	return ""
}

function flush(text, why) {
	if (!first)
		return
	text = src[first]
	gsub(/^[ \t]+|[ \t]+$/, "", text)
	why = reason_of(text)
	if (length(text) > 60)
		text = substr(text, 1, 57) "..."
	range = first == last ? first : first "-" last
	printf "  %-10s %3d  %-28s %s\n", range, count, func_of(first), text
	stretches++
	if (why != "") {
		printf "%13s%s\n", "", why
	} else if (reasons != "") {
		printf "%13s(no reason given)\n", ""
		unexplained++
	}
	first = 0
}

/^end_of_record/ {
	delete src
	n = 0
	while ((getline l < path) > 0)
		src[++n] = l
	close(path)
	# DA records come in line order; sort anyway (insertion, small n)
	for (i = 2; i <= nda; i++)
		for (j = i; j > 1 && daline[j - 1] > daline[j]; j--) {
			t = daline[j]; daline[j] = daline[j - 1]; daline[j - 1] = t
			t = dacount[j]; dacount[j] = dacount[j - 1]; dacount[j - 1] = t
		}
	out = 0
	for (i = 1; i <= nda; i++)
		if (dacount[i] == 0)
			out++
	if (out == 0)
		next
	printf "%s: %d of %d lines not run\n", file, out, nda
	first = 0
	for (i = 1; i <= nda; i++) {
		if (dacount[i] > 0) {
			flush()
			continue
		}
		if (!first) {
			first = daline[i]
			count = 0
		}
		last = daline[i]
		count++
	}
	flush()
	printf "\n"
}

END {
	if (reasons != "")
		printf "%d stretches of lines not run, %d without a reason\n", stretches, unexplained
}
