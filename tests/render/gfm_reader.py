"""Read Markdown as GitHub would, for the render tests (a helper module; no tests here).

``gfm()`` is markdown-it-py's CommonMark with what GitHub adds: tables, strikethrough,
footnotes, extended autolinks (``www.``, ``http://``, e-mail addresses) and dollar math.
Raw HTML is parsed (as GitHub does before sanitising it), so any HTML in the output shows
up as an ``html_block`` or ``html_inline`` token. The other functions read back what a
reader sees: headings, sections, table rows, footnotes, links. ``check_gfm`` asserts what
issue 17 asks of any Markdown file, ``check_summary_markdown`` what holds for the
Markdown of any Summary.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urlsplit

from factsum.ingest.labels import source_labels
from factsum.models import Summary
from factsum.render.escape import reader_text, safe_url
from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.gfm_autolink import gfm_autolink_plugin

# A footnote reference or definition as the renderer writes it. Backslash escapes are
# matched first, so escaped text ("\[\^1\]") is never taken for a reference.
_REF_RE = re.compile(r"\\.|\[\^([^\]\s]+)\](?!:)")
_DEF_RE = re.compile(r"(?m)^\[\^([^\]\s]+)\]:")
_PIPE_RE = re.compile(r"\\.|(\|)")  # a cell delimiter (group 1), escapes skipped
_TABLE_RE = re.compile(r"(?m)(?:^\|.*\n?)+")  # consecutive lines that start with '|'


def gfm() -> MarkdownIt:
    """A parser for GitHub-flavoured Markdown with footnotes."""
    return (MarkdownIt("commonmark").enable(["table", "strikethrough"])
            .use(footnote_plugin).use(gfm_autolink_plugin).use(dollarmath_plugin))


def walk(tokens: list[Token]) -> Iterator[Token]:
    """Every token, children included, in document order."""
    for token in tokens:
        yield token
        if token.children:
            yield from walk(token.children)


def text(inline: Token, stop: tuple[str, ...] = ()) -> str:
    """What a reader sees of an inline token, up to its first child of a ``stop`` type."""
    parts = []
    for child in walk(inline.children or []):
        if child.type in stop:
            break
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return "".join(parts)


def headings(tokens: list[Token]) -> list[tuple[str, str]]:
    """``(tag, text)`` of every heading."""
    return [(t.tag, text(tokens[i + 1])) for i, t in enumerate(tokens)
            if t.type == "heading_open"]


def sections(tokens: list[Token]) -> dict[str, list[Token]]:
    """h2 text -> the block tokens under it, up to the next heading, rule or footnotes."""
    found: dict[str, list[Token]] = {}
    current: list[Token] | None = None
    for i, token in enumerate(tokens):
        if token.type == "heading_open":
            current = found.setdefault(text(tokens[i + 1]), []) if token.tag == "h2" else None
        elif token.type in ("hr", "footnote_block_open"):
            current = None
        elif current is not None and tokens[i - 1].type != "heading_open":
            current.append(token)
    return found


def lines_of(section: list[Token], stop: tuple[str, ...] = ()) -> list[str]:
    """The reader's text of each paragraph or list item of a section, in order."""
    return [text(t, stop) for t in section if t.type == "inline"]


def table_rows(tokens: list[Token]) -> list[list[str]]:
    """The cells of every table row (header first), as a reader sees them."""
    rows: list[list[str]] = []
    for i, token in enumerate(tokens):
        if token.type == "tr_open":
            rows.append([])
        elif token.type in ("th_open", "td_open"):
            rows[-1].append(text(tokens[i + 1]))
    return rows


def footnotes(tokens: list[Token]) -> dict[str, str]:
    """Footnote label -> the text of its definition (up to a link), for every definition
    the parser kept (it drops definitions nothing refers to)."""
    found: dict[str, str] = {}
    label = None
    for token in tokens:
        if token.type == "footnote_open":
            label = token.meta["label"]
        elif token.type == "inline" and label is not None:
            found[label] = text(token, stop=("link_open",))
            label = None
    return found


def footnote_links(tokens: list[Token]) -> dict[str, list[str]]:
    """Footnote label -> the hrefs of the links in its definition."""
    found: dict[str, list[str]] = {}
    label = None
    for token in tokens:
        if token.type == "footnote_open":
            label = token.meta["label"]
            found[label] = []
        elif token.type == "footnote_close":
            label = None
        elif token.type == "inline" and label is not None:
            found[label] += [str(t.attrs["href"]) for t in walk(token.children or [])
                             if t.type == "link_open"]
    return found


def references(tokens: list[Token]) -> list[str]:
    """The labels of the footnote references, in order (repeats kept)."""
    return [t.meta["label"] for t in walk(tokens) if t.type == "footnote_ref"]


def hrefs(tokens: list[Token]) -> list[str]:
    """The targets of every link, in order."""
    return [str(t.attrs["href"]) for t in walk(tokens) if t.type == "link_open"]


def check_gfm(markdown: str) -> list[Token]:
    """Assert what issue 17 asks of the Markdown on GitHub; return the tokens.

    No raw HTML; every footnote reference resolves to a definition and every definition
    is referenced; every table line is a table row, and every row has as many cells as
    its header (GFM would silently drop or pad cells).
    """
    tokens = gfm().parse(markdown)
    flat = list(walk(tokens))
    html = [t.content for t in flat if t.type in ("html_block", "html_inline")]
    assert html == [], html

    written_refs = [m[1] for line in markdown.splitlines() if not _DEF_RE.match(line)
                    for m in _REF_RE.finditer(line) if m[1]]
    written_defs = _DEF_RE.findall(markdown)
    parsed_refs = references(tokens)
    assert len(parsed_refs) == len(written_refs), "a footnote reference does not resolve"
    assert len(set(written_defs)) == len(written_defs), "a footnote is defined twice"
    assert set(footnotes(tokens)) == set(written_defs) == set(parsed_refs)

    tables = [block.splitlines() for block in _TABLE_RE.findall(markdown)]
    assert len(table_rows(tokens)) == sum(len(lines) - 1 for lines in tables), (
        "a table line is not a table row")
    for lines in tables:
        cells = _delimiters(lines[0])
        assert all(_delimiters(line) == cells for line in lines), lines
    return tokens


def _delimiters(line: str) -> int:
    return sum(1 for m in _PIPE_RE.finditer(line) if m[1])


# ----------------------------------------------------------------- a rendered Summary

# Block and inline constructs that no part of the template writes: if one shows up, text
# from an article or a model got out of its escaping.
_NEVER = frozenset({"fence", "code_block", "blockquote_open", "ordered_list_open", "image",
                    "math_inline", "math_block", "s_open", "strong_open", "code_inline"})


def article_labels(summary: Summary) -> dict[str, str]:
    """Article id -> what a reader should see as the article's name (its label)."""
    labels = source_labels(summary.articles, summary.language)
    return {a.id: reader_text(label) for a, label in zip(summary.articles, labels, strict=True)}


def cited_in_order(summary: Summary) -> list[str]:
    """Claim and unverified ids in the order the template first cites them."""
    ids = [cid for p in summary.points if p.key for cid in p.claim_ids]
    ids += [cid for d in summary.disputes for pos in d.positions for cid in pos.claim_ids]
    ids += [cid for p in summary.points if not p.key for cid in p.claim_ids]
    ids += [u.id for u in summary.unverified]
    return list(dict.fromkeys(ids))


def check_summary_markdown(summary: Summary, markdown: str) -> list[Token]:
    """Assert what holds for the Markdown of any Summary (English labels); return tokens.

    Besides ``check_gfm``: no construct the template does not write, links only to the
    articles' http(s) URLs, the template's headings only, one rule, one footnote per
    cited sentence that quotes it word for word, and every statement, position and
    speaker readable as given.
    """
    tokens = check_gfm(markdown)
    flat = list(walk(tokens))
    assert not _NEVER & {t.type for t in flat}, _NEVER & {t.type for t in flat}
    # Links only where an article has an http(s) URL (markdown-it may re-encode it).
    assert all(urlsplit(h).scheme in ("http", "https") for h in hrefs(tokens)), hrefs(tokens)
    assert not hrefs(tokens) or any(safe_url(a.url) for a in summary.articles)
    assert sum(t.type == "hr" for t in flat) == 1  # the footer's rule

    expected = ["Key points", "Disputes"]
    expected += ["Further facts"] if any(not p.key for p in summary.points) else []
    expected += ["Not verified"] if summary.unverified else []
    expected += ["Sources"]
    assert headings(tokens) == [("h1", reader_text(summary.headline) or "Untitled event"),
                                *(("h2", h) for h in expected)]

    order = cited_in_order(summary)
    defs = footnotes(tokens)
    assert list(dict.fromkeys(references(tokens))) == [str(n) for n in
                                                       range(1, len(order) + 1)]
    quoted = {c.id: (c.article_id, c.quote) for c in summary.claims}
    quoted |= {u.id: (u.article_id, u.quote) for u in summary.unverified}
    named = article_labels(summary)
    assert len(set(named.values())) == len(named), "two articles share a label"
    for n, cid in enumerate(order, start=1):
        article_id, quote = quoted[cid]
        expected_note = f"{named[article_id]}: “{reader_text(quote)}”"
        assert defs[str(n)].rstrip(" ") == expected_note

    found = sections(tokens)
    ref = ("footnote_ref",)
    key = [p for p in summary.points if p.key]
    assert lines_of(found["Key points"], ref) == (
        [reader_text(p.statement) for p in key] or ["No statement passed the checks."])
    if "Further facts" in found:
        assert lines_of(found["Further facts"], ref) == [
            reader_text(p.statement) for p in summary.points if not p.key]
    if summary.unverified:
        assert lines_of(found["Not verified"], ref)[1:] == [
            reader_text(u.statement) for u in summary.unverified]

    rows = table_rows(tokens)
    positions = [pos for d in summary.disputes for pos in d.positions]
    assert len(rows) == (1 + len(positions) if positions else 0)
    assert all(len(row) == 4 for row in rows)
    for row, position in zip(rows[1:], positions, strict=True):
        assert row[1] == reader_text(position.statement)
        if position.asserted_by:  # (the outlets shown when it is empty: see test_render)
            speakers = dict.fromkeys(position.asserted_by)
            assert row[2] == ", ".join(reader_text(w) for w in speakers)
    return tokens
