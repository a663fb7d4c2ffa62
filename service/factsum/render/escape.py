"""Escaping of untrusted text and URLs for the Markdown renderer.

Everything an article (or a model reading it) produced is hostile until escaped: it must
come out as plain text for a reader, never as HTML, a link, an image, a heading, a list,
a footnote, a code block or an extra table cell. The functions here are the only place
where that is decided; ``factsum.render.markdown`` never writes untrusted text without them.

Escaping is *lossless for a reader*: parsing ``escape_inline(s)`` as Markdown gives back
exactly ``reader_text(s)`` (``s`` with line breaks folded to spaces, control characters
replaced and the ends trimmed), so the quotes a reader checks are the article's words.
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import quote, urlsplit

__all__ = ["escape_inline", "escape_table_cell", "reader_text", "safe_url"]

# Line breaks as Python, terminals and editors see them; CommonMark only knows \n and \r,
# but a U+2028 left in a file still shows up as a line break in many viewers.
_LINE_BREAKS = re.compile("\r\n|[\t\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]")
# Other C0/C1 controls and DEL: NUL is turned into U+FFFD by every CommonMark parser
# anyway, and ESC sequences would reach the terminal of a reviewer who `cat`s the file.
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f]")

# Characters that open an inline construct, an HTML tag or entity, a table cell, a
# heading, a code fence or (on GitHub) math, wherever they stand. All are ASCII
# punctuation, so a backslash makes each one literal in CommonMark and GFM.
# `@` is here because GitHub turns bare e-mail addresses into mailto: links, `^` because
# "^[...]" is an inline footnote (Pandoc, markdown-it) and a text ending in "^" would
# capture the "[^1]" reference that follows it.
_ALWAYS = frozenset("\\`*_[]<>&!#~()$|@^")
# A list item marker, thematic break or ordered-list number at the start of a block.
# An ordered-list number needs a space or the end of the line after it ("2020. Iran"),
# unlike "003.txt"; the end of the text counts, as template text may follow on the line.
# (A ')' after the number and a '*' marker are in _ALWAYS, hence escaped anyway.)
_LEADING_MARKER = re.compile(r"[-+]|\d{1,9}\.(?=\s|$)")
# GitHub's extended autolinks ("http://...", "www...."): an escaped ':' or '.' breaks
# them, and the reader sees the same text.
_SCHEME_COLON = re.compile(r"(?<=[A-Za-z0-9]):(?=//)")
_WWW_DOT = re.compile(r"(?<![A-Za-z0-9])(www)\.", re.IGNORECASE)

_TABLE_PIPE = "&#124;"  # GFM splits cells before unescaping; see escape_table_cell


def reader_text(text: str) -> str:
    """Return the text a reader sees once ``escape_inline(text)`` is rendered."""
    if text.isprintable():  # no line break and no control character: nothing to fold
        return text.strip()
    folded = _LINE_BREAKS.sub(" ", text)
    return _CONTROLS.sub("\ufffd", folded).strip()


def escape_inline(text: str) -> str:
    """Escape untrusted text for use inside one line of Markdown (also at a block start)."""
    return _escape(text, pipe="\\|")


def escape_table_cell(text: str) -> str:
    """Escape untrusted text for one cell of a GFM table row."""
    # GFM splits a row on '|' before inline parsing and drops the backslash of '\|', so
    # a text "\|" escaped as "\\\|" would lose a backslash; an entity cannot split a row.
    return _escape(text, pipe=_TABLE_PIPE)


@lru_cache(maxsize=8192)  # outlet names, sources and speakers recur in every footnote
def _escape(text: str, *, pipe: str) -> str:
    # A backslash before each character of _ALWAYS; then one substitution for each
    # construct that starts without one (autolinks, a leading list marker). Escaping only
    # adds backslashes before punctuation, so a letter or digit next to a match is
    # still next to it in the escaped text.
    escaped = _escape_run(reader_text(text), pipe)
    escaped = _SCHEME_COLON.sub(r"\\:", escaped)
    escaped = _WWW_DOT.sub(r"\1\\.", escaped)
    leading = _LEADING_MARKER.match(escaped)
    if leading:
        # Escaping the marker's last character ('-', '+' or '.') is enough: the text may
        # follow "- " or "[^1]: ", where a marker would open a nested block.
        cut = leading.end() - 1
        escaped = escaped[:cut] + "\\" + escaped[cut:]
    return escaped


_ESCAPED_RE = re.compile("[" + re.escape("".join(sorted(_ALWAYS | {"|"}))) + "]")
_ESCAPED_BUT_PIPE_RE = re.compile("[" + re.escape("".join(sorted(_ALWAYS - {"|"}))) + "]")


def _escape_run(text: str, pipe: str) -> str:
    """A backslash before each of _ALWAYS, and ``pipe`` for each '|'."""
    if pipe == "\\|":
        return _ESCAPED_RE.sub(r"\\\g<0>", text)
    return _ESCAPED_BUT_PIPE_RE.sub(r"\\\g<0>", text).replace("|", pipe)


# Printable ASCII that may stay as is in a URL inside <...>. Everything else (space, '"',
# '<', '>', '\\', '^', '`', '{', '|', '}', non-ASCII) is percent-encoded, so the URL can
# neither end the autolink nor be read as Markdown; '%' stays to keep existing escapes.
_URL_SAFE = "!#$%&'()*+,-./:;=?@[]_~"


def safe_url(url: str | None) -> str | None:
    """Return ``url`` percent-encoded for a Markdown ``<...>`` autolink, or None.

    Only absolute http(s) URLs with a host are kept; anything else (``javascript:``,
    ``data:``, relative paths, URLs with control characters) is dropped.
    """
    if url is None:
        return None
    url = url.strip()
    # Browsers silently drop tabs and newlines inside URLs ("java\tscript:"): refuse them.
    if not url or _CONTROLS.search(url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. an unbalanced '[' in the host
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return quote(url, safe=_URL_SAFE)
