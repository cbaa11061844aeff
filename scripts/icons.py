#!/usr/bin/env python3
"""Draws the app icons in public/icons/ (the brand mark: a white ring and dot on our blue).

Plain Python, no imaging library: each pixel is the coverage of 4x4 samples. Run again after
changing the drawing; the PNGs are committed.
    python3 scripts/icons.py
"""
import os
import struct
import zlib

BLUE = (0x3A, 0x6D, 0xF0)
WHITE = (0xFF, 0xFF, 0xFF)
SAMPLES = 4


def inside(x, y, size, maskable):
    """Which colour the point (x, y) in [0, size) is, or None for transparent."""
    c = size / 2
    dx, dy = x - c, y - c
    r = (dx * dx + dy * dy) ** 0.5
    # Maskable icons fill the square (the platform cuts its own shape, keeping the middle 80%);
    # the plain one is a rounded square.
    if not maskable:
        corner = size * 0.22
        qx = max(abs(dx) - (c - corner), 0)
        qy = max(abs(dy) - (c - corner), 0)
        if (qx * qx + qy * qy) ** 0.5 > corner:
            return None
    scale = 0.62 if maskable else 0.8
    ring_out, ring_in, dot = (size * k * scale for k in (0.36, 0.27, 0.15))
    if ring_in <= r <= ring_out or r <= dot:
        return WHITE
    return BLUE


def draw(size, maskable):
    rows = []
    step = 1 / SAMPLES
    for py in range(size):
        row = bytearray([0])  # filter: none
        for px in range(size):
            acc = [0, 0, 0, 0]
            for sy in range(SAMPLES):
                for sx in range(SAMPLES):
                    colour = inside(px + (sx + 0.5) * step, py + (sy + 0.5) * step, size, maskable)
                    if colour:
                        acc[0] += colour[0]
                        acc[1] += colour[1]
                        acc[2] += colour[2]
                        acc[3] += 1
            n = acc[3]
            if n:
                row += bytes([acc[0] // n, acc[1] // n, acc[2] // n, 255 * n // SAMPLES ** 2])
            else:
                row += bytes(4)
        rows.append(bytes(row))
    return png(size, b"".join(rows))


def png(size, raw):
    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


if __name__ == "__main__":
    out = os.path.join(os.path.dirname(__file__), "..", "public", "icons")
    os.makedirs(out, exist_ok=True)
    for name, size, maskable in [("icon-192.png", 192, False), ("icon-512.png", 512, False),
                                 ("maskable-512.png", 512, True)]:
        with open(os.path.join(out, name), "wb") as f:
            f.write(draw(size, maskable))
        print(name)
