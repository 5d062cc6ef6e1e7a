#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install (once) what building xuring and booting its test VM need, and
# unpack the few kernel-source files we use (kselftest headers, checkpatch)
# into a cache, linked from build/ksrc. Fast and silent when all is there.
#
# KVER=<series or version> also installs that guest kernel and its headers:
#   6.1    bookworm's own (linux-image-cloud-amd64), installed anyway
#   6.12   bookworm's linux-6.12 (linux-image-6.12-cloud-amd64, from
#          bookworm-security), or where apt has no such package, the
#          cloud kernel of bookworm-backports, whose apt source this adds
#   7, 7.x the newest cloud kernel of trixie-backports, which bookworm's
#          gcc cannot build modules for: installed into a trixie chroot
#          under ~/.cache/xuring (kernel-chroot.sh), not on the host
#   a full version (6.12.118+deb12-cloud-amd64): that kernel's packages
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
cache=${XDG_CACHE_HOME:-$HOME/.cache}/xuring
tarball=/usr/src/linux-source-6.1.tar.xz

pkgs=(linux-image-cloud-amd64 linux-headers-cloud-amd64 qemu-system-x86
      busybox-static cpio linux-source-6.1 e2fsprogs kmod gcc make libc6-dev
      liburing-dev fio libaio-dev sparse gnuplot-nox
      # a Debian program linked against liburing2, run on the drop-in
      plocate
      # building the debug kernel of check-debug and fuzz
      bc bison flex libelf-dev libssl-dev xz-utils perl
      # make coverage's tracefiles and HTML (gcov comes with gcc)
      lcov)

# Kernel-source files we need, relative to the top of the source tree.
ksrc_files=(tools/testing/selftests/kselftest_harness.h
	    tools/testing/selftests/kselftest.h
	    scripts/checkpatch.pl
	    scripts/spelling.txt
	    scripts/const_structs.checkpatch)

die() {
	echo "deps: $*" >&2
	exit 1
}

apt=(env DEBIAN_FRONTEND=noninteractive apt-get -q)
if [ "$(id -u)" -ne 0 ]; then
	apt=(sudo "${apt[@]}")
fi

# The version apt would install of PACKAGE ('' if it knows none).
candidate() {
	apt-cache policy "$1" 2>/dev/null | awk '$1 == "Candidate:" && $2 != "(none)" { print $2 }'
}

# bookworm-backports as an extra deb822 source, beside the system's own.
add_backports() {
	local src=/etc/apt/sources.list.d/xuring-bookworm-backports.sources
	[ -f "$src" ] && return 0
	grep -rqs '^Suites:.*bookworm-backports\|^deb .* bookworm-backports ' \
		/etc/apt/sources.list /etc/apt/sources.list.d/ && return 0
	echo "deps: adding bookworm-backports ($src)"
	printf '%s\n' 'Types: deb' 'URIs: http://deb.debian.org/debian' \
		'Suites: bookworm-backports' 'Components: main' \
		'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg' |
		if [ "$(id -u)" -ne 0 ]; then sudo tee "$src" > /dev/null; else cat > "$src"; fi
}

# Where the kernel KVER asks for comes from: bookworm's defaults (the
# packages above), host packages, or the trixie chroot.
kver=${KVER:-}
case $kver in
''|6.1|6.1.*) kfrom=default ;;
[7-9]|[7-9].*|[1-9][0-9]|[1-9][0-9].*) kfrom=chroot; pkgs+=(debootstrap) ;;
6.12|*-cloud-amd64) kfrom=apt ;;
*) die "KVER=$kver: name a series (6.1, 6.12, 7) or a version such as 6.12.118+deb12-cloud-amd64" ;;
esac

# Install the host packages of kernel KVER (the image and its headers).
install_kernel() {
	local pkg=linux-headers-6.12-cloud-amd64 kpkgs kapt=()

	"${apt[@]}" update || die "apt-get update failed; check the network and /etc/apt/sources.list"
	if [ "$kver" != 6.12 ]; then
		kpkgs=(linux-image-"$kver" linux-headers-"$kver")
	elif [ -n "$(candidate $pkg)" ]; then
		kpkgs=(linux-image-6.12-cloud-amd64 "$pkg")
	else
		add_backports
		"${apt[@]}" update || die "apt-get update failed; check the network and /etc/apt/sources.list"
		kpkgs=(linux-image-cloud-amd64 linux-headers-cloud-amd64)
		kapt=(-t bookworm-backports)
	fi
	echo "deps: installing the $kver guest kernel: ${kpkgs[*]}"
	"${apt[@]}" install -y --no-install-recommends "${kapt[@]}" "${kpkgs[@]}" ||
		die "apt-get install ${kpkgs[*]} failed (see above)"
}

# One dpkg-query for all packages keeps the common case well under a second.
# The second letter of the status abbreviation is "i" when installed.
installed=" $(dpkg-query -W -f='${db:Status-Abbrev}|${Package}\n' "${pkgs[@]}" 2>/dev/null |
	      awk -F'|' 'substr($1, 2, 1) == "i" { printf "%s ", $2 }' || true) "
missing=()
for p in "${pkgs[@]}"; do
	[[ $installed == *" $p "* ]] || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
	if [ "$(id -u)" -ne 0 ]; then
		command -v sudo >/dev/null ||
			die "need to install ${missing[*]} but not root and no sudo; install them as root"
	fi
	echo "deps: installing ${missing[*]}"
	"${apt[@]}" update ||
		die "apt-get update failed; check the network and /etc/apt/sources.list"
	"${apt[@]}" install -y --no-install-recommends "${missing[@]}" ||
		die "apt-get install failed (see above); fix apt, then rerun 'make deps'"
	echo "deps: installed ${missing[*]}"
fi

if [ "$kfrom" != default ] && ! "$root/tools/vm/guest-kernel.sh" > /dev/null 2>&1; then
	if [ "$kfrom" = chroot ]; then
		"$root/tools/vm/kernel-chroot.sh" setup > /dev/null
	else
		install_kernel
	fi
fi

[ -f "$tarball" ] || die "$tarball is missing; reinstall it: apt-get install --reinstall linux-source-6.1"
srcver=$(dpkg-query -W -f='${Version}' linux-source-6.1)
ksrc=$cache/ksrc-$srcver

if [ ! -f "$ksrc/.complete" ]; then
	echo "deps: unpacking kselftest headers and checkpatch from linux-source $srcver (about 10 s, once)"
	top=$(basename "$tarball" .tar.xz)	# the tarball's top directory
	rm -rf "$ksrc.tmp"
	mkdir -p "$ksrc.tmp"
	# Only the listed members: the whole tree is over a gigabyte.
	tar -xJf "$tarball" -C "$ksrc.tmp" --strip-components=1 --occurrence=1 \
		"${ksrc_files[@]/#/$top/}" ||
		die "extracting ${ksrc_files[*]} from $tarball failed"
	rm -rf "$ksrc"
	mv "$ksrc.tmp" "$ksrc"
	touch "$ksrc/.complete"
fi

# Fail here, with its advice, if there is no bootable kernel with headers.
"$root/tools/vm/guest-kernel.sh" > /dev/null

mkdir -p "$root/build"
link=$root/build/ksrc
if [ "$(readlink "$link" 2>/dev/null)" != "$ksrc" ]; then
	# A stale copy (a directory, not our link) would shadow the cache.
	[ -L "$link" ] || rm -rf "$link"
	ln -sfn "$ksrc" "$link"
fi
