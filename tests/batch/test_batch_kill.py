"""kill -9 in the middle of a real ``factsum batch`` process, then resume.

The CLI runs in a subprocess against ``FakeServer`` on loopback (a fake model
server: its answers are test fixtures built from the prompt, not model output). The
server answers the first event's requests and one more, then holds the next; the test
SIGKILLs the process there.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from factsum.llm import ResponseCache
from factsum.testing.fake_server import FakeServer
from support.batch import EVENTS, tree, write_events

REPO = Path(__file__).resolve().parents[2]
CREATED = "2024-01-08"


def cli(src: Path, out: Path, base_url: str, cache: Path, log: Path) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("OPENAI_", "AZURE_", "FACTSUM_"))}
    env.update({
        "OPENAI_BASE_URL": base_url, "OPENAI_API_KEY": "sk-test-not-a-key",
        "FACTSUM_MODEL": "gpt-4o-mini", "FACTSUM_CACHE_DIR": str(cache),
        # One request at a time: "the first N + 1 answers" are then one whole event
        # (N calls) and the first call of the next one.
        "FACTSUM_CONCURRENCY": "1",
    })
    cmd = [sys.executable, "-m", "factsum.cli", "batch", str(src), "--out", str(out),
           "--created", CREATED]
    return subprocess.Popen(cmd, cwd=REPO, env=env, stdout=subprocess.DEVNULL,
                            stderr=log.open("wb"))


def finish(proc: subprocess.Popen[bytes]) -> int:
    return proc.wait(timeout=120)


def bodies(server: FakeServer) -> set[str]:
    return {json.dumps(b, sort_keys=True) for b in server.payloads}


def wait_for_cache_entries(cache: Path, count: int, timeout_s: float = 30.0) -> int:
    """Wait until the run's response cache holds ``count`` entries (an answer is
    committed right after its response arrives); the number held."""
    responses = ResponseCache(cache / "llm")
    try:
        deadline = time.monotonic() + timeout_s
        while (held := responses.stats().entries) < count and time.monotonic() < deadline:
            time.sleep(0.01)
        return held
    finally:
        responses.close()


def test_sigkill_mid_run_then_resume_redoes_only_unfinished_work(tmp_path: Path) -> None:
    src = write_events(tmp_path / "in")

    with FakeServer() as server:
        ref_out = tmp_path / "reference"
        assert finish(cli(src, ref_out, server.base_url, tmp_path / "ref-cache",
                          tmp_path / "ref.log")) == 0
        reference_calls = len(server.payloads)
    first_event = {e["event_id"]: e for e in json.loads(
        (ref_out / "run-report.json").read_text())["event_list"]}["bridge-closure"]
    answers = first_event["usage"]["requests"] + 1
    assert 1 < answers < reference_calls

    out, cache = tmp_path / "out", tmp_path / "cache"
    with FakeServer(hold_after=answers) as server:
        proc = cli(src, out, server.base_url, cache, tmp_path / "killed.log")
        try:
            assert server.held.wait(60), (tmp_path / "killed.log").read_text()
            # The next request is in flight; the answers before it are in the cache, with
            # the first event's finished summary.
            assert wait_for_cache_entries(cache, answers + 1) == answers + 1

            # A second run on the same OUT_DIR meanwhile: refused, one line, exit 2.
            second = subprocess.run(
                [sys.executable, "-m", "factsum.cli", "batch", str(src), "--out", str(out)],
                cwd=REPO, capture_output=True, text=True, timeout=120,
                env={**os.environ, "OPENAI_BASE_URL": server.base_url,
                     "OPENAI_API_KEY": "sk-test-not-a-key"},
            )
            assert second.returncode == 2
            assert second.stderr.count("\n") == 1
            assert "another factsum batch run is using" in second.stderr
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=30)
        answered = bodies(server)
    assert len(answered) == answers
    assert (out / ".factsum" / "state" / "bridge-closure.json").is_file()
    assert not (out / "flood-river").exists()

    with FakeServer() as server:
        assert finish(cli(src, out, server.base_url, cache, tmp_path / "resumed.log")) == 0
        resumed = bodies(server)
        resumed_calls = len(server.payloads)
    # No model call for anything answered before the kill; everything else once.
    assert not resumed & answered
    assert resumed_calls == reference_calls - answers

    report: dict[str, Any] = json.loads((out / "run-report.json").read_text())
    statuses = {e["event_id"]: e["status"] for e in report["event_list"]}
    assert statuses == {"bridge-closure": "unchanged", "flood-river": "done",
                        "power-outage": "done"}
    assert report["usage"]["requests"] == reference_calls - answers
    assert report["usage"]["cache_hits"] == 1
    ref, got = tree(ref_out), tree(out)
    for name in EVENTS:
        for f in ("summary.md", "summary.json"):
            assert got[f"{name}/{f}"] == ref[f"{name}/{f}"], f"{name}/{f} differs"
    assert not list(out.rglob("*.tmp"))
