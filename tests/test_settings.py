"""Settings from the environment: bad values, Azure's precedence, .env files, defaults."""

from __future__ import annotations

import json
from pathlib import Path

import httpx2
import pytest
from factsum.cli import main
from factsum.errors import ConfigError
from factsum.llm.transport import sdk_client
from factsum.settings import (
    MODEL_DEFAULT,
    Environment,
    Settings,
    environment_variables,
)
from support.llm import MockServer, completion_body

AZURE = "https://example-resource.openai.azure.com"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No factsum, OpenAI or Azure variable set, and a working folder without .env."""
    for info in Environment.model_fields.values():
        if info.alias:
            monkeypatch.delenv(info.alias, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache-home"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data-home"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize(("variable", "value", "accepts"), [
    ("FACTSUM_CONCURRENCY", "four", "a whole number of 1 or more"),
    ("FACTSUM_CONCURRENCY", "0", "a whole number of 1 or more"),
    ("FACTSUM_CONCURRENCY", "-1", "a whole number of 1 or more"),
    ("FACTSUM_STRUCTURED_MODE", "json", "json_schema, json_object_schema, json_object"),
    ("FACTSUM_BUDGET_USD", "-0.5", "0 or more"),
    ("FACTSUM_TIMEOUT", "0", "seconds above 0"),
    ("FACTSUM_MAX_TOKENS", "many", "16 or more"),
])
def test_a_bad_value_is_one_line_naming_the_variable_and_what_it_accepts(
        variable: str, value: str, accepts: str) -> None:
    with pytest.raises(ConfigError) as err:
        Settings.from_env({variable: value})
    message = str(err.value)
    assert message.startswith(f"{variable}={value!r}: expected ")
    assert accepts in message
    assert "\n" not in message


@pytest.mark.parametrize("url", ["not a url", "ftp://example.com/v1", "http://", "localhost:8000",
                                 "http://host:port/v1"])
def test_a_malformed_base_url_is_refused_at_once_without_echoing_it(url: str) -> None:
    with pytest.raises(ConfigError) as err:
        Settings.from_env({"OPENAI_BASE_URL": url})
    assert str(err.value) == "OPENAI_BASE_URL: expected an http:// or https:// URL with a host"
    with pytest.raises(ConfigError, match=r"^AZURE_OPENAI_ENDPOINT: expected an http"):
        Settings.from_env({"AZURE_OPENAI_ENDPOINT": url, "AZURE_OPENAI_API_KEY": "k"})


def test_a_bad_override_names_the_setting_and_its_variable() -> None:
    with pytest.raises(ConfigError) as err:
        Settings.from_env({}, max_concurrency=0)
    assert str(err.value) == (
        "max_concurrency=0 (FACTSUM_CONCURRENCY): expected a whole number of 1 or more")
    with pytest.raises(ConfigError, match=r"^max_reasks=-1: "):
        Settings.from_env({}, max_reasks=-1)


@pytest.mark.parametrize(("variable", "value"), [
    ("FACTSUM_CONCURRENCY", "four"),
    ("FACTSUM_STRUCTURED_MODE", "json"),
    ("OPENAI_BASE_URL", "not a url"),
])
def test_the_cli_exits_2_with_one_line_naming_the_variable(
        clean_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        variable: str, value: str) -> None:
    article = clean_env / "a.txt"
    article.write_text("The ministry said on Wednesday that the bridge reopened.\n")
    monkeypatch.setenv(variable, value)
    status = main(["summarize", str(article)])
    err = capsys.readouterr().err
    assert status == 2
    assert err.count("\n") == 1 and err.startswith(f"factsum: error: {variable}")
    assert "internal error" not in err


# --- Azure: the SDK's own precedence -------------------------------------------------


def test_azure_uses_its_own_key_never_the_openai_one() -> None:
    settings = Settings.from_env({"AZURE_OPENAI_ENDPOINT": AZURE, "OPENAI_API_KEY": "sk-openai",
                                  "AZURE_OPENAI_API_KEY": "az-key"})
    assert settings.api_key is not None
    assert settings.api_key.get_secret_value() == "az-key"
    assert settings.azure_endpoint == AZURE and settings.base_url is None


@pytest.mark.anyio
async def test_the_azure_request_carries_the_azure_key_only() -> None:
    settings = Settings.from_env({"AZURE_OPENAI_ENDPOINT": AZURE, "OPENAI_API_KEY": "sk-openai",
                                  "AZURE_OPENAI_API_KEY": "az-key", "FACTSUM_MODEL": "dep"})
    server = MockServer([httpx2.Response(200, json=completion_body())])
    client = sdk_client(settings.llm, http_client=server.client())
    await client.chat.completions.create(model="dep", messages=[{"role": "user", "content": "x"}])
    await client.close()
    (request,) = server.requests
    assert request.headers["api-key"] == "az-key"
    assert "sk-openai" not in str(request.headers) and "sk-openai" not in str(request.url)


def test_an_azure_ad_token_is_read() -> None:
    settings = Settings.from_env({"AZURE_OPENAI_ENDPOINT": AZURE,
                                  "AZURE_OPENAI_AD_TOKEN": "eyJ-token"})
    assert settings.azure_ad_token is not None
    assert settings.azure_ad_token.get_secret_value() == "eyJ-token"
    assert settings.api_key is None and settings.has_endpoint


def test_an_azure_endpoint_without_azure_credentials_is_refused() -> None:
    with pytest.raises(ConfigError, match="AZURE_OPENAI_API_KEY or AZURE_OPENAI_AD_TOKEN"):
        Settings.from_env({"AZURE_OPENAI_ENDPOINT": AZURE, "OPENAI_API_KEY": "sk-openai"})


def test_an_azure_key_is_never_sent_to_openai() -> None:
    settings = Settings.from_env({"OPENAI_API_KEY": "sk-openai", "AZURE_OPENAI_API_KEY": "az"})
    assert settings.api_key is not None
    assert settings.api_key.get_secret_value() == "sk-openai"
    with pytest.raises(ConfigError, match="without AZURE_OPENAI_ENDPOINT"):
        Settings.from_env({"AZURE_OPENAI_API_KEY": "az"})


# --- .env files ------------------------------------------------------------------------


def test_the_env_file_that_factsum_env_file_names_is_read_and_the_environment_wins(
        tmp_path: Path) -> None:
    dotenv = tmp_path / "factsum.env"
    dotenv.write_text("FACTSUM_CONCURRENCY=7\nFACTSUM_MODEL=from-file\nOTHER=1\n")
    settings = Settings.from_env({"FACTSUM_ENV_FILE": str(dotenv), "FACTSUM_MODEL": "from-env"})
    assert settings.max_concurrency == 7
    assert settings.model == "from-env"


def test_a_bad_value_in_the_env_file_names_the_variable(tmp_path: Path) -> None:
    dotenv = tmp_path / "factsum.env"
    dotenv.write_text("FACTSUM_CONCURRENCY=four\n")
    with pytest.raises(ConfigError, match=r"^FACTSUM_CONCURRENCY='four': expected"):
        Settings.from_env({"FACTSUM_ENV_FILE": str(dotenv)})


def test_a_missing_env_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"^FACTSUM_ENV_FILE=.*: no such file"):
        Settings.from_env({"FACTSUM_ENV_FILE": str(tmp_path / "nope.env")})


def test_dot_env_in_the_working_folder_is_read_unless_disabled(
        clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (clean_env / ".env").write_text("FACTSUM_CONCURRENCY=3\n")
    assert Settings.from_env().max_concurrency == 3
    monkeypatch.setenv("FACTSUM_CONCURRENCY", "5")
    assert Settings.from_env().max_concurrency == 5  # the environment wins over the file
    monkeypatch.delenv("FACTSUM_CONCURRENCY")
    monkeypatch.setenv("FACTSUM_ENV_FILE", "")
    assert Settings.from_env().max_concurrency == 4  # no file read: the default


def test_an_explicit_mapping_reads_neither_os_environ_nor_dot_env(
        clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (clean_env / ".env").write_text("FACTSUM_CONCURRENCY=3\n")
    monkeypatch.setenv("FACTSUM_MODEL", "from-os-environ")
    settings = Settings.from_env({})
    assert settings.max_concurrency == 4 and settings.model == MODEL_DEFAULT


# --- what the variables set ----------------------------------------------------------------


def test_timeout_and_max_tokens_reach_the_model_layer() -> None:
    settings = Settings.from_env({"FACTSUM_TIMEOUT": "45", "FACTSUM_MAX_TOKENS": "512"})
    assert settings.llm.request_timeout_s == 45.0
    assert settings.llm.max_tokens == 512


def test_default_model_per_endpoint() -> None:
    assert Settings.from_env({"OPENAI_API_KEY": "k"}).model == "gpt-4o-mini"
    assert Settings.from_env({"AZURE_OPENAI_ENDPOINT": AZURE,
                              "AZURE_OPENAI_API_KEY": "k"}).model == "gpt-4o-mini"
    # A base URL alone: the server is asked for its model when the run opens it.
    base = Settings.from_env({"OPENAI_BASE_URL": "http://127.0.0.1:11434/v1",
                              "OPENAI_API_KEY": "k"})
    assert base.model == MODEL_DEFAULT
    assert Settings.from_env({}).model == MODEL_DEFAULT  # the embedded model


def test_models_live_under_the_data_dir_not_the_response_cache(tmp_path: Path) -> None:
    common = {"XDG_DATA_HOME": str(tmp_path / "data")}
    one = Settings.from_env({**common, "FACTSUM_CACHE_DIR": str(tmp_path / "c1")})
    two = Settings.from_env({**common, "FACTSUM_CACHE_DIR": str(tmp_path / "c2")})
    assert one.response_cache_dir != two.response_cache_dir
    assert one.models_dir == two.models_dir == tmp_path / "data" / "factsum" / "models"
    moved = Settings.from_env({"FACTSUM_DATA_DIR": str(tmp_path / "elsewhere")})
    assert moved.models_dir == tmp_path / "elsewhere" / "models"


def test_models_outside_the_table_get_their_list_price() -> None:
    settings = Settings.from_env({"OPENAI_API_KEY": "k", "FACTSUM_MODEL": "gpt-5-mini"})
    price = settings.llm.prices["gpt-5-mini"]
    assert price.prompt > 0 and price.completion > price.prompt


def test_the_price_file_wins_over_the_list_price(tmp_path: Path) -> None:
    prices = tmp_path / "prices.json"
    prices.write_text(json.dumps({"gpt-5-mini": {"prompt": 9.0, "completion": 99.0}}))
    settings = Settings.from_env({"OPENAI_API_KEY": "k", "FACTSUM_MODEL": "gpt-5-mini",
                                  "FACTSUM_PRICES": str(prices)})
    assert settings.llm.prices["gpt-5-mini"].completion == 99.0


def test_a_self_hosted_model_is_not_given_openai_prices() -> None:
    settings = Settings.from_env({"OPENAI_BASE_URL": "http://127.0.0.1:8000/v1",
                                  "FACTSUM_MODEL": "gpt-5-mini"})
    assert "gpt-5-mini" not in settings.llm.prices


def test_every_variable_is_listed_with_what_it_accepts() -> None:
    listed = dict(environment_variables())
    for variable in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "AZURE_OPENAI_AD_TOKEN",
                     "FACTSUM_TIMEOUT", "FACTSUM_MAX_TOKENS", "FACTSUM_ENV_FILE",
                     "FACTSUM_DATA_DIR"):
        assert "accepts" in listed[variable]
