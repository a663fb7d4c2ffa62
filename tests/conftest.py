"""Shared pytest configuration: cassette settings for pytest-recording (vcrpy).

Cassettes live in the top-level cassettes/ folder. Requests are matched on method, path
and body (not host or port: the local model server listens on a random port), so
several calls to the same URL replay the right answers. Credentials, cookies and the
SDK's machine-identifying x-stainless-* headers are never written.

Uploads (the Batch API input file) are multipart bodies whose boundary is random: tests
that replay them match on ``multipart_body`` (support.cassettes), registered with vcrpy
through pytest-recording's ``pytest_recording_configure`` hook.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from support.cassettes import MATCHER_NAME, multipart_body
from vcr import VCR

ROOT = Path(__file__).resolve().parent.parent
CASSETTES = ROOT / "cassettes"

_DROP_REQUEST_HEADERS = ("authorization", "api-key", "cookie", "openai-organization",
                         "openai-project", "user-agent")
# content-length is dropped because bodies are re-indented for readability.
_KEEP_RESPONSE_HEADERS = {"content-type", "retry-after", "retry-after-ms"}


def _pretty(body: bytes | str | None) -> bytes | str | None:
    """Indent a JSON body so cassettes are readable; anything else is kept as is."""
    if not body:
        return body
    try:
        data = json.loads(body)
    except ValueError:
        return body
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    return text.encode("utf-8") if isinstance(body, bytes) else text


def _scrub_request(request: Any) -> Any:
    for name in list(request.headers):
        if name.lower() in _DROP_REQUEST_HEADERS or name.lower().startswith("x-stainless"):
            del request.headers[name]
    # vcrpy's body matcher compares application/json bodies as parsed JSON, so
    # re-indenting does not affect matching.
    request.body = _pretty(request.body)
    return request


def _scrub_response(response: dict[str, Any]) -> dict[str, Any]:
    headers = response.get("headers", {})
    for name in list(headers):
        if name.lower() not in _KEEP_RESPONSE_HEADERS:
            del headers[name]
    body = response.get("body", {})
    content_type = " ".join(str(v) for k, v in headers.items() if k.lower() == "content-type")
    # Only JSON documents: a one-line JSONL download would stop being JSONL if indented.
    if isinstance(body, dict) and "string" in body and "application/json" in content_type:
        body["string"] = _pretty(body["string"])
    return response


def pytest_recording_configure(config: pytest.Config, vcr: VCR) -> None:
    """Register the multipart matcher on every cassette's VCR (pytest-recording hook)."""
    vcr.register_matcher(MATCHER_NAME, multipart_body)


@pytest.fixture(scope="module")
def vcr_config() -> dict[str, Any]:
    """vcrpy settings for every cassette test (no record_mode here: the CLI decides)."""
    return {
        "match_on": ["method", "path", "body"],
        "filter_headers": ["authorization", "api-key", "cookie", "set-cookie"],
        "before_record_request": _scrub_request,
        "before_record_response": _scrub_response,
        "decode_compressed_response": True,
    }


@pytest.fixture(scope="module")
def vcr_cassette_dir(request: pytest.FixtureRequest) -> str:
    """cassettes/<test module name>/."""
    return str(CASSETTES / request.module.__name__.split(".")[-1])
