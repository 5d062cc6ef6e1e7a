#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# fetch-deb-source.sh PACKAGE DEB_VERSION DEST MUST_HAVE
#
# Fetch Debian's source package PACKAGE=DEB_VERSION with `apt-get source`
# and unpack its orig tarball into DEST, once; MUST_HAVE is a file the
# unpacked tree must contain. The fio engine is built against fio's headers
# and the compat tests run liburing's test programs: nothing of either is
# ever copied into the xuring tree.
#
# When the system's apt has no deb-src entries, the sources index comes from
# a private apt state under $XURING_CACHE/apt, which leaves /etc/apt alone:
# it uses the Debian archive of the system's own deb entries (or
# $DEB_SRC_MIRROR) and the suite $DEB_SUITE (default: bookworm).
set -euo pipefail

pkg=${1:?usage: fetch-deb-source.sh PACKAGE DEB_VERSION DEST MUST_HAVE}
debver=${2:?usage: fetch-deb-source.sh PACKAGE DEB_VERSION DEST MUST_HAVE}
dest=${3:?usage: fetch-deb-source.sh PACKAGE DEB_VERSION DEST MUST_HAVE}
must_have=${4:?usage: fetch-deb-source.sh PACKAGE DEB_VERSION DEST MUST_HAVE}
suite=${DEB_SUITE:-bookworm}
cache=${XURING_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/xuring}

die() {
	echo "fetch-deb-source: $pkg: $*" >&2
	exit 1
}

[ -f "$dest/.complete" ] && exit 0
command -v apt-get >/dev/null || die "apt-get not found: this needs a Debian system"

upstream=${debver%-*}		# 2.3-3 -> 2.3
upstream=${upstream#*:}		# no epoch in file names
work=$dest.tmp
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

echo "fetch-deb-source: fetching $pkg $debver source into $dest (once)"
if ! (cd "$work" && apt-get source -q --download-only "$pkg=$debver") \
	>"$work/apt.log" 2>&1; then
	mirror=${DEB_SRC_MIRROR:-$(system_mirror | head -n1)}
	mirror=${mirror:-http://deb.debian.org/debian}
	echo "fetch-deb-source: no deb-src in the system's apt; using a" \
	     "private sources index for $mirror $suite"
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
		"$pkg=$debver") >>"$work/apt.log" 2>&1 ||
		die "apt-get source $pkg=$debver failed; see $work/apt.log"
fi

# The orig tarball is all we need: Debian's patches touch build files and
# man pages only.
orig=$(ls "$work/${pkg}_$upstream.orig.tar."* 2>/dev/null | head -n1)
[ -n "$orig" ] || die "apt-get source gave no ${pkg}_$upstream.orig.tar.*; see $work/apt.log"
mkdir -p "$work/src"
tar -xf "$orig" -C "$work/src" --strip-components=1 ||
	die "unpacking $orig failed"
[ -f "$work/src/$must_have" ] || die "$orig has no $must_have"

rm -rf "$dest"
mv "$work/src" "$dest"
rm -rf "$work"
touch "$dest/.complete"
