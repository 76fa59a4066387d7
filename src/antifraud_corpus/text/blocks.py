"""Blocks of lines: a big text viewed a megabyte at a time, never cut inside a line.

The line-local stages (repair, de-glossing, conversion, the personal-data search) look at one
block at a time, so a 50 MB page never has a second whole copy made of it.
"""

from __future__ import annotations

BLOCK_CHARS = 1 << 20  # a big page is viewed a block of lines at a time


def line_blocks(text: str, size: int) -> list[tuple[int, int]]:
    """`(start, end)` spans of about `size` characters that end at line breaks, covering `text`."""
    spans = []
    start = 0
    while start < len(text):
        end = text.find("\n", min(start + size, len(text)) - 1)
        end = len(text) if end < 0 else end + 1
        spans.append((start, end))
        start = end
    return spans or [(0, 0)]
