#!/usr/bin/env python3
"""Fails (exit 1) on a blank or broken GUI screenshot.

Reads the PNG with the standard library only (zlib + the five PNG filters; 8-bit RGB or RGBA,
not interlaced: what Bevy's screenshot writes) and checks that
  - the image is at least 640x400 and not black (mean luminance),
  - it has many colours (a blank or single-colour frame has a handful),
  - the most common colour covers at most 85 % of it,
  - the map area (the middle of the window, between the panels) is drawn: at least 2 % of its
    pixels differ from the map's background and it holds at least 12 colours,
  - there is dark text (panels and labels): at least 0.3 % of the pixels are dark (the share in
    MIN_TEXT_SHARE when set: a seat's window early in an exercise has less to say).
Prints the measured figures either way.

Usage: check-screenshot.py FILE.png
"""
import os
import sys
import zlib
from collections import Counter


sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from check_png import read_png  # noqa: E402  (stdlib PNG reader: zlib + the five filters)


def main():
    if len(sys.argv) != 2:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    path = sys.argv[1]
    try:
        w, h, rows = read_png(path)
    except (OSError, ValueError, zlib.error) as e:
        print(f"FAIL {path}: cannot read: {e}")
        return 1
    pixels = [p for row in rows for p in row]
    n = len(pixels)
    counts = Counter(pixels)
    top, top_n = counts.most_common(1)[0]
    lum = lambda p: 0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2]
    mean_lum = sum(lum(p) for p in pixels[:: max(1, n // 50000)]) / len(pixels[:: max(1, n // 50000)])
    dark = sum(1 for p in pixels if lum(p) < 90) / n
    # the map: the middle of the window, between the side panels and above the log
    x0, x1, y0, y1 = int(w * 0.32), int(w * 0.68), int(h * 0.12), int(h * 0.72)
    region = [rows[y][x] for y in range(y0, y1) for x in range(x0, x1)]
    rc = Counter(region)
    map_bg, map_bg_n = rc.most_common(1)[0]
    map_drawn = 1 - map_bg_n / len(region)
    figures = {
        "size": f"{w}x{h}",
        "colours": len(counts),
        "top_colour_share": round(top_n / n, 3),
        "mean_luminance": round(mean_lum, 1),
        "dark_share": round(dark, 4),
        "map_colours": len(rc),
        "map_drawn_share": round(map_drawn, 3),
    }
    problems = []
    if w < 640 or h < 400:
        problems.append("smaller than 640x400")
    if mean_lum < 20:
        problems.append("black frame")
    if len(counts) < 64:
        problems.append("too few colours (blank frame?)")
    if top_n / n > 0.85:
        problems.append("one colour covers more than 85 %")
    if map_drawn < 0.02 or len(rc) < 12:
        problems.append("the map area is empty")
    if dark < float(os.environ.get("MIN_TEXT_SHARE", "0.003")):
        problems.append("no text (dark pixels)")
    print(("FAIL " if problems else "OK ") + path + " " + " ".join(f"{k}={v}" for k, v in figures.items()))
    for p in problems:
        print("  - " + p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
