#!/bin/sh
# t-spamassassin.sh - every kind of mail about a share scores below 1.0 in
# SpamAssassin's local tests (spamassassin -L -t: no network, no DNS).
#
# tests/e2e/tmpl-kinds renders each kind from the share of
# tests/unit/tmpl-facts.h, dated now (an old Date: would score by itself);
# each score is printed. A control (the consent request with the friend's
# address in an all-capitals Subject) must score 1.0 or more, so a
# SpamAssassin that scores nothing cannot pass the test. No Bayes, no
# learning; HOME is a temporary folder. Skips (77) without spamassassin.
set -eu

command -v spamassassin >/dev/null 2>&1 || {
	echo "SKIP: spamassassin is not installed"
	exit 77
}
builddir=${top_builddir:-.}
kinds=$builddir/tests/e2e/tmpl-kinds
[ -x "$kinds" ] || { echo "FAIL: $kinds not built"; exit 1; }

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT INT TERM
"$kinds" "$dir" "$(date +%s)"

# status FILE - spamassassin's X-Spam-Status for it, unfolded
status() {
	HOME=$dir spamassassin -L -t --cf='use_bayes 0' \
		--cf='bayes_auto_learn 0' <"$1" 2>/dev/null | awk '
		/^X-Spam-Status:/ { p = 1; s = $0; next }
		p && /^[ \t]/ { s = s $0; next }
		p { print s; exit }'
}

# score STATUS - the score in an X-Spam-Status line
score() {
	printf '%s\n' "$1" | sed -n 's/.*score=\([-0-9.]*\).*/\1/p'
}

sed 's/^Subject: .*/Subject: FREE OFFER FOR JANE@FRIENDS.EXAMPLE ACT NOW/' \
	"$dir/consent.eml" >"$dir/control.eml"
s=$(score "$(status "$dir/control.eml")")
echo "control (address in an all-capitals subject): ${s:-none}"
if [ -z "$s" ] || awk -v s="$s" 'BEGIN { exit !(s < 1.0) }'; then
	echo "FAIL: spamassassin does not score the control at 1.0 or more"
	exit 1
fi

rc=0
for kind in consent reminder intro confirmation declined expired unclear \
	answered merged; do
	st=$(status "$dir/$kind.eml")
	s=$(score "$st")
	if [ -z "$s" ]; then
		echo "FAIL: $kind: no score"
		rc=1
		continue
	fi
	tests=$(printf '%s\n' "${st##*tests=}" | tr -d '\t' |
		sed 's/ autolearn=.*//; s/ version=.*//')
	echo "$kind: $s ($tests)"
	if awk -v s="$s" 'BEGIN { exit !(s >= 1.0) }'; then
		echo "FAIL: $kind scores $s, at least 1.0"
		rc=1
	fi
done
exit $rc
