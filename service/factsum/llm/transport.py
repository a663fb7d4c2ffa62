"""The one place that talks HTTP: the OpenAI SDK (3.x, on httpx2) behind ``ChatTransport``.

The SDK's own retries are switched off (``max_retries=0``): the retry layer in
``factsum.llm.retry`` owns retries, and stacking both would multiply attempts. SDK
exceptions become ``TransientLLMError`` / ``PermanentLLMError`` with scrubbed one-line
messages; the SDK exception is not chained because it holds the request (and with it the
Authorization header) and the server's unscrubbed text.
"""

from __future__ import annotations

import email.utils
import math
import time
from collections.abc import Callable, Mapping
from typing import Any

import httpx2
import openai
from openai.types.chat import ChatCompletion

from factsum.errors import LLMError, PermanentLLMError, TransientLLMError
from factsum.llm.base import ChatResult, chat_result_from_json
from factsum.llm.redact import one_line, redact
from factsum.llm.config import LLMConfig

PLACEHOLDER_API_KEY = "not-needed"
"""Sent when no key is configured: local servers ignore it, the SDK insists on one."""

TRANSIENT_STATUSES = frozenset({408, 409, 429})
PERMANENT_QUOTA_CODES = frozenset({"insufficient_quota"})

# The order in which ``chat.completions.create`` puts these fields into the body. A
# payload of only these fields is posted with the SDK's ``post`` in this order: the same
# bytes on the wire (tests/test_llm_transport.py checks), without ``create``'s
# type-directed walk over every message and the whole JSON schema (about 1 ms of CPU per
# request) and without building the response model (``_to_result`` reads the JSON).
_CREATE_FIELD_ORDER = ("model", "messages", "max_tokens", "response_format", "seed",
                       "temperature")
_POST_OPTIONS: openai.RequestOptions = {"security": {"bearer_auth": True}}


def parse_retry_after(
    headers: Mapping[str, str], *, now: Callable[[], float] = time.time
) -> float | None:
    """Seconds to wait from ``retry-after-ms`` or ``retry-after`` (seconds or HTTP date)."""
    lowered = {k.lower(): v for k, v in headers.items()}
    for name, scale in (("retry-after-ms", 1000.0), ("retry-after", 1.0)):
        raw = lowered.get(name)
        if raw is None:
            continue
        try:
            value = float(raw.strip()) / scale
        except ValueError:
            value = math.nan
        if math.isfinite(value) and value >= 0:
            return value
    raw_date = lowered.get("retry-after")
    if raw_date:
        try:
            when = email.utils.parsedate_to_datetime(raw_date.strip())
        except (TypeError, ValueError, IndexError):
            return None
        return max(0.0, when.timestamp() - now())
    return None


def _server_message(exc: openai.APIStatusError) -> str:
    body = exc.body
    if isinstance(body, Mapping):
        message = body.get("message")
        if isinstance(message, str) and message:
            return message
    if isinstance(body, str) and body:
        return body
    return exc.response.reason_phrase or "no message"


def _error_code(exc: openai.APIStatusError) -> str | None:
    body = exc.body
    codes = {exc.code, exc.type}
    if isinstance(body, Mapping):
        codes |= {body.get("code"), body.get("type")}
    for code in codes:
        if isinstance(code, str) and code in PERMANENT_QUOTA_CODES:
            return code
    return exc.code


class OpenAITransport:
    """``ChatTransport`` over ``AsyncOpenAI`` (or ``AsyncAzureOpenAI`` with an Azure endpoint)."""

    def __init__(
        self, settings: LLMConfig, *, http_client: httpx2.AsyncClient | None = None
    ) -> None:
        key = settings.api_key.get_secret_value() if settings.api_key else ""
        self._secrets = (key,) if key else ()
        api_key = key or PLACEHOLDER_API_KEY
        self._timeout = settings.request_timeout_s
        self._client: openai.AsyncOpenAI
        if settings.azure_endpoint:
            self._client = openai.AsyncAzureOpenAI(
                azure_endpoint=settings.azure_endpoint,
                api_version=settings.azure_api_version,
                api_key=api_key,
                timeout=settings.request_timeout_s,
                max_retries=0,
                http_client=http_client,
            )
        else:
            self._client = openai.AsyncOpenAI(
                api_key=api_key,
                base_url=settings.base_url,
                timeout=settings.request_timeout_s,
                max_retries=0,
                http_client=http_client,
            )

    async def chat(self, payload: Mapping[str, Any]) -> ChatResult:
        """Send one chat-completion request; no retries here."""
        body = _in_create_order(payload)
        try:
            if body is None:  # a field this fast path does not know: let create() do it
                response = await self._client.chat.completions.create(**dict(payload))
            else:
                raw = await self._client.post("/chat/completions", body=body,
                                              cast_to=httpx2.Response, options=_POST_OPTIONS)
        except openai.OpenAIError as exc:
            error = self._map_error(exc)
        else:
            return self._to_result(response) if body is None else _raw_result(raw)
        # Raised outside the except block so that the SDK exception (which holds the
        # request and its Authorization header) is not even kept as __context__.
        raise error

    def _map_error(self, exc: openai.OpenAIError) -> LLMError:
        if isinstance(exc, openai.APITimeoutError):
            return TransientLLMError(
                f"model server did not answer within {self._timeout:g}s (timeout)"
            )
        if isinstance(exc, openai.APIConnectionError):
            detail = self._clean(str(exc.__cause__ or exc.message))
            return TransientLLMError(f"cannot reach the model server: {detail}")
        if isinstance(exc, openai.APIStatusError):
            return self._status_error(exc)
        return PermanentLLMError(f"model request failed: {self._clean(str(exc))}")

    async def aclose(self) -> None:
        """Close the SDK client and its connection pool."""
        await self._client.close()

    def _clean(self, text: str, limit: int = 300) -> str:
        return one_line(redact(text, self._secrets), limit)

    def _status_error(self, exc: openai.APIStatusError) -> LLMError:
        status = exc.status_code
        message = self._clean(_server_message(exc), 240)
        code = _error_code(exc)
        text = f"model server returned HTTP {status}: {message}"
        if status == 429 and code in PERMANENT_QUOTA_CODES:
            return PermanentLLMError(f"{text} (quota exhausted, not retried)", status=status)
        if status in TRANSIENT_STATUSES or status >= 500:
            if status == 500 and "response_format" in message:
                # llama-cpp-python rejects json_schema with a 500 that no retry can fix.
                return PermanentLLMError(
                    f"{text} (the server may not support this structured mode; "
                    "try FACTSUM_STRUCTURED_MODE=json_object_schema)",
                    status=status,
                )
            retry_after = parse_retry_after(exc.response.headers)
            return TransientLLMError(text, status=status, retry_after=retry_after)
        return PermanentLLMError(text, status=status)

    def _to_result(self, response: ChatCompletion | Any) -> ChatResult:
        # The SDK builds responses without validation: a broken server can omit fields.
        try:
            choice = response.choices[0]
            usage = response.usage
            return ChatResult(
                content=choice.message.content,
                finish_reason=choice.finish_reason,
                refusal=getattr(choice.message, "refusal", None),
                prompt_tokens=int(usage.prompt_tokens or 0) if usage else 0,
                completion_tokens=int(usage.completion_tokens or 0) if usage else 0,
                model=str(response.model or ""),
            )
        except (AttributeError, IndexError, TypeError, ValueError):
            raise PermanentLLMError("model server returned a malformed response") from None


def _in_create_order(payload: Mapping[str, Any]) -> dict[str, Any] | None:
    """``payload`` with its fields in ``create``'s order; None if it has another field."""
    if not payload.keys() <= set(_CREATE_FIELD_ORDER):
        return None
    return {k: payload[k] for k in _CREATE_FIELD_ORDER if k in payload}


def _raw_result(response: httpx2.Response) -> ChatResult:
    """``ChatResult`` from a chat-completion JSON body (what ``_to_result`` reads)."""
    # A broken server can send anything: every missing or mistyped field is "malformed".
    try:
        return chat_result_from_json(response.json())
    except (AttributeError, IndexError, KeyError, TypeError, ValueError):
        raise PermanentLLMError("model server returned a malformed response") from None
