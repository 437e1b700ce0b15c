#!/usr/bin/env python3
"""png-info.py - what a PNG shows, without PIL: "WIDTH HEIGHT COLOURS SHARE"

COLOURS is the number of distinct RGB values; SHARE the fraction of the
pixels that have the commonest one (1.0 is a blank page). Reads 8-bit
RGB and RGBA, non-interlaced (what Chromium writes); anything else is
an error (exit 1). Python's standard library only: zlib and struct.
"""
import struct
import sys
import zlib
from collections import Counter


def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def read(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    pos, idat, head = 8, [], None
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            head = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        pos += 12 + n
    w, h, depth, ctype, _, _, interlace = head
    if depth != 8 or ctype not in (2, 6) or interlace:
        raise ValueError("unsupported PNG layout")
    bpp = 3 if ctype == 2 else 4
    raw = zlib.decompress(b"".join(idat))
    stride = w * bpp
    prev = bytearray(stride)
    colours = Counter()
    for y in range(h):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 0xFF
            elif f == 2:
                line[i] = (line[i] + b) & 0xFF
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 0xFF
            elif f == 4:
                line[i] = (line[i] + paeth(a, b, c)) & 0xFF
        for i in range(0, stride, bpp * 2):  # every other pixel: enough
            colours[bytes(line[i:i + 3])] += 1
        prev = line
    total = sum(colours.values())
    return w, h, len(colours), colours.most_common(1)[0][1] / total


if __name__ == "__main__":
    try:
        w, h, n, share = read(sys.argv[1])
    except (OSError, ValueError, struct.error, zlib.error, TypeError) as e:
        print(f"png-info: {sys.argv[1]}: {e}", file=sys.stderr)
        sys.exit(1)
    print(f"{w} {h} {n} {share:.3f}")
