"""The figure reader: counts read in code from article sentences (factsum.pipeline.figures)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from factsum.pipeline.disputes import find_quantity_disputes
from factsum.pipeline.figures import ORIGIN, figure_claims, quantities_for_disputes, read_figures
from factsum.models import Article, Claim, Qualifier, Quantity, Span

Q = Qualifier


def _read(text: str, language: str) -> list[tuple[str, float, str, str]]:
    return [(f.quantity.qualifier.value, f.quantity.value, f.quantity.unit,
             text[f.phrase.start:f.phrase.end]) for f in read_figures(text, language)]


@pytest.mark.parametrize(("language", "text", "expected"), [
    ("fr", "L'Iran a lancé une dizaine de missiles balistiques contre deux bases.",
     ("about", 10, "missiles", "une dizaine de missiles balistiques")),
    ("fr", "Plus d'une douzaine de missiles ont été tirés.",
     ("more_than", 12, "missiles", "Plus d'une douzaine de missiles")),
    ("fr", "Pas moins de 12 missiles se sont abattus sur la base.",
     ("at_least", 12, "missiles", "Pas moins de 12 missiles")),
    ("fr", "Les Iraniens annoncent au moins 80 morts.",
     ("at_least", 80, "deaths", "au moins 80 morts")),
    ("fr", "Vingt-deux missiles se sont abattus.",
     ("exact", 22, "missiles", "Vingt-deux missiles")),
    ("fr", "L’Iran a tiré une vingtaine de roquettes.",
     ("about", 20, "rockets", "une vingtaine de roquettes")),
    ("en", "Iran fired more than a dozen ballistic missiles at the bases.",
     ("more_than", 12, "missiles", "more than a dozen ballistic missiles")),
    ("en", "The raid was carried out with dozens of missiles.",
     ("at_least", 24, "missiles", "dozens of missiles")),
    ("en", "A stampede left 1,200 injured.", ("exact", 1200, "injuries", "1,200 injured")),
    ("en", "Officials said about 35 people killed in the blast.",
     ("about", 35, "deaths", "about 35 people killed")),
    ("de", "Der Iran feuerte mindestens 15 Raketen ab.",
     ("at_least", 15, "missiles", "mindestens 15 Raketen")),
    ("de", "Es gab Dutzende Tote.", ("at_least", 24, "deaths", "Dutzende Tote")),
    ("es", "Irán lanzó más de 20 misiles balísticos.",
     ("more_than", 20, "missiles", "más de 20 misiles balísticos")),
    ("es", "Hubo una decena de muertos.", ("about", 10, "deaths", "una decena de muertos")),
    ("fr", "Des missiles tirés par l'Iran se sont abattus dans la nuit de mardi à mercredi "
           "sur des installations américaines, alors qu'une source évoquait une dizaine de "
           "roquettes.", ("about", 10, "rockets", "une dizaine de roquettes")),
])
def test_reads_hedged_counts_in_four_languages(
        language: str, text: str, expected: tuple[str, float, str, str]) -> None:
    assert _read(text, language) == [expected]


@pytest.mark.parametrize(("language", "text", "unit", "phrase"), [
    ("fr", "Les premiers éléments laissent penser qu'il n'y a pas de victime américaine.",
     "casualties", "pas de victime"),
    ("fr", "Ces raids n’auraient pas fait de victime dans les rangs irakiens.",
     "casualties", "pas fait de victime"),
    ("en", "There were no American casualties, the Pentagon said.", "casualties",
     "no American casualties"),
    ("de", "Es gab keine Toten.", "deaths", "keine Toten"),
    ("es", "El ataque se saldó sin víctimas.", "casualties", "sin víctimas"),
])
def test_reads_no_victims_as_zero(language: str, text: str, unit: str, phrase: str) -> None:
    assert _read(text, language) == [("exact", 0, unit, phrase)]


@pytest.mark.parametrize(("language", "text"), [
    ("fr", "Aucune information pour le moment sur les éventuelles pertes en vie humaines."),
    ("fr", "L'évaluation des dégâts et des victimes est en cours."),
    ("fr", "Un missile est tombé près de la base."),  # one is not a count in dispute
    ("en", "In 2020 missiles were fired at the base."),  # a year
    ("en", "Iran fired missiles at two bases."),  # the number counts bases
    ("en", "Iran fired 22 Iranian-made missiles."),  # capitalised gap word: unsure, skip
])
def test_ignores_what_is_not_a_count(language: str, text: str) -> None:
    assert _read(text, language) == []


def test_unknown_language_reads_nothing() -> None:
    assert read_figures("Иран выпустил 22 ракеты.", "ru") == []


@pytest.mark.parametrize(("language", "text", "who"), [
    ("fr", "De leur côté, les Iraniens annoncent au moins 80 morts.", "les Iraniens"),
    ("fr", "« Plus d'une douzaine de missiles » ont été tirés, a indiqué mardi soir le "
           "Pentagone dans un communiqué.", "le Pentagone"),
    ("fr", "Selon l’armée irakienne, ces raids n’auraient pas fait de victime.",
     "l’armée irakienne"),
    ("en", "The strikes were carried out with dozens of missiles, announced the Iranian "
           "Revolutionary Guards.", "the Iranian Revolutionary Guards"),
    ("en", "Iran fired 22 missiles.", "the article"),
])
def test_names_who_gives_the_figure(language: str, text: str, who: str) -> None:
    [figure] = read_figures(text, language)
    assert figure.asserted_by == who


def _article(text: str, language: str = "fr", aid: str = "a1") -> Article:
    return Article(id=aid, text=text, source=f"{aid}.txt", language=language)


def test_figure_claims_quote_their_whole_sentence_verbatim() -> None:
    text = ("Titre.\n\nL'Iran a tiré une dizaine de missiles. Les Iraniens annoncent au "
            "moins 80 morts.\nLe reste.")
    claims = figure_claims([_article(text)])
    assert [c.id for c in claims] == ["a1:f1", "a1:f2"]
    for claim in claims:
        assert text[claim.span.start:claim.span.end] == claim.quote
        assert claim.origin == ORIGIN and claim.match_score == 100
    assert claims[0].quote == "L'Iran a tiré une dizaine de missiles."
    assert claims[0].statement == "About 10 missiles"
    assert claims[1].quantities == [Quantity(value=80, high=None, unit="deaths",
                                             qualifier=Q.AT_LEAST)]


def test_a_repeated_figure_counts_once_per_article_preferring_a_named_source() -> None:
    text = ("L'Iran tire plus d'une douzaine de missiles. Plus d'une douzaine de missiles "
            "ont été tirés, a indiqué le Pentagone.")
    [claim] = figure_claims([_article(text)])
    assert claim.asserted_by == "le Pentagone"


def _claim(cid: str, article: str, quote: str, span: tuple[int, int],
           *quantities: Quantity) -> Claim:
    return Claim(id=cid, article_id=article, statement="s", quote=quote,
                 span=Span(start=span[0], end=span[1]), match_score=100,
                 asserted_by="the article", quantities=list(quantities))


def test_model_quantities_yield_to_the_reader_and_must_be_in_their_quote() -> None:
    people = Quantity(value=80, high=None, unit="people", qualifier=Q.EXACT)
    invented = Quantity(value=100, high=None, unit="deaths", qualifier=Q.MORE_THAN)
    stated = Quantity(value=35, high=None, unit="bases", qualifier=Q.EXACT)
    text = "Les Iraniens annoncent au moins 80 morts."
    figures = figure_claims([_article(text)])
    claims = [
        _claim("a1:c1", "a1", text, (0, len(text)), people),  # sentence read by the reader
        _claim("a2:c1", "a2", "to avoid further losses", (0, 23), invented),
        _claim("a2:c2", "a2", "35 bases in the region", (40, 62), stated),
    ]
    kept = {c.id: c.quantities for c in quantities_for_disputes(claims, figures)}
    assert kept == {"a1:c1": [], "a2:c1": [], "a2:c2": [stated]}


def test_missiles_and_rockets_from_two_outlets_are_one_dispute() -> None:
    one = figure_claims([_article("L'Iran a tiré une dizaine de roquettes.", aid="a1")])
    two = figure_claims([_article("Iran fired 22 missiles.", language="en", aid="a2")])
    [dispute] = find_quantity_disputes([*one, *two])
    assert dispute.topic == "Number of missiles or rockets"
    assert [p.statement for p in dispute.positions] == ["about 10 rockets", "22 missiles"]


def test_no_victims_against_a_toll_is_a_dispute() -> None:
    one = figure_claims([_article("Selon l'armée, il n'y a pas de victime.", aid="a1")])
    two = figure_claims([_article("Les Iraniens annoncent au moins 80 morts.", aid="a2")])
    [dispute] = find_quantity_disputes([*one, *two])
    assert [(p.statement, p.asserted_by) for p in dispute.positions] == [
        ("0 casualties", ["l'armée"]), ("at least 80 deaths", ["Les Iraniens"])]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from([
    *"ab 12,.\n'’-éD", " missiles", " morts", " une dizaine de", " plus d'", " pas de victime",
    " dozens of", " au moins", " selon le Pentagone,", " vingt-deux", "Dutzende Tote",
]), max_size=40).map("".join), st.sampled_from(["fr", "en", "de", "es"]))
def test_every_figure_points_inside_its_sentence(text: str, language: str) -> None:
    for fig in read_figures(text, language):
        assert 0 <= fig.sentence.start <= fig.phrase.start < fig.phrase.end <= fig.sentence.end
        assert fig.sentence.end <= len(text)
        assert text[fig.sentence.start:fig.sentence.end].strip() == \
            text[fig.sentence.start:fig.sentence.end]
        assert fig.quantity.value >= 0


def test_a_text_without_sentence_ends_gives_short_verbatim_quotes_quickly() -> None:
    """Hostile or badly extracted text: one endless 'sentence' full of figures."""
    import time

    text = "et l'Iran a tiré 22 missiles selon le Pentagone " * 20_000  # ~1 MB, no full stop
    started = time.perf_counter()
    [claim] = figure_claims([_article(text)])
    assert time.perf_counter() - started < 30  # linear, not one full scan per figure
    assert len(claim.quote) <= 2 * 300 + 40
    assert text[claim.span.start:claim.span.end] == claim.quote
    assert "22 missiles" in claim.quote and claim.asserted_by.startswith("le Pentagone")


def test_paragraphs_segmented_alone_give_the_whole_texts_sentences() -> None:
    # read_figures segments only the paragraphs holding a count; that is only right
    # while sentencex ends every sentence at a blank line.
    from factsum.pipeline.figures import _PARAGRAPH, sentence_spans
    from factsum.ingest.readers import load_path

    root = Path(__file__).resolve().parents[2]
    articles = [*load_path(root / "seeds")[0], *load_path(root / "tests" / "data" / "ingest")[0]]
    assert len(articles) >= 5
    for article in articles:
        text = article.text
        whole = list(sentence_spans(text, article.language))
        alone = [(p.start() + s, p.start() + e) for p in _PARAGRAPH.finditer(text)
                 for s, e in sentence_spans(p.group(), article.language)]
        assert alone == whole, article.source
