"""Opening the model backend: the model a base URL's server offers, the default OpenAI
model, and where the embedded model is assembled."""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path
from typing import Any

import httpx2
import pytest
from factsum import localmodel
from factsum.backend import effective_settings, local_model_file, open_llm, resolve_settings
from factsum.errors import ConfigError, TransientLLMError
from factsum.localmodel import ModelSpec
from factsum.settings import MODEL_DEFAULT, Settings
from factsum.testing.fake_server import FakeServer
from support.llm import MockServer, raise_connect_error

pytestmark = pytest.mark.anyio

BASE_URL = "http://llm.test/v1"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def _models(*names: str) -> httpx2.Response:
    return httpx2.Response(200, json={"object": "list", "data": [
        {"id": name, "object": "model", "created": 0, "owned_by": "test"} for name in names]})


def _base_url_only(**kw: Any) -> Settings:
    return Settings(base_url=BASE_URL, use_cache=False, **kw)


async def test_a_base_url_alone_uses_the_one_model_its_server_lists(tmp_path: Path) -> None:
    with FakeServer(model="served-model") as server:
        settings = Settings.from_env({"OPENAI_BASE_URL": server.base_url},
                                     use_cache=False, cache_dir=tmp_path)
        async with open_llm(settings) as client:
            assert client.settings.model == "served-model"


async def test_one_listed_model_is_used_and_logged(caplog: pytest.LogCaptureFixture) -> None:
    server = MockServer([_models("only-one")])
    caplog.set_level(logging.INFO, logger="factsum.backend")
    conf = await resolve_settings(_base_url_only(), http_client=server.client())
    assert conf.model == "only-one"
    assert "model: only-one (the one model OPENAI_BASE_URL lists)" in caplog.messages


async def test_several_models_ask_for_factsum_model_and_name_at_most_five() -> None:
    names = [f"model-{n}" for n in range(7)]
    server = MockServer([_models(*names)])
    with pytest.raises(ConfigError) as err:
        await resolve_settings(_base_url_only(), http_client=server.client())
    message = str(err.value)
    assert "FACTSUM_MODEL" in message and "7 models" in message
    assert "model-4" in message and "model-5" not in message and "2 more" in message
    assert server.requests[0].url.path == "/v1/models"


async def test_no_model_listed_asks_for_factsum_model() -> None:
    server = MockServer([_models()])
    with pytest.raises(ConfigError, match="lists no model; set FACTSUM_MODEL"):
        await resolve_settings(_base_url_only(), http_client=server.client())


async def test_a_server_without_a_models_route_asks_for_factsum_model() -> None:
    server = MockServer([httpx2.Response(404, json={"error": {"message": "not found"}})])
    with pytest.raises(ConfigError, match=r"HTTP 404.*set FACTSUM_MODEL"):
        await resolve_settings(_base_url_only(), http_client=server.client())


async def test_an_unreachable_server_is_a_model_error_not_a_config_error() -> None:
    server = MockServer([raise_connect_error])
    with pytest.raises(TransientLLMError, match="cannot reach"):
        await resolve_settings(_base_url_only(), http_client=server.client())


async def test_a_named_model_asks_the_server_nothing() -> None:
    server = MockServer([])  # any request fails the test
    conf = await resolve_settings(_base_url_only(model="chosen"), http_client=server.client())
    assert conf.model == "chosen" and not server.requests


def test_an_api_key_alone_gets_the_default_openai_model() -> None:
    from pydantic import SecretStr

    conf = effective_settings(Settings(api_key=SecretStr("k")))
    assert conf.model == "gpt-4o-mini"
    assert "gpt-4o-mini" in conf.llm.prices
    assert effective_settings(Settings(base_url=BASE_URL)).model == MODEL_DEFAULT


def test_a_fresh_response_cache_does_not_assemble_the_model_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    parts = [tmp_path / "part1.bin", tmp_path / "part2.bin"]
    parts[0].write_bytes(b"GGUF")
    parts[1].write_bytes(b"-weights")
    spec = ModelSpec(name="tiny", part_module="tiny{n}", parts=2,
                     sha256=hashlib.sha256(b"GGUF-weights").hexdigest(),
                     extra="embedded-model", packages="tiny1 .. tiny2")
    reads: list[int] = []

    def part_paths(_spec: ModelSpec) -> list[Path]:
        reads.append(1)
        return parts

    monkeypatch.setattr(localmodel, "_part_paths", part_paths)
    monkeypatch.setattr(localmodel, "MODELS", {"tiny": spec})
    data = {"XDG_DATA_HOME": str(tmp_path / "data")}
    first = Settings.from_env({**data, "FACTSUM_CACHE_DIR": str(tmp_path / "cache1")},
                              model="tiny")
    second = Settings.from_env({**data, "FACTSUM_CACHE_DIR": str(tmp_path / "cache2")},
                               model="tiny")
    name, path = local_model_file(first)
    assert (name, path.read_bytes()) == ("tiny", b"GGUF-weights")
    assert local_model_file(second) == (name, path)
    assert len(reads) == 1  # assembled once, for both caches
    assert path.parent == tmp_path / "data" / "factsum" / "models"
