#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check-api.sh INCLUDE_DIR UAPI_DIR WORK_DIR INLINE_DUMP_C LIBXURING_A
#
# Prove that libxuring's <liburing.h> (in INCLUDE_DIR, with <linux/xuring.h>
# from UAPI_DIR) offers what the system's liburing 2.3 <liburing.h> does,
# by compiling the same programs against both and comparing:
#
#   prototypes  every function and inline helper, with its types (gcc
#               -aux-info), parameter names dropped
#   macros      every liburing/io_uring macro name (gcc -dM)
#   values      every integer constant: object-like macros and enumerators
#   layouts     sizeof/alignof of every struct, offsetof and sizeof of
#               every member (anonymous unions included)
#   inlines     what every inline helper does (INLINE_DUMP_C, linked with
#               -luring for liburing and LIBXURING_A for ours: every SQE
#               byte each prep helper writes, the ring helpers' results);
#               every inline function of liburing's header must be in it
#
# The reference is whatever <liburing.h> the compiler finds without -I:
# Debian's liburing-dev 2.3 (tools/vm/deps.sh installs it). Exit status 0
# when everything matches, 1 otherwise; details in WORK_DIR.
set -euo pipefail

die() {
	echo "check-api: $*" >&2
	exit 1
}

[ $# -eq 5 ] ||
	die "usage: check-api.sh INCLUDE_DIR UAPI_DIR WORK_DIR INLINE_DUMP_C LIBXURING_A"
ours=(-I"$1" -I"$2")
work=$3
dump_src=$(cd "$(dirname "$4")" && pwd)/$(basename "$4")
libxuring=$(cd "$(dirname "$5")" && pwd)/$(basename "$5")
CC=${CC:-cc}
mkdir -p "$work"
cd "$work"

printf '#include <liburing.h>\n' >hdr.c
"$CC" -E hdr.c -o /dev/null 2>/dev/null ||
	die "no system <liburing.h>: install liburing-dev (make deps)"
sysver=$(dpkg-query -W -f='${Version}' liburing-dev 2>/dev/null || echo unknown)

status=0
report() {	# report WHAT DIFF-FILE
	if [ -s "$2" ]; then
		echo "FAIL $1 (< liburing $sysver, > libxuring):"
		sed 's/^/    /' "$2"
		status=1
	else
		echo "ok   $1"
	fi
}

# 1. Prototypes, normalized: location comment and parameter names dropped.
prototypes() {
	"$CC" "$@" -D_GNU_SOURCE -fsyntax-only -aux-info /dev/stdout hdr.c |
	awk '
	$0 !~ /liburing(\.h|\/)/ { next }
	{
		sub(/^\/\* [^*]*\*\/ /, "")
		# definitions end with a K&R comment listing the parameter names
		names = ""
		if (match($0, / \/\* \([^)]*\)/)) {
			names = substr($0, RSTART + 5, RLENGTH - 6)
			$0 = substr($0, 1, RSTART - 1)
		}
		n = split(names, nm, /, /)
		for (i = 1; i <= n; i++) {
			while (match($0, "[ *]" nm[i] "[,)]")) {
				pre = substr($0, 1, RSTART)
				post = substr($0, RSTART + RLENGTH - 1)
				sub(/ $/, "", pre)
				$0 = pre post
			}
		}
		gsub(/[ \t]+/, " ")
		print
	}' | sort -u
}
prototypes >proto.sys
prototypes "${ours[@]}" >proto.ours
diff proto.sys proto.ours >proto.diff || true
report "prototypes: $(wc -l <proto.sys) functions" proto.diff

# 2. Macro names in liburing's and io_uring's name spaces.
NAMES='^(IORING_|IOSQE_|IO_URING_|IO_WQ_|LIBURING_|io_uring_|uring_|__NR_io_uring_'
NAMES+='|LIB_URING_H|LINUX_IO_URING_H|SPLICE_F_FD_IN_FIXED)'
macros() {
	"$CC" "$@" -D_GNU_SOURCE -E -dM hdr.c |
		awk '{ print $2 }' | sed 's/(.*//' | grep -E "$NAMES" | sort -u
}
macros >macros.sys
macros "${ours[@]}" >macros.ours
diff macros.sys macros.ours >macros.diff || true
report "macros: $(wc -l <macros.sys) names" macros.diff

# 3. Integer constants: object-like macros of the ABI and all enumerators.
"$CC" -D_GNU_SOURCE -E -dM hdr.c |
	awk '$2 !~ /\(/ && NF > 2 { print $2 }' |
	grep -E '^(IORING_|IOSQE_|IO_URING_OP|IO_WQ_|SPLICE_F_FD_IN_FIXED|LIBURING_UDATA)' \
	>consts.list
"$CC" -D_GNU_SOURCE -E -P hdr.c | tr '\n' ' ' |
	grep -oE 'enum( [A-Za-z_][A-Za-z0-9_]*)? \{[^}]*\}' |
	sed -E 's/^enum( [A-Za-z_0-9]*)? \{//; s/\}$//' | tr ',' '\n' |
	sed -E 's/=.*//; s/^ +//; s/ +$//' | grep -E '^(IORING_|IOSQE_|IO_)' \
	>>consts.list
sort -u consts.list -o consts.list
{
	echo '#include <stdio.h>'
	echo '#include <liburing.h>'
	echo 'int main(void)'
	echo '{'
	while read -r c; do
		echo "	printf(\"%s %lld\\n\", \"$c\", (long long)($c));"
	done <consts.list
	echo '	return 0;'
	echo '}'
} >consts.c

# 4. Struct layouts: every struct the two headers define, every member.
"$CC" -D_GNU_SOURCE -E -P hdr.c | awk '
	# the name declared by a member line; "F" marks a flexible array
	function member(line,	n, w, kind) {
		gsub(/__attribute__ *\(\([^()]*(\([^()]*\))?[^()]*\)\)/, "", line)
		kind = (line ~ /\[\]/) ? "F" : "M"
		sub(/\[.*/, "", line); sub(/;.*/, "", line)
		n = split(line, w, /[ \t*]+/)
		if (w[n] == "")
			return
		print kind " " name " " w[n]
	}
	depth == 0 && /^struct (io_uring[a-z_0-9]*|io_[sc]qring_offsets) \{/ {
		name = $2; depth = 1; print "S " name; next
	}
	depth > 0 {
		line = $0
		opens = gsub(/\{/, "{", line); closes = gsub(/\}/, "}", line)
		# members of anonymous unions and structs are members too
		if (opens == 0 && closes == 0 && line ~ /;/)
			member(line)
		depth += opens - closes
	}' >layout.list
{
	echo '#include <stdio.h>'
	echo '#include <stddef.h>'
	echo '#include <liburing.h>'
	echo '#define MSIZE(s, m) sizeof(((struct s *)0)->m)'
	echo 'int main(void)'
	echo '{'
	while read -r kind s m; do
		case $kind in
		S) echo "	printf(\"struct $s size %zu align %zu\\n\"," \
			"sizeof(struct $s), _Alignof(struct $s));" ;;
		M) echo "	printf(\"struct $s.$m offset %zu size %zu\\n\"," \
			"offsetof(struct $s, $m), MSIZE($s, $m));" ;;
		F) echo "	printf(\"struct $s.$m offset %zu\\n\"," \
			"offsetof(struct $s, $m));" ;;
		esac
	done <layout.list
	echo '	return 0;'
	echo '}'
} >layout.c

run() {		# run PROGRAM.c OUTPUT [CFLAGS...]
	local src=$1 out=$2
	shift 2
	"$CC" -D_GNU_SOURCE -w -o "${out}.bin" "$src" "$@" >"${out}.log" 2>&1 ||
		{ echo "(does not compile: see $work/${out}.log)"; return 0; }
	"./${out}.bin"
}
run consts.c consts.sys >consts.sys.out
run consts.c consts.ours "${ours[@]}" >consts.ours.out
diff consts.sys.out consts.ours.out >consts.diff || true
report "values: $(wc -l <consts.list) constants" consts.diff

run layout.c layout.sys >layout.sys.out
run layout.c layout.ours "${ours[@]}" >layout.ours.out
diff layout.sys.out layout.ours.out >layout.diff || true
report "layouts: $(grep -c '^S' layout.list) structs, $(grep -c '^[MF]' layout.list) members" \
	layout.diff

# 5. Inline helpers: same inputs, same outputs. io_uring_wait_cqe_nr()
# always calls into the library, so only its prototype is compared.
grep '^static' proto.sys | sed -E 's/^static [^(]*[ *]([a-z_0-9]+) \(.*/\1/' |
	grep -vx io_uring_wait_cqe_nr | while read -r fn; do
		grep -q "\<$fn\>" "$dump_src" || echo "not exercised: $fn"
	done >inline.missing
run "$dump_src" inline.sys -luring >inline.sys.out
run "$dump_src" inline.ours "${ours[@]}" "$libxuring" >inline.ours.out
{ cat inline.missing; diff inline.sys.out inline.ours.out || true; } >inline.diff
report "inlines: $(grep -c '^static' proto.sys) helpers, $(wc -l <inline.sys.out) results" \
	inline.diff

exit $status
