#!/usr/bin/env python3
"""client.py - send unique share forwards into the harness's front Postfix.

    client.py PORT PHASE FIRST COUNT [gone] >> accepted.tsv

Sends COUNT forwards numbered FIRST.. from chris@members.example, each to
its own friend (share+fN=friends.example@intro.example.org), each asking
on behalf of its own requester (rN@confs.example, or goneN@confs.example
with "gone": a mailbox the relay refuses with 550). Each forward carries a
token "F<N>" in its Message-ID (<fault-N@members.example>) and subject.
Prints one line "N<TAB>PHASE<TAB>FRIEND<TAB>REQUESTER" per message the
front accepted with 250 (the MTA then owns it); a refusal is printed to
stderr and counted in the exit status. Bounded: 30 s per SMTP command.
"""
import smtplib
import sys

port, phase = int(sys.argv[1]), sys.argv[2]
first, count = int(sys.argv[3]), int(sys.argv[4])
gone = len(sys.argv) > 5 and sys.argv[5] == "gone"

BODY = """From: "Chris Member" <chris@members.example>
To: share+{friend_local}={friend_domain}@intro.example.org
Subject: Fwd: Talk request F{n}
Date: Mon, 16 Nov 2026 10:12:00 +0100
Message-ID: <fault-{n}@members.example>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

{friend_local}, this one is for you (F{n}).

Chris

---------- Forwarded message ---------
From: Requester {n} <{requester}>
Date: Fri, Nov 13, 2026 at 4:05 PM
Subject: Talk request F{n}
To: Chris Member <chris@members.example>

Hi Chris,

Request number {n}: would you give a 30-minute talk at our meetup?

Thanks
"""

failed = 0
smtp = None
for n in range(first, first + count):
    friend = "f%d@friends.example" % n
    requester = ("gone%d@confs.example" if gone else "r%d@confs.example") % n
    msg = BODY.format(n=n, friend_local="f%d" % n,
                      friend_domain="friends.example", requester=requester)
    rcpt = "share+f%d=friends.example@intro.example.org" % n
    for attempt in range(2):
        try:
            if smtp is None:
                smtp = smtplib.SMTP("127.0.0.1", port, timeout=30)
            smtp.sendmail("chris@members.example", [rcpt],
                          msg.replace("\n", "\r\n").encode())
            print("%d\t%s\t%s\t%s" % (n, phase, friend, requester),
                  flush=True)
            break
        except smtplib.SMTPRecipientsRefused as e:
            sys.stderr.write("F%d refused: %s\n" % (n, e))
            failed += 1
            break
        except (smtplib.SMTPException, OSError) as e:
            smtp = None
            if attempt == 1:
                sys.stderr.write("F%d not sent: %s\n" % (n, e))
                failed += 1
if smtp is not None:
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        pass
sys.exit(1 if failed else 0)
