"""The prefix-guided scan must return exactly what ``finditer`` returns."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from factsum.pipeline.figure_lexicon import LEXICONS
from factsum.pipeline.figures import _negation_pattern, _noun_pattern, _prefixes
from factsum.pipeline.prefilter import (
    find_all,
    literal_prefix,
    literal_prefixes,
    lowered_for_scan,
    top_level_alternatives,
)
from factsum.pipeline.weekdays import _NAMES, _PATTERNS, _PREFIXES


@pytest.mark.parametrize(("alternative", "prefix"), [
    ("missiles?", "missile"),
    ("ballistic missiles?", "ballistic missile"),
    ("missiles?(?: balistiques?)?", "missile"),
    ("Victimes", "victimes"),
    ("zw[oö]lf", "zw"),
    ("no\\ hubo", "no"),
    ("a*b", ""),
    ("(?:x)", ""),
])
def test_the_literal_prefix_stops_where_the_regex_stops_being_literal(
        alternative: str, prefix: str) -> None:
    assert literal_prefix(alternative) == prefix


def test_alternatives_are_split_outside_groups_and_classes_only() -> None:
    assert top_level_alternatives(r"a|(b|c)d|[|x]|\||e") == ["a", "(b|c)d", "[|x]", r"\|", "e"]


def test_prefixes_covered_by_a_shorter_one_are_dropped_and_an_empty_one_disables() -> None:
    assert literal_prefixes(["raketen|rakete", "tote|toten"]) == ("rakete", "tote")
    assert literal_prefixes(["missiles?", "(?:x)"]) is None


def test_lowering_that_moves_offsets_or_misses_folds_falls_back() -> None:
    assert lowered_for_scan("Les MISSILES") == "les missiles"
    assert lowered_for_scan("İstanbul: 3 missiles") is None  # lower() gives two characters
    assert lowered_for_scan("22 miſſiles") is None  # re folds ſ to s, lower() does not


def test_every_lexicon_pattern_has_prefixes() -> None:
    for language in LEXICONS:
        nouns, negations = _prefixes(language)
        assert nouns and negations, language


def _words(language: str) -> list[str]:
    lexicon = LEXICONS[language]
    nouns = [alt.replace("?", "").replace("(:", "").replace("(", "").replace(")", "")
             for key in lexicon.nouns for alt in top_level_alternatives(key)]
    return [*nouns, *lexicon.negations, *lexicon.linkers, "22", "de", "x", "-", "non",
            "notre", "sansonnet", "İ", "ſ", "ı", "MISSILES", "Morts", "\n\n", ",", "."]


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(sorted(LEXICONS)), st.data())
def test_the_scan_finds_what_finditer_finds(language: str, data: st.DataObject) -> None:
    pieces = data.draw(st.lists(st.sampled_from(_words(language)), max_size=40))
    glue = data.draw(st.sampled_from([" ", "", "-", "  "]))
    text = glue.join(pieces)
    nouns, negations = _prefixes(language)
    lowered = lowered_for_scan(text)
    for pattern, prefixes in ((_noun_pattern(language)[0], nouns),
                              (_negation_pattern(language), negations)):
        expected = [(m.span(), m.lastgroup) for m in pattern.finditer(text)]
        found = [(m.span(), m.lastgroup) for m in find_all(pattern, prefixes, text, lowered)]
        assert found == expected, text


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(sorted(_NAMES)), st.data())
def test_the_weekday_scan_finds_what_finditer_finds(language: str, data: st.DataObject
                                                    ) -> None:
    days, months = _NAMES[language]
    words = [*days, *months, *(d.upper() for d in days), "8", "31", "1er", "8th", "de",
             "den", "of", ",", "-", "x", "ſ", "İ", "\n"]
    glue = data.draw(st.sampled_from([" ", "", ", ", "-"]))
    text = glue.join(data.draw(st.lists(st.sampled_from(words), max_size=30)))
    pattern = _PATTERNS[language]
    expected = [m.span() for m in pattern.finditer(text)]
    found = [m.span() for m in find_all(pattern, _PREFIXES[language], text,
                                        lowered_for_scan(text))]
    assert found == expected, text


def test_the_weekday_scan_finds_mentions_in_any_case() -> None:
    text = "Wednesday, January 8, xMonday 13 January, and MONDAY 13 January."
    found = [m.group() for m in find_all(_PATTERNS["en"], _PREFIXES["en"], text,
                                         lowered_for_scan(text))]
    assert found == [m.group() for m in _PATTERNS["en"].finditer(text)]
    assert found == ["Wednesday, January 8", "MONDAY 13 January"]


def test_overlapping_candidates_are_all_tried() -> None:
    # "xballistic missiles": the longer prefix fails on its lookbehind, the inner
    # "missiles" must still be found.
    pattern = re.compile(r"(?<![\w-])(?:ballistic missiles?|missiles?)(?![\w-])", re.I)
    prefixes = literal_prefixes([r"ballistic missiles?|missiles?"])
    text = "xballistic missiles, Ballistic Missiles"
    spans = [m.span() for m in find_all(pattern, prefixes, text, lowered_for_scan(text))]
    assert spans == [m.span() for m in pattern.finditer(text)] == [(11, 19), (21, 39)]
