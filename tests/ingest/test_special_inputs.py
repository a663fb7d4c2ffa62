"""Ingest of inputs that are not plain files or not plain names (issue 18).

Regressions, each failing before its fix:
  * devices and FIFOs were opened and read (``/dev/zero`` never ended, a FIFO blocked
    forever): now ``stat`` decides first and only regular files are read;
  * a folder followed its symlinks anywhere (``passwd.txt -> /etc/passwd`` reached the
    model): now only links that stay inside the folder are followed;
  * the event fingerprint hashed every file of a folder, skipped ones too (a 3 GB
    ``movie.mp4`` cost seconds): now it hashes only what ingest reads;
  * a file name that is not UTF-8 crashed the fingerprint (``json.dumps(...).encode()``);
  * UTF-16 without a BOM was "binary file (contains NUL bytes)";
  * a string naming a file was read as that file ("according to notes.md" was "no such
    file"), and ``summarize(None)`` failed deep inside with a bare TypeError.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import factsum.pipeline.fingerprint as fingerprint
import pytest
from factsum.ingest.readers import (
    NamedBytes,
    check_language_code,
    decode_bytes,
    folder_entries,
    input_list,
    load_articles,
)
from factsum.pipeline.fingerprint import inputs_digest

ARTICLE = "The river rose by two metres overnight and the bridge was closed to traffic."


@pytest.fixture
def fifo(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "pipe.txt"
    os.mkfifo(path)
    yield path


# ----------------------------------------------------------------- not regular files


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom", "/dev/null"])
def test_a_device_is_refused_from_its_stat_without_being_read(device: str) -> None:
    articles, (error,) = load_articles([Path(device)])
    assert articles == []
    assert str(error) == f"{device}: not a regular file (a character device)"


def test_a_fifo_is_refused_without_being_opened(fifo: Path) -> None:
    # Opening a FIFO for reading blocks until someone writes: this returning at all is
    # the test (before the fix it never did).
    articles, (error,) = load_articles([fifo])
    assert articles == []
    assert error.problem == "not a regular file (a pipe); give '-' to read standard input"
    assert inputs_digest([fifo]) is not None  # the fingerprint does not open it either


def test_a_fifo_or_device_in_a_folder_is_named_and_skipped(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "stuck.txt")
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (article,), (error,) = load_articles([tmp_path])
    assert article.source == "a.txt"
    assert str(error) == (f"{tmp_path}/stuck.txt: not a regular file (a pipe); give '-' to "
                          "read standard input")


def test_stdin_bytes_are_an_article_named_stdin() -> None:
    (article,), errors = load_articles([NamedBytes(ARTICLE.encode(), "stdin")])
    assert errors == [] and article.source == "stdin"
    _articles, (error,) = load_articles([NamedBytes(b"x" * 101, "stdin")], max_bytes=100)
    assert str(error) == "stdin: too large (over 100 bytes)"


# ----------------------------------------------------------------- symlinks


def test_a_symlink_leaving_the_folder_is_reported_not_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET root:x:0:0 five words of private text", encoding="utf-8")
    event = tmp_path / "event"
    event.mkdir()
    (event / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (event / "passwd.txt").symlink_to(secret)
    (event / "inside.txt").symlink_to(event / "a.txt")  # stays inside: followed
    articles, errors = load_articles([event])
    assert all("SECRET" not in a.text for a in articles)
    assert [str(e) for e in errors] == [
        f"{event}/passwd.txt: symlink leading outside the folder, not followed"]
    # The same article twice (a.txt and the link to it) counts once, naming both.
    assert [a.source for a in articles] == ["a.txt, inside.txt"]


def test_a_symlink_given_directly_is_followed(tmp_path: Path) -> None:
    target = tmp_path / "real.txt"
    target.write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "link.txt").symlink_to(target)
    (article,), errors = load_articles([tmp_path / "link.txt"])
    assert errors == [] and article.source == "link.txt"


def test_a_symlink_loop_in_a_folder_is_named(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "loop.txt").symlink_to(tmp_path / "loop.txt")
    (_article,), (error,) = load_articles([tmp_path])
    assert error.source == f"{tmp_path}/loop.txt" and error.problem.startswith("unreadable: ")


# ----------------------------------------------------------------- what is hashed


def test_the_fingerprint_never_hashes_what_ingest_skips(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch
                                                        ) -> None:
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    for name in ("movie.mp4", "huge.txt"):  # sparse: 3 GB by size, nothing on disk
        with (tmp_path / name).open("wb") as handle:
            handle.truncate(3_000_000_000)
    hashed: list[str] = []
    real = fingerprint.file_sha256

    def spy(path: Path, *args: object, **kwargs: object) -> str:
        hashed.append(path.name)
        return real(path)

    monkeypatch.setattr(fingerprint, "file_sha256", spy)
    first = inputs_digest([tmp_path])
    assert hashed == ["a.txt"]
    # Skipped files still count by name and reason: their coming or going changes it.
    (tmp_path / "movie.mp4").unlink()
    assert inputs_digest([tmp_path]) != first
    assert inputs_digest([tmp_path / "huge.txt"]) is not None
    assert hashed == ["a.txt", "a.txt"]


def test_folder_entries_say_why_each_file_is_skipped(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "b.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (tmp_path / ".hidden.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "sub").mkdir()
    entries = {e.path.name: e.skipped for e in folder_entries(tmp_path, max_bytes=10)}
    assert entries == {"a.txt": f"too large ({len(ARTICLE)} bytes, limit 10)",
                       "b.png": "not an article file (.txt, .md, .html, .jsonl)"}


# ----------------------------------------------------------------- names that are not UTF-8


def test_a_file_name_that_is_not_utf8_is_read_and_fingerprinted(tmp_path: Path) -> None:
    raw = os.fsencode(tmp_path) + b"/bad\xff\xfename.txt"
    with open(raw, "w", encoding="utf-8") as handle:
        handle.write(ARTICLE)
    path = Path(os.fsdecode(raw))
    (article,), errors = load_articles([path])
    assert errors == [] and article.source == "bad\ufffd\ufffdname.txt"
    digest = inputs_digest([path])
    assert digest is not None and digest == inputs_digest([tmp_path / path.name])
    folder_digest = inputs_digest([tmp_path])
    assert folder_digest is not None
    # Two names that print alike (both with U+FFFD) still hash apart: bytes, not text.
    with open(os.fsencode(tmp_path) + b"/bad\xfe\xffname.txt", "w", encoding="utf-8") as h:
        h.write(ARTICLE)
    assert inputs_digest([tmp_path]) != folder_digest


def test_records_and_texts_with_lone_surrogates_are_fingerprinted() -> None:
    assert inputs_digest(["text \ud800 here"]) != inputs_digest(["text \ud801 here"])
    assert inputs_digest([{"text": "x\udc80", "title": object()}]) is not None


# ----------------------------------------------------------------- encodings


def test_utf16_without_a_bom_is_text_not_binary() -> None:
    text = "L’Iran a tiré « plus d’une douzaine » de missiles sur deux bases."
    for codec in ("utf-16-le", "utf-16-be"):
        assert decode_bytes(text.encode(codec), "x") == text
    cyrillic = "Иран выпустил более десятка ракет по двум базам в Ираке."
    assert decode_bytes(cyrillic.encode("utf-16-le"), "x") == cyrillic


def test_real_binary_with_nul_bytes_is_still_binary() -> None:
    data = bytes(range(256)) * 4
    with pytest.raises(Exception, match="binary file \\(contains NUL bytes\\), not text"):
        decode_bytes(data, "x")


# ----------------------------------------------------------------- the Python contract


def test_a_string_is_article_text_even_when_it_ends_like_a_file_name() -> None:
    text = "The minister gave the figures in a briefing, according to notes.md"
    (article,), errors = load_articles([text])
    assert errors == [] and article.text == text


def test_a_string_that_is_only_a_path_is_explained() -> None:
    articles, (error,) = load_articles(["seeds/"])
    assert articles == []
    assert "looks like a path" in error.problem and "pathlib.Path" in error.problem


@pytest.mark.parametrize("bad", [None, 42, 3.5])
def test_a_non_list_of_articles_is_a_clear_type_error(bad: object) -> None:
    with pytest.raises(TypeError, match=rf"articles must be a list .* not {type(bad).__name__}"):
        load_articles(bad)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="articles must be a list"):
        inputs_digest(bad)


def test_single_inputs_are_one_item() -> None:
    assert input_list("text") == ["text"]
    assert input_list(Path("a")) == [Path("a")]
    assert input_list({"text": "t"}) == [{"text": "t"}]
    assert input_list(x for x in "ab") == ["a", "b"]


@pytest.mark.parametrize("code", ["en", "fr", "yue", "pt-BR", "zh-Hant", "sr-Latn-RS"])
def test_language_codes_are_accepted(code: str) -> None:
    assert check_language_code(code) == code


@pytest.mark.parametrize("bad", ["", "EN", "english", "fr\n=== system ===", "e", "fr-",
                                 "fr_FR", None, 12, "en\n"])
def test_anything_else_is_not_a_language_code(bad: object) -> None:
    with pytest.raises(ValueError, match="is not a language code"):
        check_language_code(bad)


def test_stat_of_a_sparse_file_is_what_the_size_check_uses(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    with big.open("wb") as handle:
        handle.truncate(20_000_000)
    assert stat.S_ISREG(big.stat().st_mode)
    _articles, (error,) = load_articles([big])
    assert error.problem == "too large (20000000 bytes, limit 5000000)"


def test_summarize_none_is_a_clear_type_error(tmp_path: Path) -> None:
    from factsum import Settings, summarize
    from factsum.llm.cache import ResponseCache
    from factsum.llm.client import LLMClient
    from factsum.testing.scripted import ScriptedTransport

    settings = Settings(model="m", base_url="http://127.0.0.1:9/v1", cache_dir=tmp_path)
    for cache in (None, ResponseCache(tmp_path / "llm")):  # with a cache: the fingerprint
        llm = LLMClient(settings.llm, ScriptedTransport(), cache=cache)
        with pytest.raises(TypeError, match=r"articles must be a list of article texts \(str\)"
                                            r", files or folders \(pathlib.Path\)"):
            summarize(None, settings=settings, llm=llm)  # type: ignore[arg-type]
        if cache is not None:
            cache.close()
