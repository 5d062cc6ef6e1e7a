# SPDX-License-Identifier: GPL-2.0
#
# The coverage table of tools/cov/coverage.sh: line and branch coverage of
# each file, one column pair per lcov tracefile given (SET.info: check,
# fuzz, both), and the files of src/ below the goal.
#
# usage: awk -v prefix=DIR/ -v goal=90 -f table.awk check.info ...
# prefix is cut from the file names (the profiled module's copy).

FNR == 1 {
	set = FILENAME
	sub(/.*\//, "", set)
	sub(/\.info$/, "", set)
	sets[++nsets] = set
}
/^SF:/ {
	file = substr($0, 4)
	if (index(file, prefix) == 1)
		file = substr(file, length(prefix) + 1)
	if (!(file in seen)) {
		seen[file] = 1
		files[++nfiles] = file
	}
}
/^LF:/ { lf[set, file] = substr($0, 4) }
/^LH:/ { lh[set, file] = substr($0, 4) }
/^BRF:/ { brf[set, file] = substr($0, 5) }
/^BRH:/ { brh[set, file] = substr($0, 5) }

function pct(hit, all) {
	return all > 0 ? sprintf("%5.1f%%", 100 * hit / all) : "     -"
}

function row(hit_l, all_l, hit_b, all_b) {
	printf "  %6s %8s", pct(hit_l, all_l), pct(hit_b, all_b)
}

END {
	# src/ first, then the headers, each sorted by name
	for (i = 2; i <= nfiles; i++)
		for (j = i; j > 1; j--) {
			a = files[j - 1]; b = files[j]
			ka = (a ~ /^src\// ? "0" : "1") a
			kb = (b ~ /^src\// ? "0" : "1") b
			if (ka <= kb)
				break
			files[j - 1] = b; files[j] = a
		}
	printf "%-20s %6s", "", ""
	for (s = 1; s <= nsets; s++)
		printf "  %15s", sets[s]
	printf "\n%-20s %6s", "file", "lines"
	for (s = 1; s <= nsets; s++)
		printf "  %6s %8s", "lines", "branches"
	printf "\n"
	last = nsets
	for (i = 1; i <= nfiles; i++) {
		f = files[i]
		printf "%-20s %6d", f, lf[sets[last], f]
		for (s = 1; s <= nsets; s++) {
			k = sets[s] SUBSEP f
			row(lh[k], lf[k], brh[k], brf[k])
			tlh[s] += lh[k]; tlf[s] += lf[k]
			tbh[s] += brh[k]; tbf[s] += brf[k]
		}
		printf "\n"
		k = sets[last] SUBSEP f
		if (f ~ /^src\// && lf[k] > 0 && 100 * lh[k] / lf[k] < goal)
			below = below " " substr(f, 5)
	}
	printf "%-20s %6d", "total", tlf[last]
	for (s = 1; s <= nsets; s++)
		row(tlh[s], tlf[s], tbh[s], tbf[s])
	printf "\n"
	if (below != "")
		printf "below %d%% of lines (%s):%s\n", goal, sets[last], below
	else
		printf "every src/ file has at least %d%% of its lines covered (%s)\n", goal, sets[last]
}
