"""Disputes found in code from the claims' structured quantities.

A small model may group "about ten missiles" and "22 missiles" into one agreeing point
and silently pick one figure. This module is the safety net: claims that count the
same thing (same unit) about the same fact (similar statements) and whose hedged values
cannot both be true become a dispute that lists every reported figure and who gives it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache

from rapidfuzz import fuzz, process

from factsum.models import Claim, Position, Qualifier, Quantity

# Reading of hedges as intervals. "About" is generous on purpose: "une dizaine" (about
# 10) and "une douzaine" (12) are not a contradiction worth flagging.
_ABOUT_SLACK = 0.25
_EPS = 1e-9

# Units a model writes for the same count. Kept short: only what news about violent
# events needs; anything else is compared by its singular form.
_UNIT_SYNONYMS = {
    "dead": "death", "death": "death", "fatality": "death", "killed": "death",
    "victim": "death", "casualty": "death", "life": "death", "people killed": "death",
    "injury": "injury", "injured": "injury", "wounded": "injury",
    "rocket": "rocket", "missile": "missile", "ballistic missile": "missile",
}

# Statements about different facts can share a unit ("35 bases in the region" vs
# "two bases were hit"); require this much word overlap (numbers removed) to compare.
SIMILARITY_THRESHOLD = 55.0
# Except for tolls and salvos: within one event, every count of deaths or injuries, and
# every count of missiles or rockets fired, answers the same question ("no American
# victims" vs "80 dead"; "une dizaine de roquettes" vs "22 missiles"), however worded.
TOLL_UNITS = frozenset({"death", "injury", "injured", "wounded"})
_QUESTIONS = {"missile": "projectile", "rocket": "projectile"}
SAME_QUESTION = TOLL_UNITS | {"projectile"}


@dataclass(frozen=True)
class QuantityDispute:
    """A disagreement found in code: a topic and positions over claim ids."""

    topic: str
    positions: list[Position]


@cache  # called for every quantity pair while clustering; units repeat
def normalize_unit(unit: str) -> str:
    """'Ballistic Missiles' -> 'missile'; 'victims' -> 'death'."""
    u = re.sub(r"[^a-z ]", "", unit.casefold()).strip()
    u = re.sub(r"\s+", " ", u)
    singular = re.sub(r"(ies)$", "y", u) if u.endswith("ies") else re.sub(r"s$", "", u)
    return _UNIT_SYNONYMS.get(u) or _UNIT_SYNONYMS.get(singular) or singular


def interval(q: Quantity) -> tuple[float, float]:
    """The values a hedged quantity allows, as a closed interval."""
    v = q.value
    hi = q.high if q.high is not None and q.high >= v else v
    match q.qualifier:
        case Qualifier.ABOUT:
            return (v * (1 - _ABOUT_SLACK), hi * (1 + _ABOUT_SLACK))
        case Qualifier.AT_LEAST:
            return (v, math.inf)
        case Qualifier.MORE_THAN:
            return (v + _EPS, math.inf)
        case Qualifier.UP_TO:
            return (0.0, hi)
        case Qualifier.LESS_THAN:
            return (0.0, max(0.0, hi - _EPS))
        case _:
            return (v, hi)


def conflicts(a: Quantity, b: Quantity) -> bool:
    """True when no single value satisfies both hedged quantities."""
    lo_a, hi_a = interval(a)
    lo_b, hi_b = interval(b)
    return hi_a < lo_b or hi_b < lo_a


_HEDGES = {
    Qualifier.EXACT: "", Qualifier.ABOUT: "about ", Qualifier.AT_LEAST: "at least ",
    Qualifier.MORE_THAN: "more than ", Qualifier.UP_TO: "up to ",
    Qualifier.LESS_THAN: "fewer than ",
}


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def describe(q: Quantity) -> str:
    """'more than 12 missiles', 'about 10 missiles', '10-15 deaths'."""
    value = f"{_num(q.value)}-{_num(q.high)}" if q.high is not None else _num(q.value)
    return f"{_HEDGES[q.qualifier]}{value} {q.unit}".strip()


def _words(statement: str) -> str:
    return re.sub(r"[\d.,]+", " ", statement.casefold())


def _clusters(items: Sequence[tuple[Claim, Quantity]], *, same_question: bool = False
              ) -> list[list[int]]:
    """Single-link clusters of quantity mentions about the same fact."""
    if same_question or len(items) < 2:
        return [list(range(len(items)))] if items else []
    parent = list(range(len(items)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    # All pairwise similarities in one call (rapidfuzz's C loop); an event's claims
    # sharing a unit can number in the hundreds.
    texts = [_words(c.statement) for c, _ in items]
    scores = process.cdist(texts, texts, scorer=fuzz.token_set_ratio,
                           score_cutoff=SIMILARITY_THRESHOLD)
    for i, j in zip(*scores.nonzero(), strict=True):
        if i < j:
            parent[find(int(i))] = find(int(j))
    groups: dict[int, list[int]] = {}
    for i in range(len(items)):
        groups.setdefault(find(i), []).append(i)
    return list(groups.values())


def find_quantity_disputes(claims: Iterable[Claim]) -> list[QuantityDispute]:
    """Disputes over counts of the same thing, with one position per reported figure."""
    by_question: dict[str, list[tuple[Claim, Quantity]]] = {}
    for claim in claims:
        for q in claim.quantities:
            if math.isfinite(q.value) and q.value >= 0:
                unit = normalize_unit(q.unit)
                by_question.setdefault(_QUESTIONS.get(unit, unit), []).append((claim, q))

    disputes = []
    for question in sorted(by_question):
        items = by_question[question]
        for cluster in _clusters(items, same_question=question in SAME_QUESTION):
            members = [items[i] for i in cluster]
            if len({c.article_id for c, _ in members}) < 2:
                continue  # one article contradicting itself is not a cross-source dispute
            # Some two hedged figures cannot both be true exactly when the intervals do
            # not all overlap: in one dimension, when the largest lower bound exceeds
            # the smallest upper bound.
            bounds = [interval(q) for _, q in members]
            if max(lo for lo, _ in bounds) <= min(hi for _, hi in bounds):
                continue
            disputes.append(QuantityDispute(topic=_topic(members), positions=_positions(members)))
    return disputes


def _topic(members: list[tuple[Claim, Quantity]]) -> str:
    """'Number of missiles', or 'Number of missiles or rockets' when both are counted."""
    counts: dict[str, int] = {}
    for _, q in members:
        unit = normalize_unit(q.unit)
        counts[unit] = counts.get(unit, 0) + 1
    units = sorted(counts, key=lambda u: (-counts[u], u))
    return "Number of " + " or ".join(u if u.endswith("s") else f"{u}s" for u in units)


def _positions(members: list[tuple[Claim, Quantity]]) -> list[Position]:
    """One position per distinct reported figure, ordered by value."""
    by_figure: dict[tuple[str, float, float | None, str], tuple[Quantity, dict[str, Claim]]] = {}
    for claim, q in members:
        key = (q.qualifier.value, q.value, q.high, normalize_unit(q.unit))
        by_figure.setdefault(key, (q, {}))[1].setdefault(claim.id, claim)
    positions = []
    for key in sorted(by_figure, key=lambda k: (k[1], k[3], k[0])):
        q, cited = by_figure[key]
        positions.append(Position(
            statement=describe(q),
            claim_ids=list(cited),
            asserted_by=_distinct(c.asserted_by for c in cited.values()),
        ))
    return positions


def _distinct(names: Iterable[str]) -> list[str]:
    """Sorted, without case variants: 'Le Pentagone' and 'le Pentagone' are one source."""
    first: dict[str, str] = {}
    for name in sorted(names):
        first.setdefault(name.casefold(), name)
    return sorted(first.values(), key=str.casefold)
