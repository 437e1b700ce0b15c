#!/usr/bin/env python3
"""gen.py - the forward parser's label and separator tries, from data.

Usage (from the top of the tree):
    python3 parser/labels/gen.py > parser/parser_labels_tables.h
    python3 parser/labels/gen.py prefixes > parser/parser_prefix_tables.h
    python3 parser/labels/gen.py attribs > parser/parser_attrib_tables.h

Reads, in this order of precedence (the first file to name a text wins
when two disagree on its field):

  base.tsv         passalong's own rows (hand-collected; CASE/NOCOLON flags)
  clients.tsv      Outlook, Apple Mail, Gmail, Samsung, Mail.ru words for
                   languages base.tsv lacks, and Persian (hand-written)
  thunderbird.tsv  every Thunderbird locale (extract_thunderbird.py,
                   MPL-2.0, source and revision in its header)

Each data line is: kind TAB field TAB text TAB locale [TAB flags|client]
where kind is "label" (a header label, field FROM TO CC BCC REPLY_TO
SUBJECT DATE OTHER), "forward" ("Forwarded Message" separator phrases),
"original" ("Original Message" phrases), "prefix" (a subject prefix,
field FORWARD or REPLY) or "attrib" (an attribution line such as
"On #2 #3, #1 wrote": #1 the sender, #2 the date, #3 an optional time).

The prefix table is a plain array (parser_subject.c takes the longest
prefix; a subject is read once per message). The attribution table is
an array of (before, first part, between, after) in file order, the
date being #2 with #3 and the words between them; patterns whose date
and time are split by the sender, or with no words around the parts
(only punctuation: they would read any "X, Y <a@b>:" line), are left out and named in the
generated header.

Keys are the texts folded as parser_labels.c folds its input: each
character through its simple lower-case mapping (GLib's
g_unichar_tolower()), final sigma as sigma, invisible characters
(direction marks, zero-width joiners: what parser_text_prepare() drops)
removed, white space runs made one space. The output is a byte trie per
kind over the UTF-8 of those keys: nodes with sorted edge ranges, each
terminal node naming its row. Standard library only; the output is
checked in, so a build never runs this.
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
FILES = ("base.tsv", "clients.tsv", "thunderbird.tsv")
FIELDS = ("FROM", "TO", "CC", "BCC", "REPLY_TO", "SUBJECT", "DATE", "OTHER")
KINDS = ("label", "forward", "original")
ALL_KINDS = KINDS + ("prefix", "attrib")
PREFIX_FIELDS = ("FORWARD", "REPLY")


def invisible(c):
    """util_is_invisible() of common/util.c, for text that is no control"""
    o = ord(c)
    return (0x200B <= o <= 0x200F or 0x202A <= o <= 0x202E or
            0x2060 <= o <= 0x2069 or o in (0xFEFF, 0x061C, 0x00AD, 0x180E))


def fold_char(c):
    low = c.lower()
    if len(low) != 1:  # U+0130: the full mapping adds a combining dot
        low = {"\u0130": "i"}.get(c, c)
    return "\u03c3" if low == "\u03c2" else low


def clean(text):
    text = "".join(" " if c in "\u00a0\u202f\u2007" else c for c in text
                   if not invisible(c))
    return " ".join(text.split())


def fold(text):
    return "".join(fold_char(c) for c in clean(text))


def read_rows():
    rows = []
    for name in FILES:
        with open(os.path.join(HERE, name), encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                line = line.rstrip("\n")
                if not line or line.startswith("#"):
                    continue
                cols = line.split("\t")
                if len(cols) < 4 or cols[0] not in ALL_KINDS or (
                        cols[0] == "label" and cols[1] not in FIELDS) or (
                        cols[0] == "prefix" and
                        cols[1] not in PREFIX_FIELDS):
                    sys.exit("%s:%d: bad row" % (name, n))
                flags = cols[4].split(",") if name == "base.tsv" and \
                    len(cols) > 4 else []
                text = clean(cols[2])
                if not text:
                    continue
                # one-letter words ("A:" Italian To) only as written
                if cols[0] == "label" and len(text) == 1 and text.isalpha() \
                        and text.lower() != text.upper():
                    flags = sorted(set(flags) | {"CASE"})
                rows.append((cols[0], cols[1], text, cols[3], flags, name))
    return rows


def build(rows):
    """per kind: key -> row, and the conflicts dropped"""
    keys = {k: {} for k in KINDS}
    dropped = []
    for kind, field, text, loc, flags, src in rows:
        if kind not in KINDS:
            continue
        key = fold(text)
        have = keys[kind].get(key)
        if have is None:
            keys[kind][key] = (kind, field, text, loc, flags, src)
        elif have[1] != field:
            dropped.append((kind, field, text, loc, src, have))
    return keys, dropped


class Trie:
    def __init__(self):
        self.nodes = []  # each: [dict byte -> node, row or -1]

    def new(self):
        self.nodes.append([{}, -1])
        return len(self.nodes) - 1

    def add(self, root, key, row):
        n = root
        for b in key.encode("utf-8"):
            nxt = self.nodes[n][0].get(b)
            if nxt is None:
                nxt = self.new()
                self.nodes[n][0][b] = nxt
            n = nxt
        self.nodes[n][1] = row


TYPES = """#ifndef PA_PARSER_LABELS_TABLES_H
#define PA_PARSER_LABELS_TABLES_H

#include "parser/parser_scan.h"

#define CASE 1u    /* compare case-sensitively */
#define NOCOLON 2u /* run-together (Yahoo) lines may drop the colon */

typedef struct {
	const char *word; /* as written */
	FieldKind field;  /* FIELD_NONE for separator phrases */
	unsigned flags;
} LabelRow;

typedef struct {
	guint16 edge; /* first edge in trie_edge_byte/trie_edge_to */
	guint16 n;    /* edges, sorted by byte */
	guint16 row;  /* label_rows index + 1; 0 when no row ends here */
} TrieNode;

"""


def c_string(s):
    """a C literal of UTF-8 text (the sources are UTF-8, as the rest)"""
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


PREFIX_TYPES = """#ifndef PA_PARSER_PREFIX_TABLES_H
#define PA_PARSER_PREFIX_TABLES_H

#include "parser/parser_scan.h"

#define CASE 1u /* compare case-sensitively */

typedef struct {
	const char *word; /* as written, before ':' */
	SubjectKind kind;
	unsigned flags;
} PrefixRow;

"""

ATTRIB_TYPES = """#ifndef PA_PARSER_ATTRIB_TABLES_H
#define PA_PARSER_ATTRIB_TABLES_H

typedef struct {
	const char *pre;  /* before the first part */
	char first;       /* 'D' = date first, 'W' = sender first */
	const char *mid;  /* between the parts */
	const char *post; /* after the second part, before ':' */
} AttribRow;

"""

SOURCES = (" * Sources and licences: base.tsv is passalong's own "
           "(hand-collected\n * client output); thunderbird.tsv is "
           "extracted from\n * https://github.com/thunderbird/thunderbird-"
           "l10n, licence MPL-2.0\n * (https://mozilla.org/MPL/2.0/), "
           "revision\n * %s.\n")


def tb_revision():
    with open(os.path.join(HERE, "thunderbird.tsv"), encoding="utf-8") as f:
        for line in f:
            if line.startswith("# revision: "):
                return line[len("# revision: "):].strip()
    return "unknown"


def prefixes_main(rows):
    """subject prefixes: the first file to name a word (folded) wins"""
    out, seen, dropped = [], {}, []
    for kind, field, text, loc, flags, src in rows:
        if kind != "prefix":
            continue
        key = text if "CASE" in flags else fold(text)
        have = seen.get(key)
        if have is not None:
            if have != field:
                dropped.append((field, text, loc, src, have))
            continue
        seen[key] = field
        out.append((field, text, flags, loc, src))
    w = sys.stdout.write
    w("/*\n * parser_prefix_tables.h - GENERATED by parser/labels/gen.py "
      "prefixes\n *\tfrom parser/labels/{base,thunderbird}.tsv: do not "
      "edit\n *\n")
    w(" * Subject prefixes: base.tsv's forward and reply words (Outlook,\n"
      " * Gmail, Mail.ru, CJK clients; Thunderbird writes \"Fwd\" in "
      "every\n * locale) and Thunderbird's mailnews.localizedRe reply "
      "words\n * (<locale>/mail/chrome/messenger-region/region.properties)."
      "\n")
    w(SOURCES % tb_revision())
    w(" * %d rows.\n" % len(out))
    if dropped:
        w(" *\n * Dropped (an earlier file names the word as the other "
          "kind):\n")
        for field, text, loc, src, have in dropped:
            w(" *\t%s %s (%s, %s) kept as %s\n" % (field, text, loc, src,
                                                   have))
    w(" */\n\n")
    w(PREFIX_TYPES)
    w("/* clang-format off */\n")
    w("static const PrefixRow subject_prefixes[] = {\n")
    for field, text, flags, loc, src in out:
        fl = " | ".join(flags) if flags else "0"
        w("\t{ %s, SUBJECT_%s, %s }, /* %s */\n" % (
            c_string(text), field, fl, loc))
    w("};\n/* clang-format on */\n\n#endif /* PA_PARSER_PREFIX_TABLES_H */"
      "\n")


def attrib_split(pattern):
    """'Am #2 um #3 schrieb #1' -> ('Am ', 'D', ' schrieb ', ''), or a
    reason it cannot be one row"""
    p = clean(pattern)
    w = p.find("#1")
    d = [p.find("#2"), p.find("#3")]
    if w < 0 or d[0] < 0 or p.count("#1") != 1 or p.count("#2") != 1:
        return None, "no sender or date"
    ds = min(x for x in d if x >= 0)
    de = max(x for x in d if x >= 0) + 2
    if ds < w < de:
        return None, "sender between date and time"
    if w < ds:
        row = (p[:w], "W", p[w + 2:ds], p[de:])
    else:
        row = (p[:ds], "D", p[de:w], p[w + 2:])
    if not any(ch.isalpha() for ch in row[0] + row[2] + row[3]):
        return None, "no words around the parts"
    return row, None


def attribs_main(rows):
    out, seen, skipped = [], set(), []
    for kind, field, text, loc, flags, src in rows:
        if kind != "attrib":
            continue
        row, why = attrib_split(text)
        if row is None:
            skipped.append((text, loc, why))
            continue
        if row in seen:
            continue
        seen.add(row)
        out.append((row, loc, src))
    w = sys.stdout.write
    w("/*\n * parser_attrib_tables.h - GENERATED by parser/labels/gen.py "
      "attribs\n *\tfrom parser/labels/{base,thunderbird}.tsv: do not "
      "edit\n *\n")
    w(" * \"On DATE, WHO wrote:\" lines: base.tsv's rows, then "
      "Thunderbird's\n * mailnews.reply_header_ondateauthorwrote and "
      "_authorwroteondate of\n * every locale (<locale>/mail/chrome/"
      "messenger/messengercompose/\n * composeMsgs.properties).\n")
    w(SOURCES % tb_revision())
    w(" * %d rows.\n" % len(out))
    if skipped:
        w(" *\n * Left out:\n")
        for text, loc, why in skipped:
            w(" *\t%s (%s): %s\n" % (text.replace("*/", "* /"), loc, why))
    w(" */\n\n")
    w(ATTRIB_TYPES)
    w("/* clang-format off */\n")
    w("static const AttribRow attribs[] = {\n")
    for (pre, first, mid, post), loc, src in out:
        w("\t{ %s, '%s', %s, %s }, /* %s */\n" % (
            c_string(pre), first, c_string(mid), c_string(post), loc))
    w("};\n/* clang-format on */\n\n#endif /* PA_PARSER_ATTRIB_TABLES_H */"
      "\n")


def main():
    rows = read_rows()
    what = sys.argv[1] if len(sys.argv) > 1 else "labels"
    if what == "prefixes":
        return prefixes_main(rows)
    if what == "attribs":
        return attribs_main(rows)
    if what != "labels":
        sys.exit("usage: gen.py [labels|prefixes|attribs]")
    keys, dropped = build(rows)
    trie = Trie()
    table = []  # (kind, field, text, flags, loc, src)
    roots = {}
    for kind in KINDS:
        roots[kind] = trie.new()
        for key in sorted(keys[kind]):
            kind_, field, text, loc, flags, src = keys[kind][key]
            table.append((kind, field, text, flags, loc, src))
            trie.add(roots[kind], key, len(table) - 1)
    # edges laid out breadth-first per node, sorted by byte
    edge_bytes, edge_to, first = [], [], []
    for node in trie.nodes:
        first.append(len(edge_bytes))
        for b in sorted(node[0]):
            edge_bytes.append(b)
            edge_to.append(node[0][b])
    assert len(trie.nodes) < 65536 and len(table) < 65535
    assert len(edge_bytes) < 65536
    # longest label key in bytes, and most rows along one path
    max_bytes = max(len(k.encode("utf-8")) for k in keys["label"])
    max_hits = 0
    for kind in KINDS:
        for key in keys[kind]:
            hits = sum(1 for i in range(1, len(key) + 1)
                       if key[:i] in keys[kind])
            max_hits = max(max_hits, hits)
    assert all(len(n[0]) < 256 for n in trie.nodes)
    locales = sorted({r[3] for r in rows if r[3] != "-" and r[0] in KINDS})
    w = sys.stdout.write
    w("/*\n * parser_labels_tables.h - GENERATED by parser/labels/gen.py "
      "from\n *\tparser/labels/{base,clients,thunderbird}.tsv: do not edit"
      "\n *\n")
    w(" * Sources and licences: base.tsv and clients.tsv are passalong's "
      "own\n * (hand-collected client output); thunderbird.tsv is "
      "extracted from\n * https://github.com/thunderbird/thunderbird-l10n "
      "(MPL-2.0), revision in\n * its header. %d rows (%d labels, %d "
      "forward, %d original phrases),\n * %d trie nodes. Locales:\n" % (
          len(table), len(keys["label"]), len(keys["forward"]),
          len(keys["original"]), len(trie.nodes)))
    line = " *\t"
    for loc in locales:
        if len(line) + len(loc) > 76:
            w(line.rstrip() + "\n")
            line = " *\t"
        line += loc + " "
    w(line.rstrip() + "\n")
    if dropped:
        w(" *\n * Dropped (an earlier file names the text as another "
          "field):\n")
        for kind, field, text, loc, src, have in dropped:
            w(" *\t%s %s %s (%s, %s) kept as %s\n" % (
                kind, field, text.replace("*/", "* /"), loc, src, have[1]))
    w(" */\n\n")
    w("/* bytes of the longest label key; most rows along one path */\n")
    w("#define LABEL_TRIE_MAX_BYTES %d\n" % max_bytes)
    w("#define TRIE_MAX_HITS %d\n\n" % max_hits)
    w(TYPES)
    w("/* clang-format off */\n")
    w("#define LABEL_TRIE_ROOT %d\n" % roots["label"])
    w("#define FORWARD_TRIE_ROOT %d\n" % roots["forward"])
    w("#define ORIGINAL_TRIE_ROOT %d\n\n" % roots["original"])
    w("/* rows: the text as written (CASE rows compare it exactly) */\n")
    w("static const LabelRow label_rows[] = {\n")
    for kind, field, text, flags, loc, src in table:
        fl = " | ".join(flags) if flags else "0"
        fk = "FIELD_" + field if kind == "label" else "FIELD_NONE"
        w("\t{ %s, %s, %s },\n" % (c_string(text), fk, fl))
    w("};\n\n")
    w("/* node -> first edge, edge count, row + 1 (0: no row ends here) */\n")
    w("static const TrieNode trie_nodes[] = {\n")
    cells = ["{ %d, %d, %d }," % (first[i], len(node[0]), node[1] + 1)
             for i, node in enumerate(trie.nodes)]
    for i in range(0, len(cells), 4):
        w("\t" + " ".join(cells[i:i + 4]) + "\n")
    w("};\n\n")
    w("/* edges of each node, sorted by byte: the byte */\n")
    w("static const guint8 trie_edge_byte[] = {\n")
    for i in range(0, len(edge_bytes), 12):
        w("\t" + " ".join("0x%02x," % b for b in edge_bytes[i:i + 12])
          + "\n")
    w("};\n\n")
    w("/* ... and the node it leads to */\n")
    w("static const guint16 trie_edge_to[] = {\n")
    for i in range(0, len(edge_to), 10):
        w("\t" + " ".join("%d," % t for t in edge_to[i:i + 10]) + "\n")
    w("};\n/* clang-format on */\n\n#endif /* PA_PARSER_LABELS_TABLES_H */\n")


if __name__ == "__main__":
    main()
