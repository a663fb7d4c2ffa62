"""Words the figure reader knows, per language: counted nouns, hedges, collectives.

Data only (read by factsum.pipeline.figures). Kept to what reports of violent events count:
missiles and rockets fired, deaths, casualties and injuries. A language missing here
simply yields no figures; the model's own quantities are still used.
"""

from __future__ import annotations

from dataclasses import dataclass

from factsum.models import Qualifier

A = Qualifier.ABOUT
AL = Qualifier.AT_LEAST
MT = Qualifier.MORE_THAN
UT = Qualifier.UP_TO
LT = Qualifier.LESS_THAN


@dataclass(frozen=True)
class Lexicon:
    """One language's vocabulary; keys are lower-case, elisions written "d'"."""

    # Regex alternatives (lower-case) of counted nouns -> canonical English plural unit.
    nouns: dict[str, str]
    # Hedge words before a number -> qualifier ("au moins" -> at least).
    hedges: dict[str, Qualifier]
    # Collective numerals -> (value, qualifier): "une dizaine" is about 10.
    collectives: dict[str, tuple[float, Qualifier]]
    # Words that say "none of": "pas de victime" is zero casualties.
    negations: tuple[str, ...]
    # Words that may stand between a number and its noun: "une dizaine de missiles".
    linkers: tuple[str, ...] = ()
    # "selon X", "according to X": X is who asserts the sentence.
    according_to: tuple[str, ...] = ()
    # Reporting verbs: "les Iraniens annoncent", "a indiqué le Pentagone".
    reporting_verbs: tuple[str, ...] = ()


EN = Lexicon(
    nouns={
        r"ballistic missiles?|missiles?": "missiles",
        r"rockets?": "rockets",
        r"deaths?|dead|fatalities|killed|people killed|people dead": "deaths",
        r"casualties|victims": "casualties",
        r"injured|wounded|injuries": "injuries",
    },
    hedges={
        "at least": AL, "no fewer than": AL, "no less than": AL, "more than": MT,
        "over": MT, "about": A, "around": A, "some": A, "nearly": A, "almost": A,
        "roughly": A, "approximately": A, "up to": UT, "fewer than": LT, "less than": LT,
    },
    collectives={
        "a dozen": (12, A), "dozen": (12, A), "dozens": (24, AL), "dozens of": (24, AL),
        "a score": (20, A), "scores": (40, AL), "hundreds": (200, AL),
    },
    negations=("no", "zero", "without"),
    linkers=("of",),
    according_to=("according to", "citing"),
    reporting_verbs=("said", "says", "say", "announced", "announces", "claimed", "claims",
                     "reported", "reports", "stated", "confirmed"),
)

FR = Lexicon(
    nouns={
        r"missiles?(?: balistiques?)?": "missiles",
        r"roquettes?": "rockets",
        r"morts?|tués|décès|personnes tuées": "deaths",
        r"victimes?|pertes humaines": "casualties",
        r"blessés?": "injuries",
    },
    hedges={
        "au moins": AL, "pas moins de": AL, "pas moins d'": AL, "plus de": MT,
        "plus d'": MT, "environ": A, "près de": A, "près d'": A, "quelque": A,
        "autour de": A, "jusqu'à": UT, "moins de": LT, "moins d'": LT,
    },
    collectives={
        "une dizaine": (10, A), "dizaine": (10, A), "une douzaine": (12, A),
        "douzaine": (12, A), "une quinzaine": (15, A), "une vingtaine": (20, A),
        "vingtaine": (20, A), "une trentaine": (30, A), "une quarantaine": (40, A),
        "une cinquantaine": (50, A), "une centaine": (100, A), "des dizaines": (20, AL),
        "plusieurs dizaines": (20, AL), "des douzaines": (24, AL),
        "des centaines": (200, AL),
    },
    negations=("pas", "aucun", "aucune", "sans", "zéro"),
    linkers=("de", "d'"),
    according_to=("selon", "d'après"),
    reporting_verbs=("annoncent", "annonce", "a annoncé", "ont annoncé", "affirment",
                     "affirme", "a affirmé", "a indiqué", "ont indiqué", "a déclaré",
                     "a confirmé", "a précisé", "revendiquent", "évoquait", "évoque", "parle",
                     "parlent", "a reconnu"),
)

DE = Lexicon(
    nouns={
        r"raketen|rakete|marschflugkörper": "missiles",
        r"tote|toten|todesopfer|getötete": "deaths",
        r"opfer": "casualties",
        r"verletzte|verletzten|verwundete": "injuries",
    },
    hedges={
        "mindestens": AL, "wenigstens": AL, "mehr als": MT, "über": MT, "etwa": A,
        "rund": A, "ungefähr": A, "circa": A, "fast": A, "bis zu": UT,
        "weniger als": LT,
    },
    collectives={
        "ein dutzend": (12, A), "einem dutzend": (12, A), "dutzend": (12, A),
        "dutzende": (24, AL), "hunderte": (200, AL),
    },
    negations=("keine", "kein", "ohne"),
    according_to=("laut", "nach angaben"),
    reporting_verbs=("sagte", "teilte mit", "meldete", "erklärte", "berichtete"),
)

ES = Lexicon(
    nouns={
        r"misiles?(?: balísticos?)?": "missiles",
        r"cohetes?": "rockets",
        r"muertos?|fallecidos?": "deaths",
        r"víctimas?": "casualties",
        r"heridos?": "injuries",
    },
    hedges={
        "al menos": AL, "por lo menos": AL, "más de": MT, "unos": A, "unas": A,
        "alrededor de": A, "cerca de": A, "aproximadamente": A, "casi": A, "hasta": UT,
        "menos de": LT,
    },
    collectives={
        "una decena": (10, A), "decena": (10, A), "una docena": (12, A),
        "docena": (12, A), "una veintena": (20, A), "decenas": (20, AL),
        "docenas": (24, AL), "cientos": (200, AL), "centenares": (200, AL),
    },
    negations=("sin", "ningún", "ninguna", "no hubo"),
    linkers=("de",),
    according_to=("según",),
    reporting_verbs=("dijo", "anunció", "afirmó", "informó", "aseguró"),
)

LEXICONS: dict[str, Lexicon] = {"en": EN, "fr": FR, "de": DE, "es": ES}
