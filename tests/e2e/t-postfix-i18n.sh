#!/bin/sh
# t-postfix-i18n.sh - end to end through a real Postfix: members share
# forwards in 22 languages whose subjects run from 10 to 300 characters
# (the member's Subject encoded as runs of '=' padded B words, as GMime
# writes them; past 200 the introduction's subject is cut), each from
# a requester whose name is in the same language. Every share must be
# accepted (250), and every introduction that reaches the friend's
# Maildir must carry the whole subject and names, read back both by
# Python's email package and by GMime (tests/e2e/mailcheck).
# Needs root (Postfix), postfix, swaks, python3; skips (77) without them.
set -u
srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
PA_BUILDDIR=${top_builddir:-$srcdir}
export PA_BUILDDIR

[ "$(id -u)" = 0 ] || { echo "not root: skipped"; exit 77; }
for t in postfix swaks python3; do
	command -v $t >/dev/null 2>&1 || { echo "$t missing: skipped"; exit 77; }
done
id postfix >/dev/null 2>&1 || { echo "no postfix user: skipped"; exit 77; }

. "$srcdir/tests/e2e/postfix-lib.sh"
dir=$(mktemp -d /tmp/passalong-e2e-i18n.XXXXXX)
trap 'pf_stop; rm -rf "$dir"' EXIT INT TERM
n=22
PF_MAILBOXES=$(i=1; while [ $i -le $n ]; do printf 'r%s@asks.example ' $i; i=$((i + 1)); done)
export PF_MAILBOXES
pf_setup "$dir"
# every share goes to jane: no rate limits in this test
cat >> "$PA_CONF" <<LIMITS

[limits]
shares_per_hour = 0
shares_per_day = 0
intros_per_friend_per_week = 0
consent_requests_per_friend_per_week = 0
LIMITS
cli="$PA_BUILDDIR/passalong -c $PA_CONF"
check="$PA_BUILDDIR/tests/e2e/mailcheck"
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

$cli init >/dev/null || exit 99
$cli member add chris@members.example --name "Chris Member" --handle chris >/dev/null || exit 99
$cli member add jane@friends.example --name "Jane Friend" --handle jane >/dev/null || exit 99

# the forwards, and the subject each introduction must carry (expected.tsv:
# requester address, the subject, the requester's name)
python3 - "$dir" <<'PY' || exit 99
import base64, sys
cases = [
    ("Amélie Tremblay", "Conférence à Montréal: présentation économique générale pour le printemps"),
    ("Ελένη Παπαδοπούλου", "Συνέδριο στην Αθήνα: γενική οικονομική παρουσίαση για την άνοιξη και το καλοκαίρι"),
    ("Ольга Рождественская", "Конференция в Москве: общая экономическая презентация на весну и лето"),
    ("Оксана Шевченко", "Конференція у Києві: загальна економічна презентація на весну"),
    ("山田 花子", "東京での会議：春の一般的な経済プレゼンテーションについてのご案内とご相談"),
    ("王小明", "北京会议：春季经济概况介绍与合作机会，欢迎各位专家参加并发言"),
    ("김민준", "서울 회의: 봄철 일반 경제 발표 및 협력 기회 안내, 연사를 찾고 있습니다"),
    ("فاطمة الزهراء", "مؤتمر في القاهرة: عرض اقتصادي عام لفصل الربيع ونبحث عن متحدث"),
    ("נועה כהן", "כנס בירושלים: מצגת כלכלית כללית לאביב, אנחנו מחפשים דוברת"),
    ("مریم احمدی", "همایش در تهران: ارائه اقتصادی عمومی برای بهار و تابستان"),
    ("प्रिया शर्मा", "दिल्ली में सम्मेलन: वसंत के लिए सामान्य आर्थिक प्रस्तुति"),
    ("สมชาย ใจดี", "การประชุมที่กรุงเทพฯ: การนำเสนอเศรษฐกิจทั่วไปสำหรับฤดูใบไม้ผลิ"),
    ("Nguyễn Thị Hương", "Hội nghị tại Hà Nội: bài trình bày kinh tế tổng quát cho mùa xuân"),
    ("Ayşe Yılmaz", "İstanbul'da konferans: ilkbahar için genel ekonomik sunum ve konuşmacı arayışı"),
    ("Małgorzata Wójcik", "Konferencja w Łodzi: ogólna prezentacja gospodarcza na wiosnę, szukamy prelegentki"),
    ("Jiří Dvořák", "Konference v Brně: obecná ekonomická prezentace na jaro, hledáme řečníka"),
    ("Jürgen Müller", "Konferenz in München: allgemeine Wirtschaftspräsentation für den Frühling"),
    ("José Martínez", "Conferencia en Málaga: presentación económica general para la primavera"),
    ("João Gonçalves", "Conferência em São Paulo: apresentação econômica geral para a primavera"),
    ("Niccolò Bianchi", "Conferenza a Città di Castello: presentazione economica più ampia per la primavera"),
    ("Åsa Ström", "Konferens i Göteborg: allmän ekonomisk presentation för våren och sommaren"),
    ("Anna Kovács", "Konferencia Győrött: általános gazdasági előadás tavaszra 🎉 — szeretettel várunk"),
]
assert len(cases) == int(sys.argv[2] if len(sys.argv) > 2 else len(cases))
d = sys.argv[1]

def padded_run(text):
    # cut every 13 characters, one B word each: '=' padding inside the run
    out, i = [], 0
    while i < len(text):
        chunk = text[i:i + 13].encode()
        out.append("=?UTF-8?B?" + base64.b64encode(chunk).decode() + "?=")
        i += 13
    return "\r\n ".join(out)

lengths = [10, 25, 40, 60, 80, 100, 120, 150, 200, 250, 300]

def sized(text, n):
    # the text repeated and cut to n characters, trimmed
    return ((text + " ") * (n // len(text) + 2))[:n].strip()

def intro_subject(name, topic):
    # templates/tmpl_words.c: "<requester's first name>, meet Jane:
    # topic", at most 200 characters, cut with an ellipsis
    # (templates/tmpl_share.c: the topic itself at most 140 characters)
    if len(topic) > 140:
        topic = topic[:139] + "\u2026"
    s = name.split(" ")[0] + ", meet Jane: " + topic
    if len(s) > 200:
        s = s[:199] + "\u2026"
    return s


with open(d + "/expected.tsv", "w", encoding="utf-8") as exp:
    for i, (name, text) in enumerate(cases, 1):
        subject = sized(text, lengths[i % len(lengths)])
        addr = "r%d@asks.example" % i
        msg = ("From: \"Chris Member\" <chris@members.example>\r\n"
               "To: share+jane@intro.example.org\r\n"
               "Subject: Fwd: " + padded_run(subject) + "\r\n"
               "Date: Mon, 16 Nov 2026 10:12:00 +0100\r\n"
               "Message-ID: <fwd-i18n-%d@members.example>\r\n"
               "MIME-Version: 1.0\r\n"
               "Content-Type: text/plain; charset=utf-8\r\n"
               "Content-Transfer-Encoding: 8bit\r\n\r\n"
               "Jane, this one is for you.\r\n\r\nChris\r\n\r\n"
               "---------- Forwarded message ---------\r\n"
               "From: %s <%s>\r\n"
               "Date: Fri, Nov 13, 2026 at 4:05 PM\r\n"
               "Subject: %s\r\n"
               "To: Chris Member <chris@members.example>\r\n\r\n"
               "Hello Chris,\r\n\r\nWould you know a speaker for our "
               "spring meeting?\r\n\r\n%s\r\n") % (i, name, addr, subject, name)
        with open("%s/fwd-%d.eml" % (d, i), "wb") as f:
            f.write(msg.encode())
        want = intro_subject(name, subject)
        exp.write("%s\t%s\t%s\n" % (addr, want, name))
PY

pf_start || exit 99
i=1
while [ $i -le $n ]; do
	command swaks --server 127.0.0.1 --port "$PF_PORT_IN" --timeout 30 \
	    --from chris@members.example --to share+jane@intro.example.org \
	    --data "$dir/fwd-$i.eml" >"$dir/swaks-$i.log" 2>&1 ||
		fail "share $i not accepted: $(grep -E '^<[~*]' "$dir/swaks-$i.log" | tail -n 1)"
	i=$((i + 1))
done

# every introduction in jane's Maildir (bounded: 60 s in all)
box=$dir/mail/friends.example/jane
t=0
while [ "$(ls "$box/new" 2>/dev/null | wc -l)" -lt $n ] && [ $t -lt 600 ]; do
	sleep 0.1; t=$((t + 1))
done
got=$(ls "$box/new" 2>/dev/null | wc -l)
[ "$got" -eq $n ] || fail "$got introductions reached jane, expected $n"

# each one read by Python's email package and by GMime
for f in "$box"/new/*; do
	[ -f "$f" ] || continue
	"$check" "$f" >"$f.gmime" 2>/dev/null || fail "$f: GMime cannot read it"
done
python3 - "$dir/expected.tsv" "$box/new" <<'PY' || failures=$((failures + 1))
import email, email.policy, os, sys
want = {}
for line in open(sys.argv[1], encoding="utf-8"):
    addr, subject, name = line.rstrip("\n").split("\t")
    want[addr] = (subject, name)
bad = 0
for fn in sorted(os.listdir(sys.argv[2])):
    if fn.endswith(".gmime"):
        continue
    path = os.path.join(sys.argv[2], fn)
    m = email.message_from_binary_file(open(path, "rb"), policy=email.policy.default)
    to = [a.addr_spec for a in m["To"].addresses]
    mine = [a for a in to if a in want]
    if len(mine) != 1:
        print("FAIL: %s: To %s names no requester" % (fn, to)); bad += 1; continue
    subject, name = want[mine[0]]
    if str(m["Subject"]) != subject:
        print("FAIL: Python reads Subject %r, expected %r" % (str(m["Subject"]), subject)); bad += 1
    for line in open(path + ".gmime", encoding="utf-8"):
        if line.startswith("subject: ") and line[9:].rstrip("\n") != subject:
            print("FAIL: GMime reads Subject %r, expected %r" % (line[9:].rstrip("\n"), subject)); bad += 1
    names = [a.display_name for a in m["To"].addresses if a.addr_spec == mine[0]]
    # Python's address parser shows a space between encoded words of a
    # name (other readers join them): compare without spaces
    if [x.replace(" ", "") for x in names] != [name.replace(" ", "")]:
        print("FAIL: requester's name %r, expected %r" % (names, name)); bad += 1
    field = b""
    for l in open(path, "rb").read().split(b"\n\n")[0].split(b"\n"):
        if not l[:1].isspace():
            field = l.split(b":")[0].lower()
        if field in (b"subject", b"from", b"to", b"cc", b"reply-to") and len(l.rstrip(b"\r")) > 76:
            print("FAIL: %s: a %s line over 76 characters" % (fn, field.decode())); bad += 1
sys.exit(1 if bad else 0)
PY

if [ $failures -ne 0 ]; then
	echo "--- milter log ---"; cat "$dir/milter.log"
	echo "--- maillog ---"; tail -n 40 "$dir/maillog" 2>/dev/null
	exit 1
fi
echo "PASS: $n languages, long subjects: shared through Postfix, introductions whole at the Maildir (Python and GMime)"
exit 0
