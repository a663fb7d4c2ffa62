"""Independence groups: syndicated wire copy counts once, shared one-liners do not."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest
from factsum.ingest.datelines import wire_credit
from factsum.ingest.readers import load_articles
from factsum.models import Article
from factsum.pipeline import independence
from factsum.pipeline.independence import (
    IndependenceRules,
    Overlap,
    explain,
    find_overlaps,
    independence_groups,
    is_syndicated,
)

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def seeds() -> dict[str, Article]:
    articles, errors = load_articles([ROOT / "seeds"])
    assert errors == []
    return {a.source[:3]: a for a in articles}


def art(ident: str, text: str) -> Article:
    return Article(id=ident, text=text, source=f"{ident}.txt")


def measure_overlap(first: Article, second: Article) -> Overlap:
    """The one overlap ``find_overlaps`` reports for a pair that shares copy."""
    [overlap] = find_overlaps([first, second])
    return overlap


def test_afp_copy_in_001_and_003_is_one_source(seeds: dict[str, Article]) -> None:
    groups = independence_groups(list(seeds.values()))
    a, b = seeds["001"].id, seeds["003"].id
    assert groups[a] == groups[b] == min(a, b)
    others = [seeds[k].id for k in ("000", "002", "004")]
    for ident in others:
        assert groups[ident] == ident  # alone in its group
    assert len(set(groups.values())) == 4


def test_seed_measurements_behind_the_thresholds(seeds: dict[str, Article]) -> None:
    wire = measure_overlap(seeds["001"], seeds["003"])
    assert wire.longest_run == 68  # the two Hoffman quotes with their attribution
    assert wire.shared_words == 95  # + "Plusieurs Etats membres de la coalition ..." (16) + 11
    assert is_syndicated(wire)
    common_phrase = measure_overlap(seeds["002"], seeds["003"])
    assert common_phrase.longest_run == common_phrase.shared_words == 17
    assert not is_syndicated(common_phrase)
    # Every other pair shares no passage of 8 words: only these two pairs are reported.
    pairs = {(o.first, o.second) for o in find_overlaps(list(seeds.values()))}
    assert pairs == {
        tuple(sorted((seeds["001"].id, seeds["003"].id))),
        tuple(sorted((seeds["002"].id, seeds["003"].id))),
    }


def test_explain_says_why(seeds: dict[str, Article]) -> None:
    lines = explain(list(seeds.values()))
    assert len(lines) == 2
    same = next(line for line in lines if line.startswith("same source"))
    assert "95 shared words" in same and "longest verbatim run 68 words" in same
    assert '"le 7 janvier l iran a tiré plus d une douzaine de missiles' in same
    assert any(line.startswith("independent") and "17 shared words" in line for line in lines)


STATEMENT = (
    "« Il est clair que ces missiles ont été tirés depuis l'Iran et visaient au moins deux "
    "bases irakiennes hébergeant des militaires américains et membres de la coalition »"
)


def test_two_reports_quoting_the_same_statement_stay_independent() -> None:
    first = art("a1", "Le Pentagone a réagi dans la nuit. " + STATEMENT
                + ", a déclaré Jonathan Hoffman. Les dégâts sont en cours d'évaluation à Erbil.")
    second = art("b2", "Selon le porte-parole du ministère américain de la défense, " + STATEMENT
                 + ". Téhéran promet des représailles encore plus dévastatrices.")
    overlap = measure_overlap(first, second)
    assert overlap.longest_run >= 25  # longer than min_run_words on its own...
    assert overlap.shared_words < 40  # ...but one passage, not copy
    assert independence_groups([first, second]) == {"a1": "a1", "b2": "b2"}


def test_lightly_edited_wire_copy_is_caught_by_the_shared_fraction() -> None:
    base = (
        "Les Gardiens de la révolution ont revendiqué les tirs contre la base d'Aïn al-Assad "
        "dans la nuit de mardi à mercredi et menacé de frapper Israël ainsi que les "
        "gouvernements alliés des Etats-Unis en cas de nouvelle attaque américaine contre "
        "le territoire iranien. Le Pentagone a confirmé que plus d'une douzaine de missiles "
        "balistiques avaient été tirés depuis l'Iran contre deux bases irakiennes abritant des "
        "soldats américains, sans donner de bilan, tandis que le président Donald Trump "
        "promettait une déclaration le lendemain matin"
    )
    # Every ~12 words one word differs: no run of 20, but most of the text is shared.
    words = base.split()
    edited = [w.upper() + "x" if i % 12 == 11 else w for i, w in enumerate(words)]
    overlap = measure_overlap(art("w1", base), art("w2", " ".join(edited)))
    assert overlap.longest_run < 20 and overlap.shared_fraction >= 0.5
    assert independence_groups([art("w1", base), art("w2", " ".join(edited))]) == {
        "w1": "w1", "w2": "w1",
    }


def test_groups_are_transitive_and_named_by_smallest_id(seeds: dict[str, Article]) -> None:
    body = seeds["001"].text
    copies = [art("zz", body), art("mm", body + " Ajout."), art("aa", "Autre texte. " + body)]
    lone = art("bb", seeds["002"].text)
    groups = independence_groups([*copies, lone])
    assert groups == {"zz": "aa", "mm": "aa", "aa": "aa", "bb": "bb"}


def test_thresholds_are_parameters(seeds: dict[str, Article]) -> None:
    loose = IndependenceRules(min_run_words=15, min_shared_words=15)
    groups = independence_groups(list(seeds.values()), loose)
    assert groups[seeds["002"].id] == groups[seeds["003"].id] == groups[seeds["001"].id]


def test_degenerate_inputs() -> None:
    assert independence_groups([]) == {}
    assert independence_groups([art("x", "trop court")]) == {"x": "x"}
    assert find_overlaps([art("x", ""), art("y", "")]) == []


def test_a_lone_article_is_not_normalised(monkeypatch: pytest.MonkeyPatch) -> None:
    # Normalising a 1,000-word text costs milliseconds, and a one-article event has no
    # pair to compare.
    def fail(text: str) -> list[str]:
        raise AssertionError("normalised a lone article")

    monkeypatch.setattr(independence, "_words", fail)
    assert independence_groups([art("x", "Un article seul. " * 200)]) == {"x": "x"}


def _peak_bytes(n: int) -> int:
    """tracemalloc's peak while grouping ``n`` short articles that share one sentence."""
    shared = "the same sentence of eleven words quoted by every single report"
    articles = [art(f"a{i:04d}", " ".join(f"w{i}n{w}" for w in range(12)) + ". " + shared)
                for i in range(n)]
    tracemalloc.start()
    try:
        groups = independence_groups(articles)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(set(groups.values())) == n  # one quoted sentence is not wire copy
    return peak


def test_memory_grows_about_linearly_when_every_pair_shares_a_sentence() -> None:
    # Every pair shares copy (n^2 / 2 pairs); holding all their matches at once made
    # the peak grow with the square of n (2.06 GB for 2,000 short articles).
    assert _peak_bytes(200) < 3 * _peak_bytes(100)  # before: 3.7x; now under 2x


def _art(aid: str, text: str, language: str = "en") -> Article:
    return Article(id=aid, source=f"{aid}.txt", language=language, text=text)


def test_articles_whose_datelines_credit_one_agency_are_one_source() -> None:
    # Test fixtures: a wire story and its German translation credit the same agency.
    wire = _art("a1", "Hospitals hit by ransomware\n\nMADRID, Nov 10 (ETW) - A ransomware "
                "attack has crippled the computer systems of three hospitals.")
    german = _art("b2", "Krankenhäuser lahmgelegt\n\nMADRID, 10. Nov. (ETW) – Ein "
                  "Ransomware-Angriff hat die Computersysteme lahmgelegt.", "de")
    other = _art("c3", "LONDON (Reuters) - Three hospitals in Spain were hit by an attack.")
    plain = _art("d4", "Olaf Scholz (SPD) - the chancellor - spoke about the attack.")
    groups = independence_groups([wire, german, other, plain])
    assert groups == {"a1": "a1", "b2": "a1", "c3": "c3", "d4": "d4"}
    assert wire_credit(wire.text) == "etw" and wire_credit(plain.text) is None
