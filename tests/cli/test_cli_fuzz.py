"""``factsum summarize`` on fuzzed paths (issue 18): whatever the names (any bytes, not
UTF-8, control characters), contents and kinds of file, the command ends with one-line
messages and an exit status of 0, 1 or 2; never a traceback or an internal error.

The model is a ScriptedTransport with a response cache (answers are test fixtures built
from the prompt), so the event fingerprint, which hashes the names, is exercised too.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from factsum.cli import main
from factsum.llm.cache import ResponseCache
from factsum.llm.client import LLMClient
from factsum.settings import Settings
from factsum.testing.scripted import ScriptedTransport
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.hostile import INGEST_DATA, lines, use_scripted_model

_NAMES = st.binary(min_size=1, max_size=24).filter(
    lambda b: b"/" not in b and b"\x00" not in b and b not in (b".", b".."))
_CONTENTS = st.sampled_from([
    b"", b"   \n", b"\x89PNG\r\n\x1a\n\x00\x00", (INGEST_DATA / "latin1.txt").read_bytes(),
    "Le gouvernement a annoncé mardi la fermeture du pont pour six semaines de travaux."
    .encode("utf-16-le"), b'{"text": "five words of text here"}\n{bad json\n',
])
_KINDS = st.sampled_from(["file", "folder", "fifo", "symlink-out", "missing"])


def _open_cached(cache_root: Path) -> object:
    @asynccontextmanager
    async def open_llm(settings: Settings, *, progress: object = None
                       ) -> AsyncIterator[LLMClient]:
        cache = ResponseCache(cache_root)
        client = LLMClient(settings.llm, ScriptedTransport(), cache=cache)
        try:
            yield client
        finally:
            await client.aclose()
            cache.close()
    return open_llm


def _make(root: Path, name: bytes, content: bytes, kind: str) -> str:
    """Create one input of ``kind`` named ``name`` under ``root``; return its path."""
    path = os.fsencode(root) + b"/" + name
    if kind == "folder":
        os.mkdir(path)
        with open(path + b"/" + name + b".txt", "wb") as handle:
            handle.write(content)
    elif kind == "fifo":
        os.mkfifo(path)
    elif kind == "symlink-out":
        os.mkdir(path)
        os.symlink(b"/etc/hostname", path + b"/linked.txt")
    elif kind == "file":
        with open(path, "wb") as handle:
            handle.write(content)
    return os.fsdecode(path)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(inputs=st.lists(st.tuples(_NAMES, _CONTENTS, _KINDS), min_size=1, max_size=3,
                       unique_by=lambda t: t[0]),
       json_output=st.booleans())
def test_fuzzed_paths_end_in_one_line_messages(
    inputs: list[tuple[bytes, bytes, str]], json_output: bool,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        use_scripted_model(monkeypatch, root)
        monkeypatch.setattr("factsum.backend.open_llm", _open_cached(root / "cache"))
        paths = [_make(root, name, content, kind) for name, content, kind in inputs]
        argv = ["summarize", "--created", "2026-01-01", *paths]
        if json_output:
            argv += ["--format", "json", "-o", str(root / "out" / "summary.json")]
        status = main(argv)
        out, err = capsys.readouterr()
    assert status in (0, 1, 2), err
    assert "Traceback" not in err and "internal error" not in err, err
    assert all(line.startswith("factsum: ") for line in lines(err)), err
    assert "\udcff" not in out  # printable: undecodable bytes became U+FFFD
