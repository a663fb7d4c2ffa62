"""Grammar words that the figure reader needs, per language.

Every statement of a summary is written in the summary language (the model translates
each cited sentence into it), so disputes read figures in that one language. The support
check also reads the hedges of each cited sentence in its own language, to see that a
restatement keeps them ("près de 80" is not "more than 80"). The words are grammar, not
an event's vocabulary: hedges ("at least"), collective numerals ("a dozen"), the words
that say "none", and the few nouns that name harm to people, which every toll is
counted in. Cardinal numbers come from text2num and day and month names from CLDR
(Babel); no library carries the words below, hence this table (en, fr, es, de, it, pt).
A language without an entry gets figures in digits and cardinal words only, with no
hedge and no zero, and its sentences' hedges are not compared.

To add a language, add one ``Lexicon`` to ``LEXICONS``; tests/pipeline/test_quantities.py
runs every lexicon through the same cases.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from babel import Locale, UnknownLocaleError

from factsum.models import Hedge, Kind


@lru_cache(maxsize=256)
def cldr_locale(language: str) -> Locale | None:
    """Babel's CLDR locale for a language code ("fr", "pt_BR"), or None for a code CLDR
    does not know."""
    try:
        return Locale.parse(language)
    except (UnknownLocaleError, ValueError):
        return None


@lru_cache(maxsize=64)
def month_names(language: str) -> frozenset[str]:
    """The language's month names (CLDR, Babel), lower-case, full and abbreviated, as a
    date writes them and as they stand alone ("märz", "sept", "mär"), without the
    abbreviation's full stop; empty for a code CLDR does not know."""
    locale = cldr_locale(language)
    if locale is None:
        return frozenset()
    return frozenset(name.lower().rstrip(".") for context in ("format", "stand-alone")
                     for width in ("wide", "abbreviated")
                     for name in locale.months[context][width].values())


@lru_cache(maxsize=16384)  # the same sentences and statements are folded by every check
def fold(text: str) -> str:
    """Lower-case, accents removed: 'Pentagone' and 'pentagone', 'Défense' and 'defense'.
    How the words of these tables and of texts are compared."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@dataclass(frozen=True)
class Lexicon:
    """Words of one language, lower-case."""

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
        "roughly": "about", "nearly": "nearly", "almost": "nearly", "an estimated": "about",
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
        "killing": "killed", "died": "killed", "fatalities": "killed", "bodies": "killed",
        "casualties": "killed", "victims": "killed", "victim": "killed",
        "casualty": "killed",
        "injured": "injured", "wounded": "injured", "hurt": "injured",
        "injuries": "injured", "injuring": "injured",
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
        "environ": "about", "près de": "nearly", "quelque": "about", "quelques": "about",
        "presque": "nearly", "au moins": "at least", "pas moins de": "at least",
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

# The languages below are read for their hedges and counts wherever a sentence is in
# them (the support check compares a restatement's hedge with its sentence's), and serve
# as a summary language too.
SPANISH = Lexicon(
    hedges={
        "unos": "about", "unas": "about", "alrededor de": "about", "aproximadamente": "about",
        "cerca de": "nearly", "casi": "nearly", "al menos": "at least",
        "por lo menos": "at least", "no menos de": "at least", "más de": "more than",
        "no más de": "at most",
        "hasta": "at most", "como máximo": "at most", "menos de": "less than",
    },
    collective={
        "decena": (10, "about"), "docena": (12, "about"), "veintena": (20, "about"),
        "centenar": (100, "about"), "millar": (1000, "about"), "decenas": (20, "at least"),
        "docenas": (24, "at least"), "centenares": (200, "at least"),
        "cientos": (200, "at least"), "miles": (2000, "at least"),
    },
    collective_articles=frozenset({"una", "un"}),
    none=frozenset({"ningún", "ninguna", "ninguno", "sin", "cero"}),
    people={
        "muertos": "killed", "muerto": "killed", "fallecidos": "killed",
        "víctimas": "killed", "heridos": "injured", "herido": "injured",
        "desaparecidos": "missing", "evacuados": "evacuated", "desplazados": "evacuated",
        "detenidos": "arrested",
    },
    of=frozenset({"de"}),
    reporting=frozenset({"dijo", "afirmó", "anunció", "declaró", "informó", "confirmó"}),
    according_to=("según", "de acuerdo con"),
    conjunctions=frozenset({"y", "o", "pero"}),
)

GERMAN = Lexicon(
    hedges={
        "etwa": "about", "rund": "about", "ungefähr": "about", "circa": "about",
        "fast": "nearly", "beinahe": "nearly", "knapp": "nearly",
        "mindestens": "at least", "wenigstens": "at least", "mehr als": "more than",
        "über": "more than", "bis zu": "at most", "höchstens": "at most",
        "nicht mehr als": "at most", "nicht weniger als": "at least",
        "weniger als": "less than",
    },
    collective={
        "dutzend": (12, "about"), "dutzende": (24, "at least"),
        "hunderte": (200, "at least"), "tausende": (2000, "at least"),
    },
    collective_articles=frozenset({"ein", "eine"}),
    none=frozenset({"kein", "keine", "keinen", "ohne", "null"}),
    people={
        "tote": "killed", "toten": "killed", "todesopfer": "killed", "opfer": "killed",
        "verletzte": "injured", "verletzten": "injured", "vermisste": "missing",
        "vermissten": "missing", "evakuierte": "evacuated", "festnahmen": "arrested",
    },
    of=frozenset({"von"}),
    reporting=frozenset({"sagte", "erklärte", "teilte", "bestätigte", "meldete"}),
    according_to=("nach angaben", "laut", "zufolge"),
    conjunctions=frozenset({"und", "oder", "aber"}),
)

ITALIAN = Lexicon(
    hedges={
        "circa": "about", "quasi": "nearly", "almeno": "at least",
        "non meno di": "at least", "più di": "more than", "oltre": "more than",
        "non più di": "at most", "non oltre": "at most",
        "fino a": "at most", "meno di": "less than",
    },
    collective={
        "decina": (10, "about"), "dozzina": (12, "about"), "ventina": (20, "about"),
        "centinaio": (100, "about"), "migliaio": (1000, "about"),
        "decine": (20, "at least"), "centinaia": (200, "at least"),
        "migliaia": (2000, "at least"),
    },
    collective_articles=frozenset({"una", "un"}),
    none=frozenset({"nessun", "nessuna", "nessuno", "senza", "zero"}),
    people={
        "morti": "killed", "morto": "killed", "vittime": "killed", "feriti": "injured",
        "ferito": "injured", "dispersi": "missing", "evacuati": "evacuated",
        "sfollati": "evacuated", "arrestati": "arrested",
    },
    of=frozenset({"di"}),
    reporting=frozenset({"ha detto", "ha dichiarato", "ha annunciato", "ha confermato"}),
    according_to=("secondo",),
    conjunctions=frozenset({"e", "o", "ma"}),
)

PORTUGUESE = Lexicon(
    hedges={
        "cerca de": "about", "aproximadamente": "about", "quase": "nearly",
        "pelo menos": "at least", "no mínimo": "at least", "mais de": "more than",
        "não mais de": "at most", "não menos de": "at least",
        "até": "at most", "no máximo": "at most", "menos de": "less than",
    },
    collective={
        "dezena": (10, "about"), "dúzia": (12, "about"), "centena": (100, "about"),
        "milhar": (1000, "about"), "dezenas": (20, "at least"),
        "centenas": (200, "at least"), "milhares": (2000, "at least"),
    },
    collective_articles=frozenset({"uma", "um"}),
    none=frozenset({"nenhum", "nenhuma", "sem", "zero"}),
    people={
        "mortos": "killed", "morto": "killed", "vítimas": "killed", "feridos": "injured",
        "ferido": "injured", "desaparecidos": "missing", "evacuados": "evacuated",
        "desalojados": "evacuated", "detidos": "arrested",
    },
    of=frozenset({"de"}),
    reporting=frozenset({"disse", "afirmou", "anunciou", "declarou", "confirmou"}),
    according_to=("segundo", "de acordo com"),
    conjunctions=frozenset({"e", "ou", "mas"}),
)

LEXICONS: dict[str, Lexicon] = {"en": ENGLISH, "fr": FRENCH, "es": SPANISH, "de": GERMAN,
                                "it": ITALIAN, "pt": PORTUGUESE}

EMPTY = Lexicon(hedges={}, collective={}, collective_articles=frozenset(), none=frozenset(),
                people={})


def lexicon(language: str) -> Lexicon:
    """The summary language's words (an empty lexicon when there is no entry)."""
    return LEXICONS.get(language, EMPTY)


# --------------------------------------------------------------------------- clauses
# Grammar words that the support check (factsum.pipeline.verify) reads on BOTH sides of a
# restatement: in the cited sentence's language and in the summary language. They say
# whether a clause is negated and who a sentence says is speaking. Like the table above
# they are grammar, not an event's vocabulary, and no installed library carries them
# (Babel's CLDR data has no negations or reporting verbs).


@dataclass(frozen=True)
class Clauses:
    """Negation and attribution words of one language, lower-case."""

    negations: frozenset[str]
    """Words that negate on their own ("not", "jamais", "kein", "nunca")."""
    reporting: frozenset[str]
    """Verb forms that attribute what a sentence says ("said", "a indiqué": "indiqué")."""
    according_to: tuple[str, ...]
    """Phrases that introduce a source ("according to", "selon", "laut")."""
    pronouns: frozenset[str]
    """Subject pronouns and relatives: a speaker that names nobody ("he said")."""
    complementizers: frozenset[str]
    """Words that open a reported clause ("that", "que", "dass")."""
    personal: frozenset[str] = field(default_factory=frozenset)
    """Personal subject pronouns ("she", "il", "sie"): "she said" names its speaker
    elsewhere in the article."""
    perfect: frozenset[str] = field(default_factory=frozenset)
    """Finite forms of the perfect's auxiliary ("have", "ont", "hat"): a number straight
    before one is its clause's subject ("about 15 have already targeted bases")."""
    particle_negations: frozenset[str] = field(default_factory=frozenset)
    """Words that negate only after the negative particle (French "ne ... plus")."""
    particles: frozenset[str] = field(default_factory=frozenset)
    """The negative particle those words need ("ne", "n'")."""
    not_negating: tuple[tuple[str, ...], ...] = ()
    """Word sequences with a negation in them that deny nothing: hedges ("no more
    than", "pas moins de"), "not only", and fixed phrases ("sin embargo": however)."""
    auxiliaries: frozenset[str] = field(default_factory=frozenset)
    """Auxiliaries and adverbs that may stand between a speaker and the reporting verb
    ("has", "a", "hat", "also")."""
    passive: frozenset[str] = field(default_factory=frozenset)
    """Auxiliaries of the passive: "was announced" names no speaker before the verb."""
    without: frozenset[str] = field(default_factory=frozenset)
    """Prepositions that deny ("without", "sans"): they also make set phrases that deny
    nothing ("sans relâche": relentlessly, "sin precedentes": unprecedented), so they
    count as a negation where one is required, and never require one."""


CLAUSES: dict[str, Clauses] = {
    "en": Clauses(
        negations=frozenset({"not", "no", "never", "none", "nothing", "nobody", "neither",
                             "nor", "cannot", "nowhere"}),
        reporting=frozenset({
            "said", "says", "say", "announced", "announces", "confirmed", "confirms",
            "reported", "stated", "told", "tells", "claimed", "added", "adds", "declared",
            "wrote", "tweeted", "estimated", "estimates", "explained", "explains",
            "noted", "notes", "stressed", "insisted", "warned", "warns", "indicated",
            "specified", "assured", "acknowledged", "admitted", "recognized",
            "recognised", "denied", "denies", "argued", "believe", "believes", "believed",
            "think", "thinks", "writes",
        }),
        according_to=("according to", "quoted by", "cited by"),
        personal=frozenset({"he", "she", "they", "we", "i"}),
        perfect=frozenset({"has", "have", "had"}),
        pronouns=frozenset({"he", "she", "it", "they", "we", "i", "you", "who", "which",
                            "this", "that"}),
        complementizers=frozenset({"that", "whether", "if", "to", "on", "in", "by"}),
        not_negating=(("no", "less"), ("no", "more", "than"), ("no", "fewer"),
                      ("not", "less"), ("not", "more", "than"), ("not", "fewer"),
                      ("not", "only"), ("no", "later", "than"), ("no", "doubt"),
                      ("or", "not"), ("without", "doubt")),
        auxiliaries=frozenset({"has", "have", "had", "also", "then", "later", "again",
                               "earlier", "previously", "would", "will"}),
        passive=frozenset({"was", "were", "is", "are", "been", "be", "being"}),
        without=frozenset({"without"}),
    ),
    "fr": Clauses(
        negations=frozenset({"pas", "jamais", "rien", "aucun", "aucune", "aucuns",
                             "aucunes", "nullement", "guère", "ni", "nul",
                             "nulle"}),
        reporting=frozenset({
            "dit", "déclaré", "annoncé", "annonce", "annoncent", "confirmé", "confirme",
            "indiqué", "indique", "affirmé", "affirme", "précisé", "précise", "estimé",
            "estime", "estiment", "expliqué", "explique", "souligné", "assuré", "ajouté",
            "ajoute", "reconnu", "averti", "rapporté", "rapporte", "démenti", "nié",
            "savoir", "déclare", "raconté", "relevé", "martelé", "prévenu", "écrit",
            "tweeté",
        }),
        according_to=("selon", "d'après", "cité par", "cités par", "citée par",
                      "citées par"),
        personal=frozenset({"il", "elle", "ils", "elles", "je", "nous"}),
        perfect=frozenset({"a", "ont", "avait", "avaient"}),
        pronouns=frozenset({"il", "elle", "ils", "elles", "on", "je", "nous", "vous",
                            "qui", "lequel", "laquelle", "ce", "cela", "lui"}),
        complementizers=frozenset({"que", "qu'", "si", "s'", "à", "de", "d'", "en",
                                   "par"}),
        particle_negations=frozenset({"plus", "personne", "point"}),
        particles=frozenset({"ne", "n'"}),
        not_negating=(("pas", "moins"), ("pas", "plus", "de"), ("pas", "plus", "d'"),
                      ("pas", "seulement"), ("sans", "doute"), ("ou", "pas"),
                      ("pas", "davantage", "de")),
        auxiliaries=frozenset({"a", "ont", "avait", "avaient", "aurait", "auraient",
                               "aussi", "également", "encore", "déjà", "ensuite", "t",
                               "fait", "faisait"}),
        passive=frozenset({"été", "est", "sont", "était", "étaient", "être"}),
        without=frozenset({"sans"}),
    ),
    "de": Clauses(
        negations=frozenset({"nicht", "nichts", "nie", "niemals", "niemand", "kein",
                             "keine", "keinen", "keinem", "keiner", "keines", "weder",
                             "nirgends", "keineswegs", "nirgendwo"}),
        reporting=frozenset({
            "sagte", "sagten", "sagt", "sagen", "gesagt", "erklärte", "erklärten",
            "erklärt", "teilte", "teilten", "mitgeteilt", "mitteilte", "berichtete",
            "berichteten", "berichtet", "bestätigte", "bestätigten", "bestätigt",
            "betonte", "betonten", "betont", "kündigte", "angekündigt", "meldete",
            "meldeten", "meldet", "gemeldet", "schrieb", "schätzte", "schätzt", "warnte",
            "räumte", "verkündete", "verkündet", "hieß", "heißt",
            "sprach", "ergänzte", "erläuterte", "versicherte", "bekräftigte", "schreibt",
            "geschrieben", "bekanntgab", "bekanntgaben", "bekanntgegeben", "gab",
        }),
        according_to=("laut", "zufolge", "nach angaben"),
        personal=frozenset({"er", "sie", "wir", "ich"}),
        perfect=frozenset({"hat", "haben", "hatte", "hatten"}),
        pronouns=frozenset({"er", "sie", "es", "wir", "ich", "man", "welcher", "welche",
                            "dies", "das"}),
        complementizers=frozenset({"dass", "daß", "ob", "zu", "am", "im", "von", "an",
                                   "auf", "in", "mit"}),
        not_negating=(("nicht", "nur"), ("nicht", "weniger"), ("nicht", "mehr", "als"),
                      ("nicht", "zuletzt"), ("ohne", "zweifel"), ("oder", "nicht")),
        auxiliaries=frozenset({"hat", "haben", "hatte", "hatten", "habe", "auch", "zudem",
                               "bereits", "außerdem", "noch"}),
        passive=frozenset({"wurde", "wurden", "worden", "wird", "werden"}),
        without=frozenset({"ohne"}),
    ),
    "es": Clauses(
        negations=frozenset({"no", "nunca", "jamás", "nada", "nadie", "ningún", "ninguno",
                             "ninguna", "ni", "tampoco"}),
        reporting=frozenset({
            "dijo", "dijeron", "dice", "dicen", "afirmó", "afirmaron", "afirma",
            "declaró", "declararon", "anunció", "anunciaron", "anuncia", "confirmó",
            "confirmaron", "confirma", "indicó", "indicaron", "indica", "explicó",
            "explicaron", "señaló", "señalaron", "informó", "informaron", "informa",
            "aseguró", "aseguraron", "precisó", "añadió", "agregó", "estimó", "estima",
            "advirtió", "reconoció", "negó", "detalló", "subrayó", "destacó",
            "comunicó", "dicho", "declarado", "anunciado", "confirmado",
            "afirmado", "informado", "explicado", "señalado", "asegurado", "escribió",
            "escrito",
        }),
        according_to=("según", "de acuerdo con", "citado por", "citada por",
                      "citados por"),
        personal=frozenset({"él", "ella", "ellos", "ellas", "nosotros"}),
        perfect=frozenset({"ha", "han", "había", "habían"}),
        pronouns=frozenset({"él", "ella", "ellos", "ellas", "nosotros", "usted", "que",
                            "quien", "cual", "esto", "eso", "se"}),
        complementizers=frozenset({"que", "si", "a", "en", "de", "por"}),
        not_negating=(("no", "menos"), ("no", "más", "de"), ("no", "más", "que"),
                      ("no", "solo"), ("no", "sólo"), ("no", "solamente"),
                      ("sin", "embargo"), ("no", "obstante"), ("sin", "duda"),
                      ("o", "no"), ("nada", "menos")),
        auxiliaries=frozenset({"ha", "han", "había", "habían", "habría", "también",
                               "ya", "además"}),
        passive=frozenset({"fue", "fueron", "sido", "es", "son", "era", "eran"}),
        without=frozenset({"sin"}),
    ),
    "it": Clauses(
        negations=frozenset({"non", "mai", "nulla", "niente", "nessuno", "nessuna",
                             "nessun", "né", "neanche", "nemmeno", "neppure"}),
        reporting=frozenset({
            "detto", "dichiarato", "annunciato", "confermato", "affermato", "spiegato",
            "precisato", "riferito", "sottolineato", "aggiunto", "stimato", "indicato",
            "dice", "dicono", "afferma", "spiega", "annuncia", "conferma",
            "avvertito", "ammesso", "negato", "riportato", "sostiene", "sostenuto",
            "sapere", "disse", "dichiarò", "annunciò", "confermò", "affermò", "spiegò",
            "precisò", "aggiunse", "dichiara", "ribadito", "scritto", "scrisse", "assicurato",
        }),
        according_to=("secondo il", "secondo la", "secondo lo", "secondo i", "secondo le",
                      "secondo gli", "secondo l'", "secondo fonti", "stando a",
                      "a detta di", "citato da", "citata da", "citati da"),
        personal=frozenset({"lui", "lei", "loro", "egli", "essa", "esso", "noi"}),
        perfect=frozenset({"ha", "hanno", "aveva", "avevano"}),
        pronouns=frozenset({"lui", "lei", "loro", "egli", "essa", "esso", "noi", "che",
                            "quale", "ciò", "si"}),
        complementizers=frozenset({"che", "se", "di", "a", "in", "da", "per"}),
        not_negating=(("non", "meno"), ("non", "più", "di"), ("non", "solo"),
                      ("non", "soltanto"), ("senza", "dubbio"), ("o", "meno"),
                      ("o", "no"), ("non", "oltre")),
        auxiliaries=frozenset({"ha", "hanno", "aveva", "avevano", "avrebbe", "anche",
                               "già", "inoltre", "poi", "fatto"}),
        passive=frozenset({"stato", "stata", "stati", "state", "è", "sono", "era",
                           "venne", "viene"}),
        without=frozenset({"senza"}),
    ),
    "pt": Clauses(
        negations=frozenset({"não", "nunca", "jamais", "nada", "ninguém", "nenhum",
                             "nenhuma", "nem"}),
        reporting=frozenset({
            "disse", "disseram", "diz", "dizem", "afirmou", "afirmaram", "afirma",
            "declarou", "declararam", "anunciou", "anunciaram", "anuncia", "confirmou",
            "confirmaram", "confirma", "explicou", "explicaram", "indicou", "informou",
            "informaram", "informa", "assegurou", "garantiu", "precisou", "acrescentou",
            "adiantou", "revelou", "referiu", "sublinhou", "salientou", "estimou",
            "admitiu", "negou", "avançou", "comunicou", "dito", "declarado",
            "anunciado", "confirmado", "afirmado", "informado", "escreveu", "escreve",
        }),
        according_to=("segundo o", "segundo a", "segundo os", "segundo as",
                      "segundo fontes", "de acordo com", "conforme", "citado por",
                      "citada por", "citados por"),
        personal=frozenset({"ele", "ela", "eles", "elas", "nós"}),
        perfect=frozenset({"tem", "têm", "tinha", "tinham"}),
        pronouns=frozenset({"ele", "ela", "eles", "elas", "nós", "você", "que", "quem",
                            "qual", "isso", "isto", "se"}),
        complementizers=frozenset({"que", "se", "em", "de", "por", "para"}),
        not_negating=(("não", "menos"), ("não", "mais", "de"), ("não", "mais", "do"),
                      ("não", "só"), ("não", "apenas"), ("não", "somente"),
                      ("sem", "dúvida"), ("ou", "não"), ("nada", "menos")),
        auxiliaries=frozenset({"tem", "têm", "tinha", "tinham", "havia", "também", "já",
                               "ainda"}),
        passive=frozenset({"foi", "foram", "sido", "é", "são", "era", "eram"}),
        without=frozenset({"sem"}),
    ),
}
"""Negation and attribution words per language; a language without an entry gets
neither check (factsum.pipeline.verify)."""
