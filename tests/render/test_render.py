"""Tests of factsum.render.markdown and factsum.render.escape.

The Markdown is checked by parsing it (markdown-it-py, CommonMark plus GFM tables and the
footnote plugin) rather than by comparing strings: what matters is what a reader's
renderer makes of it. Every Summary below is a HAND-WRITTEN TEST FIXTURE, not the output
of a model or of the pipeline.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.footnote import footnote_plugin

from factsum.render.escape import escape_inline, escape_table_cell, reader_text, safe_url
from factsum.models import (
    ArticleRef,
    Claim,
    Dispute,
    DroppedQuote,
    Point,
    Position,
    Qualifier,
    Quantity,
    RunInfo,
    Span,
    Summary,
    SummaryStats,
)
from factsum.render.markdown import render_markdown

HOSTILE_QUOTE = (
    "<script>alert(1)</script> [click](javascript:alert(1))\n"
    "[^1]: fake\n# Heading\n| a | b |\n![img](http://x) <http://evil> a@b.com"
)


def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark").enable(["table", "strikethrough"]).use(footnote_plugin)


def _walk(tokens: list[Token]) -> Iterator[Token]:
    for token in tokens:
        yield token
        if token.children:
            yield from _walk(token.children)


def _text(inline: Token, stop: tuple[str, ...] = ()) -> str:
    """What a reader sees of an inline token: its text, up to the first ``stop`` token."""
    parts = []
    for child in inline.children or []:
        if child.type in stop:
            break
        if child.type == "text":
            parts.append(child.content)
    return "".join(parts)


def _headings(tokens: list[Token]) -> list[tuple[str, str]]:
    return [
        (tok.tag, _text(tokens[i + 1]))
        for i, tok in enumerate(tokens)
        if tok.type == "heading_open"
    ]


def _footnotes(tokens: list[Token]) -> dict[str, str]:
    """Footnote label → the text of its definition up to the link."""
    found: dict[str, str] = {}
    label = None
    for tok in tokens:
        if tok.type == "footnote_open":
            label = tok.meta["label"]
        elif tok.type == "inline" and label is not None:
            found[label] = _text(tok, stop=("link_open",))
            label = None
    return found


def _table_rows(tokens: list[Token]) -> list[list[str]]:
    rows: list[list[str]] = []
    for i, tok in enumerate(tokens):
        if tok.type == "tr_open":
            rows.append([])
        elif tok.type in ("th_open", "td_open"):
            rows[-1].append(_text(tokens[i + 1]))
    return rows


def _sections(tokens: list[Token]) -> dict[str, list[Token]]:
    """h2 title → the tokens under it (up to the next heading or the footer)."""
    sections: dict[str, list[Token]] = {}
    current: list[Token] | None = None
    for i, tok in enumerate(tokens):
        if tok.type == "heading_open":
            current = sections.setdefault(_text(tokens[i + 1]), [])
        elif tok.type in ("hr", "footnote_block_open"):
            current = None
        elif current is not None and tokens[i - 1].type != "heading_open":
            current.append(tok)  # (the heading's own inline token is skipped)
    return sections


def _expected_outlet(article: ArticleRef) -> str:
    names = [reader_text(o) for o in article.outlets if reader_text(o)]
    return ", ".join(names) or reader_text(article.source) or "unknown outlet"


def _expected_citation(summary: Summary, claim: Claim) -> str:
    article = next(a for a in summary.articles if a.id == claim.article_id)
    where = f"chars {claim.span.start}–{claim.span.end}"
    if claim.match_score < 100:
        where += f", fuzzy match {int(claim.match_score)}"
    text = (
        f"{_expected_outlet(article)} — asserted by {reader_text(claim.asserted_by)}: "
        f"“{reader_text(claim.quote)}” ({reader_text(article.source)}, {where})"
    )
    return text + " " if safe_url(article.url) else text


def _cited_in_order(summary: Summary) -> list[str]:
    """Claim ids in order of first citation, as the template visits them."""
    ranked = sorted(summary.points, key=lambda p: (-p.independent_sources, -len(set(p.claim_ids))))
    ids = [cid for p in ranked for cid in p.claim_ids]
    ids += [cid for d in summary.disputes for pos in d.positions for cid in pos.claim_ids]
    ids += [c.id for c in summary.claims if c.id not in ids]
    return list(dict.fromkeys(ids))


def _check_markdown(summary: Summary) -> tuple[str, list[Token]]:
    """Render, parse and check every invariant that holds for any Summary."""
    text = render_markdown(summary)
    tokens = _parser().parse(text)
    flat = list(_walk(tokens))
    types = {t.type for t in flat}

    forbidden = {
        "html_block",
        "html_inline",
        "image",
        "code_block",
        "fence",
        "code_inline",
        "blockquote_open",
        "s_open",
        "em_open",
        "strong_open",
        "ordered_list_open",
    }
    # The template's own emphasis ("*(single source)*") is allowed; nothing else.
    assert not (types - {"em_open"}) & forbidden, types & forbidden
    hrefs = [t.attrs["href"] for t in flat if t.type == "link_open"]
    assert all(str(h).startswith(("http://", "https://")) for h in hrefs), hrefs
    assert sum(t.type == "hr" for t in flat) == 1  # the footer's rule, nothing else

    expected = ["Key points", "Disputes"]
    cited = {cid for p in summary.points for cid in p.claim_ids}
    cited |= {cid for d in summary.disputes for pos in d.positions for cid in pos.claim_ids}
    if any(c.id not in cited for c in summary.claims):
        expected.append("Other claims")
    expected.append("Sources")
    headings = _headings(tokens)
    assert headings == [("h1", reader_text(summary.headline) or "Untitled event")] + [
        ("h2", h) for h in expected
    ]

    # Footnotes: every reference defined, every definition referenced, one per claim,
    # numbered 1..n in order of first citation.
    order = _cited_in_order(summary)
    refs = [t.meta["label"] for t in flat if t.type == "footnote_ref"]
    defs = _footnotes(tokens)
    assert list(dict.fromkeys(refs)) == [str(n) for n in range(1, len(order) + 1)]
    assert sorted(defs, key=int) == sorted(set(refs), key=int)
    assert len(re.findall(r"(?m)^\[\^\d+\]:", text)) == len(order)
    claims = {c.id: c for c in summary.claims}
    for n, cid in enumerate(order, start=1):
        # Lossless: the reader sees the article's own words (line breaks as spaces).
        assert defs[str(n)] == _expected_citation(summary, claims[cid])

    # Key points: one bullet per point, best corroborated first, statement intact.
    sections = _sections(tokens)
    ranked = sorted(summary.points, key=lambda p: (-p.independent_sources, -len(set(p.claim_ids))))
    items = [_text(t, stop=("footnote_ref",)) for t in sections["Key points"] if t.type == "inline"]
    assert items == (
        [reader_text(p.statement) for p in ranked]
        if ranked
        else ["No point is supported by a verified quote."]
    )
    # Sources: one item per article, plus one per syndicated group.
    groups = [a.independence_group for a in summary.articles]
    n_items = sum(t.type == "list_item_open" for t in sections["Sources"])
    assert n_items == len(groups) + sum(groups.count(g) > 1 for g in set(groups))

    # The disputes table: header + one row per position, four intact cells each.
    rows = _table_rows(tokens)
    assert len(rows) == (
        1 + sum(len(d.positions) for d in summary.disputes) if summary.disputes else 0
    )
    assert all(len(row) == 4 for row in rows)
    body = iter(rows[1:])
    for dispute in summary.disputes:
        for position in dispute.positions:
            row = next(body)
            assert row[1] == reader_text(position.statement)
    return text, tokens


# --------------------------------------------------------------------------- fixtures


def _article(i: int, **kw: object) -> ArticleRef:
    data: dict[str, object] = {
        "id": f"a{i}",
        "outlets": [f"Outlet {i}"],
        "title": f"Title {i}",
        "url": f"https://example.org/{i}",
        "published": "2020-01-08",
        "language": "fr",
        "source": f"00{i}.txt",
        "independence_group": f"g{i}",
        "chars": 1000,
    }
    data.update(kw)
    return ArticleRef.model_validate(data)


def _claim(cid: str, article_id: str, quote: str, **kw: object) -> Claim:
    data: dict[str, object] = {
        "id": cid,
        "article_id": article_id,
        "statement": "A statement.",
        "quote": quote,
        "span": Span(start=10, end=10 + len(quote)),
        "match_score": 100.0,
        "asserted_by": "the article",
        "quantities": [],
    }
    data.update(kw)
    return Claim.model_validate(data)


def _run() -> RunInfo:
    return RunInfo(
        model="qwen2.5-coder-1.5b-instruct",
        prompt_versions={"reconcile": "v1", "extract": "v2"},
        created="2020-01-09",
        factsum_version="0.1.0",
    )


@pytest.fixture
def summary() -> Summary:
    """HAND-WRITTEN TEST FIXTURE: 3 articles (two are syndicated copies of one wire
    story, one is hostile), 2 points, 1 dispute. Not model or pipeline output."""
    articles = [
        _article(1, outlets=["Le Journal"], language="fr"),
        _article(
            2,
            outlets=["Evil <b>Outlet</b> [x](javascript:alert(1))"],
            title="# Heading | a | b |",
            url="javascript:alert(1)",
            source="-evil.txt",
            independence_group="wire",
            language="en",
        ),
        _article(3, outlets=["Wire via Paper"], url=None, independence_group="wire"),
    ]
    claims = [
        _claim(
            "a1:c1",
            "a1",
            "Pas moins de 12 missiles balistiques de moyenne portée",
            quantities=[
                Quantity(value=12, high=None, unit="missiles", qualifier=Qualifier.AT_LEAST)
            ],
        ),
        _claim(
            "a2:c1",
            "a2",
            HOSTILE_QUOTE,
            asserted_by="- list > quote",
            statement="1. ordered <img src=x onerror=alert(1)>",
            match_score=91.5,
        ),
        _claim("a3:c1", "a3", "une quinzaine de missiles", asserted_by="Pentagone"),
        _claim("a1:c2", "a1", "aucune victime", asserted_by="Pentagone"),
    ]
    points = [
        Point(
            id="p1",
            statement="Iran fired ballistic missiles | at two bases.",
            claim_ids=["a1:c2"],
            independent_sources=1,
            single_source=True,
        ),
        Point(
            id="p2",
            statement="Missiles hit Ain al-Asad.",
            claim_ids=["a1:c1", "a2:c1", "a3:c1"],
            independent_sources=2,
            single_source=False,
        ),
    ]
    dispute = Dispute(
        id="d1",
        topic="Number of missiles | fired\n# not a heading",
        origin="quantities",
        positions=[
            Position(
                statement="At least 12 missiles.", claim_ids=["a1:c1"], asserted_by=["the article"]
            ),
            Position(
                statement="About 15 | missiles\n- item",
                claim_ids=["a3:c1", "a2:c1"],
                asserted_by=["Pentagone", "<i>x</i>"],
            ),
        ],
    )
    return Summary(
        headline="Iran strikes US bases in Iraq",
        language="en",
        articles=articles,
        claims=claims,
        points=points,
        disputes=[dispute],
        dropped=[DroppedQuote(article_id="a1", statement="s", quote="q", reason="not found")],
        stats=SummaryStats(
            articles=3,
            independent_sources=2,
            claims_extracted=5,
            claims_verified=4,
            quotes_dropped=1,
            points=2,
            disputes=1,
        ),
        run=_run(),
    )


# --------------------------------------------------------------------------- render


def test_structure_and_invariants(summary: Summary) -> None:
    text, _ = _check_markdown(summary)
    assert text.startswith("# Iran strikes US bases in Iraq\n\n")
    assert (
        "3 articles from 2 independent sources · 2 points · 1 dispute · 1 unverified quote dropped"
    ) in text
    assert text.endswith("\n") and not text.endswith("\n\n")
    footer = text.rsplit("\n---\n", 1)[1]
    assert "model qwen2.5-coder-1.5b-instruct" in footer
    assert "prompts extract v2, reconcile v1" in footer  # sorted by prompt name
    assert "1 unverified quote dropped (not found: 1)" in footer


def test_points_best_corroborated_first(summary: Summary) -> None:
    text = render_markdown(summary)
    section = text.split("## Key points\n\n")[1].split("\n\n")[0].splitlines()
    assert section[0].startswith("- Missiles hit Ain al-Asad.[^1][^2][^3] ")
    assert section[0].endswith("*(2 independent sources)*")
    assert section[1] == "- Iran fired ballistic missiles \\| at two bases.[^4] *(single source)*"


def test_disputes_table_cells_intact(summary: Summary) -> None:
    _, tokens = _check_markdown(summary)
    rows = _table_rows(tokens)
    assert rows[0] == ["What", "Position", "Who says it", "Sources"]
    assert rows[1][0] == "Number of missiles | fired # not a heading (numbers differ)"
    assert rows[2] == [
        "",
        "About 15 | missiles - item",
        "Pentagone, <i>x</i>",
        "Wire via Paper, Evil <b>Outlet</b> [x](javascript:alert(1))",
    ]


def test_hostile_text_is_inert(summary: Summary) -> None:
    text, tokens = _check_markdown(summary)
    # Every '<' is escaped, or opens an autolink to a URL that safe_url let through.
    assert re.findall(r"(?<!\\)<[^>]*>", text) == ["<https://example.org/1>"] * 3
    assert "javascript:alert(1)" not in text.replace("javascript:alert\\(1\\)", "")
    assert "](" not in text  # no inline link or image syntax at all
    hrefs = [t.attrs["href"] for t in _walk(tokens) if t.type == "link_open"]
    assert hrefs == ["https://example.org/1"] * 3  # two footnotes and one source line
    # The hostile article's line in Sources: no link, title shown as text.
    assert (
        "Evil <b>Outlet</b> [x](javascript:alert(1)): “# Heading | a | b |” (en, -evil.txt"
        in "".join(_text(t) for t in tokens if t.type == "inline")
    )


def test_footnote_numbering_and_fuzzy_note(summary: Summary) -> None:
    text = render_markdown(summary)
    defs = re.findall(r"(?m)^\[\^(\d+)\]: (.*)$", text)
    assert [n for n, _ in defs] == ["1", "2", "3", "4"]
    assert defs[0][1].startswith("Le Journal — asserted by the article: “Pas moins de 12")
    assert defs[0][1].endswith("(001.txt, chars 10–64) <https://example.org/1>")
    assert "fuzzy match 91)" in defs[1][1]


def test_syndicated_group_listed_once(summary: Summary) -> None:
    text = render_markdown(summary)
    sources = text.split("## Sources\n\n")[1].split("\n\n")[0].splitlines()
    assert sources[0].startswith("- Le Journal: “Title 1” (fr, 001.txt, published 2020")
    assert sources[1].startswith("- Syndicated copy (counts once): Evil")
    assert sources[2].startswith("    - Evil") and sources[3].startswith("    - Wire via")


def test_deterministic_and_json_round_trip(summary: Summary) -> None:
    first = render_markdown(summary)
    again = Summary.model_validate_json(summary.to_json())
    assert render_markdown(again) == first
    assert render_markdown(summary) == first


def test_uncited_claims_get_their_own_section(summary: Summary) -> None:
    extra = _claim("a3:c2", "a3", "une autre citation", statement="Another fact.")
    with_extra = summary.model_copy(update={"claims": [*summary.claims, extra]})
    text, _ = _check_markdown(with_extra)
    assert "## Other claims\n\n- Another fact.[^5]\n" in text


def test_empty_sections(summary: Summary) -> None:
    empty = summary.model_copy(
        update={"points": [], "disputes": [], "claims": [], "articles": [], "headline": "  \n"}
    )
    text, _ = _check_markdown(empty)
    assert "No point is supported" in text and "do not contradict" in text
    assert "[^" not in text


def test_unknown_claim_id_is_an_error(summary: Summary) -> None:
    bad = summary.model_copy(
        update={
            "points": [
                Point(
                    id="p",
                    statement="s",
                    claim_ids=["nope"],
                    independent_sources=1,
                    single_source=True,
                )
            ]
        }
    )
    with pytest.raises(ValueError, match="unknown claim id 'nope'"):
        render_markdown(bad)


def test_unknown_article_id_is_an_error(summary: Summary) -> None:
    orphan = summary.claims[0].model_copy(update={"article_id": "gone"})
    bad = summary.model_copy(update={"claims": [orphan, *summary.claims[1:]]})
    with pytest.raises(ValueError, match="unknown article id 'gone'"):
        render_markdown(bad)


# --------------------------------------------------------------------------- escaping

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
    "---",
    "***",
    "a\\|b \\\\| c",
    "&lt;b&gt; &#60;",
    "**bold** _em_ ~~del~~ `code`",
    "$x^2$",
    "see www.evil.com or https://evil.com or a@b.com",
    "trailing  \nhard break",
    "nul\x00 esc\x1b[31m",
    "[foo]: http://x",
]


def _single_paragraph_text(markdown: str) -> str:
    tokens = _parser().parse(markdown)
    assert [t.type for t in tokens] == ["paragraph_open", "inline", "paragraph_close"]
    return _text(tokens[1])


@pytest.mark.parametrize("text", HOSTILE)
def test_escape_inline_is_plain_text(text: str) -> None:
    escaped = escape_inline(text)
    assert "\n" not in escaped
    # Also at a block start, where list, heading and code syntax would apply.
    assert _single_paragraph_text(escaped) == reader_text(text)
    tokens = _parser().parse(f"- {escaped}\n\n[^1]: {escaped}\n")
    types = [t.type for t in tokens]
    assert types.count("list_item_open") == 1 and "heading_open" not in types
    # Without a reference, markdown-it drops a footnote definition; reference it here.
    tokens = _parser().parse(f"x[^1]\n\n[^1]: {escaped}\n")
    assert _footnotes(tokens) == {"1": reader_text(text)}


@pytest.mark.parametrize("text", HOSTILE)
def test_escape_table_cell_keeps_one_cell(text: str) -> None:
    cell = escape_table_cell(text)
    tokens = _parser().parse(f"| h | i |\n| --- | --- |\n| {cell} | x |\n")
    assert _table_rows(tokens) == [["h", "i"], [reader_text(text).strip(), "x"]]


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


# --------------------------------------------------------------------------- property

# Text that is mostly Markdown syntax finds escaping bugs far sooner than st.text() alone.
_SYNTAX = st.text(alphabet=st.sampled_from(list("<>[]()!#*_`~|\\&-+.:/@^$= \n\r\t09wa\x00")))
_TEXT = st.one_of(st.text(), _SYNTAX)
_URL = st.one_of(
    st.none(),
    _TEXT,
    st.builds(lambda s: "https://example.org/" + s, _TEXT),
    st.sampled_from(["javascript:alert(1)", "http://x/<>", "data:,x", "http://[::1"]),
)


@st.composite
def summaries(draw: st.DrawFn) -> Summary:
    """Arbitrary but well-formed Summaries (ids consistent, texts arbitrary)."""
    n_articles = draw(st.integers(1, 3))
    articles = [
        ArticleRef(
            id=f"a{i}",
            outlets=draw(st.lists(_TEXT, max_size=2)),
            title=draw(st.one_of(st.none(), _TEXT)),
            url=draw(_URL),
            published=draw(st.one_of(st.none(), _TEXT)),
            language=draw(_TEXT),
            source=draw(_TEXT),
            independence_group=draw(st.sampled_from(["g1", "g2"])),
            chars=100,
        )
        for i in range(n_articles)
    ]
    claims = [
        Claim(
            id=f"c{i}",
            article_id=f"a{draw(st.integers(0, n_articles - 1))}",
            statement=draw(_TEXT),
            quote=draw(_TEXT),
            span=Span(start=draw(st.integers(0, 99)), end=draw(st.integers(0, 99))),
            match_score=draw(st.floats(0, 100)),
            asserted_by=draw(_TEXT),
            quantities=[],
        )
        for i in range(draw(st.integers(2, 5)))
    ]
    ids = st.lists(st.sampled_from([c.id for c in claims]), min_size=1, max_size=3)
    points = [
        Point(
            id=f"p{i}",
            statement=draw(_TEXT),
            claim_ids=draw(ids),
            independent_sources=draw(st.integers(1, 3)),
            single_source=draw(st.booleans()),
        )
        for i in range(draw(st.integers(0, 3)))
    ]
    disputes = [
        Dispute(
            id=f"d{i}",
            topic=draw(_TEXT),
            origin=draw(st.sampled_from(["model", "quantities"])),
            positions=[
                Position(
                    statement=draw(_TEXT),
                    claim_ids=draw(ids),
                    asserted_by=draw(st.lists(_TEXT, max_size=2)),
                )
                for _ in range(draw(st.integers(2, 3)))
            ],
        )
        for i in range(draw(st.integers(0, 2)))
    ]
    return Summary(
        headline=draw(_TEXT),
        language="en",
        articles=articles,
        claims=claims,
        points=points,
        disputes=disputes,
        dropped=[
            DroppedQuote(
                article_id="a0", statement=draw(_TEXT), quote=draw(_TEXT), reason=draw(_TEXT)
            )
        ],
        stats=SummaryStats(
            articles=n_articles,
            independent_sources=1,
            claims_extracted=5,
            claims_verified=len(claims),
            quotes_dropped=1,
            points=len(points),
            disputes=len(disputes),
        ),
        run=RunInfo(
            model=draw(_TEXT),
            prompt_versions=draw(st.dictionaries(_TEXT, _TEXT)),
            created=draw(_TEXT),
            factsum_version=draw(_TEXT),
        ),
    )


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(summaries())
def test_any_text_renders_safely(summary: Summary) -> None:
    text, _ = _check_markdown(summary)
    assert render_markdown(summary) == text


@settings(max_examples=500, deadline=None)
@given(_TEXT)
def test_escape_is_lossless(text: str) -> None:
    escaped = escape_inline(text)
    # In the middle of a line, as quotes are: the reader sees reader_text(text) exactly.
    tokens = _parser().parse(f"x[^1]\n\n[^1]: “{escaped}”\n")
    assert _footnotes(tokens) == {"1": f"“{reader_text(text)}”"}
    cell = escape_table_cell(text)
    rows = _table_rows(_parser().parse(f"| h |\n| - |\n| {cell} |\n"))
    assert rows == [["h"], [reader_text(text)]]
