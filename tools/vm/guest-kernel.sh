#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Print the version of the kernel the test VM boots (the module must be
# built against exactly that kernel's headers).
#
# usage: guest-kernel.sh [--root] [--list]
#   (no option)  $KVER resolved to an installed kernel, or, with KVER unset
#                or empty, the newest Debian cloud kernel installed on this
#                machine with its headers
#   --root       the directory holding that kernel's boot/ and lib/modules/:
#                / for the host's kernels, the trixie chroot
#                (kernel-chroot.sh) for the kernels that need its compiler
#   --list       every usable kernel, oldest first: VERSION ROOT
#
# KVER is a full version (6.12.118+deb12-cloud-amd64) or a series (6.1,
# 6.12, 7, 7.3): a series means its newest installed kernel. The chroot's
# kernels are used only when asked for by KVER; the default is the host's.
set -euo pipefail

vm=$(cd "$(dirname "$0")" && pwd)
want=${KVER:-}
mode=version

case ${1:-} in
--root) mode=root ;;
--list) mode=list ;;
'') ;;
*) echo "guest-kernel: unknown argument '$1' (see the usage in $0)" >&2; exit 1 ;;
esac

# Kernels whose image, modules and headers are all there, under ROOT.
kernels_under() {	# ROOT
	local img ver
	for img in "$1"/boot/vmlinuz-*-cloud-amd64; do
		ver=${img##*/vmlinuz-}
		if [ -f "$img" ] && [ -d "$1/lib/modules/$ver/build" ]; then
			echo "$ver ${1:-/}"
		fi
	done
}

host=$(kernels_under "")
chroot_root=$("$vm/kernel-chroot.sh" root 2>/dev/null || true)
others=''
[ -z "$chroot_root" ] || others=$(kernels_under "$chroot_root")

if [ "$mode" = list ]; then
	printf '%s\n%s\n' "$host" "$others" | sed '/^$/d' | sort -V
	exit 0
fi

if [ -z "$want" ]; then
	best=$(sed '/^$/d' <<< "$host" | sort -V | tail -n 1)
	if [ -z "$best" ]; then
		echo "guest-kernel: no /boot/vmlinuz-*-cloud-amd64 with headers in /lib/modules/<ver>/build;" >&2
		echo "guest-kernel: run 'make deps' (installs linux-image-cloud-amd64 and linux-headers-cloud-amd64)" >&2
		exit 1
	fi
else
	# An exact version, else the newest of the series: 6.1 must not
	# match 6.12, so the series is followed by a dot, + or -.
	best=$(printf '%s\n%s\n' "$host" "$others" | sed '/^$/d' | sort -V |
		awk -v want="$want" '$1 == want { exact = $0 }
			index($1, want ".") == 1 || index($1, want "+") == 1 ||
			index($1, want "-") == 1 { series = $0 }
			END { print exact != "" ? exact : series }')
	if [ -z "$best" ]; then
		echo "guest-kernel: no kernel '$want' with headers here; installed:" >&2
		printf '%s\n%s\n' "$host" "$others" | sed '/^$/d' | sort -V |
			sed 's/^/guest-kernel:   /' >&2
		echo "guest-kernel: run 'make deps KVER=$want' to install it" >&2
		exit 1
	fi
fi

if [ "$mode" = root ]; then
	echo "${best#* }"
else
	echo "${best%% *}"
fi
