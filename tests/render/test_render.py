"""Tests of factsum.render.markdown: what a reviewer reads.

The Markdown is checked by parsing it as GitHub would (tests/render/gfm_reader.py)
rather than by comparing whole files: what matters is what a reader's renderer makes of
it. Every Summary here is a HAND-WRITTEN TEST FIXTURE (tests/render/summary_fixtures.py
or built below), not the output of a model or of the pipeline.
"""

from __future__ import annotations

import re

import pytest
from factsum.models import Dispute, Point, Position, RunInfo, Span, Summary, Unverified
from factsum.pipeline.run import prompt_versions
from factsum.render.escape import reader_text
from factsum.render.markdown import render_markdown
from gfm_reader import (
    check_gfm,
    check_summary_markdown,
    footnote_links,
    footnotes,
    gfm,
    headings,
    lines_of,
    sections,
    table_rows,
    text,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it.token import Token
from summary_fixtures import article, build_summary, claim, point, reference_summary


@pytest.fixture
def summary() -> Summary:
    return reference_summary()


def render(summary: Summary) -> tuple[str, list[Token]]:
    markdown = render_markdown(summary)
    return markdown, check_summary_markdown(summary, markdown)


def render_fr(summary: Summary) -> tuple[str, list[Token]]:
    """Render and check what any Markdown must satisfy (the labels are French)."""
    markdown = render_markdown(summary)
    return markdown, check_gfm(markdown)


def refs_per_line(section: list[Token]) -> list[list[str]]:
    """The footnote labels each paragraph or list item of a section cites."""
    return [[c.meta["label"] for c in t.children or [] if c.type == "footnote_ref"]
            for t in section if t.type == "inline"]


def footer(markdown: str) -> str:
    """The reader's text of the footer (the paragraph after the rule)."""
    tokens = gfm().parse(markdown.rsplit("\n---\n", 1)[1])
    return " ".join(text(t) for t in tokens if t.type == "inline")


def replace_article(summary: Summary, article_id: str, **fields: object) -> Summary:
    articles = [a.model_copy(update=fields) if a.id == article_id else a
                for a in summary.articles]
    return summary.model_copy(update={"articles": articles})


# --------------------------------------------------------------------------- layout


def test_layout_top_to_bottom(summary: Summary) -> None:
    markdown, tokens = render(summary)
    assert headings(tokens) == [
        ("h1", "Iran strikes US bases in Iraq"), ("h2", "Key points"), ("h2", "Disputes"),
        ("h2", "Further facts"), ("h2", "Not verified"), ("h2", "Sources")]
    assert markdown.split("\n\n")[1] == (
        "4 articles · 3 independent sources · 2 key points · 2 disputes · "
        "1 statement not verified")
    assert markdown.endswith("\n") and not markdown.endswith("\n\n")


def test_key_points_apart_from_further_facts(summary: Summary) -> None:
    _, tokens = render(summary)
    found = sections(tokens)
    assert lines_of(found["Key points"]) == [
        "At least 12 ballistic missiles hit the base. (2 independent sources)",
        "About 15 missiles were fired, the Pentagon said. (single source)",
    ]
    assert refs_per_line(found["Key points"]) == [["1", "2", "3"], ["4"]]
    assert lines_of(found["Further facts"]) == ["Parliament passed a law. (single source)"]
    assert refs_per_line(found["Further facts"]) == [["7"]]


def test_source_markers_follow_the_point(summary: Summary) -> None:
    three = point(1, "Three sources agree.", ["a1:s1", "a2:s3", "a4:s2"], 3)
    one = point(2, "Syndicated twice, one source.", ["a2:s3", "a3:s3"], 1)
    changed = summary.model_copy(update={"points": [three, one]})
    _, tokens = render(changed)
    assert lines_of(sections(tokens)["Key points"]) == [
        "Three sources agree. (3 independent sources)",
        "Syndicated twice, one source. (single source)",
    ]


def test_disputes_table_over_figures_and_calendar(summary: Summary) -> None:
    markdown, tokens = render(summary)
    assert table_rows(tokens) == [
        ["What", "Position", "Who says it", "Sources"],
        ["Number of missiles", "at least 12 missiles", "Le Journal", "Le Journal"],
        ["", "about 15 missiles", "the Pentagon", "The Courier"],
        ["Day of the week of 3 January (calendar check)", "Thursday 3 January",
         "Le Journal", "Le Journal"],
        ["", "Friday 3 January", "The Courier", "The Courier"],
    ]
    # Each side cites its own sentences; a side with no named speaker shows the outlet.
    assert "| Number of missiles | at least 12 missiles | Le Journal | Le Journal[^1] |" \
        in markdown
    assert "|  | Friday 3 January | The Courier | The Courier[^6] |" in markdown


def test_no_disputes_is_said_in_words(summary: Summary) -> None:
    _, tokens = render(summary.model_copy(update={"disputes": []}))
    assert table_rows(tokens) == []
    assert lines_of(sections(tokens)["Disputes"]) == [
        "The sources do not contradict each other on any figure or date found."]


def test_unverified_listed_apart_with_reason_and_sentence(summary: Summary) -> None:
    _, tokens = render(summary)
    found = sections(tokens)
    assert lines_of(found["Not verified"]) == [
        "These restatements failed a check against their sentence and are never stated "
        "as fact. One whose only faults are a dropped speaker, a changed hedge, an "
        "untranslated word or a name no article gives may still give a figure or a day "
        "in a dispute, where its sentence says who gives it and how exactly:",
        "80 people were killed. (gives 80, which the sentence does not state)",
    ]
    assert refs_per_line(found["Not verified"]) == [[], ["8"]]
    # Its footnote gives the sentence it failed against, as for any citation.
    assert footnotes(tokens)["8"].rstrip() == "Wire Daily: “Les Iraniens annoncent des morts.”"
    shown_as_fact = lines_of(found["Key points"]) + lines_of(found["Further facts"])
    assert not any("80 people" in line for line in shown_as_fact)


def test_sources_group_syndicated_copies(summary: Summary) -> None:
    _, tokens = render(summary)
    listed = sections(tokens)["Sources"]
    assert lines_of(listed) == [
        "Le Journal: “Frappes iraniennes en Irak” (fr, 001_article.txt, published "
        "2020-01-08) https://example.org/1",
        "Copies of one text (count once):",
        "Wire Daily: “L'Iran tire des missiles” (fr, 002_article.txt) https://example.org/2",
        "Article 1 (fr, 003_bb9dec6c1607f279.txt)",
        "The Courier: “Iran fires missiles” (en, 004_article.txt) https://example.org/4",
    ]
    levels = [t.level for t in listed if t.type == "inline"]
    assert levels[2] == levels[3] > levels[1] == levels[0] == levels[4]  # copies nested


def test_outlet_label_or_source_label(summary: Summary) -> None:
    """An article with an outlet is named by it; one without, by a short label, never by
    its hash-suffixed file name (issue 17), which the Sources list alone shows."""
    markdown, tokens = render(summary)
    notes = footnotes(tokens)
    assert notes["2"].startswith("Wire Daily: ")
    assert notes["3"] == "Article 1: “Une douzaine de missiles ont touché les bases " \
        "d'Ain al-Asad et d'Erbil.”"
    assert markdown.count("003\\_bb9dec6c1607f279.txt") == 1  # in the Sources list
    two_outlets = replace_article(summary, "a2", outlets=["Wire Daily", " ", "Le Soir"])
    _, tokens = render(two_outlets)
    assert footnotes(tokens)["2"].startswith("Wire Daily, Le Soir: ")


def test_footnotes_give_outlet_quote_and_link(summary: Summary) -> None:
    _, tokens = render(summary)
    assert {label: note.rstrip() for label, note in footnotes(tokens).items()} == {
        "1": "Le Journal: “Pas moins de 12 missiles balistiques se sont abattus sur la base.”",
        "2": "Wire Daily: “Une douzaine de missiles ont touché les bases d'Ain al-Asad et "
             "d'Erbil.”",
        "3": "Article 1: “Une douzaine de missiles ont touché les bases d'Ain al-Asad "
             "et d'Erbil.”",
        "4": "The Courier: “About 15 missiles were fired, the Pentagon said.”",
        "5": "Le Journal: “Le général a été tué jeudi 3 janvier.”",
        "6": "The Courier: “The strikes came on Wednesday 8 January.”",
        "7": "Le Journal: “Le Parlement a voté une loi.”",
        "8": "Wire Daily: “Les Iraniens annoncent des morts.”",
    }
    assert footnote_links(tokens) == {
        "1": ["https://example.org/1"], "2": ["https://example.org/2"], "3": [],
        "4": ["https://example.org/4"], "5": ["https://example.org/1"],
        "6": ["https://example.org/4"], "7": ["https://example.org/1"],
        "8": ["https://example.org/2"],
    }


def test_no_jargon_for_the_reader(summary: Summary) -> None:
    """Offsets, scores, claim ids and code provenance stay in the JSON (issue 17)."""
    markdown, _ = render(summary)
    lowered = markdown.lower()
    for jargon in ("chars", "fuzzy", "match", "figure read in code", "date_reader",
                   "asserted by", "score", "span", "origin"):
        assert jargon not in lowered, jargon
    assert "–" not in markdown  # as in "chars 726–822"
    for cited in [*summary.claims, *summary.unverified]:
        assert cited.id not in markdown
    assert not re.search(r"\ba\d\b", markdown)  # article ids (a1...) are for the JSON


def test_footer_names_each_prompt_once(summary: Summary) -> None:
    versions = prompt_versions()  # the pipeline's own, e.g. {"extract": "extract@v5:…"}
    run = summary.run.model_copy(update={"prompt_versions": versions})
    shown = footer(render_markdown(summary.model_copy(update={"run": run})))
    assert shown.startswith("factsum 0.2.0 · model qwen2.5-coder-1.5b-instruct · prompts ")
    for name, version in versions.items():
        assert version in shown
        assert f"{name} {name}" not in shown and shown.count(name) == 1
    assert "2020-01-09" in shown
    assert "7 statements verified, 1 not verified" in shown


def test_footer_counts_agree_in_number(summary: Summary) -> None:
    one = summary.model_copy(update={"stats": summary.stats.model_copy(
        update={"claims_verified": 1})})
    assert "1 statement verified" in footer(render_markdown(one))


# --------------------------------------------------------------------------- language


def test_labels_in_french() -> None:
    summary = reference_summary("fr")
    _, tokens = render_fr(summary)
    assert headings(tokens) == [
        ("h1", "L'Iran frappe des bases américaines en Irak"), ("h2", "Points clés"),
        ("h2", "Désaccords"), ("h2", "Autres faits"), ("h2", "Non vérifié"),
        ("h2", "Sources")]
    found = sections(tokens)
    assert lines_of(found["Points clés"])[1] == (
        "Environ 15 missiles ont été tirés, selon le Pentagone. (source unique)")
    assert table_rows(tokens)[0] == ["Quoi", "Position", "Qui le dit", "Sources"]
    assert table_rows(tokens)[3][0] == (
        "Jour de la semaine du 3 janvier (vérification du calendrier)")
    assert lines_of(found["Non vérifié"])[0].startswith("Ces reformulations n'ont pas passé")
    assert lines_of(found["Sources"])[:4] == [
        "Le Journal: “Frappes iraniennes en Irak” (fr, 001_article.txt, publié 2020-01-08) "
        "https://example.org/1",
        "Copies d'un même texte (comptent une fois):",
        "Wire Daily: “L'Iran tire des missiles” (fr, 002_article.txt) https://example.org/2",
        "Article 1 (fr, 003_bb9dec6c1607f279.txt)",
    ]
    empty = summary.model_copy(update={"points": [], "disputes": []})
    found = sections(render_fr(empty)[1])
    assert lines_of(found["Points clés"]) == ["Aucun énoncé n'a passé les vérifications."]
    assert lines_of(found["Désaccords"])[0].startswith("Les sources ne se contredisent")


def test_french_counts_agree_in_number() -> None:
    markdown, tokens = render_fr(reference_summary("fr"))
    overview = markdown.split("\n\n")[1]
    assert "3 sources indépendantes" in overview and "2 points clés" in overview
    assert "(2 sources indépendantes)" in lines_of(sections(tokens)["Points clés"])[0]
    more = reference_summary("fr")
    more = more.model_copy(update={"stats": more.stats.model_copy(
        update={"claims_unverified": 2})})
    assert "2 énoncés non vérifiés" in render_markdown(more)


def test_footer_in_the_summary_language() -> None:
    shown = footer(render_markdown(reference_summary("fr")))
    for english in ("sentences read", "statements verified", "not verified", "dropped"):
        assert english not in shown


def test_unknown_language_gets_english_labels(summary: Summary) -> None:
    _, tokens = render(summary.model_copy(update={"language": "de"}))
    assert [h for _, h in headings(tokens)][1:3] == ["Key points", "Disputes"]


# --------------------------------------------------------------------------- escaping


def test_who_says_it_from_the_outlet_is_escaped_once(summary: Summary) -> None:
    changed = replace_article(summary, "a1", outlets=["Le Monde (AFP) | Paris"])
    _, tokens = render(changed)
    assert table_rows(tokens)[3][2] == "Le Monde (AFP) | Paris"
    no_outlet = replace_article(summary, "a4", outlets=[])
    assert table_rows(render(no_outlet)[1])[4][2] == "example.org"  # the URL's host
    no_url = replace_article(no_outlet, "a4", url=None)
    assert table_rows(render(no_url)[1])[4][2] == "004_article"  # the file, shortened


def test_markup_in_every_field_is_plain_text(summary: Summary) -> None:
    hostile = "<b>x</b> [l](javascript:a) | *y* www.z.example #"
    changed = summary.model_copy(update={
        "headline": hostile,
        "points": [p.model_copy(update={"statement": hostile}) for p in summary.points],
        "disputes": [d.model_copy(update={"topic": hostile, "positions": [
            pos.model_copy(update={"statement": hostile, "asserted_by": [hostile]})
            for pos in d.positions]}) for d in summary.disputes],
        "unverified": [u.model_copy(update={"reason": hostile}) for u in summary.unverified],
    })
    changed = replace_article(changed, "a2", title=hostile, published=hostile,
                              outlets=[hostile], source=hostile)
    _, tokens = render(changed)
    assert headings(tokens)[0] == ("h1", hostile)
    assert table_rows(tokens)[1] == [hostile, hostile, hostile, "Le Journal"]


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize("where", ["key point", "further fact", "dispute"])
def test_unknown_claim_id_is_an_error(summary: Summary, where: str) -> None:
    if where == "dispute":
        broken = Dispute(id="d9", topic="t", origin="figures", positions=[
            Position(statement="a", claim_ids=["a1:s1"], asserted_by=[]),
            Position(statement="b", claim_ids=["a9:s99"], asserted_by=[])])
        changed = summary.model_copy(update={"disputes": [broken]})
    else:
        stray = point(9, "s", ["a9:s99"], 1, key=where == "key point")
        changed = summary.model_copy(update={"points": [*summary.points, stray]})
    with pytest.raises(ValueError, match="unknown claim id 'a9:s99'"):
        render_markdown(changed)


def test_unverified_id_cannot_be_cited_as_a_point(summary: Summary) -> None:
    stray = point(9, "s", ["a2:s5"], 1)  # the unverified statement's id
    with pytest.raises(ValueError, match="unknown claim id 'a2:s5'"):
        render_markdown(summary.model_copy(update={"points": [stray, *summary.points]}))


def test_unknown_article_id_is_an_error(summary: Summary) -> None:
    orphan = summary.claims[0].model_copy(update={"article_id": "gone"})
    with pytest.raises(ValueError, match="unknown article id 'gone'"):
        render_markdown(summary.model_copy(update={"claims": [orphan, *summary.claims[1:]]}))
    lost = summary.unverified[0].model_copy(update={"article_id": "gone"})
    with pytest.raises(ValueError, match="unknown article id 'gone'"):
        render_markdown(summary.model_copy(update={"unverified": [lost]}))


# --------------------------------------------------------------------------- output


def test_deterministic_and_json_round_trip(summary: Summary) -> None:
    first = render_markdown(summary)
    assert render_markdown(summary) == first
    assert render_markdown(Summary.model_validate_json(summary.to_json())) == first


def test_empty_summary(summary: Summary) -> None:
    empty = build_summary(headline="  \n", language="en", articles=[], claims=[], points=[],
                          disputes=[], unverified=[], run=summary.run)
    markdown, tokens = render(empty)
    assert [h for _, h in headings(tokens)] == ["Untitled event", "Key points", "Disputes",
                                                "Sources"]
    assert "[^" not in markdown


def test_point_citing_one_sentence_twice_gets_one_footnote(summary: Summary) -> None:
    twice = point(1, "Twice.", ["a1:s1", "a1:s1"], 1)
    _, tokens = render(summary.model_copy(update={"points": [twice], "disputes": []}))
    assert refs_per_line(sections(tokens)["Key points"]) == [["1"]]


# --------------------------------------------------------------------------- property

# Text that is mostly Markdown syntax finds escaping bugs far sooner than st.text() alone.
_SYNTAX = st.lists(st.sampled_from(
    [*"<>[]()!#*_`~|\\&-+.:/@^$= \n\r\t09wa\x00", "www.", "http://", "[^1]", "1. ", "- "]
)).map("".join)
_TEXT = st.one_of(st.text(), _SYNTAX)
# A speaker with no visible name would leave a dangling comma: the pipeline names one.
_SPEAKER = _TEXT.filter(lambda s: reader_text(s) != "")
_URL = st.one_of(st.none(), _TEXT, st.builds(lambda s: "https://example.org/" + s, _TEXT),
                 st.sampled_from(["javascript:alert(1)", "http://x/<>", "data:,x"]))


@st.composite
def summaries(draw: st.DrawFn) -> Summary:
    """HAND-BUILT TEST FIXTURES: well-formed Summaries (ids consistent), texts arbitrary."""
    n_articles = draw(st.integers(1, 3))
    articles = [
        article(i, outlets=draw(st.lists(_TEXT, max_size=2)),
                title=draw(st.one_of(st.none(), _TEXT)), url=draw(_URL),
                published=draw(st.one_of(st.none(), _TEXT)), language=draw(_TEXT),
                source=draw(_TEXT), independence_group=draw(st.sampled_from(["g1", "g2"])))
        for i in range(n_articles)
    ]
    claims = [claim(f"a{draw(st.integers(0, n_articles - 1))}", n, draw(_TEXT), draw(_TEXT))
              for n in range(1, draw(st.integers(2, 5)))]
    ids = st.lists(st.sampled_from([c.id for c in claims]), min_size=1, max_size=3)
    points = [Point(id=f"p{i}", statement=draw(_TEXT), claim_ids=draw(ids),
                    independent_sources=draw(st.integers(1, 3)),
                    single_source=draw(st.booleans()), key=draw(st.booleans()))
              for i in range(draw(st.integers(0, 3)))]
    disputes = [
        Dispute(id=f"d{i}", topic=draw(_TEXT), origin=draw(st.sampled_from(
            ["figures", "calendar"])), positions=[
                Position(statement=draw(_TEXT), claim_ids=draw(ids),
                         asserted_by=draw(st.lists(_SPEAKER, max_size=2)))
                for _ in range(draw(st.integers(2, 3)))])
        for i in range(draw(st.integers(0, 2)))
    ]
    unverified = [Unverified(id=f"a0:s{100 + i}", article_id="a0", statement=draw(_TEXT),
                             quote=draw(_TEXT), span=Span(start=0, end=1),
                             reason=draw(_TEXT))
                  for i in range(draw(st.integers(0, 2)))]
    return build_summary(
        headline=draw(_TEXT), language="en", articles=articles, claims=claims,
        points=points, disputes=disputes, unverified=unverified, run=RunInfo(
            model=draw(_TEXT), prompt_versions=draw(st.dictionaries(_TEXT, _TEXT)),
            created=draw(_TEXT), factsum_version=draw(_TEXT)))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(summaries())
def test_any_text_renders_safely(summary: Summary) -> None:
    markdown, _ = render(summary)
    assert render_markdown(summary) == markdown
