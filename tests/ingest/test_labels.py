"""How a reader knows each article: short labels, never two alike (issue 17).

The articles here are hand-written records, not pipeline output.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from factsum.ingest.labels import MAX_LABEL_CHARS, readable_name, source_labels
from factsum.ingest.readers import load_articles
from factsum.render.escape import escape_inline, escape_table_cell
from hypothesis import given
from hypothesis import strategies as st


@dataclass
class Ref:
    source: str
    outlets: list[str] = field(default_factory=list)
    url: str | None = None


def test_the_outlet_names_the_article() -> None:
    assert source_labels([Ref("003_5637e12483d4f1c0.txt", ["BFMTV"]),
                          Ref("x.txt", ["Le Monde", "AFP", "Le Monde"])]) == [
        "BFMTV", "Le Monde, AFP"]


def test_a_hash_named_file_becomes_article_n() -> None:
    """The seeds' case: ``001_bb9dec6c1607f279.txt`` is not a name a reader can use."""
    refs = [Ref("000_603e98e3601750d1.txt"), Ref("001_bb9dec6c1607f279.txt"),
            Ref("003_5637e12483d4f1c0.txt", ["BFMTV"]), Ref("item-4")]
    assert source_labels(refs) == ["Article 1", "Article 2", "BFMTV", "Article 3"]
    assert source_labels(refs, "de")[0] == "Artikel 1"
    assert source_labels(refs, "pt-BR")[0] == "Artigo 1"
    assert source_labels(refs, "xx")[0] == "Article 1"


def test_a_readable_file_name_is_kept_without_extension_or_hash() -> None:
    assert readable_name("01_wire_en.txt") == "01_wire_en"
    assert readable_name("report_bb9dec6c1607f279.html") == "report"
    assert readable_name("afp-3f2a9c1e-77b0-4c1e-9d7a-0a1b2c3d4e5f.md") == "afp"
    assert readable_name("Le Monde 1578456000123.txt") == "Le Monde"
    assert readable_name("events.jsonl:3") == "events:3"
    assert readable_name("a.txt, b.txt") == "a, b"  # a merged copy names both files
    for nameless in ("001_bb9dec6c1607f279.txt", "item-2", "20200108.txt", "42"):
        assert readable_name(nameless) is None


def test_the_url_host_names_an_article_without_outlet() -> None:
    assert source_labels([Ref("item-1", url="https://www.bfmtv.com/a/b")]) == ["bfmtv.com"]
    assert source_labels([Ref("item-1", url="javascript:alert(1)")]) == ["Article 1"]


def test_labels_that_coincide_are_numbered() -> None:
    refs = [Ref("a.txt", ["AFP"]), Ref("b.txt", ["Reuters"]), Ref("c.txt", ["afp"]),
            Ref("d.txt", ["AFP (1)"])]
    assert source_labels(refs) == ["AFP (2)", "Reuters", "afp (3)", "AFP (1)"]
    # A file named like a generated label does not take it from another article.
    assert source_labels([Ref("001_bb9dec6c1607f279.txt"), Ref("Article 1.txt")]) == [
        "Article 1 (1)", "Article 1 (2)"]


def test_a_label_is_one_short_line() -> None:
    [label] = source_labels([Ref("x.txt", ["Le\nMonde\x1b[2J  " + "x" * 200])])
    assert "\n" not in label and "\x1b" not in label and len(label) == MAX_LABEL_CHARS
    assert label.startswith("Le Monde\ufffd[2J x") and label.endswith("…")


_TEXT = st.text(st.characters(codec="utf-8"), max_size=12)


@given(st.lists(st.builds(Ref, _TEXT, st.lists(_TEXT, max_size=2)), max_size=8))
def test_two_articles_never_read_alike(refs: list[Ref]) -> None:
    """Distinct after the Markdown escaping too: a footnote names one article only."""
    labels = source_labels(refs)
    assert len(labels) == len(refs) and all(labels)
    for shown in (labels, [escape_inline(x) for x in labels],
                  [escape_table_cell(x).casefold() for x in labels]):
        assert len(set(shown)) == len(shown), labels


def test_loaded_seeds_are_labelled_for_a_reader() -> None:
    articles, _ = load_articles([Path(__file__).resolve().parents[2] / "seeds"])
    assert source_labels(articles, "en") == [
        "Article 1", "Article 2", "Article 3", "BFMTV", "Article 4"]
