"""The ``multipart_body`` cassette matcher (tests/support/cassettes.py): uploads match
part by part whatever their random boundary; other bodies match as vcrpy's ``body``."""

from __future__ import annotations

import json

import httpx2
import pytest
from support.cassettes import multipart_body, multipart_parts
from vcr.request import Request

URL = "http://127.0.0.1:9/v1/files"


def upload(content: bytes, purpose: str = "batch") -> Request:
    """A vcrpy request made from a real httpx2 multipart upload (random boundary)."""
    sent = httpx2.Request("POST", URL, data={"purpose": purpose},
                          files={"file": ("in.jsonl", content, "application/jsonl")})
    return Request("POST", URL, sent.read(), dict(sent.headers))


def test_uploads_of_the_same_file_match_whatever_the_boundary() -> None:
    first, second = upload(b'{"a": 1}\n'), upload(b'{"a": 1}\n')
    assert first.body != second.body  # the boundaries differ
    multipart_body(first, second)
    assert multipart_parts(first) == [
        ("purpose", None, "text/plain", b"batch"),
        ("file", "in.jsonl", "application/jsonl", b'{"a": 1}\n'),
    ]


@pytest.mark.parametrize("other", [upload(b'{"a": 2}\n'), upload(b'{"a": 1}\n', "fine-tune")])
def test_uploads_with_other_parts_do_not_match(other: Request) -> None:
    with pytest.raises(AssertionError, match="multipart parts differ"):
        multipart_body(upload(b'{"a": 1}\n'), other)


def test_other_bodies_are_compared_as_vcrpy_compares_them() -> None:
    headers = {"Content-Type": "application/json"}
    compact = Request("POST", URL, json.dumps({"a": 1, "b": 2}).encode(), headers)
    indented = Request("POST", URL, json.dumps({"b": 2, "a": 1}, indent=2).encode(), headers)
    multipart_body(compact, indented)  # equal JSON
    with pytest.raises(AssertionError):
        multipart_body(compact, Request("POST", URL, b'{"a": 2}', headers))
    with pytest.raises(AssertionError):
        multipart_body(upload(b"{}\n"), compact)
