"""Verify: a restatement is shown only if the sentence it cites supports it.

ARTICLE is a hand-written French test fixture built from sentences of seeds 000-002;
each statement below is a hand-written "translation" (a fixture, not model output),
faithful or carrying one of the slips DESIGN.md measured with the embedded model.
"""

from __future__ import annotations

import pytest
from factsum.models import Article
from factsum.pipeline.sentences import Sentence, split_sentences
from factsum.pipeline.verify import Verdict, calendar_names, check, fold, verify_article

SENTENCES = [
    "L'Iran a envoyé plusieurs batteries de missiles, ce mercredi 8 janvier matin, contre "
    "les bases d'Aïn al-Assad et d'Erbil en Irak.",
    "Selon le Pentagone, 22 missiles se sont abattus sur les bases d'Aïn al-Assad et "
    "d'Erbil à 1 h 20 du matin.",
    "Donald Trump a déclaré sur Twitter que tout allait bien et qu'il ferait une "
    "déclaration le lendemain.",
    "Les Gardiens de la révolution ont menacé de frapper Israël en cas de riposte "
    "américaine contre leur pays.",
    "Selon l'armée irakienne, ces raids n'ont fait aucune victime dans les rangs irakiens "
    "et américains.",
    "Une vingtaine de missiles ont visé deux bases, selon une source de sécurité irakienne.",
    "Les experts estiment que l'Iran pourrait frapper de nouveau les bases américaines de "
    "la région.",
]
ARTICLE = Article(id="fx1", text=" ".join(SENTENCES), source="fx1.txt", language="fr")

FAITHFUL = {
    1: "Iran sent several missile batteries, this Wednesday 8 January in the morning, "
       "against the Ain al-Assad and Erbil bases in Iraq.",
    2: "According to the Pentagon, 22 missiles fell on the Ain al-Assad and Erbil bases at "
       "1:20 a.m.",
    3: "Donald Trump said on Twitter that all was well and that he would make a statement "
       "the next day.",
    4: "The Revolutionary Guards threatened to strike Israel in the event of an American "
       "response against their country.",
    5: "According to the Iraqi army, these raids caused no casualties among Iraqi and "
       "American ranks.",
}


@pytest.fixture(scope="module")
def sentences() -> list[Sentence]:
    found = split_sentences(ARTICLE)
    assert [s.text for s in found] == SENTENCES
    return found


def verdict(statement: str, number: int, sentences: list[Sentence]) -> Verdict:
    return check(statement, sentences[number - 1], sentences, article_language="fr",
                 language="en", translated=True)


@pytest.mark.parametrize("number", sorted(FAITHFUL))
def test_a_faithful_translation_passes(number: int, sentences: list[Sentence]) -> None:
    result = verdict(FAITHFUL[number], number, sentences)
    assert result.ok and result.problems == ()


def test_cardinal_words_count_as_their_digits(sentences: list[Sentence]) -> None:
    statement = FAITHFUL[2].replace("22", "twenty-two")
    assert verdict(statement, 2, sentences).ok


def test_an_invented_number_fails(sentences: list[Sentence]) -> None:
    result = verdict(FAITHFUL[2].replace("22", "24"), 2, sentences)
    assert result.problems == ("gives 24, which the sentence does not state",)


def test_an_invented_time_fails(sentences: list[Sentence]) -> None:
    result = verdict(FAITHFUL[2].replace("1:20", "1:30"), 2, sentences)
    assert len(result.problems) == 1 and "time" in result.problems[0]


def test_an_invented_weekday_fails(sentences: list[Sentence]) -> None:
    # DESIGN.md: "ce mercredi 8 janvier matin" became "this Monday 8 January at 6am".
    result = verdict(FAITHFUL[1].replace("Wednesday", "Monday"), 1, sentences)
    assert result.problems == ("names a weekday or month the sentence does not",)


def test_an_invented_month_fails(sentences: list[Sentence]) -> None:
    result = verdict(FAITHFUL[1].replace("January", "February"), 1, sentences)
    assert result.problems == ("names a weekday or month the sentence does not",)


def test_a_misattribution_fails(sentences: list[Sentence]) -> None:
    # Trump's words given to the Pentagon, which the article names in sentence 2.
    statement = ("The Pentagon said on Twitter that all was well and that it would make a "
                 "statement the next day.")
    result = verdict(statement, 3, sentences)
    assert result.problems == ("names Pentagon, whom the article names elsewhere, not here",)


def test_a_restatement_of_the_neighbouring_sentence_fails(sentences: list[Sentence]) -> None:
    # Sentence 3's content, citing sentence 4: the commonest small-model slip.
    result = verdict(FAITHFUL[3], 4, sentences)
    assert "reads like sentence 3, not the one it cites" in result.problems
    assert not result.ok


def test_a_truncated_statement_fails(sentences: list[Sentence]) -> None:
    result = verdict("The Revolutionary Guards threatened", 4, sentences)
    assert len(result.problems) == 1 and "times the sentence's length" in result.problems[0]


def test_a_padded_statement_fails(sentences: list[Sentence]) -> None:
    padded = FAITHFUL[4] + (" The Guards also warned every country in the region that "
                            "hosts American troops, and they said that their response "
                            "would be even more devastating than anything seen before, "
                            "and that Hezbollah would join in from Lebanon as well.")
    result = verdict(padded, 4, sentences)
    assert any("times the sentence's length" in p for p in result.problems)


def test_an_untranslated_article_s_sentence_is_its_own_statement(
        sentences: list[Sentence]) -> None:
    statements = {s.number: s.text for s in sentences}
    claims, rejected = verify_article(ARTICLE, sentences, statements, language="fr")
    assert rejected == []
    assert [c.statement for c in claims] == SENTENCES
    for claim in claims:
        assert not claim.translated
        assert ARTICLE.text[claim.span.start:claim.span.end] == claim.quote == claim.statement


def test_verify_article_splits_claims_from_unverified(sentences: list[Sentence]) -> None:
    statements = {1: FAITHFUL[1], 2: FAITHFUL[2].replace("22", "24"), 3: FAITHFUL[3]}
    claims, rejected = verify_article(ARTICLE, sentences, statements, language="en")
    assert [c.id for c in claims] == ["fx1:s1", "fx1:s3"]
    assert all(c.translated and c.origin == "model" for c in claims)
    for claim in claims:
        assert claim.quote == SENTENCES[claim.sentence - 1]
        assert ARTICLE.text[claim.span.start:claim.span.end] == claim.quote
    [unverified] = rejected
    assert (unverified.id, unverified.quote) == ("fx1:s2", SENTENCES[1])
    assert unverified.statement == statements[2]
    assert "24" in unverified.reason


def test_fold_and_calendar_names() -> None:
    assert fold("Le Pentagone, DÉFENSE") == "le pentagone, defense"
    assert calendar_names("ce mercredi 8 janvier", "fr") == {("day", 2), ("month", 1)}
    assert calendar_names("Wednesday, January 8", "en") == {("day", 2), ("month", 1)}
    assert calendar_names("am Mittwoch, 8. Januar", "de") == {("day", 2), ("month", 1)}


@pytest.mark.parametrize("statement", [
    "Experts believe that Iran may strike American bases in the region again.",
    "Experts believe that Iran, which sat on its response, could strike American bases "
    "again.",
])
def test_ordinary_words_are_not_calendar_names(statement: str,
                                               sentences: list[Sentence]) -> None:
    assert verdict(statement, 7, sentences).ok


def test_a_collective_numeral_beside_another_number(sentences: list[Sentence]) -> None:
    statement = "About twenty missiles targeted two bases, according to an Iraqi security source."
    assert verdict(statement, 6, sentences).ok


@pytest.mark.xfail(strict=True, reason=(
    "issue 15 §2 requires attribution kept ('the Iranians say at least 80 died', not "
    "'at least 80 died'), but no check compares who speaks: a restatement that drops "
    "'Selon le Pentagone' passes; suggested fix: when the cited sentence has a source "
    "marker of its language's lexicon (selon, a déclaré...) the statement must have a "
    "speaker (factsum.pipeline.speakers.speaker)"))
def test_a_dropped_attribution_fails(sentences: list[Sentence]) -> None:
    statement = "22 missiles fell on the Ain al-Assad and Erbil bases at 1:20 a.m."
    assert not verdict(statement, 2, sentences).ok


@pytest.mark.xfail(strict=True, reason=(
    "issue 15 §2 requires negation kept, and verify's docstring leaves it to the "
    "restatement: 'n'ont fait aucune victime' restated as 'caused casualties' passes; "
    "suggested fix: compare the presence of a negation (the lexicons' none/negation "
    "words, for the source and the summary language) between sentence and statement"))
def test_a_dropped_negation_fails(sentences: list[Sentence]) -> None:
    statement = FAITHFUL[5].replace("caused no casualties", "caused casualties")
    assert not verdict(statement, 5, sentences).ok
