#!/bin/sh
# t-unit.sh - the systemd unit, as make builds it: `systemd-analyze
# security` rates it 2.5 or lower (the issue found 8.9 "EXPOSED"), and
# `systemd-analyze verify` finds nothing wrong with it. verify wants the
# ExecStart binary and the Documentation= pages to exist: a copy of the
# unit points at the built daemon, and MANPATH at the source's pages.
# Skips (77) without systemd-analyze (with --offline: systemd 252+).
set -u
srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
builddir=${top_builddir:-$srcdir}
MAX_EXPOSURE=${MAX_EXPOSURE:-2.5}

command -v systemd-analyze >/dev/null 2>&1 ||
	{ echo "systemd-analyze missing: skipped"; exit 77; }
systemd-analyze security --help 2>/dev/null | grep -q -- --offline ||
	{ echo "systemd-analyze has no --offline: skipped"; exit 77; }
unit=$builddir/contrib/passalong-milter.service
[ -f "$unit" ] || { echo "FAIL: $unit was not built"; exit 1; }

dir=$(mktemp -d /tmp/passalong-unit.XXXXXX)
trap 'rm -rf "$dir"' EXIT INT TERM
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# the unit as installed names the configured sbindir
sbindir=$(printf 'pv:\n\t@echo $(sbindir)\n' |
	make -s --no-print-directory -C "$builddir" -f Makefile -f - pv)
grep -q "^ExecStart=$sbindir/passalong-milter -f\$" "$unit" ||
	fail "ExecStart does not name $sbindir: $(grep '^ExecStart=' "$unit")"
grep -q '@[a-z_]*@' "$unit" && fail "unsubstituted: $(grep '@[a-z_]*@' "$unit")"

# exposure, offline: no running systemd needed
systemd-analyze security --offline=yes "$unit" >"$dir/security.txt" 2>&1
score=$(sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p' \
	"$dir/security.txt")
echo "exposure: ${score:-none}"
if [ -z "$score" ]; then
	fail "no exposure level:"; cat "$dir/security.txt"
elif ! awk -v s="$score" -v m="$MAX_EXPOSURE" 'BEGIN { exit !(s <= m) }'; then
	fail "exposure $score > $MAX_EXPOSURE"
	grep '✗' "$dir/security.txt"
fi

# verify: the same unit, its binaries those of this build
mkdir -p "$dir/unit" "$dir/man/man1" "$dir/man/man5" "$dir/man/man8"
# without man(1) verify cannot look the pages up: leave Documentation= out
docs=
command -v man >/dev/null 2>&1 || { docs='/^Documentation=/d'; echo "no man: Documentation= not verified"; }
sed -e "s|$sbindir/passalong-milter|$builddir/passalong-milter|g" ${docs:+-e "$docs"} \
	"$unit" >"$dir/unit/passalong-milter.service"
for p in passalong.1 passalong.conf.5 passalong-milter.8; do
	ln -s "$srcdir/man/$p" "$dir/man/man${p##*.}/$p"
done
MANPATH=$dir/man systemd-analyze verify "$dir/unit/passalong-milter.service" \
	>"$dir/verify.txt" 2>&1 || fail "systemd-analyze verify failed"
if [ -s "$dir/verify.txt" ]; then
	fail "systemd-analyze verify is not clean:"
	cat "$dir/verify.txt"
fi

[ $failures -eq 0 ] || exit 1
echo "PASS: the unit rates $score (<= $MAX_EXPOSURE) and verifies clean"
