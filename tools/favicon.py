#!/usr/bin/env python3
"""Writes src/web/static/favicon.ico: the portal's icon (a white "P" on the
brand blue, as favicon.svg) as a 32x32 ICO, for clients that ask for
/favicon.ico.  Standard library only; run it again after changing it.

Usage: favicon.py OUT.ico"""
import struct
import sys

SIZE = 32
BLUE = (0x94, 0x53, 0x0B, 0xFF)   # BGRA of #0b5394
WHITE = (0xFF, 0xFF, 0xFF, 0xFF)
CLEAR = (0, 0, 0, 0)


def pixel(x, y):
    """y counts from the top."""
    r = 6  # rounded corners
    if (x < r or x > SIZE - 1 - r) and (y < r or y > SIZE - 1 - r):
        cx = r if x < r else SIZE - 1 - r
        cy = r if y < r else SIZE - 1 - r
        if (x - cx) ** 2 + (y - cy) ** 2 > r * r:
            return CLEAR
    # the letter P: a stem and a bowl
    if 10 <= x <= 14 and 7 <= y <= 25:
        return WHITE
    if 14 <= x <= 22 and 7 <= y <= 17:
        inner = 14 <= x <= 18 and 10 <= y <= 14
        edge = x >= 20 and (y <= 8 or y >= 16)
        if not inner and not edge:
            return WHITE
    return BLUE


def main():
    rows = []
    for y in range(SIZE - 1, -1, -1):  # BMP rows go bottom-up
        rows.append(b"".join(bytes(pixel(x, y)) for x in range(SIZE)))
    xor = b"".join(rows)
    and_mask = b"\0" * (SIZE * SIZE // 8)  # alpha decides; the mask is all opaque
    header = struct.pack("<IiiHHIIiiII", 40, SIZE, SIZE * 2, 1, 32, 0, len(xor) + len(and_mask),
                         0, 0, 0, 0)
    image = header + xor + and_mask
    icondir = struct.pack("<HHH", 0, 1, 1)
    entry = struct.pack("<BBBBHHII", SIZE, SIZE, 0, 0, 1, 32, len(image), 6 + 16)
    with open(sys.argv[1], "wb") as f:
        f.write(icondir + entry + image)


main()
