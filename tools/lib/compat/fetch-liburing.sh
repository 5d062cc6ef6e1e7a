#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# fetch-liburing.sh CACHE_DIR DEB_VERSION
#
# Fetch Debian's liburing source package (for its test programs) with
# `apt-get source` and unpack it into CACHE_DIR/liburing-DEB_VERSION, once.
# Nothing of it is ever copied into the xuring tree.
#
# When the system's apt has no deb-src entries, the sources index comes from
# a private apt state under CACHE_DIR/apt, which leaves /etc/apt alone: it
# uses the Debian archive of the system's own deb entries (or
# $LIBURING_SRC_MIRROR) and the suite DEB_SUITE (default: bookworm).
set -euo pipefail

cache=${1:?usage: fetch-liburing.sh CACHE_DIR DEB_VERSION}
debver=${2:?usage: fetch-liburing.sh CACHE_DIR DEB_VERSION}
suite=${DEB_SUITE:-bookworm}
dest=$cache/liburing-$debver

die() {
	echo "fetch-liburing: $*" >&2
	exit 1
}

[ -f "$dest/.complete" ] && exit 0
command -v apt-get >/dev/null || die "apt-get not found: this needs a Debian system"

upstream=${debver%-*}		# 2.3-3 -> 2.3
work=$cache/liburing-$debver.tmp
rm -rf "$work"
mkdir -p "$work"

# The archive URI of the system's first Debian deb entry, deb822 or one-line.
system_mirror() {
	local f
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		awk '/^URIs:/ && $2 ~ /debian\/?$/ { print $2; exit }' "$f"
	done
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		awk '$1 == "deb" && $0 ~ /debian\/? / {
			for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { print $i; exit }
		}' "$f"
	done
}

echo "fetch-liburing: fetching liburing $debver source into $cache (once)"
if ! (cd "$work" && apt-get source -q --download-only "liburing=$debver") \
	>"$work/apt.log" 2>&1; then
	mirror=${LIBURING_SRC_MIRROR:-$(system_mirror | head -n1)}
	mirror=${mirror:-http://deb.debian.org/debian}
	echo "fetch-liburing: no deb-src in the system's apt; using a private" \
	     "sources index for $mirror $suite"
	state=$cache/apt
	mkdir -p "$state/lists/partial" "$state/archives/partial"
	keyring=/usr/share/keyrings/debian-archive-keyring.gpg
	signed=
	[ -f "$keyring" ] && signed=" [signed-by=$keyring]"
	echo "deb-src$signed $mirror $suite main" >"$state/sources.list"
	apt_opts=(-o "Dir::Etc::SourceList=$state/sources.list"
		  -o "Dir::Etc::SourceParts=/nonexistent"
		  -o "Dir::State::Lists=$state/lists"
		  -o "Dir::Cache=$state"
		  -o "APT::Sandbox::User=$(id -un)")
	apt-get -q "${apt_opts[@]}" update >>"$work/apt.log" 2>&1 ||
		die "apt-get update of the private sources index failed; see $work/apt.log"
	(cd "$work" && apt-get -q "${apt_opts[@]}" source --download-only \
		"liburing=$debver") >>"$work/apt.log" 2>&1 ||
		die "apt-get source liburing=$debver failed; see $work/apt.log"
fi

orig=$work/liburing_$upstream.orig.tar.gz
[ -f "$orig" ] || die "apt-get source gave no $(basename "$orig"); see $work/apt.log"
# The orig tarball is all the tests need (Debian's patches touch man pages).
mkdir -p "$work/src"
tar -xzf "$orig" -C "$work/src" --strip-components=1 ||
	die "unpacking $orig failed"
[ -f "$work/src/test/helpers.c" ] || die "$orig has no test/helpers.c"

rm -rf "$dest"
mv "$work/src" "$dest"
rm -rf "$work"
touch "$dest/.complete"
