"""Weekday checks: dates given with a weekday must fit one calendar (factsum.pipeline.weekdays)."""

from __future__ import annotations

import pytest

from factsum.models import Article
from factsum.pipeline.weekdays import ORIGIN, read_mentions, weekday_disputes


def _article(aid: str, text: str, language: str, published: str | None = None) -> Article:
    return Article(id=aid, text=text, source=f"{aid}.txt", language=language,
                   published=published)


@pytest.mark.parametrize(("language", "text", "label"), [
    ("fr", "Le général a été tué le jeudi 3 janvier près de Bagdad.", "Thursday 3 January"),
    ("fr", "Les tirs ont eu lieu ce mercredi 8 janvier matin.", "Wednesday 8 January"),
    ("fr", "C'était le vendredi 1er mai.", "Friday 1 May"),
    ("en", "Iran launched, on the night of Tuesday to Wednesday, January 8, the response.",
     "Wednesday 8 January"),
    ("en", "It happened on Friday 3rd of January.", "Friday 3 January"),
    ("de", "Der Angriff erfolgte am Mittwoch, den 8. Januar.", "Wednesday 8 January"),
    ("es", "El ataque fue el miércoles 8 de enero.", "Wednesday 8 January"),
])
def test_reads_weekday_and_date_in_four_languages(language: str, text: str, label: str) -> None:
    [mention] = read_mentions(_article("a", text, language))
    assert mention.label == label
    assert text[mention.sentence.start:mention.sentence.end].strip() == text.strip()


def test_a_date_the_other_articles_calendar_rules_out_is_a_dispute() -> None:
    killed = _article("a0", "Soleimani a été tué le jeudi 3 janvier à Bagdad.", "fr")
    strikes = _article("a1", "Les missiles sont tombés ce mercredi 8 janvier.", "fr")
    english = _article("a2", "Iran fired missiles on Wednesday, January 8.", "en")
    claims, [dispute] = weekday_disputes([killed, strikes, english])
    assert dispute.topic == "Day of the week of 3 January" and dispute.origin == "weekday"
    assert [p.statement for p in dispute.positions] == [
        "Thursday 3 January", "Friday 3 January, as Wednesday 8 January implies"]
    by_id = {c.id: c for c in claims}
    odd, calendar = dispute.positions
    assert [by_id[i].article_id for i in odd.claim_ids] == ["a0"]
    assert sorted(by_id[i].article_id for i in calendar.claim_ids) == ["a1", "a2"]
    articles = {a.id: a for a in (killed, strikes, english)}
    for claim in claims:
        assert claim.origin == ORIGIN
        assert articles[claim.article_id].text[claim.span.start:claim.span.end] == claim.quote


@pytest.mark.parametrize("texts", [
    # one against one: no majority says which is wrong
    ["Le jeudi 3 janvier.", "Le mercredi 8 janvier."],
    # consistent dates
    ["Le vendredi 3 janvier.", "Le mercredi 8 janvier.", "Le mercredi 8 janvier."],
    # an article contradicting only itself, no other article's date
    ["Le jeudi 3 janvier et le mercredi 8 janvier et le mercredi 8 janvier."],
])
def test_no_dispute_without_another_article_pinning_the_calendar(texts: list[str]) -> None:
    articles = [_article(f"a{n}", t, "fr") for n, t in enumerate(texts)]
    assert weekday_disputes(articles) == ([], [])


def test_the_publication_year_picks_the_calendar() -> None:
    # 8 January 2020 was a Wednesday; in 2025 too. With 2020 given, 3 January is Friday.
    a = _article("a", "Frappes le mercredi 8 janvier.", "fr", published="2020-01-08T10:00")
    b = _article("b", "Frappes le mercredi 8 janvier.", "fr", published="2020-01-08")
    c = _article("c", "Tué le samedi 3 janvier.", "fr", published="2020-01-09")
    _claims, [dispute] = weekday_disputes([a, b, c])
    assert dispute.positions[1].statement.startswith("Friday 3 January")


def test_impossible_dates_and_unknown_languages_are_ignored() -> None:
    assert read_mentions(_article("a", "Le lundi 31 février.", "fr"))[0].fits(2020) is False
    assert read_mentions(_article("a", "В среду 8 января.", "ru")) == []


def test_many_mentions_in_a_long_text_without_full_stops_stay_fast_and_short() -> None:
    import time

    text = "le jeudi 3 janvier puis " * 20_000  # ~480 kB, no sentence end
    started = time.perf_counter()
    mentions = read_mentions(_article("a", text, "fr"))
    assert time.perf_counter() - started < 30
    assert len(mentions) == 20_000
    assert all(m.sentence.end - m.sentence.start <= 2 * 300 + 40 for m in mentions)


def test_names_in_capitals_are_read_and_a_text_without_a_month_reads_nothing() -> None:
    shouted = _article("a", "Les frappes ont eu lieu MERCREDI 8 JANVIER, selon Téhéran.", "fr")
    assert [m.label for m in read_mentions(shouted)] == ["Wednesday 8 January"]
    no_month = _article("b", "Les frappes ont eu lieu mercredi, le 8, selon Téhéran.", "fr")
    assert read_mentions(no_month) == []
