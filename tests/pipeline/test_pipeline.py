"""The pipeline end to end on the seeds with a scripted model.

The scripted answers (factsum.testing.fake_answers) are test fixtures built from the
prompt: each sentence "restated" as itself, so this checks the code around the model
(ingest, sentences, checks, grouping, render), not restatement quality. Real model
answers are replayed from cassettes in test_recorded_events.py.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from factsum.errors import BudgetEstimateError, BudgetExceededError, NoUsableInputError
from factsum.ingest.readers import load_articles
from factsum.llm.cache import ResponseCache
from factsum.llm.client import LLMClient
from factsum.models import Article, Point
from factsum.pipeline.run import (
    THREAD_SWITCH_S,
    asummarize_event,
    headline,
    responsive_event_loop,
    summarize,
)
from factsum.pipeline.sentences import candidates, split_sentences
from factsum.render.markdown import render_markdown
from factsum.settings import Price, Settings
from factsum.testing.fake_answers import answer_for, request_kind
from factsum.testing.scripted import ScriptedTransport

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"


def _settings(tmp: Path, **kw: Any) -> Settings:
    return Settings(model="scripted", cache_dir=tmp, **kw)


def test_seeds_summary_is_cited_and_schema_valid(tmp_path: Path) -> None:
    transport = ScriptedTransport()
    settings = _settings(tmp_path, use_cache=False)
    summary = summarize([SEEDS], settings=settings, llm=LLMClient(settings.llm, transport),
                        created="2020-01-09")
    assert summary.stats.articles == 5
    assert summary.stats.independent_sources == 4  # 001 and 003 share wire copy
    groups = {a.source[:3]: a.independence_group for a in summary.articles}
    assert groups["001"] == groups["003"] != groups["000"]
    schema = json.loads((ROOT / "schemas" / "summary.json").read_text())
    jsonschema.validate(json.loads(summary.to_json()), schema)
    texts = {a.id: a.text for a in load_articles([SEEDS])[0]}
    for claim in summary.claims:
        assert texts[claim.article_id][claim.span.start:claim.span.end] == claim.quote
    kinds = [request_kind(p) for p in transport.payloads]
    articles = load_articles([SEEDS])[0]
    calls = sum(len(candidates(split_sentences(a))) for a in articles if a.language != "en")
    assert calls >= 40  # one per sentence of the four French articles; 004 needs none
    assert kinds[:calls] == ["extract"] * calls
    # Then one comparison per candidate pair of points from different sources.
    assert kinds[calls:] and set(kinds[calls:]) == {"shared"}
    cited = {i for p in summary.points for i in p.claim_ids}
    assert cited <= {c.id for c in summary.claims}
    md = render_markdown(summary)
    assert md.startswith("# ") and "## Sources" in md


def test_rerun_with_cache_makes_no_model_call(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    first, second = ScriptedTransport(), ScriptedTransport()

    def run(transport: ScriptedTransport) -> str:
        async def go() -> str:
            client = LLMClient(settings.llm, transport,
                               cache=ResponseCache(settings.response_cache_dir))
            try:
                result = await asummarize_event([SEEDS], llm=client, cache=client.cache,
                                                ledger=client.ledger, settings=settings,
                                                created="2020-01-09")
                return result.summary.to_json()
            finally:
                await client.aclose()
        return asyncio.run(go())

    assert run(first) == run(second)
    assert first.payloads and not second.payloads


def test_an_invented_number_is_listed_as_not_verified(tmp_path: Path) -> None:
    def handler(payload: Mapping[str, Any]) -> str:
        data = json.loads(answer_for(payload))
        data["t"] += " Forty people died."
        return json.dumps(data)

    transport = ScriptedTransport(handler)
    settings = _settings(tmp_path, use_cache=False)
    summary = summarize([SEEDS / "002_b1fd3f752f7b45c5.txt"], settings=settings,
                        llm=LLMClient(settings.llm, transport))
    bad = [u for u in summary.unverified if "Forty" in u.statement]
    assert bad and all("40" in u.reason for u in bad)
    assert all("Forty" not in p.statement for p in summary.points)
    assert summary.stats.claims_unverified >= 1


def test_no_usable_article_is_an_error(tmp_path: Path) -> None:
    settings = _settings(tmp_path, use_cache=False)
    with pytest.raises(NoUsableInputError):
        summarize(["   "], settings=settings, llm=LLMClient(settings.llm, ScriptedTransport()))


def test_skipped_inputs_are_reported_before_the_first_model_call(tmp_path: Path) -> None:
    """A user waiting minutes on a local model hears about a bad file at once."""
    notes: list[str] = []
    seen_at_first_call: list[list[str]] = []

    def handler(payload: Mapping[str, Any]) -> str:
        if not seen_at_first_call:
            seen_at_first_call.append(list(notes))
        return answer_for(payload)

    (tmp_path / "empty.txt").write_text("   ")
    settings = _settings(tmp_path, use_cache=False)
    summarize([SEEDS / "002_b1fd3f752f7b45c5.txt", tmp_path / "empty.txt"],
              settings=settings, llm=LLMClient(settings.llm, ScriptedTransport(handler)),
              progress=notes.append)
    [before] = seen_at_first_call
    assert [n for n in before if n.startswith("skipped ")] == [
        n for n in notes if n.startswith("skipped ")]
    assert any("empty.txt" in n for n in before)


def _french_article(sentences: int) -> str:
    return " ".join(f"Le conseil municipal de la commune numéro {n} a voté son budget mardi "
                    "soir après un long débat." for n in range(1, sentences + 1))


def test_calls_per_article_are_capped_and_the_cut_is_reported(tmp_path: Path) -> None:
    """Issue 18, Medium 9: one large input cannot multiply the cost without warning."""
    notes: list[str] = []
    transport = ScriptedTransport()
    settings = _settings(tmp_path, use_cache=False, max_sentences_per_article=5)
    summary = summarize([{"text": _french_article(12), "source": "long.txt"}],
                        settings=settings, llm=LLMClient(settings.llm, transport),
                        progress=notes.append)
    assert len(transport.payloads) == 5
    assert summary.stats.sentences_read == 5 and summary.stats.sentences_cut == 7
    assert any("long.txt: 12 sentences; only the first 5" in n for n in notes)


def test_text_without_sentences_makes_no_model_call(tmp_path: Path) -> None:
    """A huge single line with no punctuation is no sentence to restate."""
    transport = ScriptedTransport()
    settings = _settings(tmp_path, use_cache=False)
    blob = "mot " * 100_000
    summary = summarize([{"text": blob, "source": "blob.txt"}], settings=settings,
                        llm=LLMClient(settings.llm, transport))
    assert transport.payloads == [] and summary.stats.sentences_read == 0


def test_a_run_estimated_over_the_budget_is_refused_unless_allowed(tmp_path: Path) -> None:
    prices = {"scripted": Price(prompt=1000.0, completion=1000.0)}
    settings = _settings(tmp_path, use_cache=False, budget_usd=0.01, prices=prices)
    transport = ScriptedTransport()
    with pytest.raises(BudgetEstimateError, match=r"may cost up to .* over the budget .*--yes"):
        summarize([{"text": _french_article(3)}], settings=settings,
                  llm=LLMClient(settings.llm, transport))
    assert transport.payloads == [], "refused before the first call"
    allowed = settings.model_copy(update={"allow_over_budget": True})
    with pytest.raises(BudgetExceededError):  # it starts; the budget still stops it
        summarize([{"text": _french_article(3)}], settings=allowed,
                  llm=LLMClient(allowed.llm, transport))


def test_a_long_headline_is_not_cut_mid_word() -> None:
    """Issue 18 (Low): headlines were cut at 80 characters, mid-word."""
    long = ("The regional council of Auvergne-Rhône-Alpes approved the new budget for "
            "secondary schools after a debate that lasted well into the night")
    point = Point(id="p1", statement=long, claim_ids=["a:s1"], independent_sources=1,
                  single_source=True, key=True)
    article = Article(id="a", text=long, source="a.txt", language="fr")
    assert headline([article], [point], "en") == long
    titled = article.model_copy(update={"language": "en", "title": long})
    assert headline([titled], [point], "en") == long


def test_inputs_that_could_not_be_used_are_listed_in_the_summary(tmp_path: Path) -> None:
    """Issue 17: rejected inputs never vanish silently from the result."""
    settings = _settings(tmp_path, use_cache=False)
    summary = summarize([SEEDS / "002_b1fd3f752f7b45c5.txt", {"text": "x"}],
                        settings=settings, llm=LLMClient(settings.llm, ScriptedTransport()))
    [skipped] = summary.skipped
    assert skipped.source == "item-2" and "too short" in skipped.problem
    assert "item-2: too short" in render_markdown(summary)


def test_responsive_event_loop_shortens_the_switch_interval_and_restores_it() -> None:
    before = sys.getswitchinterval()
    with responsive_event_loop():
        assert sys.getswitchinterval() == min(before, THREAD_SWITCH_S)
    assert sys.getswitchinterval() == before
    with pytest.raises(RuntimeError), responsive_event_loop():
        raise RuntimeError("an event failed")
    assert sys.getswitchinterval() == before
