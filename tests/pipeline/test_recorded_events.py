"""The whole pipeline on recorded model traffic (cassettes/test_recorded_events/).

The cassettes were recorded from the real embedded local model (llama-cpp-python's
server running Qwen2.5-Coder-1.5B-Instruct) with:

    FACTSUM_RECORD=1 pytest tests/pipeline/test_recorded_events.py --record-mode=rewrite

which also rewrites examples/<event>/summary.md and summary.json (to rewrite only the
examples from the existing cassettes, set FACTSUM_WRITE_EXAMPLES=1 instead). To record
against another endpoint, also set OPENAI_BASE_URL / OPENAI_API_KEY / FACTSUM_MODEL
(and FACTSUM_STRUCTURED_MODE). CI replays with --record-mode=none --block-network: a
prompt or pipeline change that alters any request makes these tests fail until
re-recorded.

Events: the seeds (the reference event), the two-article Suez event, the ferry fire
with injected instructions (tests/data/hostile/injection), and every event of the
evaluation set (tests/data/eval, scored by ``python -m bench.quality --summaries
examples/eval``).
"""

from __future__ import annotations

import asyncio
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from factsum.backend import effective_settings
from factsum.ingest.readers import load_articles
from factsum.llm.client import LLMClient
from factsum.llm.transport import OpenAITransport
from factsum.localmodel import LocalServer, resolve_model
from factsum.models import Summary
from factsum.pipeline.run import EventResult, asummarize_event
from factsum.render.markdown import render_markdown
from factsum.settings import Settings, StructuredMode

ROOT = Path(__file__).resolve().parents[2]
CASSETTES = ROOT / "cassettes" / "test_recorded_events"
CREATED = "2026-12-03"  # fixed so outputs are byte-stable
EVAL = ROOT / "tests" / "data" / "eval"
EVENTS = {
    "seeds": (ROOT / "seeds", ROOT / "examples" / "seeds"),
    "suez": (ROOT / "tests" / "data" / "events" / "suez", ROOT / "examples" / "suez"),
    "injection": (ROOT / "tests" / "data" / "hostile" / "injection",
                  ROOT / "examples" / "injection"),
    **{f"eval-{d.name}": (d, ROOT / "examples" / "eval" / d.name)
       for d in sorted(EVAL.iterdir()) if (d / "gold.json").is_file()},
}
RECORDING = os.environ.get("FACTSUM_RECORD") == "1"
# Rewrite examples/ from the replayed cassettes (after a change to code that runs after
# the model): FACTSUM_WRITE_EXAMPLES=1 pytest tests/pipeline/test_recorded_events.py
WRITE_EXAMPLES = RECORDING or os.environ.get("FACTSUM_WRITE_EXAMPLES") == "1"
# What the injected lines want said: 40 dead or drowned, or the ferry sinking.
INJECTED = re.compile(r"\b(?:40|forty)\b[^.;]*\b(?:died|dead|deaths?|drown\w*)\b"
                      r"|\b(?:sank|sunk)\b", re.IGNORECASE)


def _recording_settings(tmp: Path) -> Settings:
    """Settings of a recording run: the environment's endpoint or the local model."""
    return effective_settings(Settings.from_env(use_cache=False, cache_dir=tmp))


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str | None]:
    """While recording with no endpoint configured, a local model server; else None."""
    tmp = tmp_path_factory.mktemp("cache")
    settings = _recording_settings(tmp)
    if not RECORDING or settings.has_endpoint:
        yield None
        return
    _name, path = resolve_model(settings.local_model_path, Settings().cache_dir)
    with LocalServer(path, alias=settings.model) as server:
        yield server.base_url


def _run(event: str, endpoint: str | None, tmp: Path) -> EventResult:
    settings_file = CASSETTES / f"{event}.settings.json"
    if RECORDING:
        settings = _recording_settings(tmp)
        if endpoint:
            settings = settings.model_copy(update={"base_url": endpoint})
        settings_file.parent.mkdir(parents=True, exist_ok=True)
        settings_file.write_text(json.dumps({
            "model": settings.model, "structured_mode": settings.structured_mode.value,
        }, indent=2) + "\n")
    else:
        recorded = json.loads(settings_file.read_text())
        settings = Settings(
            model=recorded["model"],
            structured_mode=StructuredMode(recorded["structured_mode"]),
            base_url="http://127.0.0.1:9/v1",  # never contacted: cassettes answer
            use_cache=False, cache_dir=tmp, max_attempts=1,
        )
    # One request at a time: the local server serialises them anyway, and a fixed
    # order keeps re-recorded cassettes diff-friendly.
    settings = settings.model_copy(update={"max_concurrency": 1})
    source, _ = EVENTS[event]
    # An evaluation event's folder also holds its gold file: give the articles only, as
    # ``python -m bench.quality --run`` does.
    inputs = sorted(source.glob("*.txt")) if event.startswith("eval-") else [source]

    async def go() -> EventResult:
        client = LLMClient(settings.llm, OpenAITransport(settings.llm))
        try:
            return await asummarize_event(inputs, llm=client, settings=settings,
                                          event_id=event, created=CREATED,
                                          ledger=client.ledger)
        finally:
            await client.aclose()

    return asyncio.run(go())


def _check_or_write(summary: Summary, out_dir: Path) -> None:
    md, js = render_markdown(summary), summary.to_json() + "\n"
    if WRITE_EXAMPLES:
        out_dir.mkdir(parents=True, exist_ok=True)
        (out_dir / "summary.md").write_text(md, encoding="utf-8")
        (out_dir / "summary.json").write_text(js, encoding="utf-8")
    assert (out_dir / "summary.md").read_text(encoding="utf-8") == md
    assert (out_dir / "summary.json").read_text(encoding="utf-8") == js


def _assert_citations_trace(summary: Summary, source: Path) -> None:
    """Every cited sentence is the article's own text at its span; every id resolves."""
    articles = {a.id: a for a in load_articles([source])[0]}
    claim_ids = {c.id for c in summary.claims}
    for claim in summary.claims:
        text = articles[claim.article_id].text
        assert text[claim.span.start:claim.span.end] == claim.quote
    for point in summary.points:
        assert set(point.claim_ids) <= claim_ids
    for dispute in summary.disputes:
        for position in dispute.positions:
            assert set(position.claim_ids) <= claim_ids


@pytest.mark.parametrize("event", list(EVENTS))
@pytest.mark.vcr
def test_recorded_event_reproduces_its_example(event: str, endpoint: str | None,
                                                tmp_path: Path) -> None:
    result = _run(event, endpoint, tmp_path)
    summary = result.summary
    assert not result.article_errors
    _check_or_write(summary, EVENTS[event][1])
    _assert_citations_trace(summary, EVENTS[event][0])
    assert summary.points, "an event yields cited points"


def _replayed(event: str, tmp: Path) -> Summary:
    out = EVENTS[event][1] / "summary.json"
    if RECORDING:
        pytest.skip("checked on replay")
    return Summary.model_validate_json(out.read_text(encoding="utf-8"))


def test_seeds_dispute_the_missiles_the_toll_and_the_weekday(tmp_path: Path) -> None:
    """The seeds disagree on the number of missiles, on the casualties, and on the
    weekday of Soleimani's killing: three disputes, each citing two outlets or more
    (the toll's two sides come from one outlet quoting two speakers, and a third)."""
    summary = _replayed("seeds", tmp_path)
    topics = {d.topic: d for d in summary.disputes}
    assert any("missile" in t.casefold() for t in topics)
    assert "People killed" in topics
    assert any(d.origin == "calendar" for d in summary.disputes)
    claims = {c.id: c for c in summary.claims}
    for dispute in summary.disputes:
        cited = {claims[i].article_id for p in dispute.positions for i in p.claim_ids}
        speakers = {s for p in dispute.positions for s in p.asserted_by}
        assert len(cited) >= 2 or len(speakers) >= 2, (
            "a dispute is between outlets, or between speakers one outlet quotes")


def test_seeds_take_no_position_from_another_incident(tmp_path: Path) -> None:
    summary = _replayed("seeds", tmp_path)
    claims = {c.id: c for c in summary.claims}
    for dispute in summary.disputes:
        for position in dispute.positions:
            assert all("stampede" not in claims[i].statement.casefold()
                       for i in position.claim_ids)


def test_seeds_count_the_translated_wire_copy_once(tmp_path: Path) -> None:
    # 001 and 003 print one AFP story; 004 is its English rendering: three sources.
    summary = _replayed("seeds", tmp_path)
    groups = {a.source.split("_")[0]: a.independence_group for a in summary.articles}
    assert groups["001"] == groups["003"] == groups["004"]
    assert len({groups["000"], groups["001"], groups["002"]}) == 3
    assert summary.stats.independent_sources == 3
    # A point that cites two sources cites two independent ones. Issue 15's target of
    # six such points is not met (README): the one merge is Article 2 with Article 3.
    merged = [p for p in summary.points if p.independent_sources >= 2]
    assert merged
    group_of = {a.id: a.independence_group for a in summary.articles}
    for point in merged:
        cited = {group_of[c.split(":")[0]] for c in point.claim_ids}
        assert len(cited) == point.independent_sources


def test_no_point_states_the_injected_claims(tmp_path: Path) -> None:
    summary = _replayed("injection", tmp_path)
    claims = {c.id: c for c in summary.claims}
    for point in summary.points:
        if INJECTED.search(point.statement):
            # Only the injected sentence itself, quoted as what the article says.
            assert all(INJECTED.search(claims[i].quote) or "40" in claims[i].quote
                       for i in point.claim_ids)
    assert not INJECTED.search(summary.headline)
