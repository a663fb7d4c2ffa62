"""Shared helpers of the hostile-input tests (tests/test_hostile_*.py); no tests here.

The model answers used by these tests come from ``factsum.testing``: they are test
fixtures built from the prompt (``fake_answers``), never recorded model output, except
in tests/test_hostile_injection.py, whose recorded run comes from the real local model.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from factsum.llm.client import LLMClient
from factsum.settings import Settings
from factsum.testing.scripted import Handler, ScriptedTransport

ROOT = Path(__file__).resolve().parents[2]
INGEST_DATA = ROOT / "tests" / "data" / "ingest"
HOSTILE_DATA = ROOT / "tests" / "data" / "hostile"
# Never contacted: in-process tests swap the transport, so nothing listens here. It only
# makes the settings "have an endpoint", so no local model server is ever started.
UNUSED_LOOPBACK = "http://127.0.0.1:9/v1"
# Environment variables that would point a run somewhere else or change its settings.
_FOREIGN_ENV = ("OPENAI_API_KEY", "OPENAI_BASE_URL", "AZURE_OPENAI_API_KEY",
                "AZURE_OPENAI_ENDPOINT", "OPENAI_API_VERSION", "FACTSUM_MODEL",
                "FACTSUM_STRUCTURED_MODE", "FACTSUM_CACHE_DIR", "FACTSUM_LOCAL_MODEL",
                "FACTSUM_CONCURRENCY", "FACTSUM_BUDGET_USD", "FACTSUM_PRICES")

def use_scripted_model(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, handler: Handler | None = None
) -> list[ScriptedTransport]:
    """Make the CLI's ``open_llm`` yield an ``LLMClient`` on a ``ScriptedTransport``.

    The transport answers with ``handler`` (default: ``fake_answers.answer_for``, a
    test fixture). Returns a list that receives each transport, to inspect payloads.
    """
    for name in _FOREIGN_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("OPENAI_BASE_URL", UNUSED_LOOPBACK)
    monkeypatch.setenv("FACTSUM_CACHE_DIR", str(tmp_path / "cache"))
    transports: list[ScriptedTransport] = []

    @asynccontextmanager
    async def open_scripted(settings: Settings, *, progress: object = None
                            ) -> AsyncIterator[LLMClient]:
        transport = ScriptedTransport(handler)
        transports.append(transport)
        client = LLMClient(settings.llm, transport)
        try:
            yield client
        finally:
            await client.aclose()

    monkeypatch.setattr("factsum.backend.open_llm", open_scripted)
    return transports


def subprocess_env(base_url: str, cache_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of a real ``factsum`` process talking to a loopback server."""
    env = {k: v for k, v in os.environ.items() if k not in _FOREIGN_ENV}
    env.update(OPENAI_BASE_URL=base_url, FACTSUM_CACHE_DIR=str(cache_dir),
               PYTHONUNBUFFERED="1", COLUMNS="60", **extra)
    return env


def run_factsum(args: list[str], env: Mapping[str, str], *, timeout: float = 120
                ) -> subprocess.CompletedProcess[str]:
    """Run ``python -m factsum.cli ARGS`` in a real process (a traceback would show)."""
    return subprocess.run(
        [sys.executable, "-m", "factsum.cli", *args], env=dict(env), cwd=ROOT,
        capture_output=True, text=True, timeout=timeout, check=False,
    )


def lines(text: str) -> list[str]:
    """Non-empty lines of captured output."""
    return [line for line in text.splitlines() if line.strip()]


def assert_one_line_messages(stderr: str) -> None:
    """Every stderr line is a ``factsum: ...`` message and none is a traceback."""
    assert "Traceback" not in stderr
    for line in lines(stderr):
        assert line.startswith("factsum: "), f"not a one-line factsum message: {line!r}"


def tree_bytes(folder: Path) -> Iterator[tuple[Path, bytes]]:
    """Every regular file under ``folder`` with its bytes."""
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            yield path, path.read_bytes()
