"""Disputes found in code from structured quantities (no model involved)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from factsum.pipeline.disputes import conflicts, describe, find_quantity_disputes, normalize_unit
from factsum.models import Claim, Qualifier, Quantity, Span


def q(value: float, qualifier: str = "exact", unit: str = "missiles",
      high: float | None = None) -> Quantity:
    return Quantity(value=value, high=high, unit=unit, qualifier=Qualifier(qualifier))


def claim(cid: str, article: str, statement: str, *quantities: Quantity,
          by: str = "the article") -> Claim:
    return Claim(id=cid, article_id=article, statement=statement, quote="x",
                 span=Span(start=0, end=1), match_score=100, asserted_by=by,
                 quantities=list(quantities))


def test_units_are_normalised_across_synonyms_and_plurals() -> None:
    assert normalize_unit("Ballistic Missiles") == "missile"
    assert normalize_unit("victims") == "death"
    assert normalize_unit("casualties") == "death"
    assert normalize_unit("bases") == "base"


def test_hedged_values_conflict_only_when_no_value_fits_both() -> None:
    assert not conflicts(q(10, "about"), q(12))            # une dizaine vs 12
    assert not conflicts(q(12, "more_than"), q(22))        # more than a dozen vs 22
    assert conflicts(q(12), q(22))
    assert conflicts(q(0, unit="deaths"), q(80, "at_least", unit="deaths"))
    assert conflicts(q(24, "at_least"), q(10, "about"))   # dozens vs about ten
    assert not conflicts(q(10, high=15), q(12))


def test_describe_reads_like_the_source() -> None:
    assert describe(q(12, "more_than")) == "more than 12 missiles"
    assert describe(q(10, "about")) == "about 10 missiles"
    assert describe(q(10, high=15, unit="deaths")) == "10-15 deaths"


def test_missile_counts_from_different_outlets_become_one_dispute() -> None:
    claims = [
        claim("a:c1", "a", "Iran fired about ten ballistic missiles at two bases",
              q(10, "about")),
        claim("b:c1", "b", "Iran fired 22 missiles at two bases in Iraq", q(22),
              by="Iraqi army"),
        claim("c:c1", "c", "Iran fired more than a dozen ballistic missiles at bases",
              q(12, "more_than"), by="Pentagon"),
    ]
    disputes = find_quantity_disputes(claims)
    assert len(disputes) == 1
    d = disputes[0]
    assert d.topic == "Number of missiles"
    assert [p.statement for p in d.positions] == [
        "about 10 missiles", "more than 12 missiles", "22 missiles"]
    assert d.positions[2].asserted_by == ["Iraqi army"]


def test_same_unit_about_different_facts_is_not_a_dispute() -> None:
    claims = [
        claim("a:c1", "a", "There are 35 American bases in the region", q(35, unit="bases")),
        claim("b:c1", "b", "Missiles hit two Iraqi bases hosting US troops",
              q(2, unit="bases")),
    ]
    assert find_quantity_disputes(claims) == []


def test_one_article_disagreeing_with_itself_is_not_a_cross_source_dispute() -> None:
    claims = [
        claim("a:c1", "a", "Iran fired 12 missiles at the base", q(12)),
        claim("a:c2", "a", "Iran fired 22 missiles at the base", q(22)),
    ]
    assert find_quantity_disputes(claims) == []


def test_death_tolls_in_one_event_are_one_question_however_worded() -> None:
    claims = [
        claim("a:c1", "a", "There were no American victims", q(0, unit="victims")),
        claim("b:c1", "b", "Iranians announce at least 80 dead",
              q(80, "at_least", unit="deaths"), by="Iran"),
    ]
    disputes = find_quantity_disputes(claims)
    assert [d.topic for d in disputes] == ["Number of deaths"]
    assert [p.statement for p in disputes[0].positions] == ["0 victims", "at least 80 deaths"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 40), st.sampled_from(list(Qualifier))),
                min_size=2, max_size=6))
def test_a_dispute_is_found_exactly_when_two_figures_cannot_both_be_true(
        figures: list[tuple[int, Qualifier]]) -> None:
    """The one-pass interval test agrees with checking every pair."""
    claims = [claim(f"a{n}:c1", f"a{n}", "Iran fired missiles at the bases",
                    q(value, qualifier.value, unit="deaths"))
              for n, (value, qualifier) in enumerate(figures)]
    pairwise = any(conflicts(a.quantities[0], b.quantities[0])
                   for n, a in enumerate(claims) for b in claims[n + 1:])
    assert bool(find_quantity_disputes(claims)) == pairwise
