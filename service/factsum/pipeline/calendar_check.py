"""Calendar check: dates given with their weekday must fit one calendar.

Why: outlets get the weekday of an event wrong ("le jeudi 3 janvier" where 3 January
was a Friday), and a small model copies such slips into the summary unnoticed. A date
written with its weekday ("Wednesday January 8", "mercredi 8 janvier") pins the
calendar: if the articles' mentions do not all fit the year that most of them fit, the
odd ones out become a dispute that quotes both sides.

Day and month names come from CLDR through Babel, for the language of each article, so
any language Babel knows is read; the pattern is "weekday, day, month" or "weekday,
month, day" with at most one short word between (an ordinal suffix, "de", "of").
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from babel import Locale
from babel.dates import format_date

from factsum.models import Article, Dispute, Position
from factsum.pipeline.disputes import label_language, labels
from factsum.pipeline.lexicon import cldr_locale, fold
from factsum.pipeline.sentences import Sentence

_YEARS_BACK = 30  # with no publication year known, the calendars of this many years


@dataclass(frozen=True)
class DateMention:
    """'Wednesday 8 January' in a sentence: weekday (0 = Monday), month, day."""

    sentence: Sentence
    weekday: int
    month: int
    day: int

    def fits(self, year: int) -> bool:
        """True when this day of ``year`` is the weekday the article gives."""
        try:
            return dt.date(year, self.month, self.day).weekday() == self.weekday
        except ValueError:  # 29 February of a common year, 31 April...
            return False


@lru_cache(maxsize=64)
def _pattern(language: str) -> tuple[re.Pattern[str], dict[str, int], dict[str, int]] | None:
    locale = cldr_locale(language)
    if locale is None:
        return None
    days: dict[str, int] = {}
    months: dict[str, int] = {}
    for context in ("format", "stand-alone"):
        for index, name in locale.days[context]["wide"].items():
            days[fold(name)] = int(index)
        for index, name in locale.months[context]["wide"].items():
            months[fold(name)] = int(index)
    day_alt = "|".join(sorted(map(re.escape, days), key=len, reverse=True))
    month_alt = "|".join(sorted(map(re.escape, months), key=len, reverse=True))
    num = r"(?P<d{n}>[0-3]?\d)(?:[^\W\d]{{1,3}}|\.)?"
    gap = r"(?:\s+[^\W\d]{1,3})?"
    body = (rf"(?P<w>{day_alt}),?\s+(?:{num.format(n=1)}{gap}\s+(?P<m1>{month_alt})"
            rf"|(?P<m2>{month_alt})\s+{num.format(n=2)})")
    return re.compile(rf"(?<!\w)(?:{body})(?!\w)"), days, months


def read_mentions(article: Article, sentences: Sequence[Sentence]) -> list[DateMention]:
    """Every weekday-and-date mention in the article's sentences."""
    found = _pattern(article.language)
    if found is None:
        return []
    pattern, days, months = found
    out = []
    for sentence in sentences:
        for m in pattern.finditer(fold(sentence.text)):
            out.append(DateMention(
                sentence=sentence, weekday=days[m.group("w")],
                month=months[m.group("m1") or m.group("m2")],
                day=int(m.group("d1") or m.group("d2")),
            ))
    return out


def calendar_disputes(
    articles: Iterable[tuple[Article, Sequence[Sentence]]], *, language: str,
    years: Sequence[int] | None = None,
) -> list[tuple[Dispute, list[Sentence]]]:
    """A dispute per date given a weekday the calendar the other articles pin rules out,
    with the sentences each position cites (claims are made for them by the caller).

    ``years``: the calendars to try (default: the years of publication and the one
    before when given, else the last 30 years and the next one). A mention is the odd
    one out only when another article's mentions pin the calendar.
    """
    pairs = list(articles)
    mentions = [m for a, sentences in pairs for m in read_mentions(a, sentences)]
    if len({m.sentence.article_id for m in mentions}) < 2:
        return []
    candidates = years or _years(a for a, _s in pairs)
    scores = {y: sum(m.fits(y) for m in mentions) for y in candidates}
    best = max(scores.values())
    fitting = [y for y, s in scores.items() if s == best]
    odd = [m for m in mentions if not any(m.fits(y) for y in fitting)]
    if not odd or best <= len(odd):
        return []
    pinned = [m for m in mentions if m not in odd]
    year = fitting[-1]
    out = []
    for (month, day), group in _by_date(odd).items():
        witnesses = _one_per_sentence(
            m for m in pinned if m.sentence.article_id not in {g.sentence.article_id
                                                               for g in group})
        if not witnesses:
            continue
        given = sorted({m.weekday for m in group})
        actual = dt.date(year, month, day)
        given_text = " / ".join(_label(year, month, day, w, language) for w in given)
        implied = ", ".join(sorted({_label(year, w.month, w.day, w.weekday, language)
                                    for w in witnesses}))
        dispute = Dispute(
            id="", origin="calendar",
            topic=_topic(actual, language),
            positions=[
                Position(statement=given_text, claim_ids=[m.sentence.id for m in group],
                         asserted_by=[]),
                Position(statement=f"{_label(year, month, day, actual.weekday(), language)}"
                                   f" (as {implied} implies)",
                         claim_ids=[w.sentence.id for w in witnesses], asserted_by=[]),
            ],
        )
        out.append((dispute, [m.sentence for m in [*group, *witnesses]]))
    return out


def _topic(date: dt.date, language: str) -> str:
    """'Day of the week of 3 January' in the summary language, or all in English where
    the topic labels have no table for it (factsum.pipeline.disputes)."""
    return labels(language)["calendar"].format(date=_date(date, label_language(language)))


def _locale(language: str) -> Locale:
    return cldr_locale(language) or Locale.parse("en")


def _date(date: dt.date, language: str) -> str:
    """'3 January' in the summary language (English when CLDR lacks it)."""
    return format_date(date, "d MMMM", locale=_locale(language))


def _label(year: int, month: int, day: int, weekday: int, language: str) -> str:
    """'Thursday 3 January' in the summary language (the weekday as the article gave it)."""
    name = _locale(language).days["format"]["wide"][weekday]
    return f"{name} {_date(dt.date(year, month, day), language)}"


def _years(articles: Iterable[Article]) -> Sequence[int]:
    """Publication years (and the year before) when known, else the last 30 years."""
    published = {int(m.group()) for a in articles if a.published
                 for m in [re.search(r"(?<!\d)(?:19|20)\d\d(?!\d)", a.published)] if m}
    if published:
        return sorted({y + d for y in published for d in (-1, 0)})
    this_year = dt.date.today().year
    return range(this_year - _YEARS_BACK, this_year + 2)


def _one_per_sentence(mentions: Iterable[DateMention]) -> list[DateMention]:
    seen: dict[str, DateMention] = {}
    for m in mentions:
        seen.setdefault(m.sentence.id, m)
    return list(seen.values())


def _by_date(mentions: Sequence[DateMention]) -> dict[tuple[int, int], list[DateMention]]:
    groups: dict[tuple[int, int], list[DateMention]] = {}
    for m in mentions:
        groups.setdefault((m.month, m.day), []).append(m)
    return groups
