"""Articles cannot inject into the output (issue 7): hostile text, end to end.

tests/data/hostile/markup/articles.jsonl holds an article made of raw HTML, javascript:
links, a forged footnote definition, a heading, table rows, an image, autolinks, a code
fence, list markers, entities and an escaped line break, with hostile metadata (title,
outlet, published, a javascript: URL), beside a clean article with an https URL and one
with a data: URL. It goes through the real ingest -> extract (validation, quote location)
-> reconcile -> render code; only the model is replaced, by a scripted fixture that quotes
every hostile paragraph verbatim and returns hostile statements, attributions, headline
and dispute text (a test fixture, not model output: it plays the worst model).

The Markdown is then parsed with markdown-it-py (CommonMark + footnotes + GFM tables,
strikethrough and extended autolinks, plus dollar math as GitHub renders it): no HTML
token, no image, no link but http(s), no heading, list, fence or footnote that the
template did not write, and every quote still readable word for word.

Output folder names from event ids are covered in depth by tests/test_batch_names.py; one
test here ties them to this issue.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.gfm_autolink import gfm_autolink_plugin
from support.hostile import HOSTILE_DATA

from factsum.ingest.readers import load_articles
from factsum.llm.client import LLMClient
from factsum.render.escape import reader_text
from factsum.models import Summary
from factsum.pipeline.run import asummarize_event
from factsum.settings import Settings
from factsum.testing.fake_answers import article_text, claim_lines, request_kind
from factsum.testing.scripted import ScriptedTransport
from factsum.render.markdown import render_markdown

MANIFEST = HOSTILE_DATA / "markup" / "articles.jsonl"
HOSTILE_WHO = '<em onmouseover="x()">Officials</em> | [src](javascript:alert(1)) [^1]'
HOSTILE_HEADLINE = "# <h1>Pwned</h1> [x](javascript:alert(1))\n[^9]: forged\n| a | b |"
TEMPLATE_H2 = {"Key points", "Disputes", "Other claims", "Sources"}


def hostile_model(payload: Mapping[str, Any]) -> str:
    """TEST FIXTURE, not model output: the worst model that still passes validation.

    Extraction: one claim per paragraph, quoting it verbatim (so quote location passes)
    and restating it as the statement; attribution is hostile markup. Reconcile: one point
    per claim, a hostile headline, and a dispute between the first two articles whose
    topic and positions are hostile too.
    """
    kind = request_kind(payload)
    if kind == "extract":
        paragraphs = [p for p in article_text(payload).split("\n\n") if p.strip()]
        return json.dumps({"claims": [
            {"statement": p, "quote": p, "asserted_by": HOSTILE_WHO, "quantities": []}
            for p in paragraphs
        ]})
    if kind == "reconcile":
        claims = claim_lines(payload)
        by_article: dict[str, str] = {}
        for claim in claims:
            by_article.setdefault(str(claim["id"]).split(":")[0], str(claim["id"]))
        first, second = list(by_article.values())[:2]
        return json.dumps({
            "headline": HOSTILE_HEADLINE,
            "points": [{"statement": c["statement"], "claim_ids": [c["id"]]} for c in claims],
            "disputes": [{
                "topic": "| Topic | <script>x()</script>\n# heading",
                "positions": [
                    {"statement": "<b>one</b> | side [a](javascript:b)", "claim_ids": [first]},
                    {"statement": "other\n| side | ![i](http://x/i.png)", "claim_ids": [second]},
                ],
            }],
        })
    return "{}"


@pytest.fixture(scope="module")
def summary(tmp_path_factory: pytest.TempPathFactory) -> Summary:
    """The hostile manifest through the whole pipeline with the scripted model."""
    settings = Settings(model="scripted", base_url="http://127.0.0.1:9/v1", use_cache=False,
                        cache_dir=tmp_path_factory.mktemp("cache"), max_claims_per_chunk=20)

    async def run() -> Summary:
        client = LLMClient(settings.llm, ScriptedTransport(hostile_model))
        try:
            result = await asummarize_event([MANIFEST], llm=client, cache=client.cache, ledger=client.ledger, settings=settings,
                                            created="2026-01-01")
        finally:
            await client.aclose()
        assert result.input_errors == [] and result.article_errors == {}
        return result.summary

    return asyncio.run(run())


@pytest.fixture(scope="module")
def markdown(summary: Summary) -> str:
    return render_markdown(summary)


def parser() -> MarkdownIt:
    """CommonMark with what GitHub adds: footnotes, tables, strikethrough, autolinks, math."""
    return (MarkdownIt("commonmark").enable(["table", "strikethrough"])
            .use(footnote_plugin).use(gfm_autolink_plugin).use(dollarmath_plugin))


def walk(tokens: list[Token]) -> Iterator[Token]:
    for token in tokens:
        yield token
        if token.children:
            yield from walk(token.children)


@pytest.fixture(scope="module")
def tokens(markdown: str) -> list[Token]:
    return parser().parse(markdown)


def inline_text(tokens: list[Token]) -> str:
    """What a reader sees: the text of every inline token, soft breaks as spaces."""
    parts = []
    for token in walk(tokens):
        if token.type in ("text", "code_inline"):
            parts.append(token.content)
        elif token.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif token.type == "inline":
            parts.append("\n")
    return "".join(parts)


def test_the_hostile_article_really_got_through(summary: Summary) -> None:
    """Guard: the test is void unless hostile quotes reached the summary as claims."""
    quotes = " ".join(c.quote for c in summary.claims)
    for needle in ("<script>", "javascript:", "[^1]:", "# Breaking", "| --- |", "```",
                   "![tracker]", "<!--", "\\\nline two"):
        assert needle in quotes, needle
    assert summary.disputes, "the hostile dispute survived reconcile"


def test_no_html_reaches_the_markdown(tokens: list[Token]) -> None:
    html = [t.content for t in walk(tokens) if t.type in ("html_block", "html_inline")]
    assert html == []


def test_only_http_links_and_no_images(tokens: list[Token]) -> None:
    found = list(walk(tokens))
    assert [t for t in found if t.type == "image"] == []
    hrefs = [str(t.attrs.get("href", "")) for t in found if t.type == "link_open"]
    assert all(urlsplit(h).scheme in ("http", "https") for h in hrefs), hrefs
    # The only link is the clean article's metadata URL (percent-encoded), nothing the
    # hostile text contains: not its autolinks, www. or e-mail address either.
    assert hrefs == ["https://example.org/flood?a=1&b=%3Cx%3E"] * len(hrefs) and hrefs


def test_metadata_urls_are_kept_only_when_http(summary: Summary) -> None:
    urls = {a.source: a.url for a in summary.articles}
    assert urls == {"hostile-1": None, "clean-2": "https://example.org/flood?a=1&b=<x>",
                    "data-url-3": None}
    articles, _ = load_articles([
        {"text": "One two three four five six.", "url": u}
        for u in ("JAVASCRIPT:alert(1)", " javascript:alert(1)", "vbscript:x", "file:///etc/x",
                  "ftp://example.org/a", "//example.org/a", "HTTPS://EXAMPLE.ORG/a")
    ])
    # One article (same text): the first http(s) URL is the one kept.
    assert [a.url for a in articles] == ["HTTPS://EXAMPLE.ORG/a"]


def test_only_the_template_makes_structure(tokens: list[Token], summary: Summary) -> None:
    found = list(walk(tokens))
    types = {t.type for t in found}
    # No code block, fence, block quote, ordered list or math from the article text.
    for forbidden in ("fence", "code_block", "blockquote_open", "ordered_list_open",
                      "math_inline", "math_block", "s_open"):
        assert forbidden not in types, forbidden
    headings = [(t.tag, found[i + 1].content) for i, t in enumerate(found)
                if t.type == "heading_open"]
    assert [tag for tag, _ in headings].count("h1") == 1
    assert {text for tag, text in headings if tag == "h2"} <= TEMPLATE_H2
    assert all(tag in ("h1", "h2") for tag, _ in headings)
    assert sum(t.type == "hr" for t in found) == 1  # the footer's rule only
    # One footnote definition per cited claim: none forged by the article.
    defined = [t.meta["label"] for t in found if t.type == "footnote_open"]
    cited = {c for p in summary.points for c in p.claim_ids}
    cited |= {c for d in summary.disputes for pos in d.positions for c in pos.claim_ids}
    assert len(defined) == len(set(defined)) == len(cited)
    # Bullet items: the points, then one line per source article.
    items = sum(t.type == "list_item_open" for t in found)
    assert items == len(summary.points) + len(summary.articles)


def test_the_dispute_table_keeps_four_cells_per_row(tokens: list[Token], summary: Summary
                                                    ) -> None:
    rows: list[int] = []
    for token in tokens:
        if token.type == "tr_open":
            rows.append(0)
        elif token.type in ("th_open", "td_open"):
            rows[-1] += 1
    positions = sum(len(d.positions) for d in summary.disputes)
    assert rows == [4] * (1 + positions)


def test_every_hostile_quote_is_still_readable_word_for_word(
    tokens: list[Token], summary: Summary
) -> None:
    seen = inline_text(tokens)
    for claim in summary.claims:
        assert reader_text(claim.quote) in seen, claim.quote
    # The headline as the pipeline kept it (reconcile may replace an ungrounded one).
    assert reader_text(summary.headline) in seen


def test_output_folder_names_from_event_ids_stay_in_the_output_folder(tmp_path: Path) -> None:
    try:
        from factsum.batch.inputs import safe_dirname
    except ImportError:  # pragma: no cover - depends on the batch module being present
        pytest.skip("factsum.batch.inputs.safe_dirname does not exist")
    out = tmp_path / "out"
    for event_id in ("../../etc", "/etc/passwd", "..", "a/../../b", "a\\..\\b", "\x00",
                     "line\nbreak", "", "index.md", "~root"):
        folder = (out / safe_dirname(event_id)).resolve()
        assert folder.parent == out.resolve(), event_id
        assert folder.name not in ("", ".", "..", "index.md")
