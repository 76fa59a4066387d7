"""Shared text utilities: offset maps, fast regex scans, safe display, word segmentation."""
