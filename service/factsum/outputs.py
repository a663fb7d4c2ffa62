"""Writing output files safely.

Two entry points, for two kinds of path:

* :func:`write_atomic` for files factsum owns (a batch run's outputs, state and
  reports): a temp file in the same folder, fsync, then rename over the name. A reader
  (or a re-run after kill -9) sees the old file or the complete new one, never half.
  Whatever sits at the name is *replaced*, never written through: a symlink or a FIFO
  planted in an output folder becomes a regular file, and the link's target is untouched.
* :func:`write_output` for a path the user named (``summarize -o FILE``): a symlink is
  *followed* (its target is replaced atomically and the link stays, as a shell's ``>``
  would write through it); character devices and FIFOs (``/dev/null``, ``/dev/stdout``,
  a named pipe) are written straight into, never replaced; block devices and sockets are
  refused.

Both keep an existing file's permission bits (a new file gets 0666 less the umask, or
``mode`` when given), and an error names the file the caller asked for, never the temp.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
from pathlib import Path

from factsum.errors import ConfigError

_TEMP_ATTEMPTS = 16


def write_atomic(path: Path, text: str, *, mode: int | None = None) -> None:
    """Replace the directory entry ``path`` with ``text`` (UTF-8) atomically.

    ``mode`` forces the permission bits (e.g. 0o600 for private files); without it an
    existing regular file keeps its bits. A symlink or special file at ``path`` is
    replaced, not followed. Raises ``OSError`` naming ``path`` when the write fails.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            current = path.lstat()
        except FileNotFoundError:
            current = None
        if current is not None and stat.S_ISDIR(current.st_mode):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
        kept = current if current is not None and stat.S_ISREG(current.st_mode) else None
        _replace(path, text.encode("utf-8"), mode=mode, like=kept)
    except OSError as exc:
        raise _naming(exc, path) from exc


def write_output(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to the user's output ``path``; see the module docstring.

    Raises ``ConfigError`` for an output that cannot be written as asked (a block device
    or a socket) and ``OSError`` naming ``path`` when the write itself fails.
    """
    try:
        # The link is followed: the file it points to is the one the user means.
        target = Path(os.path.realpath(path)) if path.is_symlink() else path
        try:
            current = target.stat()
        except FileNotFoundError:
            current = None
        data = text.encode("utf-8")
        if current is None or stat.S_ISREG(current.st_mode):
            target.parent.mkdir(parents=True, exist_ok=True)
            _replace(target, data, mode=None, like=current)
        elif stat.S_ISDIR(current.st_mode):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
        elif stat.S_ISCHR(current.st_mode) or stat.S_ISFIFO(current.st_mode):
            _write_through(target, data)
        else:
            kind = "block device" if stat.S_ISBLK(current.st_mode) else "socket"
            raise ConfigError(f"{path}: is a {kind}; write the summary to a file")
    except OSError as exc:
        raise _naming(exc, path) from exc


def _replace(path: Path, data: bytes, *, mode: int | None, like: os.stat_result | None
             ) -> None:
    """Write ``data`` to a temp file beside ``path`` and rename it over ``path``."""
    # A new file without an explicit mode is created 0666 and the umask applies, as
    # for any program's output; otherwise it is created private and then given its bits.
    create_mode = 0o666 if mode is None and like is None else 0o600
    fd, tmp = _open_temp(path, create_mode)
    try:
        with os.fdopen(fd, "wb") as handle:
            bits = mode if mode is not None else None if like is None else stat.S_IMODE(
                like.st_mode)
            if bits is not None:
                os.fchmod(handle.fileno(), bits)
            if like is not None and (like.st_uid, like.st_gid) != (os.geteuid(), os.getegid()):
                # Run as root on someone's file: the file stays theirs when we may say so.
                with contextlib.suppress(PermissionError):
                    os.fchown(handle.fileno(), like.st_uid, like.st_gid)
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _open_temp(path: Path, create_mode: int) -> tuple[int, str]:
    """Create ``.NAME.<random>.tmp`` beside ``path`` (the name ``remove_stale_temps``
    looks for), exclusively, so no other file is ever opened through it."""
    for _ in range(_TEMP_ATTEMPTS):
        tmp = os.path.join(path.parent, f".{path.name}.{secrets.token_hex(4)}.tmp")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0),
                         create_mode)
        except FileExistsError:
            continue
        return fd, tmp
    raise FileExistsError(errno.EEXIST, "no free temporary name", str(path))


def _write_through(path: Path, data: bytes) -> None:
    """Write into a character device or FIFO: replacing the node would destroy it."""
    with open(path, "wb", buffering=0) as handle:
        view = memoryview(data)
        while view:
            view = view[handle.write(view) or 0:]


def _naming(exc: OSError, path: Path) -> OSError:
    """``exc`` naming ``path`` (the caller's file), not a temp file or a link target."""
    if exc.filename == str(path) and exc.filename2 is None:
        return exc
    return type(exc)(exc.errno, exc.strerror or str(exc), str(path))
