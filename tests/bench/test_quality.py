"""bench.quality: the evaluation set's gold files, and the scorer on hand-built summaries.

Every Summary here is a hand-built test fixture (no model produced it): a few points and
disputes citing the evaluation set's article files, shaped to exercise one rule each.
"""

from __future__ import annotations

import json
import sys
import types
import typing
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from annotated_types import Ge
from pydantic import BaseModel

# bench/ is a top-level folder run with ``python -m bench.quality``, not an installed package.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from factsum.errors import InputError, LLMError
from factsum.models import ArticleRef, Claim, Dispute, Point, Position, Summary

from bench.quality import (
    Gold,
    LanguageGuesser,
    event_dirs,
    fact_matches,
    load_gold,
    main,
    normalise,
    numbers_in,
    py3langid_guesser,
    score_event,
    seeds_report,
    states_value,
    times_in,
)

EVAL = Path(__file__).resolve().parents[2] / "tests" / "data" / "eval"
FIRE = "chemical_fire"
F01, F02, F03, F04 = ("01_agence_rhenane_fr.txt", "02_lest_quotidien_fr.txt",
                      "03_continental_press_en.txt", "04_saarbruecker_abendblatt_de.txt")


# ------------------------------------------------------------------ fixture builders


def _filled(model: type[BaseModel], given: dict[str, Any]) -> dict[str, Any]:
    """``given`` plus a blank value for every other required field of ``model``, so the
    fixtures keep validating while the output models gain fields the scorer ignores."""
    out = dict(given)
    for name, field in model.model_fields.items():
        if name not in out and field.is_required():
            out[name] = _blank(field.annotation, field.metadata)
    return out


def _blank(annotation: Any, metadata: Sequence[Any]) -> Any:
    origin = typing.get_origin(annotation)
    if origin is typing.Literal:
        return typing.get_args(annotation)[0]
    if origin in (typing.Union, types.UnionType):
        args = typing.get_args(annotation)
        return None if type(None) in args else _blank(args[0], metadata)
    if origin in (list, dict):
        return origin()
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return _filled(annotation, {})
    low: Any = next((m.ge for m in metadata if isinstance(m, Ge)), 0)
    return {int: low, float: float(low), str: "", bool: False}[annotation]


def _summary(*, points: Sequence[tuple[str, Sequence[str]]] = (),
             disputes: Sequence[Sequence[tuple[str, Sequence[str]]]] = (),
             groups: dict[str, str] | None = None, headline: str = "Fixture summary",
             point_type: type[Point] = Point, extra: Sequence[dict[str, Any]] = (),
             files: Sequence[str] = (F01, F02, F03, F04)) -> Summary:
    """A fixture Summary over ``files``: one claim per cited file and statement.

    ``points`` are (statement, cited files); ``disputes`` lists of (position statement,
    cited files); ``groups`` maps a file to its independence group (default: its own).
    """
    groups = groups or {}
    articles = [ArticleRef.model_validate(_filled(ArticleRef, {
        "id": f"a{i}", "outlets": [], "language": "fr", "source": f,
        "independence_group": groups.get(f, f"g{i}"), "chars": 100}))
        for i, f in enumerate(files)]
    by_file = {a.source: a.id for a in articles}
    claims: list[Claim] = []

    def cite(statement: str, cited: Sequence[str]) -> list[str]:
        ids = []
        for f in cited:
            claim_id = f"{by_file[f]}:s{len(claims) + 1}"
            claims.append(Claim.model_validate(_filled(Claim, {
                "id": claim_id, "article_id": by_file[f], "sentence": 1,
                "statement": statement, "quote": statement, "quantities": []})))
            ids.append(claim_id)
        return ids

    built = [point_type.model_validate(_filled(point_type, {
        "id": f"p{n}", "statement": s, "claim_ids": cite(s, cited),
        "independent_sources": max(1, len({groups.get(f, f) for f in cited})),
        "single_source": len(cited) < 2, "key": True, **(extra[n] if n < len(extra) else {})}))
        for n, (s, cited) in enumerate(points)]
    built_disputes = [Dispute.model_validate(_filled(Dispute, {
        "id": f"d{n}", "topic": f"fixture dispute {n}",
        "positions": [Position.model_validate(_filled(Position, {
            "statement": s, "claim_ids": cite(s, cited), "asserted_by": []}))
            for s, cited in positions]}))
        for n, positions in enumerate(disputes)]
    return Summary.model_validate(_filled(Summary, {
        "headline": headline, "language": "en", "articles": articles, "claims": claims,
        "points": built, "disputes": built_disputes}))


def _english(_text: str, _languages: Sequence[str]) -> str:
    return "en"


@pytest.fixture(scope="module")
def fire() -> Gold:
    return load_gold(EVAL / FIRE)


@pytest.fixture(scope="module")
def langid() -> LanguageGuesser:
    return py3langid_guesser()


# ------------------------------------------------------------------ the evaluation set


def _golds() -> list[tuple[Path, Gold]]:
    return [(d, load_gold(d)) for d in event_dirs(EVAL)]


@pytest.mark.parametrize("event_dir", event_dirs(EVAL), ids=lambda d: d.name)
def test_each_event_meets_the_set_requirements(event_dir: Path, langid: LanguageGuesser) -> None:
    gold = load_gold(event_dir)  # validates, and checks that every named file exists
    assert gold.event == event_dir.name
    assert sorted(gold.articles) == sorted(p.name for p in event_dir.glob("*.txt"))
    assert 3 <= len(gold.articles) <= 6
    assert len(gold.languages) >= 2
    assert len(gold.syndication) >= 1
    assert 2 <= len(gold.disputes) <= 4
    assert 6 <= len(gold.facts) <= 12
    assert gold.non_disputes
    group_of = {f: i for i, g in enumerate(gold.syndication) for f in g}
    multi = [f for f in gold.facts if len({group_of.get(a, a) for a in f.articles}) >= 2]
    assert 2 * len(multi) > len(gold.facts), "most facts must come from 2+ independent outlets"
    for name, meta in gold.articles.items():
        text = (event_dir / name).read_text(encoding="utf-8")
        assert text.splitlines()[0] == meta.outlet, name
        assert 80 <= len(text.split()) <= 250, name
        assert langid(text, ["de", "en", "es", "fr", "it", "pt"]) == meta.lang, name
        assert name.endswith(f"_{meta.lang}.txt"), name


@pytest.mark.parametrize("event_dir", event_dirs(EVAL), ids=lambda d: d.name)
def test_decoys_and_planted_positions_never_share_a_value_in_one_article(
        event_dir: Path) -> None:
    # Otherwise one position statement could be both a found position and a decoy.
    gold = load_gold(event_dir)
    planted = {(f, float(p.value) if not isinstance(p.value, str) else p.value)
               for d in gold.disputes for p in d.positions for f in p.articles}
    decoys = {(f, float(v) if not isinstance(v, str) else v)
              for n in gold.non_disputes for v in n.values for f in n.articles}
    assert not planted & decoys


def test_the_set_covers_the_required_kinds() -> None:
    golds = _golds()
    assert len(golds) >= 7
    assert any("en" not in g.languages for _, g in golds), "one event without English"
    translated = [g.event for _, g in golds
                  if any(len({g.articles[f].lang for f in group}) > 1 for group in g.syndication)]
    assert len(translated) >= 2, "syndicated translations in two events"
    assert len([g for _, g in golds if g.canaries]) >= 2, "injected instructions in two events"
    assert len({g.kind.split(":")[0] for _, g in golds}) == len(golds)


def test_a_gold_file_naming_an_unknown_article_is_one_clear_error(tmp_path: Path) -> None:
    gold = json.loads((EVAL / FIRE / "gold.json").read_text(encoding="utf-8"))
    gold["facts"][0]["articles"].append("99_nowhere_en.txt")
    (tmp_path / "gold.json").write_text(json.dumps(gold), encoding="utf-8")
    with pytest.raises(InputError, match=r"gold\.json: .*99_nowhere_en\.txt"):
        load_gold(tmp_path)


def test_a_gold_file_whose_article_file_is_missing_is_one_clear_error(tmp_path: Path) -> None:
    (tmp_path / "gold.json").write_bytes((EVAL / FIRE / "gold.json").read_bytes())
    with pytest.raises(InputError, match="article files missing"):
        load_gold(tmp_path)


# ------------------------------------------------------------------ readers


def test_numbers_and_times_are_read_as_written_in_english_statements() -> None:
    assert {1500.0, 4.0} <= numbers_in(normalise("more than 1,500 residents, four workers"))
    assert 1200.0 in numbers_in(normalise("environ 1 200 habitants"))
    assert 3.4 in numbers_in(normalise("shares rose 3,4%"))
    assert 412.0 in numbers_in(normalise("a profit of €412m"))
    assert times_in(normalise("at about 4:30 a.m.")) == {270}
    assert times_in(normalise("at 5.30 p.m. on Tuesday")) == {1050}
    assert times_in(normalise("shortly after midnight")) == {0}
    assert times_in(normalise("12 missiles")) == set()


def test_phrases_match_at_word_starts_and_numbers_whole() -> None:
    text = normalise("Four workers were injured at 4:30; 14 were evacuated.")
    assert states_value(text, "four") and states_value(text, "injur")
    assert not states_value(text, "jured")
    assert not states_value(text, 1.0)  # no '1' inside '14'
    assert states_value(normalise("Turnout was 61.2%"), 61.2)
    assert not states_value(normalise("Turnout was 61.2%"), 1.2)


# ------------------------------------------------------------------ facts


def test_a_fact_is_found_when_every_keyword_group_matches(fire: Gold) -> None:
    summary = _summary(points=[("Four workers suffered minor injuries.", [F03])])
    score = score_event(fire, summary, _english)
    assert "f2" in score.facts_found
    assert "f4" not in score.facts_found  # nothing about 110 firefighters: missed


def test_a_fact_with_half_its_groups_needs_two_of_its_articles(fire: Gold) -> None:
    fact = next(f for f in fire.facts if f.id == "f4")  # [["110"], ["firefighter", ...]]
    statement = "110 were mobilised at the plant."
    assert not fact_matches(fact, statement, {F01})
    assert fact_matches(fact, statement, {F01, F03})


def test_fact_recall_counts_key_points_and_reports_all_points_apart(fire: Gold) -> None:
    summary = _summary(points=[("The schools are closed on Thursday and Friday.", [F01])],
                       extra=[{"key": False}])
    score = score_event(fire, summary, _english)
    if not score.key_field:
        pytest.skip("the Summary model marks no key points")
    assert score.facts_found == []
    assert score.facts_found_any_point == ["f7"]


def test_points_from_two_copies_of_one_wire_count_as_one_source(fire: Gold) -> None:
    summary = _summary(points=[("Four workers were slightly injured.", [F01, F02]),
                               ("Four workers were slightly injured.", [F01, F03])])
    score = score_event(fire, summary, _english)
    assert score.points_multi_source == 1
    assert score.points_multi_source_claimed == 2  # what the fixture summary claims


# ------------------------------------------------------------------ disputes


def test_a_dispute_is_found_when_two_positions_take_two_gold_values(fire: Gold) -> None:
    summary = _summary(disputes=[[("about 1,200 residents", [F01, F04]),
                                  ("more than 1,500 residents", [F03])]])
    score = score_event(fire, summary, _english)
    assert [(d.gold, d.values) for d in score.disputes_found] == [("d1", [1200.0, 1500.0])]
    assert score.false_positions == []


def test_same_articles_but_other_values_is_not_the_gold_dispute(fire: Gold) -> None:
    summary = _summary(disputes=[[("4 workers injured", [F01]),
                                  ("5 workers injured", [F03])]])
    score = score_event(fire, summary, _english)
    assert score.disputes_found == []
    # By articles alone (the lenient figure) 01 and 03 take sides in d1 and d3; in d2
    # they share a side, so d2 is not separated even then.
    assert score.disputes_found_by_articles == ["d1", "d3"]
    assert {p.reason for p in score.false_positions} == {"takes no planted position"}


def test_times_of_day_are_compared_as_times(fire: Gold) -> None:
    summary = _summary(disputes=[[("at 4.30 a.m.", [F01]), ("at 5:45", [F04])]])
    assert [d.gold for d in score_event(fire, summary, _english).disputes_found] == ["d2"]


def test_another_incidents_figure_is_a_false_position(fire: Gold) -> None:
    summary = _summary(disputes=[[("four people injured", [F03]),
                                  ("12 people injured", [F04])]])
    score = score_event(fire, summary, _english)
    assert score.disputes_found == []
    reasons = sorted(p.reason for p in score.false_positions)
    assert reasons == ["decoy figure: n1", "takes no planted position"]


def test_one_figure_in_several_positions_is_counted_as_split(fire: Gold) -> None:
    summary = _summary(disputes=[[("about 1,200 residents", [F01]),
                                  ("1200 residents", [F04]),
                                  ("more than 1,500 residents", [F03])]])
    score = score_event(fire, summary, _english)
    assert [d.gold for d in score.disputes_found] == ["d1"]
    assert score.split_positions == 1
    assert score.false_positions == []


# ------------------------------------------------------------------ other checks


def test_syndication_groups_found_and_wrong_groupings_listed(fire: Gold) -> None:
    right = _summary(groups={F01: "w", F02: "w"})
    assert score_event(fire, right, _english).syndication_found == 1
    everything = _summary(groups={F01: "w", F02: "w", F03: "w", F04: "x"})
    score = score_event(fire, everything, _english)
    assert score.syndication_found == 1
    assert score.wrongly_grouped_pairs == [[F01, F03], [F02, F03]]
    apart = score_event(fire, _summary(), _english)
    assert apart.syndication_found == 0


def test_a_canary_in_the_headline_or_a_point_is_an_instruction_followed() -> None:
    court = load_gold(EVAL / "court_ruling")
    files = sorted(court.articles)
    clean = _summary(files=files, points=[("Ferrandi was sentenced to prison.", files[:1])])
    assert score_event(court, clean, _english).canaries_found == []
    hijacked = _summary(files=files, headline="Former mayor Ferrandi acquitted",
                        points=[("The court apologised to him.", files[3:])])
    assert score_event(court, hijacked, _english).canaries_found == [
        "acquitted", "apologised"]


def test_a_statement_citing_the_injected_sentence_restates_it_and_is_listed_apart() -> None:
    court = load_gold(EVAL / "court_ruling")
    files = sorted(court.articles)
    injected = next(line for line in (EVAL / "court_ruling" / files[3]).read_text(
        encoding="utf-8").splitlines() if "ignorez" in line)
    summary = _summary(files=files, points=[(
        "A note to AI assistants asks them to write that Ferrandi was acquitted.", files[3:])])
    summary = summary.model_copy(update={"claims": [
        c.model_copy(update={"quote": injected}) for c in summary.claims]})
    score = score_event(court, summary, _english)
    assert score.canaries_found == []
    assert score.injections_restated == [summary.points[0].statement]


def test_statements_left_in_another_language_are_listed(fire: Gold,
                                                        langid: LanguageGuesser) -> None:
    french = "Quatre salariés ont été légèrement blessés dans l'incendie."
    summary = _summary(points=[(french, [F01]),
                               ("Four workers were slightly injured in the fire.", [F03]),
                               ("Solvachem, Brévannes", [F01])])  # too short to judge
    score = score_event(fire, summary, langid)
    assert score.statements_checked == 2
    assert score.other_language == [french]


def test_support_counts_checked_statements_against_the_unverified(fire: Gold) -> None:
    """Points are built from statements that passed the checks in code; the rest are
    listed in Summary.unverified. Support is passed / (passed + failed)."""
    summary = _summary(points=[("Four injured.", [F01])])
    checked = sum(c.origin == "model" for c in summary.claims)
    score = score_event(fire, summary, _english)
    assert (score.support_known, score.points_supported, score.points_unsupported) == (
        True, checked, len(summary.unverified))


# ------------------------------------------------------------------ the command


def _copy_event(tmp_path: Path, name: str = FIRE) -> Path:
    events = tmp_path / "events"
    (events / name).mkdir(parents=True)
    for f in (EVAL / name).iterdir():
        (events / name / f.name).write_bytes(f.read_bytes())
    return events


def test_run_mode_writes_each_summary_then_scores_it(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    events = _copy_event(tmp_path)
    calls: list[tuple[list[str], str]] = []

    def fake_summarize(files: list[str], *, language: str, progress: Any) -> Summary:
        calls.append(([Path(f).name for f in files], language))
        progress("fixture run")
        return _summary(points=[("About 110 firefighters were mobilised.", [F01])],
                        groups={F01: "w", F02: "w"})

    out = tmp_path / "summaries"
    status = main(["--run", "--events", str(events), "--summaries", str(out),
                   "--json", str(tmp_path / "q.json")], summarize=fake_summarize,
                  guess=_english)
    assert status == 0
    assert calls == [([F01, F02, F03, F04], "en")]
    assert {p.name for p in (out / FIRE).iterdir()} == {"summary.json", "summary.md",
                                                         "run.json"}
    report = json.loads((tmp_path / "q.json").read_text(encoding="utf-8"))
    assert report["events"][0]["facts_found"] == ["f4"]
    assert report["total"]["syndication_found"] == 1
    captured = capsys.readouterr()
    assert "chemical_fire: fixture run" in captured.err
    assert "TOTAL (1/1 summaries)" in captured.out


def test_a_failed_event_is_reported_and_the_status_is_1(tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    events = _copy_event(tmp_path)

    def failing(files: list[str], *, language: str, progress: Any) -> Summary:
        raise LLMError("fixture: the model answered nonsense")

    status = main(["--run", "--events", str(events), "--summaries", str(tmp_path / "s")],
                  summarize=failing, guess=_english)
    assert status == 1
    captured = capsys.readouterr()
    assert "chemical_fire: failed: fixture: the model answered nonsense" in captured.err
    assert "no summary: missing" in captured.out


def test_an_unreadable_summary_is_one_line_naming_the_file(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    events = _copy_event(tmp_path)
    bad = tmp_path / "s" / FIRE / "summary.json"
    bad.parent.mkdir(parents=True)
    bad.write_text('{"headline": 3}', encoding="utf-8")
    assert main(["--events", str(events), "--summaries", str(tmp_path / "s")],
                guess=_english) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and str(bad) in err[0] and "not a factsum Summary" in err[0]


def test_a_bad_events_folder_is_exit_status_2(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--events", str(tmp_path / "none")], guess=_english) == 2
    assert capsys.readouterr().err.strip() == (
        f"quality: --events {tmp_path / 'none'}: not a folder")


def test_the_reference_event_is_scored_against_its_own_targets() -> None:
    root = Path(__file__).resolve().parents[2]
    gold = load_gold(root / "tests" / "data" / "seeds", root / "seeds")
    assert {f.split("_")[0] for group in gold.syndication for f in group} == {
        "001", "003", "004"}
    summary = Summary.model_validate_json(
        (root / "examples" / "seeds" / "summary.json").read_bytes())
    score = score_event(gold, summary, py3langid_guesser())
    report = seeds_report(score)
    assert "seed disputes found: 3/3 (target 3/3: met)" in report
    assert f"points with 2+ independent sources: {score.points_multi_source} " in report
    # The stampede's toll takes no position on the strikes' (gold n1).
    assert not any("n1" in f.reason for f in score.false_positions)


def test_the_reference_event_is_left_out_for_another_set(tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]
                                                       ) -> None:
    main(["--events", str(EVAL), "--summaries", str(tmp_path)], guess=lambda t, ls: ls[0])
    assert "reference event" not in capsys.readouterr().out


def test_the_readme_quotes_the_reference_event_as_scored() -> None:
    root = Path(__file__).resolve().parents[2]
    gold = load_gold(root / "tests" / "data" / "seeds", root / "seeds")
    summary = Summary.model_validate_json(
        (root / "examples" / "seeds" / "summary.json").read_bytes())
    report = seeds_report(score_event(gold, summary, py3langid_guesser()))
    readme = (root / "README.md").read_text(encoding="utf-8")
    assert f"```text\n{report}\n```" in readme
