"""The fake server in a child process, so that it does not share the GIL (or a core)
with the pipeline being measured."""

from __future__ import annotations

import json
import selectors
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from factsum.localmodel import terminate

ROOT = Path(__file__).resolve().parent.parent


class ServerProcess:
    """``python -m factsum.testing.fake_server`` with the given options, on a free port."""

    def __init__(self, *options: str, startup_timeout_s: float = 30.0) -> None:
        self.options = list(options)
        self.startup_timeout_s = startup_timeout_s
        self._proc: subprocess.Popen[str] | None = None
        self._log: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115 - closed in stop()
        self.base_url = ""

    def start(self) -> ServerProcess:
        """Start the child and wait for the line with its URL."""
        cmd = [sys.executable, "-m", "factsum.testing.fake_server", "--port", "0",
               *self.options]
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=self._log,
                                stdin=subprocess.DEVNULL, text=True)
        self._proc = proc
        assert proc.stdout is not None
        with selectors.DefaultSelector() as sel:
            sel.register(proc.stdout, selectors.EVENT_READ)
            if not sel.select(self.startup_timeout_s):
                self.stop()
                raise RuntimeError("the fake server process did not start in time")
        line = proc.stdout.readline()
        if not line:
            self._log.seek(0)
            err = self._log.read().decode("utf-8", "replace")
            self.stop()
            raise RuntimeError(f"the fake server process failed: {err[-500:]}")
        self.base_url = str(json.loads(line)["base_url"])
        return self

    def stats(self) -> dict[str, Any]:
        """The server's counters (``GET /_stats``)."""
        url = self.base_url.removesuffix("/v1") + "/_stats"
        with urllib.request.urlopen(url, timeout=10) as resp:
            data: dict[str, Any] = json.load(resp)
        return data

    def stop(self) -> None:
        """SIGTERM, then SIGKILL after 10 s."""
        proc, self._proc = self._proc, None
        if proc is None:
            return
        terminate(proc)
        if proc.stdout is not None:
            proc.stdout.close()
        self._log.close()

    def __enter__(self) -> ServerProcess:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()


def wait_idle(server: ServerProcess, timeout_s: float = 10.0) -> dict[str, Any]:
    """Stats once nothing is in flight (held timeout faults may still be sleeping)."""
    deadline = time.monotonic() + timeout_s
    stats = server.stats()
    while stats["in_flight"] and time.monotonic() < deadline:
        time.sleep(0.05)
        stats = server.stats()
    return stats
