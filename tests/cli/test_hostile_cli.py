"""Hostile and broken input through the command line (issue 7).

Each bad input gets one stderr line naming it and its problem; the run still summarises
the good articles (exit 0) and exits 2 only when nothing usable is left. No traceback
unless --debug. Most cases call ``factsum.cli.main`` in process with the model swapped for
a ``ScriptedTransport`` (its answers are test fixtures built from the prompt, see
``factsum.testing.fake_answers``); a few run a real ``python -m factsum.cli`` process
against the loopback ``FakeServer`` (same fixture answers over HTTP) to prove that
nothing but one-line messages reaches stderr.

Input files come from tests/data/ingest/ (encodings, binaries, broken JSONL; see
tests/test_ingest.py) and tests/data/hostile/ (see its README.md).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from factsum.cli import main
from factsum.testing.fake_server import FakeServer, FaultConfig
from support.hostile import (
    HOSTILE_DATA,
    INGEST_DATA,
    assert_one_line_messages,
    lines,
    run_factsum,
    subprocess_env,
    use_scripted_model,
)

GOOD = INGEST_DATA / "latin1.txt"  # a usable French article (Latin-1 encoded)
GOOD_WORDS = "Qassem Soleimani"


@pytest.fixture
def scripted(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The CLI's model is a ScriptedTransport answering with test fixtures; the working
    folder is ``tmp_path`` (see ``summarize``)."""
    use_scripted_model(monkeypatch, tmp_path)
    monkeypatch.chdir(tmp_path)


def copy(tmp_path: Path, *names: str, source: Path = INGEST_DATA) -> list[Path]:
    """Copy data files into ``tmp_path`` (tests never touch the committed files)."""
    out = []
    for name in names:
        target = tmp_path / name
        shutil.copyfile(source / name, target)
        out.append(target)
    return out


def as_typed(arg: str | Path) -> str:
    """A path under the working folder as a user would type it there: relative."""
    if isinstance(arg, Path) and arg.is_absolute() and arg.is_relative_to(Path.cwd()):
        return str(arg.relative_to(Path.cwd()))
    return str(arg)


def summarize(capsys: pytest.CaptureFixture[str], *args: str | Path
              ) -> tuple[int, str, list[str]]:
    """Run ``factsum summarize ARGS`` in process: (status, stdout, stderr lines).

    Paths under the working folder are passed relative to it; messages name each input
    as given (issue 18), so the expected lines below read ``skipped empty.txt: ...``.
    """
    status = main(["summarize", "--created", "2026-01-01", *map(as_typed, args)])
    out, err = capsys.readouterr()
    return status, out, lines(err)


def summarize_json(capsys: pytest.CaptureFixture[str], *args: str | Path
                   ) -> tuple[int, dict[str, Any], list[str]]:
    status, out, err = summarize(capsys, "--format", "json", *args)
    return status, json.loads(out) if out else {}, err


def skipped(err: list[str]) -> list[str]:
    return [line for line in err if line.startswith("factsum: skipped ")]


def assert_rejected_alone(status: int, out: str, err: list[str], name: str, problem: str
                          ) -> None:
    """Nothing usable: exit 2, no summary, one line naming the file, one verdict line."""
    assert status == 2
    assert out == ""
    assert err == [f"factsum: skipped {name}: {problem}",
                   "factsum: error: no usable article (1 input rejected)"]


# ----------------------------------------------------------------- one bad input alone


@pytest.mark.parametrize(("name", "problem"), [
    ("empty.txt", "empty file"),
    ("whitespace.txt", "empty (whitespace only)"),
    ("image.png", "binary file (PNG image), not text"),
    ("scan.pdf", "binary file (PDF document), not text"),
    ("one_word.txt", "too short to summarise (1 word, at least 5 needed)"),
])
def test_a_bad_file_alone_is_one_line_and_exit_2(
    scripted: None, capsys: pytest.CaptureFixture[str], tmp_path: Path, name: str,
    problem: str,
) -> None:
    (path,) = copy(tmp_path, name)
    status, out, err = summarize(capsys, path)
    assert_rejected_alone(status, out, err, name, problem)


def test_a_page_of_scripts_and_navigation_only_is_rejected(
    scripted: None, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (path,) = copy(tmp_path, "furniture_only.html", source=HOSTILE_DATA)
    status, out, err = summarize(capsys, path)
    assert status == 2 and out == ""
    assert err[0].startswith("factsum: skipped furniture_only.html: too short to summarise")
    assert err[-1] == "factsum: error: no usable article (1 input rejected)"


def test_a_folder_with_no_articles(
    scripted: None, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    empty = tmp_path / "empty_event"
    empty.mkdir()
    status, out, err = summarize(capsys, empty)
    assert_rejected_alone(status, out, err, "empty_event", "folder contains no article files")

    # Only non-article files: each is named, then the folder.
    images = tmp_path / "images_only"
    images.mkdir()
    copy(images, "image.png")
    (images / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")  # hidden: ignored
    status, out, err = summarize(capsys, images)
    assert status == 2 and out == ""
    assert err == [
        "factsum: skipped images_only: folder contains no article files",
        "factsum: skipped images_only/image.png: not an article file (.txt, .md, .html, "
        ".jsonl)",
        "factsum: error: no usable article (2 inputs rejected)",
    ]


def test_a_nonexistent_path(
    scripted: None, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    status, out, err = summarize(capsys, tmp_path / "missing.txt")
    assert_rejected_alone(status, out, err, "missing.txt", "unreadable: no such file or directory")


def test_a_file_without_read_permission(
    scripted: None, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (path,) = copy(tmp_path, "latin1.txt")
    path.chmod(0)
    try:
        try:
            path.read_bytes()
        except PermissionError:
            pass
        else:
            # Root (as in this CI container) and some file systems ignore mode bits:
            # the file *is* readable, so there is no unreadable case to test here.
            pytest.skip("chmod 000 does not block reads here (running as root?)")
        status, out, err = summarize(capsys, path)
        assert_rejected_alone(status, out, err, "latin1.txt", "unreadable: permission denied")
    finally:
        path.chmod(0o644)


def test_a_20_mb_file_is_rejected_by_its_size_without_being_read(
    scripted: None, capsys: pytest.CaptureFixture[str], tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    big = tmp_path / "big.txt"
    with big.open("wb") as handle:
        handle.truncate(20_000_000)  # sparse: 20 MB by size, instant to make
    opened = spy_on_opens(monkeypatch)
    status, out, err = summarize(capsys, big)
    assert not any(os.path.samefile(p, big) for p in opened if os.path.exists(p)), \
        "the size check must come before reading"
    assert_rejected_alone(status, out, err, "big.txt", "too large (20000000 bytes, limit 5000000)")


def test_a_20_mb_jsonl_line_is_skipped_and_the_other_lines_kept(
    scripted: None, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    manifest = tmp_path / "big.jsonl"
    good = json.dumps({"text": GOOD.read_bytes().decode("latin-1"), "id": "ok"})
    with manifest.open("w", encoding="utf-8") as handle:
        handle.write('{"text": "' + "a" * 20_000_000 + '"}\n')
        handle.write(good + "\n")
    status, out, err = summarize(capsys, manifest)
    assert status == 0 and GOOD_WORDS in out
    assert skipped(err) == ["factsum: skipped big.jsonl:1: line larger than 5000000 bytes"]


def spy_on_opens(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record every path opened through ``os.open``, ``open`` or ``Path.open``."""
    opened: list[str] = []
    real_os_open, real_open, real_path_open = os.open, open, Path.open

    def spy_os_open(path: Any, *args: Any, **kwargs: Any) -> Any:
        opened.append(os.fsdecode(path))
        return real_os_open(path, *args, **kwargs)

    def spy_builtin_open(path: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(path, str | bytes | os.PathLike):
            opened.append(os.fsdecode(path))
        return real_open(path, *args, **kwargs)

    def spy_path_open(self: Path, *args: Any, **kwargs: Any) -> Any:
        opened.append(str(self))
        return real_path_open(self, *args, **kwargs)

    monkeypatch.setattr(os, "open", spy_os_open)
    monkeypatch.setattr("builtins.open", spy_builtin_open)
    monkeypatch.setattr(Path, "open", spy_path_open)
    return opened


# ----------------------------------------------------------------- mixed with good input


@pytest.mark.parametrize(("name", "problem"), [
    ("empty.txt", "empty file"),
    ("whitespace.txt", "empty (whitespace only)"),
    ("image.png", "binary file (PNG image), not text"),
    ("scan.pdf", "binary file (PDF document), not text"),
    ("one_word.txt", "too short to summarise (1 word, at least 5 needed)"),
])
def test_a_bad_file_beside_a_good_one_is_skipped_and_named(
    scripted: None, capsys: pytest.CaptureFixture[str], tmp_path: Path, name: str,
    problem: str,
) -> None:
    bad, good = copy(tmp_path, name, "latin1.txt")
    status, out, err = summarize(capsys, bad, good)
    assert status == 0
    assert out.startswith("# ") and GOOD_WORDS in out
    assert skipped(err) == [f"factsum: skipped {name}: {problem}"]


def test_every_broken_input_at_once_is_listed_and_the_rest_summarised(
    scripted: None, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    paths = copy(tmp_path, "empty.txt", "whitespace.txt", "image.png", "scan.pdf",
                 "one_word.txt", "latin1.txt")
    status, out, err = summarize(capsys, *paths, tmp_path / "missing.txt")
    assert status == 0 and GOOD_WORDS in out
    named = [line.removeprefix("factsum: skipped ").split(":")[0] for line in skipped(err)]
    assert sorted(named) == sorted(["empty.txt", "whitespace.txt", "image.png", "scan.pdf",
                                    "one_word.txt", "missing.txt"])


@pytest.mark.parametrize(("name", "words"), [
    ("latin1.txt", "L'Iran a riposté à l'aube en tirant une douzaine de missiles sur la "
                   "base d'Aïn al-Assad"),
    ("cp1252.txt", "L’Iran a tiré « plus d’une douzaine » de missiles"),
    ("utf16_bom.txt", "“it is clear these missiles were launched from Iran”"),
])
def test_legacy_encodings_are_decoded_with_accents_intact(
    scripted: None, capsys: pytest.CaptureFixture[str], tmp_path: Path, name: str,
    words: str,
) -> None:
    (path,) = copy(tmp_path, name)
    status, summary, err = summarize_json(capsys, path)
    assert status == 0 and skipped(err) == []
    quotes = " ".join(c["quote"] for c in summary["claims"])
    assert words in quotes
    assert "Ã" not in json.dumps(summary, ensure_ascii=False), "mojibake"


def test_html_full_of_scripts_styles_and_navigation_keeps_only_the_article(
    scripted: None, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (path,) = copy(tmp_path, "scripts_page.html", source=HOSTILE_DATA)
    status, summary, err = summarize_json(capsys, path)
    assert status == 0 and skipped(err) == []
    assert summary["articles"][0]["outlets"] == ["River Gazette"]
    text = json.dumps(summary, ensure_ascii=False)
    assert "Varn river dam" in text
    # Markers planted in <script>, <style>, JSON-LD, <noscript>, <nav>, <aside>, footer.
    for marker in ("SCRIPT_MARKER", "STYLE_MARKER", "JSONLD_MARKER", "NOSCRIPT_MARKER",
                   "ASIDE_MARKER", "FOOTER_MARKER", "cookies", "Sign in",
                   "ignore previous instructions"):
        assert marker not in text, marker


def test_a_jsonl_manifest_with_a_broken_line(
    scripted: None, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (manifest,) = copy(tmp_path, "articles.jsonl")
    status, summary, err = summarize_json(capsys, manifest)
    assert status == 0
    assert summary["stats"]["articles"] == 2  # lines 1 and 4
    assert skipped(err) == [
        "factsum: skipped articles.jsonl:2: invalid JSON (Expecting ',' delimiter at column 48)",
        "factsum: skipped articles.jsonl:5: missing 'text'",
        "factsum: skipped articles.jsonl:6: expected a JSON object, got list",
    ]


def test_the_same_article_twice_is_collapsed(
    scripted: None, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    first, = copy(tmp_path, "latin1.txt")
    second = tmp_path / "copy_of_latin1.txt"
    shutil.copyfile(first, second)
    status, summary, err = summarize_json(capsys, first, second)
    assert status == 0 and skipped(err) == []
    assert summary["stats"]["articles"] == 1
    assert summary["articles"][0]["source"] == "latin1.txt, copy_of_latin1.txt"
    assert summary["stats"]["independent_sources"] == 1


def test_an_event_with_a_single_article_still_gets_a_summary(
    scripted: None, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (path,) = copy(tmp_path, "latin1.txt")
    status, summary, err = summarize_json(capsys, path)
    assert status == 0 and skipped(err) == []
    assert summary["points"], "one article still yields points"
    assert all(p["single_source"] and p["independent_sources"] == 1
               for p in summary["points"])
    status, out, _ = summarize(capsys, path)
    assert status == 0 and "*(single source)*" in out


def test_a_file_name_with_control_characters_stays_one_line(
    scripted: None, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    name = "evil\n\x1b[31mred\x1b[0m.txt"
    (tmp_path / name).write_bytes(b"")
    status, _out, err = summarize(capsys, tmp_path / name)
    assert status == 2
    assert err[0] == "factsum: skipped evil\\x0a\\x1b[31mred\\x1b[0m.txt: empty file"
    assert all("\x1b" not in line for line in err)


def test_an_output_path_that_is_a_folder_is_one_line_naming_it(
    scripted: None, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (path,) = copy(tmp_path, "latin1.txt")
    taken = tmp_path / "taken"
    taken.mkdir()
    status, out, err = summarize(capsys, path, "-o", taken)
    assert status == 1 and out == ""
    assert err[-1] == "factsum: error: taken: is a directory"  # as given
    assert list(tmp_path.glob(".taken.*")) == [], "the temp file is cleaned up"


# ----------------------------------------------------------------- --debug


def test_debug_shows_the_traceback_and_keeps_the_exit_status(
    scripted: None, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (path,) = copy(tmp_path, "empty.txt")
    assert main(["summarize", str(path)]) == 2
    assert "Traceback" not in capsys.readouterr().err
    assert main(["--debug", "summarize", str(path)]) == 2
    err = capsys.readouterr().err
    assert "Traceback (most recent call last)" in err
    assert "NoUsableInputError" in err
    assert err.rstrip().endswith("factsum: error: no usable article (1 input rejected)")


# ----------------------------------------------------------------- real processes


@pytest.fixture(scope="module")
def fake_server() -> Any:
    """The loopback fake model server (answers are fixtures built from the prompt)."""
    with FakeServer() as server:
        yield server


def test_process_with_some_bad_inputs_prints_only_one_line_messages(
    fake_server: FakeServer, tmp_path: Path
) -> None:
    paths = copy(tmp_path, "empty.txt", "image.png", "scan.pdf", "utf16_bom.txt",
                 "latin1.txt", "articles.jsonl")
    big = tmp_path / "big.txt"
    with big.open("wb") as handle:
        handle.truncate(20_000_000)
    # Pages lxml cannot parse: trafilatura logs several ERROR lines for each of them.
    (tmp_path / "blank.html").write_text("<!DOCTYPE html>", encoding="utf-8")
    (tmp_path / "script.html").write_text("<html><body><script>x()</script></body></html>",
                                          encoding="utf-8")
    env = subprocess_env(fake_server.base_url, tmp_path / "cache")
    result = run_factsum(["summarize", *map(str, paths), str(big), str(tmp_path / "blank.html"),
                          str(tmp_path / "script.html"), str(tmp_path / "missing.txt"),
                          "-o", str(tmp_path / "out.md")], env)
    assert result.returncode == 0, result.stderr
    assert_one_line_messages(result.stderr)
    names = [f"{tmp_path}/{name}" for name in (
        "empty.txt", "image.png", "scan.pdf", "articles.jsonl:2", "articles.jsonl:5",
        "articles.jsonl:6", "big.txt", "blank.html", "script.html", "missing.txt")]
    # Exactly one line per rejected input, and no library log line on top.
    assert skipped(lines(result.stderr)) == [
        line for name in names for line in lines(result.stderr)
        if line.startswith(f"factsum: skipped {name}: ")
    ]
    assert len(skipped(lines(result.stderr))) == len(names)
    assert "trafilatura" not in result.stderr
    assert "Qassem Soleimani" in (tmp_path / "out.md").read_text(encoding="utf-8")


def test_process_with_nothing_usable_exits_2_without_traceback(
    fake_server: FakeServer, tmp_path: Path
) -> None:
    paths = copy(tmp_path, "empty.txt", "one_word.txt", "image.png")
    env = subprocess_env(fake_server.base_url, tmp_path / "cache")
    result = run_factsum(["summarize", *map(str, paths), str(tmp_path)], env)
    assert result.returncode == 2
    assert result.stdout == ""
    assert_one_line_messages(result.stderr)
    assert lines(result.stderr)[-1].startswith("factsum: error: no usable article (")

    debug = run_factsum(["--debug", "summarize", *map(str, paths)], env)
    assert debug.returncode == 2
    assert "Traceback (most recent call last)" in debug.stderr


def test_the_installed_factsum_command_behaves_the_same(
    fake_server: FakeServer, tmp_path: Path
) -> None:
    script = Path(os.environ.get("VIRTUAL_ENV", "")) / "bin" / "factsum"
    local = Path(__file__).resolve().parents[2] / ".venv" / "bin" / "factsum"
    command = next((p for p in (script, local) if p.is_file()), None)
    if command is None:
        pytest.skip("no installed factsum script (package not installed in a venv)")
    (bad,) = copy(tmp_path, "scan.pdf")
    env = subprocess_env(fake_server.base_url, tmp_path / "cache")
    result = subprocess.run([str(command), "summarize", str(bad)], env=env,
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 2
    assert lines(result.stderr) == [
        f"factsum: skipped {bad}: binary file (PDF document), not text",
        "factsum: error: no usable article (1 input rejected)",
    ]


def test_sigterm_mid_run_stops_cleanly_and_writes_nothing(tmp_path: Path) -> None:
    """kill / systemd stop / a cron timeout: a one-line message, exit 130, no partial file.

    The same unwinding (KeyboardInterrupt through the context managers) is what stops
    the embedded model server; here a slow loopback server keeps a request in flight.
    """
    (source,) = copy(tmp_path, "latin1.txt")  # French: restated in English by the model
    output = tmp_path / "summary.md"
    with FakeServer(FaultConfig(latency_s=60)) as server:
        env = subprocess_env(server.base_url, tmp_path / "cache", OPENAI_API_KEY="none",
                             FACTSUM_MODEL="fake-model")
        proc = subprocess.Popen(
            [sys.executable, "-m", "factsum.cli", "summarize", str(source), "-o", str(output)],
            env=env, cwd=Path(__file__).resolve().parents[2],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 60
        while server.stats().chat_requests == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert server.stats().chat_requests > 0, "the run reached the server"
        proc.send_signal(signal.SIGTERM)
        _out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130
    assert_one_line_messages(err)
    assert err.strip().splitlines()[-1] == "factsum: interrupted"
    assert not output.exists() and not list(tmp_path.glob("summary.md*"))
