"""The batch job in process: mixed runs, skips, resume after a crash, lock, usage errors.

The model is ``ScriptedTransport`` (answers built from the prompt: test fixtures, not
model output); no test here opens a socket.
"""

from __future__ import annotations

import io
import json
import stat
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from factsum.batch.command import BatchOptions, run_batch
from factsum.batch.progress import PlainProgress, make_progress
from factsum.batch.state import run_lock
from factsum.cli import main
from factsum.errors import ConfigError, PermanentLLMError
from factsum.llm.base import ChatResult
from factsum.testing.fake_answers import answer_for, request_kind, sentence_text
from factsum.testing.scripted import ScriptedTransport
from rich.console import Console
from support.batch import EVENTS, batch_settings, client_factory, tree, write_events

CREATED = "2024-01-08"
# A French article (so that an English summary asks the model to restate it) whose one
# sentence the ``poisoned`` model double always fails on.
POISON = ("POISON : le modèle ne parvient jamais à reformuler cette phrase, quelle que "
          "soit la question posée.")


def options(src: Path, out: Path, **kw: Any) -> BatchOptions:
    return BatchOptions(input=src, out=out, created=CREATED, **kw)


def quiet() -> PlainProgress:
    return PlainProgress(Console(file=io.StringIO(), width=200))


def report(out: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((out / "run-report.json").read_text())
    return data


def by_id(rep: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    return {e["event_id"]: e for e in rep["event_list"]}


def poisoned(payload: Mapping[str, Any]) -> str | ChatResult | Exception:
    """Answers normally, except that restating a POISON sentence fails for good."""
    if request_kind(payload) == "extract" and "POISON" in sentence_text(payload):
        return PermanentLLMError("model server returned HTTP 400: bad request", status=400)
    return answer_for(payload)


def test_mixed_run_one_broken_event_others_complete(tmp_path: Path) -> None:
    src = write_events(tmp_path / "in", {
        **EVENTS,
        "empty-event": {"blank.txt": "   \n"},
        "model-trouble": {"only.txt": POISON},
    })
    out = tmp_path / "out"
    transport = ScriptedTransport(poisoned)
    outcome = run_batch(options(src, out), batch_settings(tmp_path),
                        llm_factory=client_factory(transport), progress=quiet())

    assert outcome.exit_status == 1
    rep = report(out)
    events = by_id(rep)
    assert rep["status"] == "finished"
    assert rep["events"] == {"total": 5, "done": 3, "unchanged": 0, "partial": 0,
                             "failed": 2, "pending": 0}
    for name in EVENTS:
        assert events[name]["status"] == "done"
        assert (out / name / "summary.md").is_file() and (out / name / "summary.json").is_file()
        assert events[name]["counts"]["articles"] == 2
        assert events[name]["usage"]["requests"] > 0  # one per sentence restated
    assert "no usable article" in events["empty-event"]["reason"]
    assert "blank.txt: empty" in events["empty-event"]["reason"]
    assert "HTTP 400" in events["model-trouble"]["reason"]
    assert {f["event_id"] for f in rep["failures"]} == {"empty-event", "model-trouble"}
    assert not (out / "empty-event").exists() and not (out / "model-trouble").exists()
    # Ledger figures in the report: every event's calls, plus the failed one.
    calls = sum(events[name]["usage"]["requests"] for name in EVENTS)
    assert rep["usage"]["requests"] == calls + 1 and rep["failed_requests"] == 1
    assert rep["usage"]["prompt_tokens"] > 0 and rep["usage"]["cost_usd"] > 0
    assert all(e["duration_s"] is not None for e in rep["event_list"])

    index = (out / "index.md").read_text()
    assert "[flood-river](flood-river/summary.md) | done | 2 |" in index
    assert "| empty-event | failed |" in index
    assert "**model-trouble** (failed): every article failed extraction" in index
    assert "blank.txt: empty" in index


def test_second_run_after_success_skips_everything(tmp_path: Path) -> None:
    src, out = write_events(tmp_path / "in"), tmp_path / "out"
    settings = batch_settings(tmp_path)
    first = ScriptedTransport()
    assert run_batch(options(src, out), settings, llm_factory=client_factory(first),
                     progress=quiet()).exit_status == 0
    before = tree(out)

    second = ScriptedTransport()
    outcome = run_batch(options(src, out), settings, llm_factory=client_factory(second),
                        progress=quiet())
    assert outcome.exit_status == 0
    assert second.payloads == []  # not even a cache lookup: events are skipped whole
    rep = report(out)
    assert rep["events"]["unchanged"] == 3 and rep["usage"]["requests"] == 0
    assert rep["usage"]["cache_hits"] == 0
    after = tree(out)
    for name in EVENTS:  # outputs untouched
        for f in ("summary.md", "summary.json"):
            assert after[f"{name}/{f}"] == before[f"{name}/{f}"]
    assert "[power-outage](power-outage/summary.md) | unchanged | 2 |" in (
        out / "index.md").read_text()


def test_changed_input_or_setting_reruns_only_what_changed(tmp_path: Path) -> None:
    src, out = write_events(tmp_path / "in"), tmp_path / "out"
    settings = batch_settings(tmp_path)
    run_batch(options(src, out), settings, llm_factory=client_factory(ScriptedTransport()),
              progress=quiet())

    (src / "flood-river" / "courier.txt").write_text(
        "La rivière est sortie de son lit après quatre jours de pluie continue.\n\n"
        "Selon la police, environ 200 logements ont été évacués pendant la nuit.",
        encoding="utf-8")
    transport = ScriptedTransport()
    run_batch(options(src, out), settings, llm_factory=client_factory(transport),
              progress=quiet())
    statuses = {e["event_id"]: e["status"] for e in report(out)["event_list"]}
    assert statuses == {"bridge-closure": "unchanged", "flood-river": "done",
                        "power-outage": "unchanged"}
    # The changed article's two sentences; the other article's answers are cached. The
    # comparisons of the changed event's statements follow, in real time.
    kinds = [request_kind(p) for p in transport.payloads]
    assert kinds.count("extract") == 2 and set(kinds) <= {"extract", "shared"}

    # Concurrency is not part of the fingerprint; the summary language is.
    again = ScriptedTransport()
    run_batch(options(src, out), batch_settings(tmp_path, max_concurrency=4),
              llm_factory=client_factory(again), progress=quiet())
    assert again.payloads == []
    run_batch(options(src, out, language="fr"), settings,
              llm_factory=client_factory(again), progress=quiet())
    assert {e["status"] for e in report(out)["event_list"]} == {"done"}


class SimulatedKill(BaseException):
    """Stands for the process dying: not an Exception, so nothing in factsum catches it."""


class DyingTransport(ScriptedTransport):
    """Answers ``lives`` calls, then dies in the middle of the next one."""

    def __init__(self, lives: int) -> None:
        super().__init__()
        self.lives = lives

    async def chat(self, payload: Mapping[str, Any]) -> ChatResult:
        if len(self.payloads) >= self.lives:
            raise SimulatedKill
        return await super().chat(payload)


def _keys(payloads: list[Mapping[str, Any]]) -> list[str]:
    return [json.dumps(p, sort_keys=True) for p in payloads]


def test_resume_after_crash_redoes_only_unfinished_work(tmp_path: Path) -> None:
    src = write_events(tmp_path / "in")
    # One request at a time, so "the first N + 1 calls" are a well-defined piece of
    # work: the whole first event (N calls) and the first call of the second.
    settings = batch_settings(tmp_path, max_concurrency=1)
    ref_out = tmp_path / "reference"
    reference = ScriptedTransport()
    run_batch(options(src, ref_out), batch_settings(tmp_path / "ref", max_concurrency=1),
              llm_factory=client_factory(reference), progress=quiet())
    ref_events = by_id(report(ref_out))
    lives = ref_events["bridge-closure"]["usage"]["requests"] + 1

    out = tmp_path / "out"
    dying = DyingTransport(lives=lives)
    with pytest.raises(SimulatedKill):
        run_batch(options(src, out), settings, llm_factory=client_factory(dying),
                  progress=quiet())
    assert report(out)["status"] == "interrupted"
    assert (out / ".factsum" / "state" / "bridge-closure.json").is_file()
    assert not (out / "flood-river").exists()

    resumed = ScriptedTransport()
    outcome = run_batch(options(src, out), settings, llm_factory=client_factory(resumed),
                        progress=quiet())
    assert outcome.exit_status == 0
    # Zero model calls for finished work: nothing answered before the crash is asked again.
    assert not set(_keys(resumed.payloads)) & set(_keys(dying.payloads))
    assert len(resumed.payloads) == len(reference.payloads) - lives
    statuses = {e["event_id"]: e["status"] for e in report(out)["event_list"]}
    assert statuses == {"bridge-closure": "unchanged", "flood-river": "done",
                        "power-outage": "done"}
    flood = by_id(report(out))["flood-river"]["usage"]
    assert flood["cache_hits"] == 1
    assert flood["requests"] == ref_events["flood-river"]["usage"]["requests"] - 1
    # Byte-identical to an uninterrupted run.
    ref, got = tree(ref_out), tree(out)
    for name in EVENTS:
        for f in ("summary.md", "summary.json"):
            assert got[f"{name}/{f}"] == ref[f"{name}/{f}"]
    assert not [p for p in out.rglob("*.tmp")]


def test_meta_dir_and_state_files_are_private(tmp_path: Path) -> None:
    src, out = write_events(tmp_path / "in"), tmp_path / "out"
    out.mkdir()
    (out / ".factsum").mkdir(mode=0o755)  # too open: made private
    run_batch(options(src, out), batch_settings(tmp_path),
              llm_factory=client_factory(ScriptedTransport()), progress=quiet())
    meta = out / ".factsum"
    assert stat.S_IMODE(meta.stat().st_mode) == 0o700
    assert stat.S_IMODE((meta / "state").stat().st_mode) == 0o700
    files = [p for p in meta.rglob("*") if p.is_file()]
    assert files and all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in files)
    state = json.loads((meta / "state" / "flood-river.json").read_text())
    assert state["event_id"] == "flood-river" and len(state["fingerprint"]) == 64


def test_second_concurrent_run_refuses_with_one_line(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]
                                                     ) -> None:
    src, out = write_events(tmp_path / "in"), tmp_path / "out"
    out.mkdir()
    with run_lock(out):  # a first run holds OUT_DIR
        status = main(["batch", str(src), "--out", str(out)])
    err = capsys.readouterr().err
    assert status == 2
    assert err.count("\n") == 1
    assert err.startswith("factsum: error: another factsum batch run is using")
    assert not (out / "index.md").exists()


@pytest.mark.parametrize("make_input, message", [
    (lambda p: p / "missing", "no such file or folder"),
    (lambda p: (p / "empty").mkdir() or p / "empty", "no events found"),
    (lambda p: (p / "m.jsonl").write_text("\n\n") and p / "m.jsonl", "no events found"),
    (lambda p: (p / "notes.txt").write_text("x") and p / "notes.txt", "expected a folder"),
])
def test_bad_usage_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                           make_input: Any, message: str) -> None:
    source = make_input(tmp_path)
    assert main(["batch", str(source), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_a_folder_of_articles_is_not_a_folder_of_events(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("Just one article sitting here alone.")
    with pytest.raises(ConfigError, match="no event folders"):
        run_batch(options(tmp_path / "in", tmp_path / "out"), batch_settings(tmp_path))


def test_manifest_events_paths_records_and_bad_lines(tmp_path: Path) -> None:
    write_events(tmp_path / "data" / "articles")
    flood = EVENTS["flood-river"]
    (tmp_path / "secret.txt").write_text("A secret outside the manifest folder, never sent.")
    lines = [
        {"event_id": "flood", "articles": ["articles/flood-river/herald.txt",
                                           {"text": flood["courier.txt"], "title": "Courier",
                                            "outlet": "The Courier"}],
         "desk": "regional"},
        {"event_id": "bridge-fr", "language": "fr",
         "articles": ["articles/bridge-closure/gazette.txt"]},
        {"event_id": "escape", "articles": ["../secret.txt"]},
        {"event_id": "absolute", "articles": [str(tmp_path / "secret.txt")]},
        {"event_id": "no-articles", "articles": []},
        {"articles": ["articles/flood-river/herald.txt"]},
    ]
    manifest = tmp_path / "data" / "events.jsonl"
    manifest.write_text("\n".join(json.dumps(x) for x in lines) + "\n{not json\n")
    out = tmp_path / "out"
    transport = ScriptedTransport()
    outcome = run_batch(options(manifest, out), batch_settings(tmp_path),
                        llm_factory=client_factory(transport), progress=quiet())
    assert outcome.exit_status == 1
    events = by_id(report(out))
    assert events["flood"]["status"] == "done" and events["flood"]["counts"]["articles"] == 2
    assert events["flood"]["metadata"] == {"desk": "regional"}
    assert events["bridge-fr"]["status"] == "done"
    assert json.loads((out / "bridge-fr" / "summary.json").read_text())["language"] == "fr"
    assert "leaves the manifest's folder" in events["escape"]["reason"]
    assert "relative to the manifest" in events["absolute"]["reason"]
    assert "non-empty list" in events["no-articles"]["reason"]
    assert "missing or empty 'event_id'" in events["events.jsonl:6"]["reason"]
    assert "invalid JSON" in events["events.jsonl:7"]["reason"]
    assert not any("secret" in json.dumps(p) for p in transport.payloads)


def test_partial_event_is_reported_and_retried(tmp_path: Path) -> None:
    src = write_events(tmp_path / "in", {"mixed": {
        "good.txt": EVENTS["flood-river"]["herald.txt"],
        "bad.txt": POISON,
    }})
    out = tmp_path / "out"
    outcome = run_batch(options(src, out), batch_settings(tmp_path),
                        llm_factory=client_factory(ScriptedTransport(poisoned)),
                        progress=quiet())
    assert outcome.exit_status == 1
    event = by_id(report(out))["mixed"]
    assert event["status"] == "partial" and "1 article(s) failed extraction" in event["reason"]
    assert (out / "mixed" / "summary.md").is_file()  # what could be done is there
    assert not (out / ".factsum" / "state" / "mixed.json").exists()

    retry = ScriptedTransport()  # the model is fine again
    assert run_batch(options(src, out), batch_settings(tmp_path),
                     llm_factory=client_factory(retry), progress=quiet()).exit_status == 0
    assert [request_kind(p) for p in retry.payloads] == ["extract"]  # the POISON one


def test_budget_stops_spending_but_not_the_report(tmp_path: Path) -> None:
    src, out = write_events(tmp_path / "in"), tmp_path / "out"
    settings = batch_settings(tmp_path, max_concurrency=1, budget_usd=0.0000001)
    outcome = run_batch(options(src, out), settings,
                        llm_factory=client_factory(ScriptedTransport()), progress=quiet())
    assert outcome.exit_status == 1
    rep = report(out)
    assert rep["events"]["failed"] >= 2
    assert any("budget of $" in f["reason"] for f in rep["failures"])
    assert rep["usage"]["requests"] <= 2  # the first call spends it; later ones never start


def test_plain_progress_lines_when_not_a_terminal(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    src, out = write_events(tmp_path / "in"), tmp_path / "out"
    sink = io.StringIO()
    run_batch(options(src, out), batch_settings(tmp_path),
              llm_factory=client_factory(ScriptedTransport()),
              progress=PlainProgress(Console(file=sink, width=300)))
    lines = sink.getvalue().splitlines()
    assert len(lines) == 3 and all(line.startswith("factsum: [") for line in lines)
    assert any("] flood-river: done in " in line and "2 articles" in line for line in lines)
    assert "\x1b" not in sink.getvalue()


def test_rich_progress_on_a_terminal(tmp_path: Path) -> None:
    src, out = write_events(tmp_path / "in"), tmp_path / "out"
    sink = io.StringIO()
    console = Console(file=sink, force_terminal=True, width=120)
    outcome = run_batch(options(src, out), batch_settings(tmp_path),
                        llm_factory=client_factory(ScriptedTransport()),
                        progress=make_progress(console))
    assert outcome.exit_status == 0
    text = sink.getvalue()
    assert "flood-river: done in" in text and "3/3" in text


def test_partial_rerun_of_a_finished_event_is_not_taken_for_finished(tmp_path: Path) -> None:
    src = write_events(tmp_path / "in", {"mixed": {
        "good.txt": EVENTS["flood-river"]["herald.txt"],
        "bad.txt": POISON,
    }})
    out = tmp_path / "out"
    good = batch_settings(tmp_path)
    run_batch(options(src, out), good, llm_factory=client_factory(ScriptedTransport()),
              progress=quiet())
    (out / "mixed" / "summary.md").unlink()  # outputs lost: the event must run again
    # ... and this time one article fails (no cache, so the model is asked again).
    no_cache = batch_settings(tmp_path, use_cache=False)
    run_batch(options(src, out), no_cache, llm_factory=client_factory(
        ScriptedTransport(poisoned)), progress=quiet())
    assert by_id(report(out))["mixed"]["status"] == "partial"

    again = ScriptedTransport()
    run_batch(options(src, out), good, llm_factory=client_factory(again), progress=quiet())
    assert by_id(report(out))["mixed"]["status"] == "done"  # redone, not "unchanged"


@pytest.mark.parametrize("where", [".", "summaries", "flood-river", "flood-river/out"])
def test_outputs_never_go_where_they_would_be_read_as_input(tmp_path: Path,
                                                             where: str) -> None:
    src = write_events(tmp_path / "in")
    with pytest.raises(ConfigError, match="must not be inside INPUT"):
        run_batch(options(src, src / where), batch_settings(tmp_path))
