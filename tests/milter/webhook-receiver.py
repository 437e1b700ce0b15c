#!/usr/bin/env python3
"""webhook-receiver.py - a loopback receiver of signed webhooks (t-webhooks).

    webhook-receiver.py DIR FAIL_FIRST NAME=whsec_... [NAME=whsec_...]

Listens on 127.0.0.1, on a port the kernel picks, written to
DIR/receiver.port once it listens. POST /NAME is one delivery to the
webhook NAME: its Standard Webhooks signature is checked with NAME's
secret (webhook-id msg_<digits>, webhook-timestamp within 5 minutes,
webhook-signature v1,<base64 HMAC-SHA256 of "id.timestamp.body">) and
its body must be a JSON event. A delivery that fails a check is
answered 401 and written down as "bad"; so is the same webhook-id
coming back with another body. The first FAIL_FIRST good deliveries
are answered 500 (the sender must retry them); the others 200.

After each request DIR/receiver.txt is rewritten whole (a rename), one
fact a line, for the scenario to read:

    requests N            every request
    refused N             answered 500 on purpose
    bad REASON            a check failed (the scenario fails on any)
    event NAME ID TYPE SHARE_ID RCPT SEEN
                          one per webhook-id after dedupe: RCPT is the
                          delivery's recipient ("-" for none), SEEN
                          counts its deliveries (more than 1: a retry)

Bounded: a body over 1 MB is bad; the server stops on its own after
10 minutes. Standard library only.
"""
import base64
import hashlib
import hmac
import http.server
import json
import os
import re
import sys
import threading
import time

DIR = sys.argv[1]
FAIL_FIRST = int(sys.argv[2])
KEYS = {}
for arg in sys.argv[3:]:
    name, secret = arg.split("=", 1)
    KEYS[name] = base64.b64decode(secret[len("whsec_"):])
BODY_MAX = 1 << 20
LIFETIME = 600

lock = threading.Lock()
state = {"requests": 0, "refused": 0, "good": 0, "bad": [], "events": {}}


def save():
    tmp = os.path.join(DIR, "receiver.txt.tmp")
    with open(tmp, "w") as f:
        f.write("requests %d\n" % state["requests"])
        f.write("refused %d\n" % state["refused"])
        for why in state["bad"]:
            f.write("bad %s\n" % why)
        for (name, msg_id), ev in sorted(state["events"].items()):
            f.write("event %s %s %s %s %s %d\n" % (
                name, msg_id, ev["type"], ev["share"], ev["rcpt"], ev["seen"]))
    os.rename(tmp, os.path.join(DIR, "receiver.txt"))


def check(name, headers, body):
    """the event's (id, type, share id, recipient, body digest), or
    raise ValueError"""
    if name not in KEYS:
        raise ValueError("unknown-webhook-" + re.sub(r"\W", "_", name))
    msg_id = headers.get("webhook-id", "")
    ts = headers.get("webhook-timestamp", "")
    sigs = headers.get("webhook-signature", "")
    if not re.fullmatch(r"msg_[0-9]+", msg_id):
        raise ValueError("webhook-id")
    if not re.fullmatch(r"[0-9]+", ts) or abs(time.time() - int(ts)) > 300:
        raise ValueError("webhook-timestamp")
    if not headers.get("content-type", "").startswith("application/json"):
        raise ValueError("content-type")
    signed = ("%s.%s." % (msg_id, ts)).encode() + body
    mac = base64.b64encode(hmac.new(KEYS[name], signed,
                                    hashlib.sha256).digest())
    if not any(s.startswith("v1,") and
               hmac.compare_digest(mac, s.split(",", 1)[1].encode())
               for s in sigs.split()):
        raise ValueError("signature-" + msg_id)
    try:
        event = json.loads(body)
        share = event["data"].get("share") or {}
        rcpt = (event["data"].get("delivery") or {}).get("recipient")
        return (msg_id, re.sub(r"\s", "_", event["type"]),
                share.get("id", "-"), re.sub(r"\s", "_", rcpt or "-"),
                hashlib.sha256(body).hexdigest())
    except (ValueError, KeyError, TypeError, AttributeError):
        raise ValueError("json-" + msg_id)


class Handler(http.server.BaseHTTPRequestHandler):
    timeout = 30

    def log_message(self, fmt, *args):
        sys.stderr.write("receiver: " + (fmt % args) + "\n")

    def answer(self, code, text):
        data = (text + "\n").encode()
        self.send_response(code)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        name = self.path.strip("/")
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(n) if 0 <= n <= BODY_MAX else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        with lock:
            state["requests"] += 1
            try:
                if not 0 < n <= BODY_MAX:
                    raise ValueError("body-size")
                msg_id, kind, share, rcpt, digest = check(name, headers, body)
                ev = state["events"].setdefault((name, msg_id), {
                    "type": kind, "share": share, "rcpt": rcpt,
                    "digest": digest, "seen": 0})
                if ev["digest"] != digest:
                    raise ValueError("body-changed-" + msg_id)
                ev["seen"] += 1
                state["good"] += 1
                code = 500 if state["good"] <= FAIL_FIRST else 200
                if code == 500:
                    state["refused"] += 1
            except ValueError as e:
                state["bad"].append("%s:%s" % (name, e))
                code = 401
            save()
        self.answer(code, "refused for now" if code == 500 else
                    "bad request" if code == 401 else "ok")


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True


if __name__ == "__main__":
    srv = Server(("127.0.0.1", 0), Handler)
    with lock:
        save()
    tmp = os.path.join(DIR, "receiver.port.tmp")
    with open(tmp, "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.rename(tmp, os.path.join(DIR, "receiver.port"))
    threading.Timer(LIFETIME, srv.shutdown).start()
    srv.serve_forever()
