"""Disputes over figures: the same measure, ranges that cannot all be true, two sources.

Every verified claim's figures are read in code from its statement
(factsum.pipeline.quantities): value, hedge, kind and the noun counted, any noun. Two
figures answer the same question when they are of the same kind (a toll: people killed,
injured, missing, evacuated...) or count the same noun (missiles, tonnes, euros). A
time of day is compared only between claims restating the same fact.

Every figure of the event is compared, so a second incident's toll reported in the
same articles (the seeds' funeral stampede next to the strike) stands as one more
position, with its quote for the reviewer to set aside: telling incidents apart needs
an understanding of the sentence that neither code nor the embedded model has shown.

Positions: one per speaker and compatible range (one speaker's "a dozen" and "more than
a dozen" is one position), and one per identical figure; a question becomes a dispute
when two positions have ranges that do not overlap and come from different independent
sources or different speakers (one outlet reporting "no victims, the Iraqi army says"
and "at least 80 dead, the Iranians say" reports a dispute).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

from factsum.models import Claim, Dispute, Position, Quantity
from factsum.pipeline.numbers import overlaps

Item = TypeVar("Item")

PEOPLE_KINDS = frozenset({"killed", "injured", "missing", "evacuated", "arrested", "affected"})
_TOPICS = {
    "killed": "People killed", "injured": "People injured", "missing": "People missing",
    "evacuated": "People evacuated", "arrested": "People arrested",
    "affected": "People affected", "money": "Amount of money", "percent": "Percentage",
    "time": "Time of day",
}


@dataclass(frozen=True)
class _Figure:
    claim: Claim
    quantity: Quantity
    source: str  # independence group
    speaker: str  # canonical speaker, or the outlet label when the outlet says it
    voice: str  # the named speaker, or the source when the outlet says it

    @property
    def range(self) -> tuple[float | None, float | None]:
        return self.quantity.low, self.quantity.high


def question(q: Quantity) -> tuple[str, str]:
    """What a figure answers: its kind, and for counts and measures the noun counted."""
    if q.kind in PEOPLE_KINDS or q.kind in ("money", "time"):
        return q.kind, ""
    return q.kind, q.unit.casefold().removesuffix("s")


def topic(key: tuple[str, str], unit: str) -> str:
    """A reader's label for a question."""
    kind, _noun = key
    if kind in _TOPICS:
        return _TOPICS[kind]
    if kind == "count":
        return f"Number of {unit}"
    return f"{kind.capitalize()} ({unit})"


def figure_disputes(
    claims: Sequence[Claim],
    *,
    groups: Mapping[str, str],
    same_fact: Callable[[str, str], bool],
    speakers: Mapping[str, str],
    outlets: Mapping[str, str],
) -> list[Dispute]:
    """Disputes over the claims' figures.

    ``groups``: article id -> independence group; ``same_fact(a, b)``: whether two
    claims restate the same fact (close statements, whatever their figures);
    ``speakers``: claim id -> canonical speaker ('' = the outlet);
    ``outlets``: article id -> the outlet's label.
    """
    by_question: dict[tuple[str, str], list[_Figure]] = {}
    for claim in claims:
        for q in claim.quantities:
            named = speakers.get(claim.id, "")
            source = groups[claim.article_id]
            figure = _Figure(claim, q, source, named or outlets[claim.article_id],
                             named or f"source {source}")
            by_question.setdefault(question(q), []).append(figure)
    disputes = []
    for key, figures in by_question.items():
        if key[0] == "time":
            for subset in _by_fact(figures, lambda f: f.claim, same_fact):
                if (d := _dispute(key, subset)) is not None:
                    disputes.append(d)
        elif (d := _dispute(key, figures)) is not None:
            disputes.append(d)
    return disputes


def _by_fact(items: Sequence[Item], claim_of: Callable[[Item], Claim],
             same_fact: Callable[[str, str], bool]) -> list[list[Item]]:
    """Items grouped by the fact their claims state (transitively): a time answers "when
    did it happen", and a weekday "which day", only for one happening."""
    groups: list[list[Item]] = []
    for item in items:
        cid = claim_of(item).id
        joined = [g for g in groups
                  if any(claim_of(i).id == cid or same_fact(claim_of(i).id, cid) for i in g)]
        groups = [g for g in groups if g not in joined] + [
            [item, *(i for g in joined for i in g)]]
    return groups


def _dispute(key: tuple[str, str], figures: list[_Figure]) -> Dispute | None:
    positions = _positions(figures)
    if not _conflict(positions):
        return None
    unit = figures[0].quantity.unit
    return Dispute(
        id="", topic=topic(key, unit), origin="figures",
        positions=[
            Position(
                statement=p[0].quantity.text,
                claim_ids=list(dict.fromkeys(f.claim.id for f in p)),
                asserted_by=sorted({f.speaker for f in p}),
            )
            for p in sorted(positions, key=_order)
        ],
    )


def _positions(figures: list[_Figure]) -> list[list[_Figure]]:
    """Figures merged into positions (see the module docstring)."""
    positions: list[list[_Figure]] = []
    for figure in figures:
        for position in positions:
            same_speaker = any(f.speaker == figure.speaker for f in position)
            if (same_speaker and all(overlaps(f.range, figure.range) for f in position)) or \
                    any(_same_figure(f.quantity, figure.quantity) for f in position):
                position.append(figure)
                break
        else:
            positions.append([figure])
    return positions


def _same_figure(a: Quantity, b: Quantity) -> bool:
    return (a.value, a.hedge, a.low, a.high) == (b.value, b.hedge, b.low, b.high)


def _conflict(positions: list[list[_Figure]]) -> bool:
    for i, first in enumerate(positions):
        for second in positions[i + 1:]:
            if ({f.source for f in first} == {f.source for f in second}
                    and {f.voice for f in first} == {f.voice for f in second}):
                continue  # one voice against itself is not a dispute
            if {f.claim.id for f in first} & {f.claim.id for f in second}:
                continue  # one sentence gives both ("5.30 p.m. (11.30 p.m. in Paris)")
            if not any(overlaps(a.range, b.range) for a in first for b in second):
                return True
    return False


def _order(position: list[_Figure]) -> tuple[float, float]:
    low, high = position[0].range
    return (low if low is not None else float("-inf"),
            high if high is not None else float("inf"))


@dataclass(frozen=True)
class Said:
    """A categorical value a claim gives (a weekday, a year), for ``value_disputes``."""

    claim: Claim
    value: str
    source: str
    speaker: str


def value_disputes(
    said: Sequence[Said],
    *,
    topic: str,
    same_fact: Callable[[str, str], bool],
) -> list[Dispute]:
    """Disputes over a categorical value: two claims from different sources that restate
    one fact (close statements) but give different values ("the bridge collapsed on
    Tuesday" against "on Monday"; "a contract until 2030" against "2029")."""
    out = []
    for group in _by_fact(said, lambda s: s.claim, same_fact):
        by_value: dict[str, list[Said]] = {}
        for s in group:
            by_value.setdefault(s.value, []).append(s)
        sources = [{s.source for s in members} for members in by_value.values()]
        if len(by_value) < 2 or len(set().union(*sources)) < 2:
            continue
        out.append(Dispute(
            id="", topic=topic, origin="figures",
            positions=[
                Position(statement=value,
                         claim_ids=list(dict.fromkeys(s.claim.id for s in members)),
                         asserted_by=sorted({s.speaker for s in members}))
                for value, members in sorted(by_value.items())
            ],
        ))
    return out
