#!/bin/sh
# t-digest-look.sh - the weekly digest as people see it: a spam filter,
# a browser, a terminal mail reader.
#
# tests/e2e/tmpl-kinds writes Chris's week (tests/unit/tmpl-facts.h),
# dated now, as digest.eml. Then:
#  (a) spamassassin -L -t (local tests, no network, no Bayes) scores it
#      below 1.0, and a control (the same digest without its list
#      headers, with a shouting Subject) at 1.0 or more, so a
#      SpamAssassin that scores nothing cannot pass;
#  (b) headless Chromium renders its HTML part at 600 x 1400 to a PNG
#      that is not blank: many colours, no one colour over 97% of it
#      (tests/e2e/png-info.py, no PIL needed);
#  (c) mutt, in a detached tmux, opens a throw-away mbox holding it and
#      shows the text part: the subject, every section heading, and no
#      HTML tag or entity.
# Each part is skipped when its tool is missing (scripts/install-deps
# installs them all); the test skips (77) only when none could run.
# Every wait is bounded; tmux and Chromium are stopped at exit.
set -u

srcdir=${top_srcdir:-.}
builddir=${top_builddir:-.}
kinds=$builddir/tests/e2e/tmpl-kinds
[ -x "$kinds" ] || { echo "FAIL: $kinds not built"; exit 1; }
# shellcheck source=tests/e2e/digest-lib.sh
. "$srcdir/tests/e2e/digest-lib.sh"

dir=$(mktemp -d)
sock=pa-digest-$$
# shellcheck disable=SC2317 # run by the trap
cleanup() {
	tmux -L "$sock" kill-server >/dev/null 2>&1
	rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
"$kinds" "$dir" "$(date +%s)" || { echo "FAIL: tmpl-kinds"; exit 1; }
command -v python3 >/dev/null 2>&1 || { echo "SKIP: no python3"; exit 77; }
digest_parts "$dir/digest.eml" "$dir" || { echo "FAIL: no parts"; exit 1; }

rc=0 ran=0
fail() { echo "FAIL: $*"; rc=1; }

# (a) ------------------------------------------------------------------
# status FILE - spamassassin's X-Spam-Status for it, unfolded
status() {
	HOME=$dir timeout 300 spamassassin -L -t --cf='use_bayes 0' \
		--cf='bayes_auto_learn 0' <"$1" 2>/dev/null | awk '
		/^X-Spam-Status:/ { p = 1; s = $0; next }
		p && /^[ \t]/ { s = s $0; next }
		p { print s; exit }'
}
score() { printf '%s\n' "$1" | sed -n 's/.*score=\([-0-9.]*\).*/\1/p'; }

if command -v spamassassin >/dev/null 2>&1; then
	ran=1
	# the control: the list headers (worth -1.0 as MAILING_LIST_MULTI)
	# gone, in the header only, continuation lines too
	awk 'h && /^\r?$/ { h = 0 }
		h && /^[ \t]/ { if (skip) next }
		h && /^[^ \t]/ { skip = /^(List-|Precedence:)/ }
		h && skip { next }
		h && /^Subject:/ {
			print "Subject: FREE OFFER FOR CHRIS@MEMBERS.EXAMPLE ACT NOW\r"
			next
		}
		{ print }' h=1 "$dir/digest.eml" >"$dir/control.eml"
	s=$(score "$(status "$dir/control.eml")")
	echo "(a) control (no list headers, address in an all-capitals" \
		"subject): ${s:-none}"
	if [ -z "$s" ] || awk -v s="$s" 'BEGIN { exit !(s < 1.0) }'; then
		fail "spamassassin does not score the control at 1.0 or more"
	fi
	st=$(status "$dir/digest.eml")
	s=$(score "$st")
	tests=$(printf '%s\n' "${st##*tests=}" | tr -d '\t' |
		sed 's/ autolearn=.*//; s/ version=.*//')
	echo "(a) digest: ${s:-none} ($tests)"
	if [ -z "$s" ] || awk -v s="$s" 'BEGIN { exit !(s >= 1.0) }'; then
		fail "the digest scores ${s:-nothing}, not below 1.0"
	fi
else
	echo "SKIP (a): spamassassin is not installed"
fi

# (b) ------------------------------------------------------------------
if digest_chromium >/dev/null; then
	ran=1
	if digest_shot "$dir/digest.html" "$dir/digest.png" 600 1400; then
		info=$(python3 "$srcdir/tests/e2e/png-info.py" "$dir/digest.png")
		echo "(b) screenshot: $info (width height colours top-share)"
		# shellcheck disable=SC2086 # its four words
		set -- $info
		if [ "${1:-0}" -ne 600 ] || [ "${2:-0}" -ne 1400 ]; then
			fail "the screenshot is ${1:-?} x ${2:-?}, not 600 x 1400"
		fi
		if [ "${3:-0}" -lt 16 ] ||
			awk -v s="${4:-1}" 'BEGIN { exit !(s > 0.97) }'; then
			fail "the screenshot looks blank ($info)"
		fi
	else
		fail "chromium wrote no screenshot"
	fi
else
	echo "SKIP (b): chromium is not installed"
fi

# (c) ------------------------------------------------------------------
tag_re='<(/?[a-zA-Z][a-zA-Z0-9]*([[:space:]/][^>]*)?|!--.*|!DOCTYPE[^>]*)>|&(amp|lt|gt|quot|nbsp|#[0-9]+);'
# wait_for TEXT - poll the pane until it shows TEXT, at most 20 s
wait_for() {
	i=0
	while [ $i -lt 40 ]; do
		tmux -L "$sock" capture-pane -p -t digest >"$dir/pane" 2>/dev/null
		grep -qF -- "$1" "$dir/pane" && return 0
		sleep 0.5
		i=$((i + 1))
	done
	return 1
}

if command -v mutt >/dev/null 2>&1 && command -v tmux >/dev/null 2>&1; then
	ran=1
	{
		echo "From intros@intro.example.org Mon Jan  1 00:00:00 2024"
		tr -d '\r' <"$dir/digest.eml" | sed 's/^From />From /'
		echo
	} >"$dir/digest.mbox"
	cat >"$dir/muttrc" <<MUTTRC
set folder="$dir"
set spoolfile="$dir/digest.mbox"
set mbox_type=mbox
set move=no
set mark_old=no
set wait_key=no
set pager_stop=yes
set markers=no
set text_flowed=yes
set charset="utf-8"
set header_cache=""
alternative_order text/plain text/html
unset help
ignore *
unignore from: subject: to:
MUTTRC
	# 100 x 160: the whole text part on one page
	HOME=$dir LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=xterm-256color \
		tmux -L "$sock" -f /dev/null new-session -d -s digest \
		-x 100 -y 160 "mutt -n -F '$dir/muttrc' -f '$dir/digest.mbox'"
	if ! wait_for "Your week:"; then
		fail "mutt's index never showed the digest"
		cat "$dir/pane"
	else
		tmux -L "$sock" send-keys -t digest Enter
		if ! wait_for "Top sharers this week"; then
			fail "mutt's pager never showed the digest's end"
		fi
		sed 's/[[:space:]]*$//' "$dir/pane" | grep -v '^$' | head -200
		for want in "Subject: Your week:" "Shared by you" \
			"Shared with you" "Waiting for your answer" \
			"Outcomes and thank-yous" "Your balance" \
			"Top sharers this week" "Reply yes or no to:"; do
			grep -qF -- "$want" "$dir/pane" ||
				fail "mutt does not show: $want"
		done
		# a tag is a name then a space, '/' or '>': not <a@b.example>
		if grep -Eq "$tag_re" "$dir/pane"; then
			fail "mutt shows HTML in the text part"
		fi
	fi
	tmux -L "$sock" kill-server >/dev/null 2>&1
else
	echo "SKIP (c): mutt or tmux is not installed"
fi

[ $ran -eq 1 ] || { echo "SKIP: no tool to look with"; exit 77; }
exit $rc
