"""A vcrpy request matcher for multipart uploads (registered in tests/conftest.py).

A multipart/form-data body is delimited by a boundary that the HTTP client draws at
random for every request, so two uploads of the same file never have equal bodies.
``multipart_body`` compares the parts (name, file name, content type, bytes) and ignores
the boundary; any other body is compared by vcrpy's own ``body`` matcher.
"""

from __future__ import annotations

import email.parser
import email.policy
from email.message import EmailMessage
from typing import Any

from vcr.matchers import body as vcr_body_matcher

MATCHER_NAME = "multipart_body"

Part = tuple[str | None, str | None, str, bytes]
"""(field name, file name, content type, content) of one multipart part."""


def multipart_parts(request: Any) -> list[Part] | None:
    """The parts of a vcrpy request's multipart/form-data body; None if it is not one."""
    content_type = str(request.headers.get("Content-Type", ""))
    if not content_type.lower().startswith("multipart/form-data"):
        return None
    raw = request.body or b""
    if isinstance(raw, str):
        raw = raw.encode("utf-8")
    message = email.parser.BytesParser(_class=EmailMessage, policy=email.policy.HTTP
                                       ).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + raw)
    if not message.is_multipart():
        return None
    parts: list[Part] = []
    for part in message.iter_parts():
        content = part.get_payload(decode=True)
        name = part.get_param("name", header="content-disposition")
        parts.append((name if isinstance(name, str) else None, part.get_filename(),
                      part.get_content_type(),
                      content if isinstance(content, bytes) else b""))
    return parts


def multipart_body(r1: Any, r2: Any) -> None:
    """vcrpy matcher: equal multipart parts whatever the boundary, else vcrpy's ``body``."""
    p1, p2 = multipart_parts(r1), multipart_parts(r2)
    if p1 is None or p2 is None:
        vcr_body_matcher(r1, r2)
        return
    if p1 != p2:
        names = [(p[0], len(p[3])) for p in p1], [(p[0], len(p[3])) for p in p2]
        raise AssertionError(f"multipart parts differ: {names[0]} != {names[1]}")
