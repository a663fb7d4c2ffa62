"""Disputes over figures: the same measure, ranges that cannot all be true, two sources.

Every verified claim's figures are read in code from its statement
(factsum.pipeline.quantities): value, hedge, kind and the noun counted, any noun. Two
figures answer the same question when they are of the same kind (a toll: people killed,
injured, missing, evacuated...) or count the same noun (missiles, tonnes, euros). A
time of day is compared only between claims restating the same fact.

Every figure of the event is compared, except a toll whose clause speaks only of
things no other independent source speaks of: "But a stampede left more than 50 dead",
where the other sources write of strikes, raids and missiles, is another incident's
toll (see ``_another_incident``). Telling incidents apart in general needs an
understanding of the sentence that neither code nor the embedded model has shown; this
check only sets aside a toll whose own clause names nothing the others report, so a
second incident named in words the others also use still stands as one more position,
with its quote for the reviewer to set aside.

A toll or a head count in a statement that names a year is that year's (``DATED_KINDS``):
another year's fire is not this one's.

Weekdays and years (``categorical_disputes``) are compared between claims of one fact,
or whose clauses holding the value say the same thing (``same_clause``).

Positions: one per speaker and compatible range (one speaker's "a dozen" and "more than
a dozen" is one position), and one per identical figure; a question becomes a dispute
when two positions have ranges that do not overlap and come from different independent
sources or different speakers (one outlet reporting "no victims, the Iraqi army says"
and "at least 80 dead, the Iranians say" reports a dispute). A value that every voice of
the other positions also gives is no position (``_contested``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TypeVar

from babel import Locale, UnknownLocaleError
from babel.units import UnknownUnitError, get_unit_name
from rapidfuzz import fuzz

from factsum.models import Claim, Dispute, Position, Quantity
from factsum.pipeline.lexicon import cldr_locale, fold, lexicon
from factsum.pipeline.numbers import overlaps
from factsum.pipeline.quantities import PEOPLE_KINDS, question
from factsum.pipeline.reconcile import SAME_FACT, content
from factsum.pipeline.verify import calendar_names

__all__ = ["PEOPLE_KINDS", "Said", "categorical_disputes", "figure_disputes",
           "label_language", "labels", "question", "same_clause", "topic", "value_disputes"]

Item = TypeVar("Item")

# A reader's labels for the questions, in the summary language (English when there is
# no table): the rest of a topic (the noun counted, a unit's name, a date) is already in
# that language, from the statements or from CLDR.
_LABELS: dict[str, dict[str, str]] = {
    "en": {
        "killed": "People killed", "injured": "People injured", "missing": "People missing",
        "evacuated": "People evacuated", "arrested": "People arrested",
        "affected": "People affected", "money": "Amount of money", "percent": "Percentage",
        "time": "Time of day", "count": "Number of {unit}", "weight": "Weight ({unit})",
        "distance": "Distance ({unit})", "duration": "Duration ({unit})",
        "other": "Measure ({unit})", "date": "Date", "weekday": "Day of the week",
        "year": "Year", "calendar": "Day of the week of {date}",
    },
    "fr": {
        "killed": "Personnes tuées", "injured": "Personnes blessées",
        "missing": "Personnes disparues", "evacuated": "Personnes évacuées",
        "arrested": "Personnes arrêtées", "affected": "Personnes touchées",
        "money": "Montant", "percent": "Pourcentage", "time": "Heure",
        "count": "Nombre de {unit}", "weight": "Poids ({unit})",
        "distance": "Distance ({unit})", "duration": "Durée ({unit})",
        "other": "Mesure ({unit})", "date": "Date", "weekday": "Jour de la semaine",
        "year": "Année", "calendar": "Jour de la semaine du {date}",
    },
}


def label_language(language: str) -> str:
    """The language the topics are written in: ``language``, or English when there is
    no table for it."""
    return language if language in _LABELS else "en"


def labels(language: str) -> dict[str, str]:
    """The topic labels in ``language`` (English when there is no table)."""
    return _LABELS[label_language(language)]


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


def topic(key: tuple[str, str], unit: str, language: str = "en") -> str:
    """A reader's label for a question, in the summary language."""
    kind, _noun = key
    words = labels(language)
    label = words.get(kind, words["other"])
    if "{unit}" not in label:
        return label
    if kind == "count":
        if language == "fr" and unit[:1].casefold() in "aeiouyàâéèêëîïôûü":
            return label.replace("de {unit}", "d’{unit}").format(unit=unit)  # d'habitants
        return label.format(unit=unit)
    # A unit's name in the labels' language, so that a topic is in one language.
    return label.format(unit=_unit_name(unit, label_language(language)))


def _unit_name(unit: str, language: str) -> str:
    """A CLDR unit id's name in the language ("mass-tonne" -> "tonnes"); other units (a
    noun from a statement) as they are."""
    try:
        name = get_unit_name(unit, length="long", locale=language)
    except (UnknownUnitError, UnknownLocaleError, ValueError):
        return unit
    return name or unit


def figure_disputes(
    claims: Sequence[Claim],
    *,
    groups: Mapping[str, str],
    same_fact: Callable[[str, str], bool],
    speakers: Mapping[str, str],
    outlets: Mapping[str, str],
    language: str = "en",
) -> list[Dispute]:
    """Disputes over the claims' figures.

    ``groups``: article id -> independence group; ``same_fact(a, b)``: whether two
    claims restate the same fact (close statements, whatever their figures);
    ``speakers``: claim id -> canonical speaker ('' = the outlet);
    ``outlets``: article id -> the outlet's label; ``language``: the summary language,
    for the topics.
    """
    by_question: dict[tuple[tuple[str, str], tuple[str, ...]], list[_Figure]] = {}
    said_by: dict[str, set[str]] = {}  # independence group -> stems of its statements
    for claim in claims:
        said_by.setdefault(groups[claim.article_id], set()).update(
            _stems(content(claim.statement)))
    others_of = {group: set().union(*(stems for other, stems in said_by.items()
                                      if other != group))
                 for group in said_by}  # what every other independent source says
    for claim in claims:
        others = others_of[groups[claim.article_id]]
        for q in claim.quantities:
            if q.kind in PEOPLE_KINDS and _another_incident(claim.statement, q.text, others,
                                                             language):
                continue  # another incident's toll: no position on the event's
            named = speakers.get(claim.id, "")
            source = groups[claim.article_id]
            figure = _Figure(claim, q, source, named or outlets[claim.article_id],
                             named or f"source {source}")
            dated = tuple(sorted(set(_YEAR.findall(claim.statement)))) \
                if q.kind in DATED_KINDS else ()
            by_question.setdefault((question(q), dated), []).append(figure)
    disputes = []
    for (key, _dated), figures in by_question.items():
        if key[0] == "time":
            for subset in _by_fact(figures, lambda a, b: same_fact(a.claim.id, b.claim.id)):
                if (d := _dispute(key, subset, language)) is not None:
                    disputes.append(d)
        elif (d := _dispute(key, figures, language)) is not None:
            disputes.append(d)
    return disputes


DATED_KINDS = PEOPLE_KINDS | {"count"}
"""Kinds of figure that a year in their statement dates: "In 2019, a fire on the same
site caused at least 12 injuries" answers how many were hurt in 2019, not in the event,
and is compared only with tolls of statements naming the same years. An amount or a
rate is left alone: a year beside it is as often its term ("52 million euros ... a
contract until 2029", "growth of 8 % by 2027") as its date."""

MIN_UNSHARED_WORDS = 2
"""Content words a figure's clause must have, none said by another source, for the
figure to be taken for another incident's (see ``_another_incident``)."""


def _another_incident(statement: str, text: str, others: set[str], language: str) -> bool:
    """Whether the figure ``text`` of ``statement`` belongs to an incident no other
    independent source reports: its clause, less the figure's own words, has two
    content words or more (``MIN_UNSHARED_WORDS``) and no other source's statements
    use any of them ("But a stampede left more than 50 dead", where the others speak of
    strikes and raids). Words are compared by their first five letters, so that
    "Iranians" and "Iranian" count as shared; one unshared word is not enough (a
    synonym: "the blast killed 12" where the others write "explosion")."""
    at = statement.find(text)
    if at < 0:
        return False
    marked = f"{statement[:at]} {_MARK} {statement[at + len(text):]}"
    harm = {fold(w) for w in lexicon(language).people}  # the toll's words, not its cause
    words = _stems(" ".join(w for w in _clause_of(marked, _MARK, language).split()
                            if w != _MARK.casefold() and w not in harm))
    return len(words) >= MIN_UNSHARED_WORDS and not words & others


_MARK = "FIGUREHERE"


def _stems(words: str) -> set[str]:
    """Words cut to their first five letters: a stemmer for any language."""
    return {w[:5] for w in words.split()}


def _by_fact(items: Sequence[Item], related: Callable[[Item, Item], bool]
             ) -> list[list[Item]]:
    """Items grouped by the fact their claims state (transitively): a time answers "when
    did it happen", and a weekday "which day", only for one happening."""
    groups: list[list[Item]] = []
    for item in items:
        joined = [g for g in groups if any(related(i, item) for i in g)]
        groups = [g for g in groups if g not in joined] + [
            [item, *(i for g in joined for i in g)]]
    return groups


def _dispute(key: tuple[str, str], figures: list[_Figure], language: str
             ) -> Dispute | None:
    positions = _contested(_positions(figures))
    if not _conflict(positions):
        return None
    unit = figures[0].quantity.unit
    return Dispute(
        id="", topic=topic(key, unit, language), origin="figures",
        positions=[
            Position(
                statement=p[0].quantity.text,
                claim_ids=list(dict.fromkeys(f.claim.id for f in p)),
                asserted_by=sorted({f.speaker for f in p}),
            )
            for p in sorted(positions, key=_order)
        ],
    )


def _contested(positions: list[list[_Figure]]) -> list[list[_Figure]]:
    """The positions less those that every voice of the others also gives, each beside
    its own value: a vote share that every outlet reports beside its turnout figure, or
    the two bases hit, which the one outlet that counts 35 bases in the region also
    gives. No one contradicts such a value; it answers another question. Voices are
    (source, speaker): "no victims, the Iraqi army says" and "80 dead, the Iranians
    say", in one outlet, stay two voices."""
    kept = list(positions)
    while len(kept) > 1:
        for position in kept:
            others = {(f.source, f.voice) for other in kept if other is not position
                      for f in other}
            if others <= {(f.source, f.voice) for f in position}:
                kept.remove(position)
                break
        else:
            break
    return kept


def _positions(figures: list[_Figure]) -> list[list[_Figure]]:
    """Figures merged into positions (see the module docstring), whatever their order:
    two positions are merged while one speaker is in both and all their ranges overlap,
    or both hold one identical figure (the Pentagon's "a dozen" joins the position that
    its "more than a dozen" joined through another outlet's identical figure)."""
    positions = [[figure] for figure in figures]
    merged = True
    while merged:
        merged = False
        for i, first in enumerate(positions):
            for second in positions[i + 1:]:
                if _one_position(first, second):
                    first.extend(second)
                    positions.remove(second)
                    merged = True
                    break
            if merged:
                break
    return positions


def _one_position(first: list[_Figure], second: list[_Figure]) -> bool:
    same_speaker = bool({f.speaker for f in first} & {f.speaker for f in second})
    return (same_speaker and all(overlaps(a.range, b.range) for a in first for b in second)
            ) or any(_same_figure(a.quantity, b.quantity) for a in first for b in second)


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
            ours, theirs = _joint_range(first), _joint_range(second)
            if ours is not None and theirs is not None:
                if not overlaps(ours, theirs):
                    return True
            elif not any(overlaps(a.range, b.range) for a in first for b in second):
                return True
    return False


def _joint_range(position: list[_Figure]) -> tuple[float | None, float | None] | None:
    """What a position's figures say together: the range they all allow (the Pentagon's
    "a dozen", "more than a dozen" and "at least 12" allow 13 to 14.4, which 22
    contradicts, although "at least 12" alone would not); None when they share no value
    (a position joined through one identical figure)."""
    lows = [f.range[0] for f in position if f.range[0] is not None]
    highs = [f.range[1] for f in position if f.range[1] is not None]
    low, high = max(lows, default=None), min(highs, default=None)
    if low is not None and high is not None and low > high:
        return None
    return low, high


def _order(position: list[_Figure]) -> tuple[float, float]:
    low, high = position[0].range
    return (low if low is not None else float("-inf"),
            high if high is not None else float("inf"))


@dataclass(frozen=True)
class Said:
    """A categorical value a claim gives (a weekday, a year), for ``value_disputes``.

    ``clause``: the content words of the clause of the statement that gives the value,
    less the value's own words ("signed contract until" for "... and the player signed a
    contract until 2029"). ``cited``: the value was read from the cited sentence, not
    from the statement (which has no clause for it then)."""

    claim: Claim
    value: str
    source: str
    speaker: str
    clause: str = ""
    cited: bool = False


def value_disputes(
    said: Sequence[Said],
    *,
    topic: str,
    same_fact: Callable[[str, str], bool],
    same_point: Callable[[str, str], bool] | None = None,
) -> list[Dispute]:
    """Disputes over a categorical value: two claims from different sources that restate
    one fact (close statements), or give the value in clauses that say the same thing,
    but give different values ("the bridge collapsed on Tuesday" against "on Monday";
    "a contract until 2030" against "2029").

    A value read from the cited sentence (``Said.cited``) is only set against the claims
    of its own point (``same_point``; default ``same_fact``): its restatement dropped
    it, so nothing shows which of the sentence's facts it dates ("the Pentagon said on
    Tuesday" dates the statement, not the strike)."""
    out = []
    in_point = same_point or same_fact

    def related(a: Said, b: Said) -> bool:
        if a.claim.id == b.claim.id:
            return True
        if a.cited or b.cited:
            return in_point(a.claim.id, b.claim.id)
        return same_fact(a.claim.id, b.claim.id) or same_clause(a.clause, b.clause)

    for group in _by_fact(said, related):
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


MIN_SHARED_CLAUSE_WORDS = 2
"""Content words two clauses must share to give one fact's value: one shared word ("the
bridge collapsed on Tuesday" / "the bridge reopened on Friday") names a thing, not what
happened to it."""


def same_clause(a: str, b: str) -> bool:
    """Whether two clauses (content words, see ``Said``) say the same thing: close as
    statements of one fact are (``SAME_FACT``), sharing two words or more."""
    if not a or not b:
        return False
    shared = set(a.split()) & set(b.split())
    return (len(shared) >= MIN_SHARED_CLAUSE_WORDS
            and fuzz.token_set_ratio(a, b) >= SAME_FACT)


_YEAR = re.compile(r"(?<![\d.,])(?:19|20)\d\d(?!\d|[.,]\d)")
"""A year in four digits, not part of a longer number ("2029." ends a sentence)."""
_CLAUSE_END = re.compile(r"[,;:()\[\]«»\"“”—–]")


def categorical_disputes(
    claims: Sequence[Claim],
    *,
    groups: Mapping[str, str],
    speakers: Mapping[str, str],
    outlets: Mapping[str, str],
    languages: Mapping[str, str],
    language: str,
    same_fact: Callable[[str, str], bool],
    same_point: Callable[[str, str], bool] | None = None,
) -> list[Dispute]:
    """Weekdays and years that claims of one fact give differently (dates given with
    their day of the month are the calendar check's); ``same_fact`` and ``same_point``
    as for ``value_disputes``.

    A value is read from the statement (in the summary ``language``), else from the
    cited sentence (``languages``: article id -> its language), whose names CLDR gives
    as well: a restatement may drop the weekday its sentence gives ("ha condannato
    giovedì"), and the sentence is what the position cites."""
    days = _day_names(language)
    weekdays, years = [], []
    for c in claims:
        who = speakers.get(c.id) or outlets[c.article_id]
        source = groups[c.article_id]
        own = languages.get(c.article_id, language)
        named = _weekdays(c.statement, language)
        if named:
            if len(named) == 1:
                weekdays.append(Said(c, days[named[0]], source, who,
                                     _clause_of(c.statement, days[named[0]], language)))
        elif len(cited := _weekdays(c.quote, own)) == 1:
            weekdays.append(Said(c, days[cited[0]], source, who, cited=True))
        found = set(_YEAR.findall(c.statement))
        if found:
            if len(found) == 1:
                year = found.pop()
                years.append(Said(c, year, source, who, _clause_of(c.statement, year,
                                                                   language)))
        elif len(cited_years := set(_YEAR.findall(c.quote))) == 1:
            years.append(Said(c, cited_years.pop(), source, who, cited=True))
    words = labels(language)
    return [*value_disputes(weekdays, topic=words["weekday"], same_fact=same_fact,
                            same_point=same_point),
            *value_disputes(years, topic=words["year"], same_fact=same_fact,
                            same_point=same_point)]


def _weekdays(text: str, language: str) -> list[int]:
    return sorted(index for kind, index in calendar_names(text, language) if kind == "day")


@lru_cache(maxsize=32)
def _day_names(language: str) -> dict[int, str]:
    days = (cldr_locale(language) or Locale.parse("en")).days["format"]["wide"]
    return {int(index): name for index, name in days.items()}


def _clause_of(statement: str, value: str, language: str) -> str:
    """The content words of the clause of ``statement`` that gives ``value`` (cut at
    punctuation and at the summary language's conjunctions), less the words of dates
    and times (CLDR's weekday, month and day-period names) and reporting verbs: what the
    clause says happened, not when or who said so."""
    found = re.search(rf"(?<!\w){re.escape(value)}(?!\w)", statement, re.IGNORECASE)
    if found is None:
        return ""
    conjunctions = "|".join(map(re.escape, sorted(lexicon(language).conjunctions)))
    end = re.compile(rf"{_CLAUSE_END.pattern}|(?i:\b(?:{conjunctions})\b)"
                     if conjunctions else _CLAUSE_END.pattern)
    starts = [m.end() for m in end.finditer(statement, 0, found.start())]
    stop = end.search(statement, found.end())
    clause = statement[starts[-1] if starts else 0:stop.start() if stop else len(statement)]
    skip = _slot_words(language)
    return " ".join(w for w in content(clause).split() if w not in skip)


@lru_cache(maxsize=32)
def _slot_words(language: str) -> frozenset[str]:
    """Folded words that say when or who says, not what: weekday, month and day-period
    names (CLDR) and the language's reporting verbs."""
    locale = cldr_locale(language)
    if locale is None:
        return frozenset()
    names: set[str] = set()
    for context in ("format", "stand-alone"):
        names |= set(locale.days[context]["wide"].values())
        names |= set(locale.months[context]["wide"].values())
        for width in ("wide", "abbreviated"):
            names |= set(locale.day_periods[context].get(width, {}).values())
    names |= lexicon(language).reporting
    return frozenset(w for name in names for w in content(name).split())
