"""Articles cannot inject into the Markdown (issue 7): hostile text, end to end.

tests/data/hostile/markup/articles.jsonl holds an English article made of raw HTML,
javascript: links, a forged footnote definition, a heading, table rows, an image,
autolinks, a code fence, list markers, entities and an escaped line break, with hostile
metadata (title, outlet, published, a javascript: URL), beside a clean article with an
https URL and one with a data: URL. ``RIVAL`` below adds a French article whose text,
outlet, title and date carry markup and control characters, and whose figure disputes
the clean article's.

They go through the real ingest -> sentences -> restatement -> checks -> points and
disputes -> render code. The model is ``factsum.testing``'s scripted transport; its
answers are TEST FIXTURES, not model output: ``fake_answers``' identity translation,
except for the two French sentences in ``TRANSLATIONS``, "translated" into hostile
English (one faithfully, one with an invented number, so that it is listed as not
verified).

The Markdown is then parsed as GitHub would (tests/render/gfm_reader.py): no HTML, no
image, no link but the articles' own http(s) URLs, no heading, list, fence or footnote
that the template did not write, every footnote resolved, every table row four cells,
and every quote still readable word for word.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from factsum.ingest.readers import load_articles
from factsum.llm.client import LLMClient
from factsum.models import Summary
from factsum.pipeline.run import asummarize_event
from factsum.render.escape import reader_text
from factsum.render.markdown import render_markdown
from factsum.settings import Settings
from factsum.testing.fake_answers import answer_for
from factsum.testing.scripted import ScriptedTransport
from gfm_reader import (
    check_summary_markdown,
    footnotes,
    hrefs,
    lines_of,
    sections,
    table_rows,
    walk,
)
from markdown_it.token import Token
from support.hostile import HOSTILE_DATA, UNUSED_LOOPBACK

MANIFEST = HOSTILE_DATA / "markup" / "articles.jsonl"
RIVAL = {
    "id": "rival-4",
    "text": "La rivière a inondé la ville basse dimanche soir et 450 maisons ont été "
            "évacuées, <b>selon les pompiers</b> | [ici](javascript:x).\n\n"
            "Les ingénieurs ont inspecté le barrage lundi matin, a indiqué la préfecture "
            "\x1b[31m de la région.\n\n"
            "Le maire a demandé\u2028 aux habitants de rester prudents pendant toute la "
            "semaine.",
    "outlet": "[Rival](javascript:x) | <i>Le Temps</i>\x1b[2J",
    "url": "https://rival.example/a b?<x>",
    "title": "Crue\x00 <u>titre</u>\u2028second | [^1]",
    "published": "2024-05-01\x1b[0m",
}
# TEST FIXTURES: what the scripted "model" answers for these French sentences.
TRANSLATIONS = {
    "450 maisons": "The river flooded the lower town on Sunday night and 450 homes were "
                   "evacuated, <b>the fire brigade</b> | said [here](javascript:x).",
    "ingénieurs": "<b>999</b> engineers | [x](javascript:y) inspected the dam on Monday, "
                  "![i](http://x/i.png) the prefecture said.",
}
CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")


def _translate(value: Any) -> Any:
    if isinstance(value, str):
        return next((english for french, english in TRANSLATIONS.items()
                     if french in value), value)
    if isinstance(value, list):
        return [_translate(v) for v in value]
    if isinstance(value, dict):
        return {k: _translate(v) for k, v in value.items()}
    return value


def hostile_translator(payload: Mapping[str, Any]) -> str:
    """TEST FIXTURE, not model output: the identity translation of ``fake_answers``,
    with the sentences of TRANSLATIONS replaced by their hostile English."""
    return json.dumps(_translate(json.loads(answer_for(payload))), ensure_ascii=False)


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Summary, ScriptedTransport]:
    """The hostile articles through the whole pipeline, the model scripted."""
    settings = Settings(model="scripted", base_url=UNUSED_LOOPBACK, use_cache=False,
                        cache_dir=tmp_path_factory.mktemp("cache"))
    transport = ScriptedTransport(hostile_translator)

    async def summarize() -> Summary:
        client = LLMClient(settings.llm, transport)
        try:
            result = await asummarize_event([MANIFEST, RIVAL], llm=client, settings=settings,
                                            created="2026-01-01")
        finally:
            await client.aclose()
        assert result.input_errors == [] and result.article_errors == {}
        return result.summary

    return asyncio.run(summarize()), transport


@pytest.fixture(scope="module")
def summary(run: tuple[Summary, ScriptedTransport]) -> Summary:
    return run[0]


@pytest.fixture(scope="module")
def markdown(summary: Summary) -> str:
    return render_markdown(summary)


@pytest.fixture(scope="module")
def tokens(summary: Summary, markdown: str) -> list[Token]:
    return check_summary_markdown(summary, markdown)


def test_the_hostile_text_really_got_through(run: tuple[Summary, ScriptedTransport]
                                            ) -> None:
    """Guard: the other tests are void unless hostile text reached every section."""
    summary, transport = run
    assert transport.payloads, "the French article went through the scripted model"
    quotes = " ".join(c.quote for c in summary.claims)
    for needle in ("<script>", "javascript:", "[^1]:", "<!--", "www.", "x@evil.example",
                   "&#60;script&#62;", "quote\\\nline two", "<b>selon les pompiers</b> |"):
        assert needle in quotes, needle
    statements = " ".join(p.statement for p in summary.points)
    assert "<img src=x onerror=alert(1)>" in statements
    assert [u.statement for u in summary.unverified] == [TRANSLATIONS["ingénieurs"]]
    speakers = [w for d in summary.disputes for pos in d.positions for w in pos.asserted_by]
    # Its label keeps the markup; only the ESC (a control character) reads as U+FFFD.
    assert reader_text(RIVAL["outlet"]) in speakers, (
        "the hostile outlet speaks in the dispute table")
    assert any(not p.key for p in summary.points), "a further fact is rendered too"


def test_no_html_and_every_footnote_resolves(tokens: list[Token], summary: Summary) -> None:
    # check_summary_markdown (the tokens fixture) has asserted the rest: no raw HTML,
    # footnotes resolved and numbered in order, table rows of four cells, the template's
    # headings only, every statement and quote word for word.
    defined = footnotes(tokens)
    cited = {c for p in summary.points for c in p.claim_ids}
    cited |= {c for d in summary.disputes for pos in d.positions for c in pos.claim_ids}
    cited |= {u.id for u in summary.unverified}
    assert len(defined) == len(cited)


def test_only_the_articles_own_http_links(tokens: list[Token]) -> None:
    assert [t for t in walk(tokens) if t.type == "image"] == []
    # Not the hostile text's autolinks, www. or e-mail address, nor its javascript:
    # or data: URLs: only the two metadata URLs that are http(s), percent-encoded.
    assert set(hrefs(tokens)) == {"https://example.org/flood?a=1&b=%3Cx%3E",
                                  "https://rival.example/a%20b?%3Cx%3E"}


def test_dispute_table_cells_intact(tokens: list[Token], summary: Summary) -> None:
    rows = table_rows(tokens)
    assert len(rows) == 1 + sum(len(d.positions) for d in summary.disputes)
    assert all(len(row) == 4 for row in rows)
    rival = next(row for row in rows if "450" in row[1])
    outlet = reader_text(RIVAL["outlet"])
    assert rival[2] == outlet and rival[3] == outlet  # speaker, and outlet cited


def test_unverified_hostile_statement_listed_as_text(tokens: list[Token]) -> None:
    listed = lines_of(sections(tokens)["Not verified"])
    assert listed[1] == (f"{TRANSLATIONS['ingénieurs']} (gives 999, which the sentence "
                         "does not state)")


def test_control_characters_never_reach_the_file(markdown: str, tokens: list[Token]
                                                 ) -> None:
    assert not CONTROLS.search(markdown)
    shown = " ".join(lines_of(sections(tokens)["Sources"]))
    assert "Crue\ufffd <u>titre</u> second | [^1]" in shown  # NUL replaced, U+2028 folded
    assert "2024-05-01\ufffd[0m" in shown


def test_metadata_urls_are_kept_only_when_http(summary: Summary) -> None:
    urls = {a.source: a.url for a in summary.articles}
    assert urls == {"hostile-1": None, "clean-2": "https://example.org/flood?a=1&b=<x>",
                    "data-url-3": None, "rival-4": "https://rival.example/a b?<x>"}
    articles, _ = load_articles([
        {"text": "One two three four five six.", "url": u}
        for u in ("JAVASCRIPT:alert(1)", " javascript:alert(1)", "vbscript:x", "file:///etc/x",
                  "ftp://example.org/a", "//example.org/a", "HTTPS://EXAMPLE.ORG/a")
    ])
    # One article (same text): the first http(s) URL is the one kept.
    assert [a.url for a in articles] == ["HTTPS://EXAMPLE.ORG/a"]


def test_output_folder_names_from_event_ids_stay_in_the_output_folder(tmp_path: Path) -> None:
    """Event ids name output folders in the batch job (covered in depth by
    tests/batch/test_batch_names.py; tied to this issue here)."""
    from factsum.batch.inputs import safe_dirname

    out = tmp_path / "out"
    for event_id in ("../../etc", "/etc/passwd", "..", "a/../../b", "a\\..\\b", "\x00",
                     "line\nbreak", "", "index.md", "~root"):
        folder = (out / safe_dirname(event_id)).resolve()
        assert folder.parent == out.resolve(), event_id
        assert folder.name not in ("", ".", "..", "index.md")
