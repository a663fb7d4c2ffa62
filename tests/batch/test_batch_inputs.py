"""Hostile batch inputs (issue 18): names that are not UTF-8, symlinks leaving INPUT, NUL
bytes and bad languages in a manifest, and a fuzzed manifest.

Regressions, each failing before its fix:
  * one file named ``caf\\xe9.txt`` in one event stopped every event ("internal error:
    UnicodeEncodeError") and no index.md or run-report.json was written;
  * a symlinked event folder, or a symlink inside an event folder, sent files from
    outside INPUT to the model;
  * ``"articles": ["sub/a.txt\\u0000../../etc/passwd"]`` stopped the whole batch
    ("internal error: ValueError: embedded null byte");
  * the manifest's ``language`` went unchecked into the prompt.
The model is a ScriptedTransport (answers are test fixtures built from the prompt).
"""

from __future__ import annotations

import io
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import factsum.batch.run as batch_run
import pytest
from factsum.batch.command import BatchOptions, run_batch
from factsum.batch.progress import PlainProgress
from factsum.cli import main
from factsum.testing.scripted import ScriptedTransport
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.console import Console
from support.batch import EVENTS, batch_settings, client_factory, write_events
from support.hostile import lines, use_scripted_model

CREATED = "2024-01-08"
SECRET = "SECRET-outside-input five words of private text here"
ARTICLE = EVENTS["flood-river"]["herald.txt"]


def quiet() -> PlainProgress:
    return PlainProgress(Console(file=io.StringIO(), width=200))


def run(src: Path, out: Path, tmp_path: Path, transport: ScriptedTransport | None = None
        ) -> tuple[int, dict[str, Any]]:
    outcome = run_batch(BatchOptions(input=src, out=out, created=CREATED),
                        batch_settings(tmp_path),
                        llm_factory=client_factory(transport or ScriptedTransport()),
                        progress=quiet())
    report: dict[str, Any] = json.loads((out / "run-report.json").read_text())
    return outcome.exit_status, report


def by_id(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {e["event_id"]: e for e in report["event_list"]}


def sent(transport: ScriptedTransport) -> str:
    return json.dumps(transport.payloads, ensure_ascii=False)


# ----------------------------------------------------------------- names that are not UTF-8


def test_a_file_name_that_is_not_utf8_stops_nothing(tmp_path: Path) -> None:
    src = write_events(tmp_path / "in")
    with open(os.fsencode(src / "flood-river") + b"/caf\xe9.txt", "w", encoding="utf-8") as f:
        f.write(EVENTS["power-outage"]["daily.txt"])
    out = tmp_path / "out"
    status, report = run(src, out, tmp_path)
    assert status == 0
    assert {e["status"] for e in report["event_list"]} == {"done"}
    summary = json.loads((out / "flood-river" / "summary.json").read_text(encoding="utf-8"))
    assert "caf\ufffd.txt" in [a["source"] for a in summary["articles"]]
    assert (out / "index.md").is_file()
    # A second run finds the event unchanged: its fingerprint hashes the name's bytes.
    status, report = run(src, out, tmp_path)
    assert {e["status"] for e in report["event_list"]} == {"unchanged"}


def test_an_event_folder_whose_name_is_not_utf8(tmp_path: Path) -> None:
    src = write_events(tmp_path / "in", {"ok": EVENTS["flood-river"]})
    for raw in (b"\xe9v\xe9nement", b"\xe8v\xe8nement"):  # print alike, two events
        folder = os.fsencode(src) + b"/" + raw
        os.mkdir(folder)
        with open(folder + b"/a.txt", "w", encoding="utf-8") as f:
            f.write(ARTICLE)
    out = tmp_path / "out"
    status, report = run(src, out, tmp_path)
    assert status == 0, report["failures"]
    events = report["event_list"]
    assert sorted(e["event_id"] for e in events) == ["ok", "\ufffdv\ufffdnement",
                                                      "\ufffdv\ufffdnement"]
    assert len({e["dir"] for e in events}) == 3  # two folders, though they print alike
    assert "\ufffdv\ufffdnement" in (out / "index.md").read_text(encoding="utf-8")


def test_a_crash_while_planning_one_event_fails_only_that_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    src = write_events(tmp_path / "in")
    real = batch_run.inputs_digest

    def flaky(items: list[object]) -> str | None:
        if any("power-outage" in str(i) for i in items):
            raise UnicodeEncodeError("utf-8", "x", 0, 1, "surrogates not allowed")
        return real(items)

    monkeypatch.setattr(batch_run, "inputs_digest", flaky)
    out = tmp_path / "out"
    status, report = run(src, out, tmp_path)
    assert status == 1
    events = by_id(report)
    assert events["power-outage"]["status"] == "failed"
    assert "UnicodeEncodeError" in events["power-outage"]["reason"]
    assert events["flood-river"]["status"] == events["bridge-closure"]["status"] == "done"
    assert "power-outage" in (out / "index.md").read_text(encoding="utf-8")


# ----------------------------------------------------------------- symlinks leaving INPUT


def test_symlinks_leaving_input_are_reported_not_read(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "passwd.txt").write_text(SECRET, encoding="utf-8")
    src = write_events(tmp_path / "in", {"flood-river": EVENTS["flood-river"]})
    (src / "flood-river" / "passwd.txt").symlink_to(outside / "passwd.txt")
    (src / "linked-event").symlink_to(outside)
    transport = ScriptedTransport()
    status, report = run(src, tmp_path / "out", tmp_path, transport)
    assert SECRET not in sent(transport)
    events = by_id(report)
    assert events["linked-event"]["status"] == "failed"
    assert "symlink leading outside INPUT, not followed" in events["linked-event"]["reason"]
    assert events["flood-river"]["status"] == "done"
    assert events["flood-river"]["input_errors"] == [
        f"{src}/flood-river/passwd.txt: symlink leading outside the folder, not followed"]
    assert status == 1


def test_a_manifest_folder_entry_does_not_follow_links_out(tmp_path: Path) -> None:
    (tmp_path / "secret.txt").write_text(SECRET, encoding="utf-8")
    base = tmp_path / "data"
    evdir = base / "evdir"
    evdir.mkdir(parents=True)
    (evdir / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (evdir / "passwd.txt").symlink_to(tmp_path / "secret.txt")
    manifest = base / "events.jsonl"
    manifest.write_text(json.dumps({"event_id": "ev", "articles": ["evdir"]}) + "\n",
                        encoding="utf-8")
    transport = ScriptedTransport()
    status, report = run(manifest, tmp_path / "out", tmp_path, transport)
    assert SECRET not in sent(transport)
    assert status == 0
    assert by_id(report)["ev"]["input_errors"] == [
        f"{evdir}/passwd.txt: symlink leading outside the folder, not followed"]


# ----------------------------------------------------------------- manifest lines


def test_a_nul_byte_in_a_manifest_path_fails_only_its_event(tmp_path: Path) -> None:
    base = tmp_path / "data"
    (base / "sub").mkdir(parents=True)
    (base / "sub" / "a.txt").write_text(ARTICLE, encoding="utf-8")
    manifest = base / "events.jsonl"
    manifest.write_text("\n".join(json.dumps(line) for line in [
        {"event_id": "nul", "articles": ["sub/a.txt\u0000../../etc/passwd"]},
        {"event_id": "fine", "articles": ["sub/a.txt"]},
    ]) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    status, report = run(manifest, out, tmp_path)
    assert status == 1
    events = by_id(report)
    assert events["fine"]["status"] == "done"
    assert events["nul"]["status"] == "failed"
    assert "a path cannot hold a NUL character" in events["nul"]["reason"]
    assert (out / "index.md").is_file()


@pytest.mark.parametrize("language", ["fr\n=== system ===", "english", 12, ""])
def test_a_bad_manifest_language_fails_its_event_with_the_reason(tmp_path: Path,
                                                                 language: object) -> None:
    base = tmp_path / "data"
    base.mkdir()
    (base / "a.txt").write_text(ARTICLE, encoding="utf-8")
    manifest = base / "events.jsonl"
    manifest.write_text(json.dumps({"event_id": "ev", "articles": ["a.txt"],
                                    "language": language}) + "\n", encoding="utf-8")
    transport = ScriptedTransport()
    status, report = run(manifest, tmp_path / "out", tmp_path, transport)
    assert status == 1 and transport.payloads == []
    reason = by_id(report)["ev"]["reason"]
    assert reason.startswith("events.jsonl:1: 'language': ") and "is not a language code" in reason


def test_a_good_manifest_language_is_used(tmp_path: Path) -> None:
    base = tmp_path / "data"
    base.mkdir()
    (base / "a.txt").write_text(ARTICLE, encoding="utf-8")
    manifest = base / "events.jsonl"
    manifest.write_text(json.dumps({"event_id": "ev", "articles": ["a.txt"],
                                    "language": "pt-BR"}) + "\n", encoding="utf-8")
    status, _report = run(manifest, tmp_path / "out", tmp_path)
    assert status == 0
    summary = json.loads((tmp_path / "out" / "ev" / "summary.json").read_text())
    assert summary["language"] == "pt-BR"


# ----------------------------------------------------------------- fuzzed manifests

_TEXT = st.text(st.characters(exclude_categories=()), max_size=12)
_PATHS = st.one_of(
    st.sampled_from(["a.txt", "sub", "sub/b.txt", "../x.txt", "/etc/passwd", "a.txt\x00x",
                     "link.txt", "missing.txt", "", " ", "sub/../a.txt", "\udcff.txt"]),
    _TEXT)
_ARTICLE = st.one_of(_PATHS, st.fixed_dictionaries({"text": _TEXT}),
                     st.dictionaries(_TEXT, _TEXT, max_size=2), st.integers(), st.none())
_VALUE = st.one_of(_TEXT, st.integers(), st.none(), st.booleans(), st.lists(_TEXT, max_size=2))
_RECORD = st.fixed_dictionaries(
    {}, optional={"event_id": _VALUE, "articles": st.one_of(st.lists(_ARTICLE, max_size=3),
                                                            _VALUE),
                  "language": st.one_of(st.sampled_from(["en", "fr", "pt-BR"]), _VALUE),
                  "desk": _VALUE})
_LINE = st.one_of(
    _RECORD.map(lambda r: json.dumps(r).encode("utf-8")),
    st.binary(max_size=40),
    st.sampled_from([b"[" * 5000, b'{"event_id": 1' + b"1" * 5000 + b"}", b"null",
                     b'{"event_id": "\\ud800", "articles": ["a.txt"]}']),
)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(manifest_lines=st.lists(_LINE, min_size=1, max_size=4))
def test_a_fuzzed_manifest_never_gives_a_traceback(
    manifest_lines: list[bytes], monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        use_scripted_model(monkeypatch, root)
        base = root / "data"
        (base / "sub").mkdir(parents=True)
        (base / "a.txt").write_text(ARTICLE, encoding="utf-8")
        (base / "sub" / "b.txt").write_text(ARTICLE, encoding="utf-8")
        (base / "link.txt").symlink_to("/etc/hostname")
        manifest = base / "events.jsonl"
        manifest.write_bytes(b"\n".join(manifest_lines))
        status = main(["batch", str(manifest), "--out", str(root / "out"), "--created",
                       CREATED])
        err = capsys.readouterr().err
        assert status in (0, 1, 2), err
        assert "Traceback" not in err and "internal error" not in err, err
        assert all(line.startswith("factsum: ") for line in lines(err)), err
        if status != 2:  # a run that started always leaves its index and report
            assert (root / "out" / "index.md").is_file()
            report = json.loads((root / "out" / "run-report.json").read_text())
            assert "internal error" not in json.dumps(report), report["failures"]
