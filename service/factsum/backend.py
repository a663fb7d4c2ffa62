"""Choosing and opening the model backend for a run.

With an endpoint configured (OPENAI_API_KEY / OPENAI_BASE_URL / Azure), calls go there.
Otherwise the embedded local model serves them: its server is started lazily, on the
first request the cache cannot answer, so a cache-warm rerun never loads the model.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

from factsum.errors import ConfigError, LocalModelError
from factsum.llm.base import ChatResult, ProgressFn
from factsum.llm.cache import ResponseCache
from factsum.llm.client import LLMClient
from factsum.llm.ledger import Ledger
from factsum.llm.transport import OpenAITransport
from factsum.localmodel import (
    DEFAULT_MODEL,
    INSTALL_HINT,
    LocalServer,
    custom_model_name,
    resolve_model,
    server_available,
)
from factsum.settings import Settings, StructuredMode


def local_settings(settings: Settings) -> Settings:
    """Settings for the embedded model: its name, and the json_object+schema form that
    llama-cpp-python's server accepts (it rejects ``json_schema``)."""
    path = settings.local_model_path
    name = custom_model_name(path) if path else DEFAULT_MODEL.name
    return settings.model_copy(update={
        "model": name if settings.model == "local" else settings.model,
        "structured_mode": StructuredMode.JSON_OBJECT_SCHEMA,
    })


class LazyLocalTransport:
    """A ChatTransport that starts the local server on first use and stops it on close."""

    def __init__(self, settings: Settings, progress: ProgressFn | None = None) -> None:
        self.settings = settings
        self._progress = progress or (lambda _m: None)
        self._server: LocalServer | None = None
        self._inner: OpenAITransport | None = None
        self._lock = asyncio.Lock()

    async def _ensure(self) -> OpenAITransport:
        async with self._lock:
            if self._inner is None:
                if not server_available():
                    raise LocalModelError(INSTALL_HINT)
                self._progress("verifying the local model file (sha256)…")
                name, path = await asyncio.to_thread(
                    resolve_model, self.settings.local_model_path, self.settings.cache_dir,
                    self.settings.model,
                )
                self._progress(f"starting the local model server ({name})…")
                server = LocalServer(path, alias=self.settings.model)
                await asyncio.to_thread(server.start)
                self._server = server
                self._progress(f"local model ready at {server.base_url}")
                self._inner = OpenAITransport(
                    self.settings.model_copy(update={"base_url": server.base_url}).llm
                )
            return self._inner

    async def chat(self, payload: Mapping[str, Any]) -> ChatResult:
        """Send through the local server, starting it first if needed."""
        inner = await self._ensure()
        return await inner.chat(payload)

    async def aclose(self) -> None:
        """Close the client and stop the server."""
        if self._inner is not None:
            await self._inner.aclose()
        if self._server is not None:
            await asyncio.to_thread(self._server.stop)
        self._inner = self._server = None


def effective_settings(settings: Settings) -> Settings:
    """The settings a run really uses (local model name and mode filled in)."""
    if settings.has_endpoint:
        return settings
    if not settings.use_local_model:
        raise ConfigError(INSTALL_HINT)
    return local_settings(settings)


@asynccontextmanager
async def open_llm(settings: Settings, *, progress: ProgressFn | None = None
                   ) -> AsyncIterator[LLMClient]:
    """An LLM client for ``settings``; closes transport, server and cache on exit."""
    conf = effective_settings(settings)
    transport: OpenAITransport | LazyLocalTransport
    if conf.has_endpoint:
        transport = OpenAITransport(conf.llm)
    else:
        if not server_available():
            raise LocalModelError(INSTALL_HINT)
        transport = LazyLocalTransport(conf, progress)
    cache = ResponseCache(conf.response_cache_dir) if conf.use_cache else None
    client = LLMClient(conf.llm, transport, cache=cache, ledger=Ledger.from_config(conf.llm))
    try:
        yield client
    finally:
        await client.aclose()
