"""Sentences with stable ids: exact spans, and which sentences the model is shown.

The hand-written articles below are test fixtures modelled on the seeds' furniture
(headings, questions, a caption printed twice, a tweet in Arabic inside a French text).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from factsum.ingest.readers import load_articles
from factsum.models import Article
from factsum.pipeline.sentences import Sentence, candidates, is_candidate, split_sentences

ROOT = Path(__file__).resolve().parents[2]

# A test fixture: a short French report with a heading, a question, a caption printed
# twice, a "read also" fragment and an Arabic sentence between two French ones.
ARABIC = "انفجار في مصنع كيميائي بالقرب من ليون وإجلاء السكان من الحي."
REPORT = f"""Explosion dans une usine chimique

Une explosion a détruit un entrepôt de l'usine de Saint-Fons mardi vers 17h30, selon les pompiers.
Que s'est-il passé exactement ?
Les pompiers ont évacué 1 200 habitants du quartier dans la soirée de mardi.

Photo : les pompiers devant l'entrepôt détruit par l'explosion, mardi soir.

Photo : les pompiers devant l'entrepôt détruit par l'explosion, mardi soir.

Lire aussi.

Le préfet a salué le travail des secours. {ARABIC} \
Le parquet a ouvert une enquête pour blessures involontaires."""


def report(ident: str = "fx1", text: str = REPORT) -> Article:
    return Article(id=ident, text=text, source=f"{ident}.txt", language="fr")


def by_text(sentences: list[Sentence]) -> dict[str, Sentence]:
    return {s.text: s for s in sentences}


@pytest.fixture(scope="module")
def seeds() -> list[Article]:
    articles, errors = load_articles([ROOT / "seeds"])
    assert errors == [] and len(articles) == 5
    return articles


def assert_exact_spans(article: Article, sentences: list[Sentence]) -> None:
    previous_end = 0
    for n, sentence in enumerate(sentences, start=1):
        assert article.text[sentence.span.start:sentence.span.end] == sentence.text
        assert sentence.text == sentence.text.strip() and sentence.text
        assert sentence.span.start >= previous_end  # in reading order, never overlapping
        previous_end = sentence.span.end
        assert (sentence.number, sentence.id) == (n, f"{article.id}:s{n}")
        assert sentence.article_id == article.id


def test_spans_are_exact_on_the_seeds(seeds: list[Article]) -> None:
    for article in seeds:
        sentences = split_sentences(article)
        assert len(sentences) > 10
        assert_exact_spans(article, sentences)


def test_spans_are_exact_on_a_hand_written_report() -> None:
    article = report()
    assert_exact_spans(article, split_sentences(article))


def test_ids_are_stable() -> None:
    first = split_sentences(report())
    assert split_sentences(report()) == first
    # Text added after the end does not renumber what came before.
    longer = split_sentences(report(text=REPORT + "\n\nLes secours ont quitté les lieux "
                                                  "vers minuit, selon la préfecture."))
    assert longer[:len(first)] == first
    assert len(longer) == len(first) + 1


def test_furniture_is_not_a_candidate() -> None:
    sentences = split_sentences(report())
    found = by_text(sentences)
    assert not found["Explosion dans une usine chimique"].candidate  # heading
    assert not found["Que s'est-il passé exactement ?"].candidate  # question
    assert not found["Lire aussi."].candidate  # short fragment
    captions = [s for s in sentences if s.text.startswith("Photo :")]
    assert [c.candidate for c in captions] == [True, False]  # printed twice: shown once
    facts = [
        "Une explosion a détruit un entrepôt de l'usine de Saint-Fons mardi vers 17h30, "
        "selon les pompiers.",
        "Les pompiers ont évacué 1 200 habitants du quartier dans la soirée de mardi.",
        "Le préfet a salué le travail des secours.",
        "Le parquet a ouvert une enquête pour blessures involontaires.",
    ]
    assert all(found[f].candidate for f in facts)
    assert candidates(sentences) == [s for s in sentences if s.candidate]


def test_seed_questions_and_headings_are_not_candidates(seeds: list[Article]) -> None:
    texts = {s.text: s.candidate for a in seeds for s in split_sentences(a)}
    for question in ("Que s’est-il passé exactement ?", "Quel est le bilan de ces tirs ?"):
        assert texts[question] is False
    for heading in ("Au moins deux bases touchées", "Trump fera une déclaration mercredi matin",
                    "Confusion over the departure of American troops"):
        assert texts[heading] is False
    assert texts["De leur côté, les Iraniens annoncent au moins 80 morts."] is True


@pytest.mark.parametrize("text", [
    "« Pourquoi l'Iran a-t-il choisi de frapper cette base en particulier ? »",
    "Combien de missiles ont réellement atteint les deux bases américaines ?",
])
def test_a_question_in_quotes_or_not_is_not_a_candidate(text: str) -> None:
    assert not is_candidate(text, set())


@pytest.mark.parametrize(("text", "language", "candidate"), [
    # Short, but a sentence with a figure: the election's margin, the shirt number.
    ("Il distacco è di circa 2.600 voti.", "it", True),
    ("Almeida wird die Rückennummer 9 tragen.", "de", True),
    # A dateline is no sentence, however it ends; nor a short line without a figure.
    ("ALCORÁ DEL RÍO (Espagne), 15 oct.", "fr", False),
    ("Le bilan reste provisoire ce soir.", "fr", False),
    ("Voir aussi : 3 questions.", "fr", False),
    # A timestamp has too few lower-case words once "10h32" and the month are left out
    # (on a line of its own it is no candidate anyway: see below).
    ("Publié le 8 janvier 2020 à 10h32.", "fr", False),
    ("She takes office on November 1.", "en", True),
])
def test_a_short_sentence_is_a_candidate_when_it_gives_a_figure(
        text: str, language: str, candidate: bool) -> None:
    assert is_candidate(text, set(), language) is candidate


def test_a_short_sentence_alone_in_its_paragraph_is_no_candidate() -> None:
    # A reading time or a comment count stands on a line of its own; the election's
    # margin shares its paragraph with the rest of the report.
    article = Article(id="it", source="it.txt", language="it", text=(
        "Tempo di lettura: 4 min.\n\n"
        "Vogler ha vinto il ballottaggio di domenica a Havelstedt con il 52,4% dei voti. "
        "Il distacco è di circa 2.600 voti. Brandl ha riconosciuto la sconfitta."))
    candidate = {s.text: s.candidate for s in split_sentences(article)}
    assert candidate["Tempo di lettura: 4 min."] is False
    assert candidate["Il distacco è di circa 2.600 voti."] is True
    assert is_candidate("Tempo di lettura: 4 min.", set(), "it") is True  # not alone
    assert is_candidate("Tempo di lettura: 4 min.", set(), "it", alone=True) is False


def test_a_repeat_is_recognised_whatever_its_spacing_and_case() -> None:
    seen: set[str] = set()
    first = "Les pompiers ont évacué 1 200 habitants du quartier dans la soirée."
    assert is_candidate(first, seen)
    assert not is_candidate("LES POMPIERS ont  évacué 1 200 habitants du quartier "
                            "dans la soirée.", seen)


def test_non_latin_text_inside_a_latin_article_stays_a_sentence() -> None:
    article = report()
    sentences = split_sentences(article)
    arabic = by_text(sentences)[ARABIC]
    assert arabic.candidate
    assert article.text[arabic.span.start:arabic.span.end] == ARABIC
    # Its neighbours are sentences of their own, not glued to it.
    index = sentences.index(arabic)
    assert sentences[index - 1].text == "Le préfet a salué le travail des secours."
    assert sentences[index + 1].text.startswith("Le parquet a ouvert")


def test_the_arabic_tweet_of_seed_000_is_kept_whole(seeds: list[Article]) -> None:
    article = next(a for a in seeds if a.source.startswith("000"))
    [tweet] = [s for s in split_sentences(article) if "إيران تعلن" in s.text]
    assert article.text[tweet.span.start:tweet.span.end] == tweet.text


@pytest.mark.parametrize("expected", [
    # sentencex ends a sentence after "8."; the split is rejoined before a month name.
    ["Die Raketen schlugen am Mittwoch, 8. Januar, in der Basis ein.",
     "Das Militär bestätigte den Angriff am Abend."],
    # A number with a full stop before any other word still ends its sentence.
    ["Die Feuerwehr zählte am Ende genau 12.", "Danach begann die Räumung der Straße.",
     "Am 3. März beginnt der Wiederaufbau der Brücke im Ort."],
])
def test_a_german_ordinal_date_does_not_end_a_sentence(expected: list[str]) -> None:
    article = Article(id="de1", text=" ".join(expected), source="de1.txt", language="de")
    assert [s.text for s in split_sentences(article)] == expected
