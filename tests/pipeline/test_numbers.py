"""Numbers and times of day read from a sentence, hedge intervals and their overlaps.

The sentences are hand-written test fixtures.
"""

from __future__ import annotations

import pytest
from factsum.pipeline.numbers import (
    clock_words,
    in_local_format,
    interval,
    overlaps,
    parse_number,
    parse_time,
    read,
)


@pytest.mark.parametrize(("text", "value"), [
    ("12", 12.0),
    ("1,200", 1200.0),
    ("1 200", 1200.0),
    ("1\u00a0200", 1200.0),  # French typography: no-break space
    ("1\u202f200", 1200.0),  # narrow no-break space
    ("1,200,000", 1_200_000.0),
    ("1 200 000", 1_200_000.0),
    ("3,5", 3.5),  # decimal comma
    ("3.5", 3.5),
    ("1,200.5", 1200.5),
])
def test_parse_number(text: str, value: float) -> None:
    assert parse_number(text) == value


@pytest.mark.parametrize("text", ["", "twelve", "12 missiles", "-"])
def test_parse_number_refuses_what_is_not_digits(text: str) -> None:
    assert parse_number(text) is None


@pytest.mark.parametrize(("text", "minutes"), [
    ("17h30", {17 * 60 + 30}),
    ("17 h 30", {17 * 60 + 30}),
    ("23:30", {23 * 60 + 30}),
    ("0h45", {45}),
    ("5.30 p.m.", {17 * 60 + 30}),
    ("5:30 pm", {17 * 60 + 30}),
    ("12.15 a.m.", {15}),
    # No a.m./p.m. and an hour of 12 or less: both readings, since either may be meant.
    ("1 h 20", {80, 13 * 60 + 20}),
    ("5.30", {5 * 60 + 30, 17 * 60 + 30}),
])
def test_parse_time(text: str, minutes: set[int]) -> None:
    assert parse_time(text) == minutes


def test_a_time_of_day_is_not_read_as_two_numbers() -> None:
    readings = read("Vers 17h30, les pompiers ont évacué 1 200 habitants.", "fr")
    assert readings.times == {17 * 60 + 30}
    assert readings.numbers == {1200.0}


def test_the_seed_time_is_read_in_both_languages() -> None:
    # 003 gives "Vers 17h30 le 7 janvier"; 004 renders it "Around 5.30 p.m. (11:30 p.m.
    # in Paris) on January 7": the same 17:30, and 23:30 besides.
    french = read("Vers 17h30 le 7 janvier, l'Iran a tiré des missiles.", "fr")
    english = read("Around 5.30 p.m. (11:30 p.m. in Paris) on January 7, Iran fired "
                   "missiles.", "en")
    assert french.times == {17 * 60 + 30}
    assert english.times == {17 * 60 + 30, 23 * 60 + 30}
    assert french.numbers == english.numbers == {7.0}


@pytest.mark.parametrize(("text", "language"), [
    ("Vingt-deux missiles se sont abattus sur la base.", "fr"),
    ("Twenty-two missiles fell on the base.", "en"),
    ("Veintidós misiles cayeron sobre la base.", "es"),
    ("Zweiundzwanzig Raketen schlugen in der Basis ein.", "de"),
])
def test_cardinal_words_are_read_through_text2num(text: str, language: str) -> None:
    assert read(text, language).numbers == {22.0}


def test_cardinal_words_are_not_read_in_a_language_text2num_lacks() -> None:
    # Digits are read in any language; words only where text2num knows the language.
    assert read("twenty-two missiles and 3 bases", "ar").numbers == {3.0}


@pytest.mark.parametrize(("text", "language"), [
    ("The military said the base was hit.", "en"),  # issue 15: not a number word
    ("Un militaire a confirmé l'attaque.", "fr"),
    ("One of the bases was hit.", "en"),  # "one" as a pronoun: below text2num's threshold
])
def test_words_that_are_not_figures_read_as_nothing(text: str, language: str) -> None:
    assert read(text, language).empty


def test_collective_numerals_of_the_sentence_s_language_are_read() -> None:
    # No library reads "une douzaine"; the language's lexicon entry does (where known).
    assert read("Le Pentagone parle d'une douzaine de missiles.", "fr").numbers == {12.0}
    assert read("Il Pentagono parla di una dozzina di missili.", "it").numbers == {12.0}
    assert read("Het Pentagon spreekt van een dozijn raketten.", "nl").empty  # no entry


@pytest.mark.parametrize(("text", "language"), [
    ("Die Feuerwehr evakuierte 1.200 Anwohner.", "de"),
    ("Los bomberos evacuaron a 1.200 vecinos.", "es"),
])
def test_thousands_with_a_dot_are_read(text: str, language: str) -> None:
    assert 1200.0 in read(text, language).numbers


@pytest.mark.parametrize(("hedge", "expected"), [
    ("exact", (12, 12)),
    ("at least", (12, None)),
    ("more than", (13, None)),
    ("at most", (None, 12)),
    ("less than", (None, 11)),
])
def test_interval_per_hedge(hedge: str, expected: tuple[float | None, float | None]) -> None:
    assert interval(12.0, hedge) == expected


def test_about_is_a_fifth_either_way() -> None:
    low, high = interval(20.0, "about")
    assert (low, high) == pytest.approx((16.0, 24.0))


@pytest.mark.parametrize(("value", "expected"), [
    (100.0, (80.0, 120.0)),  # the rounding (50) is wider than a fifth: a fifth
    (1100.0, (1045.0, 1155.0)),  # the rounding (50) is narrower than a twentieth: 55
    (3000.0, (2500.0, 3500.0)),  # rounded to thousands: half a thousand either way
    (1250.0, (1187.5, 1312.5)),
    (100.5, (95.475, 105.525)),  # rounded to tenths: a twentieth is wider
])
def test_about_a_large_number_is_its_rounding(value: float,
                                              expected: tuple[float, float]) -> None:
    assert interval(value, "about") == pytest.approx(expected)


def test_about_figures_of_different_hundreds_disagree() -> None:
    # "unas 1.300" against "about 1,100" jobs: two estimates, a dispute.
    assert not overlaps(interval(1300.0, "about"), interval(1100.0, "about"))
    assert overlaps(interval(1100.0, "about"), interval(1150.0, "exact"))
    assert interval(1300.0, "nearly") == pytest.approx((1235.0, 1300.0))


@pytest.mark.parametrize(("statement", "sentence", "language", "expected"), [
    # Spanish thousands left in English: an English reader reads 1.3.
    ("It expects to cut about 1.300 jobs.", "Prevé recortar unas 1.300 empleos.", "es",
     "It expects to cut about 1,300 jobs."),
    ("A turnover of 3,2 billion.", "Una facturación de 3,2 mil millones.", "es",
     "A turnover of 3.2 billion."),
    # Already written the English way, or read alike in both: left as it is.
    ("It expects to cut about 1,300 jobs.", "Prevé recortar unas 1.300 empleos.", "es",
     "It expects to cut about 1,300 jobs."),
    ("Profit rose 8.1%.", "O lucro subiu 8,1%.", "pt", "Profit rose 8.1%."),
    ("At 5.30 p.m. on 7 January.", "Vers 17h30 le 7 janvier.", "fr",
     "At 5.30 p.m. on 7 January."),
    # Only the separators change: every digit stays.
    ("The rate rose to 0,1234.", "La tasa subió a 0,1234.", "es", "The rate rose to 0.1234."),
    ("It costs 1,50 euros.", "Cuesta 1,50 euros.", "es", "It costs 1.50 euros."),
    ("12.000,50 euros.", "12.000,50 euros.", "es", "12,000.50 euros."),
    # A figure the sentence does not give is the checks' business, not rewritten here.
    ("About 1.300 jobs.", "Unas 1.100 empleos.", "es", "About 1.300 jobs."),
])
def test_figures_are_written_as_the_summary_language_writes_them(
        statement: str, sentence: str, language: str, expected: str) -> None:
    assert in_local_format(statement, sentence, article_language=language,
                           language="en") == expected


def test_a_fractional_bound_stays_fractional() -> None:
    low, high = interval(2.5, "more than")
    assert high is None and low is not None and 2.5 < low < 2.51
    low, high = interval(2.5, "less than")
    assert low is None and high is not None and 2.49 < high < 2.5


def test_interval_accepts_an_int() -> None:
    # The lexicon's collective numerals are ints ("dozen": 12); int has no is_integer
    # before Python 3.12.
    assert interval(12, "more than") == (13, None)


def test_overlaps() -> None:
    dizaine, douzaine = interval(10.0, "about"), interval(12.0, "about")
    assert overlaps(dizaine, douzaine)  # "une dizaine" and "une douzaine" agree
    assert not overlaps(douzaine, interval(22.0, "exact"))  # both disagree with 22
    assert not overlaps(dizaine, interval(22.0, "exact"))
    assert overlaps(interval(12.0, "more than"), interval(22.0, "exact"))
    assert not overlaps(interval(24.0, "at least"), interval(22.0, "exact"))
    assert overlaps(interval(12.0, "at least"), interval(12.0, "at most"))  # they touch
    assert not overlaps(interval(12.0, "more than"), interval(12.0, "at most"))
    assert overlaps((None, None), (5.0, 5.0))  # an open range overlaps everything


@pytest.mark.parametrize("text", [
    "Its turnover was 3.2 billion, according to the figures presented on Thursday.",
    "Its turnover was 3.2 billion.",
    "Its turnover was 3.2 billion euros in the quarter.",
])
def test_a_scale_word_is_part_of_its_number_before_punctuation(text: str) -> None:
    # Measured: "3.2 billion," was read as 3.2 and 1,000,000,000, so a faithful
    # restatement of "3.200 millones" failed for a number the sentence "did not state".
    assert read(text, "en").numbers == {3.2}


@pytest.mark.parametrize(("text", "language", "minutes"), [
    ("I risultati sono stati comunicati poco dopo la mezzanotte.", "it", {0}),
    ("Les résultats sont tombés peu après minuit.", "fr", {0}),
    ("The results came shortly after midnight.", "en", {0}),
    ("Le conseil se réunit à midi.", "fr", {720}),
    # CLDR's words as it writes them: "le Midi" is a region, not noon; "l'après-midi"
    # is the afternoon.
    ("Le Courrier du Midi l'a publié.", "fr", set()),
    ("Les tirs ont repris dans l'après-midi.", "fr", set()),
])
def test_midnight_and_noon_are_read_from_cldr(text: str, language: str,
                                              minutes: set[int]) -> None:
    assert set(read(text, language).times) == minutes
    assert {m for _, m in clock_words(text, language)} == minutes


def test_overlapping_clock_words_count_once() -> None:
    # CLDR gives Spanish both "del mediodía" and "mediodía".
    assert clock_words("Llegó a las doce del mediodía.", "es") == [("del mediodía", 720)]
