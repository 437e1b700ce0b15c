#!/bin/sh
# digest-screenshots.sh - the digest's pictures, for the README
#
#	digest-screenshots.sh TMPL-KINDS OUTDIR
#
# Renders Chris's week (tests/unit/tmpl-facts.h) at the facts' fixed
# clock with TMPL-KINDS (tests/e2e/tmpl-kinds), and photographs its HTML
# part with headless Chromium, 600 px wide (the message's own width),
# as OUTDIR/digest.png. `make screenshots` runs it.
set -eu

[ $# -eq 2 ] || { echo "usage: $0 TMPL-KINDS OUTDIR" >&2; exit 2; }
kinds=$1 out=$2
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/e2e/digest-lib.sh
. "$here/digest-lib.sh"
digest_chromium >/dev/null || {
	echo "digest-screenshots: Chromium is not installed" \
		"(scripts/install-deps installs it)" >&2
	exit 1
}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT INT TERM
mkdir -p "$out"
"$kinds" "$dir"
digest_parts "$dir/digest.eml" "$dir"
digest_shot "$dir/digest.html" "$out/digest.png" 600 1460
echo "$out/digest.png: $(python3 "$here/png-info.py" "$out/digest.png")" \
	"(width height colours top-share)"
