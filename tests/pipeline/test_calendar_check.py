"""Dates given with their weekday must fit one calendar (CLDR names through Babel).

The seeds hold the reference case: 000 puts Soleimani's killing on "le jeudi 3 janvier",
002 and 004 put the strike on Wednesday 8 January, which makes 3 January a Friday. The
short articles below are hand-written test fixtures.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from factsum.ingest.readers import load_articles
from factsum.models import Article, Span
from factsum.pipeline.calendar_check import calendar_disputes, read_mentions
from factsum.pipeline.sentences import Sentence, split_sentences

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def seeds() -> dict[str, tuple[Article, list[Sentence]]]:
    articles, errors = load_articles([ROOT / "seeds"])
    assert errors == []
    return {a.source[:3]: (a, split_sentences(a)) for a in articles}


def article(ident: str, text: str, language: str) -> tuple[Article, list[Sentence]]:
    a = Article(id=ident, text=text, source=f"{ident}.txt", language=language)
    return a, split_sentences(a)


def whole(ident: str, text: str, language: str) -> tuple[Article, list[Sentence]]:
    """An article of one sentence, not split (see test_sentences: sentencex cuts German
    ordinal dates)."""
    a = Article(id=ident, text=text, source=f"{ident}.txt", language=language)
    return a, [Sentence(id=f"{ident}:s1", article_id=ident, number=1,
                        span=Span(start=0, end=len(text)), text=text, candidate=True)]


def test_the_seed_weekday_dispute(seeds: dict[str, tuple[Article, list[Sentence]]]) -> None:
    found = calendar_disputes(seeds.values(), language="en")
    assert len(found) == 1
    dispute, cited = found[0]
    assert dispute.origin == "calendar"
    assert "3 January" in dispute.topic
    given, implied = dispute.positions
    ids = {key: a.id for key, (a, _s) in seeds.items()}
    assert given.statement == "Thursday 3 January"
    assert [cid.split(":")[0] for cid in given.claim_ids] == [ids["000"]]
    assert implied.statement.startswith("Friday 3 January")
    assert {cid.split(":")[0] for cid in implied.claim_ids} == {ids["002"], ids["004"]}
    # Every cited sentence is returned (the caller makes claims of them) and names a date.
    by_id = {s.id: s for _a, sentences in seeds.values() for s in sentences}
    assert {s.id for s in cited} == set(given.claim_ids) | set(implied.claim_ids)
    assert "jeudi 3 janvier" in by_id[given.claim_ids[0]].text
    assert all("8" in by_id[cid].text for cid in implied.claim_ids)


def test_the_seed_dispute_is_labelled_in_the_summary_language(
        seeds: dict[str, tuple[Article, list[Sentence]]]) -> None:
    [(dispute, _cited)] = calendar_disputes(seeds.values(), language="fr")
    assert [p.statement.split(" (")[0] for p in dispute.positions] == [
        "jeudi 3 janvier", "vendredi 3 janvier"]
    assert dispute.topic == "Jour de la semaine du 3 janvier"
    # No labels for Spanish: the topic is English, its date too.
    [(spanish, _cited)] = calendar_disputes(seeds.values(), language="es")
    assert spanish.topic == "Day of the week of 3 January"


def test_consistent_dates_give_no_dispute() -> None:
    articles = [
        article("a1", "Les missiles sont tombés ce mercredi 8 janvier sur la base aérienne.",
                "fr"),
        article("a2", "The missiles fell on Wednesday, January 8, on the air base in Iraq.",
                "en"),
        article("a3", "Le général a été tué le vendredi 3 janvier près de l'aéroport de "
                      "Bagdad.", "fr"),
    ]
    assert len([m for a, s in articles for m in read_mentions(a, s)]) == 3
    assert calendar_disputes(articles, language="en", years=[2020]) == []


def test_an_article_contradicting_only_itself_gives_no_dispute() -> None:
    lone = article("a1", "Le général a été tué le jeudi 3 janvier près de l'aéroport. "
                         "Les missiles sont tombés ce mercredi 8 janvier sur la base.", "fr")
    silent = article("a2", "Iran fired missiles at two bases sheltering American troops.",
                     "en")
    assert len(read_mentions(*lone)) == 2
    assert calendar_disputes([lone, silent], language="en", years=[2020]) == []


def test_german_and_spanish_names_come_from_cldr() -> None:
    german = whole("de1", "Die Raketen schlugen am Mittwoch, 8. Januar, in der Basis ein.",
                   "de")
    spanish = article("es1", "Los misiles cayeron el miércoles 8 de enero sobre la base "
                             "aérea.", "es")
    odd = article("es2", "El general murió el jueves 3 de enero cerca del aeropuerto de "
                         "Bagdad.", "es")
    [de] = read_mentions(*german)
    assert (de.weekday, de.month, de.day) == (2, 1, 8)  # Wednesday (0 = Monday)
    [es] = read_mentions(*spanish)
    assert (es.weekday, es.month, es.day) == (2, 1, 8)
    [(dispute, _cited)] = calendar_disputes([german, spanish, odd], language="en",
                                            years=[2019, 2020])
    assert [p.claim_ids for p in dispute.positions] == [["es2:s1"], ["de1:s1", "es1:s1"]]
    assert dispute.positions[0].statement == "Thursday 3 January"


def test_a_weekday_without_a_date_is_not_a_mention() -> None:
    a = article("a1", "Les gardiens de la révolution mettent en garde ce mercredi tout pays "
                      "de la région.", "fr")
    assert read_mentions(*a) == []


def test_an_impossible_date_fits_no_year() -> None:
    [mention] = read_mentions(*whole("a1", "Le vote a eu lieu le mardi 30 février.", "fr"))
    assert not any(mention.fits(year) for year in range(2000, 2030))


def test_the_years_of_publication_pick_the_calendar() -> None:
    # Two articles put 8 January on a Wednesday (2020), one puts 3 January on a Thursday
    # (2019). Undated, the calendar of most mentions wins and the Thursday is disputed;
    # published in 2019, only the Thursday fits and one mention does not outvote two.
    articles = [
        article("a1", "Le général a été tué le jeudi 3 janvier près de l'aéroport.", "fr"),
        article("a2", "Les missiles sont tombés ce mercredi 8 janvier sur la base.", "fr"),
        article("a3", "The missiles fell on Wednesday, January 8, on the air base.", "en"),
    ]
    [(dispute, _cited)] = calendar_disputes(articles, language="en")
    assert dispute.positions[0].claim_ids == ["a1:s1"]
    dated = [(a.model_copy(update={"published": "2019-01-09"}), s) for a, s in articles]
    assert calendar_disputes(dated, language="en") == []
