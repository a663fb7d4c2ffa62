"""Weekday checks: dates given with their weekday must fit one calendar.

Why: outlets get the weekday of an event wrong ("le jeudi 3 janvier" where 3 January
was a Friday), and a small model copies such slips into the summary unnoticed. A date
written with its weekday ("Wednesday January 8", "mercredi 8 janvier") pins the
calendar: if the articles' mentions do not all fit the year that most of them fit,
the odd ones out become a dispute that quotes both sides.
"""

from __future__ import annotations

import bisect
import calendar
import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

from factsum.pipeline.figures import clip_sentence, sentence_spans
from factsum.models import Article, Claim, Dispute, Position, Span
from factsum.pipeline.prefilter import find_all, literal_prefixes, lowered_for_scan

ORIGIN: Final = "date_reader"
_EN_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

# Weekday and month names per language, Monday and January first.
_NAMES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "en": (_EN_DAYS, tuple(calendar.month_name[1:])),
    "fr": (("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"),
           ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
            "septembre", "octobre", "novembre", "décembre")),
    "de": (("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"),
           ("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August",
            "September", "Oktober", "November", "Dezember")),
    "es": (("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"),
           ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
            "septiembre", "octubre", "noviembre", "diciembre")),
}
_YEARS_BACK = 30  # with no publication year known, the calendars of this many years


@dataclass(frozen=True)
class DateMention:
    """'Wednesday 8 January' in an article: weekday (0 = Monday), month, day, where."""

    article_id: str
    weekday: int
    month: int
    day: int
    span: Span
    sentence: Span

    def fits(self, year: int) -> bool:
        """True when this day of ``year`` is the weekday the article gives."""
        try:
            return dt.date(year, self.month, self.day).weekday() == self.weekday
        except ValueError:  # 29 February of a common year, 31 April...
            return False

    @property
    def label(self) -> str:
        return f"{_EN_DAYS[self.weekday]} {self.day} {calendar.month_name[self.month]}"


def _pattern(language: str) -> re.Pattern[str]:
    days, months = _NAMES[language]
    day_alt, month_alt = "|".join(days), "|".join(months)
    num = r"(?P<d>[0-3]?\d)(?:er|st|nd|rd|th|\.)?"
    if language == "en":  # "Wednesday, January 8" and "Wednesday 8 January"
        body = (rf"(?P<w>{day_alt}),?\s+(?:(?P<m>{month_alt})\s+{num}"
                rf"|{num.replace('?P<d>', '?P<d2>')}\s+(?:of\s+)?(?P<m2>{month_alt}))")
    elif language == "es":
        body = rf"(?P<w>{day_alt}),?\s+{num}\s+de\s+(?P<m>{month_alt})"
    else:
        body = rf"(?P<w>{day_alt}),?\s+(?:den\s+|dem\s+)?{num}\s+(?P<m>{month_alt})"
    return re.compile(rf"(?<![\w-])(?:{body})(?![\w-])", re.IGNORECASE)


_PATTERNS = {language: _pattern(language) for language in _NAMES}
# Every mention starts with a weekday name: the pattern is tried only where one occurs.
_PREFIXES = {language: literal_prefixes(days) for language, (days, _months) in _NAMES.items()}


def read_mentions(article: Article) -> list[DateMention]:
    """Every weekday-and-date mention of an article in a language we know."""
    pattern = _PATTERNS.get(article.language)
    if pattern is None:
        return []
    days, months = (tuple(n.casefold() for n in names) for names in _NAMES[article.language])
    mentions: list[DateMention] = []
    spans: list[tuple[int, int]] | None = None
    text = article.text
    for m in find_all(pattern, _PREFIXES[article.language], text, lowered_for_scan(text)):
        if spans is None:  # segmented once, and only for articles with a mention
            spans = list(sentence_spans(text, article.language))
        day = int(m.group("d") or m.group("d2"))
        month = months.index((m.group("m") or m.group("m2")).casefold()) + 1
        mentions.append(DateMention(
            article_id=article.id, weekday=days.index(m.group("w").casefold()),
            month=month, day=day, span=Span(start=m.start(), end=m.end()),
            sentence=_sentence(text, spans, m.start(), m.end()),
        ))
    return mentions


def _sentence(text: str, spans: Sequence[tuple[int, int]], start: int, end: int) -> Span:
    """The sentence that holds ``text[start:end]`` (the match alone if none does)."""
    at = bisect.bisect_right(spans, (start, len(text) + 1)) - 1
    if at >= 0 and spans[at][0] <= start and end <= spans[at][1]:
        lo, hi = clip_sentence(text, spans[at], (start, end))
        return Span(start=lo, end=hi)
    return Span(start=start, end=end)


def weekday_disputes(articles: Iterable[Article], *, years: Sequence[int] | None = None
                     ) -> tuple[list[Claim], list[Dispute]]:
    """Claims quoting the mentions, and a dispute per date given a weekday it cannot have.

    ``years`` are the calendars to try (default: the years of publication and the year
    before when the articles give one, else the last 30 years and the next one).
    A mention counts as the odd one out only when another article's mentions pin the
    calendar; an article contradicting itself, or a tie, is left alone.
    """
    by_article = {a.id: a for a in articles}
    mentions = [m for a in by_article.values() for m in read_mentions(a)]
    if len({m.article_id for m in mentions}) < 2:
        return [], []
    candidates = years or _years(by_article.values())
    scores = {y: sum(m.fits(y) for m in mentions) for y in candidates}
    best = max(scores.values())
    fitting_years = [y for y, s in scores.items() if s == best]
    odd = [m for m in mentions if not any(m.fits(y) for y in fitting_years)]
    if not odd or best <= len(odd):
        return [], []
    pinned = [m for m in mentions if not any(m is o for o in odd)]
    claims: dict[tuple[str, int], Claim] = {}

    def claim(m: DateMention) -> Claim:
        key = (m.article_id, m.span.start)
        if key not in claims:
            article = by_article[m.article_id]
            n = sum(c.article_id == m.article_id for c in claims.values()) + 1
            claims[key] = Claim(
                id=f"{m.article_id}:d{n}", article_id=m.article_id,
                statement=m.label, quote=article.text[m.sentence.start:m.sentence.end],
                span=m.sentence, match_score=100.0, asserted_by="the article",
                quantities=[], origin=ORIGIN,
            )
        return claims[key]

    disputes = []
    for (month, day), group in _by_date(odd).items():
        witnesses = _one_per_label(
            m for m in pinned if m.article_id not in {g.article_id for g in group})
        if not witnesses:
            continue
        year = fitting_years[-1]
        actual = _EN_DAYS[dt.date(year, month, day).weekday()]
        given = sorted({_EN_DAYS[m.weekday] for m in group})
        disputes.append(Dispute(
            id="", topic=f"Day of the week of {day} {calendar.month_name[month]}",
            origin="weekday",
            positions=[
                Position(statement=f"{' or '.join(given)} {day} {calendar.month_name[month]}",
                         claim_ids=[claim(m).id for m in group],
                         asserted_by=["the article"]),
                Position(statement=f"{actual} {day} {calendar.month_name[month]}, as "
                         f"{' and '.join(sorted({w.label for w in witnesses}))} implies",
                         claim_ids=[claim(m).id for m in witnesses],
                         asserted_by=["the article"]),
            ],
        ))
    cited = {i for d in disputes for p in d.positions for i in p.claim_ids}
    return [c for c in claims.values() if c.id in cited], disputes


def _years(articles: Iterable[Article]) -> Sequence[int]:
    """Publication years (and the year before) when known, else the last 30 years."""
    published = {int(m.group()) for a in articles if a.published
                 for m in [re.search(r"(?<!\d)(?:19|20)\d\d(?!\d)", a.published)] if m}
    if published:
        return sorted({y + d for y in published for d in (-1, 0)})
    this_year = dt.date.today().year
    return range(this_year - _YEARS_BACK, this_year + 2)


def _one_per_label(mentions: Iterable[DateMention]) -> list[DateMention]:
    """An article repeating "Wednesday January 8" (caption, body) witnesses it once."""
    seen: dict[tuple[str, str], DateMention] = {}
    for m in mentions:
        seen.setdefault((m.article_id, m.label), m)
    return list(seen.values())


def _by_date(mentions: Sequence[DateMention]) -> dict[tuple[int, int], list[DateMention]]:
    groups: dict[tuple[int, int], list[DateMention]] = {}
    for m in mentions:
        groups.setdefault((m.month, m.day), []).append(m)
    return groups
