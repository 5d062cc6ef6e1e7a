#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The newest kernel Debian publishes (trixie-backports' cloud kernel, 7.x
# at the time of writing) is built by trixie's gcc 14 and its headers ask
# for that compiler and trixie's kbuild: bookworm's gcc 12 cannot build a
# module against them. So the module is built in a minimal trixie chroot
# (debootstrap), made once per machine and cached under ~/.cache/xuring
# like the debug kernel. The guest boots that kernel's image with its
# modules, both unpacked from the same packages inside the chroot; nothing
# of trixie is installed on the host.
#
# usage: kernel-chroot.sh setup       create or update the chroot; prints
#                                     the kernel version on its last line
#        kernel-chroot.sh root        print the chroot's path (if set up)
#        kernel-chroot.sh kvers       the kernels with headers inside it
#        kernel-chroot.sh run DIR CMD...
#                                     run CMD in the chroot, in DIR, with
#                                     DIR (a host directory) bind-mounted
#                                     at the same path
set -euo pipefail

suite=trixie
mirror=http://deb.debian.org/debian
cache=${XURING_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/xuring}
chroot=$cache/chroot-$suite
stamp=$chroot/.xuring-ready
# What building a module needs, besides the headers (which pull gcc-14
# and trixie's linux-kbuild).
pkgs=(make gcc libc6-dev kmod xz-utils zstd sparse)

die() {
	echo "kernel-chroot: $*" >&2
	exit 1
}

# Kernel versions with a build tree inside the chroot, oldest first.
kvers() {
	local d
	for d in "$chroot"/lib/modules/*/build; do
		[ -d "$d" ] || continue
		d=${d%/build}
		echo "${d##*/}"
	done | sort -V
}

# Commands in the chroot see /proc, /dev and /sys; the mounts live in a
# private mount namespace, so they vanish with the command, however it ends.
in_chroot() {	# DIR CMD...
	local dir=$1
	shift
	[ "$(id -u)" -eq 0 ] || die "building in the chroot needs root (chroot, mount)"
	unshare -m -- /bin/bash -euc '
		root=$1 dir=$2
		shift 2
		mount -t proc proc "$root/proc"
		mount --rbind /dev "$root/dev"
		mount --rbind /sys "$root/sys"
		if [ "$dir" != / ]; then
			mkdir -p "$root$dir"
			mount --bind "$dir" "$root$dir"
		fi
		cd "$root$dir"
		exec chroot "$root" /usr/bin/env -i HOME=/root \
			PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 \
			/bin/sh -c "cd \"\$0\" && exec \"\$@\"" "$dir" "$@"
	' in_chroot "$chroot" "$dir" "$@"
}

setup() {
	mkdir -p "$cache"
	exec 9> "$cache/.chroot-$suite.lock"
	if ! flock -n 9; then
		echo "kernel-chroot: another setup is running; waiting for it" >&2
		flock 9
	fi
	if [ ! -f "$chroot/.xuring-bootstrapped" ]; then
		command -v debootstrap >/dev/null ||
			die "debootstrap is missing; run 'make deps KVER=$suite' (or apt-get install debootstrap)"
		echo "kernel-chroot: debootstrap $suite into $chroot (a few minutes, once)" >&2
		rm -rf "$chroot"
		debootstrap --variant=minbase "$suite" "$chroot" "$mirror" \
			> "$cache/chroot-$suite.log" 2>&1 || {
			tail -20 "$cache/chroot-$suite.log" >&2
			die "debootstrap failed; full log in $cache/chroot-$suite.log"
		}
		touch "$chroot/.xuring-bootstrapped"
	fi
	# The suite and its backports, in the deb822 form trixie uses.
	cat > "$chroot/etc/apt/sources.list.d/debian.sources" <<-EOF
		Types: deb
		URIs: $mirror
		Suites: $suite $suite-updates $suite-backports
		Components: main
		Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

		Types: deb
		URIs: http://deb.debian.org/debian-security
		Suites: $suite-security
		Components: main
		Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
	EOF
	rm -f "$chroot/etc/apt/sources.list"
	# No initramfs and no bootloader in here: the guest has its own.
	mkdir -p "$chroot/etc/initramfs-tools"
	echo "kernel-chroot: installing $suite-backports' cloud kernel and headers" >&2
	in_chroot / /bin/sh -ec '
		export DEBIAN_FRONTEND=noninteractive
		apt-get -q update
		apt-get -q install -y --no-install-recommends "$@"
		apt-get -q install -y --no-install-recommends \
			-t '"$suite"'-backports \
			linux-image-cloud-amd64 linux-headers-cloud-amd64
		apt-get -q clean
	' sh "${pkgs[@]}" > "$cache/chroot-$suite.log" 2>&1 || {
		tail -20 "$cache/chroot-$suite.log" >&2
		die "installing the kernel in the chroot failed; full log in $cache/chroot-$suite.log"
	}
	touch "$stamp"
	local kver
	kver=$(kvers | tail -n 1)
	[ -n "$kver" ] || die "no kernel headers in $chroot/lib/modules after the install"
	[ -f "$chroot/boot/vmlinuz-$kver" ] || die "no $chroot/boot/vmlinuz-$kver after the install"
	echo "$kver"
}

case ${1:-} in
setup) setup ;;
root)
	[ -f "$stamp" ] || die "no chroot yet; run 'make deps KVER=$suite'"
	echo "$chroot" ;;
kvers) [ ! -f "$stamp" ] || kvers ;;
run)
	[ $# -ge 3 ] || die "usage: kernel-chroot.sh run DIR CMD..."
	[ -f "$stamp" ] || die "no chroot yet; run 'make deps KVER=$suite'"
	shift
	in_chroot "$@" ;;
*) die "usage: kernel-chroot.sh setup|root|kvers|run DIR CMD..." ;;
esac
