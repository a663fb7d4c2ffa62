"""The Batch API over the OpenAI SDK: upload, create, poll, download.

Any server that implements the OpenAI batch file format works (``base_url``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

import httpx2
import openai

from factsum.batch.api_requests import BATCH_ENDPOINT
from factsum.errors import ConfigError, PermanentLLMError, TransientLLMError
from factsum.llm.retry import RetryPolicy, Sleep, call_with_retries
from factsum.llm.transport import sdk_client, sdk_error
from factsum.settings import Settings

R = TypeVar("R")


@dataclass(frozen=True)
class JobStatus:
    """A batch's state as the server reports it."""

    batch_id: str
    status: str
    output_file_id: str | None = None
    error_file_id: str | None = None
    errors: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


class BatchBackend(Protocol):
    """The four Batch API operations factsum needs."""

    async def submit(self, jsonl: bytes, metadata: Mapping[str, str]) -> str: ...

    async def status(self, batch_id: str) -> JobStatus: ...

    async def download(self, file_id: str) -> str: ...

    async def aclose(self) -> None: ...


class OpenAIBatchBackend:
    """``BatchBackend`` over the OpenAI SDK: the client and the error mapping are the
    transport's public ``sdk_client`` and ``sdk_error``.

    Calls go through the one retry layer, except that creating the batch is retried only
    after a 429: after a timeout or a 5xx the batch may exist, and a second one costs twice.
    """

    def __init__(self, settings: Settings, *, http_client: httpx2.AsyncClient | None = None,
                 sleep: Sleep | None = None) -> None:
        if settings.azure_endpoint:
            raise ConfigError("--via-batch-api does not support Azure endpoints")
        if not settings.has_endpoint:
            raise ConfigError("--via-batch-api needs an endpoint (OPENAI_API_KEY or "
                              "OPENAI_BASE_URL); the embedded local model has no Batch API")
        config = settings.llm
        self._secrets = config.secrets()
        self._timeout_s = config.request_timeout_s
        self._client = sdk_client(config, http_client=http_client)
        self._policy = RetryPolicy.from_config(config)
        self._sleep = sleep

    async def _call(self, fn: Callable[[], Awaitable[R]], *, idempotent: bool = True) -> R:
        async def attempt() -> R:
            try:
                return await fn()
            except openai.OpenAIError as exc:
                error = sdk_error(exc, timeout_s=self._timeout_s, secrets=self._secrets)
            if (not idempotent and isinstance(error, TransientLLMError)
                    and error.status != 429):
                error = PermanentLLMError(f"{error} (not retried: the batch may exist; "
                                          "check the server's batch list)", status=error.status)
            # Raised outside the except block: the SDK exception holds the request (and its
            # Authorization header), so it is not kept even as __context__.
            raise error

        return await call_with_retries(attempt, policy=self._policy, sleep=self._sleep)

    async def submit(self, jsonl: bytes, metadata: Mapping[str, str]) -> str:
        """Upload the input file and create the batch; returns the batch id."""
        uploaded = await self._call(lambda: self._client.files.create(
            file=("factsum-batch.jsonl", jsonl, "application/jsonl"), purpose="batch"))
        batch = await self._call(lambda: self._client.batches.create(
            input_file_id=uploaded.id, endpoint=BATCH_ENDPOINT, completion_window="24h",
            metadata=dict(metadata),
        ), idempotent=False)
        return batch.id

    async def status(self, batch_id: str) -> JobStatus:
        """Retrieve the batch."""
        batch = await self._call(lambda: self._client.batches.retrieve(batch_id))
        errors = [f"{e.code or 'error'}: {e.message or ''}".strip()
                  for e in (batch.errors.data or [] if batch.errors else [])]
        counts = batch.request_counts.model_dump() if batch.request_counts else {}
        return JobStatus(batch.id, batch.status, batch.output_file_id, batch.error_file_id,
                         errors, counts)

    async def download(self, file_id: str) -> str:
        """The text of an output or error file."""
        content = await self._call(lambda: self._client.files.content(file_id))
        return content.content.decode("utf-8")

    async def aclose(self) -> None:
        """Close the SDK client and its connection pool."""
        await self._client.close()
