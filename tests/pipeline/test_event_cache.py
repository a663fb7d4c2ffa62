"""The event cache: an unchanged event is served whole, a changed one is recomputed."""

from __future__ import annotations

import asyncio
import json
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from factsum.llm.cache import ResponseCache
from factsum.llm.client import LLMClient
from factsum.pipeline import run as pipeline
from factsum.pipeline.fingerprint import event_cache_key, inputs_digest
from factsum.pipeline.run import EventResult, asummarize_event
from factsum.render.markdown import render_markdown
from factsum.settings import Settings
from factsum.testing.fake_answers import answer_for
from factsum.testing.scripted import ScriptedTransport

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "seeds" / "002_b1fd3f752f7b45c5.txt"


def _run(folder: Path, cache_dir: Path, transport: ScriptedTransport) -> EventResult:
    settings = Settings(model="scripted", cache_dir=cache_dir)

    async def go() -> EventResult:
        client = LLMClient(settings.llm, transport,
                           cache=ResponseCache(settings.response_cache_dir))
        try:
            return await asummarize_event([folder], llm=client, cache=client.cache,
                                          ledger=client.ledger, settings=settings,
                                          event_id="e", created="2020-01-09")
        finally:
            await client.aclose()
    return asyncio.run(go())


@pytest.fixture
def event(tmp_path: Path) -> Path:
    folder = tmp_path / "event"
    folder.mkdir()
    shutil.copy(SEED, folder / SEED.name)
    (folder / "empty.txt").write_text("  ")
    return folder


def test_an_unchanged_event_runs_no_stage_and_counts_its_calls_as_cache_hits(
        event: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = _run(event, tmp_path / "cache", ScriptedTransport())

    def no_ingest(*_a: object, **_k: object) -> None:
        raise AssertionError("ingest ran on a cached event")

    monkeypatch.setattr(pipeline, "load_articles", no_ingest)
    again_transport = ScriptedTransport()
    again = _run(event, tmp_path / "cache", again_transport)
    assert not again_transport.payloads
    assert again.summary.to_json() == first.summary.to_json()
    assert render_markdown(again.summary) == render_markdown(first.summary)
    assert [str(e) for e in again.input_errors] == [str(e) for e in first.input_errors]
    assert again.input_errors, "the skipped empty file is still reported"
    assert first.summary.usage.requests > 0
    assert again.summary.usage.requests == 0
    assert again.summary.usage.cache_hits == first.summary.usage.requests


def test_a_changed_article_is_summarised_again(event: Path, tmp_path: Path) -> None:
    _run(event, tmp_path / "cache", ScriptedTransport())
    article = event / SEED.name
    article.write_text(article.read_text() + "\n\nUn nouveau paragraphe sur les tirs.")
    transport = ScriptedTransport()
    _run(event, tmp_path / "cache", transport)
    assert transport.payloads, "new text, new requests"


def test_an_event_with_a_failed_article_is_not_stored(event: Path, tmp_path: Path) -> None:
    other = ROOT / "seeds" / "004_a518208c9326a97a.txt"
    shutil.copy(other, event / other.name)

    def refuse(payload: Mapping[str, Any]) -> str:
        if "Qassem" in json.dumps(payload):
            return "not json at all"  # 002 fails; 004 is English: it needs no call
        return answer_for(payload)

    broken = _run(event, tmp_path / "cache", ScriptedTransport(refuse))
    assert broken.article_errors
    # The summary says which article failed and why, next to the unusable inputs.
    skipped = {s.source: s.problem for s in broken.summary.skipped}
    assert skipped[SEED.name].startswith("extraction failed: ")
    assert "extraction failed" in render_markdown(broken.summary)
    assert _stored(event, tmp_path / "cache") is None
    # The rerun goes through the pipeline again (here the per-call cache replays the
    # same bad answer, so it fails the same way), and is not served a partial summary.
    again = _run(event, tmp_path / "cache", ScriptedTransport(refuse))
    assert again.article_errors == broken.article_errors


def _stored(event: Path, cache_dir: Path) -> str | None:
    settings = Settings(model="scripted", cache_dir=cache_dir)
    key = event_cache_key([event], settings=settings, language="en", created="2020-01-09",
                          prompt_versions=pipeline.prompt_versions())
    assert key is not None
    cache = ResponseCache(cache_dir / "llm")
    try:
        return cache.get_text(key)
    finally:
        cache.close()


def test_an_unreadable_entry_is_dropped_and_the_event_recomputed(
        event: Path, tmp_path: Path) -> None:
    first = _run(event, tmp_path / "cache", ScriptedTransport())
    assert _stored(event, tmp_path / "cache") is not None
    settings = Settings(model="scripted", cache_dir=tmp_path / "cache")
    key = event_cache_key([event], settings=settings, language="en", created="2020-01-09",
                          prompt_versions=pipeline.prompt_versions())
    assert key is not None
    cache = ResponseCache(tmp_path / "cache" / "llm")
    cache.set_text(key, json.dumps({"summary": {"headline": 1}}))
    cache.close()
    again = _run(event, tmp_path / "cache", ScriptedTransport())
    assert again.summary.to_json() == first.summary.to_json()  # per-call cache still works
    assert json.loads(_stored(event, tmp_path / "cache") or "{}")["summary"]["headline"] == \
        first.summary.headline, "the bad entry was replaced"


def test_inputs_are_fingerprinted_by_content(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("one")
    by_path = inputs_digest([path])
    assert by_path == inputs_digest([Path(str(path))])  # a Path is read as its file
    path.write_text("two")
    assert inputs_digest([path]) != by_path
    assert inputs_digest(["Some article text."]) != inputs_digest(["Other text."])
    assert inputs_digest([{"text": "x", "published": object()}]) is not None

    class Item:
        text = "an object whose repr does not show its text"

    assert inputs_digest([Item()]) is None  # such an event is never served from cache
