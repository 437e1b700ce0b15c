#!/usr/bin/env python3
"""extract_thunderbird.py - Thunderbird's forward words, from its l10n repo.

Usage:
    extract_thunderbird.py GIT_DIR [REV] > parser/labels/thunderbird.tsv

GIT_DIR is a clone of https://github.com/thunderbird/thunderbird-l10n
(one folder per locale, en-US lives in thunderbird-l10n-source and is
covered by base.tsv). For every locale it reads

  mail/chrome/messenger/mimeheader.properties   header names libmime
                                                writes into a forward
  mail/chrome/messenger/mime.properties         the same, by number
  mail/chrome/messenger/messengercompose/composeMsgs.properties
        mailnews.forward_header_originalmessage  "-------- Forwarded Message --------"
        mailnews.reply_header_originalmessage    "-------- Original Message --------"
        mailnews.reply_header_ondateauthorwrote  "On #2 #3, #1 wrote:"
        mailnews.reply_header_authorwroteondate  "#1 wrote on #2 #3:"
  mail/chrome/messenger-region/region.properties
        mailnews.localizedRe                     reply prefixes ("AW,SV")

and prints one row per (kind, field, text, locale) in the format gen.py
reads: "attrib" rows keep the pattern as Thunderbird writes it (#1 the
author, #2 the date, #3 the time), without its final colon; "prefix"
rows are reply prefixes. Thunderbird writes "Fwd:" in every locale (it
has no localised forward prefix), so no forward prefix comes from here.
mailnews.reply_header_authorwrotesingle ("#1 wrote:") is not taken: a
line without a date is no evidence of a forward. Only the Python standard library and git are needed; the output is
checked in, so building never needs the network or this script.
"""
import re
import subprocess
import sys

# mimeheader.properties key / mime.properties number -> our field
HEADER_KEYS = {
    "FROM": ("1009", "FROM"),
    "TO": ("1012", "TO"),
    "CC": ("1013", "CC"),
    "BCC": ("1023", "BCC"),
    "REPLY-TO": ("1010", "REPLY_TO"),
    "SUBJECT": ("1000", "SUBJECT"),
    "DATE": ("1007", "DATE"),
    # recognised so a block keeps going, otherwise ignored
    "SENDER": ("1008", "OTHER"),
    "ORGANIZATION": ("1011", "OTHER"),
    "NEWSGROUPS": ("1014", "OTHER"),
    "FOLLOWUP-TO": ("1015", "OTHER"),
    "REFERENCES": ("1016", "OTHER"),
    "MESSAGE-ID": ("1021", "OTHER"),
    "USER-AGENT": (None, "OTHER"),
}

DIRECTION_MARKS = {0x200E, 0x200F, 0x061C} | set(range(0x202A, 0x202F)) \
    | set(range(0x2066, 0x206A))

ATTRIB_KEYS = ("mailnews.reply_header_ondateauthorwrote",
               "mailnews.reply_header_authorwroteondate")


def git(gitdir, *args):
    return subprocess.run(["git", "--git-dir", gitdir] + list(args),
                          check=True, capture_output=True).stdout


def show(gitdir, rev, path):
    try:
        return git(gitdir, "show", "%s:%s" % (rev, path)).decode("utf-8")
    except subprocess.CalledProcessError:
        return None


def properties(text):
    """key -> value of a .properties file (no continuation lines here)"""
    out = {}
    for line in (text or "").splitlines():
        line = line.strip()
        if not line or line[0] in "#!":
            continue
        sep = min((i for i in (line.find("="), line.find(":")) if i > 0),
                  default=-1)
        if sep < 0:
            continue
        key = line[:sep].strip()
        value = line[sep + 1:].strip()
        value = re.sub(r"\\u([0-9a-fA-F]{4})",
                       lambda m: chr(int(m.group(1), 16)), value)
        out[key] = value
    return out


def clean(text):
    text = "".join(c for c in text if ord(c) not in DIRECTION_MARKS)
    return " ".join(text.split())


def separator_phrase(text):
    """'-------- Forwarded Message --------' -> 'Forwarded Message'"""
    text = clean(text).strip("-").strip()
    return text if text and "-" * 2 not in text else None


def attrib_pattern(text):
    """'Am #2 um #3 schrieb #1:' -> 'Am #2 um #3 schrieb #1', or None
    when the line does not end with a colon or lacks a part"""
    text = clean(text)
    for colon in (":", "\uff1a"):
        if text.endswith(colon):
            text = text[:-1].rstrip()
            break
    else:
        return None
    if any(text.count(p) != 1 for p in ("#1", "#2", "#3")):
        return None
    return text


def main():
    gitdir = sys.argv[1]
    rev = sys.argv[2] if len(sys.argv) > 2 else "HEAD"
    commit = git(gitdir, "rev-parse", rev).decode().strip()
    date = git(gitdir, "show", "-s", "--format=%cs", commit).decode().strip()
    locales = sorted(
        l for l in git(gitdir, "ls-tree", "--name-only", commit)
        .decode().split() if not l.startswith(".") and l not in
        ("LICENSE", "README.md"))
    rows = []
    for loc in locales:
        base = loc + "/mail/chrome/messenger/"
        mh = properties(show(gitdir, commit, base + "mimeheader.properties"))
        mp = properties(show(gitdir, commit, base + "mime.properties"))
        cm = properties(show(gitdir, commit, base +
                             "messengercompose/composeMsgs.properties"))
        for key, (num, field) in HEADER_KEYS.items():
            for value in (mh.get(key), mp.get(num) if num else None):
                if value:
                    value = clean(value).rstrip(":：").strip()
                    if value and "%" not in value and "<" not in value:
                        rows.append(("label", field, value, loc))
        for key, kind in (("mailnews.forward_header_originalmessage",
                           "forward"),
                          ("mailnews.reply_header_originalmessage",
                           "original")):
            phrase = separator_phrase(cm.get(key, ""))
            if phrase:
                rows.append((kind, "-", phrase, loc))
        phrase = separator_phrase(mp.get("1041", ""))
        if phrase:
            rows.append(("original", "-", phrase, loc))
        for key in ATTRIB_KEYS:
            pattern = attrib_pattern(cm.get(key, ""))
            if pattern:
                rows.append(("attrib", "-", pattern, loc))
        rg = properties(show(gitdir, commit, loc +
                             "/mail/chrome/messenger-region/"
                             "region.properties"))
        for word in rg.get("mailnews.localizedRe", "").split(","):
            word = clean(word)
            if word:
                rows.append(("prefix", "REPLY", word, loc))
    print("# thunderbird.tsv - generated by extract_thunderbird.py; do not edit")
    print("# source: https://github.com/thunderbird/thunderbird-l10n")
    print("# revision: %s (%s)" % (commit, date))
    print("# licence: MPL-2.0 (https://mozilla.org/MPL/2.0/)")
    print("# files: <locale>/mail/chrome/messenger/mimeheader.properties,")
    print("#   mime.properties, messengercompose/composeMsgs.properties,")
    print("#   <locale>/mail/chrome/messenger-region/region.properties")
    print("# locales (%d): %s" % (len(locales), " ".join(locales)))
    print("# kind\tfield\ttext\tlocale")
    seen = set()
    for row in rows:
        if row in seen:
            continue
        seen.add(row)
        print("\t".join(row))


if __name__ == "__main__":
    main()
