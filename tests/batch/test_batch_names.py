"""Output folder names derived from event ids never leave OUT_DIR."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from factsum.batch.command import BatchOptions, run_batch
from factsum.batch.inputs import MAX_DIRNAME, safe_dirname
from factsum.batch.progress import PlainProgress
from factsum.testing.scripted import ScriptedTransport
from hypothesis import given
from hypothesis import strategies as st
from rich.console import Console
from support.batch import EVENTS, batch_settings, client_factory

SAFE = re.compile(r"^[a-z0-9][a-z0-9._-]*$")

HOSTILE_IDS = [
    "../../etc/passwd", "/etc/passwd", "..", ".", "", ".hidden", "a/../../b", "a\\..\\b",
    "index.md", "run-report.json", "INDEX.md", "CON", "nul.txt", "com1", "~root",
    "C:\\Windows", "x" * 300, "event\x00nul", "line\nbreak", "Évènement à Zürich",
    "北京地震", "-leading-dash", "trailing.", "a" * 55 + "-" + "0" * 8,
]


@pytest.mark.parametrize("event_id", HOSTILE_IDS)
def test_hostile_ids_become_safe_names(event_id: str) -> None:
    name = safe_dirname(event_id)
    assert SAFE.match(name), name
    assert len(name) <= MAX_DIRNAME
    assert name not in ("index.md", "run-report.json") and not name.startswith(".")
    assert Path(name).name == name and ".." not in Path(name).parts


def test_safe_ids_are_kept_and_altered_ones_get_a_hash() -> None:
    assert safe_dirname("flood-2024.01_a") == "flood-2024.01_a"
    assert re.fullmatch(r"flood-[0-9a-f]{8}", safe_dirname("Flood"))
    assert re.fullmatch(r"etc-passwd-[0-9a-f]{8}", safe_dirname("../../etc/passwd"))
    assert re.fullmatch(r"index.md-[0-9a-f]{8}", safe_dirname("index.md"))
    assert re.fullmatch(r"evenement-a-zurich-[0-9a-f]{8}", safe_dirname("Évènement à Zürich"))
    assert safe_dirname("Flood") != safe_dirname("FLOOD") != safe_dirname("flood")


@given(st.text(max_size=120))
def test_any_id_gives_a_safe_name(event_id: str) -> None:
    name = safe_dirname(event_id)
    assert SAFE.match(name) and len(name) <= MAX_DIRNAME
    assert name not in ("index.md", "run-report.json")


@given(st.text(max_size=40), st.text(max_size=40))
def test_distinct_altered_ids_get_distinct_names(a: str, b: str) -> None:
    if a != b and safe_dirname(a) != a and safe_dirname(b) != b:
        assert safe_dirname(a) != safe_dirname(b)


def test_hostile_manifest_ids_write_only_inside_out_dir(tmp_path: Path) -> None:
    articles = tmp_path / "data"
    articles.mkdir()
    text = EVENTS["flood-river"]["herald.txt"]
    ids = ["../escaped", "/tmp/absolute", ".hidden", "a/../../b", "index.md",
           "run-report.json", "..", "Flood", "flood"]
    manifest = articles / "events.jsonl"
    manifest.write_text("".join(
        json.dumps({"event_id": i, "articles": [{"text": text}]}) + "\n" for i in ids))
    out = tmp_path / "nested" / "out"
    before = {p for p in tmp_path.rglob("*")}
    outcome = run_batch(BatchOptions(manifest, out, created="2024-01-08"),
                        batch_settings(tmp_path),
                        llm_factory=client_factory(ScriptedTransport()),
                        progress=PlainProgress(Console(file=io.StringIO())))
    assert outcome.exit_status == 0
    created = {p for p in tmp_path.rglob("*")} - before
    cache = tmp_path / "cache"
    outside = [p for p in created if not p.is_relative_to(out) and not p.is_relative_to(cache)
               and p != out.parent]
    assert outside == []
    folders = sorted(p.name for p in out.iterdir() if p.is_dir() and p.name != ".factsum")
    assert len(folders) == len(ids) and all(SAFE.match(f) for f in folders)
    assert (out / "index.md").read_text().startswith("# factsum batch")  # not shadowed
    report = json.loads((out / "run-report.json").read_text())
    assert {e["dir"] for e in report["event_list"]} == set(folders)


def test_symlink_planted_in_out_dir_is_not_followed(tmp_path: Path) -> None:
    (tmp_path / "in" / "flood").mkdir(parents=True)
    (tmp_path / "in" / "flood" / "a.txt").write_text(EVENTS["flood-river"]["herald.txt"])
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    (out / "flood").symlink_to(elsewhere)
    outcome = run_batch(BatchOptions(tmp_path / "in", out), batch_settings(tmp_path),
                        llm_factory=client_factory(ScriptedTransport()),
                        progress=PlainProgress(Console(file=io.StringIO())))
    assert outcome.exit_status == 1
    assert list(elsewhere.iterdir()) == []
    report = json.loads((out / "run-report.json").read_text())
    assert "symlink" in report["failures"][0]["reason"]
