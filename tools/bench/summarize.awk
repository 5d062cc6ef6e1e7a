# SPDX-License-Identifier: GPL-2.0
#
# Medians of the benchmark's raw results, one line per row, with the
# ratios xuring/io_uring and xuring/libaio (and what xuring's statistics
# cost, with xuring+stats runs). The same script runs in the
# guest (busybox awk: a row as soon as its runs are done) and on the host
# (the final table), so both say the same thing.
#
# Input: lines "bench-result,ROW,QD,ENGINE,REP,IOPS" (anything else is
# ignored), in any order. Output, per ROW and QD in order of appearance:
#	ROW QD  engine=median ...  xuring/io_uring=R xuring/libaio=R
# or, with -v csv=1, "row,qd,engine,median_iops,runs" lines.

BEGIN { FS = "," }

$1 == "bench-result" && NF >= 6 {
	key = $2 SUBSEP $3
	if (!(key in seen)) {
		seen[key] = 1
		keys[++nkeys] = key
	}
	if (!((key, $4) in nruns)) {
		nruns[key, $4] = 0
		engines[key] = engines[key] " " $4
	}
	runs[key, $4, ++nruns[key, $4]] = $6 + 0
}

function median(key, eng,    n, i, j, t, v) {
	n = nruns[key, eng]
	for (i = 1; i <= n; i++)
		v[i] = runs[key, eng, i]
	for (i = 2; i <= n; i++)	# insertion sort: a handful of runs
		for (j = i; j > 1 && v[j - 1] > v[j]; j--) {
			t = v[j]; v[j] = v[j - 1]; v[j - 1] = t
		}
	if (n % 2)
		return v[(n + 1) / 2]
	return (v[n / 2] + v[n / 2 + 1]) / 2
}

function kfmt(x) {
	return x >= 10000 ? sprintf("%.1fk", x / 1000) : sprintf("%.0f", x)
}

END {
	for (k = 1; k <= nkeys; k++) {
		key = keys[k]
		split(key, rq, SUBSEP)
		ne = split(engines[key], el, " ")
		delete med
		for (e = 1; e <= ne; e++)
			med[el[e]] = median(key, el[e])
		if (csv) {
			for (e = 1; e <= ne; e++)
				printf "%s,%s,%s,%.0f,%d\n", rq[1], rq[2], el[e],
				       med[el[e]], nruns[key, el[e]]
			continue
		}
		line = sprintf("%-13s %-6s", rq[1], "qd" rq[2])
		for (e = 1; e <= ne; e++)
			line = line sprintf(" %s %-8s", el[e], kfmt(med[el[e]]))
		if (("xuring" in med) && med["io_uring"] > 0)
			line = line sprintf("  x/io_uring %.2f",
					    med["xuring"] / med["io_uring"])
		if (("xuring" in med) && med["libaio"] > 0)
			line = line sprintf("  x/libaio %.2f",
					    med["xuring"] / med["libaio"])
		if (("xuring+stats" in med) && med["xuring"] > 0) {
			# no line break after "/": awk would read a regex
			cost = med["xuring+stats"] / med["xuring"] - 1
			line = line sprintf("  stats %+.2f%%", 100 * cost)
		}
		print line
	}
}
