#!/bin/sh
# t-deb.sh - the Debian package as an operator meets it: built with
# `dpkg-buildpackage -us -uc -b` from a copy of this checkout, lintian
# without errors, `apt-get install ./passalong_*.deb`, then the installed
# state (the passalong system user, /var/lib/passalong its own and 0750,
# /etc/passalong/passalong.conf a conffile, the unit verified, the
# installed CLI and daemon agreeing with the example configuration), then
# the INSTALLED passalong-milter and passalong through the Postfix
# end-to-end test (tests/e2e/t-postfix.sh with PA_MILTER and
# PA_PASSALONG), then `apt-get purge` and the machine as it was before:
# no package, no user or group, no /etc/passalong, no /var/lib/passalong,
# the same packages installed. The purge also runs when a step fails.
#
# Skips (77): not root, no apt-get, dpkg-buildpackage, lintian or
# Postfix, not the top of a git checkout (a dist tarball: distcheck),
# PASSALONG_DEB=skip (scripts/test's sanitizer suite: the package is
# built from the source, not from that build), or a machine that already
# has a passalong package, user or folder (the test would purge them).
set -u
srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}

skip() { echo "$*: skipped"; exit 77; }
[ "${PASSALONG_DEB:-}" = skip ] && skip "PASSALONG_DEB=skip"
[ "$(id -u)" = 0 ] || skip "not root"
for t in apt-get dpkg-buildpackage dpkg-checkbuilddeps dh lintian git \
    postfix swaks python3; do
	command -v $t >/dev/null 2>&1 || skip "$t missing"
done
id postfix >/dev/null 2>&1 || skip "no postfix user"
top=$(git -C "$srcdir" rev-parse --show-toplevel 2>/dev/null) ||
	skip "$srcdir is not a git checkout"
[ "$top" = "$(cd "$srcdir" && pwd -P)" ] ||
	skip "$srcdir is not the top of a git checkout (distcheck?)"
st=$(dpkg-query -W -f='${db:Status-Abbrev}' passalong 2>/dev/null)
case $st in "" | un*) ;; *) skip "passalong is on this machine ($st)" ;; esac
getent passwd passalong >/dev/null && skip "a passalong user exists"
getent group passalong >/dev/null && skip "a passalong group exists"
for d in /etc/passalong /var/lib/passalong /run/passalong; do
	[ -e "$d" ] && skip "$d exists"
done

failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
apt() {
	DEBIAN_FRONTEND=noninteractive apt-get -q -y \
	    -o DPkg::Lock::Timeout=120 "$@"
}
dir=$(mktemp -d /tmp/passalong-deb.XXXXXX)
# apt's _apt user reads the .deb from here
chmod 755 "$dir"
installed=0
cleanup() {
	if [ $installed = 1 ]; then
		echo "purging passalong after a failure"
		apt purge passalong >"$dir/purge-trap.log" 2>&1 ||
			cat "$dir/purge-trap.log"
	fi
	rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
t0=$(date +%s)
step() { echo "[$(($(date +%s) - t0)) s] $*"; }

# the machine before: its packages
dpkg-query -W -f='${binary:Package} ${Version}\n' | sort >"$dir/before.txt"

# 1. build, in a copy of the working tree (tracked and untracked files,
# not the ignored ones): dpkg-buildpackage writes into debian/ and ../
dpkg-checkbuilddeps "$srcdir/debian/control" >"$dir/deps.txt" 2>&1 || {
	cat "$dir/deps.txt"; echo "FAIL: unmet build dependencies (scripts/install-deps)"
	exit 1
}
version=$(dpkg-parsechangelog -l "$srcdir/debian/changelog" -S Version)
src=$dir/passalong-$version
mkdir "$src"
(cd "$srcdir" && git ls-files -z -c -o --exclude-standard --deduplicate) |
	(cd "$srcdir" && xargs -0 sh -c 'for f; do [ -e "$f" ] && printf "%s\n" "$f"; done' sh) |
	tar -C "$srcdir" -cf - -T - | tar -C "$src" -xf - ||
	{ echo "FAIL: copying the source"; exit 1; }
step "building the package"
# the package's make is not this make check's: no jobserver, no flags
(cd "$src" && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
    dpkg-buildpackage -us -uc -b) >"$dir/build.log" 2>&1 || {
	tail -n 40 "$dir/build.log"; echo "FAIL: dpkg-buildpackage"; exit 1
}
deb=$(ls "$dir"/passalong_"$version"_*.deb 2>/dev/null)
[ -f "$deb" ] || { echo "FAIL: no passalong_*.deb in $dir"; ls "$dir"; exit 1; }

# 2. lintian: errors fail, the rest is printed (debian/README.source
# lists the ones that remain and why)
step "lintian"
# (as nobody when there is one: lintian warns about running as root)
as=
id nobody >/dev/null 2>&1 && as="runuser -u nobody --"
$as lintian --info "$dir"/passalong_"$version"_*.changes >"$dir/lintian.txt" 2>&1
sed 's/^/  /' "$dir/lintian.txt"
grep -q '^E: ' "$dir/lintian.txt" && fail "lintian reports errors"

# 3. install it as an operator would
step "apt-get install ./$(basename "$deb")"
installed=1
(cd "$dir" && apt install "./$(basename "$deb")") >"$dir/install.log" 2>&1 || {
	cat "$dir/install.log"; echo "FAIL: apt-get install"; exit 1
}
status=$(dpkg-query -W -f='${db:Status-Abbrev}' passalong)
[ "$status" = "ii " ] || fail "passalong is '$status' after install, not 'ii '"

# the user: a system account that cannot log in, at home in its store
pw=$(getent passwd passalong) || fail "no passalong user"
if [ -n "${pw:-}" ]; then
	uid=$(echo "$pw" | cut -d: -f3)
	home=$(echo "$pw" | cut -d: -f6)
	shell=$(echo "$pw" | cut -d: -f7)
	[ "$uid" -lt 1000 ] || fail "passalong's uid $uid is not a system uid"
	[ "$home" = /var/lib/passalong ] || fail "passalong's home is $home"
	case $shell in */nologin | */false) ;; *) fail "passalong's shell is $shell" ;; esac
fi
getent group passalong >/dev/null || fail "no passalong group"
got=$(stat -c '%U:%G %a' /var/lib/passalong 2>/dev/null)
[ "$got" = "passalong:passalong 750" ] ||
	fail "/var/lib/passalong is '$got', not 'passalong:passalong 750'"
if command -v systemd-tmpfiles >/dev/null 2>&1; then
	got=$(stat -c '%U:%G %a' /run/passalong 2>/dev/null)
	[ "$got" = "passalong:passalong 750" ] ||
		fail "/run/passalong (tmpfiles.d) is '$got'"
fi

# the configuration: the example, a conffile
dpkg-query -W -f='${Conffiles}\n' passalong |
	grep -q '^ /etc/passalong/passalong.conf [0-9a-f]\{32\}$' ||
	fail "/etc/passalong/passalong.conf is not a conffile: $(dpkg-query -W -f='${Conffiles}' passalong)"
cmp -s "$srcdir/passalong.conf.example" /etc/passalong/passalong.conf ||
	fail "/etc/passalong/passalong.conf is not the example"

# the programs, where the package put them, reading /etc
dpkg -L passalong >"$dir/files.txt"
milter=$(grep '/s\{0,1\}bin/passalong-milter$' "$dir/files.txt")
cli=$(grep '/bin/passalong$' "$dir/files.txt")
[ -x "$milter" ] || fail "no passalong-milter in the package"
[ -x "$cli" ] || fail "no passalong in the package"
for m in man1/passalong.1.gz man5/passalong.conf.5.gz man8/passalong-milter.8.gz; do
	grep -q "/usr/share/man/$m\$" "$dir/files.txt" || fail "no $m"
done
"$milter" -h 2>&1 | grep -q 'default /etc/passalong/passalong.conf)' ||
	fail "the installed daemon's default configuration is not in /etc"

# the unit and its tmpfiles.d entry
unit=$(grep '/systemd/system/passalong-milter.service$' "$dir/files.txt")
grep -q '/tmpfiles.d/passalong.conf$' "$dir/files.txt" || fail "no tmpfiles.d entry"
if [ -z "$unit" ]; then
	fail "no passalong-milter.service in the package"
else
	grep -q "^ExecStart=$milter -f\$" "$unit" ||
		fail "the unit's ExecStart: $(grep '^ExecStart=' "$unit")"
	if command -v systemd-analyze >/dev/null 2>&1; then
		systemd-analyze verify "$unit" >"$dir/verify.txt" 2>&1 ||
			fail "systemd-analyze verify $unit failed"
		[ -s "$dir/verify.txt" ] &&
			fail "systemd-analyze verify is not clean: $(cat "$dir/verify.txt")"
	else
		echo "systemd-analyze missing: the unit is not verified"
	fi
	# the package enables nothing: the operator edits the example first
	find /etc/systemd/system -path '*.wants/passalong-milter.service' \
	    2>/dev/null | grep -q . &&
		fail "the unit was enabled on installation"
fi

# the README's first steps with the example configuration: init as the
# passalong user, then the daemon's own check as that user
runuser -u passalong -- "$cli" init >"$dir/init.txt" 2>&1 ||
	fail "runuser -u passalong -- passalong init: $(cat "$dir/init.txt")"
runuser -u passalong -- "$milter" -n >"$dir/check.txt" 2>&1 ||
	fail "passalong-milter -n as passalong on the example: $(cat "$dir/check.txt")"

# 4. the installed programs through a real Postfix (mailcheck, a test
# helper, is the package build's)
step "the Postfix end-to-end test with $milter and $cli"
top_srcdir=$srcdir top_builddir=$src PA_MILTER=$milter PA_PASSALONG=$cli \
    sh "$srcdir/tests/e2e/t-postfix.sh" >"$dir/e2e.log" 2>&1
rc=$?
sed 's/^/  /' "$dir/e2e.log"
[ $rc = 0 ] || fail "tests/e2e/t-postfix.sh with the installed programs: exit $rc"
grep -q "^programs: $milter $cli\$" "$dir/e2e.log" ||
	fail "the end-to-end test did not run the installed programs"

# 5. remove keeps the operator's data and configuration; purge leaves
# the machine as it was
step "apt-get remove passalong"
apt remove passalong >"$dir/remove.log" 2>&1 || {
	cat "$dir/remove.log"; fail "apt-get remove"
}
[ -x "$milter" ] && fail "$milter is left after remove"
getent passwd passalong >/dev/null || fail "remove deleted the passalong user"
[ -f /var/lib/passalong/passalong.db ] || fail "remove deleted the store"
[ -f /etc/passalong/passalong.conf ] || fail "remove deleted the configuration"
step "apt-get purge passalong"
apt purge passalong >"$dir/purge.log" 2>&1 || {
	cat "$dir/purge.log"; fail "apt-get purge"
}
st=$(dpkg-query -W -f='${db:Status-Abbrev}' passalong 2>/dev/null)
case $st in "" | un*) installed=0 ;; *) fail "passalong is '$st' after purge" ;; esac
getent passwd passalong >/dev/null && fail "the passalong user is left after purge"
getent group passalong >/dev/null && fail "the passalong group is left after purge"
for d in /etc/passalong /var/lib/passalong /run/passalong "$unit"; do
	[ -e "$d" ] && fail "$d is left after purge"
done
left=$(find /var/lib/systemd/deb-systemd-helper-enabled \
    /var/lib/systemd/deb-systemd-helper-masked -name 'passalong*' 2>/dev/null)
[ -z "$left" ] || fail "systemd state left after purge: $left"
dpkg-query -W -f='${binary:Package} ${Version}\n' | sort >"$dir/after.txt"
cmp -s "$dir/before.txt" "$dir/after.txt" ||
	fail "the installed packages changed: $(diff "$dir/before.txt" "$dir/after.txt" | grep '^[<>]')"

step "done"
[ $failures -eq 0 ] || exit 1
echo "PASS: package built, lintian without errors, installed (user, store, conffile, unit), the installed daemon and CLI through Postfix, purged clean"
exit 0
