#!/bin/sh
# sendmail-fetch.sh - a Sendmail to test with, without installing it:
# Debian's sendmail-bin conflicts with postfix (both are the system MTA),
# so its packages (and libwrap0, which the binary links) are fetched with
# `apt-get download` and unpacked with `dpkg-deb -x` into a cache folder.
#
#   sendmail-fetch.sh [CACHE]   (default /var/cache/passalong-test/sendmail)
#
# Prints the unpacked root (CACHE/root: usr/libexec/sendmail/sendmail,
# usr/share/sendmail/cf/, usr/lib/x86_64-linux-gnu/libwrap.so.0).
# Idempotent: a complete root is reused as it is. Exit 1 when the
# packages cannot be had (no network, no apt lists): the caller skips.
set -eu
cache=${1:-/var/cache/passalong-test/sendmail}
root=$cache/root
bin=$root/usr/libexec/sendmail/sendmail
if [ -f "$cache/complete" ] && [ -x "$bin" ]; then
	echo "$root"
	exit 0
fi
command -v apt-get >/dev/null 2>&1 && command -v dpkg-deb >/dev/null 2>&1 ||
	{ echo "sendmail-fetch: no apt-get/dpkg-deb" >&2; exit 1; }
mkdir -p "$cache/debs"
cd "$cache/debs"
pkgs="sendmail-bin sendmail-base sendmail-cf libwrap0"
# apt-get download runs as _apt when it can write here, else as root with
# a warning; either is fine
if ! apt-get download $pkgs >"$cache/download.log" 2>&1; then
	apt-get update -qq >/dev/null 2>&1 || :
	apt-get download $pkgs >"$cache/download.log" 2>&1 || {
		echo "sendmail-fetch: apt-get download failed:" >&2
		tail -n 3 "$cache/download.log" >&2
		exit 1
	}
fi
rm -rf "$root"
mkdir -p "$root"
for p in $pkgs; do
	deb=$(ls -t "$cache/debs/${p}_"*.deb | head -n 1)
	dpkg-deb -x "$deb" "$root"
done
# setgid mail: the loader would ignore LD_LIBRARY_PATH (for libwrap0)
chmod g-s "$bin"
touch "$cache/complete"
echo "$root"
