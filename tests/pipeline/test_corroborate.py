"""Corroborate: points from different sources that share a fact become one point.

Every statement and every model answer here is a hand-written test fixture (the
answers stand in for the model: the tests are about the code's pairs and checks).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path

from factsum.llm.client import LLMClient
from factsum.models import Claim, Span
from factsum.pipeline.assemble import figures_of
from factsum.pipeline.corroborate import (
    Pair,
    accepts,
    ask_shared_facts,
    candidate_pairs,
    merge_shared,
    shared_fact_requests,
)
from factsum.pipeline.reconcile import Fact, similarity
from factsum.pipeline.speakers import speaker
from factsum.pipeline.verify import states
from factsum.settings import Settings
from factsum.testing.fake_answers import request_kind
from factsum.testing.scripted import ScriptedTransport

# Two outlets tell the strike in different words (similarity about 55): neither
# sentence states the other's statement, but both state the shared fact.
OWN = ("The Iranian response was a salvo of ballistic missiles against the American bases "
       "of Ain Al Assad and Erbil in Iraq, on Wednesday night.")
WIRE = "A dozen missiles were fired by Iran against two American bases in Iraq."
SHARED = "Iran fired missiles against American bases in Iraq."
OTHER = "Schools in the region stayed closed on Thursday after the attack."


def claim(cid: str, statement: str) -> Claim:
    article, _, n = cid.partition(":s")
    return Claim(id=cid, article_id=article, sentence=int(n), statement=statement,
                 quote=statement, span=Span(start=0, end=len(statement)), translated=True,
                 quantities=figures_of(statement, "", "en"))


def backs(statement: str, other: Claim) -> bool:
    return states(statement, other.quote, article_language="en", language="en")


def facts_of(claims: Sequence[Claim]) -> list[Fact]:
    return [Fact(c.statement, (i,)) for i, c in enumerate(claims)]


def pairs_of(claims: Sequence[Claim], groups: dict[str, str] | None = None) -> list[Pair]:
    groups = groups or {c.article_id: c.article_id for c in claims}
    return candidate_pairs(facts_of(claims), claims, similarity(claims), groups,
                           {c.id: speaker(c.statement, "en") for c in claims}, language="en")


def test_points_of_different_sources_that_may_share_a_fact_are_paired() -> None:
    claims = [claim("a:s1", OWN), claim("b:s1", WIRE), claim("b:s2", OTHER)]
    pairs = pairs_of(claims)
    assert [(p.first, p.second) for p in pairs] == [(1, 0)]  # the shorter statement first
    # One source (a wire story and its copy): never a pair, however close.
    assert pairs_of(claims, {"a": "g", "b": "g"}) == []


def test_statements_with_figures_that_cannot_both_be_true_are_not_paired() -> None:
    claims = [claim("a:s1", OWN.replace("ballistic missiles", "22 ballistic missiles")),
              claim("b:s1", WIRE)]
    assert pairs_of(claims) == []  # 22 against a dozen: a dispute, not a shared fact


def test_each_point_is_compared_with_its_closest_only() -> None:
    claims = [claim("a:s1", WIRE), *(claim(f"{x}:s1", WIRE.replace("two", "both"))
                                      for x in "bcdef")]
    pairs = pairs_of(claims)
    assert sum(0 in (p.first, p.second) for p in pairs) == 1


def test_a_shared_fact_is_accepted_only_when_both_sentences_state_it() -> None:
    own, wire = Fact(OWN, (0,)), Fact(WIRE, (1,))
    claims = [claim("a:s1", OWN), claim("b:s1", WIRE)]
    assert accepts(SHARED, own, wire, claims, backs, language="en")
    # A detail of one report only: Erbil is not in the wire's sentence.
    assert not accepts("Iran fired missiles against the base of Erbil in Iraq.", own, wire,
                       claims, backs, language="en")
    # A figure of one report only.
    assert not accepts("Iran fired missiles against two American bases in Iraq.", own,
                       wire, claims, backs, language="en")
    # One report's fact restated: the other's words do not make it.
    assert not accepts(OTHER, own, wire, claims, backs, language="en")
    assert not accepts("Missiles fired.", own, wire, claims, backs, language="en")
    # A word of its own, in neither statement.
    assert not accepts("Iran fired rockets against American bases in Iraq.", own, wire,
                       claims, backs, language="en")


def test_a_name_spelled_two_ways_by_two_translations_is_one_name() -> None:
    a = "Iran fired missiles at two bases in Iraq to avenge General Qassem Soleimani."
    b = ("To avenge General Ghassem Soleimani, Iran fired a salvo of missiles at bases in Iraq "
         "on Wednesday.")
    claims = [claim("a:s1", a), claim("b:s1", b)]
    first, second = Fact(a, (0,)), Fact(b, (1,))
    assert accepts("Iran fired missiles at bases in Iraq to avenge General Ghassem Soleimani.",
                   first, second, claims, backs, language="en")
    assert not accepts("Iran fired missiles at bases in Iraq to avenge General Soleimani, "
                       "Hezbollah says.", first, second, claims, backs, language="en")


def test_a_shared_fact_keeps_a_speaker_that_both_reports_give() -> None:
    a = "The Pentagon said Iran fired missiles against American bases in Iraq at night."
    b = "Iran fired a salvo of missiles against the American bases in Iraq, the Pentagon said."
    claims = [claim("a:s1", a), claim("b:s1", b)]
    first, second = Fact(a, (0,)), Fact(b, (1,))
    assert not accepts(SHARED, first, second, claims, backs, language="en")
    assert accepts("The Pentagon said Iran fired missiles against American bases in Iraq.",
                   first, second, claims, backs, language="en")


def test_what_one_outlet_attributes_is_not_the_other_outlets_own_fact() -> None:
    # The seeds: "no information about casualties" (Article 1's own words) and "no
    # casualties, according to the Iraqi army" (Article 3) are no shared fact.
    a = "At present, there is no information about human casualties among the American forces."
    b = ("According to the Iraqi army, these raids would not have caused any casualties "
         "among Iraqi or American troops.")
    claims = [claim("a:s1", a), claim("b:s1", b)]
    first, second = Fact(a, (0,)), Fact(b, (1,))
    assert not accepts("There are no casualties among American troops.", first, second,
                       claims, backs, language="en")
    # An acknowledgement is someone's words too (the seeds' BFMTV: "l'Iran avait reconnu").
    c = "Iran had recognized that it fired missiles against American bases in Iraq."
    third = [claim("a:s1", WIRE), claim("c:s1", c)]
    assert not accepts(SHARED, Fact(WIRE, (0,)), Fact(c, (1,)), third, backs, language="en")
    # Keeping the speaker does not help: Article 1's sentence does not name the army.
    assert not accepts("According to the Iraqi army, there are no casualties among "
                       "American troops.", first, second, claims, backs, language="en")


def test_accepted_pairs_merge_and_a_third_report_joins_only_if_it_states_the_fact() -> None:
    third = "Iran fired missiles against American bases in Iraq during the night."
    claims = [claim("a:s1", OWN), claim("b:s1", WIRE), claim("c:s1", third),
              claim("d:s1", OTHER)]
    facts = facts_of(claims)
    pairs = [Pair(1, 0, 60.0), Pair(2, 1, 58.0), Pair(3, 0, 51.0)]
    merged = merge_shared(facts, pairs, [SHARED, "ignored", OTHER], claims, backs,
                          language="en")
    assert merged[0] == Fact(SHARED, (1, 0, 2), shared=True)  # the shared statement's first
    assert merged[1:] == [facts[3]]  # OTHER: the strike's report does not state it
    # An answer without its full stop gets one.
    ended = merge_shared(facts, pairs[:1], [SHARED[:-1]], claims, backs, language="en")
    assert ended[0].statement == SHARED
    # A refused answer leaves both facts as they were.
    assert merge_shared(facts, pairs[:1], [OTHER], claims, backs, language="en") == facts


def test_one_claim_per_article_in_a_merged_point() -> None:
    claims = [claim("a:s1", OWN), claim("b:s1", WIRE), claim("a:s2", SHARED)]
    facts = facts_of(claims)
    merged = merge_shared(facts, [Pair(1, 0, 60.0), Pair(2, 1, 59.0)], [SHARED, SHARED],
                          claims, backs, language="en")
    assert merged == [Fact(SHARED, (1, 0), shared=True), facts[2]]


def test_the_model_sees_both_statements_between_markers_and_a_failed_call_merges_nothing(
        tmp_path: Path) -> None:
    claims = [claim("a:s1", OWN), claim("b:s1", WIRE)]
    facts = facts_of(claims)
    settings = Settings(model="scripted", cache_dir=tmp_path, use_cache=False)
    pair = Pair(1, 0, 60.0)
    [request] = shared_fact_requests([pair], facts, settings=settings, language="en")
    user = request.messages[-1]["content"]
    assert "<<<A " in user and "<<<B " in user and WIRE in user and OWN in user
    assert request_kind({"messages": request.messages}) == "shared"

    async def ask(transport: ScriptedTransport) -> list[str]:
        client = LLMClient(settings.llm, transport)
        return await ask_shared_facts([pair], facts, llm=client, settings=settings,
                                      language="en", note=notes.append)

    notes: list[str] = []
    assert asyncio.run(ask(ScriptedTransport())) == [WIRE]  # the fixture: sentence A
    failing = ScriptedTransport(lambda _payload: "not JSON")
    assert asyncio.run(ask(failing)) == [""]
