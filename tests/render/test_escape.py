"""Tests of factsum.render.escape: untrusted text comes out as plain text, word for word.

Each check parses the escaped text with a GitHub-flavoured parser (tests/render/
gfm_reader.py: tables, footnotes, extended autolinks, dollar math) where the renderer
puts it: inline, at the start of a block, in a footnote, in a table cell.
"""

from __future__ import annotations

import pytest
from factsum.render.escape import escape_inline, escape_table_cell, reader_text, safe_url
from gfm_reader import footnotes, gfm, hrefs, table_rows, text, walk
from hypothesis import given, settings
from hypothesis import strategies as st

HOSTILE = [
    "<script>alert(1)</script>",
    "[click](javascript:alert(1))",
    "[^1]: fake",
    "# Heading",
    "| a | b |",
    "line one\n# line two\n\n- three",
    "![img](http://x)",
    "<http://evil>",
    "    indented code",
    "```python",
    "~~~",
    "> quote",
    "- item",
    "+ item",
    "* item",
    "1. item",
    "2020) item",
    "2020.",
    "---",
    "***",
    "a\\|b \\\\| c",
    "&lt;b&gt; &#60;",
    "**bold** _em_ ~~del~~ `code`",
    "$x^2$",
    "see www.evil.com or https://evil.com or a@b.com",
    "www.evil.com",
    "(www.evil.com) _www.evil.com_ ~www.evil.com WWW.EVIL.COM",
    "http://a.example ftp://b.example mailto:c@d.example",
    "trailing  \nhard break",
    "nul\x00 esc\x1b[31m",
    "[foo]: http://x",
    "ends with a caret^",
]


def single_paragraph(markdown: str) -> str:
    """The reader's text of ``markdown``, which must parse as one plain paragraph."""
    tokens = gfm().parse(markdown)
    assert [t.type for t in tokens] == ["paragraph_open", "inline", "paragraph_close"]
    assert {t.type for t in walk(tokens)} <= {"paragraph_open", "inline", "paragraph_close",
                                              "text", "softbreak"}
    return text(tokens[1])


@pytest.mark.parametrize("raw", HOSTILE)
def test_escape_inline_is_plain_text(raw: str) -> None:
    escaped = escape_inline(raw)
    assert "\n" not in escaped
    # At the start of a block, where list, heading and code syntax would apply.
    assert single_paragraph(escaped) == reader_text(raw)
    # After a list marker and in a footnote definition, as the renderer writes it.
    tokens = gfm().parse(f"- {escaped}\n\nx[^1]\n\n[^1]: {escaped}\n")
    types = [t.type for t in tokens]
    assert types.count("list_item_open") == 1 and "heading_open" not in types
    assert footnotes(tokens) == {"1": reader_text(raw)}
    assert hrefs(tokens) == []


@pytest.mark.parametrize("raw", HOSTILE)
def test_escape_table_cell_keeps_one_cell(raw: str) -> None:
    cell = escape_table_cell(raw)
    tokens = gfm().parse(f"| h | i |\n| --- | --- |\n| {cell} | x |\n")
    assert table_rows(tokens) == [["h", "i"], [reader_text(raw), "x"]]
    assert hrefs(tokens) == []


@pytest.mark.parametrize(("raw", "escaped"), [
    ("www.example.org", "www\\.example.org"),
    ("see WwW.example.org", "see WwW\\.example.org"),
    ("(www.a.example", "\\(www\\.a.example"),
    ("awww.example.org", "awww.example.org"),  # not an autolink: left alone
    ("https://x.example/www.y", "https\\://x.example/www\\.y"),
    ("- www.x", "\\- www\\.x"),
    ("12. www.x and 3. y", "12\\. www\\.x and 3. y"),
    ("003.txt", "003.txt"),
])
def test_autolinks_and_markers_get_one_backslash(raw: str, escaped: str) -> None:
    """The autolink and leading-marker substitutions (issue 14: one plain substitution
    each, no splice); every other character is left as it was."""
    assert escape_inline(raw) == escaped
    assert single_paragraph(escaped) == raw


def test_reader_text_folds_line_breaks() -> None:
    assert reader_text("  a\r\nb\u2028c\td\x00 ") == "a b c d\ufffd"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://example.org/a?b=1#c", "https://example.org/a?b=1#c"),
        ("  HTTP://Example.org/x  ", "HTTP://Example.org/x"),
        ('https://example.org/a b<c>"d|e`f', "https://example.org/a%20b%3Cc%3E%22d%7Ce%60f"),
        ("https://example.org/é", "https://example.org/%C3%A9"),
        ("https://example.org/a(b)[c]", "https://example.org/a(b)[c]"),
        ("javascript:alert(1)", None),
        ("JaVaScRiPt:alert(1)", None),
        ("java\tscript:alert(1)", None),
        ("https://exa\nmple.org", None),
        ("data:text/html,<script>", None),
        ("vbscript:x", None),
        ("file:///etc/passwd", None),
        ("//example.org/x", None),
        ("/relative", None),
        ("http://", None),
        ("http://[::1", None),
        ("", None),
        (None, None),
    ],
)
def test_safe_url(url: str | None, expected: str | None) -> None:
    assert safe_url(url) == expected


def test_safe_url_is_one_autolink() -> None:
    url = safe_url("https://example.org/a b>c<d>e")
    tokens = gfm().parse(f"<{url}>\n")
    assert hrefs(tokens) == ["https://example.org/a%20b%3Ec%3Cd%3Ee"]


# --------------------------------------------------------------------------- property

# Text made mostly of Markdown syntax, autolink starts and block markers finds escaping
# bugs far sooner than st.text() alone.
_SYNTAX = st.lists(st.sampled_from(
    [*"<>[]()!#*_`~|\\&-+.:/@^$= \n\r\t09wWa\x00", "www.", "WWW.", "http://", "a://",
     "x@y.z", "[^1]", "1. ", "2020) ", "- ", "+ ", "&#124;"]
)).map("".join)
_TEXT = st.one_of(st.text(), _SYNTAX)


@settings(max_examples=500, deadline=None)
@given(_TEXT)
def test_escape_is_lossless_and_inert(raw: str) -> None:
    escaped = escape_inline(raw)
    # In the middle of a line, as quotes are: the reader sees reader_text(raw) exactly,
    # and no link (not even GitHub's www., http:// or e-mail autolinks).
    tokens = gfm().parse(f"x[^1]\n\n[^1]: “{escaped}”\n")
    assert footnotes(tokens) == {"1": f"“{reader_text(raw)}”"}
    assert hrefs(tokens) == []
    # At the start of a block.
    if reader_text(raw):
        assert single_paragraph(escaped) == reader_text(raw)
    cell = escape_table_cell(raw)
    tokens = gfm().parse(f"| h |\n| - |\n| {cell} |\n")
    assert table_rows(tokens) == [["h"], [reader_text(raw)]]
    assert hrefs(tokens) == []
