# SPDX-License-Identifier: GPL-2.0
#
# The lines no run reached, from one lcov tracefile: for each file, each
# run of uncovered lines (uncovered lines with no covered line between
# them) with its function and first source line, for deciding which test
# or fault injection would reach it, or why none can.
#
# usage: awk -v prefix=DIR/ -f uncovered.awk both.info

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

function flush(text) {
	if (!first)
		return
	text = src[first]
	gsub(/^[ \t]+|[ \t]+$/, "", text)
	if (length(text) > 60)
		text = substr(text, 1, 57) "..."
	range = first == last ? first : first "-" last
	printf "  %-10s %3d  %-28s %s\n", range, count, func_of(first), text
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
