#!/bin/sh
# t-install.sh - `make install DESTDIR=...` as an operator's first step:
# the programs read their configuration from the configured sysconfdir,
# and the install brings the example configuration (never over one the
# operator has edited), the systemd unit (ExecStart in the configured
# sbindir) and a tmpfiles.d entry for /run/passalong; `make uninstall`
# takes back what it brought and leaves an edited configuration alone.
set -u
srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
builddir=${top_builddir:-$srcdir}

dir=$(mktemp -d /tmp/passalong-install.XXXXXX)
trap 'rm -rf "$dir"' EXIT INT TERM
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
mk() { make -s --no-print-directory -C "$builddir" "$@"; }
var() { printf 'pv:\n\t@echo $(%s)\n' "$1" | mk -f Makefile -f - pv; }

sysconfdir=$(var sysconfdir)
sbindir=$(var sbindir)
bindir=$(var bindir)
unitdir=$(var systemdsystemunitdir)
tmpfilesdir=$(var tmpfilesdir)
d=$dir/root
conf=$d$sysconfdir/passalong/passalong.conf

mk install DESTDIR="$d" >"$dir/install.log" 2>&1 ||
	{ cat "$dir/install.log"; echo "FAIL: make install"; exit 1; }

# the default configuration path follows --sysconfdir
"$d$sbindir/passalong-milter" -h 2>&1 |
	grep -q "default $sysconfdir/passalong/passalong.conf)" ||
	fail "passalong-milter's default is not in $sysconfdir: $("$d$sbindir/passalong-milter" -h 2>&1 | grep default)"
"$d$bindir/passalong" --help 2>&1 |
	grep -q "$sysconfdir/passalong/passalong.conf" ||
	fail "passalong's default is not in $sysconfdir"

# the example configuration, the unit, the tmpfiles.d entry
if cmp -s "$srcdir/passalong.conf.example" "$conf"; then :; else
	fail "no example configuration at $conf"
fi
[ -n "$unitdir" ] || fail "no systemdsystemunitdir"
u=$d$unitdir/passalong-milter.service
if [ -f "$u" ]; then
	grep -q "^ExecStart=$sbindir/passalong-milter -f\$" "$u" ||
		fail "the unit's ExecStart: $(grep '^ExecStart=' "$u")"
else
	fail "no unit at $u"
fi
t=$d$tmpfilesdir/passalong.conf
if [ -f "$t" ]; then
	grep -q '^d /run/passalong ' "$t" || fail "tmpfiles.d: $(cat "$t")"
else
	fail "no tmpfiles.d entry at $t"
fi

# an edited configuration survives install and uninstall
echo "# edited" >>"$conf" 2>/dev/null
mk install DESTDIR="$d" >"$dir/install2.log" 2>&1 || fail "second make install"
tail -n 1 "$conf" 2>/dev/null | grep -q '^# edited$' ||
	fail "make install overwrote an edited configuration"
mk uninstall DESTDIR="$d" >"$dir/uninstall.log" 2>&1 || fail "make uninstall"
tail -n 1 "$conf" 2>/dev/null | grep -q '^# edited$' ||
	fail "make uninstall removed an edited configuration"
left=$(find "$d" -type f ! -path "$conf")
[ -z "$left" ] || fail "left after uninstall: $left"

# untouched, uninstall takes it back (distcheck's check)
rm -rf "$d"
mk install DESTDIR="$d" >/dev/null 2>&1 && mk uninstall DESTDIR="$d" >/dev/null 2>&1 ||
	fail "install/uninstall"
left=$(find "$d" -type f)
[ -z "$left" ] || fail "left after uninstall: $left"

[ $failures -eq 0 ] || exit 1
echo "PASS: sysconfdir default; config, unit, tmpfiles.d installed; uninstall clean"
