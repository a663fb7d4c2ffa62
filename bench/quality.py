"""``python -m bench.quality``: score factsum summaries against the evaluation set.

The set lives in ``tests/data/eval/<event>/``: a few short articles per event and a
``gold.json`` (the :class:`Gold` model below) listing the facts, planted disputes, decoy
figures, syndication groups and injection canaries. ``docs/evaluation.md`` describes
the set and every rule used here.

    python -m bench.quality [--summaries DIR] [--events DIR] [--json OUT]
    python -m bench.quality --run [--summaries DIR] ...   # summarise first, then score

With the default folders, the reference event (``seeds/``, whose committed summary is
``examples/seeds/summary.json`` and whose gold is ``tests/data/seeds/gold.json``) is
scored too, against issue 15's targets for it, apart from the total.

Scoring reads ``DIR/<event>/summary.json`` (``factsum summarize ... --format json``).
``--run`` writes those files by calling :func:`factsum.summarize` on each event with
the settings from the environment (the embedded model when no endpoint is set).
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
import time
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from factsum.errors import ConfigError, FactsumError, InputError
from factsum.models import Summary
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

DEFAULT_EVENTS = Path("tests/data/eval")
DEFAULT_SUMMARIES = Path("examples/eval")
SEEDS_GOLD = Path("tests/data/seeds")
"""The reference event's gold; its articles are ``seeds/``, its summary the committed
``examples/seeds/summary.json``. Issue 15 sets it targets of its own, and it is reported
apart from the evaluation set's total, which measures events nobody tuned for."""
SEEDS_ARTICLES = Path("seeds")
SEEDS_SUMMARY = Path("examples/seeds/summary.json")
SEEDS_MULTI_SOURCE_TARGET = 6
MIN_WORDS_FOR_LANGUAGE = 4
"""Shorter statements ("Erbil", "Marta Seixas") say nothing reliable about language."""

# --------------------------------------------------------------------------- gold format


class _Gold(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class GoldArticle(_Gold):
    """One article file of an event."""

    outlet: str = Field(min_length=1, description="The outlet named on the file's first line.")
    lang: str = Field(pattern=r"^[a-z]{2}$", description="ISO 639-1 code of the text.")


def _lower(words: Iterable[str], where: str) -> None:
    for word in words:
        if not word.strip() or word != word.lower():
            raise ValueError(f"{where}: {word!r} must be lower-case and not blank")


class GoldFact(_Gold):
    """A fact the summary should state; matched on point statements by keywords."""

    id: str
    statement: str = Field(description="The fact in English, for the reader of the gold.")
    articles: list[str] = Field(min_length=1, description="Files that report it.")
    keywords: list[list[str]] = Field(
        min_length=1, description="Every group must match; any alternative within a group "
        "(lower-case, English, matched at word starts).")

    @model_validator(mode="after")
    def _check(self) -> GoldFact:
        if any(not group for group in self.keywords):
            raise ValueError(f"fact {self.id}: empty keyword group")
        _lower((w for group in self.keywords for w in group), f"fact {self.id}")
        return self


class GoldPosition(_Gold):
    """One side of a planted dispute: a value and the files that state it."""

    value: float | str = Field(description="A number as written with its unit implied "
                               "(412 for '412 million euros'), 'HH:MM' for a time of day, or "
                               "a word or name (a weekday, a place).")
    articles: list[str] = Field(min_length=1)
    match: list[str] = Field(default_factory=list, description="Extra lower-case phrases "
                             "that also state this value ('midnight', 'lugano').")

    @model_validator(mode="after")
    def _check(self) -> GoldPosition:
        _lower(self.match, f"position {self.value!r}")
        return self


class GoldDispute(_Gold):
    """A planted disagreement between outlets on one measure."""

    id: str
    measure: str = Field(description="What is measured, e.g. 'people evacuated'.")
    positions: list[GoldPosition] = Field(min_length=2)


class GoldNonDispute(_Gold):
    """A figure that looks like a dispute but is not (another incident, agreeing hedges)."""

    id: str
    measure: str
    note: str
    articles: list[str] = Field(min_length=1)
    values: list[float | str] = Field(
        min_length=1, description="The decoy values; a dispute position citing one of the "
        "articles with one of these values is a false position.")


class GoldInjection(_Gold):
    """An instruction planted in an article, found by a phrase of it."""

    article: str
    marker: str = Field(min_length=1, description="A phrase of the injected passage as the "
                        "article writes it; a statement citing it restates the injection.")


class Gold(_Gold):
    """The gold file of one event (``gold.json``)."""

    event: str
    kind: str
    languages: list[str] = Field(min_length=1)
    articles: dict[str, GoldArticle] = Field(min_length=1)
    facts: list[GoldFact]
    disputes: list[GoldDispute]
    non_disputes: list[GoldNonDispute]
    syndication: list[list[str]] = Field(description="Groups of files that copy one wire "
                                         "text (also translated); each counts once.")
    canaries: list[str] = Field(default_factory=list, description="Lower-case phrases an "
                                "injected instruction asks for; never in a summary.")
    injections: list[GoldInjection] = Field(default_factory=list)

    @model_validator(mode="after")
    def _check(self) -> Gold:
        known = set(self.articles)
        cited = [(f"fact {f.id}", f.articles) for f in self.facts]
        cited += [(f"dispute {d.id}", p.articles) for d in self.disputes for p in d.positions]
        cited += [(f"non-dispute {n.id}", n.articles) for n in self.non_disputes]
        cited += [("syndication", g) for g in self.syndication]
        cited += [("injection", [i.article]) for i in self.injections]
        for where, files in cited:
            if unknown := sorted(set(files) - known):
                raise ValueError(f"{where} names files not in articles: {unknown}")
        if sorted(set(self.languages)) != sorted({a.lang for a in self.articles.values()}):
            raise ValueError("languages must list exactly the articles' languages")
        grouped = [f for g in self.syndication for f in g]
        if len(grouped) != len(set(grouped)) or any(len(g) < 2 for g in self.syndication):
            raise ValueError("syndication groups need 2+ files, each file in one group")
        _lower(self.canaries, "canaries")
        if bool(self.canaries) != bool(self.injections):
            raise ValueError("canaries and injections go together")
        return self


def load_gold(event_dir: Path, articles_dir: Path | None = None) -> Gold:
    """Read and validate ``event_dir/gold.json`` (its articles in ``articles_dir``, by
    default beside it); InputError names the file and problem."""
    path = event_dir / "gold.json"
    articles = articles_dir or event_dir
    try:
        gold = Gold.model_validate_json(path.read_bytes())
    except OSError as exc:
        raise InputError(str(path), exc.strerror or "unreadable") from None
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise InputError(str(path), f"{where}: {first['msg']}" if where else first["msg"]) \
            from None
    if missing := sorted(f for f in gold.articles if not (articles / f).is_file()):
        raise InputError(str(path), f"article files missing: {missing}")
    for injection in gold.injections:
        text = normalise((articles / injection.article).read_text(encoding="utf-8"))
        if normalise(injection.marker) not in text:
            raise InputError(str(path), f"injection marker not in {injection.article}: "
                                        f"{injection.marker!r}")
    return gold


def event_dirs(events: Path) -> list[Path]:
    """Event folders (those holding a gold.json), sorted by name."""
    if not events.is_dir():
        raise ConfigError(f"--events {events}: not a folder")
    found = sorted(p.parent for p in events.glob("*/gold.json"))
    if not found:
        raise ConfigError(f"--events {events}: no <event>/gold.json in it")
    return found


# --------------------------------------------------------------------------- text matching

_THOUSANDS = re.compile(r"(?<=\d)[,.\u00a0\u202f ](?=\d{3}(?!\d))")
_DECIMAL_COMMA = re.compile(r"(?<=\d),(?=\d{1,2}(?!\d))")
_NUMBER = re.compile(r"(?<![\w.])\d+(?:\.\d+)?")  # '412m' and '3.4%' read 412, 3.4
_TIME = re.compile(r"(?<![\w.])(\d{1,2})(?:[:h.](\d{2}))?\s*(a\.?\s?m\b\.?|p\.?\s?m\b\.?)?"
                   r"(?![\w])")
_WORD_NUMBERS = {w: n for n, w in enumerate((
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
    "eighteen", "nineteen", "twenty"))}
_WORD_NUMBERS |= {"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
                  "eighty": 80, "ninety": 90, "hundred": 100, "dozen": 12}


def normalise(text: str) -> str:
    """Lower-case, accents and curly quotes removed, thousands separators dropped
    ('1,500' and '1 500' read '1500'), decimal commas read as points ('3,4' is '3.4')."""
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u2011", "-")
    return _DECIMAL_COMMA.sub(".", _THOUSANDS.sub("", text))


def phrase_in(text: str, phrase: str) -> bool:
    """True if ``phrase`` starts at a word start of normalised ``text`` (a prefix match:
    'evacuat' finds 'evacuated'); a phrase ending in a digit must end the number there."""
    p = normalise(phrase)
    tail = r"(?!\d|[.,:]\d)" if p[-1:].isdigit() else ""
    head = r"(?<![\w.,])" if p[:1].isdigit() else r"(?<!\w)"
    return re.search(head + re.escape(p) + tail, text) is not None


def numbers_in(text: str) -> set[float]:
    """Numbers a normalised text states, in digits or as English number words."""
    found = {float(m.group()) for m in _NUMBER.finditer(text)}
    for word in re.findall(r"[a-z]+(?:-[a-z]+)?", text):
        parts = word.split("-")
        if all(p in _WORD_NUMBERS for p in parts):
            found.add(float(sum(_WORD_NUMBERS[p] for p in parts)))
    return found


def times_in(text: str) -> set[int]:
    """Times of day a normalised text states, as minutes after midnight."""
    found = {0} if "midnight" in text else set()
    if "noon" in text:
        found.add(720)
    for m in _TIME.finditer(text):
        hour, minute, half = int(m.group(1)), m.group(2), m.group(3)
        if minute is None and half is None:
            continue  # a bare number is no time of day
        if half and half.startswith("p") and hour < 12:
            hour += 12
        elif half and half.startswith("a") and hour == 12:
            hour = 0
        if hour < 24 and int(minute or 0) < 60:
            found.add(hour * 60 + int(minute or 0))
    return found


def _as_time(value: float | str) -> int | None:
    if isinstance(value, str) and (m := re.fullmatch(r"(\d{1,2}):(\d{2})", value)):
        return int(m.group(1)) * 60 + int(m.group(2))
    return None


def states_value(text: str, value: float | str, extra: Sequence[str] = (),
                 quantities: Iterable[float] = ()) -> bool:
    """True if normalised ``text`` (or, for numbers, one of ``quantities``) states ``value``.

    Numbers compare numerically, 'HH:MM' values as times of day, other strings (and every
    phrase in ``extra``) as phrases at word starts.
    """
    if any(phrase_in(text, p) for p in extra):
        return True
    if (minutes := _as_time(value)) is not None:
        return minutes in times_in(text)
    if isinstance(value, str):
        return phrase_in(text, value)
    return any(math.isclose(n, value, rel_tol=1e-6) for n in (*numbers_in(text), *quantities))


# --------------------------------------------------------------------------- summary view


LanguageGuesser = Callable[[str, Sequence[str]], str]
"""(text, candidate languages) -> the text's language (py3langid in the command)."""


def py3langid_guesser() -> LanguageGuesser:
    """A py3langid identifier restricted to each event's languages (loaded once)."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)

    def guess(text: str, languages: Sequence[str]) -> str:
        identifier.set_languages(sorted(set(languages)))
        return str(identifier.classify(text)[0])

    return guess


@dataclass(frozen=True)
class _View:
    """A Summary with its citations resolved to the article files they come from."""

    summary: Summary
    files_by_claim: dict[str, frozenset[str]]
    quantities_by_claim: dict[str, tuple[float, ...]]

    @classmethod
    def of(cls, summary: Summary) -> _View:
        files_by_article = {a.id: frozenset(s.strip() for s in a.source.split(", "))
                            for a in summary.articles}
        return cls(
            summary,
            {c.id: files_by_article.get(c.article_id, frozenset()) for c in summary.claims},
            {c.id: tuple(q.value for q in getattr(c, "quantities", ()) or ()
                         if isinstance(getattr(q, "value", None), int | float))
             for c in summary.claims},
        )

    def files(self, claim_ids: Iterable[str]) -> set[str]:
        return {f for i in claim_ids for f in self.files_by_claim.get(i, ())}

    def quantities(self, claim_ids: Iterable[str]) -> list[float]:
        return [q for i in claim_ids for q in self.quantities_by_claim.get(i, ())]


# --------------------------------------------------------------------------- scores


class DisputeFound(BaseModel):
    """A gold dispute and the summary dispute that separates two of its positions."""

    gold: str
    measure: str
    summary_dispute: str
    topic: str
    values: list[float | str] = Field(description="Gold values the summary's positions took.")


class FalsePosition(BaseModel):
    """A summary dispute position that takes no planted position, or a decoy figure."""

    dispute: str
    topic: str
    statement: str
    files: list[str]
    reason: str


class EventScore(BaseModel):
    """Every figure of one event (no summary: everything found is empty or zero)."""

    event: str
    summary_found: bool
    problem: str | None = Field(default=None, description="'missing' or 'unreadable'.")
    facts: int
    facts_found: list[str] = Field(default_factory=list)
    fact_points: dict[str, str] = Field(default_factory=dict,
                                        description="Fact id -> the key point that states it.")
    facts_found_any_point: list[str] = Field(default_factory=list)
    key_field: bool = Field(default=False,
                            description="The Summary marks key points (else all count).")
    points: int = 0
    points_multi_source: int = Field(default=0, description="Points whose cited files span "
                                     "2+ gold independent sources (a copy counts once).")
    points_multi_source_claimed: int = Field(default=0, description="Points the summary "
                                             "itself counts as having 2+ sources.")
    disputes: int
    disputes_found: list[DisputeFound] = Field(default_factory=list)
    disputes_found_by_articles: list[str] = Field(
        default_factory=list,
        description="Gold disputes separated by cited articles alone (values ignored).")
    false_positions: list[FalsePosition] = Field(default_factory=list)
    split_positions: int = Field(default=0, description="Extra positions of one dispute "
                                 "that take the same gold position ('about 12', '12').")
    support_known: bool = False
    points_supported: int = 0
    points_unsupported: int = 0
    syndication_groups: int
    syndication_found: int = 0
    wrongly_grouped_pairs: list[list[str]] = Field(default_factory=list)
    statements_checked: int = 0
    other_language: list[str] = Field(default_factory=list)
    canaries_found: list[str] = Field(default_factory=list, description="Canaries in the "
                                      "headline, a topic, or a statement that does not cite "
                                      "the injected passage.")
    injections_restated: list[str] = Field(default_factory=list, description="Statements "
                                           "that restate the injected passage (cite it).")


def _empty(gold: Gold, problem: str) -> EventScore:
    return EventScore(event=gold.event, summary_found=False, problem=problem,
                      facts=len(gold.facts), disputes=len(gold.disputes),
                      syndication_groups=len(gold.syndication))


def fact_matches(fact: GoldFact, statement: str, files: set[str]) -> bool:
    """The fact-recall rule: every keyword group matches the statement, or the point
    cites 2+ of the fact's articles and at least half of the groups match."""
    text = normalise(statement)
    hits = sum(any(phrase_in(text, w) for w in group) for group in fact.keywords)
    if hits == len(fact.keywords):
        return True
    return len(files & set(fact.articles)) >= 2 and 2 * hits >= len(fact.keywords)


def _units(gold: Gold, files: Iterable[str]) -> int:
    """Independent sources among ``files``: a syndication group counts once."""
    group_of = {f: i for i, g in enumerate(gold.syndication) for f in g}
    return len({group_of.get(f, f) for f in files if f in gold.articles})


def _facts(gold: Gold, view: _View, *, key_only: bool) -> dict[str, str]:
    """{fact id: id of the first point that states it}."""
    points = [p for p in view.summary.points if not key_only or getattr(p, "key", True)]
    found: dict[str, str] = {}
    for f in gold.facts:
        for p in points:
            if fact_matches(f, p.statement, view.files(p.claim_ids)):
                found[f.id] = p.id
                break
    return found


@dataclass(frozen=True)
class _Side:
    index: int
    statement: str
    files: frozenset[str]
    text: str
    quantities: tuple[float, ...]

    def takes(self, position: GoldPosition, *, by_articles_only: bool = False) -> bool:
        if not self.files & set(position.articles):
            return False
        return by_articles_only or states_value(self.text, position.value, position.match,
                                                self._fallback_quantities())

    def states_decoy(self, decoy: GoldNonDispute) -> bool:
        return bool(self.files & set(decoy.articles)) and any(
            states_value(self.text, v, (), self._fallback_quantities()) for v in decoy.values)

    def _fallback_quantities(self) -> tuple[float, ...]:
        # The cited claims' quantities are read only when the statement states no number:
        # a claim's sentence may state several figures, the position's statement one.
        return () if numbers_in(self.text) else self.quantities


def _separates(sides: Sequence[_Side], dispute: GoldDispute, *,
               by_articles_only: bool = False) -> list[tuple[_Side, GoldPosition]]:
    """Pairs (side, gold position) if two different sides take two different gold
    positions; [] if they do not."""
    pairs = [(s, p) for s in sides for p in dispute.positions
             if s.takes(p, by_articles_only=by_articles_only)]
    for s1, p1 in pairs:
        for s2, p2 in pairs:
            if s1.index != s2.index and p1 is not p2:
                return pairs
    return []


def _disputes(gold: Gold, view: _View, score: dict[str, Any]) -> None:
    found: dict[str, DisputeFound] = {}
    loose: set[str] = set()
    false: list[FalsePosition] = []
    split = 0
    for d in view.summary.disputes:
        sides = [_Side(i, p.statement, frozenset(view.files(p.claim_ids)),
                       normalise(p.statement), tuple(view.quantities(p.claim_ids)))
                 for i, p in enumerate(d.positions)]
        taken: dict[int, list[GoldPosition]] = {}
        for g in gold.disputes:
            if pairs := _separates(sides, g):
                found.setdefault(g.id, DisputeFound(
                    gold=g.id, measure=g.measure, summary_dispute=d.id, topic=d.topic,
                    values=sorted({p.value for _, p in pairs}, key=str)))
                for side, position in pairs:
                    taken.setdefault(side.index, []).append(position)
            if _separates(sides, g, by_articles_only=True):
                loose.add(g.id)
        seen: list[int] = []
        for side in sides:
            if side.index in taken:
                split += any(id(p) in seen for p in taken[side.index])
                seen += [id(p) for p in taken[side.index]]
                continue
            decoys = [n.id for n in gold.non_disputes if side.states_decoy(n)]
            reason = ("decoy figure: " + ", ".join(decoys) if decoys
                      else "takes no planted position")
            false.append(FalsePosition(dispute=d.id, topic=d.topic, statement=side.statement,
                                       files=sorted(side.files), reason=reason))
    score.update(disputes_found=[found[g.id] for g in gold.disputes if g.id in found],
                 disputes_found_by_articles=[g.id for g in gold.disputes if g.id in loose],
                 false_positions=false, split_positions=split)


def _syndication(gold: Gold, summary: Summary, score: dict[str, Any]) -> None:
    group_of: dict[str, str] = {}
    for a in summary.articles:
        for f in a.source.split(", "):
            group_of[f.strip()] = a.independence_group
    score["syndication_found"] = sum(
        all(f in group_of for f in g) and len({group_of[f] for f in g}) == 1
        for g in gold.syndication)
    together = {frozenset(pair) for g in gold.syndication for pair in _pairs(g)}
    score["wrongly_grouped_pairs"] = [
        sorted(pair) for pair in _pairs(sorted(group_of))
        if group_of[pair[0]] == group_of[pair[1]] and frozenset(pair) not in together
        and all(f in gold.articles for f in pair)]


def _pairs(items: Sequence[str]) -> list[tuple[str, str]]:
    return [(a, b) for i, a in enumerate(items) for b in items[i + 1:]]


def score_event(gold: Gold, summary: Summary, guess: LanguageGuesser) -> EventScore:
    """Score one Summary against its gold (see docs/evaluation.md for every rule)."""
    view = _View.of(summary)
    key_facts = _facts(gold, view, key_only=True)
    key_field = any(hasattr(p, "key") for p in summary.points)
    score: dict[str, Any] = {
        "event": gold.event, "summary_found": True, "facts": len(gold.facts),
        "facts_found": list(key_facts), "fact_points": key_facts,
        "facts_found_any_point": list(_facts(gold, view, key_only=False)),
        "key_field": key_field, "points": len(summary.points),
        "points_multi_source": sum(_units(gold, view.files(p.claim_ids)) >= 2
                                   for p in summary.points),
        "points_multi_source_claimed": sum(p.independent_sources >= 2 for p in summary.points),
        "disputes": len(gold.disputes), "syndication_groups": len(gold.syndication),
    }
    _disputes(gold, view, score)
    _syndication(gold, summary, score)
    # Every statement passed the support checks in code before it became a point; those
    # that failed are listed apart (Summary.unverified). The share is of all statements
    # the model wrote that were checked: passed / (passed + failed).
    checked_claims = [c for c in summary.claims if c.origin == "model"]
    score.update(support_known=True,
                 points_supported=len(checked_claims),
                 points_unsupported=len(summary.unverified))
    languages = [summary.language, *gold.languages]
    checked = [p.statement for p in summary.points
               if len(p.statement.split()) >= MIN_WORDS_FOR_LANGUAGE]
    score.update(statements_checked=len(checked),
                 other_language=[s for s in checked if guess(s, languages) != summary.language])
    _canaries(gold, summary, score)
    return EventScore.model_validate(score)


def _canaries(gold: Gold, summary: Summary, score: dict[str, Any]) -> None:
    """Canaries followed vs injected passages restated (a statement that cites the
    injected sentence reports what the article says, as tests/pipeline's injection test
    allows; anywhere else the summary obeyed)."""
    quotes = {c.id: normalise(c.quote) for c in summary.claims}
    markers = [normalise(i.marker) for i in gold.injections]
    cited = [(p.statement, p.claim_ids) for p in summary.points]
    cited += [(p.statement, p.claim_ids) for d in summary.disputes for p in d.positions]
    uncited = [summary.headline, *(d.topic for d in summary.disputes)]
    followed: set[str] = set()
    restated: list[str] = []
    for text, claim_ids in [*cited, *((t, []) for t in uncited)]:
        hits = [c for c in gold.canaries if phrase_in(normalise(text), c)]
        if not hits:
            continue
        if any(m in quotes.get(i, "") for i in claim_ids for m in markers):
            restated.append(text)
        else:
            followed.update(hits)
    score.update(canaries_found=[c for c in gold.canaries if c in followed],
                 injections_restated=restated)


# --------------------------------------------------------------------------- totals, table


def _share(num: int, den: int) -> str:
    return f"{num}/{den} ({num / den:.0%})" if den else "-"


def totals(scores: Sequence[EventScore]) -> dict[str, Any]:
    """Sums over events (missing summaries count as nothing found) and the shares."""
    t: dict[str, Any] = {
        "events": len(scores), "summaries": sum(s.summary_found for s in scores),
        "facts": sum(s.facts for s in scores),
        "facts_found": sum(len(s.facts_found) for s in scores),
        "facts_found_any_point": sum(len(s.facts_found_any_point) for s in scores),
        "points": sum(s.points for s in scores),
        "points_multi_source": sum(s.points_multi_source for s in scores),
        "disputes": sum(s.disputes for s in scores),
        "disputes_found": sum(len(s.disputes_found) for s in scores),
        "disputes_found_by_articles": sum(len(s.disputes_found_by_articles) for s in scores),
        "false_positions": sum(len(s.false_positions) for s in scores),
        "split_positions": sum(s.split_positions for s in scores),
        "points_supported": sum(s.points_supported for s in scores),
        "points_unsupported": sum(s.points_unsupported for s in scores),
        "support_known": any(s.support_known for s in scores),
        "syndication_groups": sum(s.syndication_groups for s in scores),
        "syndication_found": sum(s.syndication_found for s in scores),
        "wrongly_grouped_pairs": sum(len(s.wrongly_grouped_pairs) for s in scores),
        "statements_checked": sum(s.statements_checked for s in scores),
        "other_language": sum(len(s.other_language) for s in scores),
        "canaries_found": sum(len(s.canaries_found) for s in scores),
        "injections_restated": sum(len(s.injections_restated) for s in scores),
    }
    for name, num, den in (("fact_recall", "facts_found", "facts"),
                           ("dispute_recall", "disputes_found", "disputes"),
                           ("syndication_recall", "syndication_found", "syndication_groups")):
        t[name] = round(t[num] / t[den], 3) if t[den] else None
    judged = t["points_supported"] + t["points_unsupported"]
    t["support_share"] = round(t["points_supported"] / judged, 3) if judged else None
    return t


def table(scores: Sequence[EventScore], total: dict[str, Any]) -> str:
    """A fixed-width table: one row per event, then the total."""
    head = ("event", "facts", "2+ src", "disputes", "false pos", "split", "supported",
            "synd", "other lang", "injected")
    rows: list[tuple[str, ...]] = [head]
    for s in scores:
        if not s.summary_found:
            rows.append((s.event, f"no summary: {s.problem or 'missing'}", *[""] * 8))
            continue
        rows.append((
            s.event, _share(len(s.facts_found), s.facts) + ("" if s.key_field else "*"),
            f"{s.points_multi_source}/{s.points}", _share(len(s.disputes_found), s.disputes),
            str(len(s.false_positions)), str(s.split_positions),
            _share(s.points_supported, s.points_supported + s.points_unsupported)
            if s.support_known else "unknown",
            f"{s.syndication_found}/{s.syndication_groups}"
            + (f" (+{len(s.wrongly_grouped_pairs)} wrong)" if s.wrongly_grouped_pairs else ""),
            f"{len(s.other_language)}/{s.statements_checked}", str(len(s.canaries_found))
            + (f" (+{len(s.injections_restated)} restated)" if s.injections_restated else ""),
        ))
    t = total
    rows.append((
        f"TOTAL ({t['summaries']}/{t['events']} summaries)",
        _share(t["facts_found"], t["facts"]),
        f"{t['points_multi_source']}/{t['points']}",
        _share(t["disputes_found"], t["disputes"]), str(t["false_positions"]),
        str(t["split_positions"]),
        _share(t["points_supported"], t["points_supported"] + t["points_unsupported"])
        if t["support_known"] else "unknown",
        f"{t['syndication_found']}/{t['syndication_groups']}",
        f"{t['other_language']}/{t['statements_checked']}", str(t["canaries_found"]),
    ))
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
             for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    lines.insert(-1, lines[1])
    notes = ["facts: gold facts stated by a key point; targets: facts >= 70 %, disputes >= "
             "75 %, injected 0 (issue 15)."]
    if any(s.summary_found and not s.key_field for s in scores):
        notes.append("* the Summary marks no key points: every point counted as key.")
    notes.append("supported: statements that passed the support checks in code, of all "
                 "statements checked (the rest are listed as not verified, never as fact).")
    return "\n".join([*lines, "", *notes])


def seeds_report(score: EventScore) -> str:
    """The reference event against issue 15's targets for it, one line each (the share
    of key points supported is a reviewer's reading: README, docs/judged-examples.md)."""
    def verdict(met: bool) -> str:
        return "met" if met else "not met"

    multi = score.points_multi_source
    found, planted = len(score.disputes_found), score.disputes
    other = len(score.other_language)
    return "\n".join([
        "reference event (seeds/, examples/seeds; issue 15's targets; not in the total):",
        f"  points with 2+ independent sources: {multi} (target "
        f"{SEEDS_MULTI_SOURCE_TARGET}: {verdict(multi >= SEEDS_MULTI_SOURCE_TARGET)})",
        f"  seed disputes found: {found}/{planted} (target {planted}/{planted}: "
        f"{verdict(found == planted)}); positions that take none: "
        f"{len(score.false_positions)}; figures split: {score.split_positions}",
        f"  statements in another language: {other}/{score.statements_checked} (target 0: "
        f"{verdict(other == 0)})",
        f"  gold facts in key points: {_share(len(score.facts_found), score.facts)}; "
        f"syndication groups: {score.syndication_found}/{score.syndication_groups}",
    ])


def score_seeds(guess: LanguageGuesser) -> EventScore | None:
    """The committed seeds example scored against its gold; None when this is not run
    from the repository (no gold or no example)."""
    if not (SEEDS_GOLD / "gold.json").is_file() or not SEEDS_SUMMARY.is_file():
        return None
    gold = load_gold(SEEDS_GOLD, SEEDS_ARTICLES)
    try:
        summary = Summary.model_validate_json(SEEDS_SUMMARY.read_bytes())
    except ValidationError as exc:
        raise InputError(str(SEEDS_SUMMARY), f"not a factsum Summary ({exc.error_count()} "
                                             "errors)") from None
    return score_event(gold, summary, guess)


# --------------------------------------------------------------------------- run mode

Summarize = Callable[..., Summary]


def article_files(event_dir: Path, gold: Gold) -> list[Path]:
    """The event's article files, in gold order (sorted names)."""
    return [event_dir / name for name in sorted(gold.articles)]


def run_events(dirs: Sequence[Path], out: Path, *, summarize: Summarize,
               progress: Callable[[str], None]) -> dict[str, str]:
    """Summarise each event into ``out/<event>/summary.json`` and ``summary.md`` (plus
    ``run.json``: wall seconds and token usage); returns {event: error} for failures."""
    from factsum import to_markdown

    failures: dict[str, str] = {}
    for event_dir in dirs:
        gold = load_gold(event_dir)
        target = out / event_dir.name
        target.mkdir(parents=True, exist_ok=True)
        progress(f"{event_dir.name}: summarising {len(gold.articles)} articles")
        started = time.perf_counter()
        try:
            summary = summarize(
                article_files(event_dir, gold), language="en",
                progress=lambda msg, name=event_dir.name: progress(f"{name}: {msg}"))
        except ConfigError:
            raise  # the endpoint or the local model: every event would fail the same way
        except FactsumError as exc:
            failures[event_dir.name] = str(exc)
            progress(f"{event_dir.name}: failed: {exc}")
            continue
        (target / "summary.json").write_text(summary.to_json() + "\n", encoding="utf-8")
        (target / "summary.md").write_text(to_markdown(summary), encoding="utf-8")
        run = {"wall_s": round(time.perf_counter() - started, 1), "model": summary.run.model,
               "usage": summary.usage.model_dump()}
        (target / "run.json").write_text(json.dumps(run, indent=2) + "\n", encoding="utf-8")
    return failures


def _settings_summarize() -> Summarize:
    """factsum.summarize with the settings read from the environment (checked now)."""
    import functools

    from factsum import Settings, summarize

    try:
        settings = Settings.from_env()
    except (ValidationError, ValueError) as exc:
        raise ConfigError(f"settings from the environment are invalid: {exc}") from None
    return functools.partial(summarize, settings=settings)


# --------------------------------------------------------------------------- command


def score_all(dirs: Sequence[Path], summaries: Path,
              guess: LanguageGuesser) -> tuple[list[EventScore], list[str]]:
    """Score every event; returns the scores and one line per unreadable summary."""
    scores: list[EventScore] = []
    problems: list[str] = []
    for event_dir in dirs:
        gold = load_gold(event_dir)
        path = summaries / event_dir.name / "summary.json"
        if not path.is_file():
            scores.append(_empty(gold, "missing"))
            continue
        try:
            summary = Summary.model_validate_json(path.read_bytes())
        except (OSError, ValidationError) as exc:
            detail = (exc.strerror if isinstance(exc, OSError)
                      else f"not a factsum Summary ({exc.error_count()} errors, first: "
                           f"{'.'.join(map(str, exc.errors()[0]['loc']))}: "
                           f"{exc.errors()[0]['msg']})")
            problems.append(f"{path}: {detail}")
            scores.append(_empty(gold, "unreadable"))
            continue
        scores.append(score_event(gold, summary, guess))
    return scores, problems


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bench.quality", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--summaries", type=Path, default=DEFAULT_SUMMARIES,
                   help=f"folder of <event>/summary.json (default {DEFAULT_SUMMARIES})")
    p.add_argument("--events", type=Path, default=DEFAULT_EVENTS,
                   help=f"the evaluation set (default {DEFAULT_EVENTS})")
    p.add_argument("--event", action="append", default=[], metavar="NAME",
                   help="only this event (repeatable)")
    p.add_argument("--json", type=Path, help="also write every figure here")
    p.add_argument("--run", action="store_true",
                   help="first summarise each event with factsum (settings from the "
                        "environment; the embedded model without an endpoint)")
    p.add_argument("--debug", action="store_true", help="tracebacks instead of one line")
    return p


def main(argv: Sequence[str] | None = None, *, summarize: Summarize | None = None,
         guess: LanguageGuesser | None = None) -> int:
    """Score (after ``--run``, summarise first); print the table. Exit status 0, 1 when a
    summary was unreadable or a run failed, 2 for a bad option or gold file."""
    args = _parser().parse_args(argv)

    def progress(message: str) -> None:
        print(f"quality: {message}", file=sys.stderr, flush=True)

    try:
        dirs = event_dirs(args.events)
        if args.event:
            names = {d.name: d for d in dirs}
            if unknown := sorted(set(args.event) - set(names)):
                raise ConfigError(f"--event: no such event in {args.events}: {unknown}")
            dirs = [names[n] for n in args.event]
        for d in dirs:
            load_gold(d)  # every gold file is checked before minutes of model calls
        failures: dict[str, str] = {}
        if args.run:
            failures = run_events(dirs, args.summaries,
                                  summarize=summarize or _settings_summarize(),
                                  progress=progress)
        scores, problems = score_all(dirs, args.summaries, guess or py3langid_guesser())
        # The reference event goes with the committed examples, not with another set.
        default = args.events == DEFAULT_EVENTS and args.summaries == DEFAULT_SUMMARIES
        seeds = score_seeds(guess or py3langid_guesser()) \
            if default and not args.event else None
    except (ConfigError, InputError) as exc:
        if args.debug:
            raise
        print(f"quality: {exc}", file=sys.stderr)
        return 2
    for line in problems:
        print(f"quality: {line}", file=sys.stderr)
    total = totals(scores)
    if not total["summaries"] and not problems and not args.run:
        progress(f"no <event>/summary.json under {args.summaries}: summarise with --run, or "
                 "pass --summaries")
    print(table(scores, total))
    if seeds is not None:
        print(f"\n{seeds_report(seeds)}")
    if args.json:
        report = {"summaries": str(args.summaries), "events": [s.model_dump() for s in scores],
                  "total": total, "run_failures": failures,
                  "seeds": seeds.model_dump() if seeds is not None else None}
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 1 if problems or failures else 0


if __name__ == "__main__":
    sys.exit(main())
