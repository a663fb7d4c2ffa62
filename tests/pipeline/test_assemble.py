"""The code stages put together, on the seeds, with identity statements.

The statements come from the scripted transport's identity "translation"
(factsum.testing.fake_answers): test fixtures, not model output. They exercise the
bookkeeping (ids, spans, citations, disputes), not the quality of a translation.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from factsum.ingest.readers import load_articles
from factsum.llm.client import LLMClient
from factsum.models import Article
from factsum.pipeline.assemble import Assembled, assemble, outlet_labels
from factsum.pipeline.extract import restate_article
from factsum.pipeline.sentences import Sentence, candidates, split_sentences
from factsum.settings import Settings
from factsum.testing.scripted import ScriptedTransport

ROOT = Path(__file__).resolve().parents[2]

Seeds = tuple[list[Article], dict[str, list[Sentence]], dict[str, dict[int, str]]]


@pytest.fixture(scope="module")
def seeds(tmp_path_factory: pytest.TempPathFactory) -> Seeds:
    articles, errors = load_articles([ROOT / "seeds"])
    assert errors == [] and len(articles) == 5
    sentences = {a.id: split_sentences(a) for a in articles}
    conf = Settings(model="scripted", cache_dir=tmp_path_factory.mktemp("cache"),
                    use_cache=False)
    llm = LLMClient(conf.llm, ScriptedTransport())

    async def restate_all() -> dict[str, dict[int, str]]:
        out = {}
        for a in articles:
            restated = await restate_article(a, candidates(sentences[a.id]), llm=llm,
                                             settings=conf, language="en")
            out[a.id] = restated.by_number
        return out

    return articles, sentences, asyncio.run(restate_all())


@pytest.fixture(scope="module")
def built(seeds: Seeds) -> Assembled:
    articles, sentences, statements = seeds
    return assemble(articles, sentences, statements, language="en")


def source(seeds: Seeds, prefix: str) -> str:
    return next(a.id for a in seeds[0] if a.source.startswith(prefix))


def test_every_quote_is_the_article_text_at_its_span(seeds: Seeds, built: Assembled) -> None:
    articles, sentences, _ = seeds
    texts = {a.id: a.text for a in articles}
    numbered = {s.id: s for ss in sentences.values() for s in ss}
    assert built.claims
    for claim in built.claims:
        assert texts[claim.article_id][claim.span.start:claim.span.end] == claim.quote
        cited = numbered[claim.id]
        assert (cited.article_id, cited.number, cited.text) == (
            claim.article_id, claim.sentence, claim.quote)
    for item in built.unverified:
        assert texts[item.article_id][item.span.start:item.span.end] == item.quote


def test_every_statement_is_accounted_for(seeds: Seeds, built: Assembled) -> None:
    _, _, statements = seeds
    model_claims = [c for c in built.claims if c.origin == "model"]
    assert len(model_claims) + len(built.unverified) == sum(map(len, statements.values()))
    assert not {c.id for c in model_claims} & {u.id for u in built.unverified}
    for claim in model_claims:
        assert claim.statement == statements[claim.article_id][claim.sentence]


def test_every_point_and_dispute_id_resolves(built: Assembled) -> None:
    claims = {c.id for c in built.claims}
    assert len(claims) == len(built.claims)  # one claim per cited sentence
    assert [p.id for p in built.points] == [f"p{n}" for n in range(1, len(built.points) + 1)]
    assert [d.id for d in built.disputes] == [
        f"d{n}" for n in range(1, len(built.disputes) + 1)]
    for point in built.points:
        assert set(point.claim_ids) <= claims
        articles = [cid.split(":")[0] for cid in point.claim_ids]
        assert len(articles) == len(set(articles))  # one claim per article per point
    for dispute in built.disputes:
        for position in dispute.positions:
            assert set(position.claim_ids) <= claims
    # Every verified claim is in exactly one point.
    cited = [cid for p in built.points for cid in p.claim_ids]
    assert sorted(cited) == sorted(c.id for c in built.claims if c.origin == "model")


def test_the_weekday_dispute_appears(seeds: Seeds, built: Assembled) -> None:
    [dispute] = [d for d in built.disputes if d.origin == "calendar"]
    given, implied = dispute.positions
    assert given.statement == "Thursday 3 January"
    assert implied.statement.startswith("Friday 3 January")
    assert {cid.split(":")[0] for cid in given.claim_ids} == {source(seeds, "000")}
    assert {cid.split(":")[0] for cid in implied.claim_ids} == {source(seeds, "002"),
                                                                source(seeds, "004")}
    # The sentences it cites are claims quoting them, read in code when no statement
    # of the model covers them.
    by_id = {c.id: c for c in built.claims}
    for cid in given.claim_ids + implied.claim_ids:
        claim = by_id[cid]
        if claim.origin == "date_reader":
            assert claim.statement == claim.quote and not claim.translated


def test_syndicated_copy_counts_once(seeds: Seeds, built: Assembled) -> None:
    assert built.groups[source(seeds, "001")] == built.groups[source(seeds, "003")]
    assert len(set(built.groups.values())) == 4
    for point in built.points:
        groups = {built.groups[cid.split(":")[0]] for cid in point.claim_ids}
        assert point.independent_sources == len(groups)


def test_an_article_whose_extraction_failed_contributes_nothing(seeds: Seeds) -> None:
    articles, sentences, statements = seeds
    lost = source(seeds, "000")  # the article that gives the odd weekday
    partial = {aid: s for aid, s in statements.items() if aid != lost}
    result = assemble(articles, sentences, partial, language="en")
    assert all(c.article_id != lost for c in result.claims)
    assert [d for d in result.disputes if d.origin == "calendar"] == []


def test_the_same_statements_give_the_same_summary_parts(seeds: Seeds,
                                                         built: Assembled) -> None:
    articles, sentences, statements = seeds
    again = assemble(articles, sentences, statements, language="en")
    assert (again.claims, again.points, again.disputes, again.unverified, again.groups) == (
        built.claims, built.points, built.disputes, built.unverified, built.groups)


def test_a_failed_check_is_unverified_and_never_a_point() -> None:
    # Test fixtures: a French sentence and two hand-written "translations".
    a = Article(id="fx1", source="fx1.txt", language="fr", text=(
        "Selon le Pentagone, 22 missiles se sont abattus sur les bases d'Aïn al-Assad et "
        "d'Erbil. Donald Trump a déclaré sur Twitter que tout allait bien et qu'il ferait "
        "une déclaration."))
    sentences = {a.id: split_sentences(a)}
    statements = {a.id: {
        1: "According to the Pentagon, 24 missiles fell on the Ain al-Assad and Erbil bases.",
        2: "Donald Trump said on Twitter that all was well and that he would make a "
           "statement.",
    }}
    result = assemble([a], sentences, statements, language="en")
    [unverified] = result.unverified
    assert unverified.id == "fx1:s1" and "24" in unverified.reason
    assert [c.id for c in result.claims] == ["fx1:s2"]
    assert [p.claim_ids for p in result.points] == [["fx1:s2"]]


def _english_and_french(english: str, french: str, restated: str) -> Assembled:
    """Two one-sentence reports: the English one is its own statement, the French one
    is ``restated`` (a hand-written "translation", a test fixture)."""
    en = Article(id="fx1", source="fx1.txt", language="en", text=english)
    fr = Article(id="fx2", source="fx2.txt", language="fr", text=french)
    sentences = {a.id: split_sentences(a) for a in (en, fr)}
    return assemble([en, fr], sentences, {"fx1": {1: english}, "fx2": {1: restated}},
                    language="en")


def test_a_figure_whose_statement_only_dropped_its_speaker_is_a_position_not_a_point(
) -> None:
    # Test fixtures: two short reports and hand-written "translations". The French one
    # drops "selon la préfecture": not verified, but its 1,500 is the sentence's own.
    fr_text = ("Plus de 1 500 habitants ont été évacués de la vieille ville après "
               "l'incendie chimique, selon la préfecture.")
    result = _english_and_french(
        "About 1,200 residents were evacuated from the old town after the chemical fire, "
        "the mayor said.", fr_text,
        "More than 1,500 residents were evacuated from the old town after the chemical "
        "fire.")
    [unverified] = result.unverified
    assert unverified.reason.startswith("drops the attribution to")
    assert [p.claim_ids for p in result.points] == [["fx1:s1"]]
    [dispute] = result.disputes
    cited = {cid for pos in dispute.positions for cid in pos.claim_ids}
    assert cited == {"fx1:s1", "fx2:s1"}
    witness = next(c for c in result.claims if c.id == "fx2:s1")
    assert witness.origin == "figure_only" and witness.quote == fr_text


def test_dispute_positions_name_articles_by_their_labels(seeds: Seeds,
                                                         built: Assembled) -> None:
    """Where no speaker is named, a position names its article as the Markdown's
    footnotes do (issue 17): the outlet, else "Article n", never a hash-named file."""
    labels = outlet_labels(seeds[0], "en")
    assert labels[source(seeds, "003")] == "BFMTV"
    assert labels[source(seeds, "001")] == "Article 2"
    named = [w for d in built.disputes for pos in d.positions for w in pos.asserted_by]
    assert set(labels.values()) & set(named), "some position is named by its article"
    assert not [w for w in named if w.endswith(".txt")]


def test_a_figure_whose_restatement_changed_its_hedge_stands_as_the_sentence_hedges_it(
) -> None:
    # Test fixtures: "près de 80" (nearly 80) restated as "more than 80": not verified,
    # but its position in the dispute with "some 50" is nearly 80, as the sentence says.
    result = _english_and_french(
        "Some 50 tonnes of solvents were stored in the warehouse, the director said.",
        "Près de 80 tonnes de solvants étaient stockées dans l'entrepôt, selon la "
        "direction.",
        "More than 80 tonnes of solvents were stored in the warehouse, according to the "
        "management.")
    [unverified] = result.unverified
    assert unverified.reason.startswith("changes the hedge of 80")
    [dispute] = result.disputes
    witness = next(c for c in result.claims if c.id == "fx2:s1")
    [figure] = witness.quantities
    assert (figure.hedge, figure.low, figure.high) == ("nearly", 64.0, 80.0)
    assert figure.text == "nearly 80 tonnes"
    assert {p.claim_ids[0] for p in dispute.positions} == {"fx1:s1", "fx2:s1"}


def test_a_day_whose_restatement_left_a_word_untranslated_is_still_a_position() -> None:
    # Test fixtures: "carretera comarcal" restated with a garbled "carrieral" (measured
    # from the embedded model): not verified, but its Tuesday is the sentence's own and
    # stands against Monday.
    result = _english_and_french(
        "The bridge over the river collapsed on Monday night, cutting off the old town.",
        "Le pont sur la rivière s'est effondré mardi soir, isolant la vieille ville.",
        "The carrieral bridge over the river collapsed on Tuesday evening, cutting off the "
        "old town.")
    [unverified] = result.unverified
    assert unverified.reason == (
        "uses 'carrieral', which is not a word of the summary's language")
    assert [p.claim_ids for p in result.points] == [["fx1:s1"]]
    [dispute] = result.disputes
    assert {pos.statement: pos.claim_ids for pos in dispute.positions} == {
        "Monday": ["fx1:s1"], "Tuesday": ["fx2:s1"]}
