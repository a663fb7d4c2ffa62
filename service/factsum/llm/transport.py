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
from factsum.llm.base import ChatResult
from factsum.llm.config import LLMConfig
from factsum.llm.redact import one_line, redact

PLACEHOLDER_API_KEY = "not-needed"
"""Sent when no key is configured: local servers ignore it, the SDK insists on one."""

TRANSIENT_STATUSES = frozenset({408, 409, 429})
PERMANENT_QUOTA_CODES = frozenset({"insufficient_quota"})

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
        self._secrets = settings.secrets()
        self._timeout = settings.request_timeout_s
        self._client = sdk_client(settings, http_client=http_client)

    async def chat(self, payload: Mapping[str, Any]) -> ChatResult:
        """Send one chat-completion request; no retries here."""
        try:
            response = await self._client.chat.completions.create(**dict(payload))
        except openai.OpenAIError as exc:
            error = self._map_error(exc)
        except ValueError:  # a body that is not JSON at all (the SDK's json.loads)
            error = PermanentLLMError("model server returned a malformed response")
        else:
            return self._to_result(response)
        # Raised outside the except block so that the SDK exception (which holds the
        # request and its Authorization header) is not even kept as __context__.
        raise error

    def _map_error(self, exc: openai.OpenAIError) -> LLMError:
        return sdk_error(exc, timeout_s=self._timeout, secrets=self._secrets)

    async def aclose(self) -> None:
        """Close the SDK client and its connection pool."""
        await self._client.close()

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


def sdk_client(config: LLMConfig, *, http_client: httpx2.AsyncClient | None = None
               ) -> openai.AsyncOpenAI:
    """The SDK client for ``config``: ``AsyncAzureOpenAI`` with an Azure endpoint, else
    ``AsyncOpenAI``; the SDK's own retries off (the one retry layer is ours). On Azure an
    Entra ID token, when given, is sent instead of a key, as the SDK does."""
    key = config.api_key.get_secret_value() if config.api_key else ""
    api_key = key or PLACEHOLDER_API_KEY
    if config.azure_endpoint:
        token = config.azure_ad_token.get_secret_value() if config.azure_ad_token else None
        return openai.AsyncAzureOpenAI(
            azure_endpoint=config.azure_endpoint,
            api_version=config.azure_api_version,
            api_key=(key or None) if token else api_key,
            azure_ad_token=token,
            timeout=config.request_timeout_s,
            max_retries=0,
            http_client=http_client,
        )
    return openai.AsyncOpenAI(
        api_key=api_key,
        base_url=config.base_url,
        timeout=config.request_timeout_s,
        max_retries=0,
        http_client=http_client,
    )


def sdk_error(exc: openai.OpenAIError, *, timeout_s: float, secrets: tuple[str, ...] = ()
              ) -> LLMError:
    """An SDK exception as a ``TransientLLMError`` or ``PermanentLLMError`` with a
    scrubbed one-line message (``secrets`` are redacted from the server's text)."""

    def clean(text: str, limit: int = 300) -> str:
        return one_line(redact(text, secrets), limit)

    if isinstance(exc, openai.APITimeoutError):
        return TransientLLMError(f"model server did not answer within {timeout_s:g}s (timeout)")
    if isinstance(exc, openai.APIConnectionError):
        return TransientLLMError(
            f"cannot reach the model server: {clean(str(exc.__cause__ or exc.message))}")
    if isinstance(exc, openai.APIStatusError):
        return _status_error(exc, clean(_server_message(exc), 240))
    return PermanentLLMError(f"model request failed: {clean(str(exc))}")


def _status_error(exc: openai.APIStatusError, message: str) -> LLMError:
    status = exc.status_code
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
