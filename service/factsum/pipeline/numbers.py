"""Reading numbers and times in a sentence, for the support checks.

Digits are read in any language ("1,200", "1 200", "1.200" and "3.5" alike); cardinal
words through text2num ("vingt-deux", "twenty-two", "doce"), for the languages it knows
(en, fr, es, pt, de, it, nl). Times of day ("17h30", "1 h 20", "5.30 p.m.", "23:30")
become minutes after midnight, in both readings of a 12-hour clock when no 24-hour
reading is forced; CLDR's words for midnight and noon ("mezzanotte", "minuit") are
times too. Collective numerals ("une douzaine", "dozens") have no library
reading: a sentence with no readable number is said to state none, and the checks treat
its labelled numbers as the model's reading (see factsum.pipeline.verify).
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from babel.numbers import (
    NumberFormatError,
    get_decimal_symbol,
    get_group_symbol,
    parse_decimal,
)
from text_to_num import alpha2digit

from factsum.pipeline.lexicon import cldr_locale, lexicon

TEXT2NUM_LANGUAGES = frozenset({"en", "fr", "es", "pt", "de", "it", "nl"})

# A time of day: 17h30, 17 h 30, 1 h 20, 23:30, 5.30 p.m. (two digits of minutes), or
# an hour with a.m./p.m. ("8 AM").
_TIME = re.compile(
    r"(?<![\d.,])(?P<h>[01]?\d|2[0-3])\s?(?:h|:|\.)\s?(?P<m>[0-5]\d)(?!\d)"
    r"(?:\s?(?P<ampm>[ap])\.?\s?m\b\.?)?"
    r"|(?<![\d.,])(?P<h2>1[0-2]|0?\d)\s?(?P<ampm2>[ap])\.?\s?m\b\.?",
    re.IGNORECASE,
)
# A figure with thousands separators ("1,000", "1 000", "1.000") or decimals ("3.5").
_NUMBER = re.compile(
    r"(?<![\w.,])\d{1,3}(?:[ ,.\u00a0\u202f]\d{3}(?!\d))+(?:[.,]\d+)?(?![\w])"
    r"|(?<![\w.,])\d+(?:[.,]\d+)?(?![\w])"
)


_DOT_THOUSANDS = re.compile(r"(?<![\d.,])\d{1,3}\.\d{3}(?![\d.,])")
# Not followed by more digits ("1000000.5"); a comma or full stop ending the clause is
# punctuation ("a turnover of 3.2 billion, according to...").
_SCALE_AFTER_NUMBER = re.compile(r"(?<=\d)\s+(?:1000|1000000|1000000000)(?!\d|[.,]\d)")


@dataclass(frozen=True, slots=True)
class Readings:
    """What a sentence states in numbers: plain numbers and times of day (minutes)."""

    numbers: frozenset[float]
    times: frozenset[int]
    plurals: frozenset[float] = frozenset()
    """Values of plural collective numerals ("dozens", "des dizaines"): at least so many."""
    approximate: frozenset[float] = frozenset()
    """Values stated only by collective numerals ("une vingtaine"): about so many."""

    @property
    def empty(self) -> bool:
        """True when nothing in the sentence reads as a number."""
        return not self.numbers and not self.times


def parse_number(text: str) -> float | None:
    """A number written in digits ("1 200", "1,200.5", "3,5"), or None."""
    raw = text.strip().replace("\u00a0", " ").replace("\u202f", " ")
    if not raw or not re.fullmatch(r"-?[\d ,.]+", raw):
        return None
    groups = re.split(r"[ ,.]", raw)
    seps = re.findall(r"[ ,.]", raw)
    if (seps and all(len(g) == 3 for g in groups[1:]) and len(set(seps)) == 1 and seps[0] != ".") \
            or (seps and all(len(g) == 3 for g in groups[1:]) and len(groups) > 2):
        return float("".join(groups))  # thousands separators only
    if seps and seps[-1] in ",." and len(set(seps[:-1])) <= 1:
        whole = "".join(groups[:-1])
        return float(f"{whole}.{groups[-1]}") if whole else None
    try:
        return float(raw.replace(" ", ""))
    except ValueError:
        return None


def parse_time(text: str) -> set[int]:
    """Minutes after midnight of a time of day ("17:30", "5.30 p.m."); empty if none."""
    return {t for m in _TIME.finditer(text) for t in _minutes(m)}


def _minutes(match: re.Match[str]) -> set[int]:
    if match["h2"] is not None:  # "8 AM": an hour, no minutes
        hour, minute, ampm = int(match["h2"]), 0, match["ampm2"].lower()
    else:
        hour, minute = int(match["h"]), int(match["m"])
        ampm = (match["ampm"] or "").lower()
    if ampm == "p" and hour < 12:
        return {(hour + 12) * 60 + minute}
    if ampm == "a" and hour == 12:
        return {minute}
    if ampm or hour >= 13 or hour == 0:
        return {hour * 60 + minute}
    return {hour * 60 + minute, (hour + 12) * 60 + minute}  # 5.30 may be a.m. or p.m.


@lru_cache(maxsize=32)
def _clock_names(language: str) -> dict[str, int]:
    """CLDR's words for midnight and noon in ``language`` ("mezzanotte", "midi"), as
    CLDR writes them, with their minutes after midnight; one-letter abbreviations left
    out."""
    locale = cldr_locale(language)
    if locale is None:
        return {}
    found: dict[str, int] = {}
    for context in locale.day_periods.values():
        for width in context.values():
            for period, minutes in (("midnight", 0), ("noon", 12 * 60)):
                name = width.get(period)
                if name and len(name) >= 4:
                    found[name] = minutes
    return found


def clock_words(text: str, language: str) -> list[tuple[str, int]]:
    """The times of day ``text`` names in words, (word, minutes): "poco dopo la
    mezzanotte" names 0:00. Case counts: French "le Midi" is a region, "midi" noon; a
    word joined by a hyphen is another word ("l'après-midi" is the afternoon). Where
    two names overlap ("del mediodía", "mediodía") the longer one counts, once."""
    found: list[tuple[int, int, str, int]] = []
    for name, minutes in sorted(_clock_names(language).items(), key=lambda x: -len(x[0])):
        for m in re.finditer(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text):
            if not any(m.start() < end and start < m.end() for start, end, _, _ in found):
                found.append((m.start(), m.end(), m.group(), minutes))
    return [(word, minutes) for _, _, word, minutes in sorted(found)]


@lru_cache(maxsize=4096)
def read(text: str, language: str) -> Readings:
    """The numbers and times of day a sentence states (memoised: every sentence is read
    for its own check and for the checks of the statements citing it)."""
    times: set[int] = {minutes for _, minutes in clock_words(text, language)}
    rest = text
    for m in _TIME.finditer(text):
        times |= _minutes(m)
    rest = _TIME.sub(" ", text)
    # Collective numerals of the sentence's language ("une vingtaine"), where known.
    collective = lexicon(language).collective
    words = re.findall(r"\w+", rest.casefold())
    extra = {float(collective[w][0]) for w in words if w in collective}
    if language in TEXT2NUM_LANGUAGES:
        # text2num refuses some inputs; the digits are still read then.
        with contextlib.suppress(ValueError, RuntimeError):
            rest = alpha2digit(rest, language, threshold=2)
        # "2.5 million" becomes "2.5 1000000": the scale is the unit's business, not a
        # number of its own ("2,5 milioni", which text2num leaves alone, states 2.5 too).
        rest = _SCALE_AFTER_NUMBER.sub("", rest)
    numbers = {n for m in _NUMBER.finditer(rest) if (n := parse_number(m.group())) is not None}
    # "1.900" is 1900 in German, Spanish or Italian and 1.9 in English: keep both readings.
    numbers |= {float(m.group().replace(".", "")) for m in _DOT_THOUSANDS.finditer(rest)}
    plural = {float(collective[w][0]) for w in words
              if w in collective and collective[w][1] == "at least"}
    return Readings(frozenset(numbers | extra), frozenset(times), frozenset(plural),
                    frozenset(extra - numbers))


def interval(value: float, hedge: str) -> tuple[float | None, float | None]:
    """The range a hedged number allows: 'about 20' is 16 to 24, 'nearly 20' 16 to 20,
    'more than 12' above 12.

    About is taken as plus or minus a fifth below 100 (so "une dizaine" and "une
    douzaine" agree, and both disagree with 22). From 100 up it is the rounding its
    digits show, half the unit of the last significant digit, kept between a twentieth
    and a fifth: "about 1,100" is 1,045 to 1,155 and disagrees with "about 1,300", while
    "about 3,000" is 2,500 to 3,500. Nearly is the lower half of that.
    """
    value = float(value)
    if hedge in ("about", "nearly"):
        width = _about_width(value)
        return value - width, (value + width if hedge == "about" else value)
    if hedge == "at least":
        return value, None
    if hedge == "more than":
        return value + (1 if value.is_integer() else 0.0001), None
    if hedge == "at most":
        return None, value
    if hedge == "less than":
        return None, value - (1 if value.is_integer() else 0.0001)
    return value, value


def _about_width(value: float) -> float:
    """How far either side of ``value`` an "about" reaches (see ``interval``)."""
    size = abs(value)
    if size < 100:
        return size * 0.2
    # The unit of the last significant digit: 100 for 1,100; 0.1 for 100.5.
    exponent = Decimal(repr(size)).normalize().as_tuple().exponent
    unit = 10.0 ** exponent if isinstance(exponent, int) else 1.0
    return min(max(unit / 2, size * 0.05), size * 0.2)


def overlaps(a: tuple[float | None, float | None], b: tuple[float | None, float | None]
             ) -> bool:
    """Whether two ranges (None = open end) share a value."""
    low = max((x for x in (a[0], b[0]) if x is not None), default=None)
    high = min((x for x in (a[1], b[1]) if x is not None), default=None)
    return low is None or high is None or low <= high


# A figure with a separator: grouped ("1.300", "12,000,000") or with decimals ("3,2").
_SEPARATED = re.compile(
    r"(?<![\w.,])\d{1,3}(?:[.,]\d{3})+(?:[.,]\d+)?(?!\w|[.,]\d)"
    r"|(?<![\w.,])\d+[.,]\d+(?!\w|[.,]\d)"
)


def _read_as(token: str, language: str) -> Decimal | None:
    """``token`` read as ``language`` writes numbers (CLDR), None if it writes none so.
    A Decimal keeps the digits as written: "1,50" is 1.50, not 1.5."""
    locale = cldr_locale(language)
    if locale is None:
        return None
    try:
        return parse_decimal(token, locale=locale, strict=True)
    except NumberFormatError:
        return None


@lru_cache(maxsize=64)
def _separators(article_language: str, language: str) -> dict[int, str]:
    """A ``str.translate`` table from ``article_language``'s grouping and decimal signs
    to ``language``'s (CLDR): Spanish "." and "," become English "," and "."."""
    theirs, ours = cldr_locale(article_language), cldr_locale(language)
    if theirs is None or ours is None:
        return {}
    return {ord(get_group_symbol(theirs)): get_group_symbol(ours),
            ord(get_decimal_symbol(theirs)): get_decimal_symbol(ours)}


def in_local_format(statement: str, sentence: str, *, article_language: str,
                    language: str) -> str:
    """``statement`` with every figure that kept its sentence's number format written as
    ``language`` writes it: Spanish "1.300" left in an English statement reads as 1.3 to
    an English reader and becomes "1,300". A figure already converted, or one the two
    languages read alike, stays as the model wrote it."""
    if article_language == language:
        return statement
    stated = {v for m in _SEPARATED.finditer(sentence)
              if (v := _read_as(m.group(), article_language)) is not None}

    def local(match: re.Match[str]) -> str:
        token = match.group()
        theirs, ours = _read_as(token, article_language), _read_as(token, language)
        if theirs is None or theirs == ours or theirs not in stated or ours in stated:
            return token
        # Only the separators change, so every digit stays as written ("1,50" is
        # "1.50", not 1.5).
        return token.translate(_separators(article_language, language))

    return _SEPARATED.sub(local, statement)
