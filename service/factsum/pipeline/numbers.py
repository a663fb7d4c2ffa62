"""Reading numbers and times in a sentence, for the support checks.

Digits are read in any language ("1,200", "1 200", "1.200" and "3.5" alike); cardinal
words through text2num ("vingt-deux", "twenty-two", "doce"), for the languages it knows
(en, fr, es, pt, de, it, nl). Times of day ("17h30", "1 h 20", "5.30 p.m.", "23:30")
become minutes after midnight, in both readings of a 12-hour clock when no 24-hour
reading is forced. Collective numerals ("une douzaine", "dozens") have no library
reading: a sentence with no readable number is said to state none, and the checks treat
its labelled numbers as the model's reading (see factsum.pipeline.verify).
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from functools import lru_cache

from text_to_num import alpha2digit

from factsum.pipeline.lexicon import lexicon

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


@lru_cache(maxsize=4096)
def read(text: str, language: str) -> Readings:
    """The numbers and times of day a sentence states (memoised: every sentence is read
    for its own check and for the checks of the statements citing it)."""
    times: set[int] = set()
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

    About is taken as plus or minus a fifth (so "une dizaine" and "une douzaine" agree,
    and both disagree with 22); nearly as the lower half of that.
    """
    value = float(value)
    if hedge == "about":
        return value * 0.8, value * 1.2
    if hedge == "nearly":
        return value * 0.8, value
    if hedge == "at least":
        return value, None
    if hedge == "more than":
        return value + (1 if value.is_integer() else 0.0001), None
    if hedge == "at most":
        return None, value
    if hedge == "less than":
        return None, value - (1 if value.is_integer() else 0.0001)
    return value, value


def overlaps(a: tuple[float | None, float | None], b: tuple[float | None, float | None]
             ) -> bool:
    """Whether two ranges (None = open end) share a value."""
    low = max((x for x in (a[0], b[0]) if x is not None), default=None)
    high = min((x for x in (a[1], b[1]) if x is not None), default=None)
    return low is None or high is None or low <= high
