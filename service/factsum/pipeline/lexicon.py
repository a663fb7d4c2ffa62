"""Grammar words of the summary language that the figure reader needs.

Every statement of a summary is written in the summary language (the model translates
each cited sentence into it), so the reader of figures needs these words for that one
language only, whatever the languages of the sources. They are grammar, not an event's
vocabulary: hedges ("at least"), collective numerals ("a dozen"), the words that say
"none", and the few nouns that name harm to people, which every toll is counted in.
Cardinal numbers come from text2num and day and month names from CLDR (Babel); no
library carries the words below, hence this table. A summary language without an entry
here gets figures in digits and cardinal words only, with no hedge and no zero.

To add a language, add one ``Lexicon`` to ``LEXICONS``; tests/pipeline/test_quantities.py
runs every lexicon through the same cases.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from factsum.models import Hedge, Kind


@dataclass(frozen=True)
class Lexicon:
    """Words of one summary language, lower-case."""

    hedges: dict[str, Hedge]
    """Phrase before a number -> hedge ("more than" -> "more than")."""
    collective: dict[str, tuple[float, Hedge]]
    """A numeral noun -> its value and hedge ("dozens" -> 24, at least)."""
    collective_articles: frozenset[str]
    """Words that may stand before a collective numeral ("a dozen", "une douzaine")."""
    none: frozenset[str]
    """Words that say there were none of the noun that follows ("no", "aucun")."""
    people: dict[str, Kind]
    """Nouns and participles naming harm to people -> the kind of toll they count."""
    of: frozenset[str] = field(default_factory=frozenset)
    """Words between a numeral noun and what it counts ("dozens of missiles")."""
    any_words: frozenset[str] = field(default_factory=frozenset)
    """Words that say "none" after a negation ("did not cause any casualties")."""
    negations: frozenset[str] = field(default_factory=frozenset)
    """Negations that turn ``any_words`` into "none"."""
    reporting: frozenset[str] = field(default_factory=frozenset)
    """Verbs that attribute a statement ("said", "announced")."""
    according_to: tuple[str, ...] = ()
    """Phrases that introduce a source ("according to")."""
    conjunctions: frozenset[str] = field(default_factory=frozenset)
    """Words that end the noun phrase after a number ("40 people and 12 others")."""


ENGLISH = Lexicon(
    hedges={
        "about": "about", "around": "about", "some": "about", "approximately": "about",
        "roughly": "about", "nearly": "about", "almost": "about", "an estimated": "about",
        "at least": "at least", "no fewer than": "at least", "no less than": "at least",
        "not less than": "at least",
        "more than": "more than", "over": "more than", "above": "more than",
        "upwards of": "more than",
        "up to": "at most", "at most": "at most", "no more than": "at most",
        "less than": "less than", "fewer than": "less than", "under": "less than",
        "below": "less than",
    },
    collective={
        "dozen": (12, "about"), "dozens": (24, "at least"), "score": (20, "about"),
        "scores": (40, "at least"), "tens": (20, "at least"), "hundreds": (200, "at least"),
        "thousands": (2000, "at least"), "millions": (2_000_000, "at least"),
    },
    collective_articles=frozenset({"a", "one", "half"}),
    none=frozenset({"no", "zero", "none", "without"}),
    people={
        "dead": "killed", "deaths": "killed", "death": "killed", "killed": "killed",
        "died": "killed", "fatalities": "killed", "bodies": "killed",
        "casualties": "killed", "victims": "killed", "victim": "killed",
        "casualty": "killed",
        "injured": "injured", "wounded": "injured", "hurt": "injured",
        "injuries": "injured",
        "missing": "missing", "evacuated": "evacuated", "evacuees": "evacuated",
        "displaced": "evacuated", "arrested": "arrested", "arrests": "arrested",
        "detained": "arrested",
    },
    of=frozenset({"of"}),
    any_words=frozenset({"any"}),
    negations=frozenset({"not", "never", "n't", "without", "nor"}),
    reporting=frozenset({
        "said", "says", "say", "announced", "announces", "announce", "confirmed",
        "confirms", "reported", "reports", "stated", "states", "told", "claimed",
        "claims", "added", "declared", "wrote", "tweeted", "estimated", "estimates",
        "counted", "speaks", "spoke", "put", "puts",
    }),
    according_to=("according to", "quoted by", "cited by"),
    conjunctions=frozenset({"and", "or", "but"}),
)

FRENCH = Lexicon(
    hedges={
        "environ": "about", "près de": "about", "quelque": "about", "quelques": "about",
        "presque": "about", "au moins": "at least", "pas moins de": "at least",
        "plus de": "more than", "plus d'": "more than", "au-delà de": "more than",
        "jusqu'à": "at most", "au plus": "at most", "moins de": "less than",
        "moins d'": "less than",
    },
    collective={
        "dizaine": (10, "about"), "douzaine": (12, "about"), "quinzaine": (15, "about"),
        "vingtaine": (20, "about"), "trentaine": (30, "about"), "centaine": (100, "about"),
        "dizaines": (20, "at least"), "douzaines": (24, "at least"),
        "centaines": (200, "at least"), "milliers": (2000, "at least"),
        "millier": (1000, "about"),
    },
    collective_articles=frozenset({"une", "un", "des"}),
    none=frozenset({"aucun", "aucune", "zéro", "sans", "pas"}),
    people={
        "morts": "killed", "mort": "killed", "tués": "killed", "décès": "killed",
        "victimes": "killed", "victime": "killed", "blessés": "injured",
        "blessé": "injured", "disparus": "missing", "évacués": "evacuated",
        "évacuées": "evacuated", "déplacés": "evacuated", "arrêtés": "arrested",
        "interpellés": "arrested",
    },
    of=frozenset({"de", "d'"}),
    reporting=frozenset({
        "a dit", "dit", "déclaré", "annoncé", "annonce", "annoncent", "confirmé",
        "indiqué", "affirmé", "précisé", "estimé", "selon", "parle",
    }),
    according_to=("selon", "d'après", "cité par", "cités par"),
    conjunctions=frozenset({"et", "ou", "mais"}),
)

LEXICONS: dict[str, Lexicon] = {"en": ENGLISH, "fr": FRENCH}

EMPTY = Lexicon(hedges={}, collective={}, collective_articles=frozenset(), none=frozenset(),
                people={})


def lexicon(language: str) -> Lexicon:
    """The summary language's words (an empty lexicon when there is no entry)."""
    return LEXICONS.get(language, EMPTY)
