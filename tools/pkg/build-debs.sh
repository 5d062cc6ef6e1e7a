#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build xuring's two Debian packages into OUT (make deb: build/deb/):
#
#   xuring-dkms   the module's sources under /usr/src/xuring-VERSION with
#                 dkms.conf: DKMS builds xuring.ko for every installed kernel
#                 with headers, and again when a kernel is installed. Also
#                 the udev rule (/dev/xuring: group xuring, mode 0660), the
#                 modprobe defaults and the xuring system group.
#   libxuring     libxuring.so.1, libxuring.a, the headers (include/xuring/)
#                 and libxuring.pc for pkg-config; the drop-in liburing.so.2
#                 in /usr/lib/<triplet>/xuring/, off the linker's path, so
#                 that it replaces liburing only where LD_LIBRARY_PATH asks.
#
# usage: build-debs.sh OUT
# VERSION is dkms.conf's, plus +git<commits>.<hash> in a git work tree.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=$(mkdir -p "${1:?usage: build-debs.sh OUT}" && cd "$1" && pwd)
maintainer="xuring developers <xuring@localhost>"

die() {
	echo "build-debs: $*" >&2
	exit 1
}

command -v dpkg-deb >/dev/null || die "dpkg-deb is missing (apt-get install dpkg)"
base=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$root/dkms.conf")
[ -n "$base" ] || die "no PACKAGE_VERSION in $root/dkms.conf"
version=$base
if git -C "$root" rev-parse --git-dir > /dev/null 2>&1; then
	version+="+git$(git -C "$root" rev-list --count HEAD).$(git -C "$root" rev-parse --short HEAD)"
fi
arch=$(dpkg --print-architecture)
triplet=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || gcc -print-multiarch)

stage=$out/stage
rm -rf "$stage"

# ---- xuring-dkms
pkg=$stage/xuring-dkms
src=$pkg/usr/src/xuring-$version
mkdir -p "$src" "$pkg/DEBIAN" "$pkg/usr/lib/udev/rules.d" "$pkg/etc/modprobe.d" \
	"$pkg/usr/share/doc/xuring-dkms"
install -m 0644 "$root/Kbuild" "$root/Kconfig" "$src/"
# The sources only: a work tree also holds the objects of its last build.
(cd "$root" && find src include uapi -type f -name '*.[ch]') | while read -r f; do
	install -D -m 0644 "$root/$f" "$src/$f"
done
sed "s/^PACKAGE_VERSION=.*/PACKAGE_VERSION=\"$version\"/" "$root/dkms.conf" > "$src/dkms.conf"
install -m 0644 "$here/60-xuring.rules" "$pkg/usr/lib/udev/rules.d/"
install -m 0644 "$here/xuring.modprobe.conf" "$pkg/etc/modprobe.d/xuring.conf"
install -m 0644 "$root/LICENSE" "$pkg/usr/share/doc/xuring-dkms/copyright"
echo /etc/modprobe.d/xuring.conf > "$pkg/DEBIAN/conffiles"
for script in postinst prerm postrm; do
	sed "s/@VERSION@/$version/g" "$here/xuring-dkms.$script" > "$pkg/DEBIAN/$script"
	chmod 0755 "$pkg/DEBIAN/$script"
done
cat > "$pkg/DEBIAN/control" <<-EOF
	Package: xuring-dkms
	Version: $version
	Architecture: all
	Section: kernel
	Priority: optional
	Maintainer: $maintainer
	Depends: dkms, passwd
	Recommends: linux-headers-cloud-amd64 | linux-headers-amd64 | linux-headers
	Installed-Size: $(du -sk "$pkg" | cut -f1)
	Description: io_uring-style asynchronous I/O as a module (DKMS sources)
	 xuring gives Linux an io_uring-class asynchronous I/O engine through
	 /dev/xuring, with io_uring's SQEs, CQEs, opcodes and ring protocol.
	 This package builds the module with DKMS for every installed kernel
	 that has its headers, and rebuilds it when a kernel is installed.
	 Members of the xuring group may use /dev/xuring.
EOF

# ---- libxuring
lpkg=$stage/libxuring
make -s -C "$root/tools/lib" BUILD="$out/build" PREFIX=/usr \
	LIBDIR="/usr/lib/$triplet" DESTDIR="$lpkg" install > /dev/null ||
	die "building or installing libxuring failed (make -C tools/lib install)"
mkdir -p "$lpkg/DEBIAN" "$lpkg/usr/share/doc/libxuring"
install -m 0644 "$root/LICENSE" "$lpkg/usr/share/doc/libxuring/copyright"
echo "activate-noawait ldconfig" > "$lpkg/DEBIAN/triggers"
cat > "$lpkg/DEBIAN/control" <<-EOF
	Package: libxuring
	Version: $version
	Architecture: $arch
	Section: libs
	Priority: optional
	Maintainer: $maintainer
	Depends: libc6
	Recommends: xuring-dkms
	Installed-Size: $(du -sk "$lpkg" | cut -f1)
	Description: liburing's API on xuring, and a drop-in liburing.so.2
	 libxuring has liburing 2.3's API (pkg-config libxuring; headers in
	 /usr/include/xuring) and runs it on /dev/xuring. The drop-in library
	 runs a program linked against liburing on xuring unchanged:
	 LD_LIBRARY_PATH=/usr/lib/$triplet/xuring program
EOF

rm -f "$out"/xuring-dkms_*.deb "$out"/libxuring_*.deb
dpkg-deb --root-owner-group -Zxz --build "$pkg" "$out/xuring-dkms_${version}_all.deb" > /dev/null
dpkg-deb --root-owner-group -Zxz --build "$lpkg" "$out/libxuring_${version}_${arch}.deb" > /dev/null
rm -rf "$stage" "$out/build"
ls "$out"/*.deb
