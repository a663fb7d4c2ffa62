"""The figure reader: value, hedge, kind and noun of each figure a statement gives.

Every statement below is a hand-written test fixture in the summary language, most of
them restatements of sentences of the seeds; none is model output.
"""

from __future__ import annotations

import pytest
from factsum.pipeline.lexicon import LEXICONS, Lexicon
from factsum.pipeline.quantities import Mention, currency_families, read_mentions

Read = tuple[float | None, str, str, str]  # value, hedge, kind, unit


def figures(statement: str, language: str = "en") -> list[Read]:
    return [(m.value, m.hedge, m.kind, m.unit) for m in read_mentions(statement, language)]


def only(statement: str, language: str = "en") -> Mention:
    [mention] = read_mentions(statement, language)
    return mention


@pytest.mark.parametrize(("statement", "expected"), [
    ("Iran fired more than a dozen ballistic missiles at US forces, the Pentagon said.",
     (12, "more than", "count", "missiles")),
    ("The Pentagon speaks of a dozen missiles aimed at the bases.",
     (12, "about", "count", "missiles")),
    ("The strikes were carried out with dozens of missiles, the Revolutionary Guards "
     "announced.", (24, "at least", "count", "missiles")),
    ("No fewer than 12 medium-range ballistic missiles fell on the base.",
     (12, "at least", "count", "missiles")),
    ("Iran fired about twenty missiles at American bases in Iraq.",
     (20, "about", "count", "missiles")),
    ("The Iranians announce at least 80 deaths.", (80, "at least", "killed", "deaths")),
    ("Officials counted 3 dead after the explosion.", (3, "exact", "killed", "dead")),
    ("The storm left 3 people missing.", (3, "exact", "missing", "missing")),
    ("The raids caused no casualties, according to the Iraqi army.",
     (0, "exact", "killed", "casualties")),
    ("According to the Iraqi army, the raids did not cause any casualties.",
     (0, "exact", "killed", "casualties")),
    ("There were no injuries among the soldiers.", (0, "exact", "injured", "injuries")),
    ("The truck carried 12 tonnes of chlorine.", (12, "exact", "weight", "mass-tonne")),
    ("The lorry carried 12 tons of steel.", (12, "exact", "weight", "mass-tonne")),
    ("The convoy drove 300 kilometres to the border.", (300, "exact", "distance",
                                                        "length-kilometer")),
    ("The quake lasted 40 seconds.", (40, "exact", "duration", "duration-second")),
    ("Turnout reached 45% in the capital.", (45, "exact", "percent", "%")),
    ("Turnout reached 45 percent in the capital.", (45, "exact", "percent", "%")),
    ("The fire destroyed 1,350 homes in the region.", (1350, "exact", "count", "homes")),
])
def test_one_figure(statement: str, expected: Read) -> None:
    assert figures(statement) == [expected]


@pytest.mark.parametrize(("statement", "value", "unit"), [
    ("The company was fined 1.2 million euros.", 1_200_000, "euro"),
    ("The deal is worth $5 billion.", 5e9, "USD"),
    ("The fine was EUR 3 million.", 3_000_000, "EUR"),
    ("They paid 40 million dollars for the player.", 40_000_000, "dollar"),
    ("The club paid £40 million for the striker.", 40_000_000, "GBP"),
])
def test_money_is_named_by_cldr_currencies(statement: str, value: float, unit: str) -> None:
    mention = only(statement)
    assert (mention.kind, mention.value, mention.unit) == ("money", value, unit)


@pytest.mark.parametrize(("statement", "expected"), [
    # The injection example: ALL is the Albanian lek's code, "All" is a word.
    ("All 212 passengers were brought back to shore.", (212, "exact", "count", "passengers")),
    # "Iraqi" is a word of "Iraqi Dinar" (CLDR), made from the country's name (the seeds:
    # "a dozen missiles against two Iraqi military bases" read as 2 Iraqi dinars).
    ("Iran fired missiles at 2 Iraqi military bases.", (2, "exact", "count", "bases")),
    # A currency code after the figure counts in capitals only.
    ("The match ended 2 all.", (2, "exact", "count", "all")),
])
def test_a_currency_s_code_or_country_word_alone_is_not_money(statement: str,
                                                              expected: Read) -> None:
    assert figures(statement) == [expected]


def test_a_figure_s_words_are_the_statement_s_own() -> None:
    assert only("The company was fined 1.2 million euros.").text == "1.2 million euros"


@pytest.mark.parametrize("statement", [
    "The attack happened on 8 January 2020.",
    "The attack happened on January 8.",
    "The parliament voted in 2019 to expel foreign troops.",
    "Iran fired missiles on Wednesday, January 8, 2020.",
])
def test_days_of_a_month_and_years_are_not_figures(statement: str) -> None:
    assert read_mentions(statement, "en") == []


def test_a_date_beside_a_count_leaves_the_count() -> None:
    assert figures("On 7 January, Iran fired 22 missiles at two bases.") == [
        (22, "exact", "count", "missiles"), (2, "exact", "count", "bases")]


@pytest.mark.parametrize("statement", [
    "The army said there was no doubt about the origin of the missiles.",
    "The missiles hit the base without warning.",
])
def test_no_with_a_noun_that_is_not_a_toll_is_not_a_figure(statement: str) -> None:
    assert read_mentions(statement, "en") == []


def test_times_of_day() -> None:
    [time, count] = read_mentions(
        "Around 5.30 p.m. on January 7, Iran fired more than a dozen ballistic missiles.",
        "en")
    assert (time.kind, time.time, time.value) == ("time", 17 * 60 + 30, None)
    assert (count.value, count.hedge, count.unit) == (12, "more than", "missiles")


def test_two_tolls_in_one_statement() -> None:
    assert figures("A stampede left more than 50 dead and 200 injured.") == [
        (50, "more than", "killed", "dead"), (200, "exact", "injured", "injured")]
    assert figures("40 people were killed and 12 were injured.") == [
        (40, "exact", "killed", "killed"), (12, "exact", "injured", "injured")]


def test_a_verb_before_the_number_gives_its_kind() -> None:
    assert [(m.value, m.kind) for m in read_mentions(
        "The missile attack on the base killed 40 people and injured 12 others.", "en")
    ] == [(40, "killed"), (12, "injured")]


@pytest.mark.parametrize(("statement", "value"), [
    ("Hundreds of residents were evacuated overnight.", 200),
    ("Thousands of people fled the city.", 2000),
])
def test_plural_collectives_are_at_least(statement: str, value: float) -> None:
    mention = only(statement)
    assert (mention.value, mention.hedge) == (value, "at least")


def test_a_count_between_1900_and_2100_is_a_figure() -> None:
    mention = only("About 2000 people were evacuated from the valley.")
    assert (mention.value, mention.hedge, mention.kind) == (2000, "about", "evacuated")


def test_per_cent_in_two_words_is_a_percentage() -> None:
    assert figures("The company lost 12 per cent of its value.") == [
        (12, "exact", "percent", "%")]


# --------------------------------------------------------------- every lexicon


SINGULAR_ARTICLE = {"en": "a", "fr": "une", "es": "una", "de": "ein", "it": "una",
                    "pt": "uma"}
"""The article a singular collective takes in each lexicon's language ("a dozen")."""


def _toll_noun(lex: Lexicon) -> str:
    return next(n for n, k in sorted(lex.people.items()) if k == "killed" and len(n) > 4)


@pytest.mark.parametrize("language", sorted(LEXICONS))
def test_every_hedge_phrase_of_every_lexicon(language: str) -> None:
    lex = LEXICONS[language]
    noun = _toll_noun(lex)
    for phrase, hedge in lex.hedges.items():
        if phrase.endswith(("'", "’")):
            continue  # "plus d'" stands before a vowel, never before digits
        assert figures(f"{phrase} 12 {noun}", language) == [(12, hedge, "killed", noun)], phrase


@pytest.mark.parametrize("language", sorted(LEXICONS))
def test_every_toll_noun_of_every_lexicon(language: str) -> None:
    lex = LEXICONS[language]
    for noun, kind in lex.people.items():
        assert [(m.value, m.kind) for m in read_mentions(f"12 {noun}", language)] == [
            (12, kind)], noun


@pytest.mark.parametrize("language", sorted(LEXICONS))
def test_every_word_for_none_of_every_lexicon(language: str) -> None:
    lex = LEXICONS[language]
    noun = _toll_noun(lex)
    for word in lex.none:
        assert figures(f"{word} {noun}", language) == [(0, "exact", "killed", noun)], word


@pytest.mark.parametrize("language", sorted(LEXICONS))
def test_every_singular_collective_of_every_lexicon(language: str) -> None:
    # Singular collectives ("dozen", "douzaine") take an article; text2num leaves them.
    lex = LEXICONS[language]
    of = sorted(w for w in lex.of if not w.endswith("'"))[0]
    for word, (value, hedge) in lex.collective.items():
        if hedge != "about":
            continue
        article = SINGULAR_ARTICLE[language]
        assert article in lex.collective_articles
        statement = f"{article} {word} {of} missiles"
        assert figures(statement, language) == [(value, hedge, "count", "missiles")], word


def test_french_statements() -> None:
    assert figures("Les Iraniens annoncent au moins 80 morts.", "fr") == [
        (80, "at least", "killed", "morts")]
    assert figures("Pas moins de 12 missiles balistiques se sont abattus.", "fr") == [
        (12, "at least", "count", "missiles")]
    assert figures("Les raids ont été menés avec des dizaines de missiles.", "fr") == [
        (20, "at least", "count", "missiles")]
    assert figures("Les raids n'ont fait aucune victime.", "fr") == [
        (0, "exact", "killed", "victime")]
    assert figures("Le camion transportait 12 tonnes de chlore.", "fr") == [
        (12, "exact", "weight", "mass-tonne")]
    assert read_mentions("L'attaque a eu lieu le 8 janvier 2020.", "fr") == []


def test_french_more_than_a_dozen() -> None:
    assert figures("Le Pentagone a annoncé plus d'une douzaine de missiles.", "fr") == [
        (12, "more than", "count", "missiles")]


def test_a_currency_s_adjective_before_a_plural_noun_counts_that_noun() -> None:
    # "Iranian" and "Iraqi" are words of CLDR's "Iranian rial" and "Iraqi dinar": before
    # a plural noun they qualify it (the seeds' 002 read as 22 rials and 2 dinars).
    found = read_mentions("In less than an hour, 22 Iranian missiles struck two Iraqi "
                          "bases.", "en")
    assert [(m.value, m.kind, m.unit) for m in found] == [
        (22, "count", "missiles"), (2, "count", "bases")]
    # A currency's own noun, with or without a noun after it, is still money.
    [ransom] = read_mentions("They demanded 2 million dollars ransom.", "en")
    assert (ransom.value, ransom.kind) == (2_000_000, "money")
    [fee] = read_mentions("A fee of 45 million euros plus add-ons.", "en")
    assert (fee.value, fee.kind) == (45_000_000, "money")


def test_a_number_before_an_auxiliary_counts_no_noun_after_it() -> None:
    # BFMTV's rocket attacks: "dont une quinzaine ont déjà visé des bases". The fifteen
    # are attacks, not bases; the noun after the verb is what they targeted.
    assert figures("New rocket attacks, of which about 15 have already targeted bases "
                   "where coalition forces are posted.") == []
    # A toll still reads: the verb names the harm.
    assert figures("3 have died in the flood.") == [(3.0, "exact", "killed", "died")]
    # Adverbs and other auxiliaries leave the noun after them counted.
    assert figures("Two earlier strikes had hit the base.") == [
        (2.0, "exact", "count", "strikes")]
    assert figures("About 1,100 will lose their jobs.") == [
        (1100.0, "about", "count", "jobs")]
    assert figures("Iran fired 12 missiles at two bases.") == [
        (12.0, "exact", "count", "missiles"), (2.0, "exact", "count", "bases")]


def test_midnight_is_a_time_of_day() -> None:
    # election: "poco dopo la mezzanotte" against the count's end at 22.40.
    [mention] = read_mentions("The final results were communicated shortly after midnight.",
                              "en")
    assert (mention.kind, mention.time, mention.text) == ("time", 0, "midnight")


@pytest.mark.parametrize(("text", "language", "named"), [
    ("A ransom of $3 million", "en", {"dollar"}),
    ("un rescate de US$3 millones", "es", {"dollar"}),
    ("3 millones de dólares", "es", {"dollar"}),
    ("2,5 milioni di euro", "it", {"euro"}),
    ("3,2 mil milhões de euros", "pt", {"euro"}),
    ("£40 million", "en", {"pound"}),
    # Found by review: qualifiers, months and everyday words are not currencies.
    ("12 people were killed in South Sudan", "en", set()),
    ("A Atlântica lucrou 412 milhões em março", "pt", set()),
    ("5 gold medals", "en", set()),
    ("to mark 50 years", "en", set()),
    ("the real 3 million", "en", set()),
])
def test_the_currencies_a_text_names_next_to_a_figure(text: str, language: str,
                                                      named: set[str]) -> None:
    assert currency_families(text, language) == named
