"""``-o`` and the output writers (issue 18, High 1).

Regressions, each failing before its fix (``write_atomic`` always wrote a temp file and
``os.replace``d the target):
  * ``-o /dev/null`` (run as root) replaced the device node with a regular file; a FIFO
    became a regular file and its reader never got the summary;
  * an existing 0600 output became 0644;
  * an output that is a symlink was replaced by a regular file, its target unchanged;
  * ``-o`` naming one of the inputs silently overwrote the article;
  * a failed write (read-only file system) named the temp file, not the output.

No test writes to a device node other than /dev/null.
"""

from __future__ import annotations

import errno
import os
import shutil
import stat
import threading
from pathlib import Path
from typing import Any

import pytest
from factsum.cli import main
from factsum.errors import ConfigError
from factsum.outputs import write_atomic, write_output
from support.hostile import INGEST_DATA, lines, use_scripted_model

GOOD_WORDS = "Qassem Soleimani"


@pytest.fixture
def article(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A usable article in tmp_path; the CLI's model is scripted (test fixtures)."""
    use_scripted_model(monkeypatch, tmp_path)
    target = tmp_path / "article.txt"
    shutil.copyfile(INGEST_DATA / "latin1.txt", target)
    return target


def run(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, list[str]]:
    status = main(["summarize", "--created", "2026-01-01", *map(str, args)])
    out, err = capsys.readouterr()
    return status, out, lines(err)


# ----------------------------------------------------------------- special files


def test_a_null_device_stays_a_device(article: Path, tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    """First on a private null device node (1, 3: the same device as /dev/null), so that a
    writer that replaces the node destroys only this copy; then on /dev/null itself."""
    private = tmp_path / "null"
    try:
        os.mknod(private, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    except PermissionError:
        # Not root: then nothing here can replace /dev/null either.
        private = Path("/dev/null")
    for node in dict.fromkeys([private, Path("/dev/null")]):
        before = node.stat()
        status, out, _err = run(capsys, article, "-o", node)
        assert status == 0 and out == ""
        after = node.stat()
        assert stat.S_ISCHR(after.st_mode), f"{node} was replaced"
        assert (after.st_ino, after.st_rdev) == (before.st_ino, before.st_rdev)


def test_a_fifo_is_written_into_not_replaced(article: Path, tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    fifo = tmp_path / "summary.pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    status, _out, _err = run(capsys, article, "-o", fifo)
    # A bound, not a timing check: a writer that replaced the FIFO never opened it, and
    # its reader would wait forever.
    reader.join(timeout=60)
    assert not reader.is_alive(), "nothing was written into the FIFO"
    assert status == 0
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert GOOD_WORDS in received[0].decode("utf-8")


def test_a_block_device_or_socket_is_refused(tmp_path: Path) -> None:
    import socket

    path = tmp_path / "sock"
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(path))
        with pytest.raises(ConfigError, match="is a socket"):
            write_output(path, "text")


# ----------------------------------------------------------------- regular files


def test_an_existing_file_keeps_its_mode(article: Path, tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    output = tmp_path / "private.md"
    output.write_text("old", encoding="utf-8")
    output.chmod(0o600)
    status, _out, _err = run(capsys, article, "-o", output)
    assert status == 0 and GOOD_WORDS in output.read_text(encoding="utf-8")
    assert stat.S_IMODE(output.stat().st_mode) == 0o600


def test_write_atomic_keeps_a_mode_unless_told(tmp_path: Path) -> None:
    path = tmp_path / "f.json"
    path.write_text("{}", encoding="utf-8")
    path.chmod(0o640)
    write_atomic(path, "[]")
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    write_atomic(path, "[1]", mode=0o600)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and path.read_text() == "[1]"


def test_a_new_file_follows_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o027)
    try:
        write_output(tmp_path / "new.md", "x")
        write_atomic(tmp_path / "new.json", "x")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "new.md").stat().st_mode) == 0o640
    assert stat.S_IMODE((tmp_path / "new.json").stat().st_mode) == 0o640


def test_a_symlinked_output_is_followed_and_the_link_kept(
    article: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "real" / "summary.md"
    target.parent.mkdir()
    target.write_text("old", encoding="utf-8")
    link = tmp_path / "summary.md"
    link.symlink_to(target)
    status, _out, _err = run(capsys, article, "-o", link)
    assert status == 0
    assert link.is_symlink() and GOOD_WORDS in target.read_text(encoding="utf-8")
    assert list(target.parent.glob(".*.tmp")) == []


def test_write_atomic_replaces_a_planted_symlink_without_following_it(tmp_path: Path) -> None:
    """Files factsum owns (batch outputs) never write through a link planted there."""
    elsewhere = tmp_path / "elsewhere.txt"
    elsewhere.write_text("keep me", encoding="utf-8")
    owned = tmp_path / "index.md"
    owned.symlink_to(elsewhere)
    write_atomic(owned, "index")
    assert not owned.is_symlink() and owned.read_text() == "index"
    assert elsewhere.read_text() == "keep me"


# ----------------------------------------------------------------- -o among the inputs


def test_an_output_that_is_an_input_is_refused(article: Path, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    before = article.read_bytes()
    status, out, err = run(capsys, article, "-o", article)
    assert status == 2 and out == ""
    assert err == [f"factsum: error: -o {article}: is also an input; write the summary "
                   "elsewhere"]
    assert article.read_bytes() == before
    # Through a symlink, too.
    link = tmp_path / "link.txt"
    link.symlink_to(article)
    status, _out, err = run(capsys, article, "-o", link)
    assert status == 2 and "is also an input" in err[0]
    assert article.read_bytes() == before


def test_an_output_an_input_folder_would_read_is_refused(
    article: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, _out, err = run(capsys, tmp_path, "-o", tmp_path / "summary.md")
    assert status == 2
    assert err == [f"factsum: error: -o {tmp_path / 'summary.md'}: is in the input folder "
                   f"{tmp_path} and would be read as an article; write the summary elsewhere"]
    assert not (tmp_path / "summary.md").exists()
    # JSON beside the articles is never read as one: allowed.
    status, _out, _err = run(capsys, tmp_path, "--format", "json", "-o", tmp_path / "s.json")
    assert status == 0 and (tmp_path / "s.json").is_file()


# ----------------------------------------------------------------- failures name the output


def test_a_failed_write_names_the_output_not_its_temp_file(
    article: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    output = tmp_path / "ro" / "summary.md"
    output.parent.mkdir()
    real_open = os.open

    def read_only(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        # What a read-only file system answers when the temp file is created beside it.
        if os.fsdecode(path).startswith(str(output.parent)) and flags & os.O_CREAT:
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), os.fsdecode(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", read_only)
    status, _out, err = run(capsys, article, "-o", output)
    assert status == 1
    assert err[-1] == f"factsum: error: {output}: read-only file system"

