"""Choosing and opening the model backend for a run.

With an endpoint configured (OPENAI_API_KEY / OPENAI_BASE_URL / Azure), calls go there;
with OPENAI_BASE_URL and no model named, the server's ``/v1/models`` must list exactly
one model, which is used. Otherwise the embedded local model serves the calls: its
server is started lazily, on the first request the cache cannot answer, so a cache-warm
rerun never loads the model.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx2
import openai

from factsum.errors import ConfigError, LocalModelError
from factsum.llm.base import ChatResult, ProgressFn
from factsum.llm.cache import ResponseCache
from factsum.llm.client import LLMClient
from factsum.llm.config import LLMConfig
from factsum.llm.ledger import Ledger
from factsum.llm.transport import OpenAITransport, sdk_client, sdk_error
from factsum.localmodel import (
    DEFAULT_MODEL,
    INSTALL_HINT,
    LocalServer,
    custom_model_name,
    resolve_model,
    server_available,
)
from factsum.settings import (
    MODEL_DEFAULT,
    OPENAI_DEFAULT_MODEL,
    Settings,
    StructuredMode,
    with_list_price,
)

logger = logging.getLogger(__name__)

# Listing models is one small request: a server that does not answer it in this time
# will not serve a run either (the run's own timeout may be many minutes).
MODELS_TIMEOUT_S = 30.0
MODELS_SHOWN = 5


def local_settings(settings: Settings) -> Settings:
    """Settings for the embedded model: its name, and the json_object+schema form that
    llama-cpp-python's server accepts (it rejects ``json_schema``)."""
    path = settings.local_model_path
    name = custom_model_name(path) if path else DEFAULT_MODEL.name
    return settings.model_copy(update={
        "model": name if settings.model == MODEL_DEFAULT else settings.model,
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
                name, path = await asyncio.to_thread(local_model_file, self.settings)
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


def local_model_file(settings: Settings) -> tuple[str, Path]:
    """(model name, GGUF path) of the embedded model: FACTSUM_LOCAL_MODEL, else the
    packaged model assembled under ``settings.models_dir`` (not the response cache, so a
    fresh FACTSUM_CACHE_DIR does not assemble it again)."""
    return resolve_model(settings.local_model_path, settings.data_dir, settings.model)


def effective_settings(settings: Settings) -> Settings:
    """The settings a run really uses: the local model's name and mode, or the default
    OpenAI model, filled in. With a base URL and no model, the model stays
    ``MODEL_DEFAULT`` here; :func:`resolve_settings` asks the server."""
    if settings.has_endpoint:
        if settings.model == MODEL_DEFAULT and not settings.base_url:
            settings = settings.model_copy(update={"model": OPENAI_DEFAULT_MODEL})
        return with_list_price(settings)
    if not settings.use_local_model:
        raise ConfigError(INSTALL_HINT)
    return local_settings(settings)


def _listed(names: list[str]) -> str:
    shown = ", ".join(name[:80] for name in names[:MODELS_SHOWN])
    more = len(names) - MODELS_SHOWN
    return f"{shown} and {more} more" if more > 0 else shown


async def server_model(config: LLMConfig, *, http_client: httpx2.AsyncClient | None = None
                       ) -> str:
    """The one model that the server at ``config.base_url`` lists (``GET /v1/models``).

    ``ConfigError`` asking for FACTSUM_MODEL when it lists none or several, or does not
    answer the request; an ``LLMError`` when the server cannot be reached.
    """
    client = sdk_client(config, http_client=http_client)
    timeout_s = min(config.request_timeout_s, MODELS_TIMEOUT_S)
    try:
        page = await client.models.list(timeout=timeout_s)
    except openai.APIStatusError as exc:
        raise ConfigError(
            f"OPENAI_BASE_URL: the server did not list its models (HTTP {exc.status_code}); "
            "set FACTSUM_MODEL to the model to use") from None
    except openai.OpenAIError as exc:
        raise sdk_error(exc, timeout_s=timeout_s, secrets=config.secrets()) from None
    finally:
        await client.close()
    names = [model.id for model in page.data]
    if len(names) == 1:
        return names[0]
    if not names:
        raise ConfigError("OPENAI_BASE_URL: the server lists no model; set FACTSUM_MODEL")
    raise ConfigError(f"OPENAI_BASE_URL: the server lists {len(names)} models "
                      f"({_listed(names)}); set FACTSUM_MODEL to one of them")


async def resolve_settings(settings: Settings, *,
                           http_client: httpx2.AsyncClient | None = None) -> Settings:
    """:func:`effective_settings`, and with a base URL but no model, the server's one
    model (see :func:`server_model`)."""
    conf = effective_settings(settings)
    if conf.base_url and conf.model == MODEL_DEFAULT:
        model = await server_model(conf.llm, http_client=http_client)
        # Logged, not a progress line: the summary's footer names the model already.
        logger.info("model: %s (the one model OPENAI_BASE_URL lists)", model)
        conf = conf.model_copy(update={"model": model})
    return conf


@asynccontextmanager
async def open_llm(settings: Settings, *, progress: ProgressFn | None = None
                   ) -> AsyncIterator[LLMClient]:
    """An LLM client for ``settings``; closes transport, server and cache on exit."""
    conf = await resolve_settings(settings)
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
