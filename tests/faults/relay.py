#!/usr/bin/env python3
"""relay.py - a loopback SMTP relay whose behaviour the fault harness sets.

    relay.py PORT DUMPDIR MODEFILE

Listens on 127.0.0.1:PORT and stores every message it accepts as
DUMPDIR/NNNNNN.eml, headed by one "X-Relay-Rcpt: ADDRESS" line per
recipient it accepted. Before each command it reads MODEFILE (one word):

    ok        accept everything, except recipients whose local part starts
              with "gone" (a mailbox that no longer exists): 550 5.1.1
    tempfail  451 4.3.0 to every RCPT (a relay having a bad moment)
    slow      as ok, but each message's final 250 comes after 1 s (so
              that the gateway is mid-delivery when a fault strikes);
              MODEFILE.holding exists while a message waits for its 250
    stall     as ok, but each RCPT is answered after 2 s (so that the
              gateway holds a claimed row and the relay has taken
              nothing yet); MODEFILE.holding exists meanwhile
While MODEFILE.holding exists it names the client held, "IP:PORT" (the
harness finds the process behind that connection and aims a kill at it).

A relay that is down is this process stopped; the harness does that.

A client that vanishes without QUIT (a sender killed before it could
record its 250s) leaves NNNNNN.eml.orphan beside every message of that
session it had a 250 for: account.py counts a second copy of such a
message as the one window SMTP leaves open (RFC 1047), not as the
sender's fault. Every one, not only the last: passalong's sender sends
an introduction's recipients one transaction each on one connection,
records their outcomes together and only then says QUIT, so a kill
during the second recipient's transaction leaves the first one's 250
unrecorded as surely as a kill right after it.
Bounded: a session ends after 2,000 commands or 60 s of silence, a
message after 32 MB. Standard library only (Debian 12's python3).
"""
import os
import socket
import socketserver
import sys
import threading
import time

PORT = int(sys.argv[1])
DUMP = sys.argv[2]
MODEFILE = sys.argv[3]
MAX_COMMANDS = 2000
MAX_DATA = 32 << 20
counter_lock = threading.Lock()
counter = [0]


def mode():
    try:
        with open(MODEFILE) as f:
            return f.read().strip() or "ok"
    except OSError:
        return "ok"


def store(rcpts, data):
    with counter_lock:
        counter[0] += 1
        n = counter[0]
    tmp = os.path.join(DUMP, ".tmp.%d.%06d" % (os.getpid(), n))
    with open(tmp, "wb") as f:
        for r in rcpts:
            f.write(b"X-Relay-Rcpt: " + r.encode() + b"\r\n")
        f.write(data)
    # a name unique across restarts of the relay
    name = os.path.join(DUMP, "%d-%06d.eml" % (os.getpid(), n))
    os.rename(tmp, name)
    return name


def hold(peer, seconds):
    """MODEFILE.holding names peer for seconds: the harness aims a kill
    at the client held there"""
    holding = MODEFILE + ".holding"
    with open(holding + ".tmp.%d" % peer[1], "w") as f:
        f.write("%s:%d\n" % peer)
    os.rename(holding + ".tmp.%d" % peer[1], holding)
    time.sleep(seconds)
    try:
        os.unlink(holding)
    except OSError:
        pass


class Session(socketserver.StreamRequestHandler):
    timeout = 60

    def reply(self, line):
        self.wfile.write(line.encode() + b"\r\n")
        self.wfile.flush()

    def handle(self):
        self.taken = []  # the messages given a 250 in this session
        self.quit = False
        try:
            self.session()
        finally:
            if not self.quit:
                for name in self.taken:
                    open(name + ".orphan", "w").close()

    def session(self):
        self.reply("220 relay.test ESMTP fault relay")
        sender, rcpts = None, []
        for _ in range(MAX_COMMANDS):
            try:
                line = self.rfile.readline(4096)
            except (socket.timeout, OSError):
                return
            if not line:
                return
            cmd = line.decode("latin-1").rstrip("\r\n")
            verb = cmd[:4].upper()
            if verb in ("EHLO", "HELO"):
                self.reply("250-relay.test")
                self.reply("250 8BITMIME")
            elif verb == "MAIL":
                sender, rcpts = cmd, []
                self.reply("250 2.1.0 ok")
            elif verb == "RCPT":
                addr = cmd[cmd.find("<") + 1:cmd.rfind(">")].lower()
                if sender is not None and mode() == "stall":
                    hold(self.client_address, 2.0)
                if sender is None:
                    self.reply("503 5.5.1 MAIL first")
                elif mode() == "tempfail":
                    self.reply("451 4.3.0 relay busy, try later")
                elif addr.startswith("gone"):
                    self.reply("550 5.1.1 <%s>: mailbox unavailable" % addr)
                else:
                    rcpts.append(addr)
                    self.reply("250 2.1.5 ok")
            elif verb == "DATA":
                if not rcpts:
                    self.reply("554 5.5.1 no valid recipients")
                    continue
                self.reply("354 go ahead")
                data, size = [], 0
                while True:
                    chunk = self.rfile.readline(65536)
                    if not chunk:
                        return
                    if chunk in (b".\r\n", b".\n"):
                        break
                    if chunk.startswith(b"."):
                        chunk = chunk[1:]
                    size += len(chunk)
                    if size > MAX_DATA:
                        return
                    data.append(chunk)
                name = store(rcpts, b"".join(data))
                if mode() == "slow":
                    # a message taken and its 250 not yet given
                    hold(self.client_address, 1.0)
                self.taken.append(name)
                self.reply("250 2.0.0 queued")
                sender, rcpts = None, []
            elif verb == "RSET":
                sender, rcpts = None, []
                self.reply("250 2.0.0 ok")
            elif verb == "NOOP":
                self.reply("250 2.0.0 ok")
            elif verb == "QUIT":
                self.quit = True
                self.reply("221 2.0.0 bye")
                return
            else:
                self.reply("502 5.5.2 not implemented")


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


if __name__ == "__main__":
    with Server(("127.0.0.1", PORT), Session) as srv:
        print("relay listening", flush=True)
        srv.serve_forever()
