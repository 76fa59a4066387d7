"""Text from documents and file names made safe to show: one line, nothing a terminal would obey.

Document text, titles, ids and file names come from outside. Printed as they are, an
escape sequence among them (ESC, OSC, BEL, the C1 controls) can recolour, retitle or
rewrite the terminal, and a line break (also U+2028/U+2029) can forge a line of the
report or of an error message. Renderers pass what they print through `printable`.
"""

from __future__ import annotations

import html
import re

# C0 and C1 controls (line breaks and tabs too) and the Unicode line and paragraph separators.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def has_control(text: str) -> bool:
    """Whether `text` holds a character `printable` would escape (a file name that cannot be a document id)."""
    return _CONTROL.search(text) is not None


def printable(text: str) -> str:
    """`text` safe to print on one line: control characters and undecodable bytes shown escaped.

    >>> printable("a\\x1b[31mb\\nc")
    'a\\\\x1b[31mb\\\\nc'
    """
    text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


# Characters Markdown would read as syntax: emphasis, code spans, links, table cells, strikethrough, escapes.
_MD_SYNTAX = re.compile(r"([\\`*_\[\]|~])")


def markdown_literal(text: str) -> str:
    """`text` as literal Markdown on one line: no HTML, link, code span or table cell can start in it.

    Ids, titles, sentences and file names come from outside; an id `<img src=x onerror=…>` or one
    holding a backtick or `|` must render as the characters it is. `<`, `>` and `&` become entities
    and Markdown's syntax characters are backslash-escaped, which CommonMark undoes inside `<code>`
    as well, so one escape serves text and code alike.

    >>> markdown_literal("a|b <i>")
    'a\\\\|b &lt;i&gt;'
    """
    text = html.escape(printable(" ".join(text.splitlines())), quote=False)
    return _MD_SYNTAX.sub(r"\\\1", text)
