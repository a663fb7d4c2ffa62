"""Reconcile: group equivalent claims across articles and languages into cited points.

The model proposes points and disputes over claim ids; code checks every id (an invented
id is sent back and, if it persists, dropped), adds disputes over counts that the model
missed (factsum.pipeline.disputes), and counts independent sources per point.

Scaling: claims are sent in batches that fit ``settings.context_budget_tokens``. When
there is more than one batch, the points of each batch become the items of the next
round, so an event of any size needs no prompt larger than the budget and total tokens
grow about linearly with the number of claims.
"""

from __future__ import annotations

import asyncio
import functools
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from factsum.pipeline.disputes import describe, find_quantity_disputes
from factsum.pipeline.figures import quantities_for_disputes
from factsum.llm.base import CallTag, StructuredLLM, StructuredRequest
from factsum.models import (
    Article,
    Claim,
    Dispute,
    Point,
    Position,
    ProposedDispute,
    ReconcileResult,
)
from factsum.prompt_templates import PromptTemplate, data_tag, language_name, load_prompt
from factsum.settings import Settings
from factsum.llm.tokens import estimate_tokens

MAX_ROUNDS = 6
# Another round re-sends (nearly) every item of the event, so it must pay for itself: stop
# when the last round merged away less than this share of the items.
MIN_ROUND_GAIN = 0.10
# Word-overlap score (rapidfuzz token_set_ratio, 0-100) a claim needs with the point
# it is cited for. On claim pairs taken from a 1.5B local-model run on the seeds,
# paraphrases of one fact scored 60-75 and the unrelated claims it lumped together 37-46.
SUPPORT_THRESHOLD = 50
_WORD_RE = re.compile(r"[^\W\d_]+", re.UNICODE)
_NUMBER_RE = re.compile(r"\d+(?:[.,]\d+)?")
_STOPWORDS = frozenset({
    "a", "an", "the", "of", "in", "on", "at", "to", "for", "from", "by", "with", "and",
    "or", "but", "is", "are", "was", "were", "be", "been", "has", "have", "had", "that",
    "this", "these", "those", "it", "its", "as", "into", "than", "then", "there", "their",
    "they", "he", "she", "his", "her", "not", "no",
})


# json.dumps(..., ensure_ascii=False) builds an encoder per call: a third of a line's cost.
_LINE_JSON = json.JSONEncoder(ensure_ascii=False)


@dataclass
class Item:
    """Something to group: a claim (round 1) or a point of an earlier round."""

    id: str
    statement: str
    source: str
    asserted_by: str
    numbers: str
    claim_ids: list[str]  # the claims this item stands for

    @functools.cached_property
    def line(self) -> str:
        """The JSON line the model sees (built once: batching and the prompt both use it)."""
        return _LINE_JSON.encode(
            {"id": self.id, "source": self.source, "asserted_by": self.asserted_by,
             "statement": self.statement, "numbers": self.numbers}
        )


@dataclass
class Reconciled:
    """What reconcile hands to render: headline, points, disputes."""

    headline: str
    points: list[Point]
    disputes: list[Dispute]
    unknown_ids_dropped: int = 0


@dataclass
class _Round:
    groups: list[Item] = field(default_factory=list)
    disputes: list[ProposedDispute] = field(default_factory=list)
    headline: str = ""
    unknown: int = 0


@functools.lru_cache(maxsize=1)
def _schema_tokens() -> int:
    """Tokens of the answer schema (pydantic builds it in about a millisecond: once)."""
    return estimate_tokens(json.dumps(ReconcileResult.model_json_schema()))


def claim_items(claims: Sequence[Claim], articles: Mapping[str, Article]) -> list[Item]:
    """Round-1 items: one per located claim."""
    items = []
    for c in claims:
        art = articles[c.article_id]
        items.append(Item(
            id=c.id,
            statement=c.statement,
            source=", ".join(art.outlets) or art.source,
            asserted_by=c.asserted_by,
            numbers="; ".join(describe(q) for q in c.quantities),
            claim_ids=[c.id],
        ))
    return items


def plan_batches(
    items: Sequence[Item], budget_tokens: int, overhead_tokens: int
) -> list[list[Item]]:
    """Split items, in order, into batches whose prompt stays under the budget."""
    room = max(200, budget_tokens - overhead_tokens)
    batches: list[list[Item]] = [[]]
    used = 0
    for item in items:
        cost = estimate_tokens(item.line) + 1
        if batches[-1] and used + cost > room:
            batches.append([])
            used = 0
        batches[-1].append(item)
        used += cost
    return [b for b in batches if b]


def _validator(known: set[str]) -> Callable[[ReconcileResult], list[str]]:
    def validate(result: ReconcileResult) -> list[str]:
        cited = [i for p in result.points for i in p.claim_ids]
        cited += [i for d in result.disputes for pos in d.positions for i in pos.claim_ids]
        unknown = sorted({i for i in cited if i not in known})
        if unknown:
            return [f"unknown claim ids {unknown}: use only ids from the list"]
        return []
    return validate


class Reconciler:
    """Runs the grouping rounds for one event."""

    def __init__(self, *, llm: StructuredLLM, settings: Settings, language: str,
                 event_id: str = "") -> None:
        self.llm = llm
        self.settings = settings
        self.language = language
        self.event_id = event_id
        self.template: PromptTemplate = load_prompt("reconcile")

    def messages(self, batch: Sequence[Item], round_no: int) -> list[dict[str, str]]:
        """Chat messages for one batch."""
        lines = [item.line for item in batch]
        return self.template.render(
            tag=data_tag(*lines),
            language_name=language_name(self.language),
            count=len(batch),
            round_note=f" (merge round {round_no}: items are groups found earlier)"
            if round_no > 1 else "",
            claims="\n".join(lines),
        )

    def overhead_tokens(self) -> int:
        """Tokens of instructions and schema that every reconcile request carries."""
        empty = self.messages([], 1)
        return sum(estimate_tokens(m["content"]) for m in empty) + _schema_tokens()

    async def _batch(self, batch: list[Item], round_no: int, batch_no: int) -> _Round:
        by_id = {item.id: item for item in batch}
        request = StructuredRequest(
            messages=self.messages(batch, round_no),
            response_model=ReconcileResult,
            prompt_version=self.template.version,
            tag=CallTag("reconcile", self.event_id, ""),
        )
        completion = await self.llm.complete(request, _validator(set(by_id)))
        result = completion.value
        out = _Round(headline=result.headline.strip())
        assigned: set[str] = set()
        for p in result.points:
            out.unknown += sum(1 for i in p.claim_ids if i not in by_id)
            candidates = [by_id[i] for i in dict.fromkeys(p.claim_ids) if i in by_id]
            members = [m for m in candidates if m.id not in assigned]
            members = [m for m in members if supports(m.statement, p.statement)]
            if not members:
                continue
            assigned.update(m.id for m in members)
            group_id = f"r{round_no}b{batch_no}g{len(out.groups) + 1}"
            out.groups.append(_merge(group_id, grounded_statement(p.statement, members), members))
        for item in batch:  # what the model left out stays, on its own
            if item.id not in assigned:
                out.groups.append(item)
        for d in result.disputes:
            out.disputes.append(_expand_dispute(d, by_id))
        return out

    async def run(self, claims: Sequence[Claim], articles: Mapping[str, Article]) -> _Round:
        """All rounds; returns final groups (items over claim ids) and disputes."""
        items = claim_items(claims, articles)
        overhead = self.overhead_tokens()
        disputes: list[ProposedDispute] = []
        headline = ""
        unknown = 0
        for round_no in range(1, MAX_ROUNDS + 1):
            if not items:
                break
            batches = plan_batches(items, self.settings.context_budget_tokens, overhead)
            rounds = await asyncio.gather(
                *(self._batch(b, round_no, n) for n, b in enumerate(batches, start=1))
            )
            new_items = [g for r in rounds for g in r.groups]
            disputes += [d for r in rounds for d in r.disputes]
            unknown += sum(r.unknown for r in rounds)
            headline = rounds[0].headline or headline
            converged = (len(batches) == 1
                         or len(new_items) > (1 - MIN_ROUND_GAIN) * len(items))
            items = new_items
            if converged:
                break
        return _Round(groups=items, disputes=disputes, headline=headline, unknown=unknown)


@functools.lru_cache(maxsize=8192)  # a point's statement is compared with each member
def _content_words(text: str) -> str:
    return " ".join([w for w in _WORD_RE.findall(text.casefold()) if w not in _STOPWORDS])


def supports(claim_statement: str, point_statement: str) -> bool:
    """Whether a claim plausibly states the point's fact (word overlap, in code).

    Small models sometimes put unrelated claims into one point; a citation must
    support the sentence it is attached to, so such members are detached and stand
    as points of their own.
    """
    if claim_statement == point_statement:  # a point of one claim, in its own words
        return True
    a, b = _content_words(claim_statement), _content_words(point_statement)
    return fuzz.token_set_ratio(a, b, score_cutoff=SUPPORT_THRESHOLD) >= SUPPORT_THRESHOLD


def grounded_statement(statement: str, members: Sequence[Item]) -> str:
    """The model's sentence, unless it states a number no cited claim gives: then the
    closest member's own statement (a point must not invent figures)."""
    stated = _NUMBER_RE.findall(statement)
    if statement.strip():
        # Most points state no figure, or take a member's sentence as it is (small
        # models often do): nothing to check against the members' numbers.
        if not stated or any(m.statement == statement for m in members):
            return statement.strip()
        known = set(_NUMBER_RE.findall(" ".join(f"{m.statement} {m.numbers}"
                                                for m in members)))
        if set(stated) <= known:
            return statement.strip()
    return max(members, key=lambda m: fuzz.token_set_ratio(m.statement, statement)).statement


def _merge(item_id: str, statement: str, members: Sequence[Item]) -> Item:
    claim_ids = list(dict.fromkeys(i for m in members for i in m.claim_ids))
    return Item(
        id=item_id,
        statement=statement.strip() or members[0].statement,
        source="; ".join(dict.fromkeys(m.source for m in members)),
        asserted_by="; ".join(dict.fromkeys(m.asserted_by for m in members)),
        numbers="; ".join(dict.fromkeys(m.numbers for m in members if m.numbers)),
        claim_ids=claim_ids,
    )


def _expand_dispute(d: ProposedDispute, by_id: Mapping[str, Item]) -> ProposedDispute:
    """Rewrite a dispute's item ids (maybe group ids) into claim ids."""
    positions = []
    for pos in d.positions:
        ids = [cid for i in pos.claim_ids if i in by_id for cid in by_id[i].claim_ids]
        positions.append(pos.model_copy(update={"claim_ids": list(dict.fromkeys(ids))}))
    return d.model_copy(update={"positions": positions})


async def reconcile(
    claims: Sequence[Claim],
    articles: Mapping[str, Article],
    groups: Mapping[str, str],
    *,
    llm: StructuredLLM,
    settings: Settings,
    language: str,
    event_id: str = "",
    figures: Sequence[Claim] = (),
) -> Reconciled:
    """Group claims into points and disputes; ``groups`` maps article id -> independence group.

    ``figures`` are counts read in code (factsum.pipeline.figures): never sent to the model, they
    only feed the disputes found in code, in place of the model's readings of the same
    sentences.
    """
    if not claims:
        return Reconciled(headline="", points=[], disputes=[])
    by_id = {c.id: c for c in claims}
    outcome = await Reconciler(
        llm=llm, settings=settings, language=language, event_id=event_id
    ).run(claims, articles)

    def sources(claim_ids: Sequence[str]) -> int:
        return len({groups[by_id[i].article_id] for i in claim_ids})

    ordered = sorted(
        enumerate(outcome.groups),
        key=lambda e: (-sources(e[1].claim_ids), -len(e[1].claim_ids), e[0]),
    )
    points = []
    for n, (_, item) in enumerate(ordered, start=1):
        count = sources(item.claim_ids)
        points.append(Point(
            id=f"p{n}", statement=item.statement, claim_ids=item.claim_ids,
            independent_sources=count, single_source=count == 1,
        ))
    counted = [*quantities_for_disputes(claims, figures), *figures]
    disputes = _disputes(outcome.disputes, counted, by_id)
    # The headline cites nothing: like a point, it may not state a figure no claim gives.
    headline = (grounded_statement(outcome.headline, outcome.groups)
                if outcome.headline and outcome.groups else "")
    headline = headline or (points[0].statement if points else "")
    return Reconciled(headline, points, disputes, unknown_ids_dropped=outcome.unknown)


def _disputes(
    proposed: Sequence[ProposedDispute], claims: Sequence[Claim], by_id: Mapping[str, Claim]
) -> list[Dispute]:
    """Model disputes that still have two sides after id checks, then code-found ones."""
    out: list[Dispute] = []
    seen: list[set[str]] = []
    for d in proposed:
        positions = [
            Position(statement=p.statement, claim_ids=p.claim_ids,
                     asserted_by=sorted({by_id[i].asserted_by for i in p.claim_ids}))
            for p in d.positions if p.claim_ids
        ]
        ids = {i for p in positions for i in p.claim_ids}
        articles = {by_id[i].article_id for i in ids}
        if len(positions) < 2 or len(articles) < 2:
            continue  # not a disagreement between sources once invented ids are gone
        out.append(Dispute(id="", topic=d.topic, positions=positions, origin="model"))
        seen.append(ids)
    for qd in find_quantity_disputes(claims):
        ids = {i for p in qd.positions for i in p.claim_ids}
        if any(ids <= s for s in seen):
            continue
        out.append(Dispute(id="", topic=qd.topic, positions=qd.positions, origin="quantities"))
        seen.append(ids)
    return [d.model_copy(update={"id": f"d{n}"}) for n, d in enumerate(out, start=1)]
