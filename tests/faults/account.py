#!/usr/bin/env python3
"""account.py - account for every share the fault harness sent.

    account.py ACCEPTED.TSV SHARES.JSON RELAYDIR [--crash-window PHASE]
        [--exactly-once] [--maillog HOST=MAILLOG:PORT ...]

ACCEPTED.TSV: client.py's lines (N, phase, friend, requester) for every
forward the front Postfix accepted; a forward sent through several hosts
(the same message, the same Message-ID) has a line from each: "accepted"
counts every acceptance, the other columns count forwards. SHARES.JSON: `passalong share list
--json`. RELAYDIR: relay.py's dump of what left the gateway.

Prints one table, by phase and in all: accepted by SMTP, shares recorded,
lost (accepted, never recorded), recorded twice, introductions delivered
(forwards whose introduction reached every recipient that exists), intros
missing a recipient, deliveries twice (the same Message-ID to the same
recipient more than once, or two introductions for one share), second
copies excused by a crash (crash_window: every earlier copy's sender died
after the relay's 250 without QUIT, the one window SMTP leaves open),
refused recipients, refused recipients the member was told about. Exits 0 only
when nothing was lost, recorded twice or delivered twice, every
introduction reached every recipient that exists and every refused
recipient was reported to the member. With --crash-window PHASE, that
phase must also show at least one crash_window copy (the harness killed
the sender inside that window on purpose: a second copy there that the
relay did not see orphaned would be a failure, and none at all would
mean the kill missed). With --exactly-once no second copy is excused
(no kill was aimed inside that window).

With --maillog (t-multihost.sh), a second table, per host: messages the
front Postfix's smtp client saw refused with 4xx by that host's gateway
listener on PORT (the milter's 451s, a milter down), how many of them
were retried until the gateway took them, and how many of those forwards
the store recorded exactly once; a refused message never taken, or not
recorded exactly once, is a problem.
"""
import collections
import email
import email.policy
import json
import os
import re
import sys

MEMBER = "chris@members.example"


def load_accepted(path):
    """acc[N] -> (phase, friend, requester); times[phase] -> acceptances"""
    acc = collections.OrderedDict()
    times = collections.Counter()
    with open(path) as f:
        for line in f:
            n, phase, friend, requester = line.rstrip("\n").split("\t")
            acc.setdefault(int(n), (phase, friend, requester))
            times[phase] += 1
    return acc, times


LOGLINE = re.compile(r"postfix/smtp\[\d+\]: (\w+): to=<share\+[^>]*>, "
                     r"relay=[^,]*:(\d+), .* status=(\w+) \((.*)")
MSGID = re.compile(r"postfix/cleanup\[\d+\]: (\w+): "
                   r"message-id=<fault-(\d+)@members\.example>")


def refusals(spec, recorded, problems):
    """one host's row: its front's deliveries to its gateway on PORT"""
    host, rest = spec.split("=", 1)
    path, port = rest.rsplit(":", 1)
    number, deferred, sent = {}, set(), set()
    with open(path, errors="replace") as f:
        for line in f:
            m = MSGID.search(line)
            if m:
                number[m.group(1)] = int(m.group(2))
                continue
            m = LOGLINE.search(line)
            if not m or m.group(2) != port:
                continue
            if m.group(3) == "deferred" and " 4" in " " + m.group(4):
                deferred.add(m.group(1))
            elif m.group(3) == "sent":
                sent.add(m.group(1))
    row = collections.Counter()
    for qid in sorted(deferred):
        row["4xx_seen"] += 1
        n = number.get(qid)
        if qid in sent:
            row["retried"] += 1
        else:
            problems.append("%s: %s (F%s) refused with 4xx, never taken"
                            % (host, qid, n))
        if n is not None and recorded[n] == 1:
            row["recorded_once"] += 1
        else:
            problems.append("%s: %s (F%s) refused with 4xx, recorded %d "
                            "times" % (host, qid, n, recorded.get(n, 0)))
    row["taken"] = len(sent)
    return host, row


def text_of(msg):
    """every text part of msg, decoded, joined"""
    out = []
    for part in msg.walk():
        if part.get_content_maintype() == "text":
            try:
                out.append(part.get_content())
            except (LookupError, ValueError):
                pass
    return "\n".join(out)


def load_relay(d):
    """intros[N] -> list of (message-id, rcpt); notices -> list of text;
    orphans[(message-id, rcpt)] -> copies whose sender vanished after
    the relay's 250, in the order received"""
    intros = collections.defaultdict(list)
    notices = []
    others = 0
    orphans = collections.defaultdict(list)
    names = [n for n in os.listdir(d) if n.endswith(".eml")]
    names.sort(key=lambda n: os.stat(os.path.join(d, n)).st_mtime_ns)
    for name in names:
        orphan = os.path.exists(os.path.join(d, name + ".orphan"))
        with open(os.path.join(d, name), "rb") as f:
            raw = f.read()
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        rcpts = [r.lower() for r in msg.get_all("X-Relay-Rcpt", [])]
        kind = (msg.get("X-Passalong-Kind") or "").strip()
        irt = msg.get("In-Reply-To") or ""
        m = re.search(r"fault-(\d+)@members\.example", irt)
        if kind == "intro" and m:
            for r in rcpts:
                intros[int(m.group(1))].append((msg["Message-ID"], r))
                orphans[(msg["Message-ID"], r)].append(orphan)
        elif kind == "notice" and MEMBER in rcpts:
            notices.append(text_of(msg).lower())
        else:
            others += 1
    return intros, notices, others, orphans


def main():
    acc, times = load_accepted(sys.argv[1])
    with open(sys.argv[2]) as f:
        shares = json.load(f)
    intros, notices, others, orphans = load_relay(sys.argv[3])
    notice_text = "\n".join(notices)

    recorded = collections.Counter()
    for s in shares:
        m = re.search(r"\bF(\d+)\b", s.get("subject") or "")
        if m:
            recorded[int(m.group(1))] += 1

    cols = ["accepted", "recorded", "lost", "twice", "introduced",
            "missing_rcpt", "delivered_twice", "crash_window",
            "refused_rcpt", "reported"]
    table = collections.OrderedDict()
    problems = []
    for n, (phase, friend, requester) in acc.items():
        row = table.setdefault(phase, collections.Counter())
        row["accepted"] = times[phase]
        if recorded[n] == 0:
            row["lost"] += 1
            problems.append("F%d (%s): accepted but never recorded"
                            % (n, phase))
            continue
        row["recorded"] += 1
        if recorded[n] > 1:
            row["twice"] += 1
            problems.append("F%d (%s): recorded %d times"
                            % (n, phase, recorded[n]))
        gone = requester.startswith("gone")
        want = {friend, MEMBER} | (set() if gone else {requester})
        got = collections.Counter(intros.get(n, []))
        mids = {mid for mid, _ in got}
        rcpts = {r for _, r in got}
        # a second copy is the sender's fault unless every earlier copy
        # was orphaned: its sender died after the relay's 250, before it
        # could record it (SMTP's own window, RFC 1047)
        again = {k: c for k, c in got.items() if c > 1}
        excused = {k for k in again if all(orphans[k][:-1])}
        if len(mids) > 1 or set(again) - excused:
            row["delivered_twice"] += 1
            problems.append("F%d (%s): delivered twice: %s"
                            % (n, phase, dict(got)))
        elif excused:
            row["crash_window"] += 1
            if "--exactly-once" in sys.argv:
                problems.append("F%d (%s): a second copy, and no kill was "
                                "aimed after the relay's 250: %s"
                                % (n, phase, dict(got)))
        if want <= rcpts:
            row["introduced"] += 1
        else:
            row["missing_rcpt"] += 1
            problems.append("F%d (%s): introduction missing %s"
                            % (n, phase, sorted(want - rcpts)))
        if requester in rcpts and gone:
            problems.append("F%d: a refused mailbox got the intro" % n)
        if gone:
            row["refused_rcpt"] += 1
            if requester in notice_text:
                row["reported"] += 1
            else:
                problems.append("F%d (%s): refused %s never reported to "
                                "the member" % (n, phase, requester))
    total = collections.Counter()
    for row in table.values():
        total.update(row)
    if len(acc) != sum(times.values()):
        print("(accepted: %d acceptances of %d forwards; the same forward "
              "through several hosts counts once in the other columns)"
              % (sum(times.values()), len(acc)))
    table["all"] = total

    width = max(len(p) for p in table) + 2
    print("phase".ljust(width) + " ".join(c.rjust(8) for c in
                                          [c[:8] for c in cols]))
    for phase, row in table.items():
        print(phase.ljust(width) + " ".join(str(row[c]).rjust(8)
                                            for c in cols))
    print("(notices to the member: %d; other mail: %d)"
          % (len(notices), others))
    print("crash_window: forwards one of whose recipients got a second copy "
          "because the sender was killed after the relay's 250 and before "
          "it recorded it (the relay saw it vanish without QUIT)")
    hosts = [refusals(sys.argv[i + 1], recorded, problems)
             for i, a in enumerate(sys.argv) if a == "--maillog"]
    if hosts:
        hcols = ["taken", "4xx_seen", "retried", "recorded_once"]
        print("host".ljust(width) + " ".join(c.rjust(14) for c in hcols))
        for host, row in hosts:
            print(host.ljust(width) + " ".join(str(row[c]).rjust(14)
                                               for c in hcols))
        print("taken: messages the host's gateway listener took (250) from "
              "its front Postfix; 4xx_seen: messages it refused with 4xx "
              "at least once; retried: of those, taken later from "
              "Postfix's queue; recorded_once: of those, shares recorded "
              "exactly once")
    if "--crash-window" in sys.argv:
        want = sys.argv[sys.argv.index("--crash-window") + 1]
        if table.get(want, {}).get("crash_window", 0) == 0:
            problems.append("%s: no copy in the crash window: the kill "
                            "missed the moment it was aimed at" % want)
    for p in problems[:40]:
        print("PROBLEM: " + p)
    if len(problems) > 40:
        print("... and %d more" % (len(problems) - 40))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
