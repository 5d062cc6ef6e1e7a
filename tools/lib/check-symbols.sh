#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check-symbols.sh REFERENCE DROPIN [LIB...]
#
# Prove that a binary linked against liburing runs on the drop-in: every
# symbol REFERENCE (Debian's liburing.so.2) exports, with its version, must
# be exported by DROPIN and each further LIB, with the same kind (function
# or object); the version nodes and their parents must match; and DROPIN's
# SONAME must be REFERENCE's. Extra symbols are reported, not fatal.
# Exit status 0 when all holds, 1 otherwise.
set -euo pipefail

die() {
	echo "check-symbols: $*" >&2
	exit 1
}

[ $# -ge 2 ] || die "usage: check-symbols.sh REFERENCE DROPIN [LIB...]"
ref=$1
shift
[ -n "$ref" ] && [ -f "$ref" ] ||
	die "no reference liburing.so.2 ('$ref'); install liburing2 (make deps)" \
	    "or pass LIBURING_REF=/path/to/liburing.so.2"
command -v objdump >/dev/null || die "objdump not found (binutils)"

# "version name kind" for each symbol a library defines, sorted. The
# version node names themselves show up as *ABS* objects; keep them too.
exported() {
	objdump -T "$1" | awk '
		$NF != "" && $0 ~ /^[0-9a-f]+ / && $0 !~ /\*UND\*/ {
			kind = ($0 ~ / DF /) ? "func" : "object"
			print $(NF - 1), $NF, kind
		}' | sort -u
}

# "node parent..." lines from the version definitions
version_nodes() {
	objdump -p "$1" | awk '
		/^Version definitions:/ { on = 1; next }
		on && /^$/ { exit }
		on && /^[0-9]/ { if (node) print node, parents; node = $4; parents = ""; next }
		on { parents = parents " " $1 }
		END { if (node) print node, parents }' | tail -n +2
}

soname() {
	objdump -p "$1" | awk '$1 == "SONAME" { print $2 }'
}

ref_syms=$(exported "$ref")
ref_nodes=$(version_nodes "$ref")
nref=$(printf '%s\n' "$ref_syms" | grep -c .)
status=0

for lib in "$@"; do
	[ -f "$lib" ] || die "$lib: no such file"
	syms=$(exported "$lib")
	missing=$(comm -23 <(printf '%s\n' "$ref_syms") <(printf '%s\n' "$syms"))
	extra=$(comm -13 <(printf '%s\n' "$ref_syms") <(printf '%s\n' "$syms"))

	if [ -n "$missing" ]; then
		echo "FAIL $lib: missing $(printf '%s\n' "$missing" | grep -c .) of $nref symbols of $ref:"
		printf '%s\n' "$missing" | sed 's/^/    /'
		status=1
	else
		echo "ok   $lib: all $nref symbol@version of $(basename "$ref") present"
	fi
	if [ -n "$extra" ]; then
		echo "note $lib: exports more than the reference:"
		printf '%s\n' "$extra" | sed 's/^/    /'
	fi
	if [ "$(version_nodes "$lib")" != "$ref_nodes" ]; then
		echo "FAIL $lib: version nodes differ from the reference:"
		diff <(printf '%s\n' "$ref_nodes") <(version_nodes "$lib") |
			sed 's/^/    /' || true
		status=1
	fi
done

dropin=$1
if [ "$(soname "$dropin")" != "$(soname "$ref")" ]; then
	echo "FAIL $dropin: SONAME $(soname "$dropin"), reference $(soname "$ref")"
	status=1
else
	echo "ok   $dropin: SONAME $(soname "$dropin")"
fi
exit $status
