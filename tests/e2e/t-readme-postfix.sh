#!/bin/sh
# t-readme-postfix.sh - the README's Postfix lines as written, read from
# README.md: main.cf's lines go into a throw-away Postfix configuration
# that `postconf -n` must read without a warning, master.cf's lines must
# parse (`postconf -M`) with the relay service on loopback 10025 and no
# milter, and the share-domain regexp must send share, intros and help
# addresses (with or without +extension) to the postmaster and nothing
# else. Whether mail then flows is tests/e2e/t-postfix.sh's job; this one
# keeps the README's lines from going stale. Skips (77) without postconf.
set -u
srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
for t in postconf postmap; do
	command -v $t >/dev/null 2>&1 || { echo "$t missing: skipped"; exit 77; }
done
. "$srcdir/tests/e2e/postfix-lib.sh"
dir=$(mktemp -d /tmp/passalong-readme-pf.XXXXXX)
trap 'rm -rf "$dir"' EXIT
trap 'exit 1' INT TERM
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# block N - the Nth fenced block of the README's Postfix section
block() {
	awk -v n="$1" '/^### Postfix/ { s = 1; next }
		s && /^### / { exit }
		s && /^```/ { if (in_b) { in_b = 0; if (b == n) exit } else { in_b = 1; b++ } next }
		s && in_b && b == n { print }' "$srcdir/README.md"
}
block 1 >"$dir/main.lines"
block 2 >"$dir/aliases"
block 3 >"$dir/master.lines"
for f in main.lines aliases master.lines; do
	[ -s "$dir/$f" ] || fail "no $f block in the README's Postfix section"
done

mkdir -p "$dir/pf"
sed "s|regexp:/etc/postfix/passalong-aliases|regexp:$dir/aliases|" \
	"$dir/main.lines" >"$dir/main.readme"
grep -q "regexp:$dir/aliases" "$dir/main.readme" ||
	fail "main.cf does not use /etc/postfix/passalong-aliases"
{
	echo "compatibility_level = 3.6"
	echo "queue_directory = $dir/queue"
	echo "data_directory = $dir/data"
	cat "$dir/main.readme"
} >"$dir/pf/main.cf"
{ cat "$dir/master.lines"; pf_master_services; } >"$dir/pf/master.cf"

# main.cf: every line a known parameter, read back as written
postconf -c "$dir/pf" -n >"$dir/n.out" 2>"$dir/n.err" || fail "postconf -n failed"
[ -s "$dir/n.err" ] && fail "postconf warns: $(cat "$dir/n.err")"
for p in smtpd_milters milter_default_action milter_protocol \
    virtual_alias_domains virtual_alias_maps; do
	grep -q "^$p = " "$dir/n.out" || fail "main.cf: $p not set"
done
grep -q '^milter_default_action = tempfail$' "$dir/n.out" ||
	fail "mail is not kept while the milter is down"

# master.cf: the services parse; the relay port has no milter
postconf -c "$dir/pf" -M >"$dir/m.out" 2>"$dir/m.err" || fail "postconf -M failed"
[ -s "$dir/m.err" ] && fail "postconf -M warns: $(cat "$dir/m.err")"
grep -q '^submission *inet ' "$dir/m.out" || fail "no submission service"
grep -q '^127.0.0.1:10025 *inet ' "$dir/m.out" || fail "no relay on 127.0.0.1:10025"
postconf -c "$dir/pf" -P '127.0.0.1:10025/inet/smtpd_milters' >"$dir/p.out" 2>&1
grep -q '^127.0.0.1:10025/inet/smtpd_milters =$' "$dir/p.out" ||
	fail "the relay port keeps a milter: $(cat "$dir/p.out")"

# the share domain's addresses go to the postmaster, and nothing else
for a in share@intro.example.org share+jane@intro.example.org \
    share+local=domain.tld@intro.example.org intros@intro.example.org \
    help@intro.example.org help+x@intro.example.org; do
	got=$(postmap -c "$dir/pf" -q "$a" "regexp:$dir/aliases" 2>&1)
	[ "$got" = postmaster@example.org ] || fail "$a -> '$got'"
done
for a in share@example.org shares@intro.example.org jane@intro.example.org; do
	got=$(postmap -c "$dir/pf" -q "$a" "regexp:$dir/aliases" 2>&1)
	[ -z "$got" ] || fail "$a -> '$got', expected no match"
done

[ $failures -eq 0 ] || exit 1
echo "PASS: the README's main.cf, master.cf and alias lines, as written"
