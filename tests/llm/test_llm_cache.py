"""ResponseCache: JSON text only, pickles refused, private files, corruption survived."""

from __future__ import annotations

import logging
import os
import sqlite3
import stat
from pathlib import Path

import diskcache
import httpx2
import pytest
from factsum.errors import CacheError
from factsum.llm import LLMClient, LLMConfig, OpenAITransport, ResponseCache, cache_key
from factsum.llm.base import ChatResult
from factsum.llm.cache import KEEP_CORRUPT, canonical_digest
from factsum.llm.client import build_payload
from factsum.llm.config import StructuredMode
from factsum.llm.structured import response_format_digest
from support.llm import FAKE_KEY, MockServer, Pair, completion_body, make_settings, ok, request

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


PAYLOAD = {"model": "m", "messages": [{"role": "user", "content": "hi"}], "temperature": 0.0}


class _Boom:
    """Unpickling this object creates a marker file: proof that a pickle was loaded."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[Path]]:
        return (Path.touch, (self.marker,))


def test_roundtrip_stats_and_clear(tmp_path: Path) -> None:
    cache = ResponseCache(tmp_path / "c")
    key = cache_key(PAYLOAD, "v1")
    assert cache.get(key) is None
    result = ok('{"name": "é", "count": 1}')
    assert cache.set(key, result) is True
    assert cache.get(key) == result
    stats = cache.stats()
    assert stats.entries == 1 and stats.size_bytes > 0 and stats.directory == tmp_path / "c"
    assert cache.clear() == 1 and cache.stats().entries == 0


def test_truncated_refused_and_empty_results_are_not_stored(tmp_path: Path) -> None:
    cache = ResponseCache(tmp_path / "c")
    for i, result in enumerate([
        ChatResult(content='{"a"', finish_reason="length"),
        ChatResult(content=None, finish_reason="stop", refusal="no"),
        ChatResult(content=None, finish_reason="stop"),
    ]):
        assert cache.set(f"k{i}", result) is False
    assert cache.stats().entries == 0


def test_key_is_canonical_and_covers_version() -> None:
    reordered = dict(reversed(list(PAYLOAD.items())))
    assert cache_key(PAYLOAD, "v1") == cache_key(reordered, "v1")
    assert cache_key(PAYLOAD, "v1") != cache_key(PAYLOAD, "v2")
    assert cache_key(PAYLOAD, "v1") != cache_key({**PAYLOAD, "seed": 1}, "v1")
    assert len(cache_key(PAYLOAD, "v1")) == 64


def test_a_passed_format_digest_gives_the_same_key_and_the_format_still_counts() -> None:
    fmt = {"type": "json_schema", "json_schema": {"name": "A", "schema": {"type": "object"}}}
    payload = {**PAYLOAD, "response_format": fmt}
    digest = canonical_digest(fmt)
    assert cache_key(payload, "v1", format_digest=digest) == cache_key(payload, "v1")
    other = {**payload, "response_format": {"type": "json_object"}}
    assert cache_key(other, "v1") != cache_key(payload, "v1")


def test_client_keys_match_build_payload_keys() -> None:
    """The real-time client and the Batch API path must file answers under one key."""
    messages = [{"role": "user", "content": "hello"}]
    for mode in StructuredMode:
        conf = LLMConfig(model="m", structured_mode=mode)
        payload = build_payload(conf, messages, Pair)
        assert cache_key(payload, "v1") == cache_key(
            payload, "v1", format_digest=response_format_digest(mode, Pair))


def test_directory_and_files_are_private(tmp_path: Path) -> None:
    directory = tmp_path / "c"
    cache = ResponseCache(directory)
    cache.set(cache_key(PAYLOAD, "v1"), ok("{}"))
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    for path in directory.rglob("*"):
        if path.is_file():
            assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, path


def test_existing_open_directory_is_tightened(tmp_path: Path) -> None:
    directory = tmp_path / "c"
    directory.mkdir(mode=0o755)
    directory.chmod(0o755)
    ResponseCache(directory)
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700


def test_pickled_row_is_refused_not_unpickled(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    directory = tmp_path / "c"
    key = cache_key(PAYLOAD, "v1")
    marker = tmp_path / "unpickled"
    ResponseCache(directory).close()
    planted = diskcache.Cache(str(directory))  # the default Disk pickles non-str values
    planted.set(key, _Boom(marker))  # a pickle inside the database row
    planted.close()
    as_file = diskcache.Cache(str(directory), disk_min_file_size=0)
    as_file.set("big", _Boom(marker))  # a pickle in a value file
    as_file.close()
    assert any(directory.rglob("*.val"))
    cache = ResponseCache(directory)
    with caplog.at_level(logging.WARNING, logger="factsum.llm"):
        assert cache.get(key) is None
        assert cache.get("big") is None
    assert not marker.exists()
    assert "unsafe row" in caplog.text
    assert cache.stats().entries == 0  # the refused rows were deleted


def test_non_text_values_are_not_stored(tmp_path: Path) -> None:
    cache = ResponseCache(tmp_path / "c")
    with pytest.raises(TypeError):
        cache._cache.set("k", {"a": 1})
    with pytest.raises(TypeError):
        cache._cache.set(("tuple", "key"), "x")


def test_corrupted_directory_is_moved_aside_and_rebuilt(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    directory = tmp_path / "c"
    cache = ResponseCache(directory)
    cache.set(cache_key(PAYLOAD, "v1"), ok("{}"))
    cache.close()
    for name in ("cache.db-wal", "cache.db-shm"):
        (directory / name).unlink(missing_ok=True)
    (directory / "cache.db").write_bytes(b"\x00garbage, not sqlite\xff" * 512)
    with caplog.at_level(logging.WARNING, logger="factsum.llm"):
        rebuilt = ResponseCache(directory)
    moved = list(tmp_path.glob("c.corrupt-*"))
    assert len(moved) == 1 and (moved[0] / "cache.db").exists()
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "\n" not in warnings[0].getMessage()
    assert rebuilt.get(cache_key(PAYLOAD, "v1")) is None
    rebuilt.set(cache_key(PAYLOAD, "v1"), ok("{}"))
    assert rebuilt.stats().entries == 1


def test_corruption_during_a_run_does_not_crash(tmp_path: Path) -> None:
    directory = tmp_path / "c"
    cache = ResponseCache(directory)
    cache.set("k", ok("{}"))
    cache.close()  # connections are reopened lazily on next use
    for name in ("cache.db-wal", "cache.db-shm"):
        (directory / name).unlink(missing_ok=True)
    (directory / "cache.db").write_bytes(b"garbage" * 1000)
    assert cache.get("k") is None
    assert cache.set("k", ok("{}")) is True
    assert cache.get("k") == ok("{}")
    assert len(list(tmp_path.glob("c.corrupt-*"))) == 1


async def test_api_key_never_reaches_cache_files(tmp_path: Path) -> None:
    server = MockServer([httpx2.Response(200, json=completion_body())])
    settings = make_settings(tmp_path)
    client = LLMClient(settings.llm, OpenAITransport(settings.llm, http_client=server.client()),
                       cache=ResponseCache(settings.response_cache_dir))
    await client.complete(request())
    await client.aclose()
    files = [p for p in settings.cache_dir.rglob("*") if p.is_file()]
    assert files
    for path in files:
        data = path.read_bytes()
        assert FAKE_KEY.encode() not in data and b"SECRET123" not in data
        assert b"llm.test" not in data


def test_locked_database_is_skipped_not_moved_aside(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = ResponseCache(tmp_path / "c")
    cache.set("k", ok("{}"))

    def locked(*args: object, **kwargs: object) -> None:
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(cache._cache, "get", locked)
    monkeypatch.setattr(cache._cache, "set", locked)
    assert cache.get("k") is None
    assert cache.set("k2", ok("{}")) is False
    assert not list(tmp_path.glob("c.corrupt-*"))
    monkeypatch.undo()
    assert cache.get("k") == ok("{}")


def test_unusable_directory_raises_cache_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(CacheError, match="unusable"):
        ResponseCache(blocker / "c")


async def test_a_write_from_an_event_loop_is_on_disk_when_set_returns(tmp_path: Path) -> None:
    """No write-behind: another reader of the directory sees the entry at once."""
    cache = ResponseCache(tmp_path / "c")
    other = ResponseCache(tmp_path / "c")
    assert cache.set(cache_key(PAYLOAD, "v1"), ok("{}")) is True
    assert cache.set_text("k", '"v"') is True
    assert other.get(cache_key(PAYLOAD, "v1")) == ok("{}")
    assert other.get_text("k") == '"v"'


@pytest.mark.parametrize("name", ["cache.db", "cache.db-wal", "cache.db-shm"])
def test_a_planted_symlink_is_removed_not_followed(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, name: str
) -> None:
    directory = tmp_path / "c"
    directory.mkdir(mode=0o700)
    target = tmp_path / "victim.txt"
    target.write_text("someone's file")
    target.chmod(0o644)
    (directory / name).symlink_to(target)
    with caplog.at_level(logging.WARNING, logger="factsum.llm"):
        cache = ResponseCache(directory)
        cache.set("k", ok("{}"))
    assert stat.S_IMODE(target.stat().st_mode) == 0o644  # not chmod-ed through the link
    assert target.read_text() == "someone's file"  # not opened by SQLite either
    assert not (directory / name).is_symlink()
    db = directory / "cache.db"
    assert db.is_file() and stat.S_IMODE(db.stat().st_mode) == 0o600
    assert "symbolic link" in caplog.text and cache.get("k") == ok("{}")


def test_a_dangling_planted_symlink_does_not_create_its_target(tmp_path: Path) -> None:
    directory = tmp_path / "c"
    directory.mkdir(mode=0o700)
    target = tmp_path / "created-elsewhere"
    (directory / "cache.db").symlink_to(target)
    ResponseCache(directory).set("k", ok("{}"))
    assert not target.exists() and not os.path.lexists(target)


def _corrupt(directory: Path) -> None:
    for name in ("cache.db-wal", "cache.db-shm"):
        (directory / name).unlink(missing_ok=True)
    (directory / "cache.db").write_bytes(b"garbage, not sqlite" * 100)


def test_corrupted_copies_do_not_pile_up(tmp_path: Path) -> None:
    directory = tmp_path / "c"
    # Older copies, named as _move_aside names them (-10 sorts after -2: it is newer).
    old = ["c.corrupt-20240101-000000", "c.corrupt-20250101-000000-2",
           "c.corrupt-20250101-000000-10", "c.corrupt-20250601-120000"]
    for name in old:
        (tmp_path / name).mkdir()
    unrelated = tmp_path / "c.corrupt-notes"
    unrelated.mkdir()
    ResponseCache(directory).close()
    _corrupt(directory)
    ResponseCache(directory).close()  # moved aside: a fifth copy, the newest
    left = sorted(p.name for p in tmp_path.glob("c.corrupt-2*"))
    assert len(left) == KEEP_CORRUPT == 3
    assert "c.corrupt-20250101-000000-10" in left and "c.corrupt-20250601-120000" in left
    assert not any(name in left for name in old[:2])
    assert unrelated.is_dir()  # not named like a copy: never touched


def test_clear_removes_corrupted_copies_too(tmp_path: Path) -> None:
    directory = tmp_path / "c"
    cache = ResponseCache(directory)
    cache.set("k", ok("{}"))
    cache.close()
    _corrupt(directory)
    cache = ResponseCache(directory)
    cache.set("k", ok("{}"))
    assert len(list(tmp_path.glob("c.corrupt-*"))) == 1
    elsewhere = tmp_path / "kept"
    elsewhere.mkdir()
    (tmp_path / "c.corrupt-20250101-000000").symlink_to(elsewhere)  # a link: not removed
    assert cache.clear() == 1
    assert [p.name for p in tmp_path.glob("c.corrupt-*")] == ["c.corrupt-20250101-000000"]
    assert elsewhere.is_dir() and cache.stats().entries == 0
