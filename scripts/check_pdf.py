#!/usr/bin/env python3
"""Fails (exit 1) unless FILE is a PDF with at least --min-pages pages (default 1); standard
library only. The report's print stylesheet starts each major part on a new A4 page, so a report
printed without it (or a blank page) has too few pages.

Usage: check_pdf.py FILE [--min-pages N]
"""
import re
import sys


def main(argv):
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    path, min_pages = argv[0], 1
    if "--min-pages" in argv:
        min_pages = int(argv[argv.index("--min-pages") + 1])
    try:
        data = open(path, "rb").read()
    except OSError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    if not data.startswith(b"%PDF-"):
        print(f"error: {path} is not a PDF", file=sys.stderr)
        return 1
    pages = len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", data))
    # A4 is 595 x 842 points (rounded): every page's MediaBox must be A4.
    boxes = re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", data)
    if boxes and not all(abs(float(w) - 595) < 3 and abs(float(h) - 842) < 3 for w, h in boxes):
        print(f"error: {path}: pages are not A4: {sorted(set(boxes))[:3]}", file=sys.stderr)
        return 1
    if pages < min_pages:
        print(f"error: {path}: {pages} page(s), expected at least {min_pages}", file=sys.stderr)
        return 1
    print(f"{path}: PDF, {pages} pages")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
