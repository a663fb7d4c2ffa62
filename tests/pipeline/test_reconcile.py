"""Reconcile with a scripted model. Every model answer here is a hand-written test
fixture (factsum.testing), not real model output."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from typing import Any

from factsum.llm.client import LLMClient
from factsum.models import Article, Claim, Qualifier, Quantity, Span
from factsum.pipeline.reconcile import grounded_statement, reconcile, supports
from factsum.settings import Settings
from factsum.testing.fake_answers import claim_lines, reconcile_answer
from factsum.testing.scripted import ScriptedTransport
from factsum.llm.tokens import estimate_tokens

SETTINGS = Settings(model="scripted", use_cache=False, max_reasks=1)


def _articles(n: int) -> dict[str, Article]:
    return {f"a{i}": Article(id=f"a{i}", text="x" * 50, source=f"{i}.txt",
                             outlets=[f"Outlet {i}"]) for i in range(n)}


def _claim(cid: str, article: str, statement: str, *quantities: Quantity) -> Claim:
    return Claim(id=cid, article_id=article, statement=statement, quote=statement,
                 span=Span(start=0, end=1), match_score=100, asserted_by="the article",
                 quantities=list(quantities))


def _run(claims: list[Claim], articles: dict[str, Article], transport: ScriptedTransport,
         settings: Settings = SETTINGS) -> Any:
    groups = {a: a for a in articles}

    async def go() -> Any:
        client = LLMClient(settings.llm, transport)
        return await reconcile(claims, articles, groups, llm=client, settings=settings,
                               language="en")
    return asyncio.run(go())


def test_invented_claim_ids_are_reasked_then_dropped() -> None:
    claims = [_claim("a0:c1", "a0", "Iran fired missiles at two bases"),
              _claim("a1:c1", "a1", "Iran fired missiles at two Iraqi bases")]

    def handler(payload: Mapping[str, Any]) -> str:
        return json.dumps({"headline": "Strikes", "disputes": [], "points": [
            {"statement": "Iran fired missiles at two bases",
             "claim_ids": ["a0:c1", "a1:c1", "zz:c9"]}]})

    transport = ScriptedTransport(handler)
    result = _run(claims, _articles(2), transport)
    assert len(transport.payloads) == 2  # the answer was sent back once
    reask = transport.payloads[1]["messages"][-1]["content"]
    assert "zz:c9" in reask
    assert result.unknown_ids_dropped >= 1
    assert result.points[0].claim_ids == ["a0:c1", "a1:c1"]
    assert result.points[0].independent_sources == 2


def test_unrelated_claims_lumped_together_are_detached() -> None:
    claims = [_claim("a0:c1", "a0", "Iran fired more than a dozen missiles at US bases"),
              _claim("a1:c1", "a1", "Trump will make a statement on Wednesday morning")]

    def handler(payload: Mapping[str, Any]) -> str:
        return json.dumps({"headline": "h", "disputes": [], "points": [
            {"statement": "Iran fired more than a dozen missiles at US bases",
             "claim_ids": ["a0:c1", "a1:c1"]}]})

    result = _run(claims, _articles(2), ScriptedTransport(handler))
    assert sorted(p.claim_ids for p in result.points) == [["a0:c1"], ["a1:c1"]]
    assert all(p.single_source for p in result.points)


def test_point_statement_with_invented_number_falls_back_to_a_claim() -> None:
    from factsum.pipeline.reconcile import Item
    members = [Item("x", "Iran fired missiles at two bases", "s", "b", "", ["x"])]
    assert grounded_statement("Iran fired 40 missiles at two bases", members) == (
        "Iran fired missiles at two bases")
    assert grounded_statement("Iran fired missiles at two bases.", members) == (
        "Iran fired missiles at two bases.")
    assert supports("Iran fired 22 missiles at two bases in Iraq",
                    "Iran fired more than a dozen missiles at Iraqi bases")


def test_point_statement_figures_are_checked_against_every_member() -> None:
    from factsum.pipeline.reconcile import Item
    members = [Item("x", "Iran fired missiles at two bases", "s", "b", "22 missiles", ["x"]),
               Item("y", "Two bases in Iraq were hit by 15 missiles", "s", "b", "", ["y"])]
    # A figure given by a member's numbers or statement stands; a member's own sentence
    # stands as it is; a figure no member gives, or an empty sentence, falls back.
    assert grounded_statement(" Iran fired 22 missiles ", members) == "Iran fired 22 missiles"
    assert grounded_statement("15 or 22 missiles hit", members) == "15 or 22 missiles hit"
    assert grounded_statement(members[1].statement, members) == members[1].statement
    assert grounded_statement("Iran fired 40 missiles", members) == members[0].statement
    assert grounded_statement("  ", members) == members[0].statement


def test_model_dispute_positions_map_to_claims() -> None:
    claims = [_claim("a0:c1", "a0", "No victims were reported"),
              _claim("a1:c1", "a1", "Iran says at least 80 people died")]

    def handler(payload: Mapping[str, Any]) -> str:
        return json.dumps({"headline": "h", "points": [], "disputes": [{
            "topic": "Casualties", "positions": [
                {"statement": "No victims", "claim_ids": ["a0:c1"]},
                {"statement": "80 dead", "claim_ids": ["a1:c1"]}]}]})

    result = _run(claims, _articles(2), ScriptedTransport(handler))
    assert [d.topic for d in result.disputes] == ["Casualties"]
    assert result.disputes[0].origin == "model"
    assert len(result.points) == 2  # claims left out of points still stand


def test_quantity_dispute_is_added_when_the_model_misses_it() -> None:
    missiles = "missiles"
    claims = [
        _claim("a0:c1", "a0", "Iran fired about ten missiles at two bases",
               Quantity(value=10, high=None, unit=missiles, qualifier=Qualifier.ABOUT)),
        _claim("a1:c1", "a1", "Iran fired 22 missiles at two bases",
               Quantity(value=22, high=None, unit=missiles, qualifier=Qualifier.EXACT)),
    ]
    result = _run(claims, _articles(2), ScriptedTransport())
    assert [(d.topic, d.origin) for d in result.disputes] == [
        ("Number of missiles", "quantities")]


def test_large_events_are_reconciled_in_rounds_under_the_context_budget() -> None:
    articles = _articles(40)
    claims = [_claim(f"a{i}:c{j}", f"a{i}", f"Statement {j} of article number {i} about it")
              for i in range(40) for j in range(1, 6)]
    settings = SETTINGS.model_copy(update={"context_budget_tokens": 1500})
    transport = ScriptedTransport(lambda p: json.dumps(reconcile_answer(p, group_size=4)))
    result = _run(claims, articles, transport, settings)

    prompts = [sum(estimate_tokens(m["content"]) for m in p["messages"])
               for p in transport.payloads]
    assert len(prompts) > 3, "several batches and rounds"
    assert max(prompts) <= 1500
    rounds = [claim_lines(p) for p in transport.payloads]
    assert any(line["id"].startswith("r1") for lines in rounds for line in lines)
    cited = [i for p in result.points for i in p.claim_ids]
    assert sorted(cited) == sorted(c.id for c in claims)  # every claim, exactly once
