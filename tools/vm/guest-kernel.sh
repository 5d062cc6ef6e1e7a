#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Print the version of the kernel the test VM boots: $KVER if set, else the
# newest installed Debian cloud kernel that also has its headers (the module
# must be built against exactly the kernel the guest runs).
set -euo pipefail

if [ -n "${KVER:-}" ]; then
	echo "$KVER"
	exit 0
fi

best=$(for img in /boot/vmlinuz-*-cloud-amd64; do
	ver=${img#/boot/vmlinuz-}
	if [ -f "$img" ] && [ -d "/lib/modules/$ver/build" ]; then echo "$ver"; fi
done | sort -V | tail -n 1)

if [ -z "$best" ]; then
	echo "guest-kernel: no /boot/vmlinuz-*-cloud-amd64 with headers in /lib/modules/<ver>/build;" >&2
	echo "guest-kernel: run 'make deps' (installs linux-image-cloud-amd64 and linux-headers-cloud-amd64)" >&2
	exit 1
fi
echo "$best"
