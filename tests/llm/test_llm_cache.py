"""ResponseCache: JSON text only, pickles refused, private files, corruption survived."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import stat
from collections.abc import Mapping
from pathlib import Path

import diskcache
import httpx2
import pytest
from support.llm import FAKE_KEY, MockServer, completion_body, make_settings, ok, request

from factsum.errors import CacheError
from factsum.llm import LLMClient, OpenAITransport, ResponseCache, cache_key
from factsum.llm.base import ChatResult
from factsum.llm.cache import canonical_digest
from factsum.llm.client import build_payload
from factsum.settings import Settings

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


def test_client_keys_match_build_payload_keys(tmp_path: Path) -> None:
    """The real-time client and the Batch API path must file answers under one key."""
    from factsum.llm.structured import response_format_digest
    from factsum.models import ExtractionResult as Extraction
    from factsum.settings import StructuredMode

    settings = Settings(model="m", cache_dir=tmp_path, use_local_model=False)
    messages = [{"role": "user", "content": "hello"}]
    for mode in StructuredMode:
        conf = settings.model_copy(update={"structured_mode": mode})
        payload = build_payload(conf, messages, Extraction)
        assert cache_key(payload, "v1") == cache_key(
            payload, "v1", format_digest=response_format_digest(mode, Extraction))


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


async def test_writes_from_an_event_loop_are_grouped_and_served_until_written(
        tmp_path: Path) -> None:
    cache = ResponseCache(tmp_path / "c", write_delay_s=0.05)
    other = ResponseCache(tmp_path / "c")  # another reader of the same directory
    writes: list[int] = []
    real_write = cache._write

    def counting(entries: Mapping[str, str]) -> bool:
        writes.append(len(entries))
        return real_write(entries)

    cache._write = counting  # type: ignore[method-assign]
    for n in range(3):
        assert cache.set_text(f"k{n}", f'"v{n}"')
    assert cache.get_text("k1") == '"v1"'  # served from memory meanwhile
    assert other.get_text("k1") is None  # not on disk yet
    await asyncio.sleep(0.2)
    assert writes == [3]  # one transaction for the three
    assert [other.get_text(f"k{n}") for n in range(3)] == ['"v0"', '"v1"', '"v2"']


async def test_close_and_flush_write_at_once(tmp_path: Path) -> None:
    cache = ResponseCache(tmp_path / "c", write_delay_s=60.0)
    cache.set_text("a", '"1"')
    assert cache.flush() and ResponseCache(tmp_path / "c").get_text("a") == '"1"'
    cache.set_text("b", '"2"')
    cache.close()
    assert ResponseCache(tmp_path / "c").get_text("b") == '"2"'


def test_writes_outside_an_event_loop_are_immediate(tmp_path: Path) -> None:
    cache = ResponseCache(tmp_path / "c", write_delay_s=60.0)
    cache.set_text("a", '"1"')
    assert ResponseCache(tmp_path / "c").get_text("a") == '"1"'
