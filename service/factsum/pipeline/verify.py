"""Verify: a statement is shown only if the sentence it cites supports it, checked in code.

Each statement restates one sentence (factsum.pipeline.extract), so support reduces to
checks code can make between the two, whatever their languages:

* numbers: every number and time of day the statement gives is in the sentence (digits
  or cardinal words, text2num, and the sentence language's collective numerals where
  factsum.pipeline.lexicon knows them); a hedge may not be dropped ("une vingtaine" is
  not "20"); a sentence whose amounts are in words nothing reads cannot refute a hedged
  round number; a number of people counts the same harm as in the sentence ("killing
  four" is not "quatre blessés"); an amount of money is not a thousandfold off the
  sentence's ("3.2 million" for "3,2 mil milhões", 3.2 billion);
* dates: every weekday and month the statement names is named in the sentence (CLDR
  names, Babel, in both languages);
* actors: a name the statement gives that the article uses elsewhere but the cited
  sentence does not is a misattribution ("the Pentagon said" for Trump's words); a name
  that no article of the event gives in any form was made up;
* words: a translation may not leave a word untranslated or garbled: a lower-case word
  that the summary language's word list (wordfreq) lacks ("dragage", "carrieral");
* length: a statement much shorter or longer than its sentence dropped or added content;
* negation: the statement denies something exactly when its sentence does ("n'ont fait
  aucune victime" is not "caused casualties"); a "without" counts where a negation is
  required but never requires one, and hedges ("pas moins de") deny nothing;
* attribution: a speaker the sentence names with a reporting verb or an "according to"
  phrase ("selon le Pentagone", "sagte eine Sprecherin") is still named in the
  statement, by a source marker of its own ("according to the police") or by the
  speaker's words; "he said" names nobody. Conversely a statement may not give itself
  a speaker its sentence does not name ("the Pentagon said" for "a-t-il précisé").

Negation and attribution words come from factsum.pipeline.lexicon.CLAUSES for the
sentence's language and the summary language (no installed library carries them); a
language without an entry gets neither check.

Before the checks, a figure the translation left in its sentence's number format is
written the summary language's way (``numbers.in_local_format``: "1.300" becomes
"1,300" in English). ``states`` runs the checks that need no article around the
sentence, for a merged point's statement against the other sentences it cites; there a
sentence that gives its words to "she" backs a statement naming her.

A statement that fails is listed apart with the reason (``Unverified``), counted, and
never shown as fact. One whose faults leave its figures alone (``figures_hold``) still
gives them in disputes.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from functools import lru_cache

import wordfreq
from rapidfuzz import fuzz

from factsum.ingest.readers import detect_language
from factsum.models import Article, Claim, Unverified
from factsum.pipeline.lexicon import CLAUSES, LEXICONS, cldr_locale, fold
from factsum.pipeline.numbers import Readings, in_local_format, interval, overlaps, read
from factsum.pipeline.quantities import (
    PEOPLE_KINDS,
    Mention,
    currency_amounts,
    currency_families,
    read_mentions,
    significant,
)
from factsum.pipeline.sentences import Sentence
from factsum.pipeline.speakers import attributions, names, pronoun_speaker, speaker, tokens

MIN_LENGTH_RATIO = 0.4
MAX_LENGTH_RATIO = 2.5
_WORD = re.compile(r"[^\W\d_]{3,}")
_PLAIN_WORD = re.compile(r"(?<![\w'’-])[^\W\d_]{4,}(?![\w'’-])")
# Problems that leave a restatement's figures standing (figures_hold).
DROPPED_ATTRIBUTION = "drops the attribution to"
STRAY_WORD = "which is not a word of the summary's language"
INVENTED_NAME = "whom no article names"


@dataclass(frozen=True, slots=True)
class Verdict:
    """The checks' outcome for one statement: problems is empty when it is supported."""

    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        """True when every check passed."""
        return not self.problems


@lru_cache(maxsize=64)
def _calendar_words(language: str) -> dict[str, tuple[str, int]]:
    """Full weekday and month names of a language (CLDR) -> ("day"|"month", index).
    Abbreviations are left out: "sat", "mar" and "tue" are words too."""
    locale = cldr_locale(language)
    if locale is None:
        return {}
    out: dict[str, tuple[str, int]] = {}
    for context in ("format", "stand-alone"):
        for index, name in locale.days[context]["wide"].items():
            out[fold(name)] = ("day", int(index))
        for index, name in locale.months[context]["wide"].items():
            out[fold(name)] = ("month", int(index))
    return out


@lru_cache(maxsize=64)
def _compound_weekdays(language: str) -> tuple[tuple[str, tuple[str, int]], ...]:
    """The weekday names a compound word may start with ("sonntag" in "sonntagabend"):
    only names of five letters or more, so no short name hides inside an ordinary word."""
    return tuple((name, value) for name, value in _calendar_words(language).items()
                 if value[0] == "day" and len(name) >= 5)


def _compound_day(token: str, language: str) -> tuple[str, int] | None:
    """The weekday a compound word starts with ("sonntagabend", "donnerstagmorgen",
    "zondagavond"), for the languages that write them as one word."""
    for name, value in _compound_weekdays(language):
        if token.startswith(name) and len(token) > len(name):
            return value
    return None


_DATE_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*|\d{1,2}(?!\d)")
"""Words, hyphenated ones whole (Portuguese weekdays: "segunda-feira"), and day numbers."""


@lru_cache(maxsize=8192)  # each sentence is read for every statement that cites it
def calendar_names(text: str, language: str) -> frozenset[tuple[str, int]]:
    """The weekdays and months a text names, as ("day", 0..6) and ("month", 1..12). A
    month counts only next to a day number ("May 8", "8 mai"), so "may" the verb and
    "mars" the planet are not months."""
    words = _calendar_words(language)
    tokens = _DATE_WORD.findall(fold(text))
    found = set()
    for i, token in enumerate(tokens):
        name = words.get(token) or _compound_day(token, language)
        if name is None:
            continue
        if name[0] == "day" or any(t.isdigit() for t in tokens[max(0, i - 2):i + 3]):
            found.add(name)
    return frozenset(found)


def day_numbers(text: str, language: str) -> set[float]:
    """Numbers a text gives as days of a month ("8 janvier", "January 8", "8. Januar"):
    next to a month name (CLDR) within two words."""
    words = _calendar_words(language)
    tokens = _DATE_WORD.findall(fold(text))
    return {float(t) for i, t in enumerate(tokens) if t.isdigit()
            and any(words.get(w, ("",))[0] == "month" for w in tokens[max(0, i - 2):i + 3])}


def _numbers_problem(statement: Readings, source: Readings, hedged: set[float],
                     days: frozenset[float] | set[float] = frozenset()) -> str | None:
    extra_times = statement.times - source.times
    # A 12-hour time ("5.30 p.m.") is read both ways; one reading in the source is enough;
    # a whole hour ("1 PM") may stand for an hour the sentence gives as a number ("le 13"),
    # but not for a day of the month ("ce mercredi 8 janvier" is no "8 AM").
    hours = {t for t in statement.times
             if t % 60 == 0 and float(t // 60) in source.numbers - days}
    if statement.times and not (statement.times & source.times) and not hours:
        return f"gives a time the sentence does not ({_hhmm(min(extra_times))})"
    extra = statement.numbers - source.numbers
    # "Dozens" for "des dizaines": plural collectives are vague the same way in every
    # language; one renders the other when their values are close.
    extra -= {n for n in statement.plurals
              if any(0.8 <= n / m <= 1.25 for m in source.plurals)}
    if not extra:
        return None
    if source.empty and all(_round(n) and n in hedged for n in extra):
        return None  # hedged amounts in words no library reads ("une vingtaine")
    shown = ", ".join(f"{n:g}" for n in sorted(extra))
    return f"gives {shown}, which the sentence does not state"


def _round(n: float) -> bool:
    return n == 0 or n % 10 == 0 or n % 12 == 0


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def figures_hold(rejected: Unverified) -> bool:
    """Whether a rejected restatement's faults leave its figures alone: a dropped
    attribution, a changed hedge, an untranslated word or a name no article gives ("the
    Rhine" for "den Rhein"). Its numbers, times, weekdays and months passed, so its
    figures and days are the sentence's (with the sentence's hedges,
    ``sentence_hedges``), and the quote says who gives them."""
    return all(fault.startswith((DROPPED_ATTRIBUTION, CHANGED_HEDGE))
               or fault.endswith((STRAY_WORD, INVENTED_NAME))
               for fault in rejected.reason.split("; "))


def check(statement: str, sentence: Sentence, article_sentences: Sequence[Sentence],
          *, article_language: str, language: str, translated: bool,
          event_words: frozenset[str] = frozenset()) -> Verdict:
    """Run every check of the module docstring on one statement. ``event_words``: the
    folded words of every article of the event (for names no article gives)."""
    if not translated:
        return Verdict(())  # the sentence itself, word for word
    others = [s.text for s in article_sentences if s.number != sentence.number]
    problems = _figure_problems(statement, sentence.text, article_language, language,
                                others)
    if (actor := _misattribution(statement, sentence.text, others)) is not None:
        problems.append(f"names {actor}, whom the article names elsewhere, not here")
    elif event_words and (invented := _unknown_name(statement, event_words, language,
                                                    article_language)) is not None:
        problems.append(f"names {invented}, {INVENTED_NAME}")
    ratio = len(statement) / max(1, len(" ".join(sentence.text.split())))
    if not MIN_LENGTH_RATIO <= ratio <= MAX_LENGTH_RATIO:
        problems.append(f"is {ratio:.1f} times the sentence's length")
    problems += _voice_problems(statement, sentence.text, article_language, language)
    if (stray := stray_word(statement, language)) is not None:
        problems.append(f"uses {stray!r}, {STRAY_WORD}")
    return Verdict(tuple(problems))


def states(statement: str, sentence: str, *, article_language: str, language: str,
           elsewhere: Sequence[str] = ()) -> bool:
    """Whether ``sentence`` (in ``article_language``) backs ``statement``: it gives the
    statement's numbers, times, weekdays and months, its currencies, its negation, any
    speaker the statement names, and any other name the statement gives that the
    sentence's article uses ``elsewhere`` (its other sentences), not here (Israel, in a
    telling that threatens it, is not stated by a sentence that gives only the promise).
    The checks of ``check`` that need no model; used to test a merged point's statement
    against every other sentence it cites. A statement may leave out who says it: the
    footnote shows the sentence's speaker. It may also name the speaker that the
    sentence gives as a pronoun ("she said"): the statement is a verified restatement of
    its own sentence, which names them."""
    text = sentence
    pronoun = pronoun_speaker(text, article_language)
    actor = _misattribution(statement, text, elsewhere)
    return not (_figure_problems(statement, text, article_language, language, elsewhere)
                or _negation_problem(statement, text, article_language, language)
                or (_added_speaker(statement, text, article_language, language)
                    and not pronoun)
                or (actor is not None and not (pronoun and fold(actor) in {
                    fold(w) for w in speaker(statement, language).split()})))


def _figure_problems(statement: str, sentence: str, article_language: str,
                     language: str, elsewhere: Sequence[str] = ()) -> list[str]:
    """Numbers, times, hedges, weekdays, months and currencies the statement gives and
    the sentence does not (``elsewhere``: the article's other sentences, for the
    currency its amounts are in)."""
    problems: list[str] = []
    source = read(sentence, article_language)
    said = read(statement, language)
    mentions = read_mentions(statement, language)
    hedged = {m.value for m in mentions if m.value is not None and m.hedge != "exact"}
    days = day_numbers(sentence, article_language)
    if (numbers := _numbers_problem(said, source, hedged, days)) is not None:
        problems.append(numbers)
    exact = sorted({m.value for m in mentions if m.value is not None and m.hedge == "exact"
                    and m.value in source.approximate})
    if exact:
        problems.append(f"states {exact[0]:g} exactly where the sentence gives it only "
                        "roughly")
    if (hedge := _changed_hedge(mentions, sentence, article_language)) is not None:
        problems.append(hedge)
    theirs = read_mentions(sentence, article_language)
    if (toll := _changed_toll(mentions, theirs)) is not None:
        problems.append(toll)
    if (scale := _changed_scale(mentions, theirs)) is not None:
        problems.append(scale)
    if calendar_names(statement, language) - calendar_names(sentence, article_language):
        problems.append("names a weekday or month the sentence does not")
    if (money := _changed_currency(mentions, sentence, elsewhere, article_language,
                                   language)) is not None:
        problems.append(money)
    return problems


_DIRECTED = frozenset({"nearly", "at least", "more than", "at most", "less than"})
CHANGED_HEDGE = "changes the hedge of"


@lru_cache(maxsize=8192)  # a sentence is compared with every statement of its point
def sentence_hedges(sentence: str, article_language: str
                    ) -> Mapping[float, frozenset[str]]:
    """The hedges a sentence puts on each number it gives ({80: {"nearly"}}), for a
    sentence in a language whose hedges the lexicon knows; empty elsewhere, where a
    hedge in words would read as an exact number."""
    if article_language not in LEXICONS:
        return {}
    hedges: dict[float, set[str]] = {}
    for m in read_mentions(sentence, article_language):
        if m.value is not None:
            hedges.setdefault(m.value, set()).add(m.hedge)
    return {value: frozenset(found) for value, found in hedges.items()}


def hedge_kept(value: float, hedge: str, theirs: AbstractSet[str]) -> bool:
    """Whether ``hedge`` on ``value`` agrees with one of the sentence's hedges on it: an
    "about" goes with any; a plain number needs a plain or "about" one; a directed hedge
    ("more than", "nearly") needs a directed one of the sentence that allows a value it
    allows ("une douzaine", about 12, is not "at least 12")."""
    if hedge == "about":
        return True
    if hedge == "exact":
        return not theirs <= _DIRECTED
    return any(h in _DIRECTED and overlaps(interval(value, hedge), interval(value, h))
               for h in theirs)


def _changed_hedge(mentions: Sequence[Mention], sentence: str, article_language: str
                   ) -> str | None:
    """A number whose hedge points another way than the sentence's: "près de 80"
    (nearly) given as "more than 80", "80" as "more than 80", or "pas moins de 12" as a
    plain 12."""
    theirs = sentence_hedges(sentence, article_language)
    for m in mentions:
        if m.value is not None and m.value in theirs \
                and not hedge_kept(m.value, m.hedge, theirs[m.value]):
            return f"{CHANGED_HEDGE} {m.value:g} ('{m.text}')"
    return None


def _changed_toll(mentions: Sequence[Mention], sentence_mentions: Sequence[Mention]
                  ) -> str | None:
    """A number of people the statement counts as another harm than its sentence does:
    "killing four employees" for "faisant quatre blessés légers" (injured)."""
    theirs: dict[float, set[str]] = {}
    for m in sentence_mentions:
        if m.value is not None and m.kind in PEOPLE_KINDS:
            theirs.setdefault(m.value, set()).add(m.kind)
    for m in mentions:
        if m.value is not None and m.kind in PEOPLE_KINDS and m.value in theirs \
                and m.kind not in theirs[m.value]:
            return (f"counts {m.value:g} people as {m.kind} where the sentence counts "
                    f"them as {min(theirs[m.value])}")
    return None


def _changed_scale(mentions: Sequence[Mention], sentence_mentions: Sequence[Mention]
                   ) -> str | None:
    """An amount of money a thousandfold off the sentence's: "3.2 million euros" for "3,2
    mil milhões de euros" (3.2 billion). The digits match, so the number check passes."""
    theirs = [m.value for m in sentence_mentions if m.kind == "money" and m.value]
    for m in mentions:
        if m.kind != "money" or not m.value or any(
                math.isclose(m.value, v, rel_tol=0.01) for v in theirs):
            continue
        for value in theirs:
            power = math.log10(max(m.value, value) / min(m.value, value))
            if power >= 3 and math.isclose(power % 3, 0, abs_tol=1e-6):
                return f"gives {m.text!r} where the sentence gives {value:,.0f}"
    return None


def _changed_currency(mentions: Sequence[Mention], sentence: str,
                      elsewhere: Sequence[str], article_language: str, language: str
                      ) -> str | None:
    """An amount in another currency than its sentence gives for the same figure ("$3
    million" for "3 millones de euros"), or, where the sentence names no currency at all
    ("lucra 412 milhões"), a currency sign or code the statement adds in a report whose
    amounts are all in one other currency ("$412 million" in a report in euros).
    Currencies are the CLDR names and symbols read next to a figure
    (``currency_amounts``); a currency that is not read (a name CLDR spells unlike the
    English, "Franken", "долларов") is no evidence, and a language CLDR does not know is
    not checked."""
    if cldr_locale(article_language) is None or cldr_locale(language) is None:
        return None
    theirs = currency_amounts(sentence, article_language)
    for mention in mentions:
        if mention.kind != "money" or mention.value is None:
            continue
        ours = currency_families(mention.text, language)
        if not ours:
            continue
        digits = significant(mention.value)
        at_figure = {family for family, figure in theirs if figure == digits}
        if at_figure and not ours & at_figure:
            return f"gives {mention.text!r} in another currency than its sentence"
        if theirs or not _sign_or_code(mention.text, language):
            continue
        article = frozenset().union(*(currency_families(text, article_language)
                                      for text in elsewhere))
        if len(article) == 1 and not ours & article:
            return (f"gives {mention.text!r} where its article gives amounts in "
                    f"{next(iter(article))}s")
    return None


def _sign_or_code(text: str, language: str) -> bool:
    """Whether the currency of an amount's words is a sign or a code ("$", "€", "USD"),
    which a restatement adds more easily than a name."""
    return currency_families(re.sub(r"[^\W\d_]{2,}", " ", text), language) != frozenset() \
        or bool(re.search(r"\b[A-Z]{3}\b", text))


def _voice_problems(statement: str, sentence: str, article_language: str,
                    language: str) -> list[str]:
    """A negation dropped or added, a speaker dropped or added."""
    problems: list[str] = []
    if (negation := _negation_problem(statement, sentence, article_language,
                                      language)) is not None:
        problems.append(negation)
    if (dropped := _dropped_speaker(statement, sentence, article_language,
                                    language)) is not None:
        problems.append(f"{DROPPED_ATTRIBUTION} {dropped}")
    elif (added := _added_speaker(statement, sentence, article_language,
                                  language)) is not None:
        problems.append(f"gives it to {added}, whom the sentence does not name")
    return problems


def negations(text: str, language: str) -> tuple[int, int] | None:
    """How many negations ``text`` makes in ``language`` (its CLAUSES entry; None for a
    language without one): (negations proper, denying prepositions such as "without").
    A negation inside a hedge ("no more than", "pas moins de"), "not only" or a fixed
    phrase ("sin embargo") denies nothing and is not counted; French "plus" and
    "personne" negate only beside "ne"."""
    words = CLAUSES.get(language)
    if words is None:
        return None
    low = [w.casefold() for w in tokens(text)]
    proper = without = 0
    for i, word in enumerate(low):
        if word in words.particle_negations:
            near = low[max(0, i - 4):i] + low[i + 1:i + 2]
            if not any(w in words.particles for w in near):
                continue
        elif word not in words.negations and word not in words.without:
            continue
        if any(low[i - k:i - k + len(seq)] == list(seq)
               for seq in words.not_negating for k, w in enumerate(seq)
               if w == word and i - k >= 0):
            continue
        if word in words.without:
            without += 1
        else:
            proper += 1
    return proper, without


def _negation_problem(statement: str, sentence: str, article_language: str,
                      language: str) -> str | None:
    """A negation dropped ("n'ont fait aucune victime" as "caused casualties") or added.
    Presence is compared, not the count ("aucun ... ni ..." is one denial in English). A
    "without" satisfies a negation on the other side but never requires one: "sans
    relâche" is "relentlessly"."""
    source, said = negations(sentence, article_language), negations(statement, language)
    if source is None or said is None:
        return None
    if source[0] and not any(said):
        return "drops the sentence's negation"
    if said[0] and not any(source):
        return "adds a negation the sentence lacks"
    return None


def _added_speaker(statement: str, sentence: str, article_language: str,
                   language: str) -> str | None:
    """A speaker the statement names ("the Pentagon said") where its sentence names
    none (no source marker, or only "he said") and has none of the speaker's words: the
    model resolved a pronoun from elsewhere or made the attribution up."""
    if language not in CLAUSES or article_language not in CLAUSES:
        return None
    if any(a.speaker for a in attributions(sentence, article_language)):
        return None  # a changed speaker is the misattribution check's business
    source = {fold(w).strip("'") for w in tokens(sentence)}
    for attribution in attributions(statement, language):
        words = [fold(w).strip("'") for w in attribution.speaker]
        words = [w for w in words if len(w) >= 4]
        if words and not any(_same_name(w, s) for w in words for s in source):
            return " ".join(attribution.speaker)
    return None


def _dropped_speaker(statement: str, sentence: str, article_language: str,
                     language: str) -> str | None:
    """The speaker the cited sentence names ("selon le Pentagone", "a indiqué Jonathan
    Hoffman", "sagte eine Sprecherin") when the statement names none: no source marker
    with a speaker ("according to the police", "the spokesman said"; "he said" names
    nobody), and none of the speaker's words (fuzzy, so "Pentagone" is "Pentagon").
    A changed speaker is the misattribution check's business, not this one's: a body's
    name may be translated ("Guardia Civil": "the police")."""
    if language not in CLAUSES:
        return None
    named = [a for a in attributions(sentence, article_language) if a.speaker]
    if not named or any(a.speaker for a in attributions(statement, language)):
        return None
    said = _words(statement)
    sentence_words = Counter(fold(w).strip("'") for w in tokens(sentence))
    for attribution in named:
        words = Counter(fold(w).strip("'") for w in attribution.speaker)
        # A word the sentence also uses outside the speaker says nothing about the
        # speaker: "Meuse" of "BRÉVANNES (Meuse) ... a indiqué la préfecture de la Meuse".
        own = [w for w, n in words.items() if len(w) >= 4 and sentence_words[w] <= n]
        if not any(_same_name(w, s) for w in own for s in said):
            return " ".join(attribution.speaker)
    return None


@lru_cache(maxsize=8192)
def _words(text: str) -> frozenset[str]:
    return frozenset(fold(w) for w in _WORD.findall(text))


def _misattribution(statement: str, sentence: str, elsewhere: Sequence[str]) -> str | None:
    """A name of ``statement`` that ``sentence`` lacks and the article's other sentences
    (``elsewhere``) have: the statement gives this sentence's fact to someone else."""
    here = _words(sentence)
    there = frozenset().union(*(_words(s) for s in elsewhere))
    for word in names(statement):
        name = fold(word)
        if any(_same_name(name, w) for w in here):
            continue
        if any(_same_name(name, w) for w in there):
            return word
    return None


COMMON_WORD_ZIPF = 5.0
"""A capitalised word this frequent in the summary language (wordfreq's Zipf scale:
"national" 5.5, "general" 5.5, against "disappeared" 4.3, "muammar" 2.5) is an everyday
word in a title ("the National Meteorological Agency"), not a name to find."""


def _unknown_name(statement: str, event_words: frozenset[str], language: str,
                  article_language: str) -> str | None:
    """A capitalised word of the statement that no article of the event has in any form
    (a name the model made up: "General Muammar al-Qaddafi" in a report on Iran).
    Weekday and month names are the calendar check's business; a language or country
    name, or a word made from one, counts in the article's language ("Spanish" for
    "espagnole", "Iraqi" for "irakienne": CLDR)."""
    calendar = _calendar_words(language)
    for word in names(statement):
        if len(word) < 4:
            continue
        name = fold(word)
        if name in calendar or (_has_word_list(language) and wordfreq.zipf_frequency(
                word.lower(), language) >= COMMON_WORD_ZIPF):
            continue
        if name in event_words or any(_same_name(name, w) for w in event_words):
            continue
        # "Iraqi" is the country "Iraq": "Irak" in French, as in "irakienne".
        forms = {f for key, found in _cldr_names(language, article_language).items()
                 if name.startswith(key) for f in found if len(f) >= 4}
        if any(w.startswith(f) for f in forms for w in event_words):
            continue
        return word
    return None


@lru_cache(maxsize=64)
def _cldr_names(language: str, article_language: str) -> Mapping[str, frozenset[str]]:
    """Folded language and territory names of ``language`` (four letters or more) -> the
    same names in ``article_language`` (CLDR, Babel): "spanish" -> {"espagnol"},
    "iraq" -> {"irak"}."""
    ours, theirs = cldr_locale(language), cldr_locale(article_language)
    if ours is None or theirs is None:
        return {}
    out: dict[str, set[str]] = {}
    for table, other in ((ours.languages, theirs.languages),
                         (ours.territories, theirs.territories)):
        for code, name in table.items():
            if code in other and len(name) >= 4:
                out.setdefault(fold(name), set()).add(fold(other[code]))
    return {k: frozenset(v) for k, v in out.items()}


@lru_cache(maxsize=32)
def _has_word_list(language: str) -> bool:
    return language in wordfreq.available_languages()


def stray_word(statement: str, language: str) -> str | None:
    """A lower-case word of a translation that the summary language does not have
    (wordfreq's frequency lists): a word left untranslated ("dragage") or garbled
    ("carrieral"). Capitalised words are names and the name checks' business."""
    if not _has_word_list(language) or detect_language(statement) != language:
        return None  # not a translation at all: bench.quality counts those apart
    return next((w for w in _PLAIN_WORD.findall(statement)
                 if w.islower() and wordfreq.zipf_frequency(w, language) == 0), None)


def event_vocabulary(texts: Sequence[str], statements: Sequence[str] = ()
                     ) -> frozenset[str]:
    """The folded words of an event's articles, and the words that two or more of its
    statements use (a name rendered the same way from two sources is not made up), for
    ``check``'s ``event_words``."""
    seen = Counter(w for s in statements for w in _words(s))
    return frozenset().union(*(_words(t) for t in texts)) | {w for w, n in seen.items()
                                                            if n >= 2}


def _same_name(a: str, b: str) -> bool:
    """'pentagon' ~ 'pentagone', 'iranians' ~ 'iraniens'; 'iraqis' is not 'iraniens'."""
    if a == b:
        return True
    if min(len(a), len(b)) < 4:
        return False
    prefix = len(_common_prefix(a, b))
    return prefix >= 5 or fuzz.ratio(a, b) >= 85


def _common_prefix(a: str, b: str) -> str:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return a[:n]


def verify_article(article: Article, sentences: Sequence[Sentence],
                   statements: dict[int, str], *, language: str,
                   event_words: frozenset[str] = frozenset()
                   ) -> tuple[list[Claim], list[Unverified]]:
    """Claims for the statements that pass every check, Unverified for the rest."""
    translated = article.language != language
    claims: list[Claim] = []
    rejected: list[Unverified] = []
    for sentence in sentences:
        statement = statements.get(sentence.number)
        if statement is None:
            continue
        statement = in_local_format(statement, sentence.text,
                                    article_language=article.language, language=language)
        verdict = check(statement, sentence, sentences, article_language=article.language,
                        language=language, translated=translated, event_words=event_words)
        if verdict.ok:
            claims.append(Claim(
                id=sentence.id, article_id=article.id, sentence=sentence.number,
                statement=statement, quote=sentence.text, span=sentence.span,
                translated=translated, quantities=[],
            ))
        else:
            rejected.append(Unverified(
                id=sentence.id, article_id=article.id, statement=statement,
                quote=sentence.text, span=sentence.span, reason="; ".join(verdict.problems),
            ))
    return claims, rejected
