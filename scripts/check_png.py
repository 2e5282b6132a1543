#!/usr/bin/env python3
"""Fails (exit 1) on a blank or broken screenshot; standard library only. `read_png` is shared
with check-screenshot.py (the GUI's check).

Usage: check_png.py FILE [--min-ink SHARE] [--min-colours N] [--colour RRGGBB ...]

- the file must be a valid 8-bit RGB/RGBA PNG (non-interlaced), at least 200x200;
- "ink": the share of pixels that differ from the most common colour (the background) by more
  than 24 in some channel must reach --min-ink (default 0.02);
- at least --min-colours distinct colours (default 16);
- each --colour must appear (within 40 per channel) in at least 20 pixels: e.g. a chart's line.
"""
import struct
import sys
import zlib
from collections import Counter


def read_png(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG file")
    pos, idat, ihdr = 8, [], None
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind = data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            ihdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
    if ihdr is None:
        raise ValueError("no IHDR chunk")
    w, h, depth, ctype, _, _, interlace = ihdr
    if depth != 8 or ctype not in (2, 6) or interlace != 0:
        raise ValueError(f"unsupported PNG (bit depth {depth}, colour type {ctype}, interlace {interlace})")
    bpp = 3 if ctype == 2 else 4
    raw = zlib.decompress(b"".join(idat))
    stride = w * bpp
    if len(raw) != h * (stride + 1):
        raise ValueError("truncated image data")
    rows, prev = [], bytearray(stride)
    for y in range(h):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pred) & 255
            elif f != 0:
                raise ValueError(f"bad filter {f} on row {y}")
        rows.append([tuple(line[x * bpp:x * bpp + 3]) for x in range(w)])
        prev = line
    return w, h, rows


def main(argv):
    args = argv[1:]
    if not args or args[0].startswith("-"):
        print(__doc__, file=sys.stderr)
        return 2
    path, min_ink, min_colours, colours = args[0], 0.02, 16, []
    i = 1
    while i < len(args):
        if args[i] == "--min-ink":
            min_ink = float(args[i + 1])
        elif args[i] == "--min-colours":
            min_colours = int(args[i + 1])
        elif args[i] == "--colour":
            colours.append(tuple(int(args[i + 1][k:k + 2], 16) for k in (0, 2, 4)))
        else:
            print(f"unknown option {args[i]}", file=sys.stderr)
            return 2
        i += 2
    try:
        w, h, rows = read_png(path)
    except (OSError, ValueError, zlib.error) as e:
        print(f"{path}: broken image: {e}", file=sys.stderr)
        return 1
    pixels = [p for row in rows for p in row]
    problems = []
    if w < 200 or h < 200:
        problems.append(f"too small: {w}x{h}")
    counts = Counter(pixels)
    bg = counts.most_common(1)[0][0]
    ink = sum(n for c, n in counts.items() if max(abs(c[k] - bg[k]) for k in range(3)) > 24) / len(pixels)
    if ink < min_ink:
        problems.append(f"blank: only {ink:.3%} of the pixels differ from the background {bg}")
    if len(counts) < min_colours:
        problems.append(f"only {len(counts)} distinct colours (want {min_colours})")
    for want in colours:
        n = sum(k for c, k in counts.items() if max(abs(c[j] - want[j]) for j in range(3)) <= 40)
        if n < 20:
            problems.append("colour #%02x%02x%02x appears in %d pixels (want 20)" % (*want, n))
    print(f"{path}: {w}x{h}, {len(counts)} colours, {ink:.1%} ink, background {bg}")
    for p in problems:
        print(f"{path}: {p}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
