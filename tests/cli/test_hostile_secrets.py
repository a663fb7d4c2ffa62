"""Secrets stay secret when the model server fails (issue 7).

With ``OPENAI_API_KEY=sk-test-SECRET-xyz`` the CLI talks to a loopback server that answers
401 or 500 and, like real servers, echoes the key back in its error text (and the
Authorization header too, worse than real ones). The key must then appear in no stdout
or stderr line (with and without --debug), no log record, no file under the cache
directory and no output file. A successful run (loopback ``FakeServer``, fixture answers)
fills the cache and writes the output, which must not hold the key either; the response
cache directory (``<FACTSUM_CACHE_DIR>/llm``, where every cached answer lives) is private
(0o700, files 0o600).

Not repeated here: the cache never unpickles anything (pickled rows and keys are refused
and deleted), see tests/test_llm_cache.py; ``redact`` itself, see tests/test_llm_redact.py.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import shutil
import stat
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
from factsum.cli import main
from factsum.testing.fake_server import FakeServer
from support.hostile import (
    INGEST_DATA,
    assert_one_line_messages,
    run_factsum,
    subprocess_env,
    tree_bytes,
)

SECRET = "sk-test-SECRET-xyz"
# Parts a partial leak would show (a truncated or re-encoded key).
FRAGMENTS = (SECRET, "SECRET-xyz", "test-SECRET")


class _EchoingHandler(BaseHTTPRequestHandler):
    """A model server that fails and repeats the caller's credentials in its error."""

    status: ClassVar[int] = 401
    seen_auth: ClassVar[list[str]] = []  # each served subclass gets its own list

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length", "0"))
        self.rfile.read(length)
        auth = self.headers.get("authorization", "")
        type(self).seen_auth.append(auth)
        if self.status == 401:
            message = (f"Incorrect API key provided: {SECRET}. You can find your API key "
                       f"at https://platform.openai.com/account/api-keys. ({auth})")
            error = {"message": message, "type": "invalid_request_error",
                     "code": "invalid_api_key", "param": None}
        else:
            error = {"message": f"upstream failed for api_key={SECRET}; Authorization: {auth}",
                     "type": "server_error", "code": None, "param": None}
        body = json.dumps({"error": error}).encode()
        self.send_response(self.status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.send_header("retry-after-ms", "1")  # keeps the bounded retries of 500 fast
        # The client may hang up as soon as it has read the status of a 401; a write to
        # a closed socket is its business, not a failure of this server.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.end_headers()
            self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Silence the default access log on stderr."""


@pytest.fixture(params=[401, 500])
def failing_server(request: pytest.FixtureRequest) -> Iterator[str]:
    """Base URL of a loopback server that answers every chat request with 401 or 500."""
    class Handler(_EchoingHandler):
        status = request.param
        seen_auth: ClassVar[list[str]] = []

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        server.shutdown()
        server.server_close()
        # Guard against a vacuous test: the key really was sent, and echoed back.
        assert any(SECRET in auth for auth in Handler.seen_auth)


def assert_no_secret(text: str, where: str) -> None:
    for fragment in FRAGMENTS:
        assert fragment not in text, f"{fragment!r} leaked into {where}"


def assert_no_secret_in_files(folder: Path) -> None:
    for path, data in tree_bytes(folder):
        for fragment in FRAGMENTS:
            assert fragment.encode() not in data, f"{fragment!r} leaked into {path}"


def assert_private_cache(cache_dir: Path) -> None:
    """The response cache (``ResponseCache.from_settings``: ``cache_dir / "llm"``) is
    0o700 and its files are readable by the owner only."""
    responses = cache_dir / "llm"
    assert stat.S_IMODE(responses.stat().st_mode) == 0o700
    for path, _data in tree_bytes(responses):
        assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, f"{path} is not private"


def article(tmp_path: Path) -> Path:
    target = tmp_path / "article.txt"
    shutil.copyfile(INGEST_DATA / "latin1.txt", target)
    return target


@pytest.mark.parametrize("debug", [False, True], ids=["plain", "debug"])
def test_a_failing_server_never_sees_its_echo_of_the_key_printed_or_logged(
    failing_server: str, debug: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture,
) -> None:
    for name in ("OPENAI_API_KEY", "FACTSUM_MODEL", "FACTSUM_STRUCTURED_MODE",
                 "AZURE_OPENAI_API_KEY", "AZURE_OPENAI_ENDPOINT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    monkeypatch.setenv("OPENAI_BASE_URL", failing_server)
    # Named, so the run does not first ask the failing server which models it lists.
    monkeypatch.setenv("FACTSUM_MODEL", "gpt-4o-mini")
    cache = tmp_path / "cache"
    monkeypatch.setenv("FACTSUM_CACHE_DIR", str(cache))
    caplog.set_level(logging.DEBUG)  # every record of every logger, SDK and HTTP included
    output = tmp_path / "summary.md"

    argv = ["summarize", str(article(tmp_path)), "-o", str(output)]
    status = main(["--debug", *argv] if debug else argv)

    out, err = capfd.readouterr()
    assert status == 1  # a model failure, reported on one line
    assert "model server returned HTTP" in err
    assert_no_secret(out, "stdout")
    assert_no_secret(err, "stderr")
    for record in caplog.records:
        assert_no_secret(record.getMessage(), f"log record {record.name}")
        if record.exc_text:
            assert_no_secret(record.exc_text, f"log traceback {record.name}")
    assert not output.exists()
    assert_no_secret_in_files(cache)
    assert_private_cache(cache)


def test_a_real_process_prints_no_key_and_no_traceback(
    failing_server: str, tmp_path: Path
) -> None:
    env = subprocess_env(failing_server, tmp_path / "cache", OPENAI_API_KEY=SECRET,
                         FACTSUM_MODEL="gpt-4o-mini")
    result = run_factsum(["summarize", str(article(tmp_path))], env)
    assert result.returncode == 1
    assert_one_line_messages(result.stderr)
    assert_no_secret(result.stdout + result.stderr, "the process output")
    assert_no_secret_in_files(tmp_path / "cache")


def test_a_successful_run_keeps_the_key_out_of_cache_and_output(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    output = tmp_path / "out" / "summary.json"
    output.parent.mkdir()
    with FakeServer() as server:  # fixture answers built from the prompt, over loopback
        env = subprocess_env(server.base_url, cache, OPENAI_API_KEY=SECRET)
        first = run_factsum(["--debug", "summarize", str(article(tmp_path)), "--format",
                             "json", "-o", str(output)], env)
        again = run_factsum(["summarize", str(article(tmp_path))], env)  # from the cache
    assert first.returncode == 0, first.stderr
    assert again.returncode == 0, again.stderr
    calls = re.search(r"(\d+) model calls", first.stderr)
    assert calls and int(calls[1]) > 0, first.stderr
    assert f"0 model calls, {calls[1]} cache hits" in again.stderr  # every call cached
    assert_no_secret(first.stdout + first.stderr + again.stdout + again.stderr, "output")
    assert_no_secret_in_files(cache)
    assert_no_secret(output.read_text(encoding="utf-8"), str(output))
    assert_private_cache(cache)
