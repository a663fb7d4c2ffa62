"""The figure reader: numbers in a statement, with their hedge and what they count.

It reads statements in the summary language (each one the model's restatement of one
cited sentence, checked against that sentence): numbers in digits or cardinal words
(text2num), collective numerals ("a dozen", "dozens of"), "none" ("no casualties"),
times of day, and the hedge before them ("more than a dozen" is above 12). What a number
counts is the noun after it, any noun: a toll when the noun names harm to people, a
measure when CLDR names it a unit (tonnes, kilometres, hours), money when CLDR names it
a currency. A number straight before the perfect's auxiliary ("15 have targeted bases")
is its clause's subject and counts nothing after it. Times of day include CLDR's words
for midnight and noon. Day-and-month dates are left to the calendar check.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

import wordfreq
from babel import Locale
from babel.numbers import get_currency_name, get_group_symbol, get_territory_currencies
from babel.units import format_unit
from rapidfuzz import fuzz

from factsum.models import Hedge, Kind, Quantity
from factsum.pipeline.lexicon import (
    CLAUSES,
    Lexicon,
    cldr_locale,
    fold,
    lexicon,
    month_names,
)
from factsum.pipeline.numbers import (
    TEXT2NUM_LANGUAGES,
    clock_words,
    parse_number,
    parse_time,
)

_TOKEN = re.compile(
    r"\d{1,3}(?:[ ,.\u00a0\u202f]\d{3})+(?![\d])(?:[.,]\d+)?(?:\s?%)?"
    r"|\d+(?:[.,]\d+)?(?:\s?%)?|\w+['’](?=\w)|\w+(?:-\w+)*|[^\w\s]"
)
_TIME = re.compile(
    r"(?<![\d.,])(?:[01]?\d|2[0-3])\s?(?:h|:|\.)\s?[0-5]\d(?!\d)(?:\s?[ap]\.?\s?m\b\.?)?",
    re.IGNORECASE,
)
_STOP = frozenset(".,;:!?()[]\"“”«»—–")
_SCALES = {"thousand": 1e3, "million": 1e6, "millions": 1e6, "billion": 1e9,
           "billions": 1e9, "mille": 1e3, "milliard": 1e9, "milliards": 1e9}

# CLDR unit ids whose names make a noun a measure of that kind.
_UNITS: dict[Kind, tuple[str, ...]] = {
    "weight": ("mass-tonne", "mass-kilogram", "mass-gram", "mass-pound", "mass-ton",
               "mass-ounce"),
    "distance": ("length-kilometer", "length-meter", "length-mile", "length-foot",
                 "length-centimeter"),
    "duration": ("duration-hour", "duration-minute", "duration-day", "duration-week",
                 "duration-month", "duration-year", "duration-second"),
    "other": ("volume-liter", "volume-cubic-meter", "area-hectare", "area-square-kilometer",
              "speed-kilometer-per-hour", "energy-kilowatt-hour", "power-megawatt",
              "digital-gigabyte", "digital-megabyte", "digital-terabyte",
              "length-millimeter"),
}


# Regional variants whose unit names differ from the language's default ones.
_TERRITORIES = ("GB", "CA", "AU", "IN", "FR", "BE", "CH", "ES", "MX", "DE", "AT", "IT",
                "PT", "BR")


PEOPLE_KINDS = frozenset({"killed", "injured", "missing", "evacuated", "arrested", "affected"})


def question(q: Quantity) -> tuple[str, str]:
    """What a figure answers: its kind, and for counts and measures the noun counted."""
    if q.kind in PEOPLE_KINDS or q.kind in ("money", "time"):
        return q.kind, ""
    return q.kind, q.unit.casefold().removesuffix("s")


@dataclass(frozen=True, slots=True)
class Mention:
    """A number a statement gives: value, hedge, kind, the noun it counts, its words."""

    value: float | None
    time: int | None  # minutes after midnight, for a time of day
    hedge: Hedge
    kind: Kind
    unit: str
    text: str  # the words of the statement that give it ("more than a dozen missiles")


@lru_cache(maxsize=32)
def _unit_kinds(language: str) -> dict[str, Kind]:
    """Unit and currency nouns of the language (CLDR), lower-case -> kind."""
    return {word: kind for word, (kind, _unit) in _unit_words(language).items()}


@lru_cache(maxsize=32)
def _unit_words(language: str) -> dict[str, tuple[Kind, str]]:
    """Unit and currency words of the language (CLDR, long and short forms), lower-case
    -> (kind, the unit's CLDR id or currency code): "gigabytes" and "GB" are one unit."""
    locales = [locale for name in (language, *(f"{language}_{t}" for t in _TERRITORIES))
               if (locale := cldr_locale(name)) is not None]
    if not locales:
        return {}
    locale = locales[0]
    out: dict[str, tuple[Kind, str]] = {}
    for kind, ids in _UNITS.items():
        for unit_id in ids:
            for variant in locales:  # "metric tons" (en) and "tonnes" (en_GB) alike
                forms: tuple[tuple[int, Literal["long", "short"]], ...] = (
                    (1, "long"), (2, "long"), (2, "short"))
                for count, length in forms:
                    try:
                        name = format_unit(count, unit_id, length=length, locale=variant)
                    except Exception:  # a unit CLDR lacks for this locale
                        continue
                    for word in re.findall(r"[^\W\d_]+", name.lower()):
                        if len(word) > 2 or length == "short":
                            out.setdefault(word, (kind, unit_id))
    countries = _country_stems(locale)
    for code, name in locale.currencies.items():
        for word in re.findall(r"[^\W\d_]+", name.lower()):
            # "dollar" names many currencies: keep the word. A word made from a country's
            # name ("Iraqi" of "Iraqi Dinar") says where, not money: "two Iraqi bases".
            if len(word) > 3 and not any(fold(word).startswith(c) and fold(word) != c
                                         for c in countries):
                out.setdefault(word, ("money", word))
        out.setdefault(code.lower(), ("money", code))
    for code, symbol in locale.currency_symbols.items():
        out.setdefault(symbol.lower(), ("money", code))
    for word in ("percent", "per cent", "%", "pour cent"):
        out[word] = ("percent", "%")
    return out


def _country_stems(locale: Locale) -> frozenset[str]:
    """Every one-word CLDR territory name of ``locale`` (four letters or more), folded
    and followed by a letter: a word that starts so is made from it ("iraq" + "i")."""
    return frozenset(fold(name) for name in locale.territories.values()
                     if len(name) > 3 and name.isalpha())


def currency_families(text: str, language: str) -> frozenset[str]:
    """The currencies ``text`` names next to a figure, each as the English noun of its
    CLDR name ("dollar" for "$", "US$", "dólares" and "USD"; "euro" for "€" and "Euro")
    (see ``currency_amounts``)."""
    return frozenset(family for family, _digits in currency_amounts(text, language))


@lru_cache(maxsize=8192)  # every sentence of an article is read for each amount
def currency_amounts(text: str, language: str) -> frozenset[tuple[str, str]]:
    """(currency, the figure's significant digits) for each currency ``text`` names next
    to a figure: "2,5 milioni di euro" gives ("euro", "25"). A name counts by its head
    noun only (the word like the English one: "dólar", not "estadounidense"), after the
    figure ("3,2 mil milhões de euros") or right before it ("USD 3 million"); a code
    counts in capitals only; a symbol counts touching the digits or one space away
    ("US$3", "€ 52"), and "$" with a country's letters before it is a dollar anywhere."""
    words, symbols, codes = _currency_words(language)
    found: set[tuple[str, str]] = set()
    signs = {**{"$": "dollar"}, **symbols}
    for symbol, family in signs.items():
        prefix = r"[A-Z]{0,3}" if symbol == "$" else ""
        sign = rf"(?<![^\W\d_]){prefix}{re.escape(symbol)}"
        for m in re.finditer(rf"{sign}\s?(\d[\d.,]*)|(\d[\d.,]*)\s?{sign}(?![^\W\d_])", text):
            found.add((family, significant(m.group(1) or m.group(2))))
    tokens = re.findall(r"\d[\d.,]*|[^\W\d_]+", text)
    digits = [i for i, token in enumerate(tokens) if token[0].isdigit()]
    for i, token in enumerate(tokens):
        near = [d for d in digits if 0 < i - d <= 4 or d == i + 1]
        if not near:
            continue
        if token.isupper() and token in codes:
            head: str | None = codes[token]
        else:
            head = words.get(fold(token))
        if head is not None:
            found.add((head, significant(tokens[near[-1]])))
    return frozenset(found)


def significant(number: str | float) -> str:
    """A figure's significant digits, whatever its separators and scale: "3,2", "3.2"
    and 3.2e9 all give "32"; "1.300" and 1300 give "13"."""
    if isinstance(number, float):
        number = f"{number:.6e}".split("e")[0]  # 3.2e9 -> "3.200000"
    return re.sub(r"\D", "", str(number)).strip("0") or "0"


HEAD_NOUN_LIKENESS = 70
"""rapidfuzz ratio (0-100) at which a word of a currency's name in another language is
taken for the English head noun: "dólar" (91), "dollaro" and "Dollar" for "dollar";
"estadounidense" is not, nor "Franken" (67), "Pfund" (60) or "livre" (the pound's, 67
against the Turkish "lira"). A currency missed is a check not made, never a faithful
amount rejected."""


@lru_cache(maxsize=32)
def _currency_words(language: str) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """(folded head noun -> currency, symbol -> currency, code -> currency) of the
    language's CLDR currency names in every plural form, each currency named by the last
    word of its English name; a month or weekday name is never a currency's ("março" is
    "marco", the German mark, once folded)."""
    locale, english = cldr_locale(language), Locale.parse("en")
    if locale is None:
        return {}, {}, {}
    calendar = {fold(m) for m in month_names(language)} | {
        fold(day) for width in ("wide", "abbreviated")
        for day in locale.days["format"][width].values()}
    words: dict[str, str] = {}
    symbols: dict[str, str] = {}
    codes: dict[str, str] = {}
    for code in _tender():
        name = english.currencies.get(code, "")
        if not name:
            continue
        family = fold(name.split()[-1])
        if _everyday(family):
            continue  # "Gold", "Mark", "Real": next to a figure, an English word first
        codes[code] = family
        for count in (1, 2, 5, 1.5):  # CLDR's plural categories: one, two/few, many, other
            for word in re.findall(r"[^\W\d_]+", get_currency_name(code, count=count,
                                                                   locale=locale)):
                folded = fold(word)
                if (len(folded) > 2 and folded not in calendar
                        and fuzz.ratio(folded, family) >= HEAD_NOUN_LIKENESS):
                    words.setdefault(folded, family)
        if (symbol := locale.currency_symbols.get(code)) and symbol not in (code, name):
            symbols.setdefault(symbol, family)
    return words, symbols, codes


def _everyday(noun: str) -> bool:
    """Whether a currency's English noun is first an everyday word ("gold", "mark",
    "real": wordfreq's Zipf frequency 5 or more; "dollar" is 4.6, "pound" 4.3): such a
    currency is not read at all, so "to mark 50 years" names no money."""
    return wordfreq.zipf_frequency(noun, "en") >= EVERYDAY_ZIPF


EVERYDAY_ZIPF = 5.0


@lru_cache(maxsize=1)
def _tender() -> frozenset[str]:
    """The currencies legal tender in some territory today (CLDR): the German mark and
    the "US Dollar (Next day)" are not."""
    found: set[str] = set()
    for territory in Locale.parse("en").territories:
        found.update(get_territory_currencies(str(territory), tender=True))
    return frozenset(found)


def _lower_case_code(token: str, language: str) -> bool:
    """A currency code written as a word ("All 212 passengers": ALL is the lek): a code
    names money only in capitals."""
    kind, unit = _unit_words(language).get(token.lower(), ("count", ""))
    return kind == "money" and unit == token.upper() and not token.isupper()


def _cardinals(text: str, language: str, keep: frozenset[str]) -> str:
    """``text`` with cardinal words as digits (text2num), except the words in ``keep``
    (collective numerals and scales, which this module reads itself: text2num would make
    "hundreds" exactly 100 and write "million" as digits in what a reader sees)."""
    if language not in TEXT2NUM_LANGUAGES:
        return text
    from text_to_num import alpha2digit

    kept: list[str] = []

    def hide(m: re.Match[str]) -> str:
        kept.append(m.group())
        return f"§{len(kept) - 1}§"

    words = "|".join(sorted(map(re.escape, keep), key=len, reverse=True))
    hidden = re.sub(rf"(?i)(?<!\w)(?:{words})(?!\w)", hide, text) if words else text
    try:
        converted: str = alpha2digit(hidden, language, threshold=2)
    except (ValueError, RuntimeError):
        converted = hidden
    return re.sub(r"§(\d+)§", lambda m: kept[int(m.group(1))], converted)


_DOT_GROUPED = re.compile(r"\d{1,3}(?:\.\d{3})+")


@lru_cache(maxsize=32)
def _groups_with_dot(language: str) -> bool:
    """Whether the language writes thousands as "3.000" (CLDR's group symbol)."""
    locale = cldr_locale(language)
    return locale is not None and get_group_symbol(locale) == "."


def _number(token: str, language: str) -> float | None:
    """A number in digits as ``language`` writes it: "3.000" is 3000 in German or
    Spanish, 3 in English."""
    if _groups_with_dot(language) and _DOT_GROUPED.fullmatch(token):
        return float(token.replace(".", ""))
    return parse_number(token)


def read_mentions(statement: str, language: str) -> list[Mention]:
    """Every figure ``statement`` gives (see the module docstring)."""
    lex = lexicon(language)
    text = _cardinals(statement, language, frozenset({*lex.collective, *_SCALES}))
    mentions: list[Mention] = []
    for m in _TIME.finditer(text):
        minutes = parse_time(m.group())
        if minutes:
            mentions.append(Mention(None, min(minutes), "exact", "time", "", m.group()))
    mentions += [Mention(None, minutes, "exact", "time", "", word)
                 for word, minutes in clock_words(text, language)]
    rest = _TIME.sub(" ", text)
    tokens = [t for t in _TOKEN.findall(rest)]
    lower = [t.lower() for t in tokens]
    months = month_names(language)
    units = _unit_kinds(language)
    perfect = clauses.perfect if (clauses := CLAUSES.get(language)) else frozenset()
    consumed: set[int] = set()
    for i, token in enumerate(lower):
        if i in consumed:
            continue
        value: float | None = None
        hedge: Hedge = "exact"
        start = i
        end = i + 1
        if token[0].isdigit():
            percent = token.endswith("%")
            value = _number(token.rstrip("% "), language)
            if value is None:
                continue
            if _is_date(lower, i, months) or _is_year(lex, lower, i, token, value):
                continue  # a day of a month or a year: the calendar check reads dates
            if end < len(lower) and lower[end] in _SCALES:
                value *= _SCALES[lower[end]]
                end += 1
            elif (end < len(lower) and value < 1000
                  and parse_number(lower[end]) in (1e3, 1e6, 1e9)):
                value *= parse_number(lower[end]) or 1  # text2num wrote "million" as digits
                end += 1
            if not percent and end < len(lower) and lower[end] in ("percent", "%"):
                percent, end = True, end + 1
            elif (not percent and end + 1 < len(lower)
                  and f"{lower[end]} {lower[end + 1]}" in ("per cent", "pour cent")):
                percent, end = True, end + 2
            if percent:
                found = _hedge_before(lex, lower, start)
                if found is not None:
                    hedge, start = found[0], start - found[1]
                mentions.append(Mention(value, None, hedge, "percent", "%",
                                        _join(tokens[start:end])))
                continue
        elif token in lex.collective:
            value, hedge = lex.collective[token]
            if i > 0 and lower[i - 1] in lex.collective_articles:
                start = i - 1
            if end < len(lower) and lower[end] in lex.of:
                end += 1
        elif token in lex.none or (token in lex.any_words
                                   and any(w in lex.negations for w in lower[max(0, i - 4):i])):
            # "none" bears on the words right after it: "no American victims" is a toll
            # of zero, "no information about casualties" is not.
            noun_at = _noun_after(lower[:i + 3], i + 1, lex)
            if noun_at is None:
                continue
            kind, unit = _kind(lower[noun_at], language, lex)
            if kind == "count" and lower[noun_at] not in lex.people:
                continue  # "no doubt", "without warning": not a toll or a count of none
            mentions.append(Mention(0.0, None, "exact", kind, unit,
                                    _join(tokens[i:noun_at + 1])))
            continue
        else:
            continue
        consumed.update(range(start, end))
        if (start > 0 and units.get(lower[start - 1]) == "money"  # "EUR 3 million", "$5"
                and not _lower_case_code(tokens[start - 1], language)):
            start -= 1
            found = _hedge_before(lex, lower, start)
            if found is not None:
                hedge, start = found[0], start - found[1]
            mentions.append(Mention(value, None, hedge, "money",
                                    _unit_words(language)[lower[start]][1],
                                    _join(tokens[start:end])))
            continue
        found = _hedge_before(lex, lower, start)
        if found is not None:
            hedge, start = found[0], start - found[1]
        if start > 0 and lower[start - 1] in lex.people:  # "killed 40 people"
            kind = lex.people[lower[start - 1]]
            noun_at = _noun_after(lower, end, lex)
            last = noun_at + 1 if noun_at is not None else end
            mentions.append(Mention(value, None, hedge, kind, lower[start - 1],
                                    _join(tokens[start - 1:last])))
            continue
        noun_at = _noun_after(lower, end, lex, units)
        if (noun_at is not None and end < len(lower) and lower[end] in perfect
                and lower[noun_at] not in lex.people):
            # A number straight before "have" is its clause's subject ("about 15 have
            # already targeted bases"): what it counts is said before it, so it gives no
            # figure here; "3 have died" still reads as a toll.
            noun_at = None
        kind, unit = _kind(lower[noun_at], language, lex) if noun_at is not None else ("count", "")
        if noun_at is not None and _lower_case_code(tokens[noun_at], language):
            kind, unit = "count", lower[noun_at]  # "ended 2 all": no lek
        last = noun_at + 1 if noun_at is not None else end
        mentions.append(Mention(value, None, hedge, kind, unit, _join(tokens[start:last])))
    mentions += _negated_tolls(tokens, lower, lex, {m.text for m in mentions})
    return [m for m in mentions if m.kind == "time" or m.unit]


def _negated_tolls(tokens: list[str], lower: list[str], lex: Lexicon, seen: set[str]
                   ) -> list[Mention]:
    """A toll of zero said by negating its verb: "the raids did not cause casualties"."""
    out = []
    for i, word in enumerate(lower):
        if word not in lex.people:
            continue
        before = lower[max(0, i - 4):i]
        if any(w in lex.negations for w in before) and not any(w[0].isdigit() for w in before):
            text = _join(tokens[max(0, i - 4):i + 1])
            if not any(word in s for s in seen):
                out.append(Mention(0.0, None, "exact", lex.people[word], word, text))
    return out


def _is_year(lex: Lexicon, lower: list[str], i: int, token: str, value: float) -> bool:
    """1900 to 2100 in four plain digits, not hedged and not counting a noun after it."""
    if not (1900 <= value <= 2100 and token.isdigit()) or _hedge_before(lex, lower, i):
        return False
    following = lower[i + 1] if i + 1 < len(lower) else ""
    counts = following in lex.people or (len(following) >= 4 and following.endswith("s"))
    return not counts


def _join(tokens: list[str]) -> str:
    """Tokens as the statement wrote them: no space after an elided article (d', l')."""
    return re.sub(r"(['’]) ", r"\1", " ".join(tokens))


def _is_date(lower: list[str], i: int, months: frozenset[str]) -> bool:
    near = lower[max(0, i - 1):i] + lower[i + 1:i + 3]
    return any(w.rstrip(".") in months for w in near)


def _hedge_before(lex: Lexicon, lower: list[str], start: int) -> tuple[Hedge, int] | None:
    """The hedge phrase ending right before token ``start`` (longest first), and its
    length in tokens."""
    for size in (3, 2, 1):
        if start - size < 0:
            continue
        words = lower[start - size:start]
        for joiner in (" ", ""):
            phrase = joiner.join(words)
            if phrase in lex.hedges:
                return lex.hedges[phrase], size
    return None


def _noun_after(lower: list[str], at: int, lex: Lexicon,
                units: dict[str, Kind] | None = None) -> int | None:
    """The noun a number counts: among the next few words (up to punctuation), a word
    naming people's harm, else a unit ("80 GB of files"), else the first plural-looking
    word, else the first word."""
    window: list[int] = []
    for j in range(at, min(len(lower), at + 4)):
        if lower[j] in _STOP or lower[j][0].isdigit() or lower[j] in lex.conjunctions:
            break
        if lower[j] in lex.of and not window:
            continue
        window.append(j)
    if not window:
        return None
    for j in window:
        if lower[j] in lex.people:
            return j
    for j in window[:1]:
        if units and (lower[j] in units or lower[j].removesuffix("s") in units) \
                and not _currency_adjective(lower, j, window, units):
            return j
    for j in window:
        if len(lower[j]) >= 4 and lower[j].endswith(("s", "x")):
            return j
    return window[0]


def _currency_adjective(lower: list[str], j: int, window: list[int],
                        units: dict[str, Kind]) -> bool:
    """Whether the word at ``j``, a word of a currency's name, qualifies the plural noun
    after it: "22 Iranian missiles" counts missiles ("Iranian" is a word of "Iranian
    rial"), while "2 million dollars ransom" is money."""
    word, after = lower[j], j + 1
    if "money" not in (units.get(word), units.get(word.removesuffix("s"))):
        return False
    if after not in window:
        return False
    noun = lower[after]
    return (noun not in units and noun.removesuffix("s") not in units
            and len(noun) >= 4 and noun.endswith(("s", "x")))


def _kind(noun: str, language: str, lex: Lexicon) -> tuple[Kind, str]:
    """The kind of what ``noun`` counts, and the unit it is compared by (a CLDR unit id
    or a currency code when CLDR knows the word, else the noun itself)."""
    if noun in lex.people:
        return lex.people[noun], noun
    units = _unit_words(language)
    for form in (noun, noun.removesuffix("s")):
        if form in units:
            return units[form]
    return "count", noun
